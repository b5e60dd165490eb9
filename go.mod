module github.com/usersync/usersync

go 1.26.8
