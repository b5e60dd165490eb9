package connection

import (
	"encoding/json"
	"errors"
	"testing"
)

// FuzzParse feeds arbitrary documents to the connection parser and its
// validation, the first code that reads what an operator or an API client
// sends: neither may panic, every validation problem names a field, and a
// document that is accepted reads back the same after a round trip.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`{"name":"corp","dnsName":"dc1.example.test","port":636,"security":"ldaps","username":"svc","password":"p","searchPath":"DC=example,DC=test","searchFilter":"(objectClass=user)"}`,
		`{"name":"rp","directoryType":"relyingParty","dnsName":"dc1","port":389,"security":"startTLS","searchPath":"CN=Users,DC=example,DC=test","configureTwo":"{\"schemaVersion\":1}"}`,
		`{"name":"x","mappings":[{"source":"mail","target":"email"}],"scope":{"clauses":[{"attribute":"department","operator":"EQUALS","value":"R&D"}]}}`,
		`{"name":"x","leavePolicy":{"action":"delete"},"deletionGuard":{"maxCount":1,"maxPercent":0.5}}`,
		`{"name":"","port":-1,"security":"bogus","searchFilter":"(("}`,
		`{"unknown":1}`, `[]`, `null`, `{"port":"389"}`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data)
		if err != nil {
			return
		}
		err = c.Validate()
		if err != nil {
			var ve *ValidationError
			if !errors.As(err, &ve) || len(ve.Problems) == 0 {
				t.Fatalf("Validate error %T %v is not a *ValidationError with problems", err, err)
			}
			for _, p := range ve.Problems {
				if p.Field == "" || p.Message == "" {
					t.Fatalf("a problem without a field or a message: %+v", p)
				}
			}
			return
		}
		out, err := json.Marshal(c)
		if err != nil {
			t.Fatalf("marshal an accepted connection: %v", err)
		}
		c2, err := Parse(out)
		if err != nil {
			t.Fatalf("an accepted connection does not parse back: %v\n%s", err, out)
		}
		if err := c2.Validate(); err != nil {
			t.Fatalf("an accepted connection does not validate after a round trip: %v\n%s", err, out)
		}
	})
}
