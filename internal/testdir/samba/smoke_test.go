package samba

import "testing"

func TestSmoke(t *testing.T) {
	dc := Start(t)
	t.Logf("host %s timings %+v dir %s", dc.Host, dc.Timings, dc.Dir)
	dns := dc.AddUsers(t, 200, func(i int) UserSpec { return GeneratedUser(i + 1) })
	t.Log(dns[0])
}
