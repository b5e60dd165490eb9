package web

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/store"
)

// TestRunOutcomesPagedSearchedAndLinked: a run's outcomes are paged (100
// a page), filtered by action and searched by user, the filters kept when
// paging; a created user links to the user and shows the values it got.
func TestRunOutcomesPagedSearchedAndLinked(t *testing.T) {
	e := newTestEnv(t)
	putDemo(t, e, "corp", connection.DirectorySource)
	rep, err := e.app.Sync(t.Context(), "corp", app.SyncOptions{Trigger: store.TriggerManual})
	if err != nil {
		t.Fatal(err)
	}
	// The demo directory gives less than a page of outcomes: the run
	// records a membership change for each user as well, as a run whose
	// group rules changed every user's groups would.
	created, err := e.app.Store.ListOutcomes(t.Context(), rep.ID, store.OutcomeQuery{})
	if err != nil || len(created) == 0 {
		t.Fatalf("%d outcomes, %v", len(created), err)
	}
	b := store.MembershipBatch{RunID: rep.ID}
	for i := 0; len(created)+len(b.Outcomes) <= outcomesPerPage+10; i++ {
		o := created[i%len(created)]
		b.Outcomes = append(b.Outcomes, store.Outcome{RunID: rep.ID, UserRowID: o.UserRowID, ExternalID: o.ExternalID, UserID: o.UserID,
			Action: store.ActionUpdated, Reason: "group rules", Changes: []store.FieldChange{{Field: "group", New: fmt.Sprintf("team-%d", i)}}})
	}
	if err := e.app.Store.ApplyMemberships(t.Context(), b); err != nil {
		t.Fatal(err)
	}
	c := e.login()
	base := fmt.Sprintf("/runs/%d", rep.ID)
	rows := regexp.MustCompile(`<span class="status a-`)
	page := c.get(base, http.StatusOK)
	if n := len(rows.FindAllString(page, -1)); n != outcomesPerPage || !strings.Contains(page, "Outcomes 1–100") || !strings.Contains(page, `page=2`) {
		t.Fatalf("first page: %d rows\n%s", n, page)
	}
	all, err := e.app.Store.ListOutcomes(t.Context(), rep.ID, store.OutcomeQuery{})
	if err != nil || len(all) <= outcomesPerPage {
		t.Fatalf("%d outcomes, %v", len(all), err)
	}
	page = c.get(base+"?page=2", http.StatusOK)
	if n := len(rows.FindAllString(page, -1)); n != len(all)-outcomesPerPage || strings.Contains(page, `rel="next"`) {
		t.Fatalf("second page: %d rows, want %d", n, len(all)-outcomesPerPage)
	}
	page = c.get(base+"?action=created&user=ZOE.weber", http.StatusOK)
	if n := len(rows.FindAllString(page, -1)); n != 1 {
		t.Fatalf("search for zoe.weber: %d rows\n%s", n, page)
	}
	m := regexp.MustCompile(`<a href="/users/(\d+)">([^<]+)</a>`).FindStringSubmatch(page[strings.Index(page, "<tbody>"):])
	if m == nil || !strings.Contains(m[2], "zoe.weber") || !strings.Contains(page, "Values it got") || !strings.Contains(page, "Display name: Zoe Weber") {
		t.Fatalf("the created user is not linked with its values:\n%s", page)
	}
	if page := c.get(base+"?user=nobody-at-all", http.StatusOK); !strings.Contains(page, "for users matching") {
		t.Fatalf("no match:\n%s", page)
	}
	if code, _ := c.call("GET", base+"?page=x", "", "", nil); code != http.StatusBadRequest {
		t.Fatalf("a bad page: %d", code)
	}
}
