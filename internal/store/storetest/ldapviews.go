package storetest

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/usersync/usersync/internal/store"
)

func (r *recorder) PutLDAPView(ctx context.Context, v store.LDAPView) error {
	r.hit("PutLDAPView")
	return r.Store.PutLDAPView(ctx, v)
}

func (r *recorder) GetLDAPView(ctx context.Context, name string) (store.LDAPView, error) {
	r.hit("GetLDAPView")
	return r.Store.GetLDAPView(ctx, name)
}

func (r *recorder) ListLDAPViews(ctx context.Context) ([]store.LDAPView, error) {
	r.hit("ListLDAPViews")
	return r.Store.ListLDAPViews(ctx)
}

func (r *recorder) DeleteLDAPView(ctx context.Context, name string) error {
	r.hit("DeleteLDAPView")
	return r.Store.DeleteLDAPView(ctx, name)
}

func (r *recorder) PutLDAPAccount(ctx context.Context, a store.LDAPAccount) error {
	r.hit("PutLDAPAccount")
	return r.Store.PutLDAPAccount(ctx, a)
}

func (r *recorder) GetLDAPAccount(ctx context.Context, view, name string) (store.LDAPAccount, error) {
	r.hit("GetLDAPAccount")
	return r.Store.GetLDAPAccount(ctx, view, name)
}

func (r *recorder) ListLDAPAccounts(ctx context.Context, view string) ([]store.LDAPAccount, error) {
	r.hit("ListLDAPAccounts")
	return r.Store.ListLDAPAccounts(ctx, view)
}

func (r *recorder) DeleteLDAPAccount(ctx context.Context, view, name string) error {
	r.hit("DeleteLDAPAccount")
	return r.Store.DeleteLDAPAccount(ctx, view, name)
}

func (r *recorder) FindUsersByEmail(ctx context.Context, email string) ([]store.User, error) {
	r.hit("FindUsersByEmail")
	return r.Store.FindUsersByEmail(ctx, email)
}

// testLDAPViews: a view is stored by name and replaced whole; its accounts
// need the view to exist and go when the view goes.
func testLDAPViews(t *testing.T, s store.Store) {
	ctx := context.Background()
	if _, err := s.GetLDAPView(ctx, "people"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("GetLDAPView(missing) = %v, want ErrNotFound", err)
	}
	if err := s.PutLDAPAccount(ctx, store.LDAPAccount{View: "people", Name: "phone", PasswordHash: "h"}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("PutLDAPAccount(no view) = %v, want ErrNotFound", err)
	}
	v := store.LDAPView{Name: "people", BaseDN: "ou=people,o=example", Connections: []string{"corp"},
		Attributes: map[string]string{"uid": "userId", "mail": "email"}}
	if err := s.PutLDAPView(ctx, v); err != nil {
		t.Fatal(err)
	}
	v.Connections = []string{"corp", "scim"}
	v.IncludeInactive = true
	if err := s.PutLDAPView(ctx, v); err != nil {
		t.Fatal(err)
	}
	if err := s.PutLDAPView(ctx, store.LDAPView{Name: "book", BaseDN: "ou=book,o=example", Connections: []string{"*"}}); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetLDAPView(ctx, "people")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Connections, v.Connections) || !got.IncludeInactive || got.Attributes["mail"] != "email" || got.CreatedAt.IsZero() {
		t.Fatalf("GetLDAPView = %+v", got)
	}
	list, err := s.ListLDAPViews(ctx)
	if err != nil || len(list) != 2 || list[0].Name != "book" || list[1].Name != "people" {
		t.Fatalf("ListLDAPViews = %+v, %v", list, err)
	}

	for _, a := range []store.LDAPAccount{{View: "people", Name: "phone", PasswordHash: "h1"}, {View: "people", Name: "phone", PasswordHash: "h2"},
		{View: "book", Name: "phone", PasswordHash: "h3"}} {
		if err := s.PutLDAPAccount(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	a, err := s.GetLDAPAccount(ctx, "people", "phone")
	if err != nil || a.PasswordHash != "h2" {
		t.Fatalf("GetLDAPAccount = %+v, %v; want the replaced hash h2", a, err)
	}
	if _, err := s.GetLDAPAccount(ctx, "people", "PHONE"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("GetLDAPAccount(other case) = %v, want ErrNotFound", err)
	}
	all, err := s.ListLDAPAccounts(ctx, "")
	if err != nil || len(all) != 2 {
		t.Fatalf("ListLDAPAccounts(all) = %+v, %v", all, err)
	}
	if err := s.DeleteLDAPAccount(ctx, "book", "phone"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteLDAPAccount(ctx, "book", "phone"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("DeleteLDAPAccount twice = %v, want ErrNotFound", err)
	}
	if err := s.DeleteLDAPView(ctx, "people"); err != nil {
		t.Fatal(err)
	}
	if rest, err := s.ListLDAPAccounts(ctx, "people"); err != nil || len(rest) != 0 {
		t.Fatalf("accounts after their view was deleted = %+v, %v", rest, err)
	}
	if err := s.DeleteLDAPView(ctx, "people"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("DeleteLDAPView twice = %v, want ErrNotFound", err)
	}
}

// testFindUsersByEmail: the email field is compared case-insensitively and
// exactly, so LIKE's wildcards and a missing field match nothing.
func testFindUsersByEmail(t *testing.T, s store.Store) {
	ctx := context.Background()
	withMail := func(ext, id, mail string) store.User {
		u := active(ext, id)
		u.Fields = map[string]string{store.FieldEmail: mail}
		return u
	}
	a := createUsers(t, s, "a", withMail("1", "ann", "Ann@Example.com"), withMail("2", "bob", "bob@example.com"), active("3", "nomail"))
	b := createUsers(t, s, "b", withMail("1", "ann2", "ann@example.COM"))
	tests := []struct {
		email string
		want  []int64
	}{
		{"ann@example.com", []int64{a["1"], b["1"]}},
		{"ANN@EXAMPLE.COM", []int64{a["1"], b["1"]}},
		{"bob@example.com", []int64{a["2"]}},
		{"%@example.com", nil},
		{"ann", nil},
		{"", nil},
	}
	for _, tt := range tests {
		got, err := s.FindUsersByEmail(ctx, tt.email)
		if err != nil {
			t.Fatalf("FindUsersByEmail(%q): %v", tt.email, err)
		}
		var ids []int64
		for _, u := range got {
			ids = append(ids, u.ID)
		}
		if !equalIDs(ids, tt.want) {
			t.Errorf("FindUsersByEmail(%q) = %v, want %v", tt.email, ids, tt.want)
		}
	}
}
