package main

// docs/configuration.md lists every flag, environment variable and
// connection field; it is generated from the commands' flag sets, the
// source's environment variable names and the connection types' doc
// comments, and a test fails when it is stale.
//go:generate go test -run TestConfigurationReference -update-config-doc .
