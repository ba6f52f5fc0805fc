package web_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"github.com/sigconv/sigconv/internal/cli"
	"github.com/sigconv/sigconv/internal/playground"
	"github.com/sigconv/sigconv/internal/playground/web"
)

// browserPath finds headless Chromium. Without one the browser tests skip
// locally and fail in CI (CI set), where .ci/run installs Debian's chromium.
func browserPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("no chromium on PATH: CI must install it (apt-get install -y chromium)")
	}
	t.Skip("no chromium on PATH (apt-get install chromium); the browser test is skipped")
	return ""
}

// startServe runs `sigconv serve --addr 127.0.0.1:0` in-process, as the
// command line does, and returns the page's address. The server lives as
// long as the test binary.
func startServe(t *testing.T) string {
	t.Helper()
	pr, pw := io.Pipe()
	var errs bytes.Buffer
	done := make(chan int, 1)
	go func() { done <- cli.Main([]string{"serve", "--addr", "127.0.0.1:0"}, strings.NewReader(""), pw, &errs) }()
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			default:
			}
		}
	}()
	select {
	case line := <-lines:
		m := regexp.MustCompile(`http://127\.0\.0\.1:\d+/`).FindString(line)
		if m == "" {
			t.Fatalf("serve printed %q", line)
		}
		return m
	case code := <-done:
		t.Fatalf("serve exited %d: %s", code, errs.String())
	case <-time.After(5 * time.Minute):
		t.Fatal("serve did not start in 5 minutes (building the WebAssembly)")
	}
	return ""
}

// newBrowser starts Chromium with the flags this project's machines need
// and a fresh profile.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(browserPath(t)),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1400, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil { // start the browser now, without a timeout
		t.Fatalf("starting %s: %v", browserPath(t), err)
	}
	return ctx
}

// page drives one tab of the playground.
type page struct {
	t   *testing.T
	ctx context.Context
}

func (p page) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 2*time.Minute)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		p.t.Fatalf("%s: %v", what, err)
	}
}

func eval[T any](p page, js string, opts ...chromedp.EvaluateOption) T {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, time.Minute)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js, opts...))
	if err != nil {
		p.t.Fatalf("%s: %v", js, err)
	}
	return v
}

func (p page) conversions() int {
	return eval[int](p, `Number(document.body.dataset.conversions || 0)`)
}

// waitConverted waits until the page has converted more than n times.
func (p page) waitConverted(n int) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 2*time.Minute)
	defer cancel()
	var err error
	for try := 0; try < 5; try++ {
		_, err = chromedp.Run(ctx, chromedp.Poll[chromedp.Void](
			fmt.Sprintf(`Number(document.body.dataset.conversions || 0) > %d`, n),
			chromedp.WithPollingTimeout(90*time.Second), chromedp.WithPollingInterval(50*time.Millisecond)))
		// A poll that started while the document was being replaced loses
		// its JavaScript context; poll the new document.
		if err == nil || !strings.Contains(err.Error(), "Cannot find context") {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		p.t.Fatalf("waiting for a conversion: %v (page status: %q)", err, p.text("#status"))
	}
}

// paste replaces the editor's text the way a paste does: the browser
// inserts the text into the focused, selected textarea and fires input.
func (p page) paste(text string) {
	p.t.Helper()
	n := p.conversions()
	p.do("pasting", chromedp.Evaluate[chromedp.Void](`(() => { const r = document.getElementById('rule'); r.focus(); r.select(); })()`),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, input.InsertText, input.InsertTextParams{Text: text})
			return err
		}))
	p.waitConverted(n)
}

// pick chooses a value in a select, as a user does, and waits for the
// conversion it starts.
func (p page) pick(id, value string) {
	p.t.Helper()
	n := p.conversions()
	p.do("picking "+value, chromedp.SetValue("#"+id, value),
		chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.getElementById(%q).dispatchEvent(new Event('change'))`, id)))
	p.waitConverted(n)
}

func (p page) text(sel string) string {
	return eval[string](p, fmt.Sprintf(`document.querySelector(%q).textContent`, sel))
}

func cliOutput(t *testing.T, args ...string) string {
	t.Helper()
	var out, errs bytes.Buffer
	if code := cli.Main(args, strings.NewReader(""), &out, &errs); code != 0 {
		t.Fatalf("sigconv %v: exit %d\n%s", args, code, errs.String())
	}
	return out.String()
}

const brokenRule = `title: Broken
logsource:
    category: process_creation
    product: windows
detection:
    sel:
        CommandLine|containz: evil
    condition: sel
`

// TestBrowser drives the page served by `sigconv serve` in headless
// Chromium: the PipeMagic rules pasted and converted to each target must
// show exactly the CLI's output; a broken rule must show the CLI's
// positioned error and highlight its line; the link must carry the state.
func TestBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the WebAssembly and starts a browser")
	}
	ctx := newBrowser(t)
	url := startServe(t)
	p := page{t, ctx}
	p.do("loading the page", chromedp.Navigate(url))
	p.waitConverted(0)
	if got := p.text("#output"); got != cliOutput(t, "convert", "-t", "kql", "../../../rules") {
		t.Errorf("the preloaded PipeMagic example on the default target (kql) differs from the CLI:\n%s", got)
	}

	p.pick("example", "1") // some other text first, so the paste visibly replaces it
	p.paste(playground.PipeMagicText())
	for _, target := range []string{"xql", "kql", "spl"} {
		p.pick("target", target)
		want := cliOutput(t, "convert", "-t", target, "../../../rules")
		if got := p.text("#output"); got != want {
			t.Errorf("%s: the page shows\n%s\nthe CLI prints\n%s", target, got, want)
		}
		if got := p.text("#status"); !strings.HasPrefix(got, "converted 3 of 3 rules · ") {
			t.Errorf("%s: status %q", target, got)
		}
		if got := p.text("#errors"); got != "" {
			t.Errorf("%s: errors shown: %q", target, got)
		}
	}
	p.pick("format", "json")
	if got, want := p.text("#output"), cliOutput(t, "convert", "-t", "spl", "-f", "json", "../../../rules"); got != regexp.MustCompile(`"path":"[^"]+"`).ReplaceAllString(want, `"path":"rule.yml"`) {
		t.Errorf("spl json: the page shows\n%s\nthe CLI prints\n%s", got, want)
	}
	p.pick("format", "")

	// The copy button puts exactly the shown query on the clipboard.
	p.do("allowing the clipboard", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		for _, name := range []string{"clipboard-read", "clipboard-write"} {
			if _, err := cdp.Call(ctx, chromedp.FromContext(ctx).Browser, browser.SetPermission, browser.SetPermissionParams{
				Permission: &browser.PermissionDescriptor{Name: name}, Setting: browser.PermissionSettingGranted,
			}); err != nil {
				return err
			}
		}
		return nil
	}))
	p.do("copying", chromedp.Click("#copy"), chromedp.Poll[chromedp.Void](`document.getElementById('copy').textContent === 'Copied'`,
		chromedp.WithPollingTimeout(30*time.Second), chromedp.WithPollingInterval(50*time.Millisecond)))
	if got, want := eval[string](p, `navigator.clipboard.readText()`, chromedp.EvalAwaitPromise), p.text("#output"); got != want {
		t.Errorf("clipboard %q, want the output %q", got, want)
	}

	// Several documents: a rule and a meta-filter pasted together convert as
	// the CLI converts the same text from a file.
	filterText := playground.Examples()[2].Text
	if !strings.Contains(filterText, "\nfilter:\n") {
		t.Fatalf("example 2 is not the meta-filter example:\n%s", filterText)
	}
	ruleFile := filepath.Join(t.TempDir(), "rule.yml")
	if err := os.WriteFile(ruleFile, []byte(filterText), 0o644); err != nil {
		t.Fatal(err)
	}
	p.paste(filterText)
	if got, want := p.text("#output"), cliOutput(t, "convert", "-t", "spl", ruleFile); got != want || !strings.Contains(got, "packager.exe") {
		t.Errorf("rule + filter: the page shows\n%s\nthe CLI prints\n%s", got, want)
	}
	p.paste(playground.PipeMagicText())

	// The link holds the rule and the choices: the page opened afresh on it
	// shows the same conversion.
	link := eval[string](p, `location.href`)
	p.do("leaving the page", chromedp.Navigate("about:blank"))
	p.do("opening the link", chromedp.Navigate(link))
	p.waitConverted(0)
	if got, want := p.text("#output"), cliOutput(t, "convert", "-t", "spl", "../../../rules"); got != want {
		t.Errorf("the shared link shows\n%s\nwant the spl conversion\n%s", got, want)
	}

	// A broken rule: the CLI's message at line 7, column 21, the line highlighted.
	p.paste(brokenRule)
	if got, want := p.text("#errors li"), `rule.yml:7:21: unknown modifier "containz"; did you mean "contains"?`; got != want {
		t.Errorf("error shown %q, want %q", got, want)
	}
	if got := eval[[]string](p, `[...document.querySelectorAll('#backdrop .line.error, #gutter .error')].map(e => e.dataset.line)`); strings.Join(got, ",") != "7,7" {
		t.Errorf("highlighted lines %v, want line 7 in the editor and the gutter", got)
	}
	if got := p.text("#output"); got != "" {
		t.Errorf("output for a broken rule: %q", got)
	}

	// A pipeline picked instead of the default: as `-p sentinel-windows`,
	// where the network rule (and so the correlation) fails; the lines named
	// by the errors, inside messages too, are highlighted.
	p.paste(playground.PipeMagicText())
	p.pick("target", "kql")
	n := p.conversions()
	p.do("picking sentinel-windows", chromedp.Evaluate[chromedp.Void](`(() => {
		const box = (name) => document.querySelector('#pipelines input[value="' + name + '"]');
		box('defender-xdr').checked = false;
		box('sentinel-windows').checked = true;
		box('sentinel-windows').dispatchEvent(new Event('change'));
	})()`))
	p.waitConverted(n)
	var out, errs bytes.Buffer
	if code := cli.Main([]string{"convert", "-t", "kql", "-p", "sentinel-windows", "../../../rules"}, strings.NewReader(""), &out, &errs); code != 1 {
		t.Fatalf("CLI exit %d, want 1", code)
	}
	if got := p.text("#output"); got != out.String() {
		t.Errorf("kql sentinel-windows: the page shows\n%s\nthe CLI prints\n%s", got, out.String())
	}
	want := map[string]bool{}
	for _, d := range playground.Convert(playground.Request{Target: "kql", Pipelines: []string{"sentinel-windows"}, Text: playground.PipeMagicText()}).Diagnostics {
		want[fmt.Sprint(d.Line)] = d.Line > 0
		for _, r := range d.Related {
			want[fmt.Sprint(r.Line)] = true
		}
	}
	got := eval[[]string](p, `[...document.querySelectorAll('#backdrop .line.error')].map(e => e.dataset.line)`)
	if len(got) < 2 {
		t.Errorf("highlighted lines %v: want the correlation's and the failing rule's", got)
	}
	for _, l := range got {
		if !want[l] {
			t.Errorf("line %s highlighted; the errors name %v", l, want)
		}
	}

	p.pick("target", "xql")
	measure(t, p)
	shot(t, p)
}

// measure logs the load and conversion times the README quotes.
func measure(t *testing.T, p page) {
	timings := eval[map[string]float64](p, `window.sigconvTimings`)
	per := eval[float64](p, `(() => {
		const req = JSON.stringify({target: 'xql', text: document.getElementById('rule').value});
		const ms = [];
		for (let i = 0; i < 41; i++) { const t0 = performance.now(); sigconv.convert(req); ms.push(performance.now() - t0); }
		return ms.sort((a, b) => a - b)[20];
	})()`)
	b, _ := json.Marshal(timings)
	t.Logf("timings %s; PipeMagic (3 documents) to xql: %.2f ms per conversion (median of 41)", b, per)
}

// shot keeps a screenshot outside the repository for a person to look at.
func shot(t *testing.T, p page) {
	ctx, cancel := context.WithTimeout(p.ctx, time.Minute)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Logf("screenshot: %v", err)
		return
	}
	path := filepath.Join(os.TempDir(), "sigconv-playground.png")
	if err := os.WriteFile(path, png, 0o644); err == nil {
		t.Logf("screenshot: %s", path)
	}
}

// TestBrowserOffline: once the page has loaded, its service worker keeps
// every file, so the page still converts after the server is gone.
func TestBrowserOffline(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the WebAssembly and starts a browser")
	}
	ctx := newBrowser(t)
	s := testSite(t)
	srvCtx, stop := context.WithCancel(context.Background())
	defer stop()
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() { done <- web.Serve(srvCtx, "127.0.0.1:0", s, pw) }()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	go io.Copy(io.Discard, pr)
	url := regexp.MustCompile(`http://127\.0\.0\.1:\d+/`).FindString(line)

	p := page{t, ctx}
	p.do("loading the page", chromedp.Navigate(url))
	p.waitConverted(0)
	cached := eval[int](p, `navigator.serviceWorker.ready.then(() => caches.open('sigconv-playground-v1')).then(c => c.keys()).then(k => k.length)`, chromedp.EvalAwaitPromise)
	if cached < 6 {
		t.Fatalf("%d files cached, want the 6 of the page", cached)
	}
	p.do("waiting for the service worker", chromedp.Poll[chromedp.Void](`!!navigator.serviceWorker.controller`,
		chromedp.WithPollingTimeout(30*time.Second), chromedp.WithPollingInterval(50*time.Millisecond)))

	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if _, err := http.Get(url); err == nil {
		t.Fatal("the server still answers")
	}
	p.do("reloading offline", chromedp.Navigate("about:blank"), chromedp.Navigate(url))
	p.waitConverted(0)
	if got, want := p.text("#output"), cliOutput(t, "convert", "-t", "kql", "../../../rules"); got != want {
		t.Errorf("offline the page shows\n%s\nwant\n%s", got, want)
	}
}
