package web

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/usersync/usersync/internal/connection"
)

// TestScheduleWords: a schedule is said in words with its zone ("every
// day at 00:00, Europe/Rome"), and the words give back the expression.
func TestScheduleWords(t *testing.T) {
	for _, tc := range []struct {
		form  scheduleForm
		expr  string
		words string
		field string
	}{
		{scheduleForm{Kind: "daily", At: "00:00"}, "0 0 * * *", "every day at 00:00, Europe/Rome", ""},
		{scheduleForm{Kind: "daily", At: "18:30"}, "30 18 * * *", "every day at 18:30, Europe/Rome", ""},
		{scheduleForm{Kind: "weekdays", At: "07:05"}, "5 7 * * 1-5", "Monday to Friday at 07:05, Europe/Rome", ""},
		{scheduleForm{Kind: "every", Minutes: 15}, "@every 15m", "every 15 minutes", ""},
		{scheduleForm{Kind: "every", Minutes: 120}, "@every 120m", "every 2 hours", ""},
		{scheduleForm{Kind: "off"}, "off", "off: runs only when asked to", ""},
		{scheduleForm{Kind: "cron", Cron: " 0 */6 * * 0 "}, "0 */6 * * 0", "cron 0 */6 * * 0, Europe/Rome", ""},
		// Nasty input: each names its field.
		{scheduleForm{Kind: "daily", At: "25:00"}, "", "", "at"},
		{scheduleForm{Kind: "daily", At: ""}, "", "", "at"},
		{scheduleForm{Kind: "every", Minutes: 0}, "", "", "minutes"},
		{scheduleForm{Kind: "every", Minutes: -5}, "", "", "minutes"},
		{scheduleForm{Kind: "hourly'; DROP"}, "", "", "kind"},
	} {
		expr, err := tc.form.scheduleExpr()
		if tc.field != "" {
			_, e := classify(err)
			if err == nil || e.Field != tc.field {
				t.Errorf("%+v: %q, %v; want an error naming %q", tc.form, expr, err, tc.field)
			}
			continue
		}
		if err != nil || expr != tc.expr {
			t.Errorf("%+v = %q, %v; want %q", tc.form, expr, err, tc.expr)
			continue
		}
		if w := scheduleWords(expr, "Europe/Rome"); w != tc.words {
			t.Errorf("words of %q = %q, want %q", expr, w, tc.words)
		}
	}
	// The default (no schedule) is nightly at midnight.
	if w := scheduleWords("", "UTC"); w != "every day at 00:00, UTC" {
		t.Errorf("default = %q", w)
	}
}

// TestBrowserEditScheduleInWords: an administrator pauses a schedule and
// edits it in words; a bad time zone is refused naming it and changes
// nothing; the new schedule shows in words with its zone.
func TestBrowserEditScheduleInWords(t *testing.T) {
	ctx := tab(t)
	e := newTestEnv(t)
	putDemo(t, e, "corp", connection.DirectorySource)
	base := e.srv.URL
	useScreen(t, ctx, phone)
	browserLoginAs(t, ctx, base, AdminName, testAdminPassword)
	run(t, ctx, "pause", chromedp.Navigate(base+"/schedules"), chromedp.WaitVisible(chromedp.ID("#sched-corp")),
		chromedp.Click(chromedp.CSS(`#sched-corp button[value="pause"]`)))
	waitFor(t, ctx, `document.readyState === "complete" && !!document.querySelector("#sched-corp .u-inactive")`)
	edit := func(kind, at, tz string) {
		t.Helper()
		run(t, ctx, "edit", chromedp.Click(chromedp.CSS(`#edit-corp summary`)), chromedp.WaitVisible(chromedp.ID("#kind-corp")),
			chromedp.SetValue(chromedp.ID("#kind-corp"), kind), chromedp.SetValue(chromedp.ID("#at-corp"), at),
			chromedp.SetValue(chromedp.ID("#tz-corp"), tz))
		look(t, ctx, "s01-schedule-edit")
		useScreen(t, ctx, phone)
		eval[bool](t, ctx, `window.beforeSave = true`)
		run(t, ctx, "save", chromedp.Click(chromedp.CSS(`#edit-corp button[type="submit"]`)))
		waitFor(t, ctx, `!window.beforeSave && document.readyState === "complete" && !!document.querySelector(".alert")`)
	}
	edit("daily", "00:00", "Mars/Olympus")
	if msg := get(t, ctx, "error", chromedp.Text(chromedp.CSS(".alert.error"))); !strings.Contains(msg, "timeZone") {
		t.Fatalf("bad zone: %q", msg)
	}
	if c, _, _ := e.app.Store.GetConnection(t.Context(), "corp"); c.TimeZone != "" {
		t.Fatalf("a refused edit changed the zone to %q", c.TimeZone)
	}
	edit("daily", "00:00", "Europe/Rome")
	if words := get(t, ctx, "words", chromedp.Text(chromedp.CSS(`#sched-corp .words`))); words != "every day at 00:00, Europe/Rome" {
		t.Fatalf("schedule in words: %q", words)
	}
	if c, _, _ := e.app.Store.GetConnection(t.Context(), "corp"); c.Schedule != "0 0 * * *" || c.TimeZone != "Europe/Rome" || !c.HasPassword {
		t.Fatalf("stored: %q %q, password kept %v", c.Schedule, c.TimeZone, c.HasPassword)
	}
	look(t, ctx, "s02-schedules-edited")
	p := auditOf(t, e.login(), "?action=schedule.edit")
	if len(p.Events) != 1 || !strings.Contains(p.Events[0].Detail, "0 0 * * * Europe/Rome") {
		t.Fatalf("audit: %+v", p.Events)
	}
}
