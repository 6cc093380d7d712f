package fctest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect/fctest"
)

// fakeFS is a hand-written service provider for the Visitor to drive: it
// records what it receives and, on the callback, redeems the code to get a
// logout hint.
type fakeFS struct {
	e        *env
	base     string
	redirect string // registered callback of this FS
	mu       sync.Mutex
	seen     map[string]*http.Request // last request per path
	forms    map[string]url.Values
	hint     string
}

func newFakeFS(e *env, base string) *fakeFS {
	return &fakeFS{e: e, base: base, redirect: callbackURL, seen: map[string]*http.Request{}, forms: map[string]url.Values{}}
}

var fakePages = template.Must(template.New("home").Parse(`<html><body>
<a class="x" href='/login'>Se connecter</a>
<form method="post" action="/login"><input type="hidden" name="csrf" value="t&amp;k">
<input type=radio name=acr value=eidas2 checked><input type="radio" name="acr" value="eidas3">
<input type="checkbox" name="remember"><input type="text" name="q" value="">
<button type="submit" name="go" value="1">OK</button><button name="other" value="2">Non</button></form>
<form method="post" action="/logout"><input type="hidden" name="csrf" value="tok"><button>Se déconnecter</button></form>
</body></html>`))

// doorsPage has two login forms, each with radios outside it that name it
// (the form attribute), one radio inside the first that names the second,
// and one that names no form of the page; a radio of the second has an
// empty value, a box of the second no value attribute.
const doorsPage = `<fieldset><input type="radio" name="acr" value="eidas2" form="a-login" checked>
<input type="radio" name="acr" value="eidas3" form="a-login"></fieldset>
<form id="a-login" method="post" action="/a/login"><input type="hidden" name="csrf" value="a">
<input type="hidden" name="next" value="/b/" form="b-login"><button>FranceConnect+</button></form>
<input type="radio" name="acr" value="eidas1 eidas1-mfa" form="b-login" checked>
<input type="radio" name="level" value="" form="b-login" checked><input type="checkbox" name="remember" form="b-login" checked>
<input type="hidden" name="lost" value="1" form="nowhere">
<form id="b-login" method="post" action="/b/login"><input type="hidden" name="csrf" value="b"><button>ProConnect</button></form>`

func (f *fakeFS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	f.mu.Lock()
	f.seen[r.URL.Path], f.forms[r.URL.Path] = r, r.PostForm
	f.mu.Unlock()
	switch r.URL.Path {
	case "/":
		_ = fakePages.Execute(w, nil)
	case "/login":
		http.Redirect(w, r, f.e.srv.Issuer()+"/authorize?"+f.e.params("redirect_uri", f.redirect).Encode(), http.StatusSeeOther)
	case "/login-post": // the POST variant: a page whose form posts to authorize
		fmt.Fprintf(w, `<form method="post" action="%s/authorize">`, f.e.srv.Issuer())
		for k, v := range f.e.params("redirect_uri", f.redirect) {
			fmt.Fprintf(w, `<input type="hidden" name="%s" value="%s">`, k, template.HTMLEscapeString(v[0]))
		}
		fmt.Fprint(w, `</form>`)
	case "/doors":
		fmt.Fprint(w, doorsPage)
	case "/oidc-callback", "/cb":
		if code := r.URL.Query().Get("code"); code != "" {
			tokens := f.exchange(code)
			f.mu.Lock()
			f.hint, _ = f.e.open(tokens["id_token"].(string))
			f.mu.Unlock()
		}
		fmt.Fprint(w, `<p>callback</p><form method="post" action="/logout"><button>Se déconnecter</button></form>`)
	case "/logout":
		f.mu.Lock()
		q := url.Values{"id_token_hint": {f.hint}, "state": {testState}, "post_logout_redirect_uri": {logoutURL}}
		f.mu.Unlock()
		http.Redirect(w, r, f.e.srv.Issuer()+"/session/end?"+q.Encode(), http.StatusSeeOther)
	default:
		fmt.Fprintf(w, "page %s", r.URL.Path)
	}
}

func (f *fakeFS) exchange(code string) map[string]any {
	form := f.e.tokenForm(code)
	form.Set("redirect_uri", f.redirect)
	resp, body := f.e.post("/token", form)
	require.Equal(f.e.t, http.StatusOK, resp.StatusCode, string(body))
	var out map[string]any
	require.NoError(f.e.t, json.Unmarshal(body, &out))
	return out
}

// newFakeVisitor is a visitor of a fake FS served in-process at https://fs.example.fr.
func newFakeVisitor(t *testing.T) (*env, *fakeFS, *fctest.Visitor) {
	t.Helper()
	e := newEnv(t, fctest.Options{}, nil)
	fs := newFakeFS(e, "https://fs.example.fr")
	u, err := e.srv.NewHandlerVisitor(fs, fs.base)
	require.NoError(t, err)
	return e, fs, u
}

func (f *fakeFS) request(path string) *http.Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.seen[path]
}

func TestVisitorJourneyInProcess(t *testing.T) {
	e, fs, u := newFakeVisitor(t)
	ctx := context.Background()

	home, err := u.Open(ctx, "/")
	require.NoError(t, err)
	assert.Equal(t, "none", fs.request("/").Header.Get("Sec-Fetch-Site"))
	require.NotNil(t, fs.request("/").TLS, "an https app sees TLS")
	start, err := u.StartLogin(ctx, home, nil) // the link comes first
	require.NoError(t, err)
	assert.Equal(t, http.MethodGet, fs.request("/login").Method)
	assert.Equal(t, "same-origin", fs.request("/login").Header.Get("Sec-Fetch-Site"))
	require.Equal(t, http.StatusSeeOther, start.Status)

	cb, err := u.ChooseIdentity(ctx, start, "camille")
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, cb.Status)
	assert.Equal(t, "/oidc-callback", cb.URL.Path)
	assert.Equal(t, testState, cb.URL.Query().Get("state"))
	assert.NotEmpty(t, cb.URL.Query().Get("code"))
	assert.Equal(t, e.srv.Issuer(), cb.URL.Query().Get("iss"))
	assert.Equal(t, "cross-site", fs.request("/oidc-callback").Header.Get("Sec-Fetch-Site"))

	out, err := u.Logout(ctx, cb)
	require.NoError(t, err)
	assert.Equal(t, "/logout-callback", out.URL.Path)
	assert.Equal(t, testState, out.URL.Query().Get("state"))
	assert.Equal(t, 1, e.srv.Requests("session/end"))
	lo := fs.request("/logout")
	assert.Equal(t, "https://fs.example.fr", lo.Header.Get("Origin"))
	assert.Equal(t, "same-origin", lo.Header.Get("Sec-Fetch-Site"))
}

func TestVisitorSubmitsForms(t *testing.T) {
	_, fs, u := newFakeVisitor(t)
	ctx := context.Background()
	home, err := u.Open(ctx, "/")
	require.NoError(t, err)

	_, err = u.Submit(ctx, home, "/login", url.Values{"acr": {"eidas3"}})
	require.NoError(t, err)
	assert.Equal(t, url.Values{"csrf": {"t&k"}, "acr": {"eidas3"}, "q": {""}, "go": {"1"}}, fs.forms["/login"],
		"hidden and text fields, the checked radio replaced, the unchecked box left out, the first named button")
	assert.Equal(t, "https://fs.example.fr", fs.request("/login").Header.Get("Origin"))

	doors, err := u.Open(ctx, "/doors")
	require.NoError(t, err)
	_, err = u.Submit(ctx, doors, "/a/login", nil)
	require.NoError(t, err)
	assert.Equal(t, url.Values{"acr": {"eidas2"}, "csrf": {"a"}}, fs.forms["/a/login"],
		"the checked radio that names the form, outside it; not the field inside it that names the other")
	_, err = u.Submit(ctx, doors, "/b/login", nil)
	require.NoError(t, err)
	assert.Equal(t, url.Values{"acr": {"eidas1 eidas1-mfa"}, "level": {""}, "remember": {"on"}, "csrf": {"b"}, "next": {"/b/"}},
		fs.forms["/b/login"], "the fields that name the form, wherever they are, not the one that names no form; "+
			"an empty value sent empty, \"on\" for a box without a value")

	page, err := u.Open(ctx, "/login-post")
	require.NoError(t, err)
	cb, err := u.ChooseIdentity(ctx, page, "substantiel") // auto-submitted POST to authorize
	require.NoError(t, err)
	assert.NotEmpty(t, cb.URL.Query().Get("code"))
}

func TestVisitorWithFaults(t *testing.T) {
	e, fs, u := newFakeVisitor(t)
	ctx := context.Background()

	e.srv.InjectFault(fctest.FaultAccessDenied)
	cb, err := u.SignIn(ctx, "/", "camille")
	require.NoError(t, err)
	assert.Equal(t, "access_denied", cb.URL.Query().Get("error"), "the fault reaches the app's callback")

	e.srv.InjectFault(fctest.FaultLogoutWrongState)
	cb, err = u.SignIn(ctx, "/", "camille")
	require.NoError(t, err)
	out, err := u.Logout(ctx, cb)
	require.NoError(t, err)
	assert.NotEqual(t, testState, out.URL.Query().Get("state"))

	fs.redirect = "https://fs.example.fr/unregistered"
	_, err = u.SignIn(ctx, "/", "camille")
	var pe *fctest.PageError
	require.ErrorAs(t, err, &pe, "the emulator's own error page")
	assert.Equal(t, "invalid_redirect_uri", pe.OAuthError)
	assert.Equal(t, http.StatusBadRequest, pe.Status)
}

// TestVisitorOverTheNetwork drives an app listening on a loopback port.
func TestVisitorOverTheNetwork(t *testing.T) {
	e := newEnv(t, fctest.Options{}, nil)
	fs := newFakeFS(e, "")
	srv := httptest.NewServer(fs)
	t.Cleanup(srv.Close)
	fs.base, fs.redirect = srv.URL, srv.URL+"/cb"
	c := e.client
	c.RedirectURIs = append(c.RedirectURIs, fs.redirect)
	require.NoError(t, e.srv.Register(c))
	u, err := e.srv.NewVisitor(srv.URL + "/ignored/path")
	require.NoError(t, err)
	cb, err := u.SignIn(context.Background(), "/", "camille")
	require.NoError(t, err)
	assert.Equal(t, srv.URL+"/cb", strings.Split(cb.URL.String(), "?")[0])
	assert.Equal(t, "same-site", fs.request("/cb").Header.Get("Sec-Fetch-Site"), "127.0.0.1 on two ports")
}

func TestVisitorErrors(t *testing.T) {
	e, _, u := newFakeVisitor(t)
	_, err := e.srv.NewVisitor("fs.example.fr")
	assert.Error(t, err)
	_, err = e.srv.NewHandlerVisitor(nil, "https://fs.example.fr")
	assert.Error(t, err)
	ctx := context.Background()

	other, err := u.Open(ctx, "/other")
	require.NoError(t, err)
	_, err = u.StartLogin(ctx, other, nil)
	assert.ErrorContains(t, err, "no link or form to /login")
	_, err = u.Submit(ctx, other, "/logout", nil)
	assert.ErrorContains(t, err, "no form with action")
	_, err = u.ChooseIdentity(ctx, other, "camille")
	assert.ErrorContains(t, err, "does not lead to the emulator")
	_, err = u.Follow(ctx, other)
	assert.ErrorContains(t, err, "not a redirect")
	home, err := u.Open(ctx, "/")
	require.NoError(t, err)
	start, err := u.StartLogin(ctx, home, nil)
	require.NoError(t, err)
	_, err = u.ChooseIdentity(ctx, start, "nobody")
	assert.ErrorContains(t, err, `no identity "nobody"`)
}
