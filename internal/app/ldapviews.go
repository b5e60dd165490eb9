package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/usersync/usersync/internal/ldapserve"
	"github.com/usersync/usersync/internal/password"
	"github.com/usersync/usersync/internal/store"
)

// ApplyLDAPView validates a view document and saves it by name; created
// reports whether it is new. A connection the view names must exist
// ("*" stands for all of them), so that a typing error does not publish an
// empty view.
func (a *App) ApplyLDAPView(ctx context.Context, doc []byte) (v store.LDAPView, created bool, err error) {
	dec := json.NewDecoder(strings.NewReader(string(doc)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		return v, false, fmt.Errorf("%w: view document: %v", ErrUsage, err)
	}
	var problems []string
	if err := ldapserve.ValidateView(&v); err != nil {
		problems = append(problems, err.Error())
	}
	for i, c := range v.Connections {
		if c == "*" || c == "" {
			continue
		}
		if _, _, err := a.Store.GetConnection(ctx, c); errors.Is(err, store.ErrNotFound) {
			problems = append(problems, fmt.Sprintf("connections[%d]: no connection is named %q", i, c))
		} else if err != nil {
			return v, false, err
		}
	}
	if len(problems) > 0 {
		return v, false, fmt.Errorf("%w: %s", ErrUsage, strings.Join(problems, "; "))
	}
	_, err = a.Store.GetLDAPView(ctx, v.Name)
	created = errors.Is(err, store.ErrNotFound)
	if err != nil && !created {
		return v, false, err
	}
	if err := a.Store.PutLDAPView(ctx, v); err != nil {
		return v, false, err
	}
	v, err = a.Store.GetLDAPView(ctx, v.Name)
	return v, created, err
}

// SetLDAPAccount creates a view's service account or changes its password,
// which is kept only as a hash; it returns the DN the account binds as.
func (a *App) SetLDAPAccount(ctx context.Context, view, name, pw string) (string, error) {
	if err := ldapserve.ValidateAccountName(name); err != nil {
		return "", fmt.Errorf("%w: %w", ErrUsage, err)
	}
	if err := password.Check(pw); err != nil {
		return "", fmt.Errorf("%w: password: %w", ErrUsage, err)
	}
	v, err := a.Store.GetLDAPView(ctx, view)
	if err != nil {
		return "", fmt.Errorf("view %q: %w", view, err)
	}
	hash, err := password.Hash(pw)
	if err != nil {
		return "", fmt.Errorf("%w: password: %w", ErrUsage, err)
	}
	if err := a.Store.PutLDAPAccount(ctx, store.LDAPAccount{View: view, Name: name, PasswordHash: hash}); err != nil {
		return "", err
	}
	return ldapserve.AccountDN(v, name), nil
}
