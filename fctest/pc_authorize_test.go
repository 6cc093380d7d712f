package fctest_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect/fctest"
)

func TestProConnectAuthorizeWhitelistY000400(t *testing.T) {
	e := newPCEnv(t, fctest.Options{}, nil)
	for _, tc := range []struct {
		name string
		kv   []string
		desc string
	}{
		{"unknown parameter", []string{"foo", "bar"}, "property foo should not exist"},
		{"ui_locales, accepted by FranceConnect only", []string{"ui_locales", "fr"}, "property ui_locales should not exist"},
		{"acr as a parameter", []string{"acr", "eidas1"}, "property acr should not exist"},
		{"no client_id", []string{"client_id", ""}, "client_id must be a string"},
		{"no response_type", []string{"response_type", ""}, "response_type must be a string"},
		{"no state", []string{"state", ""}, "state must be a string"},
		{"no scope", []string{"scope", ""}, "scope must be a string"},
		{"redirect_uri not http", []string{"redirect_uri", "ftp://fs.example.fr/cb"}, "redirect_uri must match"},
		{"nonce too long", []string{"nonce", strings.Repeat("n", 513)}, "nonce must be 1 to 512 ASCII characters"},
		{"nonce not ASCII", []string{"nonce", "nonce-é"}, "nonce must be 1 to 512 ASCII characters"},
		{"login_hint not an e-mail", []string{"login_hint", "claire"}, "login_hint must be an email"},
		{"login_hint with a name", []string{"login_hint", "Claire <claire@exemple.gouv.fr>"}, "login_hint must be an email"},
		{"siret_hint of 13 digits", []string{"siret_hint", "1100001220001"}, "siret_hint must be 14 digits"},
		{"siret_hint of 15 digits", []string{"siret_hint", "110000122000170"}, "siret_hint must be 14 digits"},
		{"siret_hint with a letter", []string{"siret_hint", "1100001220001A"}, "siret_hint must be 14 digits"},
		{"siret_hint with spaces", []string{"siret_hint", "110 000 122 00017"}, "siret_hint must be 14 digits"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.srv.SignIn(context.Background(), e.authURL(tc.kv...), "agent_mfa")
			pe := requirePageError(t, err, http.StatusBadRequest, "Y000400")
			require.Contains(t, pe.Description, tc.desc)
		})
	}

	repeated := e.params()
	repeated.Add("state", "second")
	_, err := e.srv.SignIn(context.Background(), e.srv.Issuer()+"/authorize?"+repeated.Encode(), "agent_mfa")
	require.Contains(t, requirePageError(t, err, http.StatusBadRequest, "Y000400").Description, "state must be a string")
}

func TestProConnectAuthorizeAcceptsTheWholeWhitelist(t *testing.T) {
	e := newPCEnv(t, fctest.Options{}, nil)
	q := e.callback("agent_mfa", "claims", essential(mfaLevels...), "acr_values", "eidas1 inconnu",
		"prompt", "login consent", "idp_hint", "fi-ministere", "login_hint", "claire.lefevre@demonstration.gouv.fr",
		"siret_hint", "11000012200017", "code_challenge", challengeOf(strings.Repeat("v", 43)),
		"code_challenge_method", "S256", "response_mode", "query", "nonce", strings.Repeat("n", 512))
	require.NotEmpty(t, q.Get("code"), q.Encode())

	q = e.callback("agent_mfa", "nonce", "")
	require.NotEmpty(t, q.Get("code"), "nonce is optional on ProConnect")
	_, claims := e.open(e.exchange(q.Get("code"))["id_token"].(string))
	require.NotContains(t, claims, "nonce", "no nonce asked, none returned")

	cb, err := e.srv.NewBrowser().SignInPost(context.Background(), e.params("siret_hint", "21750567600015"), "agent_territorial")
	require.NoError(t, err)
	require.Contains(t, cb, "code=", "POST authorize")
}

func TestProConnectAuthorizeRedirectedErrors(t *testing.T) {
	e := newPCEnv(t, fctest.Options{}, nil)
	for _, tc := range []struct {
		name       string
		kv         []string
		code, desc string
	}{
		{"unsupported prompt", []string{"prompt", "select_account"}, "invalid_request", "unsupported prompt value requested"},
		{"none with login", []string{"prompt", "none login"}, "invalid_request", "prompt none must only be used alone"},
		{"challenge without method", []string{"code_challenge", challengeOf(strings.Repeat("v", 43))}, "invalid_request",
			"plain code_challenge_method fallback disabled, code_challenge_method must be provided"},
		{"plain method", []string{"code_challenge", strings.Repeat("v", 43), "code_challenge_method", "plain"},
			"invalid_request", "not supported value of code_challenge_method"},
		{"method without challenge", []string{"code_challenge_method", "S256"}, "invalid_request",
			"code_challenge must be provided with code_challenge_method"},
		{"malformed challenge", []string{"code_challenge", "short", "code_challenge_method", "S256"}, "invalid_request",
			"code_challenge must be the 43-character base64url SHA-256 of the verifier"},
		{"token response type", []string{"response_type", "token"}, "unsupported_response_type", "unsupported response_type requested"},
		{"empty response type", []string{"response_type", " "}, "unsupported_response_type", "unsupported response_type requested"},
		{"form_post", []string{"response_mode", "form_post"}, "invalid_request",
			"unsupported response_mode requested (the emulator answers with query only)"},
		{"no openid", []string{"scope", "email"}, "invalid_request", "openid scope must be requested"},
		{"unknown scope", []string{"scope", "openid offline_access"}, "invalid_scope", "requested scope is not allowed"},
		{"FranceConnect scope", []string{"scope", "openid family_name"}, "invalid_scope", "requested scope is not allowed"},
		{"claims not JSON", []string{"claims", "{id_token"}, "invalid_request", "could not parse the claims parameter JSON"},
		{"acr values not strings", []string{"claims", `{"id_token":{"acr":{"essential":true,"values":[1]}}}`},
			"invalid_request", "could not parse the claims parameter JSON"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := redirectQuery(t, noRedirect, e.authURL(tc.kv...))
			require.Equal(t, []string{"error", "error_description", "iss", "state"}, keysOfValues(q))
			require.Equal(t, tc.code, q.Get("error"))
			require.Equal(t, tc.desc, q.Get("error_description"))
			require.Equal(t, testState, q.Get("state"))
		})
	}
}

func TestProConnectAuthorizeErrorPages(t *testing.T) {
	e := newPCEnv(t, fctest.Options{}, func(c *fctest.Registration) { c.Scopes = []string{"openid", "email"} })
	_, err := e.srv.SignIn(context.Background(), e.authURL("client_id", "unknown"), "agent_mfa")
	requirePageError(t, err, http.StatusBadRequest, "Y04EA6EF")
	_, err = e.srv.SignIn(context.Background(), e.authURL("redirect_uri", "https://fs.example.fr/other"), "agent_mfa")
	requirePageError(t, err, http.StatusBadRequest, "Y030031")

	q := redirectQuery(t, noRedirect, e.authURL("scope", "openid email siret"))
	require.Equal(t, "invalid_scope", q.Get("error"), "a scope the client was not granted")
	require.NotEmpty(t, e.callback("agent_mfa", "scope", "openid email").Get("code"))
}

func TestProConnectACRIsASetNotALadder(t *testing.T) {
	e := newPCEnv(t, fctest.Options{}, nil)
	for _, tc := range []struct {
		name, agent, claims, acrValues string
		want                           string // the acr returned; "" for Y020032
	}{
		{"eidas1 required, eidas1 agent", "agent_sans_mfa", essential("eidas1"), "", "eidas1"},
		{"eidas1 required, higher eidas2 agent", "agent_eidas2", essential("eidas1"), "", ""},
		{"eidas1 required, incomparable eidas1-mfa agent", "agent_mfa", essential("eidas1"), "", ""},
		{"eidas2 required, eidas1 agent", "agent_sans_mfa", essential("eidas2"), "", ""},
		{"MFA policy, eidas1-mfa agent", "agent_mfa", essential(mfaLevels...), "", "eidas1-mfa"},
		{"MFA policy, eidas3 agent", "agent_eidas3", essential(mfaLevels...), "", "eidas3"},
		{"MFA policy, agent without MFA", "agent_sans_mfa", essential(mfaLevels...), "", ""},
		{"MFA policy, eidas0 agent", "salarie_prive", essential(mfaLevels...), "", ""},
		{"director certification", "dirigeant", essential(certificationDirigeant), "", certificationDirigeant},
		{"director certification, eidas3 agent", "agent_eidas3", essential(certificationDirigeant), "", ""},
		{"IdP level unknown to ProConnect counts as eidas1", "agent_hospitalier", essential("eidas1"), "", "eidas1"},
		{"IdP level unknown to ProConnect, eidas2 required", "agent_hospitalier", essential("eidas2", "eidas3"), "", ""},
		{"single value member", "agent_eidas2", `{"id_token":{"acr":{"essential":true,"value":"eidas2"}}}`, "", "eidas2"},
		{"non-essential values are soft", "agent_sans_mfa", `{"id_token":{"acr":{"values":["eidas3"]}}}`, "", "eidas1"},
		{"acr_values are soft", "agent_sans_mfa", "", "eidas3", "eidas1"},
		{"unknown acr_values", "agent_eidas2", "", "inconnu", "eidas2"},
		{"nothing required", "salarie_prive", "", "", "eidas0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := e.callback(tc.agent, "claims", tc.claims, "acr_values", tc.acrValues)
			if tc.want == "" {
				requireACRNotSatisfied(t, e, q)
				return
			}
			_, claims := e.open(e.exchange(q.Get("code"))["id_token"].(string))
			require.Equal(t, tc.want, claims["acr"])
		})
	}
}

func TestProConnectAgentPage(t *testing.T) {
	e := newPCEnv(t, fctest.Options{}, nil)
	b := e.srv.NewBrowser()
	resp, err := b.HTTPClient().Get(e.authURL("claims", essential("eidas1", "eidas2"), "login_hint", "nadia.benali@villeneuve-exemple.fr",
		"siret_hint", "21750567600015", "idp_hint", "fi-proconnect-identite"))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	page, err := url.Parse(e.srv.URL() + resp.Header.Get("Location"))
	require.NoError(t, err)
	resp, err = b.HTTPClient().Get(page.String())
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	html := string(body)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, html, "<title>Choix de l’agent – ProConnect (émulateur)</title>")
	require.Contains(t, html, `<span class="badge">eidas1</span> <span class="badge">eidas2</span>`)
	require.Contains(t, html, "siret_hint=21750567600015")
	require.Contains(t, html, "login_hint=nadia.benali@villeneuve-exemple.fr")
	require.Equal(t, len(fctest.DemoAgents()), strings.Count(html, `<input type="hidden" name="login"`))
	require.Equal(t, 4, strings.Count(html, `class="card insufficient"`), "every agent outside eidas1 and eidas2")
	require.Contains(t, html, `id="agent-agent_sans_mfa"`)
	require.Contains(t, html, "fi-chu (niveau renvoyé : urn:fi-chu:niveau:basique)")
}

func TestProConnectPromptNone(t *testing.T) {
	e := newPCEnv(t, fctest.Options{}, nil)
	b := e.srv.NewBrowser()
	q := redirectQuery(t, b.HTTPClient(), e.authURL("prompt", "none"))
	require.Equal(t, []string{"error", "error_description", "iss", "state"}, keysOfValues(q))
	require.Equal(t, "login_required", q.Get("error"), "no session")
	require.Equal(t, "End-User authentication is required", q.Get("error_description"))

	first := e.callbackWith(b.SignIn, "agent_mfa")
	_, login := e.open(e.exchange(first.Get("code"))["id_token"].(string))
	e.clock.Advance(time.Minute)

	second := fctest.Registration{ID: "second-fs", Secret: secret, RedirectURIs: []string{callbackURL},
		SignedResponseAlg: "RS256"}
	require.NoError(t, e.srv.Register(second))
	for _, tc := range []struct {
		name string
		kv   []string
	}{
		{"same FS", []string{"prompt", "none"}},
		{"another FS", []string{"prompt", "none", "client_id", "second-fs"}},
		{"level in the set", []string{"prompt", "none", "claims", essential(mfaLevels...)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := redirectQuery(t, b.HTTPClient(), e.authURL(tc.kv...))
			require.Equal(t, []string{"code", "iss", "state"}, keysOfValues(q), "a code without the agent page")
			form := e.tokenForm(q.Get("code"))
			if slices.Contains(tc.kv, "second-fs") {
				form.Set("client_id", "second-fs")
			}
			resp, body := e.post("/token", form)
			require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
			var tok map[string]any
			require.NoError(t, json.Unmarshal(body, &tok))
			claims := payload(t, tok["id_token"].(string))
			require.Equal(t, login["sub"], claims["sub"], "the session's agent")
			require.Equal(t, login["auth_time"], claims["auth_time"], "the session's authentication")
			require.Equal(t, "eidas1-mfa", claims["acr"])
		})
	}

	q = redirectQuery(t, b.HTTPClient(), e.authURL("prompt", "none", "claims", essential("eidas2")))
	require.Equal(t, "login_required", q.Get("error"), "the session's level is not in the set")

	cb, err := b.SignIn(context.Background(), e.authURL("prompt", "login"), "agent_eidas2")
	require.NoError(t, err)
	require.Contains(t, cb, "code=", "prompt=login shows the page again, where another agent is picked")
	q = redirectQuery(t, b.HTTPClient(), e.authURL("prompt", "none", "claims", essential("eidas2")))
	require.NotEmpty(t, q.Get("code"), "the new session is at eidas2")

	e.clock.Advance(12 * time.Hour)
	q = redirectQuery(t, b.HTTPClient(), e.authURL("prompt", "none"))
	require.Equal(t, "login_required", q.Get("error"), "the session lasts 12 hours")
}

func TestProConnectAutoLogin(t *testing.T) {
	e := newPCEnv(t, fctest.Options{AutoLogin: "agent_eidas2"}, nil)
	q := redirectQuery(t, e.srv.NewBrowser().HTTPClient(), e.authURL())
	require.NotEmpty(t, q.Get("code"), "a redirect straight back to the FS")
	_, claims := e.open(e.exchange(q.Get("code"))["id_token"].(string))
	require.Equal(t, e.srv.Subject(pcClientID, "agent_eidas2"), claims["sub"])

	requireACRNotSatisfied(t, e, redirectQuery(t, noRedirect, e.authURL("claims", essential("eidas1"))))

	_, err := fctest.NewServer(fctest.Options{Platform: fctest.ProConnect, AutoLogin: "camille"})
	require.ErrorContains(t, err, `AutoLogin: no identity "camille"`, "FranceConnect's people are not agents")
}
