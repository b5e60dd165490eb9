package web

import (
	"context"
	"strings"
	"time"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/store"
)

// health is what the connections list shows of a connection's state: its
// last check (from the audit log, where every check is recorded), its last
// run and result, and its next run.
type health struct {
	CheckAt     time.Time
	CheckOK     bool
	CheckDetail string
	LastRun     *store.Run
	NextRun     *time.Time
	Paused      bool
}

// healthOf gathers the board's state of every connection. A failure to
// read it leaves the board empty rather than failing the page.
func (s *Server) healthOf(ctx context.Context, cs []connection.Connection) map[string]health {
	out := map[string]health{}
	scheds, err := s.app.Schedules(ctx, time.Now())
	if err == nil {
		for _, si := range scheds {
			out[si.Connection] = health{LastRun: si.LastRun, NextRun: si.NextRun, Paused: si.Paused}
		}
	}
	for _, c := range cs {
		evs, _, err := s.app.AuditLog(ctx, store.AuditFilter{Action: app.AuditConnectionCheck, Object: "connection " + c.Name, Limit: 20})
		if err != nil {
			continue
		}
		for _, ev := range evs {
			if ev.Object != "connection "+c.Name {
				continue
			}
			h := out[c.Name]
			h.CheckAt, h.CheckOK = ev.At, ev.Detail == "succeeded"
			h.CheckDetail = strings.TrimPrefix(ev.Detail, "failed: ")
			out[c.Name] = h
			break
		}
	}
	return out
}
