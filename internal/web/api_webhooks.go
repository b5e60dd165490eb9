package web

import (
	"net/http"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/webhook"
)

func (s *Server) apiListWebhooks(w http.ResponseWriter, r *http.Request) error {
	ws, err := s.app.Store.ListWebhooks(r.Context())
	if err != nil {
		return err
	}
	out := make([]app.WebhookView, len(ws))
	for i, x := range ws {
		out[i] = app.ViewWebhook(x)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// apiCreateWebhook subscribes a URL to the feed and returns the signing
// secret, the only time it is ever shown.
func (s *Server) apiCreateWebhook(w http.ResponseWriter, r *http.Request) error {
	var spec webhook.Spec
	if err := readJSON(r, &spec); err != nil {
		return err
	}
	secret, created, err := s.app.CreateWebhook(r.Context(), spec)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, struct {
		app.WebhookView
		Secret string `json:"secret"`
	}{app.ViewWebhook(created), secret})
	return nil
}

func (s *Server) apiDeleteWebhook(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err == nil {
		err = s.app.Store.DeleteWebhook(r.Context(), id)
	}
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// apiRedeliverWebhook revives a subscription, optionally from ?from=SEQ.
func (s *Server) apiRedeliverWebhook(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var from *int64
	if r.URL.Query().Get("from") != "" {
		n, err := intParam(r, "from", 0, 1<<62)
		if err != nil {
			return err
		}
		f := int64(n)
		from = &f
	}
	got, err := s.app.RedeliverWebhook(r.Context(), id, from)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, app.ViewWebhook(got))
	return nil
}
