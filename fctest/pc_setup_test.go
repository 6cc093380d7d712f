package fctest_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect/fctest"
)

func TestProConnectDiscovery(t *testing.T) {
	e := newPCEnv(t, fctest.Options{}, nil)
	d := discovery(t, e.env)
	iss := e.srv.Issuer()
	require.True(t, strings.HasSuffix(iss, "/api/v2"))
	require.Equal(t, "ProConnect", e.srv.Platform().String())
	want := map[string]any{
		"issuer": iss, "authorization_endpoint": iss + "/authorize", "token_endpoint": iss + "/token",
		"userinfo_endpoint": iss + "/userinfo", "end_session_endpoint": iss + "/session/end", "jwks_uri": iss + "/jwks",
		"revocation_endpoint": iss + "/token/revocation",
		"acr_values_supported": []any{"eidas0", "eidas0-mfa", "eidas1", "eidas1-mfa", "eidas2", "eidas3",
			certificationDirigeant},
		"scopes_supported": []any{"openid", "given_name", "usual_name", "email", "uid", "siret", "siren",
			"organization_label", "idp_id", "idp_acr", "roles", "phone", "belonging_population",
			"organizational_unit", "custom", "groups", "chorusdt", "amr"},
		"claims_supported": []any{"sub", "given_name", "usual_name", "email", "uid", "siret", "siren",
			"organization_label", "idp_id", "idp_acr", "roles", "phone_number", "belonging_population",
			"organizational_unit", "custom", "groups", "chorusdt:matricule", "chorusdt:societe", "amr", "acr",
			"auth_time", "iss"},
		"claims_parameter_supported":                     true,
		"claim_types_supported":                          []any{"normal"},
		"response_types_supported":                       []any{"code"},
		"response_modes_supported":                       []any{"query"},
		"grant_types_supported":                          []any{"authorization_code", "refresh_token"},
		"subject_types_supported":                        []any{"public"},
		"token_endpoint_auth_methods_supported":          []any{"client_secret_post"},
		"id_token_signing_alg_values_supported":          []any{"HS256", "ES256", "RS256"},
		"userinfo_signing_alg_values_supported":          []any{"HS256", "ES256", "RS256"},
		"request_parameter_supported":                    false,
		"request_uri_parameter_supported":                false,
		"code_challenge_methods_supported":               []any{"S256"},
		"authorization_response_iss_parameter_supported": true,
	}
	require.Equal(t, want, d)
	for k := range d {
		require.NotContains(t, k, "encryption", "ProConnect does not encrypt")
	}
	require.NotContains(t, d["scopes_supported"], "offline_access")
}

func TestProConnectRegistrationRules(t *testing.T) {
	e := newPCEnv(t, fctest.Options{}, nil)
	valid := fctest.Registration{ID: "fs", Secret: secret, RedirectURIs: []string{callbackURL}}
	for _, tc := range []struct {
		change func(*fctest.Registration)
		msg    string // "" when accepted
	}{
		{func(c *fctest.Registration) {}, ""},
		{func(c *fctest.Registration) { c.SignedResponseAlg = "HS256" }, ""},
		{func(c *fctest.Registration) { c.SignedResponseAlg, c.UserinfoSignedResponseAlg = "RS256", "HS256" }, ""},
		{func(c *fctest.Registration) { c.SignedResponseAlg = "PS256" },
			`client "fs": id_token_signed_response_alg: unsupported algorithm "PS256" (ES256, RS256 or HS256)`},
		{func(c *fctest.Registration) { c.UserinfoSignedResponseAlg = "none" },
			`client "fs": userinfo_signed_response_alg: unsupported algorithm "none"`},
		{func(c *fctest.Registration) { c.EncryptedResponseAlg = "ECDH-ES" },
			`client "fs": id_token_encrypted_response_alg: ProConnect does not encrypt responses`},
		{func(c *fctest.Registration) { c.JWKS = fsKeys["ECDH-ES"]().pub }, `client "fs": jwks: ProConnect does not encrypt`},
		{func(c *fctest.Registration) { c.JWKSURL = "https://fs.example.fr/keys" }, `client "fs": jwks_uri: ProConnect does not encrypt`},
		{func(c *fctest.Registration) { c.Scopes = []string{"openid", "family_name"} }, `client "fs": scopes: scope "family_name" is unknown on ProConnect`},
		{func(c *fctest.Registration) { c.Secret = fctest.Secret(strings.Repeat("s", 31)) }, `client "fs": client_secret: must be at least 32 characters`},
	} {
		c := valid
		tc.change(&c)
		err := e.srv.Register(c)
		if tc.msg == "" {
			require.NoError(t, err)
		} else {
			require.ErrorContains(t, err, tc.msg)
		}
	}

	clients, err := fctest.ParseRegistrations([]byte(`[{"client_id": "pc", "client_secret": "` + secret + `",
	  "redirect_uris": ["` + callbackURL + `"], "id_token_signed_response_alg": "HS256",
	  "userinfo_signed_response_alg": "RS256"}]`))
	require.NoError(t, err)
	require.Equal(t, "RS256", clients[0].UserinfoSignedResponseAlg)
	require.NoError(t, e.srv.Register(clients[0]), "a ProConnect client from a clients file")
}

func TestDemoAgents(t *testing.T) {
	agents := fctest.DemoAgents()
	sirets, levels := map[string]bool{}, map[string]bool{}
	for _, a := range agents {
		sirets[a.SIRET] = true
		levels[a.ACR] = true
	}
	require.GreaterOrEqual(t, len(sirets), 6, "several organisations")
	for _, acr := range []string{"eidas0", "eidas1", "eidas1-mfa", "eidas2", "eidas3", certificationDirigeant} {
		require.True(t, levels[acr], acr)
	}
	byLogin := func(login string) fctest.Agent {
		i := slices.IndexFunc(agents, func(a fctest.Agent) bool { return a.Login == login })
		require.GreaterOrEqual(t, i, 0, login)
		return agents[i]
	}
	require.Contains(t, byLogin("dirigeant").Roles, "dirigeant")
	require.Contains(t, byLogin("agent_mfa").AMR, "mfa")
	require.NotContains(t, byLogin("agent_sans_mfa").AMR, "mfa")
	require.Equal(t, []string{"mail"}, byLogin("agent_territorial").AMR)
	require.False(t, slices.Contains([]string{"eidas0", "eidas0-mfa", "eidas1", "eidas1-mfa", "eidas2", "eidas3"},
		byLogin("agent_hospitalier").ACR), "an identity provider level ProConnect does not know")

	srv := fctest.New(t, fctest.Options{Platform: fctest.ProConnect, SigningAlg: "ES256"})
	require.Equal(t, agents, srv.Agents())
	got := srv.Agents()
	got[0].Roles[0] = "changed"
	require.Equal(t, agents, srv.Agents(), "a deep copy")
	require.Empty(t, srv.People())
	require.Empty(t, fctest.New(t, fctest.Options{}).Agents())
}

func TestAgentsOptionsAndFile(t *testing.T) {
	_, err := fctest.NewServer(fctest.Options{Platform: fctest.ProConnect, People: fctest.DemoPeople()})
	require.ErrorContains(t, err, "ProConnect takes Agents, not People")
	_, err = fctest.NewServer(fctest.Options{Agents: fctest.DemoAgents()})
	require.ErrorContains(t, err, "Agents are for ProConnect; FranceConnect+ takes People")
	_, err = fctest.NewServer(fctest.Options{Platform: fctest.Platform(7)})
	require.ErrorContains(t, err, "unknown platform 7")

	file, err := json.Marshal(fctest.DemoAgents())
	require.NoError(t, err)
	parsed, err := fctest.ParseAgents(file)
	require.NoError(t, err)
	require.Equal(t, fctest.DemoAgents(), parsed, "the JSON form round-trips")

	const base = `"login":"a","given_name":"Ana","usual_name":"Dias","email":"ana@exemple.gouv.fr","uid":"a1","siret":"11000012200017"`
	for _, tc := range []struct{ file, msg string }{
		{`{"login":"a"}`, "agents: want a JSON array"},
		{`[{` + base + `,"siren":"110000122"}]`, `agent "a": siren: unknown member`},
		{`[{` + base + `,"roles":"agent_public"}]`, `agent "a": roles: wrong type`},
		{`[{"login":"a","given_name":"Ana","usual_name":"Dias","uid":"a1","siret":"11000012200017"}]`, `agent "a": email: "" is not an e-mail address`},
		{`[{` + strings.Replace(base, "11000012200017", "1100001220001", 1) + `}]`, `agent "a": siret: "1100001220001" is not 14 digits`},
		{`[{` + strings.Replace(base, `"uid":"a1",`, "", 1) + `}]`, `agent "a": uid: is required`},
		{`[{` + strings.Replace(base, `"Dias"`, `" "`, 1) + `}]`, `agent "a": usual_name: is required`},
		{`[{` + base + `,"roles":["chef"]}]`, `agent "a": roles: [chef]: each role must be one of`},
		{`[{` + base + `,"amr":["sms"]}]`, `agent "a": amr: [sms]: each method must be one of`},
		{`[{` + base + `,"custom":["x"]}]`, `agent "a": custom: must be a JSON object`},
		{`[{` + base + `},{` + base + `}]`, `agent "a": login: appears twice`},
		{`[{` + base + `,"sub":"s"},{` + strings.Replace(base, `"a"`, `"b"`, 1) + `,"sub":"s"}]`, `agent "b": sub: appears twice`},
		{`[{` + strings.Replace(base, `"login":"a"`, `"login":"a b"`, 1) + `}]`, `agent #1: login: must match`},
	} {
		_, err := fctest.ParseAgents([]byte(tc.file))
		require.ErrorContains(t, err, tc.msg, tc.file)
	}
}

// A ProConnect registration that names no id_token algorithm gets RS256,
// as ProConnect gives new services, or ES256 on a server publishing only
// ES256 (TestFranceConnectSignedOnlyES256 shows ES256 on FranceConnect).
func TestDefaultSigningAlg(t *testing.T) {
	for _, tc := range []struct {
		opts fctest.Options
		want string
	}{
		{fctest.Options{}, "RS256"},
		{fctest.Options{SigningAlg: "ES256"}, "ES256"},
	} {
		e := newPCEnv(t, tc.opts, func(c *fctest.Registration) { c.SignedResponseAlg, c.UserinfoSignedResponseAlg = "", "" })
		e.verify(e.tokens("agent_mfa")["id_token"].(string), tc.want)
	}
}
