// Package webhook delivers the change feed to subscribers: subscriptions,
// signing, and the deliverer that POSTs batches of events in order, with
// retries, backoff and a dead letter.
//
// # Signatures
//
// Every delivery carries the header
//
//	Usersync-Signature: t=1767225600,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd
//
// where t is the Unix time of the attempt in seconds and v1 the lower-case
// hex HMAC-SHA256, under the subscription's secret, of t, a full stop and
// the raw request body ("1767225600.{...}"). A receiver recomputes it over
// the body exactly as received, compares in constant time, and refuses a t
// further than its replay window (five minutes is the default of Verify)
// from its own clock, so that a captured delivery cannot be replayed
// later. A header may carry several v1 values (while a secret is being
// replaced); one match is enough.
package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// SignatureHeader is the header that carries a delivery's signature.
const SignatureHeader = "Usersync-Signature"

// DefaultReplayWindow is how far from the receiver's clock a signature's
// time may be.
const DefaultReplayWindow = 5 * time.Minute

// Verification failures, for errors.Is.
var (
	ErrMalformedSignature = errors.New("malformed signature header")
	ErrSignatureMismatch  = errors.New("signature does not match the body")
	ErrSignatureExpired   = errors.New("signature time outside the replay window")
)

// Sign returns the Usersync-Signature value of body sent at t.
func Sign(secret []byte, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac(secret, ts, body))
}

func mac(secret []byte, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// Verify checks a Usersync-Signature header against the body as received:
// the MAC must match under secret and the time must be within window of
// now (window <= 0 means DefaultReplayWindow). Receivers should use it, or
// do exactly what it does, before trusting a delivery.
func Verify(secret []byte, header string, body []byte, now time.Time, window time.Duration) error {
	if window <= 0 {
		window = DefaultReplayWindow
	}
	var ts string
	var sigs [][]byte
	for _, part := range strings.Split(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return fmt.Errorf("webhook: %w: %q has no '='", ErrMalformedSignature, part)
		}
		switch k {
		case "t":
			ts = v
		case "v1":
			b, err := hex.DecodeString(v)
			if err != nil || len(b) != sha256.Size {
				return fmt.Errorf("webhook: %w: v1 is not a hex HMAC-SHA256", ErrMalformedSignature)
			}
			sigs = append(sigs, b)
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("webhook: %w: t is not a Unix time", ErrMalformedSignature)
	}
	if len(sigs) == 0 {
		return fmt.Errorf("webhook: %w: no v1 signature", ErrMalformedSignature)
	}
	if d := now.Sub(time.Unix(sec, 0)); d > window || d < -window {
		return fmt.Errorf("webhook: %w: signed %s from now", ErrSignatureExpired, d.Round(time.Second))
	}
	want := mac(secret, ts, body)
	for _, s := range sigs {
		if hmac.Equal(s, want) {
			return nil
		}
	}
	return fmt.Errorf("webhook: %w", ErrSignatureMismatch)
}
