package main

import ldapv3 "github.com/go-ldap/ldap/v3"

// ldapModify removes member from group; ldapAdd adds it.
func ldapModify(group, member string) *ldapv3.ModifyRequest {
	m := ldapv3.NewModifyRequest(group, nil)
	m.Delete("member", []string{member})
	return m
}

func ldapAdd(group, member string) *ldapv3.ModifyRequest {
	m := ldapv3.NewModifyRequest(group, nil)
	m.Add("member", []string{member})
	return m
}

func ldapReplace(dn, attr, value string) *ldapv3.ModifyRequest {
	m := ldapv3.NewModifyRequest(dn, nil)
	m.Replace(attr, []string{value})
	return m
}
