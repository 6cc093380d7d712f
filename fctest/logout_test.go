package fctest_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect/fctest"
)

// loggedIn logs in with the default browser and returns the inner JWS of
// the id_token, the value an FS sends as id_token_hint.
func (e *env) loggedIn() string {
	e.t.Helper()
	jws, _ := e.open(e.exchange(e.code("camille"))["id_token"].(string))
	return jws
}

func (e *env) logoutURL(kv ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return e.srv.Issuer() + "/session/end?" + v.Encode()
}

func TestLogoutFlow(t *testing.T) {
	e := newEnv(t, fctest.Options{}, nil)
	hint := e.loggedIn()
	const state = "logout-state-0123456789abcdefghijklmnop"

	resp, err := e.srv.HTTPClient().Get(e.logoutURL("id_token_hint", hint, "state", state,
		"post_logout_redirect_uri", logoutURL, "client_id", clientID, "ui_locales", "fr", "logout_hint", "x"))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.Equal(t, logoutURL+"?state="+state, resp.Header.Get("Location"), "only state, no iss")

	_, err = e.srv.Logout(context.Background(), e.logoutURL("id_token_hint", hint, "state", state,
		"post_logout_redirect_uri", logoutURL))
	requirePageError(t, err, http.StatusBadRequest, "Y100019")
}

func TestLogoutHelper(t *testing.T) {
	e := newEnv(t, fctest.Options{}, nil)
	hint := e.loggedIn()
	got, err := e.srv.Logout(context.Background(), e.logoutURL("id_token_hint", hint, "state", "s1",
		"post_logout_redirect_uri", logoutURL))
	require.NoError(t, err)
	require.Equal(t, logoutURL+"?state=s1", got)

	hint = e.loggedIn()
	got, err = e.srv.Logout(context.Background(), e.logoutURL("id_token_hint", hint))
	require.NoError(t, err)
	require.Equal(t, e.srv.Issuer()+"/session/end/success", got)
	resp, body := e.get(got, "")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, string(body), "Déconnexion effectuée")
}

func TestLogoutExpiredHintAccepted(t *testing.T) {
	e := newEnv(t, fctest.Options{}, nil)
	hint := e.loggedIn()
	e.clock.Advance(5 * time.Minute)
	_, err := e.srv.Logout(context.Background(), e.logoutURL("id_token_hint", hint))
	require.NoError(t, err, "id_token_hint expiry is ignored")
}

func TestLogoutErrors(t *testing.T) {
	e := newEnv(t, fctest.Options{}, nil)
	hint := e.loggedIn()
	jwe := e.exchange(e.code("camille"))["id_token"].(string)
	parts := strings.Split(hint, ".")
	tampered := parts[0] + "." + parts[1] + "x." + parts[2]

	for _, tc := range []struct {
		name   string
		kv     []string
		status int
		code   string
	}{
		{"JWE hint", []string{"id_token_hint", jwe}, 400, ""},
		{"missing hint", []string{"state", "s"}, 400, "Y030007"},
		{"unknown parameter", []string{"id_token_hint", hint, "foo", "bar"}, 400, "Y030007"},
		{"tampered hint", []string{"id_token_hint", tampered}, 400, ""},
		{"garbage hint", []string{"id_token_hint", "a.b.c"}, 400, ""},
		{"unregistered post_logout_redirect_uri", []string{"id_token_hint", hint,
			"post_logout_redirect_uri", "https://evil.example.com/"}, 400, "Y04CFAEF"},
		{"client_id mismatch", []string{"id_token_hint", hint, "client_id", "other"}, 400, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.srv.Logout(context.Background(), e.logoutURL(tc.kv...))
			var pe *fctest.PageError
			require.ErrorAs(t, err, &pe)
			require.Equal(t, tc.status, pe.Status)
			require.Equal(t, "invalid_request", pe.OAuthError)
			if tc.code != "" {
				require.Equal(t, tc.code, pe.Code)
			}
		})
	}
	_, err := e.srv.Logout(context.Background(), e.logoutURL("id_token_hint", hint))
	require.NoError(t, err, "the session survived the refused attempts")
}

func TestLogoutJWEHintPage(t *testing.T) {
	e := newEnv(t, fctest.Options{}, nil)
	jwe := e.exchange(e.code("camille"))["id_token"].(string)
	resp, err := e.srv.HTTPClient().Get(e.logoutURL("id_token_hint", jwe))
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	require.Contains(t, string(body), "invalid JWT.decode input")
}

func TestLogoutWithoutSessionCookieIsY100019(t *testing.T) {
	e := newEnv(t, fctest.Options{}, nil)
	hint := e.loggedIn()
	_, err := e.srv.NewBrowser().Logout(context.Background(), e.logoutURL("id_token_hint", hint))
	requirePageError(t, err, http.StatusBadRequest, "Y100019")
}

func TestLogoutHintSignedByRemovedKey(t *testing.T) {
	e := newEnv(t, fctest.Options{}, nil)
	hint := e.loggedIn()
	old, _ := e.srv.RotateSigningKey()
	require.NoError(t, e.srv.RemoveKey(old))
	_, err := e.srv.Logout(context.Background(), e.logoutURL("id_token_hint", hint))
	var pe *fctest.PageError
	require.ErrorAs(t, err, &pe)
	require.Contains(t, pe.Description, "no matching key")
}

func TestLogoutStrictTLD(t *testing.T) {
	const local = "http://localhost:8080/bye"
	e := newEnv(t, fctest.Options{StrictRedirectTLD: true}, func(c *fctest.Registration) {
		c.PostLogoutRedirectURIs = append(c.PostLogoutRedirectURIs, local)
	})
	hint := e.loggedIn()
	_, err := e.srv.Logout(context.Background(), e.logoutURL("id_token_hint", hint, "post_logout_redirect_uri", local))
	requirePageError(t, err, http.StatusBadRequest, "Y030007")
}
