package app

import (
	"context"
	"fmt"
	"os/user"

	"github.com/usersync/usersync/internal/reconcile"

	"github.com/usersync/usersync/internal/store"
)

// Audit actions: what the audit log says was done. They are stable names
// that filters and scripts may rely on.
const (
	AuditLogin            = "login"
	AuditLoginFailed      = "login.failed"
	AuditLogout           = "logout"
	AuditConnectionCreate = "connection.create"
	AuditConnectionUpdate = "connection.update"
	AuditConnectionDelete = "connection.delete"
	AuditConnectionCheck  = "connection.check"
	AuditMappingsUpdate   = "mappings.update"
	AuditConfigureTwo     = "configuretwo.update"
	AuditRun              = "run"
	AuditRunApprove       = "run.approve"
	AuditRunReject        = "run.reject"
	AuditRunCancel        = "run.cancel"
	AuditRunUndo          = "run.undo"
	AuditSchedulePause    = "schedule.pause"
	AuditScheduleResume   = "schedule.resume"
	AuditScheduleRestart  = "schedule.restart"
	AuditScheduleRunNow   = "schedule.run"
	AuditScheduleEdit     = "schedule.edit"
	AuditTokenCreate      = "token.create"
	AuditTokenRevoke      = "token.revoke"
	AuditCertEnrol        = "certificate.enrol"
	AuditCertRevoke       = "certificate.revoke"
	AuditLocalUserCreate  = "localuser.create"
	AuditLocalUserUpdate  = "localuser.update"
	AuditLocalUserDelete  = "localuser.delete"
	AuditLocalUserPasswd  = "localuser.password"
	AuditAdminCreate      = "admin.create"
	AuditAdminUpdate      = "admin.update"
	AuditAdminPassword    = "admin.password"
	AuditUserSet          = "user.set"
	AuditUserAssign       = "user.assign"
	AuditUserUnassign     = "user.unassign"
	AuditDirectoryUserAdd = "directoryuser.add"
	AuditEntityCreate     = "entity.create"
	AuditEntityDelete     = "entity.delete"
	AuditKeyRotate        = "key.rotate"
)

type actorKey struct{}

// WithActor names who acts in ctx: an administrator's name, "token:NAME"
// for an API token, "cli:USER" for the command line, "scheduler".
func WithActor(ctx context.Context, actor string) context.Context {
	return context.WithValue(ctx, actorKey{}, actor)
}

// ActorOf is the actor WithActor put in ctx, or "system" when none did.
func ActorOf(ctx context.Context) string {
	if s, ok := ctx.Value(actorKey{}).(string); ok && s != "" {
		return s
	}
	return "system"
}

// CLIActor is the actor of a command-line invocation: "cli:" and the
// operating-system user running it.
func CLIActor() string {
	name := "unknown"
	if u, err := user.Current(); err == nil && u.Username != "" {
		name = u.Username
	}
	return "cli:" + name
}

// Audit records that the actor in ctx did action to object. It is the one
// place audit events are written. A failure to write is logged and does
// not undo the action, which has already happened.
func (a *App) Audit(ctx context.Context, action, object, detail string) {
	a.auditAs(ctx, ActorOf(ctx), action, object, detail)
}

func (a *App) auditAs(ctx context.Context, actor, action, object, detail string) {
	e := store.AuditEvent{Actor: actor, Action: action, Object: object, Detail: detail}
	// The action is done: record it even when the request that did it
	// was cancelled meanwhile.
	if err := a.Store.AppendAudit(context.WithoutCancel(ctx), e); err != nil {
		a.Log.Error("audit event not recorded", "actor", actor, "action", action, "object", object, "err", err)
	}
}

// auditIf records action when err is nil: an operation that failed
// changed nothing worth auditing.
func (a *App) auditIf(ctx context.Context, err error, action, object, detail string) {
	if err == nil {
		a.Audit(ctx, action, object, detail)
	}
}

// AuditLog lists audit events, newest first, with their total.
func (a *App) AuditLog(ctx context.Context, f store.AuditFilter) ([]store.AuditEvent, int, error) {
	return a.Store.ListAudit(ctx, f)
}

// outcomeWord is an audit detail for an attempt that is worth recording
// even when it failed.
func outcomeWord(err error) string {
	if err != nil {
		return "failed: " + err.Error()
	}
	return "succeeded"
}

// runDetail names a run and its end for the audit log.
func runDetail(rep *reconcile.Report, err error) string {
	if rep == nil {
		return outcomeWord(err)
	}
	return fmt.Sprintf("run %d %s", rep.ID, rep.Status)
}
