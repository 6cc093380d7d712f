package fctest_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect/fctest"
)

func TestProConnectUserinfoClaimsByScope(t *testing.T) {
	e := newPCEnv(t, fctest.Options{}, func(c *fctest.Registration) { c.UserinfoSignedResponseAlg = "" })
	info := func(agent, scope string) map[string]any {
		tok := e.tokens(agent, "scope", scope)
		resp, body := e.get(e.srv.Issuer()+"/userinfo", tok["access_token"].(string))
		require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
		var m map[string]any
		require.NoError(t, json.Unmarshal(body, &m))
		return m
	}
	for _, tc := range []struct {
		name, agent, scope string
		want               map[string]any
	}{
		{"openid only", "agent_mfa", "openid", map[string]any{}},
		{"identity", "agent_mfa", "openid given_name usual_name email uid", map[string]any{
			"given_name": "Claire", "usual_name": "Lefèvre", "email": "claire.lefevre@demonstration.gouv.fr", "uid": "cl-4821"}},
		{"organisation", "agent_territorial", "openid siret siren organization_label roles belonging_population", map[string]any{
			"siret": "21750567600015", "siren": "217505676", "organization_label": "Mairie de Villeneuve-Exemple",
			"roles": []any{"agent_public", "agent_public_territorial"}, "belonging_population": "agent"}},
		{"phone scope", "agent_mfa", "openid phone", map[string]any{"phone_number": "+33 1 40 00 00 01"}},
		{"identity provider", "agent_hospitalier", "openid idp_id idp_acr", map[string]any{
			"idp_id": "fi-chu", "idp_acr": "urn:fi-chu:niveau:basique"}},
		{"custom, amr", "agent_territorial", "openid custom amr", map[string]any{
			"custom": map[string]any{"service": "état civil", "matricule": "T-0042"}, "amr": []any{"mail"}}},
		{"groups, unit", "agent_eidas2", "openid groups organizational_unit", map[string]any{
			"groups": []any{"cabinet", "securite-civile"}}},
		{"missing optional claims", "salarie_prive", "openid organization_label roles phone belonging_population custom chorusdt",
			map[string]any{"roles": []any{}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := info(tc.agent, tc.scope)
			require.Equal(t, e.srv.Subject(pcClientID, tc.agent), got["sub"])
			delete(got, "sub")
			require.Equal(t, tc.want, got)
		})
	}
}

func TestProConnectLogout(t *testing.T) {
	for _, alg := range []string{"ES256", "RS256", "HS256"} {
		t.Run(alg, func(t *testing.T) {
			e := newPCEnv(t, fctest.Options{}, func(c *fctest.Registration) { c.SignedResponseAlg = alg })
			hint := e.tokens("agent_mfa")["id_token"].(string)
			const state = "logout-state-0123456789abcdefghijklmnop"
			logout := func(kv ...string) string {
				v := url.Values{"id_token_hint": {hint}, "state": {state}, "post_logout_redirect_uri": {logoutURL}}
				for i := 0; i+1 < len(kv); i += 2 {
					v.Set(kv[i], kv[i+1])
				}
				return e.srv.Issuer() + "/session/end?" + v.Encode()
			}
			_, err := e.srv.Logout(context.Background(), logout("post_logout_redirect_uri", logoutURL+"/"))
			requirePageError(t, err, http.StatusBadRequest, "Y030111")
			_, err = e.srv.Logout(context.Background(), logout("ui_locales", "fr", "foo", "bar"))
			requirePageError(t, err, http.StatusBadRequest, "Y000400")

			back, err := e.srv.Logout(context.Background(), logout())
			require.NoError(t, err)
			require.Equal(t, logoutURL+"?state="+state, back)

			_, err = e.srv.Logout(context.Background(), logout())
			requirePageError(t, err, http.StatusBadRequest, "Y030110")
			q := redirectQuery(t, e.srv.HTTPClient(), e.authURL("prompt", "none"))
			require.Equal(t, "login_required", q.Get("error"), "logout ended the ProConnect session")
		})
	}
}

func TestProConnectLogoutRefusesForgedHS256Hints(t *testing.T) {
	e := newPCEnv(t, fctest.Options{}, nil) // registered ES256
	require.NoError(t, e.srv.Register(fctest.Registration{ID: "hs-fs", Secret: "hs-fs-client-secret-of-32-characters!",
		RedirectURIs: []string{callbackURL}, PostLogoutRedirectURIs: []string{logoutURL}, SignedResponseAlg: "HS256"}))
	e.tokens("agent_mfa")
	claims := map[string]any{"iss": e.srv.Issuer(), "aud": pcClientID, "sub": "x"}
	forged := hs256(t, claims, secret)
	_, err := e.srv.Logout(context.Background(), e.srv.Issuer()+"/session/end?"+url.Values{"id_token_hint": {forged},
		"state": {"s"}, "post_logout_redirect_uri": {logoutURL}}.Encode())
	pe := &fctest.PageError{}
	require.ErrorAs(t, err, &pe)
	require.Contains(t, pe.Description, "no client registered for HS256 in aud", "an ES256 client's secret signs nothing")

	claims["aud"] = "hs-fs"
	_, err = e.srv.Logout(context.Background(), e.srv.Issuer()+"/session/end?"+url.Values{
		"id_token_hint": {hs256(t, claims, "not-the-secret-of-hs-fs-0123456789")}, "state": {"s"}}.Encode())
	require.ErrorAs(t, err, &pe)
	require.Contains(t, pe.Description, "invalid signature")
}
