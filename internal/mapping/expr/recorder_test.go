package expr

import (
	"reflect"
	"testing"
)

func TestRecorderShowsEachAttributeRead(t *testing.T) {
	rec := &Recorder{Attrs: Map{"givenName": {"John"}, "sn": {"Smith"}, "mail": {"a@b", "c@d"}}}
	v, err := MustParse(`IIF(IsPresent([GIVENNAME]), Join(".", [givenName], [sn], [missing]), [mail])`).Eval(rec)
	if err != nil || v.String() != "John.Smith" {
		t.Fatalf("Eval = %#v, %v", v, err)
	}
	want := []Read{{Name: "GIVENNAME", Values: []string{"John"}}, {Name: "sn", Values: []string{"Smith"}}, {Name: "missing", Values: []string{}}}
	if !reflect.DeepEqual(rec.Reads, want) {
		t.Fatalf("Reads = %#v, want %#v (mail is in the branch not taken)", rec.Reads, want)
	}
}
