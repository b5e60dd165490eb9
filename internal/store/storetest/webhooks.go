package storetest

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/usersync/usersync/internal/store"
)

func (r *recorder) CreateWebhook(ctx context.Context, a1 store.Webhook) (store.Webhook, error) {
	r.hit("CreateWebhook")
	return r.Store.CreateWebhook(ctx, a1)
}

func (r *recorder) GetWebhook(ctx context.Context, a1 int64) (store.Webhook, error) {
	r.hit("GetWebhook")
	return r.Store.GetWebhook(ctx, a1)
}

func (r *recorder) ListWebhooks(ctx context.Context) ([]store.Webhook, error) {
	r.hit("ListWebhooks")
	return r.Store.ListWebhooks(ctx)
}

func (r *recorder) DeleteWebhook(ctx context.Context, a1 int64) error {
	r.hit("DeleteWebhook")
	return r.Store.DeleteWebhook(ctx, a1)
}

func (r *recorder) SaveWebhookDelivery(ctx context.Context, a1 store.Webhook) error {
	r.hit("SaveWebhookDelivery")
	return r.Store.SaveWebhookDelivery(ctx, a1)
}

// testWebhooks: subscriptions keep their selection and sealed secret, a
// new one starts after the newest event, a name is unique, the delivery
// state round-trips, and a key rotation re-seals their secrets.
func testWebhooks(t *testing.T, s store.Store) {
	ctx := context.Background()
	twoUsers(t, s)
	last, _ := s.LastEventSeq(ctx)
	w, err := s.CreateWebhook(ctx, store.Webhook{Name: "app", URL: "https://app.example/hook", Kinds: []string{store.EventUserCreated},
		Connections: []string{"corp"}, SealedSecret: "v1:sealed", Position: -1})
	if err != nil {
		t.Fatal(err)
	}
	if w.ID == 0 || w.Position != last || w.SealedSecret != "v1:sealed" || !reflect.DeepEqual(w.Kinds, []string{store.EventUserCreated}) ||
		!reflect.DeepEqual(w.Connections, []string{"corp"}) || w.CreatedAt.IsZero() || w.Dead || !w.NextAttemptAt.IsZero() {
		t.Fatalf("created webhook = %+v, want it after event %d", w, last)
	}
	if _, err := s.CreateWebhook(ctx, store.Webhook{Name: "app", URL: "https://other.example", SealedSecret: "v1:x"}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("a second webhook named app = %v, want ErrConflict", err)
	}
	all, err := s.CreateWebhook(ctx, store.Webhook{Name: "all", URL: "https://all.example", SealedSecret: "v1:y"})
	if err != nil || all.Position != 0 || all.Kinds != nil || all.Connections != nil {
		t.Fatalf("webhook for everything = %+v, %v", all, err)
	}
	at := time.Now().UTC().Truncate(time.Second)
	w.Position, w.Attempts, w.NextAttemptAt, w.LastAttemptAt, w.LastStatus, w.LastError, w.Dead = 7, 3, at.Add(time.Minute), at, 503, "503 Service Unavailable", true
	if err := s.SaveWebhookDelivery(ctx, w); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetWebhook(ctx, w.ID)
	if err != nil || got.Position != 7 || got.Attempts != 3 || !got.NextAttemptAt.Equal(at.Add(time.Minute)) || !got.LastAttemptAt.Equal(at) ||
		got.LastStatus != 503 || got.LastError != w.LastError || !got.Dead || !got.LastDeliveredAt.IsZero() {
		t.Fatalf("saved delivery = %+v, %v", got, err)
	}
	if err := s.SaveWebhookDelivery(ctx, store.Webhook{ID: 999}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("saving an unknown webhook = %v, want ErrNotFound", err)
	}
	{
		var what []string
		err := secretKeys(t, s).Reseal(ctx, "", "fp2", func(v store.Sealed) (string, error) {
			what = append(what, v.What)
			return "v2:" + v.Value, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := s.GetWebhook(ctx, w.ID); got.SealedSecret != "v2:v1:sealed" || !strings.Contains(strings.Join(what, ","), `webhook "app" secret`) {
			t.Fatalf("after a reseal the secret is %q (resealed %v)", got.SealedSecret, what)
		}
	}
	list, err := s.ListWebhooks(ctx)
	if err != nil || len(list) != 2 || list[0].Name != "app" || list[1].Name != "all" {
		t.Fatalf("ListWebhooks = %+v, %v", list, err)
	}
	if err := s.DeleteWebhook(ctx, w.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteWebhook(ctx, w.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("deleting it again = %v, want ErrNotFound", err)
	}
	if _, err := s.GetWebhook(ctx, w.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("GetWebhook(deleted) = %v, want ErrNotFound", err)
	}
}
