package grouprules

import (
	"context"
	"fmt"
	"hash/fnv"
	"strings"

	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/directory"
	"github.com/usersync/usersync/internal/reconcile"
	"github.com/usersync/usersync/internal/store"
)

// Store is what a Phase needs from the store.
type Store interface {
	ListEntities(ctx context.Context, kind string) ([]store.Entity, error)
	ScanIndex(ctx context.Context, conn string, fn func(store.IndexEntry) error) error
	SourceMemberships(ctx context.Context, source string) ([]store.Membership, error)
	SuperUsers(ctx context.Context, conn string) (map[int64]bool, error)
	RuleHoldings(ctx context.Context, conn, source string) ([]store.Holding, error)
	RuleHoldingsOf(ctx context.Context, conn, source string, exts []string) ([]store.Holding, error)
	LookupIndex(ctx context.Context, conn string, exts []string) ([]store.IndexEntry, error)
	ApplyMemberships(ctx context.Context, b store.MembershipBatch) error
}

// completeSearcher is the optional capability of reading large
// multi-valued attributes completely (Active Directory's ranged retrieval);
// ldap.Conn has it.
type completeSearcher interface {
	SearchComplete(ctx context.Context, q directory.Query, fn func(*directory.Entry) error) error
}

// Phase applies a connection's group rules during one run. It is not safe
// for concurrent use: the pipeline calls Observe from its planner only.
type Phase struct {
	st      Store
	dir     directory.Reader
	conn    connection.Connection
	useMOf  bool
	cfg     Config
	g       *Graph
	cat     *Catalog
	ents    []store.Entity
	rules   *Rules
	desired map[string]*userState
	// held names the users (by external id) that hold rule-managed
	// memberships or the super-user flag when the run starts. A user the
	// rules give nothing needs no diff unless it is one of them, so
	// Observe keeps no state for the rest: in a directory where few users
	// are in rule groups, the phase costs almost nothing per user. The
	// value is the user's row id, so that Finish need not scan the index
	// again for users it already knows.
	held map[string]int64
	// have and supers are the rule memberships (entity ids by row id) and
	// super users read by Prepare; Finish diffs against them instead of
	// reading both again, which is safe because only this phase writes
	// them and the run holds its connection's lease. start is set once
	// they are read.
	have   map[int64][]int64
	supers map[int64]bool
	start  bool
	// manual holds, by external id, the manual memberships of the
	// connection's users when the connection overwrites them; nil
	// otherwise.
	manual map[string]manualHeld
	// deferHeld makes Prepare leave the rule state unread until Begin.
	deferHeld bool
	// observedOnly is set for a run that reads only changed entries: no
	// rule state was read, every user observed or seen leaving keeps a
	// state, and Finish reads the rule state of those users alone.
	observedOnly bool
}

// manualHeld is a user's manual memberships, with its userId.
type manualHeld struct {
	userID string
	ms     []store.Membership
}

// userState is what the rules want for one user seen in this run.
type userState struct {
	userID   string
	entities []int64
	super    bool
	warnings []string
	// left is set for a user who left the directory or the scope: the
	// rules give it nothing any more.
	left bool
	// created is set for a user this run creates that has warnings:
	// Finish only reports them.
	created bool
}

var (
	_ reconcile.GroupPhase      = (*Phase)(nil)
	_ reconcile.ModalGroupPhase = (*Phase)(nil)
)

// NewPhase returns the group phase of one run of conn against dir. The
// membership source is the connection's groupMembership; automatic means
// memberOf on Active Directory and the groups' member attribute elsewhere.
func NewPhase(st Store, dir directory.Reader, conn connection.Connection, flavor directory.Flavor) *Phase {
	useMOf := conn.GroupMembership == connection.MembershipMemberOf ||
		(conn.GroupMembership == connection.MembershipAuto && flavor == directory.FlavorActiveDirectory)
	return &Phase{st: st, dir: dir, conn: conn, useMOf: useMOf, desired: map[string]*userState{},
		cfg: Config{DataSource: conn.Name, AdminGroup: conn.AdminGroupName(), Parent: conn.ParentGroup,
			Nested: conn.FollowNestedGroups, StatusRule: conn.GroupStatusRule}}
}

// Prepare loads the application's entities and reads every group under the
// connection's group base in one paged search.
func (p *Phase) Prepare(ctx context.Context) error {
	ents, err := p.st.ListEntities(ctx, "")
	if err != nil {
		return err
	}
	p.ents = ents
	p.cat = NewCatalog(ents)
	p.g = NewGraph()
	if err := p.readGroups(ctx); err != nil {
		return err
	}
	p.rules, err = NewRules(p.cfg, p.cat, p.g)
	if err != nil {
		return err
	}
	if p.deferHeld {
		return nil
	}
	return p.readHeld(ctx)
}

// DeferHeld makes Prepare leave the stored rule state unread until Begin.
func (p *Phase) DeferHeld() { p.deferHeld = true }

// Begin reads the stored rule state for a run that reads every entry. For
// a run that reads only changed entries (changesOnly) it reads nothing:
// only the users that run observes or sees leave can change, and Finish
// reads their state alone. A connection that overwrites manual memberships
// removes them from every user, seen or not, so it always reads it all.
func (p *Phase) Begin(ctx context.Context, changesOnly bool) error {
	p.observedOnly = changesOnly && !p.conn.OverwritesManual()
	if p.observedOnly {
		p.held, p.manual, p.have, p.supers, p.start = nil, nil, nil, nil, false
		return nil
	}
	return p.readHeld(ctx)
}

// holds reports whether the user with this external id may hold rule
// state now, so that Observe and Leave must keep it for Finish to diff.
func (p *Phase) holds(ext string) bool {
	if p.observedOnly {
		return true
	}
	_, held := p.held[ext]
	return held
}

// readObserved reads, for Finish of a run that reads only changed
// entries, the row ids and rule memberships of the users the run observed
// or saw leave, and the connection's super users. It reads after the
// run's user writes: a user the run created is found, one it deleted is
// not. Only this phase writes rule state, and the run holds its
// connection's lease, so that state is still what it was at the start.
func (p *Phase) readObserved(ctx context.Context) (map[string]int64, error) {
	exts := make([]string, 0, len(p.desired))
	for ext := range p.desired {
		exts = append(exts, ext)
	}
	entries, err := p.st.LookupIndex(ctx, p.conn.Name, exts)
	if err != nil {
		return nil, fmt.Errorf("grouprules: look up observed users: %w", err)
	}
	rows := make(map[string]int64, len(entries))
	for _, e := range entries {
		rows[e.ExternalID] = e.ID
	}
	holdings, err := p.st.RuleHoldingsOf(ctx, p.conn.Name, store.RuleSource(p.conn.Name), exts)
	if err != nil {
		return nil, fmt.Errorf("grouprules: rule memberships of observed users: %w", err)
	}
	supers, err := p.st.SuperUsers(ctx, p.conn.Name)
	if err != nil {
		return nil, fmt.Errorf("grouprules: super users: %w", err)
	}
	p.have = make(map[int64][]int64)
	for _, h := range holdings {
		p.have[h.UserRowID] = append(p.have[h.UserRowID], h.EntityID)
	}
	p.supers, p.start = supers, true
	return rows, nil
}

// readHeld finds the users that hold rule-managed state now. Only this
// phase writes that state, and a run holds its connection's lease, so it
// cannot change before Finish.
func (p *Phase) readHeld(ctx context.Context) error {
	p.held, p.manual, p.have, p.supers, p.start = nil, nil, nil, nil, false
	holdings, err := p.st.RuleHoldings(ctx, p.conn.Name, store.RuleSource(p.conn.Name))
	if err != nil {
		return err
	}
	var manual map[int64][]store.Membership
	if p.conn.OverwritesManual() {
		ms, err := p.st.SourceMemberships(ctx, store.SourceManual)
		if err != nil {
			return err
		}
		manual = make(map[int64][]store.Membership)
		for _, m := range ms {
			manual[m.UserRowID] = append(manual[m.UserRowID], m)
		}
	}
	supers, err := p.st.SuperUsers(ctx, p.conn.Name)
	if err != nil {
		return err
	}
	p.have = make(map[int64][]int64)
	p.held = make(map[string]int64)
	for _, h := range holdings {
		p.have[h.UserRowID] = append(p.have[h.UserRowID], h.EntityID)
		p.held[h.ExternalID] = h.UserRowID
	}
	p.supers, p.start = supers, true
	// The external ids of super users without a membership, and of users
	// with manual memberships to overwrite, come from the index; a
	// directory without either needs no scan.
	scan := len(manual) > 0
	for id, super := range supers {
		if super && p.have[id] == nil {
			scan = true
		}
	}
	if !scan {
		return nil
	}
	return p.st.ScanIndex(ctx, p.conn.Name, func(e store.IndexEntry) error {
		if supers[e.ID] {
			p.held[strings.Clone(e.ExternalID)] = e.ID
		}
		if ms, ok := manual[e.ID]; ok {
			if p.manual == nil {
				p.manual = map[string]manualHeld{}
			}
			p.manual[strings.Clone(e.ExternalID)] = manualHeld{userID: strings.Clone(e.UserID), ms: ms}
		}
		return nil
	})
}

func (p *Phase) readGroups(ctx context.Context) error {
	attrs := []string{"cn", "member", "uniqueMember"}
	if p.useMOf {
		attrs = []string{"cn", p.conn.RuleCriteriaAttribute}
	}
	q := directory.Query{BaseDN: p.conn.GroupBase(), Filter: p.conn.GroupFilter(), Attributes: attrs, PageSize: p.conn.PageSize}
	add := func(e *directory.Entry) error {
		gi := p.g.AddGroup(e.DN, e.Get("cn"))
		if p.useMOf {
			p.g.AddMemberOf(e.DN, e.Values(p.conn.RuleCriteriaAttribute))
			return nil
		}
		for _, m := range e.Values("member") {
			p.g.AddMember(gi, m)
		}
		for _, m := range e.Values("uniqueMember") {
			p.g.AddMember(gi, stripUID(m))
		}
		return nil
	}
	var err error
	if cs, ok := p.dir.(completeSearcher); ok && !p.useMOf {
		err = cs.SearchComplete(ctx, q, add)
	} else {
		err = p.dir.Search(ctx, q, add)
	}
	if err != nil {
		return fmt.Errorf("grouprules: read groups under %q: %w", q.BaseDN, err)
	}
	return nil
}

// stripUID drops the optional "#'0101'B" unique identifier of a
// uniqueMember value (RFC 4517 NameAndOptionalUID).
func stripUID(v string) string {
	if i := strings.LastIndexByte(v, '#'); i > 0 && v[i-1] != '\\' {
		return v[:i]
	}
	return v
}

// Fingerprint identifies the rules and the application entities a run
// applies (valid after Prepare): when it changes, every user's memberships
// must be worked out again, so an incremental run is not enough.
func (p *Phase) Fingerprint() string {
	h := fnv.New64a()
	fmt.Fprintf(h, "%v|%+v|%s|%s|%s\x00", p.useMOf, p.cfg, p.conn.GroupBase(), p.conn.GroupFilter(), p.conn.RuleCriteriaAttribute)
	if p.conn.OverwritesManual() {
		h.Write([]byte("manual assignments overwritten\x00"))
	}
	for _, e := range p.ents {
		fmt.Fprintf(h, "%d\x01%s\x01%s\x00", e.ID, e.Kind, e.Name)
	}
	return fmt.Sprintf("%016x", h.Sum64())
}

// Attributes asks for the users' memberOf when memberships come from it.
func (p *Phase) Attributes() []string {
	if p.useMOf {
		return []string{p.conn.RuleCriteriaAttribute}
	}
	return nil
}

// Leave records that a user left the directory or the scope and was
// deactivated: Finish takes away every membership and the super-user flag
// the rules gave, and the manual memberships when the connection
// overwrites them. A user who holds none of these needs nothing.
func (p *Phase) Leave(ext, userID string) {
	if !p.holds(ext) {
		if _, manual := p.manual[ext]; !manual {
			delete(p.desired, ext)
			return
		}
	}
	p.desired[strings.Clone(ext)] = &userState{userID: strings.Clone(userID), left: true}
}

// StatusReason is why the status rule makes a user inactive.
const StatusReason = "in none of the in-scope directory groups (groupStatusRule)"

// Observe resolves one user's groups and remembers what they should hold.
func (p *Phase) Observe(ext, userID string, e *directory.Entry) string {
	var direct []int32
	if p.useMOf {
		vals := e.Values(p.conn.RuleCriteriaAttribute)
		direct = make([]int32, 0, len(vals))
		for _, v := range vals {
			direct = append(direct, p.g.AddGroup(v, ""))
		}
	} else {
		direct = p.g.Direct(e.DN)
	}
	d := p.rules.Resolve(direct)
	switch st := p.desired[ext]; {
	case st != nil && st.created:
		// A second entry with the id of a user this run created (and
		// kept for its warnings): the user keeps what its own entry gave
		// it, and the planner refuses the second entry.
	case len(d.Entities) == 0 && !d.SuperUser && len(d.Warnings) == 0 && !p.holds(ext):
		// Nothing wanted and nothing held: Finish would find no change.
		delete(p.desired, ext) // a second entry with this id replaces the first
	default:
		// Cloned: ext and userID point into the entry's decoded values,
		// which would otherwise stay alive until Finish.
		p.desired[strings.Clone(ext)] = &userState{userID: strings.Clone(userID), entities: d.Entities, super: d.SuperUser, warnings: d.Warnings}
	}
	if p.cfg.StatusRule && !d.InScope {
		return StatusReason
	}
	return ""
}

// Take returns what the rules give the user last observed with this
// external id and forgets the user, so that Finish leaves it alone. Only
// the warnings of a user with warnings are kept, for Finish to report:
// keeping every created user until Finish made a first sync hold and sort
// one entry per user at its end, a third of its peak memory.
func (p *Phase) Take(ext string) reconcile.Grant {
	st := p.desired[ext]
	if st == nil || st.created || st.left {
		return reconcile.Grant{}
	}
	source := store.RuleSource(p.conn.Name)
	g := reconcile.Grant{SuperUser: st.super}
	if len(st.entities) > 0 {
		g.Memberships = make([]store.Membership, 0, len(st.entities))
		g.Changes = make([]store.FieldChange, 0, len(st.entities)+1)
	}
	for _, id := range st.entities {
		e := p.cat.Entity(id)
		g.Memberships = append(g.Memberships, store.Membership{EntityID: id, Source: source})
		g.Changes = append(g.Changes, store.FieldChange{Field: e.Kind, New: e.Name})
	}
	if st.super {
		g.Changes = append(g.Changes, store.FieldChange{Field: "superUser", Old: "false", New: "true"})
	}
	if len(st.warnings) == 0 {
		delete(p.desired, ext)
	} else {
		p.desired[ext] = &userState{userID: st.userID, warnings: st.warnings, created: true}
	}
	return g
}
