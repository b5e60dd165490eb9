package web

import (
	"net/http"
	"strings"

	"github.com/usersync/usersync/internal/app"
)

// groupRulesPage shows and edits one connection's group-rule settings.
func (s *Server) groupRulesPage(w http.ResponseWriter, r *http.Request) error {
	c, _, err := s.st.GetConnection(r.Context(), r.PathValue("name"))
	if err != nil {
		return err
	}
	return s.renderGroupRules(w, r, http.StatusOK, c.Name, app.GroupRulesOf(c), nil)
}

func (s *Server) renderGroupRules(w http.ResponseWriter, r *http.Request, status int, name string, g app.GroupRuleSettings, formErr *apiError) error {
	s.render(w, r, status, "connection_groups", "Group rules: "+name, map[string]any{
		"Name": name, "G": g, "Err": formErr, "Done": s.flashText(r, flashDone),
	})
	return nil
}

func (s *Server) groupRulesSubmit(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("name")
	on := func(k string) bool { return r.PostFormValue(k) == "on" }
	text := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	g := app.GroupRuleSettings{GroupRules: on("groupRules"), GroupMembership: text("groupMembership"),
		GroupSearchPath: text("groupSearchPath"), GroupSearchFilter: text("groupSearchFilter"), FollowNestedGroups: on("followNestedGroups"),
		ParentGroup: text("parentGroup"), AdminGroup: text("adminGroup"), GroupStatusRule: on("groupStatusRule"),
		ManualAssignments: text("manualAssignments")}
	if _, err := s.app.SetGroupRules(r.Context(), name, g); err != nil {
		status, e := classify(err)
		if status == http.StatusNotFound {
			return err
		}
		return s.renderGroupRules(w, r, status, name, g, &e)
	}
	s.redirectFlash(w, r, "/connections/"+name+"/groups", flashDone, "Group rules of "+name+" saved; the next run applies them.")
	return nil
}

func init() {
	// invalidField marks a control whose field the error names.
	funcs["invalidField"] = func(e *apiError, field string) string {
		if e != nil && e.Field == field {
			return "true"
		}
		return ""
	}
}
