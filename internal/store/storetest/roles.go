package storetest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/usersync/usersync/internal/store"
)

// testAdminRoles: administrators carry a role and a disabled flag, and no
// change may leave nobody enabled with the admin role.
func testAdminRoles(t *testing.T, s store.Store) {
	ctx := context.Background()
	// An administrator created without a role is an admin, as every
	// administrator was before roles.
	for _, a := range []store.Admin{
		{Name: "root", PasswordHash: "h"},
		{Name: "ops", PasswordHash: "h", Role: store.RoleOperator},
		{Name: "gone", PasswordHash: "h", Role: store.RoleAdmin, Disabled: true},
	} {
		if err := s.CreateAdmin(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	list, err := s.ListAdmins(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []store.Admin{{Name: "gone", Role: "admin", Disabled: true}, {Name: "ops", Role: "operator"}, {Name: "root", Role: "admin"}}
	if len(list) != len(want) {
		t.Fatalf("ListAdmins = %+v, want %+v", list, want)
	}
	for i, w := range want {
		g := list[i]
		if g.Name != w.Name || g.Role != w.Role || g.Disabled != w.Disabled || g.CreatedAt.IsZero() || g.PasswordHash != "h" {
			t.Errorf("ListAdmins[%d] = %+v, want %+v", i, g, w)
		}
	}
	if a, err := s.GetAdmin(ctx, "ops"); err != nil || a.Role != store.RoleOperator || a.Disabled {
		t.Fatalf("GetAdmin(ops) = %+v, %v", a, err)
	}

	// root is the only enabled admin: demoting or disabling it is refused
	// and changes nothing.
	for _, tc := range []struct {
		role     string
		disabled bool
	}{{store.RoleOperator, false}, {store.RoleAdmin, true}, {store.RoleOperator, true}} {
		if err := s.UpdateAdmin(ctx, "root", tc.role, tc.disabled); !errors.Is(err, store.ErrLastAdmin) {
			t.Errorf("UpdateAdmin(root, %q, %v) = %v, want ErrLastAdmin", tc.role, tc.disabled, err)
		}
	}
	if a, _ := s.GetAdmin(ctx, "root"); a.Role != store.RoleAdmin || a.Disabled {
		t.Fatalf("root after refused changes = %+v, want unchanged", a)
	}
	if err := s.UpdateAdmin(ctx, "nobody", store.RoleOperator, false); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("UpdateAdmin(unknown) = %v, want ErrNotFound", err)
	}
	// Keeping root as it is, or changing someone else, is fine.
	if err := s.UpdateAdmin(ctx, "root", store.RoleAdmin, false); err != nil {
		t.Errorf("UpdateAdmin(root, unchanged) = %v", err)
	}
	if err := s.UpdateAdmin(ctx, "ops", store.RoleAdmin, false); err != nil {
		t.Fatal(err)
	}

	// Two enabled admins now demote each other at once: one must win and
	// one must get ErrLastAdmin, so that an admin always remains.
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, name := range []string{"root", "ops"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				errs[i] = s.UpdateAdmin(ctx, name, store.RoleOperator, false)
				if !errors.Is(errs[i], store.ErrBusy) {
					return
				}
				time.Sleep(10 * time.Millisecond)
			}
		}()
	}
	wg.Wait()
	if (errs[0] == nil) == (errs[1] == nil) || !(errors.Is(errs[0], store.ErrLastAdmin) || errors.Is(errs[1], store.ErrLastAdmin)) {
		t.Fatalf("racing demotions = %v, %v; want exactly one ErrLastAdmin", errs[0], errs[1])
	}
	list, _ = s.ListAdmins(ctx)
	admins := 0
	for _, a := range list {
		if a.Role == store.RoleAdmin && !a.Disabled {
			admins++
		}
	}
	if admins != 1 {
		t.Fatalf("enabled admins after the race = %d (%+v), want 1", admins, list)
	}
}

// testAuditLog: events are kept in order, filtered by actor, action,
// object (a substring, any case) and time, and paged with a total.
func testAuditLog(t *testing.T, s store.Store) {
	ctx := context.Background()
	if list, n, err := s.ListAudit(ctx, store.AuditFilter{}); err != nil || n != 0 || len(list) != 0 {
		t.Fatalf("ListAudit(empty) = %+v, %d, %v", list, n, err)
	}
	base := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	events := []store.AuditEvent{
		{At: base, Actor: "admin", Action: "login"},
		{At: base.Add(time.Minute), Actor: "admin", Action: "connection.update", Object: "connection Corp", Detail: "mappings"},
		{At: base.Add(2 * time.Minute), Actor: "cli:root", Action: "run.start", Object: "connection corp"},
		// Text that looks like SQL or a wildcard is only text.
		{At: base.Add(3 * time.Minute), Actor: "x' OR '1'='1", Action: "login.failed", Object: "%_"},
	}
	for _, e := range events {
		if err := s.AppendAudit(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.AppendAudit(ctx, store.AuditEvent{Actor: "admin", Action: "logout"}); err != nil {
		t.Fatal(err)
	}
	all, n, err := s.ListAudit(ctx, store.AuditFilter{})
	if err != nil || n != 5 || len(all) != 5 || all[0].Action != "logout" || all[0].At.Before(base) || all[4].Action != "login" || all[0].ID == 0 {
		t.Fatalf("ListAudit(all) = %+v, %d, %v; want 5 newest first, a zero At stored as now", all, n, err)
	}
	if !all[3].At.Equal(base.Add(time.Minute)) || all[3].Detail != "mappings" || all[3].Object != "connection Corp" {
		t.Fatalf("event = %+v", all[3])
	}
	for _, tc := range []struct {
		name string
		f    store.AuditFilter
		want []string // actions, newest first
	}{
		{"actor", store.AuditFilter{Actor: "admin"}, []string{"logout", "connection.update", "login"}},
		{"action", store.AuditFilter{Action: "run.start"}, []string{"run.start"}},
		{"object any case", store.AuditFilter{Object: "CORP"}, []string{"run.start", "connection.update"}},
		{"wildcards are text", store.AuditFilter{Object: "%"}, []string{"login.failed"}},
		{"injection is text", store.AuditFilter{Actor: "x' OR '1'='1"}, []string{"login.failed"}},
		{"no match", store.AuditFilter{Actor: "admin", Action: "run.start"}, nil},
		{"time window", store.AuditFilter{Since: base.Add(time.Minute), Until: base.Add(3 * time.Minute)}, []string{"run.start", "connection.update"}},
		{"page", store.AuditFilter{Limit: 2, Offset: 1}, []string{"login.failed", "run.start"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			list, total, err := s.ListAudit(ctx, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range list {
				got = append(got, e.Action)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("actions = %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("actions = %v, want %v", got, tc.want)
				}
			}
			wantTotal := len(tc.want)
			if tc.f.Limit > 0 {
				wantTotal = 5
			}
			if total != wantTotal {
				t.Errorf("total = %d, want %d", total, wantTotal)
			}
		})
	}
}
