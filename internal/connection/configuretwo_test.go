package connection

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/usersync/usersync/internal/upn"
)

// TestUPNSettingsErrorsNameTheField: a configureTwo document that does not
// parse is a *ValidationError whose problems name the field under
// "configureTwo.", and the message says "configureTwo" once per problem, so
// that callers add only their own context.
func TestUPNSettingsErrorsNameTheField(t *testing.T) {
	tests := []struct {
		name, doc string
		fields    []string
	}{
		{"unknown value", `{"schemaVersion":1,"syncUpnToAdAttribute":{"onWriteFailure":"explode"}}`,
			[]string{"configureTwo.syncUpnToAdAttribute.onWriteFailure"}},
		{"not JSON", `{"schemaVersion":`, []string{"configureTwo"}},
		{"injected key", `{"schemaVersion":1,"syncUpnToAdAttribute":{"enabled":true,"targetAttribute":"cn=x)(uid=*"}}`,
			[]string{"configureTwo.syncUpnToAdAttribute.targetAttribute"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Connection{Name: "rp", ConfigureTwo: tt.doc}.UPNSettings()
			var ve *ValidationError
			if !errors.As(err, &ve) || !errors.Is(err, ErrInvalid) {
				t.Fatalf("UPNSettings() = %v (%T), want a *ValidationError", err, err)
			}
			var got []string
			for _, p := range ve.Problems {
				got = append(got, p.Field)
			}
			if strings.Join(got, ",") != strings.Join(tt.fields, ",") {
				t.Errorf("fields = %q, want %q", got, tt.fields)
			}
			if n := strings.Count(err.Error(), "configureTwo"); n != len(ve.Problems) {
				t.Errorf("message %q says configureTwo %d times, want %d", err, n, len(ve.Problems))
			}
		})
	}
	if cfg, err := (Connection{}).UPNSettings(); err != nil || !reflect.DeepEqual(cfg, upn.Default()) {
		t.Errorf("empty document = %+v, %v; want the defaults", cfg, err)
	}
}
