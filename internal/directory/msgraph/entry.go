package msgraph

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/usersync/usersync/internal/directory"
)

// aliases are the names Entra's attribute mappings give Graph properties,
// so that mappings written for Entra's provisioning read the same values.
var aliases = map[string]string{
	"objectid":                 "id",
	"telephonenumber":          "businessphones",
	"mobile":                   "mobilephone",
	"facsimiletelephonenumber": "faxnumber",
}

// graphName turns a mapped attribute into the Graph property to $select:
// an alias becomes its property, a nested extension attribute its parent.
// ok is false for names that are not Graph properties at all.
func graphName(attr string) (string, bool) {
	l := strings.ToLower(attr)
	if p, ok := aliases[l]; ok {
		return canonical[p], true
	}
	if parent, _, ok := strings.Cut(attr, "."); ok {
		return parent, true
	}
	switch l {
	case "memberof", "distinguishedname", "dn", "":
		return "", false
	}
	if c, ok := canonical[l]; ok {
		return c, true
	}
	return attr, true
}

// canonical spells the properties usersync itself asks for as Graph does.
var canonical = map[string]string{
	"id": "id", "businessphones": "businessPhones", "mobilephone": "mobilePhone", "faxnumber": "faxNumber",
	"userprincipalname": "userPrincipalName", "accountenabled": "accountEnabled", "usertype": "userType",
	"displayname": "displayName", "givenname": "givenName", "surname": "surname", "mail": "mail",
	"jobtitle": "jobTitle", "department": "department", "officelocation": "officeLocation",
	"preferredlanguage": "preferredLanguage", "employeeid": "employeeId", "city": "city", "state": "state",
	"country": "country", "postalcode": "postalCode", "streetaddress": "streetAddress",
	"onpremisesextensionattributes": "onPremisesExtensionAttributes", "companyname": "companyName",
	"manager": "manager",
}

// object is one decoded delta object.
type object struct {
	id      string
	removed string // the @removed reason, "" when the object is present
	entry   *directory.Entry
	members []member // members@delta, for groups
	// managerID is the manager's id from manager@delta; managerKnown says
	// the object carried manager@delta at all (Graph leaves it out of an
	// incremental object whose manager did not change).
	managerID    string
	managerKnown bool
}

type member struct {
	id      string
	typ     string // "#microsoft.graph.user", "#microsoft.graph.group"
	removed bool
}

// decode turns one JSON object of a delta page into an entry: every
// property lower-cased, arrays as several values, a nested object's
// properties as parent.child, and the Entra mapping aliases.
func decode(raw json.RawMessage) (object, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return object{}, fmt.Errorf("graph: an object in a delta page is not a JSON object: %w", err)
	}
	var o object
	if err := json.Unmarshal(m["id"], &o.id); err != nil || o.id == "" {
		return object{}, fmt.Errorf("graph: an object in a delta page has no id")
	}
	if rm, ok := m["@removed"]; ok {
		var r struct {
			Reason string `json:"reason"`
		}
		_ = json.Unmarshal(rm, &r)
		o.removed = r.Reason
		if o.removed == "" {
			o.removed = "deleted"
		}
	}
	e := &directory.Entry{DN: o.id, Attrs: make(map[string][]string, len(m)+4)}
	for k, v := range m {
		switch {
		case k == "members@delta":
			var ms []struct {
				Type    string          `json:"@odata.type"`
				ID      string          `json:"id"`
				Removed json.RawMessage `json:"@removed"`
			}
			if err := json.Unmarshal(v, &ms); err != nil {
				return object{}, fmt.Errorf("graph: members@delta of %s: %w", o.id, err)
			}
			for _, x := range ms {
				o.members = append(o.members, member{id: x.ID, typ: x.Type, removed: len(x.Removed) > 0 && string(x.Removed) != "null"})
			}
		case k == "manager@delta":
			var ms []struct {
				ID      string          `json:"id"`
				Removed json.RawMessage `json:"@removed"`
			}
			if err := json.Unmarshal(v, &ms); err == nil {
				o.managerKnown = true
				for _, x := range ms {
					if len(x.Removed) == 0 || string(x.Removed) == "null" {
						o.managerID = x.ID
					}
				}
			}
		case strings.HasPrefix(k, "@") || strings.Contains(k, "@odata."):
		default:
			addValue(e.Attrs, strings.ToLower(k), v)
		}
	}
	for alias, prop := range aliases {
		if v, ok := e.Attrs[prop]; ok {
			e.Attrs[alias] = v[:min(len(v), 1)]
		}
	}
	o.entry = e
	return o, nil
}

func addValue(attrs map[string][]string, name string, v json.RawMessage) {
	v = bytes.TrimSpace(v)
	if len(v) == 0 {
		return
	}
	switch v[0] {
	case 'n': // null: absent
	case '"':
		var s string
		if json.Unmarshal(v, &s) == nil && s != "" {
			attrs[name] = append(attrs[name], s)
		}
	case '[':
		var arr []json.RawMessage
		if json.Unmarshal(v, &arr) == nil {
			for _, x := range arr {
				addValue(attrs, name, x)
			}
		}
	case '{':
		var obj map[string]json.RawMessage
		if json.Unmarshal(v, &obj) == nil {
			for k, x := range obj {
				if !strings.HasPrefix(k, "@") {
					addValue(attrs, name+"."+strings.ToLower(k), x)
				}
			}
		}
	default: // true, false, numbers
		attrs[name] = append(attrs[name], string(v))
	}
}
