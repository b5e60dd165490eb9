package app

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/usersync/usersync/internal/limits"
	"github.com/usersync/usersync/internal/mapping"
	"github.com/usersync/usersync/internal/password"
	"github.com/usersync/usersync/internal/store"
)

// FieldError is bad input in one field: Msg names the field and the cause.
// It is an ErrUsage, and also matches Err (for example store.ErrConflict
// for a name already taken).
type FieldError struct {
	Field string
	Msg   string
	Err   error
}

func (e *FieldError) Error() string { return e.Msg }

func (e *FieldError) Unwrap() []error {
	if e.Err == nil {
		return []error{ErrUsage}
	}
	return []error{ErrUsage, e.Err}
}

func fieldErrorf(field string, format string, args ...any) error {
	return &FieldError{Field: field, Msg: fmt.Sprintf(format, args...)}
}

// LocalUser is the input of AddLocalUser and UpdateLocalUser. Password is
// write-only: only its argon2id hash is stored.
type LocalUser struct {
	UserID      string            `json:"userId"`
	Password    string            `json:"password"`
	Status      string            `json:"status"`
	DisplayName string            `json:"displayName"`
	FirstName   string            `json:"firstName"`
	LastName    string            `json:"lastName"`
	Email       string            `json:"email"`
	Fields      map[string]string `json:"fields"`
}

// localUserStore is what local-user maintenance needs beyond store.Store;
// both store implementations provide it.
type localUserStore interface {
	ListLocalUsers(ctx context.Context) ([]store.User, error)
	UpdateLocalUser(ctx context.Context, u store.User) error
	DeleteLocalUser(ctx context.Context, id int64) error
}

func (a *App) localUserStore() (localUserStore, error) {
	st, ok := a.Store.(localUserStore)
	if !ok {
		return nil, fmt.Errorf("app: the store %T does not maintain local users", a.Store)
	}
	return st, nil
}

// toUser checks the input and builds the user; a password is required
// when requirePassword is set and, when given, must obey the password
// policy.
func (lu LocalUser) toUser(requirePassword bool) (store.User, error) {
	u := store.User{UserID: strings.TrimSpace(lu.UserID), Status: lu.Status, Source: store.SourceLocal, Fields: map[string]string{}}
	if u.UserID == "" {
		return u, fieldErrorf("userId", "userId is required: a local user needs a USERID")
	}
	if err := limits.Name(u.UserID); err != nil {
		return u, fieldErrorf("userId", "userId must be plain text of at most %d bytes: %v", limits.MaxName, err)
	}
	switch u.Status {
	case "":
		u.Status = store.StatusActive
	case store.StatusActive, store.StatusInactive:
	default:
		return u, fieldErrorf("status", "status must be %q or %q, got %q", store.StatusActive, store.StatusInactive, u.Status)
	}
	if lu.Password == "" && requirePassword {
		return u, fieldErrorf("password", "password is required")
	}
	if lu.Password != "" {
		h, err := hashPassword(lu.Password)
		if err != nil {
			return u, err
		}
		u.PasswordHash = h
	}
	for k, v := range lu.Fields {
		// Custom fields are held to the limits a sync applies (no "$$$",
		// bounded length) and stored under their canonical name.
		name, err := mapping.OperatorField(k, v)
		if err != nil {
			return u, &FieldError{Field: "fields." + k, Msg: err.Error(), Err: err}
		}
		u.Fields[name] = v
	}
	for k, v := range map[string]string{store.FieldDisplayName: lu.DisplayName, store.FieldFirstName: lu.FirstName,
		store.FieldLastName: lu.LastName, store.FieldEmail: lu.Email} {
		if v != "" {
			u.Fields[k] = v
		}
	}
	for k, v := range u.Fields {
		if err := limits.Name(k); err != nil || k == "" {
			return u, fieldErrorf("fields", "a field name must be plain text of 1 to %d bytes, got %.40q", limits.MaxName, k)
		}
		if err := limits.FieldValue(v); err != nil {
			return u, fieldErrorf("fields."+k, "the value is %v", err)
		}
	}
	return u, nil
}

// hashPassword applies the password policy and hashes; a refused password
// is a FieldError of the field "password".
func hashPassword(pw string) (string, error) {
	h, err := password.Hash(pw)
	if errors.Is(err, password.ErrTooShort) || errors.Is(err, password.ErrTooLong) || errors.Is(err, password.ErrCommon) {
		return "", &FieldError{Field: "password", Msg: err.Error(), Err: err}
	}
	return h, err
}

// AddLocalUser creates a local user: an account of usersync itself, with
// an argon2id password hash, that sync never modifies. A directory user
// with the same userId stays a separate account: sync reports the conflict
// instead of merging. A userId already taken by a local user (compared
// ignoring case) is a FieldError matching store.ErrConflict.
func (a *App) AddLocalUser(ctx context.Context, lu LocalUser) (_ store.User, err error) {
	defer func() { a.auditIf(ctx, err, AuditLocalUserCreate, "local user "+lu.UserID, "") }()
	u, err := lu.toUser(true)
	if err != nil {
		return u, err
	}
	id, err := a.Store.CreateLocalUser(ctx, u)
	var held *store.HeldError
	if errors.As(err, &held) {
		return u, &FieldError{Field: "userId", Msg: fmt.Sprintf("userId: %v", held), Err: err}
	}
	if errors.Is(err, store.ErrConflict) {
		return u, &FieldError{Field: "userId", Msg: fmt.Sprintf("userId: a local user %q already exists", u.UserID), Err: err}
	}
	if err != nil {
		return u, err
	}
	a.Log.Info("local user added", "userId", u.UserID, "id", id)
	return a.Store.GetUser(ctx, id)
}

// LocalUser returns a local user; a directory user is store.ErrNotFound,
// since it belongs to its connection.
func (a *App) LocalUser(ctx context.Context, id int64) (store.User, error) {
	u, err := a.Store.GetUser(ctx, id)
	if err != nil {
		return u, err
	}
	if u.Source != store.SourceLocal {
		return u, fmt.Errorf("user %d is a directory user, not a local one: %w", id, store.ErrNotFound)
	}
	return u, nil
}

// ListLocalUsers returns every local user, by userId.
func (a *App) ListLocalUsers(ctx context.Context) ([]store.User, error) {
	st, err := a.localUserStore()
	if err != nil {
		return nil, err
	}
	users, err := st.ListLocalUsers(ctx)
	if users == nil {
		users = []store.User{}
	}
	return users, err
}

// UpdateLocalUser replaces a local user's userId, status and fields; an
// empty password keeps the current one.
func (a *App) UpdateLocalUser(ctx context.Context, id int64, lu LocalUser) (_ store.User, err error) {
	defer func() { a.auditIf(ctx, err, AuditLocalUserUpdate, fmt.Sprintf("local user %d", id), "") }()
	st, err := a.localUserStore()
	if err != nil {
		return store.User{}, err
	}
	if _, err := a.LocalUser(ctx, id); err != nil {
		return store.User{}, err
	}
	u, err := lu.toUser(false)
	if err != nil {
		return u, err
	}
	u.ID = id
	if err := st.UpdateLocalUser(ctx, u); err != nil {
		var held *store.HeldError
		if errors.As(err, &held) {
			return u, &FieldError{Field: "userId", Msg: fmt.Sprintf("userId: %v", held), Err: err}
		}
		if errors.Is(err, store.ErrConflict) {
			return u, &FieldError{Field: "userId", Msg: fmt.Sprintf("userId: a local user %q already exists", u.UserID), Err: err}
		}
		return u, err
	}
	return a.Store.GetUser(ctx, id)
}

// SetLocalUserPassword gives a local user a new password, which must obey
// the password policy.
func (a *App) SetLocalUserPassword(ctx context.Context, id int64, pw string) (err error) {
	defer func() { a.auditIf(ctx, err, AuditLocalUserPasswd, fmt.Sprintf("local user %d", id), "") }()
	st, err := a.localUserStore()
	if err != nil {
		return err
	}
	u, err := a.LocalUser(ctx, id)
	if err != nil {
		return err
	}
	if u.PasswordHash, err = hashPassword(pw); err != nil {
		var fe *FieldError
		if errors.As(err, &fe) {
			fe.Field = "newPassword"
		}
		return err
	}
	if err := st.UpdateLocalUser(ctx, u); err != nil {
		return err
	}
	a.Log.Info("local user password set", "userId", u.UserID, "id", id)
	return nil
}

// DeleteLocalUser removes a local user; a directory user is
// store.ErrNotFound.
func (a *App) DeleteLocalUser(ctx context.Context, id int64) (err error) {
	defer func() { a.auditIf(ctx, err, AuditLocalUserDelete, fmt.Sprintf("local user %d", id), "") }()
	st, err := a.localUserStore()
	if err != nil {
		return err
	}
	if _, err := a.LocalUser(ctx, id); err != nil {
		return err
	}
	return st.DeleteLocalUser(ctx, id)
}

// upgradeLocalHash replaces a local user's password hash in an older
// format (bcrypt) by the current one, after pw verified against it.
func (a *App) upgradeLocalHash(ctx context.Context, u store.User, pw string) {
	if !password.NeedsRehash(u.PasswordHash) {
		return
	}
	st, err := a.localUserStore()
	if err != nil {
		return
	}
	h, err := password.Rehash(pw)
	if err != nil {
		a.Log.Warn("re-hashing a local user's password failed", "userId", u.UserID, "err", err)
		return
	}
	u.PasswordHash = h
	if err := st.UpdateLocalUser(ctx, u); err != nil {
		a.Log.Warn("re-hashing a local user's password failed", "userId", u.UserID, "err", err)
	}
}
