package storetest

import (
	"context"
	"reflect"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/store"
)

// recorder passes every call through to a store and notes the method's
// name, so that the suite can prove it calls every method of store.Store.
// A method added to the interface but not here is forwarded by the
// embedded store without being noted, and the suite then reports it.
type recorder struct {
	store.Store
	seen *calls
}

// calls is the set of method names the suite called.
type calls struct {
	mu    sync.Mutex
	names map[string]bool
}

func (c *calls) add(name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.names[name] = true
}

// missing returns the methods of store.Store that were never called.
func (c *calls) missing() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	t := reflect.TypeFor[store.Store]()
	for i := range t.NumMethod() {
		if name := t.Method(i).Name; !c.names[name] {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

func (r *recorder) hit(name string) { r.seen.add(name) }

// checkEveryMethod fails t when a method of store.Store was not called.
func checkEveryMethod(t *testing.T, c *calls) {
	t.Helper()
	if m := c.missing(); len(m) > 0 {
		t.Errorf("the conformance suite never calls %v: every store method needs a test in package storetest", m)
	}
}

func (r *recorder) APITokenByHash(ctx context.Context, a1 string) (store.APIToken, error) {
	r.hit("APITokenByHash")
	return r.Store.APITokenByHash(ctx, a1)
}

func (r *recorder) AcquireLease(ctx context.Context, a1 string, a2 string, a3 time.Duration) (store.Lease, error) {
	r.hit("AcquireLease")
	return r.Store.AcquireLease(ctx, a1, a2, a3)
}

func (r *recorder) AddMembership(ctx context.Context, a1 int64, a2 string, a3 string, a4 string) error {
	r.hit("AddMembership")
	return r.Store.AddMembership(ctx, a1, a2, a3, a4)
}

func (r *recorder) Apply(ctx context.Context, a1 store.Batch) error {
	r.hit("Apply")
	return r.Store.Apply(ctx, a1)
}

func (r *recorder) ApplyMemberships(ctx context.Context, a1 store.MembershipBatch) error {
	r.hit("ApplyMemberships")
	return r.Store.ApplyMemberships(ctx, a1)
}

func (r *recorder) ChangeToken(ctx context.Context, a1 string) (string, error) {
	r.hit("ChangeToken")
	return r.Store.ChangeToken(ctx, a1)
}

func (r *recorder) ClaimFiring(ctx context.Context, a1 string, a2 time.Time) (bool, error) {
	r.hit("ClaimFiring")
	return r.Store.ClaimFiring(ctx, a1, a2)
}

func (r *recorder) ClearChangeToken(ctx context.Context, a1 string) error {
	r.hit("ClearChangeToken")
	return r.Store.ClearChangeToken(ctx, a1)
}

func (r *recorder) Close() error {
	r.hit("Close")
	return r.Store.Close()
}

func (r *recorder) CountAdmins(ctx context.Context) (int, error) {
	r.hit("CountAdmins")
	return r.Store.CountAdmins(ctx)
}

func (r *recorder) CountUsers(ctx context.Context, a1 string) (int, error) {
	r.hit("CountUsers")
	return r.Store.CountUsers(ctx, a1)
}

func (r *recorder) CreateAPIToken(ctx context.Context, a1 store.APIToken) (int64, error) {
	r.hit("CreateAPIToken")
	return r.Store.CreateAPIToken(ctx, a1)
}

func (r *recorder) CreateAdmin(ctx context.Context, a1 store.Admin) error {
	r.hit("CreateAdmin")
	return r.Store.CreateAdmin(ctx, a1)
}

func (r *recorder) CreateEntity(ctx context.Context, a1 string, a2 string) (store.Entity, error) {
	r.hit("CreateEntity")
	return r.Store.CreateEntity(ctx, a1, a2)
}

func (r *recorder) CreateLocalUser(ctx context.Context, a1 store.User) (int64, error) {
	r.hit("CreateLocalUser")
	return r.Store.CreateLocalUser(ctx, a1)
}

func (r *recorder) CreateRun(ctx context.Context, a1 store.Run) (int64, error) {
	r.hit("CreateRun")
	return r.Store.CreateRun(ctx, a1)
}

func (r *recorder) CreateSession(ctx context.Context, a1 store.Session) error {
	r.hit("CreateSession")
	return r.Store.CreateSession(ctx, a1)
}

func (r *recorder) DeleteAPIToken(ctx context.Context, a1 int64) error {
	r.hit("DeleteAPIToken")
	return r.Store.DeleteAPIToken(ctx, a1)
}

func (r *recorder) DeleteConnection(ctx context.Context, a1 string) error {
	r.hit("DeleteConnection")
	return r.Store.DeleteConnection(ctx, a1)
}

func (r *recorder) DeleteEntity(ctx context.Context, a1 string, a2 string) error {
	r.hit("DeleteEntity")
	return r.Store.DeleteEntity(ctx, a1, a2)
}

func (r *recorder) DeleteLocalUser(ctx context.Context, a1 int64) error {
	r.hit("DeleteLocalUser")
	return r.Store.DeleteLocalUser(ctx, a1)
}

func (r *recorder) DeleteSession(ctx context.Context, a1 string) error {
	r.hit("DeleteSession")
	return r.Store.DeleteSession(ctx, a1)
}

func (r *recorder) FailOrphanedRuns(ctx context.Context, a1 string, a2 string, a3 string) (int, error) {
	r.hit("FailOrphanedRuns")
	return r.Store.FailOrphanedRuns(ctx, a1, a2, a3)
}

func (r *recorder) FailRunning(ctx context.Context, a1 string) (int, error) {
	r.hit("FailRunning")
	return r.Store.FailRunning(ctx, a1)
}

func (r *recorder) FindOutcomes(ctx context.Context, a1 string, a2 string, a3 int) ([]store.Outcome, error) {
	r.hit("FindOutcomes")
	return r.Store.FindOutcomes(ctx, a1, a2, a3)
}

func (r *recorder) FindUsers(ctx context.Context, a1 string) ([]store.User, error) {
	r.hit("FindUsers")
	return r.Store.FindUsers(ctx, a1)
}

func (r *recorder) GetAdmin(ctx context.Context, a1 string) (store.Admin, error) {
	r.hit("GetAdmin")
	return r.Store.GetAdmin(ctx, a1)
}

func (r *recorder) GetConnection(ctx context.Context, a1 string) (connection.Connection, string, error) {
	r.hit("GetConnection")
	return r.Store.GetConnection(ctx, a1)
}

func (r *recorder) GetLease(ctx context.Context, a1 string) (store.Lease, error) {
	r.hit("GetLease")
	return r.Store.GetLease(ctx, a1)
}

func (r *recorder) GetRun(ctx context.Context, a1 int64) (store.Run, error) {
	r.hit("GetRun")
	return r.Store.GetRun(ctx, a1)
}

func (r *recorder) GetScheduleState(ctx context.Context, a1 string) (store.ScheduleState, error) {
	r.hit("GetScheduleState")
	return r.Store.GetScheduleState(ctx, a1)
}

func (r *recorder) GetSession(ctx context.Context, a1 string) (store.Session, error) {
	r.hit("GetSession")
	return r.Store.GetSession(ctx, a1)
}

func (r *recorder) GetUser(ctx context.Context, a1 int64) (store.User, error) {
	r.hit("GetUser")
	return r.Store.GetUser(ctx, a1)
}

func (r *recorder) GetUsers(ctx context.Context, a1 []int64) ([]store.User, error) {
	r.hit("GetUsers")
	return r.Store.GetUsers(ctx, a1)
}

func (r *recorder) LastOutcome(ctx context.Context, a1 store.User) (store.Outcome, error) {
	r.hit("LastOutcome")
	return r.Store.LastOutcome(ctx, a1)
}

func (r *recorder) ListAPITokens(ctx context.Context) ([]store.APIToken, error) {
	r.hit("ListAPITokens")
	return r.Store.ListAPITokens(ctx)
}

func (r *recorder) ListCertificates(ctx context.Context, a1 store.CertificateQuery) ([]store.Certificate, error) {
	r.hit("ListCertificates")
	return r.Store.ListCertificates(ctx, a1)
}

func (r *recorder) ListConnections(ctx context.Context) ([]connection.Connection, error) {
	r.hit("ListConnections")
	return r.Store.ListConnections(ctx)
}

func (r *recorder) ListEntities(ctx context.Context, a1 string) ([]store.Entity, error) {
	r.hit("ListEntities")
	return r.Store.ListEntities(ctx, a1)
}

func (r *recorder) ListLocalUsers(ctx context.Context) ([]store.User, error) {
	r.hit("ListLocalUsers")
	return r.Store.ListLocalUsers(ctx)
}

func (r *recorder) ListOutcomes(ctx context.Context, a1 int64, a2 store.OutcomeQuery) ([]store.Outcome, error) {
	r.hit("ListOutcomes")
	return r.Store.ListOutcomes(ctx, a1, a2)
}

func (r *recorder) ListRuns(ctx context.Context, a1 store.RunQuery) ([]store.Run, error) {
	r.hit("ListRuns")
	return r.Store.ListRuns(ctx, a1)
}

func (r *recorder) ListUsers(ctx context.Context, a1 store.UserQuery) ([]store.User, error) {
	r.hit("ListUsers")
	return r.Store.ListUsers(ctx, a1)
}

func (r *recorder) LocalUserIDs(ctx context.Context) (map[string]bool, error) {
	r.hit("LocalUserIDs")
	return r.Store.LocalUserIDs(ctx)
}

func (r *recorder) PruneRuns(ctx context.Context, a1 time.Time) (int, error) {
	r.hit("PruneRuns")
	return r.Store.PruneRuns(ctx, a1)
}

func (r *recorder) PutCertificate(ctx context.Context, a1 store.Certificate) (store.Certificate, error) {
	r.hit("PutCertificate")
	return r.Store.PutCertificate(ctx, a1)
}

func (r *recorder) PutConnection(ctx context.Context, a1 connection.Connection, a2 string) error {
	r.hit("PutConnection")
	return r.Store.PutConnection(ctx, a1, a2)
}

func (r *recorder) ReleaseLease(ctx context.Context, a1 string, a2 string) error {
	r.hit("ReleaseLease")
	return r.Store.ReleaseLease(ctx, a1, a2)
}

func (r *recorder) RemoveMembership(ctx context.Context, a1 int64, a2 string, a3 string, a4 string) error {
	r.hit("RemoveMembership")
	return r.Store.RemoveMembership(ctx, a1, a2, a3, a4)
}

func (r *recorder) RenewLease(ctx context.Context, a1 string, a2 string, a3 time.Duration) error {
	r.hit("RenewLease")
	return r.Store.RenewLease(ctx, a1, a2, a3)
}

func (r *recorder) RequestRun(ctx context.Context, a1 string, a2 bool) error {
	r.hit("RequestRun")
	return r.Store.RequestRun(ctx, a1, a2)
}

func (r *recorder) RunStats(ctx context.Context) ([]store.RunStat, error) {
	r.hit("RunStats")
	return r.Store.RunStats(ctx)
}

func (r *recorder) ScanIndex(ctx context.Context, a1 string, a2 func(store.IndexEntry) error) error {
	r.hit("ScanIndex")
	return r.Store.ScanIndex(ctx, a1, a2)
}

func (r *recorder) SetNextRun(ctx context.Context, a1 string, a2 time.Time) error {
	r.hit("SetNextRun")
	return r.Store.SetNextRun(ctx, a1, a2)
}

func (r *recorder) SetPaused(ctx context.Context, a1 string, a2 bool) error {
	r.hit("SetPaused")
	return r.Store.SetPaused(ctx, a1, a2)
}

func (r *recorder) SetUserField(ctx context.Context, a1 int64, a2 string, a3 string) error {
	r.hit("SetUserField")
	return r.Store.SetUserField(ctx, a1, a2, a3)
}

func (r *recorder) SourceMemberships(ctx context.Context, a1 string) ([]store.Membership, error) {
	r.hit("SourceMemberships")
	return r.Store.SourceMemberships(ctx, a1)
}

func (r *recorder) RuleHoldings(ctx context.Context, a1 string, a2 string) ([]store.Holding, error) {
	r.hit("RuleHoldings")
	return r.Store.RuleHoldings(ctx, a1, a2)
}

func (r *recorder) SuperUsers(ctx context.Context, a1 string) (map[int64]bool, error) {
	r.hit("SuperUsers")
	return r.Store.SuperUsers(ctx, a1)
}

func (r *recorder) TakeRunRequest(ctx context.Context, a1 string) (bool, bool, error) {
	r.hit("TakeRunRequest")
	return r.Store.TakeRunRequest(ctx, a1)
}

func (r *recorder) UpdateCertificate(ctx context.Context, a1 store.Certificate) error {
	r.hit("UpdateCertificate")
	return r.Store.UpdateCertificate(ctx, a1)
}

func (r *recorder) UpdateLocalUser(ctx context.Context, a1 store.User) error {
	r.hit("UpdateLocalUser")
	return r.Store.UpdateLocalUser(ctx, a1)
}

func (r *recorder) UpdateRun(ctx context.Context, a1 store.Run) error {
	r.hit("UpdateRun")
	return r.Store.UpdateRun(ctx, a1)
}

func (r *recorder) UserCounts(ctx context.Context) ([]store.UserCount, error) {
	r.hit("UserCounts")
	return r.Store.UserCounts(ctx)
}

func (r *recorder) UserMemberships(ctx context.Context, a1 int64) ([]store.Membership, error) {
	r.hit("UserMemberships")
	return r.Store.UserMemberships(ctx, a1)
}
func (r *recorder) FindActiveUsers(ctx context.Context, a1 []string) ([]store.User, error) {
	r.hit("FindActiveUsers")
	return r.Store.FindActiveUsers(ctx, a1)
}

func (r *recorder) DuplicateUserIDs(ctx context.Context) ([]store.User, error) {
	r.hit("DuplicateUserIDs")
	return r.Store.DuplicateUserIDs(ctx)
}

func (r *recorder) DeletedUser(ctx context.Context, a1 int64, a2 int64) (store.DeletedUser, error) {
	r.hit("DeletedUser")
	return r.Store.DeletedUser(ctx, a1, a2)
}

func (r *recorder) PurgeDeletedUsers(ctx context.Context, a1 time.Time) (int, error) {
	r.hit("PurgeDeletedUsers")
	return r.Store.PurgeDeletedUsers(ctx, a1)
}

func (r *recorder) CreateSCIMToken(ctx context.Context, a1 store.SCIMToken) (int64, error) {
	r.hit("CreateSCIMToken")
	return r.Store.CreateSCIMToken(ctx, a1)
}

func (r *recorder) SCIMTokenByHash(ctx context.Context, a1 string) (store.SCIMToken, error) {
	r.hit("SCIMTokenByHash")
	return r.Store.SCIMTokenByHash(ctx, a1)
}

func (r *recorder) ListSCIMTokens(ctx context.Context, a1 string) ([]store.SCIMToken, error) {
	r.hit("ListSCIMTokens")
	return r.Store.ListSCIMTokens(ctx, a1)
}

func (r *recorder) DeleteSCIMToken(ctx context.Context, a1 string, a2 int64) error {
	r.hit("DeleteSCIMToken")
	return r.Store.DeleteSCIMToken(ctx, a1, a2)
}

func (r *recorder) PutSCIMResource(ctx context.Context, a1 store.SCIMResource, a2 bool) (store.SCIMResource, error) {
	r.hit("PutSCIMResource")
	return r.Store.PutSCIMResource(ctx, a1, a2)
}

func (r *recorder) GetSCIMResource(ctx context.Context, a1, a2, a3 string) (store.SCIMResource, error) {
	r.hit("GetSCIMResource")
	return r.Store.GetSCIMResource(ctx, a1, a2, a3)
}

func (r *recorder) ListSCIMResources(ctx context.Context, a1 store.SCIMQuery) ([]store.SCIMResource, error) {
	r.hit("ListSCIMResources")
	return r.Store.ListSCIMResources(ctx, a1)
}

func (r *recorder) DeleteSCIMResource(ctx context.Context, a1, a2, a3 string) error {
	r.hit("DeleteSCIMResource")
	return r.Store.DeleteSCIMResource(ctx, a1, a2, a3)
}

func (r *recorder) LookupIndex(ctx context.Context, a1 string, a2 []string) ([]store.IndexEntry, error) {
	r.hit("LookupIndex")
	return r.Store.LookupIndex(ctx, a1, a2)
}

func (r *recorder) RuleHoldingsOf(ctx context.Context, a1, a2 string, a3 []string) ([]store.Holding, error) {
	r.hit("RuleHoldingsOf")
	return r.Store.RuleHoldingsOf(ctx, a1, a2, a3)
}

func (r *recorder) IndexEntries(ctx context.Context, a1 string, a2 []string) ([]store.IndexEntry, int, error) {
	r.hit("IndexEntries")
	return r.Store.IndexEntries(ctx, a1, a2)
}
