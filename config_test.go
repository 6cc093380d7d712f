package franceconnect

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// requireOnePrefix checks that an error names the package once.
func requireOnePrefix(t *testing.T, err error) {
	t.Helper()
	require.Equal(t, 1, strings.Count(err.Error(), "franceconnect:"), "%q", err)
}

func TestNewReportsEveryProblem(t *testing.T) {
	cfg := newProvider(t, FranceConnectPlus).config()
	cfg.ClientID, cfg.ClientSecret, cfg.ACR = "", "short", "eidas4"
	cfg.Scopes = []string{"openid", "identite_pivot,email", "idp_id"}
	_, err := New(context.Background(), cfg)
	require.ErrorIs(t, err, ErrConfig)
	requireOnePrefix(t, err)
	for _, want := range []string{"4 problems", "ClientID is required", "ClientSecret: 5 characters",
		`"identite_pivot,email" holds a comma`, `unknown eIDAS level "eidas4"`} {
		assert.Contains(t, err.Error(), want)
	}
	cfg.Scopes = []string{"openid", "idp_id"}
	_, err = New(context.Background(), cfg)
	assert.Contains(t, err.Error(), `"idp_id" is an identity scope of FranceConnect, not of FranceConnect+`, "a FranceConnect v2 scope")
	assert.Contains(t, err.Error(), "rnipp_identite_pivot", "the valid scopes are listed")
}

func TestConfigRules(t *testing.T) {
	p := newProvider(t, FranceConnectPlus)
	tests := []struct {
		name string
		edit func(*Config)
		want string // "" when valid
	}{
		{"data-provider scope", func(c *Config) { c.Scopes = []string{"openid", "dgfip_rfr", "cnam_caisse"} }, ""},
		{"near miss of an identity scope", func(c *Config) { c.Scopes = []string{"openid", "identite_pivo"} }, `did you mean "identite_pivot"?`},
		{"identity scope in another case", func(c *Config) { c.Scopes = []string{"OpenID", "openid"} }, `did you mean "openid"?`},
		{"identity scope of ProConnect", func(c *Config) { c.Scopes = []string{"openid", "usual_name"} }, "identity scope of ProConnect, not of FranceConnect+"},
		{"data-provider scope unknown offline: left to discovery", func(c *Config) { c.Scopes = []string{"openid", "dgfip_Nouveau2027"} }, ""},
		{"repeated scope", func(c *Config) { c.Scopes = []string{"openid", "email", "email"} }, "twice"},
		{"eidas1 on FranceConnect+", func(c *Config) { c.ACR = EIDAS1 }, "eidas1 cannot be requested on FranceConnect+"},
		{"unknown level", func(c *Config) { c.ACR = "eidas4" }, `unknown eIDAS level "eidas4"`},
		{"secret of 31 characters", func(c *Config) { c.ClientSecret = Secret(strings.Repeat("s", 31)) }, "31 characters"},
		{"secret of 32 characters", func(c *Config) { c.ClientSecret = Secret(strings.Repeat("s", 32)) }, ""},
		{"secret with a newline", func(c *Config) { c.ClientSecret = fixSecret + "\n" }, "whitespace"},
		{"secret not ASCII", func(c *Config) { c.ClientSecret = fixSecret + "é" }, "printable ASCII"},
		{"loopback redirect with a custom issuer", func(c *Config) { c.RedirectURL = "http://127.0.0.1:8080/cb" }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := p.config()
			tt.edit(&cfg)
			_, err := newClient(cfg)
			if tt.want == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, ErrConfig)
			requireOnePrefix(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

// A real preset refuses http and loopback redirect URLs, except FranceConnect
// v2's integration platforms, which accept localhost (spec §3.1).
func TestPresetRedirectURLs(t *testing.T) {
	keys := loadTestKeys(t).fs
	for env, refused := range map[Environment]bool{
		FCPlusIntegration: true, FCPlusProduction: true, FCProduction: true, FCIntegration: false, FCSandbox: false,
	} {
		cfg := Config{Environment: env, ClientID: "id", ClientSecret: fixSecret, Scopes: []string{"openid"},
			RedirectURL: "http://localhost:8080/callback", PostLogoutRedirectURL: "https://fs.example.fr/out"}
		if env.Platform() == FranceConnectPlus {
			cfg.DecryptionKeys = keys
		}
		_, err := newClient(cfg)
		if !refused {
			require.NoError(t, err, env)
			continue
		}
		require.ErrorIs(t, err, ErrConfig, env)
		assert.Contains(t, err.Error(), "RedirectURL", env)
		cfg.RedirectURL = "https://fs.example.fr/callback"
		_, err = newClient(cfg)
		require.NoError(t, err, env)
	}
}

func TestConfigFromEnvNamesTheVariables(t *testing.T) {
	for _, name := range []string{EnvEnvironment, EnvIssuer, EnvPlatform, EnvClientID, EnvClientSecret, EnvRedirectURL,
		EnvPostLogoutRedirectURL, EnvKeys, EnvACR, EnvScopes} {
		t.Setenv(name, "")
	}
	t.Setenv(EnvPlatform, "fcx")
	t.Setenv(EnvKeys, "/nonexistent/keys.json")
	_, err := ConfigFromEnv()
	require.ErrorIs(t, err, ErrConfig)
	requireOnePrefix(t, err)
	for _, want := range []string{"Platform (FC_PLATFORM): unknown platform \"fcx\"", "Environment: FC_ENVIRONMENT is not set",
		"ClientID: FC_CLIENT_ID is not set", "DecryptionKeys (FC_KEYS): \"/nonexistent/keys.json\"", "Scopes: FC_SCOPES is not set"} {
		assert.Contains(t, err.Error(), want)
	}
	assert.NotContains(t, err.Error(), "FC_KEYS is not set", "a file that cannot be read is one problem, not two")
}

func TestDeprecatedMinSecretLength(t *testing.T) {
	assert.Equal(t, MinStateNonceLength, MinSecretLength)
	assert.Equal(t, 32, MinClientSecretLength)
}
