package fchttp_test

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect/fchttp"
	"github.com/go-franceconnect/franceconnect/fctest"
)

func TestForgedCookie(t *testing.T) {
	e := newEnv(t)
	a := e.newApp(nil)
	u := e.user(a)
	ctx := context.Background()
	signIn(t, u)
	valid := sessionCookie(t, u)
	raw, err := base64.RawURLEncoding.DecodeString(valid)
	require.NoError(t, err)
	flip := func(i int) string {
		b := []byte(string(raw))
		b[i] ^= 1
		return base64.RawURLEncoding.EncodeToString(b)
	}
	other := newEnv(t) // another FS, another key ring
	ou := other.user(other.newApp(nil))
	signIn(t, ou)

	for name, value := range map[string]string{
		"version byte":      flip(0),
		"nonce":             flip(3),
		"ciphertext":        flip(len(raw) / 2),
		"tag":               flip(len(raw) - 1),
		"truncated":         valid[:len(valid)-10],
		"not base64":        "%%%***",
		"empty sealed":      base64.RawURLEncoding.EncodeToString([]byte{1}),
		"huge":              strings.Repeat("A", 5000),
		"another key ring":  sessionCookie(t, ou),
		"signed not sealed": base64.RawURLEncoding.EncodeToString([]byte(`{"u":{"s":"x","a":"eidas3","e":9999999999,"h":"a.b.c"}}`)),
	} {
		t.Run(name, func(t *testing.T) {
			setSessionCookie(u, value)
			home, err := u.Open(ctx, "/")
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, home.Status)
			assert.Contains(t, home.Body, "Anonyme", "a forged cookie is no session")
			start, err := u.StartLogin(ctx, home, nil)
			require.NoError(t, err)
			require.True(t, e.isAuthorize(start), "a login starts over it")
			setSessionCookie(u, value)
			cb, err := u.ChooseIdentity(ctx, start, "camille")
			require.NoError(t, err)
			requireProblem(t, cb, http.StatusBadRequest, "ErrLoginNotFound")
		})
	}
	setSessionCookie(u, valid)
	assert.Contains(t, mustOpen(t, u, "/").Body, "Bonjour Camille", "the genuine cookie still works")
}

func TestRetiredKey(t *testing.T) {
	e := newEnv(t)
	old, current := e.ring[0], newKey()
	u := e.user(e.newApp(nil)) // seals with old
	signIn(t, u)
	ctx := context.Background()
	start, err := u.Open(ctx, "/login") // a login in progress sealed with old too
	require.NoError(t, err)
	sealedWithOld := sessionCookie(t, u)

	rotated := e.newApp(func(c *fchttp.Config) { c.SessionKeys = [][]byte{current, old} })
	ru := e.user(rotated)
	setSessionCookie(ru, sealedWithOld)
	assert.Contains(t, mustOpen(t, ru, "/").Body, "Bonjour Camille", "a key still in the ring opens")

	retired := e.newApp(func(c *fchttp.Config) { c.SessionKeys = [][]byte{current} })
	tu := e.user(retired)
	setSessionCookie(tu, sealedWithOld)
	assert.Contains(t, mustOpen(t, tu, "/").Body, "Anonyme", "a retired key opens nothing")
	setSessionCookie(tu, sealedWithOld)
	cb, err := tu.ChooseIdentity(ctx, start, "camille")
	require.NoError(t, err)
	requireProblem(t, cb, http.StatusBadRequest, "ErrLoginNotFound", "ErrStateMismatch")

	// The rotated instance re-seals with the new key on its next write,
	// which the instance holding only the new key opens.
	setSessionCookie(ru, sealedWithOld)
	cb, err = ru.ChooseIdentity(ctx, start, "camille")
	require.NoError(t, err)
	require.Equal(t, http.StatusSeeOther, cb.Status, cb.Body)
	setSessionCookie(tu, sessionCookie(t, ru))
	assert.Contains(t, mustOpen(t, tu, "/").Body, "Bonjour Camille")
}

func TestOpenRedirectThroughNext(t *testing.T) {
	e := newEnv(t)
	u := e.user(e.newApp(nil))
	ctx := context.Background()
	for _, tt := range []struct{ next, want string }{
		{"/compte?onglet=1&x=%2F", "/compte?onglet=1&x=%2F"},
		{"/", "/"},
		{"//evil.example/", "/"},
		{"///evil.example", "/"},
		{`/\evil.example`, "/"},
		{"/\t/evil.example", "/"},
		{"/ /evil.example", "/"},
		{"https://evil.example/", "/"},
		{"http:/evil.example", "/"},
		{"evil.example", "/"},
		{"javascript:alert(1)", "/"},
		{"/é", "/"},
		{"/" + strings.Repeat("a", 600), "/"},
	} {
		t.Run(tt.next, func(t *testing.T) {
			start, err := u.Open(ctx, "/login?"+url.Values{"next": {tt.next}}.Encode())
			require.NoError(t, err)
			require.True(t, e.isAuthorize(start))
			cb, err := u.ChooseIdentity(ctx, start, "camille")
			require.NoError(t, err)
			require.Equal(t, http.StatusSeeOther, cb.Status, cb.Body)
			assert.Equal(t, tt.want, cb.Header.Get("Location"))
		})
	}
}

func TestCrossOriginPOST(t *testing.T) {
	e := newEnv(t)
	a := e.newApp(nil)
	u := e.user(a)
	page := signIn(t, u)
	for _, path := range []string{"/login", "/logout"} {
		for name, h := range map[string]http.Header{
			"cross-site fetch": {"Sec-Fetch-Site": {"cross-site"}, "Origin": {"https://evil.example"}},
			"same-site fetch":  {"Sec-Fetch-Site": {"same-site"}, "Origin": {"https://www.example.fr"}},
			"foreign origin":   {"Origin": {"https://evil.example"}},
			"null origin":      {"Origin": {"null"}},
		} {
			t.Run(path+" "+name, func(t *testing.T) {
				req, err := http.NewRequest(http.MethodPost, site+path, strings.NewReader("acr=eidas3"))
				require.NoError(t, err)
				req.Header = h
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				resp, err := u.HTTPClient().Do(req)
				require.NoError(t, err)
				defer resp.Body.Close()
				r := &fctest.Response{Status: resp.StatusCode, Header: resp.Header, Body: readAll(t, resp)}
				requireProblem(t, r, http.StatusForbidden, "ErrCrossOrigin")
				assert.Contains(t, r.Body, "Formulaire refusé")
				assert.Empty(t, resp.Header.Values("Set-Cookie"), "nothing changed")
			})
		}
	}
	assert.Contains(t, mustOpen(t, u, "/").Body, "Bonjour Camille", "the refused logout did nothing")
	out, err := u.Logout(context.Background(), page) // same-origin: allowed
	require.NoError(t, err)
	assert.Equal(t, http.StatusSeeOther, out.Status)
}

func TestACRRetry(t *testing.T) {
	e := newEnv(t)
	u := e.user(e.newApp(nil))
	ctx := context.Background()
	login := func(u *fctest.Visitor) *fctest.Response {
		start, err := u.Open(ctx, "/login?acr=eidas3&next=/compte")
		require.NoError(t, err)
		assert.Empty(t, query(t, start).Get("prompt"))
		cb, err := u.ChooseIdentity(ctx, start, "camille")
		require.NoError(t, err)
		return cb
	}

	e.emu.InjectFault(fctest.FaultACRLower) // SSO answers eidas2 for eidas3
	cb := login(u)
	require.True(t, e.isAuthorize(cb), "a level too low starts the login again: HTTP %d %s", cb.Status, cb.Body)
	q := query(t, cb)
	assert.Equal(t, "login", q.Get("prompt"))
	assert.Equal(t, "eidas3", q.Get("acr_values"))
	done, err := u.ChooseIdentity(ctx, cb, "camille")
	require.NoError(t, err)
	require.Equal(t, http.StatusSeeOther, done.Status, done.Body)
	assert.Equal(t, "/compte", done.Header.Get("Location"), "next survives the retry")
	assert.Contains(t, mustOpen(t, u, "/").Body, "(eidas3)")

	e.emu.InjectFault(fctest.FaultACRLower) // once only: the retry fails too
	e.emu.InjectFault(fctest.FaultACRLower)
	u = e.user(e.newApp(nil))
	cb = login(u)
	require.True(t, e.isAuthorize(cb))
	again, err := u.ChooseIdentity(ctx, cb, "camille")
	require.NoError(t, err)
	requireProblem(t, again, http.StatusBadGateway, "ErrACRTooLow", "ErrInvalidIDToken")

	e.emu.InjectFault(fctest.FaultACRLower)
	cb = login(e.user(e.newApp(func(c *fchttp.Config) { c.NoACRRetry = true })))
	requireProblem(t, cb, http.StatusBadGateway, "ErrACRTooLow")
	assert.Contains(t, cb.Body, "niveau de garantie inférieur")
}
