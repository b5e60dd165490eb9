package sqlite

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/usersync/usersync/internal/store"
)

func TestCertificates(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	in := store.Certificate{Connection: "rp", UserID: "Jane@example.test", Form: "ski", Mapping: "X509:<SKI>01", Fingerprint: "ab"}
	c, err := s.PutCertificate(ctx, in)
	if err != nil || c.ID == 0 || c.Status != store.CertActive || c.Owned() {
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
	if err := s.UpdateCertificate(ctx, store.Certificate{ID: 999, Status: store.CertActive}); err == nil {
		t.Fatal("UpdateCertificate of a missing record succeeded")
	}
}
