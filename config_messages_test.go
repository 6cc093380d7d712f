package franceconnect

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPresetURLMessages checks that a preset refusing http and loopback
// hosts says which of the two a redirect URL breaks, instead of the rule of
// custom issuers ("plain http is only allowed on loopback hosts"), which
// would invite a loopback URL the preset refuses as well.
func TestPresetURLMessages(t *testing.T) {
	for _, tc := range []struct {
		env      Environment
		url      string
		want     string
		wantNot  string
		accepted bool
	}{
		{FCPlusProduction, "http://fs.example.fr/callback", "fcplus-production requires https", "loopback", false},
		{FCPlusProduction, "https://localhost/callback", "fcplus-production refuses loopback hosts", "refuses http", false},
		{FCPlusProduction, "https://127.0.0.1/callback", "fcplus-production refuses loopback hosts", "refuses http", false},
		{FCPlusIntegration, "http://localhost:8080/callback", "fcplus-integration refuses http and loopback hosts", "only allowed", false},
		{FCProduction, "http://fs.example.fr/callback", "fc-production requires https", "loopback", false},
		{FCPlusProduction, "https://fs.example.fr/callback#x", "must not contain a fragment", "", false},
		{FCIntegration, "http://localhost:8080/callback", "", "", true},
		{FCIntegration, "http://fs.example.fr/callback", "plain http is only allowed on loopback hosts", "", false},
		{FCPlusProduction, "https://fs.example.fr/callback", "", "", true},
	} {
		cfg := Config{Environment: tc.env, ClientID: "id", ClientSecret: fixSecret, RedirectURL: tc.url,
			PostLogoutRedirectURL: "https://fs.example.fr/out", Scopes: []string{"openid"}, DecryptionKeys: loadTestKeys(t).fs[:1]}
		if tc.env.Platform() != FranceConnectPlus {
			cfg.DecryptionKeys = nil
		}
		_, err := newClient(cfg)
		if tc.accepted {
			assert.NoError(t, err, "%s %s", tc.env, tc.url)
			continue
		}
		require.ErrorIs(t, err, ErrConfig, "%s %s", tc.env, tc.url)
		assert.Contains(t, err.Error(), "RedirectURL: "+strconv.Quote(tc.url), tc.env)
		assert.Contains(t, err.Error(), tc.want, "%s %s", tc.env, tc.url)
		if tc.wantNot != "" {
			assert.NotContains(t, err.Error(), tc.wantNot, "%s %s", tc.env, tc.url)
		}
	}
}

// TestConfigErrorCountsEveryProblem checks that the count of a
// configuration error is the number of problems it lists, one a line, also
// when a key file holds several problems, and that the category is said
// once.
func TestConfigErrorCountsEveryProblem(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys.json")
	require.NoError(t, os.WriteFile(path, []byte(`{"keys":[`+
		`{"kty":"EC","crv":"P-256","x":"MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4","y":"4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM","d":"870MB6gfuTJ4HtUnUvYMyJpr5eUZNP4Bk43bVdj3eAE"},`+
		`{"kty":"EC","crv":"P-256","x":"MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4","y":"4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM","d":"870MB6gfuTJ4HtUnUvYMyJpr5eUZNP4Bk43bVdj3eAE"}]}`), 0o600))
	for k, v := range map[string]string{
		EnvEnvironment: "fcplus-production", EnvIssuer: "", EnvPlatform: "", EnvClientID: "", EnvClientSecret: "short",
		EnvRedirectURL: "http://fs.example.fr/cb", EnvPostLogoutRedirectURL: "https://fs.example.fr/out",
		EnvKeys: path, EnvACR: "", EnvScopes: "openid,email", EnvSigningAlg: "", EnvUserInfo: "",
	} {
		t.Setenv(k, v)
	}
	_, err := ConfigFromEnv()
	require.ErrorIs(t, err, ErrConfig)
	var ce *ConfigError
	require.ErrorAs(t, err, &ce)
	lines := strings.Split(err.Error(), "\n")
	m := regexp.MustCompile(`^franceconnect: invalid configuration: (\d+) problems:$`).FindStringSubmatch(lines[0])
	require.NotNil(t, m, lines[0])
	n, _ := strconv.Atoi(m[1])
	assert.Equal(t, n, len(lines)-1, "the count is the number of lines that follow:\n%s", err)
	assert.Equal(t, n, len(ce.Problems))
	assert.Equal(t, 1, strings.Count(err.Error(), "invalid configuration"), err.Error())
	assert.Equal(t, 1, strings.Count(err.Error(), "franceconnect:"), err.Error())
	assert.Contains(t, err.Error(), `DecryptionKeys (FC_KEYS): "`+path+`": key 1 has no ID (kid)`)
	assert.Contains(t, err.Error(), `DecryptionKeys (FC_KEYS): "`+path+`": key 2 has no ID (kid)`)

	_, err = newClient(Config{Issuer: "http://127.0.0.1:1/api/v2", ClientID: "id", ClientSecret: fixSecret,
		RedirectURL: "http://127.0.0.1/cb", PostLogoutRedirectURL: "http://127.0.0.1/out", Scopes: []string{"openid"}})
	require.ErrorAs(t, err, &ce)
	assert.Len(t, ce.Problems, 1)
	assert.Equal(t, "franceconnect: invalid configuration: DecryptionKeys is required: FranceConnect+ encrypts every token "+
		"to your keys: give the private keys whose public part is published at your registered Client keys URL", err.Error())
}

// TestParseKeysMessages checks the messages of a bad key file: keys
// counted from 1, the category said once.
func TestParseKeysMessages(t *testing.T) {
	for data, want := range map[string]string{
		`{"keys":[{"kty":"EC","crv":"P-256","x":"AA","y":"AA"}]}`: "franceconnect: invalid configuration: key 1: invalid JWK: ",
		`{"keys":[{"kty":"oct","k":"AAAA","kid":"a"}]}`:           "franceconnect: invalid configuration: DecryptionKeys: kid \"a\": ",
		`not json`: "franceconnect: invalid configuration: keys: not a JWK Set, JWK or PEM",
	} {
		_, err := ParseKeys([]byte(data))
		require.ErrorIs(t, err, ErrConfig, data)
		assert.True(t, strings.HasPrefix(err.Error(), want), "%s\n%s", data, err)
		assert.Equal(t, 1, strings.Count(err.Error(), "invalid configuration"), err.Error())
	}
}
