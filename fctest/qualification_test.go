package fctest_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect/fctest"
)

// check returns check id of item n of the client's report.
func (e *env) check(n int, id string) fctest.QualificationCheck {
	e.t.Helper()
	r, err := e.srv.Qualification(e.client.ID)
	require.NoError(e.t, err)
	it, ok := r.Item(n)
	require.True(e.t, ok)
	c, ok := it.Check(id)
	require.True(e.t, ok, "item %d has no check %s", n, id)
	return c
}

// requireFails asserts that check id of item n failed with evidence about
// login whose detail contains want.
func (e *env) requireFails(n int, id string, login int, want string) {
	e.t.Helper()
	c := e.check(n, id)
	require.Equal(e.t, fctest.VerdictFail, c.Verdict, "%+v", c)
	for _, ev := range c.Evidence {
		if !ev.Passed && ev.Login == login && strings.Contains(ev.Detail, want) {
			return
		}
	}
	require.Failf(e.t, "no such evidence", "%s: want a failure of login #%d about %q in %+v", id, login, want, c.Evidence)
}

func (e *env) requireVerdict(n int, id string, want fctest.Verdict) {
	e.t.Helper()
	c := e.check(n, id)
	require.Equal(e.t, want, c.Verdict, "%s: %+v", id, c.Evidence)
}

// userinfo calls userinfo with the access token of tokens.
func (e *env) callUserinfo(tokens map[string]any) {
	e.t.Helper()
	resp, _ := e.get(e.srv.Issuer()+"/userinfo", tokens["access_token"].(string))
	require.Equal(e.t, http.StatusOK, resp.StatusCode)
}

func TestQualificationCleanLogin(t *testing.T) {
	e := newEnv(t, fctest.Options{}, nil)
	e.callUserinfo(e.exchange(e.code("camille")))
	r, err := e.srv.Qualification(clientID)
	require.NoError(t, err)
	require.False(t, r.Failed())
	require.Equal(t, 1, r.Logins)
	require.Len(t, r.Items, 13)
	for _, n := range []int{1, 2, 3, 8, 10, 12} {
		it, _ := r.Item(n)
		require.Equal(t, fctest.VerdictPass, it.Verdict, "item %d: %+v", n, it)
	}
	for _, n := range []int{11, 13} {
		it, _ := r.Item(n)
		require.Equal(t, fctest.VerdictByHand, it.Verdict)
		require.NotEmpty(t, it.ByHand)
	}
	e.requireVerdict(9, "logout-hint", fctest.VerdictNotObserved)
	_, err = e.srv.Qualification("nobody")
	require.ErrorContains(t, err, `no client "nobody"`)
}

// The platform lets a 1-character state and a 22-character nonce through;
// qualification does not, and the report says so, with the login.
func TestQualificationShortAndReusedValues(t *testing.T) {
	e := newEnv(t, fctest.Options{}, nil)
	short := strings.Repeat("n", 22)
	e.login("camille", "state", "x", "nonce", short)
	e.requireFails(2, "state-length", 1, "state of 1 characters")
	e.requireFails(3, "nonce-length", 1, "nonce of 22 characters")
	e.login("camille", "state", strings.Repeat("s", 40), "nonce", short)
	e.requireFails(3, "nonce-unique", 2, "the nonce of login #1")
	e.requireVerdict(2, "state-unique", fctest.VerdictPass)
	e.login("camille", "state", strings.Repeat("s", 40), "nonce", strings.Repeat("m", 40))
	e.requireFails(2, "state-unique", 3, "the state of login #2")
	// A state is never reused as a nonce by accident: different kinds.
	e.login("camille", "state", strings.Repeat("q", 40), "nonce", strings.Repeat("q", 40))
	e.requireVerdict(3, "nonce-unique", fctest.VerdictFail) // login #2 only
	c := e.check(3, "nonce-unique")
	for _, ev := range c.Evidence {
		require.NotEqual(t, 4, ev.Login, "a nonce equal to a state is not a reuse")
	}
}

// A code redeemed late or twice, and a userinfo called late or with the
// token in the query string, are reported on the server clock.
func TestQualificationTiming(t *testing.T) {
	e := newEnv(t, fctest.Options{}, nil)
	code := e.code("camille")
	e.clock.Advance(15 * time.Second)
	tokens := e.exchange(code)
	e.clock.Advance(20 * time.Second)
	e.callUserinfo(tokens)
	e.requireFails(8, "code-prompt", 1, "code redeemed 15s after the callback")
	e.requireFails(8, "userinfo-prompt", 1, "userinfo called 20s after the exchange")

	code = e.code("camille", "state", strings.Repeat("b", 40), "nonce", strings.Repeat("c", 40))
	tokens = e.exchange(code)
	resp, _ := e.post("/token", e.tokenForm(code))
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	e.requireFails(8, "code-prompt", 2, "code redeemed 2 times")
	resp, _ = e.get(e.srv.Issuer()+"/userinfo?access_token="+url.QueryEscape(tokens["access_token"].(string)), "")
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode, "the second redemption revoked it")

	code = e.code("camille", "state", strings.Repeat("d", 40), "nonce", strings.Repeat("e", 40))
	tokens = e.exchange(code)
	resp, _ = e.get(e.srv.Issuer()+"/userinfo?access_token="+url.QueryEscape(tokens["access_token"].(string)), "")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	e.requireFails(8, "userinfo-prompt", 3, "access token sent in the query string")
}

// What the relying party did after a fault it had to refuse shows in the
// report without any conformance run.
func TestQualificationWentOn(t *testing.T) {
	e := newEnv(t, fctest.Options{}, nil)
	e.srv.InjectFault(fctest.FaultCallbackWrongState)
	e.exchange(e.code("camille"))
	e.requireFails(2, "state-checked", 1, "redeemed the code of a callback under FaultCallbackWrongState")

	e.srv.InjectFault(fctest.FaultWrongNonce)
	tokens := e.exchange(e.code("camille", "state", strings.Repeat("b", 40), "nonce", strings.Repeat("c", 40)))
	e.requireVerdict(3, "nonce-checked", fctest.VerdictPass) // no userinfo call: it stopped
	e.callUserinfo(tokens)
	e.requireFails(3, "nonce-checked", 2, "called userinfo after a token answer under FaultWrongNonce")

	e.srv.InjectFault(fctest.FaultTokenServerError)
	code := e.code("camille", "state", strings.Repeat("d", 40), "nonce", strings.Repeat("e", 40))
	resp, _ := e.post("/token", e.tokenForm(code))
	require.Equal(t, http.StatusInternalServerError, resp.StatusCode)
	e.post("/token", e.tokenForm(code))
	e.requireFails(7, "platform-failures", 3, "redeemed the code again after FaultTokenServerError")

	e.srv.InjectFault(fctest.FaultACRHigher) // accepted: it goes on, as it should
	e.callUserinfo(e.exchange(e.code("camille", "state", strings.Repeat("f", 40), "nonce", strings.Repeat("g", 40))))
	c := e.check(5, "acr-checked")
	require.Equal(t, fctest.VerdictPass, c.Verdict)
	require.Contains(t, c.Evidence[0].Detail, "FaultACRHigher: the login went on, as it should")
}

// A token request from a browser, or with HTTP Basic, is no server-side
// exchange.
func TestQualificationServerSideExchange(t *testing.T) {
	e := newEnv(t, fctest.Options{}, nil)
	code := e.code("camille")
	req, err := http.NewRequest(http.MethodPost, e.srv.Issuer()+"/token", strings.NewReader(e.tokenForm(code).Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://fs.example.fr")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	e.requireFails(1, "server-side-exchange", 1, "the token request carried a Origin header, a Sec-Fetch-Site header")
}

// Logouts: through the browser, with the signed id_token, a state and a
// registered return.
func TestQualificationLogout(t *testing.T) {
	e := newEnv(t, fctest.Options{}, nil)
	tokens := e.exchange(e.code("camille"))
	jws, _ := e.open(tokens["id_token"].(string))
	end := func(kv ...string) string {
		v := url.Values{"id_token_hint": {jws}, "state": {strings.Repeat("z", 40)}, "post_logout_redirect_uri": {logoutURL}}
		return e.srv.Issuer() + "/session/end?" + changed(v, kv...).Encode()
	}
	// From a server: no FranceConnect session cookie.
	resp, _ := e.get(end(), "")
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	e.requireFails(9, "logout-browser", 1, "no fc_session_id cookie")
	// The JWE instead of the JWS.
	_, err := e.srv.Logout(context.Background(), end("id_token_hint", tokens["id_token"].(string)))
	require.Error(t, err)
	e.requireFails(9, "logout-hint", 0, "id_token_hint is the encrypted JWE")
	// Without state nor return: the platform accepts it, qualification not.
	_, err = e.srv.Logout(context.Background(), end("state", "", "post_logout_redirect_uri", ""))
	require.NoError(t, err)
	e.requireFails(9, "logout-state", 1, "logout state of 0 characters")
	e.requireFails(9, "logout-redirect", 1, "no post_logout_redirect_uri")
	e.requireFails(2, "state-present", 1, "no logout state")
	// A proper one, after a new login.
	tokens = e.exchange(e.code("camille", "state", strings.Repeat("b", 40), "nonce", strings.Repeat("c", 40)))
	jws, _ = e.open(tokens["id_token"].(string))
	_, err = e.srv.Logout(context.Background(), end("state", strings.Repeat("y", 40)))
	require.NoError(t, err)
	c := e.check(9, "logout-hint")
	// The hint was the right one in every logout but the JWE's, refused or not.
	require.Contains(t, c.Evidence[len(c.Evidence)-1].Detail, "logouts with the id_token of the login: 3")
}

// Scopes outside the grant, a missing acr_values and amr without the right
// are reported with the login.
func TestQualificationScopesAndLevels(t *testing.T) {
	e := newEnv(t, fctest.Options{}, func(c *fctest.Registration) {
		c.Scopes = []string{"openid", "given_name"}
		c.AllowAMR = false
	})
	q := redirectQuery(t, noRedirect, e.authURL("scope", "openid given_name email"))
	require.Equal(t, "invalid_scope", q.Get("error"))
	e.requireFails(10, "scopes-granted", 1, "scopes not granted: email")
	_, err := e.srv.SignIn(context.Background(), e.authURL("acr_values", ""), "camille")
	requirePageError(t, err, http.StatusBadRequest, "Y030007")
	e.requireFails(5, "acr-requested", 2, "no acr_values")
	_, err = e.srv.SignIn(context.Background(), e.authURL("scope", "openid", "claims",
		`{"id_token":{"amr":{"essential":true}}}`), "camille")
	requirePageError(t, err, http.StatusBadRequest, "Y100009")
	e.requireFails(10, "claims-allowed", 3, "amr requested")
	q = redirectQuery(t, noRedirect, e.authURL("scope", "openid", "acr_values", "eidas1"))
	require.Equal(t, "invalid_acr", q.Get("error"))
	e.requireFails(5, "acr-requested", 4, `acr_values "eidas1": FranceConnect+ offers eidas2, eidas3`)
}

// Strict mode refuses what qualification refuses, with the platform's
// parameter error page.
func TestStrictQualification(t *testing.T) {
	for _, p := range []fctest.Platform{fctest.FranceConnectPlus, fctest.ProConnect} {
		t.Run(p.String(), func(t *testing.T) {
			code := "Y030007"
			e := newEnv(t, fctest.Options{Platform: p, StrictQualification: true}, func(c *fctest.Registration) {
				if p == fctest.ProConnect {
					c.JWKS, c.AllowAMR = nil, false
				}
			})
			if p == fctest.ProConnect {
				code = "Y000400"
			}
			long := func(c string) string { return strings.Repeat(c, 32) }
			for _, tc := range []struct{ kv []string }{
				{[]string{"state", "x"}}, {[]string{"state", ""}}, {[]string{"nonce", strings.Repeat("n", 31)}},
			} {
				_, err := e.srv.SignIn(context.Background(), e.authURL(tc.kv...), "camille")
				pe := requirePageError(t, err, http.StatusBadRequest, code)
				require.Contains(t, pe.Description, "longer than or equal to 32 characters (qualification)")
			}
			if p == fctest.ProConnect {
				return // its agents differ; the reuse rule is the same code
			}
			e.code("camille", "state", long("a"), "nonce", long("b"))
			_, err := e.srv.SignIn(context.Background(), e.authURL("state", long("c"), "nonce", long("b")), "camille")
			pe := requirePageError(t, err, http.StatusBadRequest, code)
			require.Contains(t, pe.Description, "nonce was already used (the nonce of login #4)")
			_, err = e.srv.SignIn(context.Background(), e.authURL("state", long("a"), "nonce", long("d")), "camille")
			requirePageError(t, err, http.StatusBadRequest, code)
			e.requireFails(3, "nonce-length", 3, "nonce of 31 characters")
		})
	}
}

// Strict mode refuses a logout without state or return.
func TestStrictQualificationLogout(t *testing.T) {
	e := newEnv(t, fctest.Options{StrictQualification: true}, nil)
	tokens := e.exchange(e.code("camille"))
	jws, _ := e.open(tokens["id_token"].(string))
	end := func(kv ...string) string {
		v := url.Values{"id_token_hint": {jws}, "state": {strings.Repeat("z", 40)}, "post_logout_redirect_uri": {logoutURL}}
		return e.srv.Issuer() + "/session/end?" + changed(v, kv...).Encode()
	}
	_, err := e.srv.Logout(context.Background(), end("post_logout_redirect_uri", ""))
	pe := requirePageError(t, err, http.StatusBadRequest, "Y030007")
	require.Contains(t, pe.Description, "post_logout_redirect_uri should not be empty")
	_, err = e.srv.Logout(context.Background(), end("state", "short"))
	requirePageError(t, err, http.StatusBadRequest, "Y030007")
	_, err = e.srv.Logout(context.Background(), end("state", testState)) // the login's state
	pe = requirePageError(t, err, http.StatusBadRequest, "Y030007")
	require.Contains(t, pe.Description, "state was already used")
	// A state sent once, even in a refused request, is used.
	_, err = e.srv.Logout(context.Background(), end())
	requirePageError(t, err, http.StatusBadRequest, "Y030007")
	back, err := e.srv.Logout(context.Background(), end("state", strings.Repeat("w", 40)))
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(back, logoutURL+"?state="), back)
}

func TestQualificationHandler(t *testing.T) {
	e := newEnv(t, fctest.Options{}, nil)
	e.login("camille", "state", "x")
	h := e.srv.QualificationHandler()
	get := func(target string, accept string) (*http.Response, string) {
		req, err := http.NewRequest(http.MethodGet, target, nil)
		require.NoError(t, err)
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		resp := rec.Result()
		body, _ := io.ReadAll(resp.Body)
		return resp, string(body)
	}
	resp, body := get("/_emulator/qualification?client_id="+clientID, "application/json")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var report struct {
		ClientID string `json:"client_id"`
		Items    []struct {
			Number  int    `json:"number"`
			Verdict string `json:"verdict"`
		} `json:"items"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &report))
	require.Equal(t, clientID, report.ClientID)
	require.Len(t, report.Items, 13)
	require.Equal(t, "fail", report.Items[1].Verdict)

	resp, body = get("/_emulator/qualification?client_id="+clientID, "text/html")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "text/html; charset=utf-8", resp.Header.Get("Content-Type"))
	for _, want := range []string{`<html lang="fr">`, "<title>Répétition de la qualification – " + clientID,
		`href="#contenu">Aller au contenu</a>`, `<main id="contenu"`, "Non conforme", "state de 1 caractères",
		`name="viewport"`} {
		require.Contains(t, body, want)
	}
	resp, body = get("/_emulator/qualification?format=json", "")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.JSONEq(t, `{"clients":["`+clientID+`"]}`, body)
	resp, _ = get("/_emulator/qualification?client_id=nobody", "")
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/_emulator/qualification", nil))
	require.Equal(t, http.StatusMethodNotAllowed, rec.Result().StatusCode)
}
