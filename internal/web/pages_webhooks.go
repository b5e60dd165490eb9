package web

import (
	"net/http"
	"strings"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/webhook"
)

// webhookRow is one subscription on the webhooks page.
type webhookRow struct {
	app.WebhookView
	// Selects says in words which events it receives.
	Selects string
}

// webhookForm is the add form's values, kept when it is shown again with
// an error so that nothing typed is lost.
type webhookForm struct{ Name, URL, Kinds, Connections string }

// webhooksPage lists the webhook subscriptions with their delivery state
// and forms to add, redeliver and remove them.
func (s *Server) webhooksPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderWebhooks(w, r, http.StatusOK, webhookForm{}, "", "")
}

func (s *Server) renderWebhooks(w http.ResponseWriter, r *http.Request, status int, form webhookForm, secret, errMsg string) error {
	ws, err := s.app.Store.ListWebhooks(r.Context())
	if err != nil {
		return err
	}
	rows := make([]webhookRow, len(ws))
	for i, x := range ws {
		sel := "all kinds"
		if len(x.Kinds) > 0 {
			sel = strings.Join(x.Kinds, ", ")
		}
		if len(x.Connections) > 0 {
			sel += " of " + strings.Join(x.Connections, ", ")
		}
		rows[i] = webhookRow{app.ViewWebhook(x), sel}
	}
	s.render(w, r, status, "webhooks", "Webhooks", map[string]any{
		"Hooks": rows, "Form": form, "Secret": secret, "Error": errMsg, "Done": s.flashText(r, flashDone),
	})
	return nil
}

func (s *Server) createWebhookSubmit(w http.ResponseWriter, r *http.Request) error {
	form := webhookForm{Name: r.PostFormValue("name"), URL: r.PostFormValue("url"), Kinds: r.PostFormValue("kinds"), Connections: r.PostFormValue("connections")}
	secret, _, err := s.app.CreateWebhook(r.Context(), webhook.Spec{Name: form.Name, URL: form.URL,
		Kinds: splitComma(form.Kinds), Connections: splitComma(form.Connections)})
	if err != nil {
		status, e := classify(err)
		return s.renderWebhooks(w, r, status, form, "", e.Message)
	}
	// The secret is shown on this response only, never stored in clear.
	return s.renderWebhooks(w, r, http.StatusOK, webhookForm{}, secret, "")
}

func (s *Server) redeliverWebhookSubmit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	got, err := s.app.RedeliverWebhook(r.Context(), id, nil)
	if err != nil {
		_, e := classify(err)
		return s.renderWebhooks(w, r, http.StatusOK, webhookForm{}, "", e.Message)
	}
	s.redirectFlash(w, r, "/webhooks", flashDone, got.Name+" will be delivered again at once.")
	return nil
}

func (s *Server) deleteWebhookSubmit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.app.Store.DeleteWebhook(r.Context(), id); err != nil {
		_, e := classify(err)
		return s.renderWebhooks(w, r, http.StatusOK, webhookForm{}, "", e.Message)
	}
	s.redirectFlash(w, r, "/webhooks", flashDone, "Webhook removed.")
	return nil
}

// splitComma splits a comma-separated form value, dropping empty items.
func splitComma(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
