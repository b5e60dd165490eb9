package connection

import (
	"strings"
	"testing"
)

// A connection's timeoutSeconds bounds each LDAP request; a value outside
// 1..3600 (0 keeps the default) is refused with an error naming the field.
func TestTimeoutSecondsValidation(t *testing.T) {
	for _, tc := range []struct {
		doc     string
		wantErr string
	}{
		{`"timeoutSeconds": 5`, ""},
		{`"timeoutSeconds": 0`, ""},
		{`"timeoutSeconds": -1`, "timeoutSeconds"},
		{`"timeoutSeconds": 3601`, "timeoutSeconds"},
	} {
		c, err := Parse([]byte(`{"name": "x", "dnsName": "h", "searchPath": "dc=x", ` + tc.doc + `}`))
		if err != nil {
			t.Fatalf("%s: %v", tc.doc, err)
		}
		err = c.Validate()
		switch {
		case tc.wantErr == "" && err != nil:
			t.Errorf("%s: %v", tc.doc, err)
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("%s: error %v, want one naming %s", tc.doc, err, tc.wantErr)
		}
	}
}
