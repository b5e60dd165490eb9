package web

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/store"
)

// scheduleActions are what an operator can do to a connection's schedule
// (stop, start and restart provisioning, and run now).
var scheduleActions = []string{"pause", "resume", "restart", "run"}

// scheduleAction pauses, resumes or restarts a connection's schedule, or
// asks the scheduler to run it now, and returns its schedule afterwards.
func (s *Server) scheduleAction(ctx context.Context, name, action string, full bool) (app.ScheduleInfo, error) {
	var err error
	switch action {
	case "pause":
		err = s.app.PauseSchedule(ctx, name)
	case "resume":
		err = s.app.ResumeSchedule(ctx, name)
	case "restart":
		err = s.app.RestartSchedule(ctx, name)
	case "run":
		err = s.app.RunNow(ctx, name, full)
	default:
		return app.ScheduleInfo{}, badRequest("action", fmt.Sprintf("unknown schedule action %q", action))
	}
	if err != nil {
		return app.ScheduleInfo{}, err
	}
	return s.scheduleOf(ctx, name)
}

// scheduleOf returns one connection's schedule as of now.
func (s *Server) scheduleOf(ctx context.Context, name string) (app.ScheduleInfo, error) {
	all, err := s.app.Schedules(ctx, time.Now())
	if err != nil {
		return app.ScheduleInfo{}, err
	}
	for _, si := range all {
		if si.Connection == name {
			return si, nil
		}
	}
	return app.ScheduleInfo{}, fmt.Errorf("schedule of %q: %w", name, store.ErrNotFound)
}

func (s *Server) apiListSchedules(w http.ResponseWriter, r *http.Request) error {
	all, err := s.app.Schedules(r.Context(), time.Now())
	if err != nil {
		return err
	}
	if all == nil {
		all = []app.ScheduleInfo{}
	}
	writeJSON(w, http.StatusOK, all)
	return nil
}

// apiScheduleAction is POST /api/v1/connections/{name}/schedule/ACTION;
// "run" takes ?full=true to read everything from scratch.
func (s *Server) apiScheduleAction(action string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		full := r.URL.Query().Get("full") == "true"
		si, err := s.scheduleAction(r.Context(), r.PathValue("name"), action, full)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, si)
		return nil
	}
}

// scheduleRoutes lists the schedule API and the Schedules page.
func (s *Server) scheduleRoutes() []route {
	rs := []route{
		{"GET", "/schedules", page, s.schedulesPage},
		{"POST", "/schedules/{name}", page, s.scheduleSubmit},
		{"GET", "/api/v1/schedules", api, s.apiListSchedules},
	}
	for _, a := range scheduleActions {
		rs = append(rs, route{"POST", "/api/v1/connections/{name}/schedule/" + a, api, s.apiScheduleAction(a)})
	}
	return rs
}

// schedulesPage lists every connection's schedule with its last and next
// run and the buttons to pause, resume, restart or run it now.
func (s *Server) schedulesPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderSchedules(w, r, http.StatusOK, s.flashText(r, flashError))
}

func (s *Server) renderSchedules(w http.ResponseWriter, r *http.Request, status int, errMsg string) error {
	all, err := s.app.Schedules(r.Context(), time.Now())
	if err != nil {
		return err
	}
	s.render(w, r, status, "schedules", "Schedules", map[string]any{
		"Schedules": all, "Error": errMsg, "Done": s.flashText(r, flashDone),
	})
	return nil
}

var scheduleDone = map[string]string{
	"pause":   "paused",
	"resume":  "resumed",
	"restart": "restarted: the next run reads everything",
	"run":     "will run as soon as the scheduler picks it up",
}

func (s *Server) scheduleSubmit(w http.ResponseWriter, r *http.Request) error {
	name, action := r.PathValue("name"), r.PostFormValue("action")
	if _, err := s.scheduleAction(r.Context(), name, action, r.PostFormValue("full") == "true"); err != nil {
		status, e := classify(err)
		return s.renderSchedules(w, r, status, e.Message)
	}
	s.redirectFlash(w, r, "/schedules", flashDone, name+" "+scheduleDone[action])
	return nil
}
