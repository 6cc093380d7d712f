package fctest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"time"
)

// Visitor is a person using a web app and this emulator with one browser: one
// cookie jar for both, and no redirect following of its own. Each step
// sends what a browser sends (Origin and Sec-Fetch-Site with forms, so that
// checks such as http.CrossOriginProtection apply) and returns the app's
// response, for the test to assert on; inside the emulator it follows
// redirects and clicks like Browser. It works with InjectFault: a fault
// shows in the app's answer to the callback, or as a *PageError when the
// emulator stops on its own error page.
//
// A Visitor is for one goroutine at a time; use one per simulated person.
type Visitor struct {
	// LoginPath is the path of the app's link or form that starts a login.
	// Zero: "/login".
	LoginPath string
	// LogoutPath is the action of the app's logout form. Zero: "/logout".
	LogoutPath string

	s      *Server
	app    *url.URL
	client *http.Client
}

// Response is one answer the Visitor received, its body read.
type Response struct {
	// Method and URL are those of the request.
	Method string
	URL    *url.URL
	// Status, Header and Body are those of the answer.
	Status int
	Header http.Header
	Body   string
}

// Location returns the redirect target resolved against the request URL,
// or nil when the response is not a redirect.
func (r *Response) Location() *url.URL {
	if r.Status < 300 || r.Status > 399 || r.Header.Get("Location") == "" {
		return nil
	}
	loc, err := r.URL.Parse(r.Header.Get("Location"))
	if err != nil {
		return nil
	}
	return loc
}

// NewVisitor returns a visitor of the app served at baseURL, such as an
// httptest.Server's URL or a running site: requests go over the network.
// To reach a TLS test server, set HTTPClient().Transport to the server's.
func (s *Server) NewVisitor(baseURL string) (*Visitor, error) {
	return s.newVisitor(nil, baseURL)
}

// NewHandlerVisitor returns a visitor of app, served in-process as if it were at
// baseURL (the origin of the app's registered redirect URL, e.g.
// "https://fs.example.fr"): requests to that origin call app.ServeHTTP,
// with r.TLS set for https; requests elsewhere, to the emulator, go over
// the network. No listener is needed.
func (s *Server) NewHandlerVisitor(app http.Handler, baseURL string) (*Visitor, error) {
	if app == nil {
		return nil, errors.New("fctest: NewHandlerVisitor needs an http.Handler")
	}
	return s.newVisitor(app, baseURL)
}

func (s *Server) newVisitor(app http.Handler, baseURL string) (*Visitor, error) {
	base, err := url.Parse(baseURL)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("fctest: app base URL %q is not an absolute http(s) URL", baseURL)
	}
	base = &url.URL{Scheme: base.Scheme, Host: base.Host}
	jar, _ := cookiejar.New(nil) // never fails with nil options
	var tr http.RoundTripper = &http.Transport{Proxy: nil, DisableKeepAlives: true}
	if app != nil {
		tr = &inProcess{app: app, origin: base.String(), next: tr}
	}
	return &Visitor{s: s, app: base, client: &http.Client{
		Jar: jar, Transport: tr, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}, nil
}

// HTTPClient returns the visitor's HTTP client: its cookie jar holds the app's and
// the emulator's cookies, and it does not follow redirects.
func (u *Visitor) HTTPClient() *http.Client { return u.client }

// Open navigates to target, a path of the app or an absolute URL, as when
// typed in the address bar.
func (u *Visitor) Open(ctx context.Context, target string) (*Response, error) {
	to, err := u.app.Parse(target)
	if err != nil {
		return nil, fmt.Errorf("fctest: invalid URL %q: %w", target, err)
	}
	return u.do(ctx, http.MethodGet, to, nil, nil)
}

// Follow navigates to the Location of a redirect.
func (u *Visitor) Follow(ctx context.Context, r *Response) (*Response, error) {
	loc := r.Location()
	if loc == nil {
		return nil, fmt.Errorf("fctest: HTTP %d from %s is not a redirect", r.Status, r.URL)
	}
	return u.do(ctx, http.MethodGet, loc, nil, r.URL)
}

// Submit submits the form of page whose action is action (a path or URL,
// resolved against the page), with its fields as a browser sends them
// (hidden and text inputs, checked boxes and radios, the first named submit
// button) and fields replacing values of the same name.
func (u *Visitor) Submit(ctx context.Context, page *Response, action string, fields url.Values) (*Response, error) {
	want, err := page.URL.Parse(action)
	if err != nil {
		return nil, fmt.Errorf("fctest: invalid form action %q: %w", action, err)
	}
	for _, f := range parseForms(page.Body) {
		if to := f.target(page.URL); to != nil && sameResource(to, want) {
			return u.submit(ctx, page, f, -1, fields)
		}
	}
	return nil, fmt.Errorf("fctest: no form with action %s on %s", action, page.URL)
}

// StartLogin starts a login from page with the first link or form to
// LoginPath: it follows the link, or submits the form with fields (for
// example {"acr": {"eidas3"}}; hidden fields such as a CSRF token are sent
// as they are). It returns the app's answer, normally a redirect to the
// emulator.
func (u *Visitor) StartLogin(ctx context.Context, page *Response, fields url.Values) (*Response, error) {
	want := u.app.ResolveReference(&url.URL{Path: cmp.Or(u.LoginPath, "/login")})
	var form *htmlForm
	for _, f := range parseForms(page.Body) {
		if to := f.target(page.URL); to != nil && samePath(to, want) {
			form = &f
			break
		}
	}
	for _, l := range parseLinks(page.Body) {
		if to, err := page.URL.Parse(l.href); err == nil && samePath(to, want) && (form == nil || l.pos < form.pos) {
			return u.do(ctx, http.MethodGet, to, nil, page.URL)
		}
	}
	if form != nil {
		return u.submit(ctx, page, *form, -1, fields)
	}
	return nil, fmt.Errorf("fctest: no link or form to %s on %s", want.Path, page.URL)
}

// ChooseIdentity takes r, the app's answer that sends the browser to the
// emulator (a redirect to authorize, or a page whose form posts there),
// follows the emulator to the identity-choice page, clicks the identity
// with the given Login handle, and opens the app URL the emulator sends the
// browser back to: it returns the app's answer to its callback. An error
// redirected by the emulator comes back the same way; an emulator error
// page is a *PageError.
func (u *Visitor) ChooseIdentity(ctx context.Context, r *Response, login string) (*Response, error) {
	page, back, err := u.intoEmulator(ctx, r)
	if err != nil || back != nil {
		return back, err
	}
	if page.Status != http.StatusOK || !strings.Contains(page.URL.Path, "/interaction/") {
		return nil, emulatorFailure(page)
	}
	for _, f := range parseForms(page.Body) {
		if i := f.control("login-" + login); i >= 0 {
			next, back, err := u.within(ctx, http.MethodPost, f.target(page.URL), f.values(i, nil), page.URL)
			if err != nil || back != nil {
				return back, err
			}
			return nil, emulatorFailure(next)
		}
	}
	return nil, fmt.Errorf("fctest: no identity %q on the identity-choice page", login)
}

// Logout submits page's form to LogoutPath, follows the app's redirect
// through the emulator's session/end, and returns the app's answer to its
// logout callback.
func (u *Visitor) Logout(ctx context.Context, page *Response) (*Response, error) {
	r, err := u.Submit(ctx, page, cmp.Or(u.LogoutPath, "/logout"), nil)
	if err != nil {
		return nil, err
	}
	end, back, err := u.intoEmulator(ctx, r)
	if err != nil || back != nil {
		return back, err
	}
	return nil, emulatorFailure(end)
}

// SignIn opens path, starts the login and picks the identity login on the
// emulator: it returns the app's answer to its callback.
func (u *Visitor) SignIn(ctx context.Context, path, login string) (*Response, error) {
	page, err := u.Open(ctx, path)
	if err != nil {
		return nil, err
	}
	r, err := u.StartLogin(ctx, page, nil)
	if err != nil {
		return nil, err
	}
	return u.ChooseIdentity(ctx, r, login)
}

// emulated reports whether to is a URL of the emulator.
func (u *Visitor) emulated(to *url.URL) bool {
	return originOf(to) == u.s.url && (to.Path == apiPrefix || strings.HasPrefix(to.Path, apiPrefix+"/"))
}

// intoEmulator follows r into the emulator: its redirect, or the form it
// auto-submits there. It returns the emulator page where navigation
// stopped, or the app's answer when the emulator sent the browser back.
func (u *Visitor) intoEmulator(ctx context.Context, r *Response) (*Response, *Response, error) {
	if r == nil {
		return nil, nil, errors.New("fctest: no response to follow")
	}
	if loc := r.Location(); loc != nil && u.emulated(loc) {
		return u.within(ctx, http.MethodGet, loc, nil, r.URL)
	}
	for _, f := range parseForms(r.Body) {
		if to := f.target(r.URL); r.Status == http.StatusOK && to != nil && u.emulated(to) {
			return u.within(ctx, f.method, to, f.values(-1, nil), r.URL)
		}
	}
	return nil, nil, fmt.Errorf("fctest: the app's HTTP %d answer to %s %s does not lead to the emulator", r.Status, r.Method, r.URL.Path)
}

// within sends a request to the emulator and follows its redirects while
// they stay there. When one leaves for the app, it opens that URL and
// returns the app's answer as back; otherwise it returns the emulator page.
func (u *Visitor) within(ctx context.Context, method string, to *url.URL, form url.Values, from *url.URL) (page, back *Response, err error) {
	for range 10 {
		r, err := u.do(ctx, method, to, form, from)
		if err != nil {
			return nil, nil, err
		}
		loc := r.Location()
		switch {
		case loc == nil:
			return r, nil, nil
		case !u.emulated(loc):
			if loc.Scheme+"://"+loc.Host != u.app.String() {
				return nil, nil, fmt.Errorf("fctest: the emulator sent the browser to %s, outside the app %s", loc.Redacted(), u.app)
			}
			back, err := u.do(ctx, http.MethodGet, loc, nil, r.URL)
			return nil, back, err
		}
		method, to, form, from = http.MethodGet, loc, nil, r.URL
	}
	return nil, nil, errors.New("fctest: too many redirects in the emulator")
}

// emulatorFailure describes an emulator page where the journey stopped: a
// *PageError for the emulator's error pages, as Browser reports them.
func emulatorFailure(page *Response) error {
	ct, _, _ := mime.ParseMediaType(page.Header.Get("Content-Type"))
	l := &landing{url: page.URL, status: page.Status, body: []byte(page.Body), html: ct == "text/html"}
	return l.failure()
}

// submit sends form f of page, clicking its control number clicked (-1:
// the first submit button).
func (u *Visitor) submit(ctx context.Context, page *Response, f htmlForm, clicked int, fields url.Values) (*Response, error) {
	return u.do(ctx, f.method, f.target(page.URL), f.values(clicked, fields), page.URL)
}

// do sends one request as a browser navigation from the page at from (nil:
// typed in the address bar) and reads the answer.
func (u *Visitor) do(ctx context.Context, method string, to *url.URL, form url.Values, from *url.URL) (*Response, error) {
	target := *to
	var body io.Reader
	if form != nil && method == http.MethodGet {
		target.RawQuery = form.Encode()
	} else if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, target.String(), body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "text/html")
	req.Header.Set("Sec-Fetch-Mode", "navigate")
	req.Header.Set("Sec-Fetch-Dest", "document")
	req.Header.Set("Sec-Fetch-Site", fetchSite(from, &target))
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", originOf(from))
	}
	resp, err := u.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return nil, err
	}
	return &Response{Method: method, URL: &target, Status: resp.StatusCode, Header: resp.Header, Body: string(b)}, nil
}

// fetchSite is the Sec-Fetch-Site of a navigation from one page to a URL.
func fetchSite(from, to *url.URL) string {
	switch {
	case from == nil:
		return "none"
	case originOf(from) == originOf(to):
		return "same-origin"
	case from.Scheme == to.Scheme && from.Hostname() == to.Hostname():
		return "same-site"
	}
	return "cross-site"
}

func originOf(u *url.URL) string {
	if u == nil {
		return "null"
	}
	return u.Scheme + "://" + u.Host
}

func samePath(a, b *url.URL) bool { return originOf(a) == originOf(b) && a.Path == b.Path }

func sameResource(a, b *url.URL) bool { return samePath(a, b) && a.RawQuery == b.RawQuery }
