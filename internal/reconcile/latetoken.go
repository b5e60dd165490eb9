package reconcile

import "github.com/usersync/usersync/internal/directory"

// settleToken takes the change token a directory gives only after a
// complete read (directory.TokenAfterRead), just before the run's last
// batch saves it. Without one, the run saves no token.
func (p *planner) settleToken() {
	lt, ok := p.j.Dir.(directory.TokenAfterRead)
	if !ok || p.j.token == nil {
		return
	}
	tok, ok := lt.TokenAfterRead()
	if !ok {
		p.j.token = nil
		return
	}
	t := wrapToken(p.j, tok)
	p.j.token = &t
}
