package fcdata_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect"
	"github.com/go-franceconnect/franceconnect/fcdata"
)

func TestConfigReportsEveryProblem(t *testing.T) {
	_, err := fcdata.New(context.Background(), fcdata.Config{Issuer: "http://data.example.gouv.fr/api/v2",
		ClientSecret: "short", SigningAlg: "RS256", CacheTTL: -1, InsecureAcceptUnverifiedCheckToken: false})
	require.ErrorIs(t, err, fcdata.ErrConfig)
	for _, want := range []string{"6 problems", "Issuer", "must use https", "ClientID is required", "ClientSecret: 5 characters",
		`"RS256" is not allowed on FranceConnect+`, "DecryptionKeys is required", "CacheTTL"} {
		assert.Contains(t, err.Error(), want)
	}
	_, err = fcdata.New(context.Background(), fcdata.Config{Environment: franceconnect.PCProduction, ClientID: "rs",
		ClientSecret: dpSecret, DecryptionKeys: []franceconnect.Key{dpKey()}, SigningAlg: "PS256", InsecureAcceptUnverifiedCheckToken: true})
	require.ErrorIs(t, err, fcdata.ErrConfig)
	for _, want := range []string{"3 problems", "ProConnect does not encrypt", `"PS256" is not allowed on ProConnect`, "FranceConnect+ only"} {
		assert.Contains(t, err.Error(), want)
	}
}

func TestConfigFromEnv(t *testing.T) {
	dir := t.TempDir()
	keys, err := franceconnect.MarshalKeys([]franceconnect.Key{dpKey()})
	require.NoError(t, err)
	path := filepath.Join(dir, "keys.json")
	require.NoError(t, os.WriteFile(path, keys, 0o600))
	t.Setenv(fcdata.EnvIssuer, "http://127.0.0.1:18080/api/v2")
	t.Setenv(fcdata.EnvPlatform, "fc")
	t.Setenv(fcdata.EnvClientID, dpID)
	t.Setenv(fcdata.EnvClientSecret, string(dpSecret))
	t.Setenv(fcdata.EnvKeys, path)
	t.Setenv(fcdata.EnvSigningAlg, "RS256")
	t.Setenv(fcdata.EnvScopes, "dgfip_rfr dgfip_nbpart")
	cfg, err := fcdata.ConfigFromEnv()
	require.NoError(t, err)
	assert.Equal(t, franceconnect.FranceConnect, cfg.Platform)
	assert.Equal(t, []string{"dgfip_rfr", "dgfip_nbpart"}, cfg.Scopes)
	require.Len(t, cfg.DecryptionKeys, 1)

	t.Setenv(fcdata.EnvPlatform, "franceconnect-plus")
	t.Setenv(fcdata.EnvKeys, filepath.Join(dir, "missing.json"))
	t.Setenv(fcdata.EnvScopes, "dgfip_rfr,dgfip_nbpart")
	t.Setenv(fcdata.EnvClientSecret, "")
	_, err = fcdata.ConfigFromEnv()
	require.ErrorIs(t, err, fcdata.ErrConfig)
	for _, want := range []string{"Platform (FD_PLATFORM)", "DecryptionKeys (FD_KEYS)", "Scopes (FD_SCOPES): FD_SCOPES holds commas",
		"ClientSecret (FD_CLIENT_SECRET) is required"} {
		assert.Contains(t, err.Error(), want)
	}
}
