package main

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/require"
)

// pcClient is a ProConnect registration: its id_token and userinfo
// algorithms ("" userinfo: plain JSON).
type pcClient struct{ id, sig, userinfo string }

var pcClients = []pcClient{
	{"pc-es256", "ES256", "ES256"},
	{"pc-rs256-json", "RS256", ""},
	{"pc-hs256", "HS256", "HS256"},
}

func (c pcClient) secret() string { return c.id + "-secret-0123456789abcdefghijklmnopqrstuvwxyz" }

// mfaClaims requires a level with two-factor authentication.
const mfaClaims = `{"id_token":{"acr":{"essential":true,"values":["eidas0-mfa","eidas1-mfa","eidas2","eidas3"]}}}`

// pcClientsFile writes the clients file of pcClients.
func pcClientsFile(t *testing.T) string {
	t.Helper()
	var entries []map[string]any
	for _, c := range pcClients {
		e := map[string]any{"client_id": c.id, "client_secret": c.secret(), "name": "Outil " + c.id,
			"redirect_uris": []string{callbackURL}, "post_logout_redirect_uris": []string{loggedOut},
			"id_token_signed_response_alg": c.sig}
		if c.userinfo != "" {
			e["userinfo_signed_response_alg"] = c.userinfo
		}
		entries = append(entries, e)
	}
	data, err := json.MarshalIndent(entries, "", "  ")
	require.NoError(t, err)
	return writeFile(t, "clients.json", string(data))
}

// pcRP is a ProConnect service provider written with net/http and go-jose
// only: discovery, PKCE, client_secret_post, refresh tokens.
type pcRP struct {
	t      *testing.T
	c      pcClient
	client *http.Client
	emu    *process
	meta   struct {
		AuthorizationEndpoint string   `json:"authorization_endpoint"`
		TokenEndpoint         string   `json:"token_endpoint"`
		UserinfoEndpoint      string   `json:"userinfo_endpoint"`
		EndSessionEndpoint    string   `json:"end_session_endpoint"`
		JWKSURI               string   `json:"jwks_uri"`
		GrantTypes            []string `json:"grant_types_supported"`
		IDTokenAlgs           []string `json:"id_token_signing_alg_values_supported"`
	}
}

func newPCRP(t *testing.T, emu *process, c pcClient) *pcRP {
	rp := &pcRP{t: t, c: c, client: emu.httpClient(), emu: emu}
	resp, err := rp.client.Get(emu.issuer + "/.well-known/openid-configuration")
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal([]byte(readBody(t, resp)), &rp.meta))
	require.Equal(t, []string{"authorization_code", "refresh_token"}, rp.meta.GrantTypes)
	require.Equal(t, []string{"HS256", "ES256", "RS256"}, rp.meta.IDTokenAlgs)
	return rp
}

// authURL returns an authorization request with PKCE and the verifier.
func (rp *pcRP) authURL(state, nonce, claims string) (string, string) {
	verifier := random()
	sum := sha256.Sum256([]byte(verifier))
	return rp.meta.AuthorizationEndpoint + "?" + url.Values{
		"response_type": {"code"}, "client_id": {rp.c.id}, "redirect_uri": {callbackURL},
		"scope": {"openid given_name usual_name email siret organization_label"}, "claims": {claims},
		"state": {state}, "nonce": {nonce}, "code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])},
		"code_challenge_method": {"S256"}, "siret_hint": {"11000012200017"},
	}.Encode(), verifier
}

// token posts form with the client's credentials and returns the answer.
func (rp *pcRP) token(form url.Values) (int, map[string]any) {
	form.Set("client_id", rp.c.id)
	form.Set("client_secret", rp.c.secret())
	resp, err := rp.client.PostForm(rp.meta.TokenEndpoint, form)
	require.NoError(rp.t, err)
	var m map[string]any
	require.NoError(rp.t, json.Unmarshal([]byte(readBody(rp.t, resp)), &m))
	return resp.StatusCode, m
}

// verify checks a JWS signed with alg: by the published key of its kid and
// alg, or by the client secret for HS256.
func (rp *pcRP) verify(token, alg string) map[string]any {
	require.Equal(rp.t, 2, strings.Count(token, "."), "a JWS")
	obj, err := jose.ParseSignedCompact(token, []jose.SignatureAlgorithm{jose.SignatureAlgorithm(alg)})
	require.NoError(rp.t, err)
	var key any = []byte(rp.c.secret())
	if alg != "HS256" {
		var set jose.JSONWebKeySet
		resp, err := rp.client.Get(rp.meta.JWKSURI)
		require.NoError(rp.t, err)
		require.NoError(rp.t, json.Unmarshal([]byte(readBody(rp.t, resp)), &set))
		for _, k := range set.Keys {
			if k.KeyID == obj.Signatures[0].Header.KeyID && k.Algorithm == alg {
				key = k.Key
			}
		}
	}
	payload, err := obj.Verify(key)
	require.NoError(rp.t, err)
	var claims map[string]any
	require.NoError(rp.t, json.Unmarshal(payload, &claims))
	return claims
}

// userinfo fetches the userinfo: JSON or a JWT, as registered.
func (rp *pcRP) userinfo(accessToken string) map[string]any {
	ct, body := getBearer(rp.t, rp.client, rp.meta.UserinfoEndpoint, accessToken)
	if rp.c.userinfo != "" {
		require.Equal(rp.t, "application/jwt", ct)
		return rp.verify(body, rp.c.userinfo)
	}
	require.Equal(rp.t, "application/json", ct)
	var m map[string]any
	require.NoError(rp.t, json.Unmarshal([]byte(body), &m))
	return m
}

// roundTrip logs agent in through the program, checks the tokens and the
// userinfo, refreshes, and logs out. It returns the id_token's claims.
func (rp *pcRP) roundTrip(b *browser, agent string, page bool) map[string]any {
	t := rp.t
	state, nonce := random(), random()
	authURL, verifier := rp.authURL(state, nonce, mfaClaims)
	cb, sawPage := b.login(t, authURL, agent)
	require.Equal(t, page, sawPage)
	require.Equal(t, callbackURL, withoutQuery(cb))
	require.Equal(t, state, cb.Query().Get("state"))
	require.Equal(t, rp.emu.issuer, cb.Query().Get("iss"), "RFC 9207")

	status, tok := rp.token(url.Values{"grant_type": {"authorization_code"}, "code": {cb.Query().Get("code")},
		"redirect_uri": {callbackURL}, "code_verifier": {verifier}})
	require.Equal(t, http.StatusOK, status, tok)
	claims := rp.verify(tok["id_token"].(string), rp.c.sig)
	require.Equal(t, nonce, claims["nonce"])
	require.Equal(t, rp.c.id, claims["aud"])
	info := rp.userinfo(tok["access_token"].(string))
	require.Equal(t, claims["sub"], info["sub"])

	status, again := rp.token(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok["refresh_token"].(string)}})
	require.Equal(t, http.StatusOK, status, again)
	refreshed := rp.verify(again["id_token"].(string), rp.c.sig)
	require.Equal(t, claims["sub"], refreshed["sub"])
	require.NotContains(t, refreshed, "nonce")
	require.Equal(t, claims["sub"], rp.userinfo(again["access_token"].(string))["sub"])
	status, _ = rp.token(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok["refresh_token"].(string)}})
	require.Equal(t, http.StatusBadRequest, status, "a refresh token works once")

	logoutState := random()
	back := b.logout(t, rp.meta.EndSessionEndpoint+"?"+url.Values{"id_token_hint": {tok["id_token"].(string)},
		"state": {logoutState}, "post_logout_redirect_uri": {loggedOut}}.Encode())
	require.Equal(t, loggedOut+"?state="+logoutState, back.String())
	return claims
}

func TestProConnectProgram(t *testing.T) {
	emu := startEmulator(t, "-platform", "proconnect", "-clients", pcClientsFile(t), "-keys-dir", sharedKeysDir)
	require.Contains(t, emu.summary, "ProConnect emulator (fcemulator)\n")
	require.Contains(t, emu.summary, "  agents      agent_mfa agent_sans_mfa ")
	require.Contains(t, emu.summary, "    userinfo                    plain JSON (no userinfo_signed_response_alg)\n")
	require.Contains(t, emu.summary, "    encryption                  none (ProConnect does not encrypt)\n")
	for _, c := range pcClients {
		require.NotContains(t, emu.summary, c.secret())
		t.Run(c.id, func(t *testing.T) {
			claims := newPCRP(t, emu, c).roundTrip(newBrowser(t, emu), "agent_mfa", true)
			require.Equal(t, "eidas1-mfa", claims["acr"])
		})
	}
	rp := newPCRP(t, emu, pcClients[0])
	authURL, _ := rp.authURL(random(), random(), mfaClaims)
	cb, _ := newBrowser(t, emu).login(t, authURL, "agent_sans_mfa")
	require.Equal(t, "access_denied", cb.Query().Get("error"), "no MFA, not in the set")
	require.Contains(t, cb.Query().Get("error_uri"), "code=Y020032")
}

func TestProConnectProgramAutoLoginAndAgentsFile(t *testing.T) {
	agents := writeFile(t, "agents.json", `[
	  {"login": "marie", "given_name": "Marie", "usual_name": "Curie", "email": "marie.curie@exemple.gouv.fr",
	   "uid": "mc-1", "siret": "13001234700014", "organization_label": "Institut du radium",
	   "acr": "eidas2", "amr": ["pwd", "otp", "mfa"], "roles": ["agent_public"]},
	  {"login": "paul", "given_name": "Paul", "usual_name": "Langevin", "email": "paul.langevin@exemple.gouv.fr",
	   "uid": "pl-2", "siret": "13001234700014"}
	]`)
	emu := startEmulator(t, "-platform", "proconnect", "-clients", pcClientsFile(t), "-keys-dir", sharedKeysDir,
		"-identities", agents, "-auto-login", "marie", "-admin")
	require.Contains(t, emu.summary, "  agents      marie paul\n")
	require.Contains(t, emu.summary, "automatic, as marie")
	rp := newPCRP(t, emu, pcClients[1])
	claims := rp.roundTrip(newBrowser(t, emu), "", false)
	require.Equal(t, "eidas2", claims["acr"])

	status, body := adminCall(t, emu, http.MethodPost, "faults/inject", "application/json",
		`{"faults": ["FaultSigningAlgMismatch", "FaultCallbackMissingIssuer"]}`)
	require.Equal(t, http.StatusOK, status, body)
	authURL, verifier := rp.authURL(random(), random(), "")
	cb, _ := newBrowser(t, emu).login(t, authURL, "")
	require.NotContains(t, cb.Query(), "iss", "FaultCallbackMissingIssuer")
	status, tok := rp.token(url.Values{"grant_type": {"authorization_code"}, "code": {cb.Query().Get("code")},
		"redirect_uri": {callbackURL}, "code_verifier": {verifier}})
	require.Equal(t, http.StatusOK, status, tok)
	h := strings.SplitN(tok["id_token"].(string), ".", 2)[0]
	raw, err := base64.RawURLEncoding.DecodeString(h)
	require.NoError(t, err)
	require.Contains(t, string(raw), `"alg":"ES256"`, "FaultSigningAlgMismatch: ES256 for an RS256 client")

	authURL, _ = rp.authURL(random(), random(), `{"id_token":{"acr":{"essential":true,"values":["eidas1"]}}}`)
	cb, sawPage := newBrowser(t, emu).login(t, authURL, "")
	require.False(t, sawPage)
	require.Equal(t, "access_denied", cb.Query().Get("error"), "marie is at eidas2, not eidas1")
}

func TestProConnectProgramRefusesEncryption(t *testing.T) {
	const base = `"client_id": "pc", "client_secret": "0123456789abcdef0123456789abcdef", "redirect_uris": ["` + callbackURL + `"]`
	for _, tc := range []struct{ file, msg string }{
		{`[{` + base + `, "id_token_encrypted_response_alg": "ECDH-ES"}]`,
			`client "pc": id_token_encrypted_response_alg: ProConnect does not encrypt responses`},
		{`[{` + base + `, "jwks_uri": "http://127.0.0.1:9/keys"}]`, `client "pc": jwks_uri: ProConnect does not encrypt`},
		{`[{` + base + `, "id_token_signed_response_alg": "PS256"}]`, `client "pc": id_token_signed_response_alg: unsupported algorithm`},
	} {
		status, stderr := runFailing(t, "-platform", "proconnect", "-clients", writeFile(t, "clients.json", tc.file))
		require.Equal(t, 1, status)
		require.Contains(t, stderr, tc.msg)
	}
	status, stderr := runFailing(t, "-platform", "proconnect", "-clients", pcClientsFile(t), "-identities",
		writeFile(t, "agents.json", `[{"login": "x", "given_name": "X", "usual_name": "Y", "email": "x@exemple.fr", "uid": "1", "siret": "123"}]`))
	require.Equal(t, 1, status)
	require.Contains(t, stderr, `agent "x": siret: "123" is not 14 digits`)
}

// TestDocProConnectClientsFile starts the program with the ProConnect
// clients file of docs/other-languages.md, so that it cannot drift.
func TestDocProConnectClientsFile(t *testing.T) {
	page, _ := docPage(t)
	_, section, ok := strings.Cut(page, "\n## ProConnect\n")
	require.True(t, ok)
	_, rest, ok := strings.Cut(section, "```json\n")
	require.True(t, ok)
	file, _, _ := strings.Cut(rest, "```")
	emu := startEmulator(t, "-platform", "proconnect", "-clients", writeFile(t, "clients.json", file),
		"-keys-dir", sharedKeysDir)
	require.Contains(t, emu.summary, "client my-tool\n")
	require.Contains(t, emu.summary, "    userinfo                    RS256\n")
	for _, agent := range []string{"agent_mfa", "agent_sans_mfa", "agent_eidas2", "agent_eidas3", "agent_territorial",
		"agent_hospitalier", "dirigeant", "salarie_prive"} {
		require.Contains(t, section, "`"+agent+"`")
		require.Contains(t, emu.summary, " "+agent)
	}
}
