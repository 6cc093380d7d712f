package fchttp_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect"
	"github.com/go-franceconnect/franceconnect/fchttp"
	"github.com/go-franceconnect/franceconnect/fctest"
)

func TestNewValidatesConfig(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	for _, tt := range []struct {
		name string
		cfg  fchttp.Config
	}{
		{"no client", fchttp.Config{SessionKeys: e.ring}},
		{"no keys nor store", fchttp.Config{Client: c}},
		{"store and revocations", fchttp.Config{Client: c, SessionKeys: e.ring, Store: newMemStore(), Revocations: newMemRevocations()}},
		{"store without keys", fchttp.Config{Client: c, Store: newMemStore()}},
		{"short key", fchttp.Config{Client: c, SessionKeys: [][]byte{make([]byte, 16)}}},
		{"second key short", fchttp.Config{Client: c, SessionKeys: [][]byte{newKey(), make([]byte, 31)}}},
		{"relative login path", fchttp.Config{Client: c, SessionKeys: e.ring, LoginPath: "login"}},
		{"wildcard path", fchttp.Config{Client: c, SessionKeys: e.ring, LogoutPath: "/{x}"}},
		{"login on the callback", fchttp.Config{Client: c, SessionKeys: e.ring, LoginPath: "/callback", LogoutPath: "/callback"}},
		{"keys on the login path", fchttp.Config{Client: c, SessionKeys: e.ring, KeysPath: "/login",
			DecryptionKeys: []franceconnect.Key{e.key}}},
		{"home on another host", fchttp.Config{Client: c, SessionKeys: e.ring, HomePath: "//evil.example/"}},
		{"logged out elsewhere", fchttp.Config{Client: c, SessionKeys: e.ring, LoggedOutPath: "https://evil.example/"}},
		{"keys path without keys", fchttp.Config{Client: c, SessionKeys: e.ring, KeysPath: "/keys"}},
		{"keys without path", fchttp.Config{Client: c, SessionKeys: e.ring, DecryptionKeys: []franceconnect.Key{e.key}}},
		{"state preset", fchttp.Config{Client: c, SessionKeys: e.ring, AuthRequest: franceconnect.AuthRequest{State: "x"}}},
		{"prompt preset", fchttp.Config{Client: c, SessionKeys: e.ring, AuthRequest: franceconnect.AuthRequest{PromptLogin: true}}},
		{"cookie name with a prefix", fchttp.Config{Client: c, SessionKeys: e.ring, CookieName: "__Host-x"}},
		{"cookie name with a space", fchttp.Config{Client: c, SessionKeys: e.ring, CookieName: "fs session"}},
		{"cookie name too long", fchttp.Config{Client: c, SessionKeys: e.ring, CookieName: strings.Repeat("c", 25)}},
		{"weak key", fchttp.Config{Client: c, SessionKeys: [][]byte{make([]byte, fchttp.KeySize)}}},
		{"key twice", fchttp.Config{Client: c, SessionKeys: [][]byte{e.ring[0], e.ring[0]}}},
		{"subject preset", fchttp.Config{Client: c, SessionKeys: e.ring, AuthRequest: franceconnect.AuthRequest{Subject: "someone"}}},
		{"short lifetime", fchttp.Config{Client: c, SessionKeys: e.ring, SessionLifetime: 1}},
		{"bad trusted origin", fchttp.Config{Client: c, SessionKeys: e.ring, TrustedOrigins: []string{"fs.example.fr"}}},
		{"bad sector URL", fchttp.Config{Client: c, SessionKeys: e.ring, SectorIdentifierPath: "/sector",
			SectorRedirectURLs: []string{"http://fs.example.fr/cb"}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h, err := fchttp.New(tt.cfg)
			require.ErrorIs(t, err, franceconnect.ErrConfig)
			assert.Nil(t, h)
		})
	}
}

func TestRoutesAndDocuments(t *testing.T) {
	e := newEnv(t)
	a := e.newApp(func(c *fchttp.Config) {
		c.LoginPath, c.LogoutPath = "/connexion", "/deconnexion"
		c.KeysPath, c.DecryptionKeys = "/client/keys", []franceconnect.Key{e.key}
		c.SectorIdentifierPath = "/sector.json"
	})
	assert.Equal(t, []string{"GET /connexion", "POST /connexion", "GET /callback", "POST /deconnexion",
		"GET /logout-callback", "GET /client/keys", "GET /sector.json"}, a.fc.Patterns())
	u := e.user(a)
	keys := mustOpen(t, u, "/client/keys")
	require.Equal(t, http.StatusOK, keys.Status)
	var set struct{ Keys []map[string]any }
	require.NoError(t, json.Unmarshal([]byte(keys.Body), &set))
	require.Len(t, set.Keys, 1)
	assert.Equal(t, e.key.ID, set.Keys[0]["kid"])
	assert.NotContains(t, set.Keys[0], "d", "never the private part")
	sector := mustOpen(t, u, "/sector.json")
	require.Equal(t, http.StatusOK, sector.Status)
	assert.JSONEq(t, `["`+site+`/callback"]`, sector.Body)

	u.LoginPath, u.LogoutPath = "/connexion", "/deconnexion"
	home := mustOpen(t, u, "/login")
	assert.Equal(t, http.StatusNotFound, home.Status, "the default paths are not served")
	r, err := u.Open(context.Background(), "/connexion")
	require.NoError(t, err)
	require.True(t, e.isAuthorize(r))
	rec := httptest.NewRecorder()
	a.fc.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, site+"/elsewhere", nil))
	assert.Equal(t, http.StatusNotFound, rec.Code)
}

// TestPlainHTTPOnLoopback checks the cookie of an FS served over http on a
// loopback host, as during development: no __Host- prefix, no Secure.
func TestPlainHTTPOnLoopback(t *testing.T) {
	e := newEnv(t)
	const local = "http://localhost:8080"
	jwks, err := franceconnect.PublicJWKS([]franceconnect.Key{e.key})
	require.NoError(t, err)
	require.NoError(t, e.emu.Register(fctest.Registration{ID: "local-fs", Secret: secret, JWKS: jwks,
		RedirectURIs: []string{local + "/cb"}, PostLogoutRedirectURIs: []string{local + "/bye"}}))
	c, err := franceconnect.New(context.Background(), franceconnect.Config{
		Issuer: e.emu.Issuer(), ClientID: "local-fs", ClientSecret: secret,
		RedirectURL: local + "/cb", PostLogoutRedirectURL: local + "/bye",
		Scopes: []string{"openid"}, DecryptionKeys: []franceconnect.Key{e.key},
	})
	require.NoError(t, err)
	h, err := fchttp.New(fchttp.Config{Client: c, SessionKeys: e.ring})
	require.NoError(t, err)
	u, err := e.emu.NewHandlerVisitor(h, local)
	require.NoError(t, err)
	start, err := u.Open(context.Background(), "/login")
	require.NoError(t, err)
	cookie := start.Header.Get("Set-Cookie")
	assert.Regexp(t, `^fs_session=`, cookie)
	assert.NotContains(t, cookie, "Secure")
	assert.Contains(t, cookie, "HttpOnly")
	cb, err := u.ChooseIdentity(context.Background(), start, "camille")
	require.NoError(t, err)
	assert.Equal(t, http.StatusSeeOther, cb.Status, cb.Body)
}

// A login started under another loopback name than the registered one
// (localhost for 127.0.0.1) moves to the registered origin first, so that the
// session cookie is where FranceConnect comes back to.
func TestLoginMovesToTheRegisteredLoopbackHost(t *testing.T) {
	e := newEnv(t)
	const registered, other = "http://127.0.0.1:8080", "http://localhost:8080"
	jwks, err := franceconnect.PublicJWKS([]franceconnect.Key{e.key})
	require.NoError(t, err)
	require.NoError(t, e.emu.Register(fctest.Registration{ID: "loop-fs", Secret: secret, JWKS: jwks,
		RedirectURIs: []string{registered + "/cb"}, PostLogoutRedirectURIs: []string{registered + "/bye"}}))
	c, err := franceconnect.New(context.Background(), franceconnect.Config{
		Issuer: e.emu.Issuer(), ClientID: "loop-fs", ClientSecret: secret,
		RedirectURL: registered + "/cb", PostLogoutRedirectURL: registered + "/bye",
		Scopes: []string{"openid"}, DecryptionKeys: []franceconnect.Key{e.key},
	})
	require.NoError(t, err)
	h, err := fchttp.New(fchttp.Config{Client: c, SessionKeys: e.ring})
	require.NoError(t, err)
	form := url.Values{"acr": {"eidas3"}, "next": {"/compte"}}
	for _, method := range []string{http.MethodGet, http.MethodPost} {
		r := httptest.NewRequest(method, other+"/login?"+form.Encode(), nil)
		if method == http.MethodPost {
			r = httptest.NewRequest(method, other+"/login", strings.NewReader(form.Encode()))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			r.Header.Set("Origin", other)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		require.Equal(t, http.StatusSeeOther, w.Code, method)
		loc, err := url.Parse(w.Header().Get("Location"))
		require.NoError(t, err)
		assert.Equal(t, "127.0.0.1:8080", loc.Host, method)
		assert.Equal(t, "/login", loc.Path, method)
		assert.Equal(t, form, loc.Query(), method)
		assert.Empty(t, w.Header().Get("Set-Cookie"), "no login starts on the other name")
	}
	r := httptest.NewRequest(http.MethodGet, registered+"/login", nil)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	require.Equal(t, http.StatusSeeOther, w.Code)
	assert.True(t, strings.HasPrefix(w.Header().Get("Location"), e.emu.Issuer()), "on the registered host the login starts")
}
