package main

import (
	"crypto/rand"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect"
	"github.com/go-franceconnect/franceconnect/fctest"
)

// randomKey is a session key as `head -c 32 /dev/urandom` makes one.
func randomKey() []byte {
	k := make([]byte, 32)
	_, _ = rand.Read(k)
	return k
}

// registerFS registers an FS served at site on emu, with a fresh key, and
// sets the environment variables newSite reads, as a deployment would.
func registerFS(t *testing.T, emu *fctest.Server, site string) {
	t.Helper()
	key, err := franceconnect.GenerateKey(franceconnect.ECDHES, "")
	require.NoError(t, err)
	private, err := franceconnect.MarshalKeys([]franceconnect.Key{key})
	require.NoError(t, err)
	keyFile := filepath.Join(t.TempDir(), "fc-keys.json")
	require.NoError(t, os.WriteFile(keyFile, private, 0o600))
	public, err := franceconnect.PublicJWKS([]franceconnect.Key{key})
	require.NoError(t, err)
	secret := strings.Repeat("s", 40)
	require.NoError(t, emu.RegisterClient(fctest.Client{ID: "minimal-fs", Secret: fctest.Secret(secret), JWKS: public,
		RedirectURIs: []string{site + "/callback"}, PostLogoutRedirectURIs: []string{site + "/logout-callback"}}))
	for k, v := range map[string]string{
		franceconnect.EnvEnvironment: "", franceconnect.EnvIssuer: emu.Issuer(), franceconnect.EnvClientID: "minimal-fs",
		franceconnect.EnvClientSecret: secret, franceconnect.EnvKeys: keyFile,
		franceconnect.EnvRedirectURL: site + "/callback", franceconnect.EnvPostLogoutRedirectURL: site + "/logout-callback",
		franceconnect.EnvScopes: "openid given_name family_name",
		"FS_SESSION_KEYS":       base64.StdEncoding.EncodeToString(randomKey()),
	} {
		t.Setenv(k, v)
	}
}

// registerProConnectFS registers an FS served at site on a ProConnect
// emulator and sets the variables of a ProConnect deployment: no FC_KEYS,
// ProConnect encrypts nothing.
func registerProConnectFS(t *testing.T, emu *fctest.Server, site string) {
	t.Helper()
	secret := strings.Repeat("p", 40)
	require.NoError(t, emu.RegisterClient(fctest.Client{ID: "minimal-pc", Secret: fctest.Secret(secret),
		RedirectURIs: []string{site + "/callback"}, PostLogoutRedirectURIs: []string{site + "/logout-callback"},
		SignedResponseAlg: "RS256", UserinfoSignedResponseAlg: "RS256"}))
	for k, v := range map[string]string{
		franceconnect.EnvEnvironment: "", franceconnect.EnvIssuer: emu.Issuer(), franceconnect.EnvPlatform: "proconnect",
		franceconnect.EnvClientID: "minimal-pc", franceconnect.EnvClientSecret: secret, franceconnect.EnvKeys: "",
		franceconnect.EnvRedirectURL: site + "/callback", franceconnect.EnvPostLogoutRedirectURL: site + "/logout-callback",
		franceconnect.EnvScopes: "openid given_name usual_name email", franceconnect.EnvSigningAlg: "RS256",
		"FS_SESSION_KEYS": base64.StdEncoding.EncodeToString(randomKey()),
	} {
		t.Setenv(k, v)
	}
}
