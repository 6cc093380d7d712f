package fctest_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect/fctest"
)

func TestParsePeopleRoundTrip(t *testing.T) {
	demo := fctest.DemoPeople()
	data, err := json.Marshal(demo)
	require.NoError(t, err)
	require.Contains(t, string(data), `"given_name":"Camille Hélène"`, "members named after the claims")
	got, err := fctest.ParsePeople(data)
	require.NoError(t, err)
	require.Equal(t, demo, got, "the demo identities pass the file's stricter rules")

	e := newEnv(t, fctest.Options{People: got[:1]}, nil)
	require.NotEmpty(t, e.code("camille"))
}

func TestParsePeopleErrorsNameIdentityAndField(t *testing.T) {
	const valid = `"given_name":"Jeanne","family_name":"TEST","gender":"female","birthdate":"1990-02-28",` +
		`"birthplace":"75056","birthcountry":"99100"`
	for _, tc := range []struct{ file, msg string }{
		{`{}`, "want a JSON array"},
		{`[]`, "the array is empty"},
		{`[42]`, "identity #1: want a JSON object"},
		{`[{"login":"jeanne",` + valid + `,"nickname":"x"}]`, `identity "jeanne": nickname: unknown member`},
		{`[{"login":"jeanne",` + valid + `,"Email":"x@y.fr"}]`, `identity "jeanne": Email: unknown member`},
		{`[{"login":"jeanne",` + valid + `,"amr":"pwd"}]`, `identity "jeanne": amr: wrong type: want an array of strings, got a JSON string`},
		{`[{"login":7,` + valid + `}]`, `identity #1: login: wrong type: want a string, got a JSON number`},
		{`[{"login":"with space",` + valid + `}]`, `identity "with space": login: must match`},
		{`[{"login":"jeanne","given_name":"","family_name":"T"}]`, `identity "jeanne": given_name: is required`},
		{`[{"login":"jeanne",` + strings.Replace(valid, `"TEST"`, `""`, 1) + `}]`, `identity "jeanne": family_name: is required`},
		{`[{"login":"jeanne",` + strings.Replace(valid, `"female"`, `"F"`, 1) + `}]`, `identity "jeanne": gender: "F" is not male`},
		{`[{"login":"jeanne",` + strings.Replace(valid, `1990-02-28`, `1990-02-30`, 1) + `}]`, `identity "jeanne": birthdate: "1990-02-30" is not a date`},
		{`[{"login":"jeanne",` + strings.Replace(valid, `"99100"`, `"100"`, 1) + `}]`, `identity "jeanne": birthcountry: "100" is not an INSEE country code`},
		{`[{"login":"jeanne",` + strings.Replace(valid, `"75056"`, `"Paris"`, 1) + `}]`, `identity "jeanne": birthplace: "Paris" is not an INSEE commune code`},
		{`[{"login":"jeanne",` + valid + `,"email":"not-an-address"}]`, `identity "jeanne": email: "not-an-address" is not an e-mail address`},
		{`[{"login":"jeanne",` + valid + `,"amr":["pwd",""]}]`, `identity "jeanne": amr: holds an empty method`},
		{`[{"login":"jeanne",` + valid + `,"acr":"eidas9"}]`, `identity "jeanne": acr: unknown level "eidas9"`},
		{`[{"login":"jeanne",` + valid + `},{"login":"jeanne",` + valid + `}]`, `identity "jeanne": login: appears twice`},
	} {
		_, err := fctest.ParsePeople([]byte(tc.file))
		require.ErrorContains(t, err, tc.msg, tc.file)
	}
	_, err := fctest.ParsePeople([]byte(`[{"login":"abroad",` + strings.NewReplacer(`"75056"`, `""`,
		`"99100"`, `"99352"`).Replace(valid) + `}]`))
	require.NoError(t, err, "born abroad: empty birthplace")
}

func TestParseRegistrations(t *testing.T) {
	ec := fsKeys["ECDH-ES"]()
	file := `[
	  {"client_id": "fs-1", "client_secret": "` + secret + `", "name": "Service 1", "entity_id": "entity",
	   "redirect_uris": ["` + callbackURL + `"], "post_logout_redirect_uris": ["` + logoutURL + `"],
	   "scopes": ["openid", "email"], "claims": ["amr"], "allowed_idp_hints": ["idp-1"],
	   "id_token_signed_response_alg": "ES256", "id_token_encrypted_response_alg": "ECDH-ES",
	   "id_token_encrypted_response_enc": "A256GCM", "userinfo_signed_response_alg": "ES256",
	   "userinfo_encrypted_response_alg": "ECDH-ES", "userinfo_encrypted_response_enc": "A256GCM",
	   "jwks": ` + string(ec.pub) + `},
	  {"client_id": "fs-2", "client_secret": "` + secret + `", "redirect_uris": ["` + callbackURL + `"],
	   "jwks_uri": "https://fs.example.fr/keys", "jwks": null}
	]`
	clients, err := fctest.ParseRegistrations([]byte(file))
	require.NoError(t, err)
	require.Equal(t, []fctest.Registration{{
		ID: "fs-1", Secret: secret, Name: "Service 1", EntityID: "entity",
		RedirectURIs: []string{callbackURL}, PostLogoutRedirectURIs: []string{logoutURL},
		Scopes: []string{"openid", "email"}, AllowAMR: true, AllowedIDPHints: []string{"idp-1"},
		SignedResponseAlg: "ES256", UserinfoSignedResponseAlg: "ES256", EncryptedResponseAlg: "ECDH-ES", JWKS: ec.pub,
	}, {
		ID: "fs-2", Secret: secret, RedirectURIs: []string{callbackURL}, JWKSURL: "https://fs.example.fr/keys",
	}}, clients)

	srv := fctest.New(t, fctest.Options{})
	for _, c := range clients {
		require.NoError(t, srv.Register(c))
	}
}

func TestParseRegistrationsErrorsNameClientAndField(t *testing.T) {
	const base = `"client_secret":"` + secret + `","redirect_uris":["` + callbackURL + `"]`
	for _, tc := range []struct{ file, msg string }{
		{`{"client_id":"x"}`, "clients: want a JSON array"},
		{`[]`, "clients: the array is empty"},
		{`["fs"]`, "client #1: want a JSON object"},
		{`[{` + base + `}]`, "client #1: client_id: is required"},
		{`[{"client_id":"fs",` + base + `,"clientSecret":"x"}]`, `client "fs": clientSecret: unknown member`},
		{`[{"client_id":"fs",` + base + `,"redirect_uris":"` + callbackURL + `"}]`,
			`client "fs": redirect_uris: wrong type: want an array of strings, got a JSON string`},
		{`[{"client_id":"fs",` + base + `,"claims":["amr","email"]}]`, `client "fs": claims: only "amr"`},
		{`[{"client_id":"fs",` + base + `,"id_token_encrypted_response_enc":"A128GCM"}]`,
			`client "fs": id_token_encrypted_response_enc: "A128GCM" is not A256GCM`},
		{`[{"client_id":"fs",` + base + `,"userinfo_encrypted_response_enc":"A128CBC-HS256"}]`,
			`client "fs": userinfo_encrypted_response_enc`},
		{`[{"client_id":"fs",` + base + `,"userinfo_encrypted_response_alg":"RSA-OAEP"}]`,
			`client "fs": userinfo_encrypted_response_alg: must equal`},
		{`[{"client_id":"fs",` + base + `,"jwks":"https://fs.example.fr/keys"}]`, `client "fs": jwks: want a JWK Set object`},
		{`[{"client_id":"fs",` + base + `},{"client_id":"fs",` + base + `}]`, `client "fs": client_id: appears twice`},
	} {
		_, err := fctest.ParseRegistrations([]byte(tc.file))
		require.ErrorContains(t, err, tc.msg, tc.file)
	}
}

func TestRegisterErrorsNameTheField(t *testing.T) {
	plus := fctest.New(t, fctest.Options{})
	valid := fctest.Registration{ID: "fs", Secret: secret, RedirectURIs: []string{callbackURL}, JWKS: fsKeys["ECDH-ES"]().pub}
	for _, tc := range []struct {
		change func(*fctest.Registration)
		msg    string
	}{
		{func(c *fctest.Registration) { c.ID = "" }, "a client needs a client_id"},
		{func(c *fctest.Registration) { c.Secret = "short" }, `client "fs": client_secret: must be at least 32 characters`},
		{func(c *fctest.Registration) { c.RedirectURIs = nil }, `client "fs": redirect_uris: at least one`},
		{func(c *fctest.Registration) { c.RedirectURIs = []string{"/cb"} }, `client "fs": redirect_uris: URI "/cb" must be an absolute`},
		{func(c *fctest.Registration) { c.PostLogoutRedirectURIs = []string{logoutURL + "#x"} },
			`client "fs": post_logout_redirect_uris: URI "` + logoutURL + `#x" must not contain a fragment`},
		{func(c *fctest.Registration) { c.Scopes = []string{"openid", "phone"} }, `client "fs": scopes: scope "phone" is unknown`},
		{func(c *fctest.Registration) { c.SignedResponseAlg = "RS256" }, `client "fs": id_token_signed_response_alg: FranceConnect+ only signs with ES256`},
		{func(c *fctest.Registration) { c.EncryptedResponseAlg = "A128KW" }, `client "fs": id_token_encrypted_response_alg: unsupported`},
		{func(c *fctest.Registration) { c.UserinfoSignedResponseAlg = "RS256" },
			`client "fs": userinfo_signed_response_alg: must equal id_token_signed_response_alg`},
		{func(c *fctest.Registration) { c.JWKS = nil }, `client "fs": jwks_uri: encrypted responses need the FS public keys`},
		{func(c *fctest.Registration) { c.JWKSURL = "https://fs.example.fr/keys" }, `client "fs": jwks: give only one`},
		{func(c *fctest.Registration) { c.JWKS, c.JWKSURL = nil, "keys.json" }, `client "fs": jwks_uri: invalid URL "keys.json"`},
		{func(c *fctest.Registration) { c.JWKS = []byte(`{"keys":`) }, `client "fs": jwks: invalid JWK Set`},
		{func(c *fctest.Registration) { c.EncryptedResponseAlg = "RSA-OAEP" }, `client "fs": jwks: no usable encryption key for "RSA-OAEP"`},
	} {
		c := valid
		tc.change(&c)
		require.ErrorContains(t, plus.Register(c), tc.msg)
	}
}
