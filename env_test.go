package franceconnect

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestConfigFromEnv(t *testing.T) {
	k, err := GenerateKey(ECDHES, "k1")
	require.NoError(t, err)
	b, err := MarshalKeys([]Key{k})
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "keys.json")
	require.NoError(t, os.WriteFile(path, b, 0o600))

	t.Setenv(EnvEnvironment, "fcplus-integration")
	t.Setenv(EnvClientID, "id")
	t.Setenv(EnvClientSecret, "secret-of-at-least-32-characters-0123")
	t.Setenv(EnvRedirectURL, "https://fs.example.fr/cb")
	t.Setenv(EnvPostLogoutRedirectURL, "https://fs.example.fr/out")
	t.Setenv(EnvKeys, path)
	t.Setenv(EnvACR, "eidas3")
	t.Setenv(EnvScopes, "openid  identite_pivot email")
	cfg, err := ConfigFromEnv()
	require.NoError(t, err)
	assert.Equal(t, FCPlusIntegration, cfg.Environment)
	assert.Equal(t, "https://auth.integ01.dev-franceconnect.fr/api/v2", cfg.Environment.Issuer())
	assert.Equal(t, Secret("secret-of-at-least-32-characters-0123"), cfg.ClientSecret)
	assert.Equal(t, EIDAS3, cfg.ACR)
	assert.Equal(t, []string{"openid", "identite_pivot", "email"}, cfg.Scopes)
	require.Len(t, cfg.DecryptionKeys, 1)
	assert.Equal(t, "k1", cfg.DecryptionKeys[0].ID)
	_, err = newClient(cfg)
	require.NoError(t, err)

	t.Setenv(EnvPlatform, "fc")
	t.Setenv(EnvEnvironment, "")
	t.Setenv(EnvIssuer, "http://127.0.0.1:8090/api/v2")
	t.Setenv(EnvACR, "")
	cfg, err = ConfigFromEnv()
	require.NoError(t, err)
	assert.Equal(t, FranceConnect, cfg.Platform)
	t.Setenv(EnvPlatform, "fcx")
	_, err = ConfigFromEnv()
	require.ErrorIs(t, err, ErrConfig)
	t.Setenv(EnvPlatform, "")

	t.Setenv(EnvKeys, filepath.Join(t.TempDir(), "missing.json"))
	_, err = ConfigFromEnv()
	require.ErrorIs(t, err, ErrConfig)
	assert.Contains(t, err.Error(), EnvKeys)
}

func TestPresets(t *testing.T) {
	for env, want := range map[Environment]struct {
		issuer   string
		platform Platform
	}{
		FCPlusIntegration: {"https://auth.integ01.dev-franceconnect.fr/api/v2", FranceConnectPlus},
		FCPlusProduction:  {"https://auth.franceconnect.gouv.fr/api/v2", FranceConnectPlus},
		FCIntegration:     {"https://fcp-low.integ01.dev-franceconnect.fr/api/v2", FranceConnect},
		FCSandbox:         {"https://fcp-low.sbx.dev-franceconnect.fr/api/v2", FranceConnect},
		FCProduction:      {"https://oidc.franceconnect.gouv.fr/api/v2", FranceConnect},
	} {
		assert.Equal(t, want.issuer, env.Issuer(), env)
		assert.Equal(t, want.platform, env.Platform(), env)
	}
	assert.Empty(t, Environment("nope").Issuer())
	assert.Equal(t, "FranceConnect+", FranceConnectPlus.String())
}

func TestConfigFromEnvPrefix(t *testing.T) {
	t.Setenv(EnvIssuer, "http://127.0.0.1:8090/api/v2") // unprefixed: not read
	t.Setenv("AGENT_"+EnvIssuer, "http://127.0.0.1:8091/api/v2")
	t.Setenv("AGENT_"+EnvPlatform, "proconnect")
	t.Setenv("AGENT_"+EnvClientID, "agents")
	t.Setenv("AGENT_"+EnvClientSecret, "secret-of-at-least-32-characters-0123")
	t.Setenv("AGENT_"+EnvRedirectURL, "https://fs.example.fr/agent/callback")
	t.Setenv("AGENT_"+EnvPostLogoutRedirectURL, "https://fs.example.fr/agent/logout-callback")
	t.Setenv("AGENT_"+EnvACR, "eidas1-mfa eidas2")
	t.Setenv("AGENT_"+EnvScopes, "openid given_name usual_name email uid siret")
	cfg, err := ConfigFromEnvPrefix("AGENT_")
	require.NoError(t, err)
	assert.Equal(t, "http://127.0.0.1:8091/api/v2", cfg.Issuer)
	assert.Equal(t, ProConnect, cfg.Platform)
	assert.Equal(t, "agents", cfg.ClientID)
	assert.Equal(t, []ACR{EIDAS1MFA, EIDAS2}, cfg.AcceptedACRs)
	_, err = newClient(cfg)
	require.NoError(t, err)

	// Every problem at once, each naming its prefixed variable.
	t.Setenv("AGENT_"+EnvClientID, "")
	t.Setenv("AGENT_"+EnvScopes, "openid,email")
	t.Setenv("AGENT_"+EnvRedirectURL, "https://fs.example.fr/cb#x")
	_, err = ConfigFromEnvPrefix("AGENT_")
	require.ErrorIs(t, err, ErrConfig)
	for _, want := range []string{"AGENT_FC_CLIENT_ID is not set", "AGENT_FC_SCOPES holds commas", "RedirectURL (AGENT_FC_REDIRECT_URL)"} {
		assert.Contains(t, err.Error(), want)
	}
	assert.NotContains(t, err.Error(), " FC_CLIENT_ID", "no unprefixed name")

	for _, bad := range []string{"agent_", "AGENT", "_AGENT_", "AGENT-", "1AGENT_", "AGÉNT_"} {
		_, err := ConfigFromEnvPrefix(bad)
		require.ErrorIs(t, err, ErrConfig, bad)
		assert.Contains(t, err.Error(), "environment prefix", bad)
	}
}

func TestConfigFromEnvLevels(t *testing.T) {
	t.Setenv(EnvIssuer, "http://127.0.0.1:8090/api/v2")
	t.Setenv(EnvPlatform, "proconnect")
	t.Setenv(EnvClientID, "id")
	t.Setenv(EnvClientSecret, "secret-of-at-least-32-characters-0123")
	t.Setenv(EnvRedirectURL, "http://127.0.0.1:8080/cb")
	t.Setenv(EnvPostLogoutRedirectURL, "http://127.0.0.1:8080/out")
	t.Setenv(EnvScopes, "openid email")
	t.Setenv(EnvACR, "eidas1 eidas1-mfa eidas2 eidas3")
	t.Setenv(EnvPreferredACR, "eidas1-mfa eidas2 eidas3")
	t.Setenv(EnvMaxAuthAge, "30m")
	cfg, err := ConfigFromEnv()
	require.NoError(t, err)
	assert.Equal(t, ProConnectEIDAS1OrBetter(), cfg.AcceptedACRs)
	assert.Equal(t, []ACR{EIDAS1MFA, EIDAS2, EIDAS3}, cfg.PreferredACRs)
	assert.Equal(t, 30*time.Minute, cfg.MaxAuthAge)

	t.Setenv(EnvPreferredACR, "eidas0-mfa")
	t.Setenv(EnvMaxAuthAge, "half an hour")
	_, err = ConfigFromEnv()
	require.ErrorIs(t, err, ErrConfig)
	assert.Contains(t, err.Error(), "PreferredACRs ("+EnvPreferredACR+")")
	assert.Contains(t, err.Error(), "MaxAuthAge ("+EnvMaxAuthAge+")")
}
