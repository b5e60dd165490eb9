package web

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// axeSource is axe-core (the npm package axe-core, its axe.min.js and its
// licence vendored under testdata/axe), run on every page and dialog.
//
//go:embed testdata/axe/axe.min.js
var axeSource string

// shared is the one Chromium that the tests using tab share, so that the
// package's browser tests do not each pay for a browser start.
var shared struct {
	once   sync.Once
	ctx    context.Context
	cancel context.CancelFunc
	err    error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.cancel != nil {
		shared.cancel()
	}
	os.Exit(code)
}

// tab opens a tab of the shared Chromium in a browser context of its own,
// so that each test has its own cookies.
func tab(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("USERSYNC_INTEGRATION") == "1" {
			t.Fatalf("chromium is required (USERSYNC_INTEGRATION=1): %v; run ci/install-chromium.sh", err)
		}
		t.Skipf("chromium not installed (%v); run ci/install-chromium.sh", err)
	}
	shared.once.Do(func() {
		opts := []chromedp.ExecAllocatorOption{
			chromedp.ExecPath(chromiumPath),
			chromedp.Flag("headless", true),
			chromedp.Flag("no-sandbox", true),
			chromedp.Flag("disable-gpu", true),
			chromedp.Flag("disable-quic", true),
			chromedp.Flag("no-first-run", true),
			chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true),
			chromedp.WindowSize(1280, 800),
		}
		dir, err := os.MkdirTemp("", "usersync-chromium-")
		if err != nil {
			shared.err = err
			return
		}
		opts = append(opts, chromedp.UserDataDir(dir))
		actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
		bctx, cancelB := chromedp.NewContext(actx)
		shared.ctx = bctx
		shared.cancel = func() { cancelB(); cancelA(); os.RemoveAll(dir) }
		shared.err = chromedp.Do(bctx)
	})
	if shared.err != nil {
		t.Fatalf("start chromium: %v", shared.err)
	}
	ctx, cancel := chromedp.NewContext(shared.ctx, chromedp.WithNewBrowserContext())
	ctx, cancelT := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(func() { cancelT(); cancel() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	answerDialogs(ctx)
	return ctx
}

// screen is a viewport the UI must work on.
type screen struct {
	name          string
	width, height int64
	mobile        bool
}

var (
	phone = screen{"phone", 390, 844, true}
	desk  = screen{"desk", 1280, 800, false}
	// screens are both sizes every page is checked and photographed at.
	screens = []screen{phone, desk}
)

// useScreen sets the tab's viewport.
func useScreen(t *testing.T, ctx context.Context, s screen) {
	t.Helper()
	opts := []chromedp.EmulateViewportOption{chromedp.EmulateLandscape}
	if s.mobile {
		opts = []chromedp.EmulateViewportOption{chromedp.EmulatePortrait, chromedp.EmulateMobile, chromedp.EmulateTouch}
	}
	run(t, ctx, "viewport "+s.name, chromedp.EmulateViewport(s.width, s.height, opts...))
}

// axeViolation is the part of an axe-core result a failure message needs.
type axeViolation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

// checkA11y runs axe-core on the page as it is (with any dialog open) and
// fails the test on a serious or critical violation.
func checkA11y(t *testing.T, ctx context.Context, what string) {
	t.Helper()
	if !eval[bool](t, ctx, `typeof window.axe === "object"`) {
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[any](axeSource+";true")); err != nil {
			t.Fatalf("load axe-core: %v", err)
		}
	}
	out, err := chromedp.Run(ctx, chromedp.Evaluate[string](`axe.run(document, {resultTypes: ["violations"]}).then(r => JSON.stringify(
		r.violations.filter(v => v.impact === "serious" || v.impact === "critical").map(v => ({
			id: v.id, impact: v.impact, help: v.help,
			nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + " " + (n.failureSummary || ""))
		}))
	))`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("axe-core on %s: %v", what, err)
	}
	var vs []axeViolation
	if err := json.Unmarshal([]byte(out), &vs); err != nil {
		t.Fatalf("axe-core result: %v: %s", err, out)
	}
	for _, v := range vs {
		t.Errorf("axe-core on %s: %s (%s): %s\n  %s", what, v.ID, v.Impact, v.Help, strings.Join(v.Nodes, "\n  "))
	}
}

// sweep opens path and, at each screen size, runs axe-core on it and saves
// a screenshot NAME-phone.png and NAME-desk.png; it ends at the desk size.
// The page must not be wider than the screen: wide content scrolls inside
// its own box.
func sweep(t *testing.T, ctx context.Context, base, path, name string) {
	t.Helper()
	run(t, ctx, "open "+path, chromedp.Navigate(base+path), chromedp.WaitReady(chromedp.CSS("body")))
	look(t, ctx, name)
}

// look checks and photographs the page as it is, at both sizes.
func look(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	for _, s := range screens {
		useScreen(t, ctx, s)
		checkA11y(t, ctx, fmt.Sprintf("%s at %s", name, s.name))
		if over := eval[int](t, ctx, `document.documentElement.scrollWidth - document.documentElement.clientWidth`); over > 1 {
			wide := eval[string](t, ctx, `Array.from(document.querySelectorAll("body *")).filter(el => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1 && !el.parentElement.closest(".scroll, main table"))
				.slice(0, 4).map(el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className ? "." + String(el.className).replace(/ /g, ".") : "") + " " + Math.round(el.getBoundingClientRect().width) + "px").join(", ")`)
			t.Errorf("%s at %s: the page is %dpx wider than the screen: %s", name, s.name, over, wide)
		}
		screenshot(t, ctx, name+"-"+s.name)
	}
}
