//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// The page checks of make e2e: axe-core, the accessibility engine, run in
// the page by WebDriver, and the reflow of the page at 320 CSS pixels wide
// (RGAA 10.11, WCAG 1.4.10). journey.waitFor runs them on every page a
// journey reaches, once per page; journey.checkPage runs them on the
// current page at any time. A failure is reported with the page and a
// readable list, and the journey goes on, so that one run lists every
// page's problems; build/e2e/a11y.txt keeps the verdict of each page.

// axeSource is axe.min.js, installed by make e2e (AXE_JS).
var axeSource = sync.OnceValues(func() (string, error) {
	path := os.Getenv("AXE_JS")
	if path == "" {
		return "", fmt.Errorf("AXE_JS is not set: run `make e2e`, which installs axe-core")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("axe-core: %v: run `make e2e`, which installs it", err)
	}
	return string(b), nil
})

// reflowWidth is the narrowest viewport a page must fit without
// scrolling sideways.
const reflowWidth = 320

// violation is one axe-core rule a page breaks, with the first elements
// that break it.
type violation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target string `json:"target"`
		HTML   string `json:"html"`
	} `json:"nodes"`
}

// axeRun runs axe-core on the whole document with its default rules and
// returns the violations, each with up to five elements.
const axeRun = `const done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ["violations"]}).then(r => done(JSON.stringify(r.violations.map(v => ({
  id: v.id, impact: v.impact, help: v.help,
  nodes: v.nodes.slice(0, 5).map(n => ({target: n.target.join(" "), html: n.html.slice(0, 160)}))
}))))).catch(e => done("axe failed: " + e));`

// overflow measures the page's width and names the elements that stick
// out of the viewport.
const overflow = `const w = window.innerWidth;
const wide = [...document.body.querySelectorAll("*")].filter(e => e.getBoundingClientRect().right > w + 1)
  .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") +
    (typeof e.className === "string" && e.className ? "." + e.className.trim().split(/\s+/).join(".") : "") +
    " (" + Math.round(e.getBoundingClientRect().right) + " px)");
return {scroll: document.documentElement.scrollWidth, inner: w, wide: wide};`

// executeAsync runs an asynchronous script, which calls its last argument
// with the result.
func (d *webDriver) executeAsync(j *journey, script string, out any) error {
	return d.call(j.ctx, http.MethodPost, d.session+"/execute/async", map[string]any{"script": script, "args": []any{}}, out)
}

// cdp sends a Chrome DevTools command through chromedriver.
func (d *webDriver) cdp(j *journey, cmd string, params map[string]any) error {
	return d.call(j.ctx, http.MethodPost, d.session+"/goog/cdp/execute", map[string]any{"cmd": cmd, "params": params}, nil)
}

// audit runs checkPage once per page: the same URL path, title and text
// are one page.
func (j *journey) audit() {
	j.t.Helper()
	var key string
	err := j.d.execute(j.ctx, `return location.origin + location.pathname + "\n" + document.title + "\n" +
		(document.body ? document.body.innerText : "")`, &key)
	if err != nil || j.audited[key] {
		return
	}
	if j.audited == nil {
		j.audited = map[string]bool{}
	}
	j.audited[key] = true
	j.checkPage()
}

// checkPage runs axe-core on the current page and checks that it fits
// 320 px wide; it reports what fails with t.Errorf and records the verdict
// in build/e2e/a11y.txt.
func (j *journey) checkPage() {
	j.t.Helper()
	u, _ := j.d.currentURL(j.ctx)
	u, _, _ = strings.Cut(u, "?") // a callback's query holds a code and a state
	title, _ := j.d.title(j.ctx)
	page := fmt.Sprintf("%s %q", u, title)
	var problems []string
	if v, err := j.axe(); err != nil {
		problems = append(problems, "axe-core did not run: "+err.Error())
	} else if len(v) > 0 {
		problems = append(problems, formatViolations(v))
	}
	if msg, err := j.reflow(); err != nil {
		problems = append(problems, "the reflow check did not run: "+err.Error())
	} else if msg != "" {
		problems = append(problems, msg)
	}
	verdict := "ok"
	if len(problems) > 0 {
		verdict = "FAIL"
		j.t.Errorf("page checks: %s:\n%s", page, strings.Join(problems, "\n"))
	}
	j.record(fmt.Sprintf("%s %s %s\n", verdict, j.t.Name(), page))
}

// axe injects axe-core into the page and runs it.
func (j *journey) axe() ([]violation, error) {
	src, err := axeSource()
	if err != nil {
		return nil, err
	}
	if err := j.d.execute(j.ctx, src+"\nreturn typeof axe;", nil); err != nil {
		return nil, err
	}
	var out string
	if err := j.d.executeAsync(j, axeRun, &out); err != nil {
		return nil, err
	}
	if strings.HasPrefix(out, "axe failed") {
		return nil, fmt.Errorf("%s", out)
	}
	var v []violation
	return v, json.Unmarshal([]byte(out), &v)
}

func formatViolations(vs []violation) string {
	var b strings.Builder
	fmt.Fprintf(&b, "  %d axe-core violation(s):", len(vs))
	for _, v := range vs {
		fmt.Fprintf(&b, "\n  - %s (%s): %s", v.ID, v.Impact, v.Help)
		for _, n := range v.Nodes {
			fmt.Fprintf(&b, "\n      %s: %s", n.Target, n.HTML)
		}
	}
	return b.String()
}

// reflow lays the page out 320 px wide and reports horizontal scrolling,
// naming the elements that stick out; the viewport is restored after.
func (j *journey) reflow() (string, error) {
	err := j.d.cdp(j, "Emulation.setDeviceMetricsOverride",
		map[string]any{"width": reflowWidth, "height": 640, "deviceScaleFactor": 1, "mobile": false})
	if err != nil {
		return "", err
	}
	defer j.d.cdp(j, "Emulation.clearDeviceMetricsOverride", map[string]any{})
	var m struct {
		Scroll, Inner int
		Wide          []string
	}
	if err := j.d.execute(j.ctx, overflow, &m); err != nil {
		return "", err
	}
	if m.Inner != reflowWidth {
		return "", fmt.Errorf("the viewport is %d px wide, not %d", m.Inner, reflowWidth)
	}
	if m.Scroll <= m.Inner {
		return "", nil
	}
	return fmt.Sprintf("  at %d px wide the page is %d px wide: it scrolls sideways (RGAA 10.11); sticking out: %s",
		m.Inner, m.Scroll, strings.Join(m.Wide, ", ")), nil
}

var (
	reportMu      sync.Mutex
	reportStarted bool
)

// record adds a line to build/e2e/a11y.txt, which each run starts anew.
func (j *journey) record(line string) {
	reportMu.Lock()
	defer reportMu.Unlock()
	flags := os.O_CREATE | os.O_APPEND | os.O_WRONLY
	if !reportStarted {
		flags |= os.O_TRUNC
		reportStarted = true
	}
	f, err := os.OpenFile(filepath.Join(j.out, "a11y.txt"), flags, 0o644)
	if err != nil {
		return
	}
	defer f.Close()
	_, _ = f.WriteString(line)
}
