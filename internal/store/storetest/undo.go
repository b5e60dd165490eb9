package storetest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/usersync/usersync/internal/store"
)

// testUndoLink checks that an undo run names the run it takes back, and
// that the undone run then names its newest live undo.
func testUndoLink(t *testing.T, s store.Store) {
	ctx := context.Background()
	orig := newRun(t, s, "corp")
	if r, err := s.GetRun(ctx, orig); err != nil || r.UndoOf != 0 || r.UndoneBy != 0 {
		t.Fatalf("fresh run = %+v, %v; want no undo link", r, err)
	}
	undo, err := s.CreateRun(ctx, store.Run{Connection: "corp", Trigger: store.TriggerUndo, Mode: store.ModeFull, Status: store.RunRunning, UndoOf: orig})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.GetRun(ctx, undo)
	if err != nil || got.UndoOf != orig || got.Trigger != store.TriggerUndo {
		t.Fatalf("undo run = %+v, %v; want undoOf %d", got, err, orig)
	}
	got.Status = store.RunSucceeded
	if err := s.UpdateRun(ctx, got); err != nil {
		t.Fatal(err)
	}
	runs, err := s.ListRuns(ctx, store.RunQuery{Connection: "corp"})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range runs {
		if r.ID == orig && r.UndoneBy != undo {
			t.Fatalf("listed run %d undoneBy = %d, want %d", orig, r.UndoneBy, undo)
		}
	}
	// A failed undo took nothing back.
	got.Status = store.RunFailed
	if err := s.UpdateRun(ctx, got); err != nil {
		t.Fatal(err)
	}
	if r, _ := s.GetRun(ctx, orig); r.UndoneBy != 0 {
		t.Fatalf("undoneBy = %d after the undo failed, want 0", r.UndoneBy)
	}
}

// testDeletedUsers checks that a delete keeps the user's last state until
// it is purged, and keeps nothing of a local user or a missing row.
func testDeletedUsers(t *testing.T, s store.Store) {
	ctx := context.Background()
	if err := s.PutConnection(ctx, conn("corp"), ""); err != nil {
		t.Fatal(err)
	}
	eng := entity(t, s, store.KindGroup, "Eng \"core\"")
	rome := entity(t, s, store.KindSite, "Rome")
	run := newRun(t, s, "corp")
	fields := map[string]string{"email": "o'brien@example.com", "title": `"quoted" \ back`}
	if err := s.Apply(ctx, store.Batch{RunID: run, Connection: "corp", Creates: []store.User{{ExternalID: "ext-d", UserID: "dora",
		Status: store.StatusActive, Fields: fields, Hash: 1 << 63, SuperUser: true,
		Memberships: []store.Membership{{EntityID: rome.ID, Source: store.RuleSource("corp")}}}}}); err != nil {
		t.Fatal(err)
	}
	id := index(t, s, "corp")["ext-d"].ID
	if err := s.AddMembership(ctx, id, store.KindGroup, eng.Name, store.SourceManual); err != nil {
		t.Fatal(err)
	}
	del := newRun(t, s, "corp")
	if _, err := s.DeletedUser(ctx, del, id); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("DeletedUser before the delete = %v, want ErrNotFound", err)
	}
	// The same id twice and a row that does not exist must not break the batch.
	if err := s.Apply(ctx, store.Batch{RunID: del, Connection: "corp", Delete: []int64{id, id, 1 << 40}}); err != nil {
		t.Fatal(err)
	}
	d, err := s.DeletedUser(ctx, del, id)
	if err != nil {
		t.Fatal(err)
	}
	if d.User.UserID != "dora" || d.User.ExternalID != "ext-d" || d.User.Status != store.StatusActive || d.User.Hash != 1<<63 ||
		d.User.Fields["title"] != fields["title"] || d.User.Fields["email"] != fields["email"] || d.DeletedAt.IsZero() || d.RunID != del ||
		!d.User.SuperUser {
		t.Fatalf("kept user = %+v", d)
	}
	// The memberships are kept by the entity's kind and name, of every
	// source, so that a restore can give them back.
	var kept []string
	for _, m := range d.Memberships {
		kept = append(kept, m.Kind+"/"+m.Name+"/"+m.Source)
	}
	slices.Sort(kept)
	if want := []string{"group/Eng \"core\"/manual", "site/Rome/" + store.RuleSource("corp")}; !slices.Equal(kept, want) {
		t.Fatalf("kept memberships = %q, want %q", kept, want)
	}
	if _, err := s.DeletedUser(ctx, run, id); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("DeletedUser of another run = %v, want ErrNotFound", err)
	}
	if n, err := s.PurgeDeletedUsers(ctx, d.DeletedAt.Add(-time.Hour)); err != nil || n != 0 {
		t.Fatalf("purge of older records = %d, %v; want 0", n, err)
	}
	if n, err := s.PurgeDeletedUsers(ctx, time.Now().Add(time.Hour)); err != nil || n != 1 {
		t.Fatalf("purge = %d, %v; want 1", n, err)
	}
	if _, err := s.DeletedUser(ctx, del, id); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("DeletedUser after purge = %v, want ErrNotFound", err)
	}
}
