package fchttp_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect"
	"github.com/go-franceconnect/franceconnect/fchttp"
	"github.com/go-franceconnect/franceconnect/fctest"
)

const (
	site     = "https://fs.example.fr"
	clientID = "fchttp-fs"
	secret   = "fchttp-secret-0123456789abcdef0123456789"
)

// env is an emulator with the FS registered for site.
type env struct {
	t    *testing.T
	emu  *fctest.Server
	key  franceconnect.Key
	ring [][]byte // the default session key ring
}

func newEnv(t *testing.T) *env {
	t.Helper()
	return newEnvWith(t, fctest.Options{})
}

// newEnvWith is newEnv with an emulator started with opts.
func newEnvWith(t *testing.T, opts fctest.Options) *env {
	t.Helper()
	e := &env{t: t, emu: fctest.New(t, opts), ring: [][]byte{newKey()}}
	var err error
	e.key, err = franceconnect.GenerateKey(franceconnect.ECDHES, "")
	require.NoError(t, err)
	jwks, err := franceconnect.PublicJWKS([]franceconnect.Key{e.key})
	require.NoError(t, err)
	require.NoError(t, e.emu.Register(fctest.Registration{
		ID: clientID, Secret: secret, Name: "FS de test",
		RedirectURIs: []string{site + "/callback"}, PostLogoutRedirectURIs: []string{site + "/logout-callback"},
		AllowAMR: true, JWKS: jwks,
	}))
	return e
}

func newKey() []byte {
	k := make([]byte, fchttp.KeySize)
	_, _ = rand.Read(k)
	return k
}

// client is a new franceconnect.Client for the registered FS: one per
// instance, as in separate processes.
func (e *env) client() *franceconnect.Client {
	e.t.Helper()
	return e.clientWith(nil)
}

// clientWith is client with its Config changed by edit.
func (e *env) clientWith(edit func(*franceconnect.Config)) *franceconnect.Client {
	e.t.Helper()
	cfg := franceconnect.Config{
		Issuer: e.emu.Issuer(), ClientID: clientID, ClientSecret: secret,
		RedirectURL: site + "/callback", PostLogoutRedirectURL: site + "/logout-callback",
		Scopes: []string{"openid", "given_name", "family_name", "birthdate"}, DecryptionKeys: []franceconnect.Key{e.key},
	}
	if edit != nil {
		edit(&cfg)
	}
	c, err := franceconnect.New(context.Background(), cfg)
	require.NoError(e.t, err)
	return c
}

// app is one instance of the FS: the fchttp routes and two pages.
type app struct {
	fc       *fchttp.Handler
	mux      *http.ServeMux
	requests atomic.Int64
}

func (a *app) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.requests.Add(1)
	a.mux.ServeHTTP(w, r)
}

// newApp builds an instance whose Config is the default one changed by edit.
func (e *env) newApp(edit func(*fchttp.Config)) *app {
	e.t.Helper()
	cfg := fchttp.Config{
		Client: e.client(), SessionKeys: e.ring,
		OnLogin: func(w http.ResponseWriter, r *http.Request, l *franceconnect.Login) (any, error) {
			return l.Identity.GivenName, nil
		},
	}
	if edit != nil {
		edit(&cfg)
	}
	fc, err := fchttp.New(cfg)
	require.NoError(e.t, err)
	return mount(fc)
}

// mount serves fc's routes and the app's two pages.
func mount(fc *fchttp.Handler) *app {
	a := &app{fc: fc, mux: http.NewServeMux()}
	fc.Register(a.mux)
	a.mux.HandleFunc("GET /{$}", a.page)
	a.mux.HandleFunc("GET /compte", a.page)
	return a
}

// page shows who is signed in with the logout form, or the login link and
// form.
func (a *app) page(w http.ResponseWriter, r *http.Request) {
	u, err := a.fc.User(w, r)
	switch {
	case err != nil:
		http.Error(w, "store unavailable", http.StatusServiceUnavailable)
	case u == nil:
		fmt.Fprint(w, `<p>Anonyme</p><a href="/login?next=/compte">Se connecter</a>
<form method="post" action="/login"><input type="radio" name="acr" value="eidas2" checked>
<input type="radio" name="acr" value="eidas3"><button>S'identifier avec FranceConnect+</button></form>`)
	default:
		fmt.Fprintf(w, `<p>Bonjour %s (%s)</p><form method="post" action="/logout"><button>Se déconnecter</button></form>`,
			html.EscapeString(dataOf(u)), u.ACR)
	}
}

// stringOfJSONSize is a string of quotes, "<", "&" and accents that takes
// n bytes in JSON: 2 for the quotes around it, 6 for each `"<&é` (a quote
// is escaped, é takes two bytes), then padding.
func stringOfJSONSize(n int) string {
	n -= 2
	return strings.Repeat("\"<&é", n/6) + strings.Repeat("x", n%6)
}

// dataOf is the string OnLogin kept.
func dataOf(u *fchttp.User) string {
	var s string
	if err := u.Decode(&s); err != nil {
		return "<" + err.Error() + ">"
	}
	return s
}

// userOf is Handler.User for a request carrying the session cookie value.
func userOf(t *testing.T, fc *fchttp.Handler, value string) *fchttp.User {
	t.Helper()
	return userAt(t, fc, &value)
}

// userAt is userOf for a browser that keeps *value up to date with the
// cookie the Handler sets.
func userAt(t *testing.T, fc *fchttp.Handler, value *string) *fchttp.User {
	t.Helper()
	return userNamed(t, fc, "__Host-fs_session", value)
}

// userNamed is userAt for the cookie named name.
func userNamed(t *testing.T, fc *fchttp.Handler, name string, value *string) *fchttp.User {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, site+"/", nil)
	require.NoError(t, err)
	req.AddCookie(&http.Cookie{Name: name, Value: *value})
	rec := httptest.NewRecorder()
	user, err := fc.User(rec, req)
	require.NoError(t, err)
	for _, c := range rec.Result().Cookies() {
		if c.Name == name {
			*value = c.Value
		}
	}
	return user
}

// user is a scripted user of h, served in-process at site.
func (e *env) user(h http.Handler) *fctest.Visitor {
	e.t.Helper()
	u, err := e.emu.NewHandlerVisitor(h, site)
	require.NoError(e.t, err)
	return u
}

// signIn logs u in as camille from the home page and returns the signed-in
// page.
func signIn(t *testing.T, u *fctest.Visitor) *fctest.Response {
	t.Helper()
	return signInAs(t, u, "camille", "Bonjour Camille Hélène")
}

// signInAs logs u in as login from the home page and returns the signed-in
// page, which must contain greeting.
func signInAs(t *testing.T, u *fctest.Visitor, login, greeting string) *fctest.Response {
	t.Helper()
	ctx := context.Background()
	cb, err := u.SignIn(ctx, "/", login)
	require.NoError(t, err)
	require.Equal(t, http.StatusSeeOther, cb.Status, cb.Body)
	page, err := u.Follow(ctx, cb)
	require.NoError(t, err)
	require.Contains(t, page.Body, greeting)
	return page
}

// sessionCookie returns the value of the session cookie u holds for site.
func sessionCookie(t *testing.T, u *fctest.Visitor) string {
	t.Helper()
	base, _ := url.Parse(site)
	for _, c := range u.HTTPClient().Jar.Cookies(base) {
		if c.Name == "__Host-fs_session" {
			return c.Value
		}
	}
	return ""
}

// setSessionCookie replaces the session cookie u holds for site.
func setSessionCookie(u *fctest.Visitor, value string) {
	base, _ := url.Parse(site)
	u.HTTPClient().Jar.SetCookies(base, []*http.Cookie{{Name: "__Host-fs_session", Value: value, Path: "/", Secure: true}})
}

// requireProblem checks an error page: status, French category names, and
// nothing about the person.
func requireProblem(t *testing.T, r *fctest.Response, status int, names ...string) {
	t.Helper()
	require.Equal(t, status, r.Status, r.Body)
	require.Equal(t, "text/html; charset=utf-8", r.Header.Get("Content-Type"))
	require.Equal(t, "no-store", r.Header.Get("Cache-Control"))
	body := html.UnescapeString(r.Body)
	require.Contains(t, body, "Retour à l'accueil")
	require.Regexp(t, `<title>[^<]+ – fs\.example\.fr</title>`, body, "the title names the site")
	require.Regexp(t, `Référence de l'incident : <strong id="reference">[0-9A-Z]{4}-[0-9A-Z]{4}</strong>`, body)
	for _, n := range names {
		require.Contains(t, body, "<code>"+n)
	}
	for _, leak := range []string{"Camille", "ARNAUD", "1984", "camille.arnaud", "eyJ"} {
		require.NotContains(t, body, leak, "an error page shows no identity data and no token")
	}
}

// clock is a settable time source for fchttp.Config.Now.
type clock struct{ offset atomic.Int64 }

func (c *clock) Now() time.Time { return time.Now().Add(time.Duration(c.offset.Load())) }

func (c *clock) Advance(d time.Duration) { c.offset.Add(int64(d)) }

// query returns the query of r's Location.
func query(t *testing.T, r *fctest.Response) url.Values {
	t.Helper()
	loc := r.Location()
	require.NotNil(t, loc, "HTTP %d is not a redirect", r.Status)
	return loc.Query()
}

// isAuthorize reports whether r redirects to the emulator's authorize.
func (e *env) isAuthorize(r *fctest.Response) bool {
	loc := r.Location()
	return loc != nil && strings.HasPrefix(loc.String(), e.emu.Issuer()+"/authorize?")
}

// mustOpen opens path and returns the page.
func mustOpen(t *testing.T, u *fctest.Visitor, path string) *fctest.Response {
	t.Helper()
	r, err := u.Open(context.Background(), path)
	require.NoError(t, err)
	return r
}

// readAll reads a response body.
func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(b)
}

func itoa(n int) string { return strconv.Itoa(n) }
