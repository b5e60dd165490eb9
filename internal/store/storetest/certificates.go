package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/usersync/usersync/internal/store"
)

// testCertificates covers the certificates relying-party runs record.
func testCertificates(t *testing.T, s store.Store) {
	ctx := context.Background()
	in := store.Certificate{Connection: "rp", UserID: "Jane@example.test", Form: "ski", Mapping: "X509:<SKI>01", Fingerprint: "ab",
		NotAfter: time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC)}
	c, err := s.PutCertificate(ctx, in)
	if err != nil || c.ID == 0 || c.Status != store.CertActive || c.Owned() || !c.NotAfter.Equal(in.NotAfter) {
		t.Fatalf("PutCertificate = %+v, %v", c, err)
	}
	c.WrittenDN = "CN=Jane,DC=example,DC=test"
	now := time.Now()
	c.Status, c.RevokedAt = store.CertRevoked, &now
	if err := s.UpdateCertificate(ctx, c); err != nil {
		t.Fatal(err)
	}
	// Enrolling again (userId in another case) reactivates the same record
	// and keeps what usersync owns.
	in.UserID = "jane@EXAMPLE.test"
	again, err := s.PutCertificate(ctx, in)
	if err != nil || again.ID != c.ID || again.Status != store.CertActive || again.RevokedAt != nil || again.WrittenDN != c.WrittenDN {
		t.Fatalf("second PutCertificate = %+v, %v; want record %d active, written to %s", again, err, c.ID, c.WrittenDN)
	}
	got, err := s.ListCertificates(ctx, store.CertificateQuery{Connection: "rp", UserID: "JANE@example.test", Status: store.CertActive})
	if err != nil || len(got) != 1 {
		t.Fatalf("ListCertificates = %v, %v", got, err)
	}
	if err := s.UpdateCertificate(ctx, store.Certificate{ID: 999, Status: store.CertActive}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("UpdateCertificate(missing) = %v, want ErrNotFound", err)
	}
}
