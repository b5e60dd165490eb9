package storetest

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/usersync/usersync/internal/store"
)

// secretKeys returns the store under test as a store.SecretKeys.
func secretKeys(t *testing.T, s store.Store) store.SecretKeys {
	t.Helper()
	if r, ok := s.(*recorder); ok {
		s = r.Store
	}
	k, ok := s.(store.SecretKeys)
	if !ok {
		t.Fatalf("%T does not record a secret key fingerprint (store.SecretKeys)", s)
	}
	return k
}

// testSecretKeys: the store records the fingerprint of the key its values
// are sealed with; re-sealing replaces every sealed value and the
// fingerprint in one transaction, only when the recorded fingerprint is the
// one expected, and changes nothing when one value cannot be re-sealed.
func testSecretKeys(t *testing.T, s store.Store) {
	ctx := context.Background()
	k := secretKeys(t, s)
	if fp, err := k.KeyFingerprint(ctx); err != nil || fp != "" {
		t.Fatalf("fresh store: fingerprint %q, %v; want none", fp, err)
	}
	for name, sealed := range map[string]string{"a": "v1:A", "b": "v1:B", "nopw": ""} {
		if err := s.PutConnection(ctx, conn(name), sealed); err != nil {
			t.Fatal(err)
		}
	}
	sealedOf := func(name string) string {
		t.Helper()
		_, v, err := s.GetConnection(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	var seen []string
	if err := k.Reseal(ctx, "", "fp1", func(v store.Sealed) (string, error) {
		seen = append(seen, v.What+"="+v.Value)
		return v.Value, nil
	}); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(seen, ","); got != `connection "a" password=v1:A,connection "b" password=v1:B` {
		t.Fatalf("Reseal visited %s; want the two sealed passwords, not the empty one", got)
	}
	if fp, _ := k.KeyFingerprint(ctx); fp != "fp1" {
		t.Fatalf("fingerprint after the first Reseal = %q, want fp1", fp)
	}
	// A second process that also saw no fingerprint must not record its own.
	if err := k.Reseal(ctx, "", "other", func(v store.Sealed) (string, error) { return v.Value, nil }); !errors.Is(err, store.ErrKeyChanged) {
		t.Fatalf("Reseal expecting no fingerprint over fp1 = %v, want ErrKeyChanged", err)
	}
	// One value that cannot be re-sealed rolls back all of them.
	boom := errors.New("cannot open")
	err := k.Reseal(ctx, "fp1", "fp2", func(v store.Sealed) (string, error) {
		if v.Value == "v1:B" {
			return "", boom
		}
		return "v2:" + v.Value, nil
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Reseal with a failing value = %v, want its error", err)
	}
	if fp, _ := k.KeyFingerprint(ctx); fp != "fp1" || sealedOf("a") != "v1:A" || sealedOf("b") != "v1:B" {
		t.Fatalf("a failed Reseal changed the store: fingerprint %q, a %q, b %q", fp, sealedOf("a"), sealedOf("b"))
	}
	if err := k.Reseal(ctx, "fp1", "fp2", func(v store.Sealed) (string, error) { return "v2:" + v.Value, nil }); err != nil {
		t.Fatal(err)
	}
	if fp, _ := k.KeyFingerprint(ctx); fp != "fp2" || sealedOf("a") != "v2:v1:A" || sealedOf("b") != "v2:v1:B" || sealedOf("nopw") != "" {
		t.Fatalf("after Reseal: fingerprint %q, a %q, b %q, nopw %q", fp, sealedOf("a"), sealedOf("b"), sealedOf("nopw"))
	}
}
