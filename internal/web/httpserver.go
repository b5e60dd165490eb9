package web

import (
	"context"
	"net"
	"net/http"
	"time"
)

// Timeouts of the HTTP server. A client that sends its headers or body one
// byte at a time is cut off after ReadTimeout, one that reads the answer
// too slowly after WriteTimeout, and an idle keep-alive connection after
// IdleTimeout, so that no client can hold a connection for ever.
type Timeouts struct {
	ReadHeader, Read, Write, Idle time.Duration
}

// DefaultTimeouts suit the UI and the API: no request of theirs streams,
// and the slowest (a dry-run preview of a large directory) answers within
// a minute.
var DefaultTimeouts = Timeouts{ReadHeader: 10 * time.Second, Read: 30 * time.Second, Write: 2 * time.Minute, Idle: 2 * time.Minute}

// HTTPServer returns the http.Server that serves h with the timeouts set;
// base, when not nil, is the context every request's context derives from.
func HTTPServer(h http.Handler, t Timeouts, base context.Context) *http.Server {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: t.ReadHeader, ReadTimeout: t.Read, WriteTimeout: t.Write,
		IdleTimeout: t.Idle, MaxHeaderBytes: 64 << 10}
	if base != nil {
		srv.BaseContext = func(net.Listener) context.Context { return base }
	}
	return srv
}
