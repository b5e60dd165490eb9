package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/usersync/usersync/internal/connection"
)

// EntraPoll says whether a connection reads Entra ID, and how often its
// live mode asks Graph for changes.
func (a *App) EntraPoll(ctx context.Context, name string) (bool, time.Duration, error) {
	c, _, err := a.Store.GetConnection(ctx, name)
	if err != nil {
		return false, 0, err
	}
	if c.SystemType != connection.SystemEntra {
		return false, 0, nil
	}
	secs := max(c.PollSeconds, connection.MinEntraPollSeconds)
	return true, time.Duration(secs) * time.Second, nil
}

// EntraChanged says whether an Entra connection's directory changed since
// its saved change token, without using the token up; with no token saved
// it says true, so that the first run happens.
func (a *App) EntraChanged(ctx context.Context, name string) (bool, error) {
	c, err := a.connectionWithSecret(ctx, name)
	if err != nil {
		return false, err
	}
	saved, err := a.Store.ChangeToken(ctx, name)
	if err != nil {
		return false, err
	}
	_, tok, ok := strings.Cut(saved, " ") // the token's scope is checked by the run
	if !ok || tok == "" {
		return true, nil
	}
	r, err := openEntra(c, nil)
	if err != nil {
		return false, err
	}
	changed, err := r.Changed(ctx, tok)
	if err != nil {
		return false, fmt.Errorf("connection %q: %w", name, err)
	}
	return changed, nil
}
