package graph

// Quirks are documented behaviours of delta that Graph shows only now and
// then, which a test can ask for so that a client is tested against them.
type Quirks struct {
	// Replays makes every deltaLink of an incremental round cover only
	// what the round started from, so that the next round returns the
	// same changes again, plus new ones (delta-query-overview.md,
	// replays: the same change may appear in later responses).
	Replays bool
	// Duplicates returns each changed user twice in an incremental round
	// (delta-query-overview.md: an entity may be in a response several
	// times).
	Duplicates bool
	// RemovedInInitial puts deleted users and groups, with @removed, in
	// the initial round too (delta-query-overview.md: @removed may come in
	// the initial response).
	RemovedInInitial bool
	// Shuffle serves a round's objects in random order, the parts of a
	// large group's members among other groups (delta-query-groups.md:
	// assume no order; the same group may show up anywhere in the
	// nextLink sequence).
	Shuffle bool
}

// SetQuirks turns quirks on or off for the rounds that start after.
func (s *Server) SetQuirks(q Quirks) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.quirks = q
}
