//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"
)

// elementKey is the W3C web element identifier.
const elementKey = "element-6066-11e4-a52e-4f735466cecf"

// webDriver is a minimal W3C WebDriver client for one session.
type webDriver struct {
	base    string // chromedriver URL
	session string
	client  *http.Client
}

// wdError is an error answered by the driver.
type wdError struct {
	Status  int
	Code    string `json:"error"`
	Message string `json:"message"`
}

func (e *wdError) Error() string {
	msg, _, _ := strings.Cut(e.Message, "\n")
	return fmt.Sprintf("webdriver: HTTP %d %s: %s", e.Status, e.Code, msg)
}

// call sends one command; body is JSON-encoded when not nil and the "value"
// member of the answer is decoded into out when not nil.
func (d *webDriver) call(ctx context.Context, method, path string, body, out any) error {
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, d.base+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := d.client.Do(req)
	if err != nil {
		return fmt.Errorf("webdriver: %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return err
	}
	var envelope struct {
		Value json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal(raw, &envelope); err != nil {
		return fmt.Errorf("webdriver: %s %s: HTTP %d, undecodable answer", method, path, resp.StatusCode)
	}
	if resp.StatusCode != http.StatusOK {
		e := &wdError{Status: resp.StatusCode}
		_ = json.Unmarshal(envelope.Value, e)
		return e
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(envelope.Value, out)
}

// newSession starts headless Chromium with a fresh profile.
func newSession(ctx context.Context, base, binary, profile string) (*webDriver, error) {
	d := &webDriver{base: base, client: &http.Client{}}
	caps := map[string]any{"capabilities": map[string]any{"alwaysMatch": map[string]any{
		"browserName":      "chrome",
		"pageLoadStrategy": "normal",
		"timeouts":         map[string]int{"pageLoad": 30000, "script": 10000, "implicit": 0},
		"goog:chromeOptions": map[string]any{
			"binary": binary,
			"args": []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
				"--disable-background-networking", "--disable-component-update", "--disable-sync",
				"--window-size=1280,900", "--user-data-dir=" + profile},
		},
	}}}
	var created struct {
		SessionID string `json:"sessionId"`
	}
	if err := d.call(ctx, http.MethodPost, "/session", caps, &created); err != nil {
		return nil, err
	}
	d.session = "/session/" + created.SessionID
	return d, nil
}

func (d *webDriver) quit(ctx context.Context) error {
	return d.call(ctx, http.MethodDelete, d.session, nil, nil)
}

func (d *webDriver) navigate(ctx context.Context, url string) error {
	return d.call(ctx, http.MethodPost, d.session+"/url", map[string]string{"url": url}, nil)
}

func (d *webDriver) currentURL(ctx context.Context) (string, error) {
	var u string
	err := d.call(ctx, http.MethodGet, d.session+"/url", nil, &u)
	return u, err
}

func (d *webDriver) title(ctx context.Context) (string, error) {
	var s string
	err := d.call(ctx, http.MethodGet, d.session+"/title", nil, &s)
	return s, err
}

func (d *webDriver) source(ctx context.Context) (string, error) {
	var s string
	err := d.call(ctx, http.MethodGet, d.session+"/source", nil, &s)
	return s, err
}

// find returns the id of the first element matching a CSS selector.
func (d *webDriver) find(ctx context.Context, css string) (string, error) {
	var el map[string]string
	err := d.call(ctx, http.MethodPost, d.session+"/element", map[string]string{"using": "css selector", "value": css}, &el)
	if err != nil {
		return "", err
	}
	if el[elementKey] == "" {
		return "", errors.New("webdriver: answer without element id")
	}
	return el[elementKey], nil
}

func (d *webDriver) click(ctx context.Context, id string) error {
	return d.call(ctx, http.MethodPost, d.session+"/element/"+id+"/click", map[string]any{}, nil)
}

func (d *webDriver) text(ctx context.Context, id string) (string, error) {
	var s string
	err := d.call(ctx, http.MethodGet, d.session+"/element/"+id+"/text", nil, &s)
	return s, err
}

func (d *webDriver) cssValue(ctx context.Context, id, property string) (string, error) {
	var s string
	err := d.call(ctx, http.MethodGet, d.session+"/element/"+id+"/css/"+property, nil, &s)
	return s, err
}

type rect struct{ X, Y, Width, Height float64 }

func (d *webDriver) rect(ctx context.Context, id string) (rect, error) {
	var r rect
	err := d.call(ctx, http.MethodGet, d.session+"/element/"+id+"/rect", nil, &r)
	return r, err
}

// hover moves the mouse pointer to the centre of an element.
func (d *webDriver) hover(ctx context.Context, id string) error {
	move := map[string]any{"actions": []any{map[string]any{
		"type": "pointer", "id": "mouse", "parameters": map[string]string{"pointerType": "mouse"},
		"actions": []any{map[string]any{"type": "pointerMove", "duration": 0, "x": 0, "y": 0,
			"origin": map[string]string{elementKey: id}}},
	}}}
	return d.call(ctx, http.MethodPost, d.session+"/actions", move, nil)
}

// execute runs a synchronous script (outside the page's CSP).
func (d *webDriver) execute(ctx context.Context, script string, out any) error {
	return d.call(ctx, http.MethodPost, d.session+"/execute/sync",
		map[string]any{"script": script, "args": []any{}}, out)
}

func (d *webDriver) setWindowSize(ctx context.Context, width, height int) error {
	return d.call(ctx, http.MethodPost, d.session+"/window/rect", map[string]int{"width": width, "height": height}, nil)
}

// screenshot saves a PNG of the whole page: the window is stretched to the
// page height first, then restored.
func (d *webDriver) screenshot(ctx context.Context, path string) error {
	var size struct{ Page, Chrome int }
	err := d.execute(ctx, "return {page: document.documentElement.scrollHeight, "+
		"chrome: window.outerHeight - window.innerHeight}", &size)
	if err != nil {
		return err
	}
	if err := d.setWindowSize(ctx, 1280, min(max(size.Page+size.Chrome, 900), 2400)); err != nil {
		return err
	}
	defer d.setWindowSize(ctx, 1280, 900)
	var b64 string
	if err := d.call(ctx, http.MethodGet, d.session+"/screenshot", nil, &b64); err != nil {
		return err
	}
	png, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return err
	}
	return os.WriteFile(path, png, 0o644)
}

// cookie is a cookie as WebDriver reads and writes it.
type cookie struct {
	Name     string `json:"name"`
	Value    string `json:"value"`
	Path     string `json:"path,omitempty"`
	HTTPOnly bool   `json:"httpOnly,omitempty"`
	SameSite string `json:"sameSite,omitempty"`
}

// cookieNamed reads the cookie name of the current page's site, HttpOnly
// ones included.
func (d *webDriver) cookieNamed(ctx context.Context, name string) (cookie, error) {
	var c cookie
	err := d.call(ctx, http.MethodGet, d.session+"/cookie/"+name, nil, &c)
	return c, err
}

// setCookie adds or replaces a cookie of the current page's site.
func (d *webDriver) setCookie(ctx context.Context, c cookie) error {
	return d.call(ctx, http.MethodPost, d.session+"/cookie", map[string]any{"cookie": c}, nil)
}
