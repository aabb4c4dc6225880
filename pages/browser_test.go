package pages_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// chromiumPath is Debian's Chromium, or ABUSEDESK_CHROMIUM.
func chromiumPath() string {
	if p := os.Getenv("ABUSEDESK_CHROMIUM"); p != "" {
		return p
	}
	return "/usr/bin/chromium"
}

// docsDir is where ABUSEDESK_SCREENSHOTS=1 saves the README's screenshots.
// Resolved before testenv changes the working directory.
var docsDir = func() string {
	wd, _ := os.Getwd()
	return filepath.Join(wd, "..", "docs", "screenshots")
}()

// browser is one person's headless Chromium tab on a running abusedesk,
// with its own cookies. It records every console error and uncaught
// exception; the test fails on any.
type browser struct {
	t     *testing.T
	ctx   context.Context
	base  string
	name  string
	shots string
	mu    sync.Mutex
	errs  []string
}

// newBrowser starts Chromium and opens the first person's tab. Without
// Chromium the test fails under CI=true (CI installs it) and is skipped
// elsewhere.
func newBrowser(t *testing.T, name string) *browser {
	t.Helper()
	path := chromiumPath()
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("Chromium is required under CI=true (apt-get install -y chromium): %v", err)
		}
		t.Skipf("Chromium not found at %s: %v", path, err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1100, 900))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	return openTab(t, actx, name, t.TempDir())
}

// person opens a tab for someone else: a separate browser context, so no
// cookie is shared (a reporter is not signed in as the analyst).
func (b *browser) person(name string) *browser {
	b.t.Helper()
	p := openTab(b.t, b.ctx, name, b.shots, chromedp.WithNewBrowserContext())
	p.base = b.base
	return p
}

func openTab(t *testing.T, parent context.Context, name, shots string, opts ...chromedp.ContextOption) *browser {
	t.Helper()
	ctx, cancel := chromedp.NewContext(parent, opts...)
	b := &browser{t: t, ctx: ctx, name: name, shots: shots}
	require.NoError(t, chromedp.Do(ctx), "open a tab for %s", name)
	require.NoError(t, chromedp.Listen(ctx, b.onEvent))
	t.Cleanup(func() {
		if buf, err := chromedp.Run(b.timeout(20*time.Second), chromedp.FullScreenshot(100)); err == nil {
			p := filepath.Join(shots, "last-page-"+name+".png")
			if os.WriteFile(p, buf, 0o644) == nil {
				t.Logf("screenshot of the %s's last page: %s", name, p)
			}
		}
		b.mu.Lock()
		for _, e := range b.errs {
			t.Errorf("%s's browser console: %s", name, e)
		}
		b.mu.Unlock()
		cancel()
	})
	return b
}

// onEvent runs in the tab's read loop: it only records.
func (b *browser) onEvent(ev any) {
	var msg string
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError {
			var parts []string
			for _, a := range ev.Args {
				parts = append(parts, strings.Trim(string(a.Value), `"`)+a.Description)
			}
			msg = "console.error: " + strings.Join(parts, " ")
		}
	case *runtime.EventExceptionThrown:
		msg = "exception: " + ev.ExceptionDetails.Text
		if ex := ev.ExceptionDetails.Exception; ex != nil {
			msg += " " + ex.Description
		}
	case *log.EventEntryAdded:
		// Error pages (403, 422) log their status as network errors on
		// purpose; anything else at error level (CSP violations, script
		// errors) is a failure.
		if ev.Entry.Level == log.EntryLevelError && ev.Entry.Source != log.EntrySourceNetwork {
			msg = fmt.Sprintf("%s: %s (%s)", ev.Entry.Source, ev.Entry.Text, ev.Entry.URL)
		}
	}
	if msg != "" {
		b.mu.Lock()
		b.errs = append(b.errs, msg)
		b.mu.Unlock()
	}
}

func (b *browser) timeout(d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(b.ctx, d)
	b.t.Cleanup(cancel)
	return ctx
}

// open navigates and returns the HTTP status of the page.
func (b *browser) open(path string) int64 {
	b.t.Helper()
	u := path
	if strings.HasPrefix(path, "/") {
		u = b.base + path
	}
	resp, err := chromedp.Run(b.timeout(30*time.Second), chromedp.NavigateResponse(u))
	require.NoError(b.t, err, "open %s", u)
	b.checkPage()
	return resp.Status
}

// submit clicks a button that sends a form and returns the status of the
// page it lands on (after redirects).
func (b *browser) submit(sel string) int64 {
	b.t.Helper()
	resp, err := chromedp.RunResponse(b.timeout(30*time.Second), chromedp.Click(chromedp.CSS(sel)))
	require.NoError(b.t, err, "submit %s", sel)
	b.checkPage()
	return resp.Status
}

// do runs actions that return nothing.
func (b *browser) do(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	require.NoError(b.t, chromedp.Do(b.timeout(30*time.Second), actions...))
}

// fill clears a field and types value into it.
func (b *browser) fill(sel, value string) {
	b.t.Helper()
	q, err := json.Marshal(sel)
	require.NoError(b.t, err)
	b.do(chromedp.Evaluate[chromedp.Void](`document.querySelector(`+string(q)+`).value = ""`),
		chromedp.SendKeys(chromedp.CSS(sel), value))
}

func (b *browser) text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.timeout(10*time.Second), chromedp.Text(chromedp.CSS(sel)))
	require.NoError(b.t, err, "text of %s", sel)
	return s
}

func (b *browser) value(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.timeout(10*time.Second), chromedp.Value(chromedp.CSS(sel)))
	require.NoError(b.t, err, "value of %s", sel)
	return s
}

func (b *browser) eval(js string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.timeout(10*time.Second), chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))
	require.NoError(b.t, err, "eval %s", js)
	return s
}

func (b *browser) location() string {
	b.t.Helper()
	s, err := chromedp.Run(b.timeout(10*time.Second), chromedp.Location())
	require.NoError(b.t, err)
	return s
}

// checkPage holds on every page: each form control has a label, no
// injected script ran, the page fits a phone's width.
func (b *browser) checkPage() {
	b.t.Helper()
	unlabelled := b.eval(`Array.from(document.querySelectorAll("input:not([type=hidden]), select, textarea"))
		.filter(el => el.labels.length === 0).map(el => el.name).join(",")`)
	require.Empty(b.t, unlabelled, "form controls without a label on %s", b.location())
	require.Equal(b.t, "undefined", b.eval(`typeof window.__xss`), "an injected script ran on %s", b.location())
	require.Equal(b.t, "0", b.eval(`String(document.querySelectorAll("script:not([src]), img, [style]").length)`),
		"inline script, style or an injected image on %s", b.location())
}

func (b *browser) cookies() []*network.Cookie {
	b.t.Helper()
	res, err := chromedp.Call(b.timeout(10*time.Second), network.GetCookies, network.GetCookiesParams{})
	require.NoError(b.t, err)
	return res.Cookies
}

// shot saves the page for the README when ABUSEDESK_SCREENSHOTS=1.
func (b *browser) shot(name string) {
	b.t.Helper()
	if os.Getenv("ABUSEDESK_SCREENSHOTS") != "1" {
		return
	}
	buf, err := chromedp.Run(b.timeout(20*time.Second), chromedp.FullScreenshot(100))
	require.NoError(b.t, err)
	require.NoError(b.t, os.MkdirAll(docsDir, 0o755))
	require.NoError(b.t, os.WriteFile(filepath.Join(docsDir, name+".png"), buf, 0o644))
}

// phone shows the page at a phone's size, checks nothing overflows
// sideways, saves a screenshot and goes back to the desktop size.
func (b *browser) phone(name string) {
	b.t.Helper()
	b.do(chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateScale(2)))
	overflow := b.eval(`String(document.documentElement.scrollWidth - window.innerWidth)`)
	require.Equal(b.t, "0", overflow, "the page is wider than a phone: %s", b.location())
	b.shot(name)
	b.do(chromedp.EmulateViewport(1100, 900))
}
