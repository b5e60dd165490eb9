package storetest

import (
	"context"
	"fmt"
	"testing"

	"github.com/usersync/usersync/internal/store"
)

// testOutcomePaging: a run's outcomes are paged with Limit and Offset and
// searched by a part of the userId in any case; search text is text, not a
// pattern.
func testOutcomePaging(t *testing.T, s store.Store) {
	ctx := context.Background()
	if err := s.PutConnection(ctx, conn("corp"), ""); err != nil {
		t.Fatal(err)
	}
	id, err := s.CreateRun(ctx, store.Run{Connection: "corp", Trigger: store.TriggerManual, Mode: "full", Status: store.RunRunning})
	if err != nil {
		t.Fatal(err)
	}
	var outs []store.Outcome
	for i := 1; i <= 7; i++ {
		outs = append(outs, store.Outcome{RunID: id, ExternalID: fmt.Sprint(i), UserID: fmt.Sprintf("User%d@Example.com", i), Action: "created"})
	}
	outs = append(outs, store.Outcome{RunID: id, ExternalID: "p", UserID: "100%_off", Action: "skipped"})
	if err := s.Apply(ctx, store.Batch{RunID: id, Connection: "corp", Outcomes: outs}); err != nil {
		t.Fatal(err)
	}
	ids := func(q store.OutcomeQuery) string {
		t.Helper()
		list, err := s.ListOutcomes(ctx, id, q)
		if err != nil {
			t.Fatal(err)
		}
		out := ""
		for _, o := range list {
			out += o.ExternalID
		}
		return out
	}
	for _, tc := range []struct {
		q    store.OutcomeQuery
		want string
	}{
		{store.OutcomeQuery{Limit: 3}, "123"},
		{store.OutcomeQuery{Limit: 3, Offset: 3}, "456"},
		{store.OutcomeQuery{Limit: 3, Offset: 6}, "7p"},
		{store.OutcomeQuery{Offset: 7}, "p"},
		{store.OutcomeQuery{User: "user3@EXAMPLE"}, "3"},
		{store.OutcomeQuery{User: "example.com", Action: "created", Limit: 2, Offset: 5}, "67"},
		{store.OutcomeQuery{User: "%"}, "p"},
		{store.OutcomeQuery{User: "_"}, "p"},
		{store.OutcomeQuery{User: "nobody"}, ""},
	} {
		if got := ids(tc.q); got != tc.want {
			t.Errorf("ListOutcomes(%+v) = %q, want %q", tc.q, got, tc.want)
		}
	}
}
