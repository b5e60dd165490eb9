package app

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/usersync/usersync/internal/password"
	"github.com/usersync/usersync/internal/store"
)

// AdminName is the first-run administrator's name.
const AdminName = "admin"

// adminStore is what the administrator operations need beyond store.Store;
// both store implementations provide it.
type adminStore interface {
	CreateAdmin(ctx context.Context, a store.Admin) error
	GetAdmin(ctx context.Context, name string) (store.Admin, error)
	CountAdmins(ctx context.Context) (int, error)
	SetAdminPassword(ctx context.Context, name, hash string) error
	DeleteAdminSessions(ctx context.Context, admin, keep string) error
}

func (a *App) adminStore() (adminStore, error) {
	st, ok := a.Store.(adminStore)
	if !ok {
		return nil, fmt.Errorf("app: the store %T does not keep administrators", a.Store)
	}
	return st, nil
}

// EnsureAdmin creates the first-run administrator "admin" when there is no
// administrator yet. The password is pw (USERSYNC_ADMIN_PASSWORD) when it
// is not empty, and must then obey the password policy; otherwise one is
// generated and printed once to out. It reports whether it created the
// administrator.
func (a *App) EnsureAdmin(ctx context.Context, pw string, out io.Writer) (bool, error) {
	st, err := a.adminStore()
	if err != nil {
		return false, err
	}
	n, err := st.CountAdmins(ctx)
	if err != nil || n > 0 {
		return false, err
	}
	generated := pw == ""
	if generated {
		pw = randomPassword()
	}
	hash, err := password.Hash(pw)
	if err != nil {
		return false, &FieldError{Field: "USERSYNC_ADMIN_PASSWORD", Msg: "USERSYNC_ADMIN_PASSWORD: " + err.Error(), Err: err}
	}
	if err := st.CreateAdmin(ctx, store.Admin{Name: AdminName, PasswordHash: hash}); errors.Is(err, store.ErrConflict) {
		// Another instance on the same store created it since we counted
		// (two serve processes started together): theirs is the one.
		return false, nil
	} else if err != nil {
		return false, err
	}
	if generated {
		fmt.Fprintf(out, "First-run administrator created: user name %q, password %s\n(shown only this once; set USERSYNC_ADMIN_PASSWORD before the first start to choose it)\n", AdminName, pw)
	} else {
		fmt.Fprintf(out, "First-run administrator created: user name %q, password from USERSYNC_ADMIN_PASSWORD\n", AdminName)
	}
	return true, nil
}

// randomPassword is 20 characters of base64url from 15 random bytes.
func randomPassword() string {
	b := make([]byte, 15)
	if _, err := rand.Read(b); err != nil {
		panic("app: crypto/rand failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// dummyHash is verified against when an administrator name is unknown, so
// that the time taken does not tell which names exist.
var dummyHash = sync.OnceValue(func() string {
	h, _ := password.Hash("not a password, only spends the time")
	return h
})

// CheckAdmin verifies an administrator's password. An unknown name is
// ErrUnknownUser and a wrong password ErrWrongPassword (PublicAuthError
// collapses both). A hash in an older format (bcrypt) is replaced by the
// current one after it verified.
func (a *App) CheckAdmin(ctx context.Context, name, pw string) (store.Admin, error) {
	st, err := a.adminStore()
	if err != nil {
		return store.Admin{}, err
	}
	ad, err := st.GetAdmin(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		_ = password.Verify(dummyHash(), pw)
		return ad, fmt.Errorf("auth: administrator %q: %w", name, ErrUnknownUser)
	}
	if err != nil {
		return ad, err
	}
	err = password.Verify(ad.PasswordHash, pw)
	switch {
	case errors.Is(err, password.ErrMismatch):
		return ad, fmt.Errorf("auth: administrator %q: %w", name, ErrWrongPassword)
	case err != nil:
		return ad, fmt.Errorf("auth: administrator %q: %w: %w", name, ErrBadHash, err)
	}
	if password.NeedsRehash(ad.PasswordHash) {
		if h, err := password.Rehash(pw); err == nil {
			if err := st.SetAdminPassword(ctx, ad.Name, h); err != nil {
				a.Log.Warn("re-hashing the administrator's password failed", "admin", ad.Name, "err", err)
			} else {
				ad.PasswordHash = h
			}
		}
	}
	return ad, nil
}

// SetAdminPassword gives an administrator a new password, which must obey
// the password policy, and ends all their sessions except keepSession (the
// hash of the session that made the change; empty ends all).
func (a *App) SetAdminPassword(ctx context.Context, name, newPw, keepSession string) (err error) {
	defer func() { a.auditIf(ctx, err, AuditAdminPassword, "admin "+name, "") }()
	st, err := a.adminStore()
	if err != nil {
		return err
	}
	hash, err := password.Hash(newPw)
	if err != nil {
		return &FieldError{Field: "newPassword", Msg: err.Error(), Err: err}
	}
	if err := st.SetAdminPassword(ctx, name, hash); err != nil {
		return err
	}
	if err := st.DeleteAdminSessions(ctx, name, keepSession); err != nil {
		return err
	}
	a.Log.Info("administrator password changed; other sessions ended", "admin", name)
	return nil
}

// ChangeOwnPassword is an administrator changing their own password: the
// current password must be right, then SetAdminPassword.
func (a *App) ChangeOwnPassword(ctx context.Context, name, currentPw, newPw, keepSession string) error {
	if _, err := a.CheckAdmin(ctx, name, currentPw); err != nil {
		if errors.Is(err, ErrWrongPassword) {
			return &FieldError{Field: "currentPassword", Msg: "currentPassword: the current password is wrong", Err: err}
		}
		return err
	}
	return a.SetAdminPassword(ctx, name, newPw, keepSession)
}
