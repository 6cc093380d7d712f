package fchttp_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect"
	"github.com/go-franceconnect/franceconnect/fchttp"
)

// setEnv sets the variables of a deployment of the FS registered on e's
// emulator: the FC_* ones (its private key in a file) and FS_SESSION_KEYS.
func (e *env) setEnv() {
	e.t.Helper()
	private, err := franceconnect.MarshalKeys([]franceconnect.Key{e.key})
	require.NoError(e.t, err)
	keyFile := filepath.Join(e.t.TempDir(), "fc-keys.json")
	require.NoError(e.t, os.WriteFile(keyFile, private, 0o600))
	for k, v := range map[string]string{
		franceconnect.EnvEnvironment: "", franceconnect.EnvPlatform: "", franceconnect.EnvACR: "",
		franceconnect.EnvIssuer: e.emu.Issuer(), franceconnect.EnvClientID: clientID, franceconnect.EnvClientSecret: secret,
		franceconnect.EnvRedirectURL: site + "/callback", franceconnect.EnvPostLogoutRedirectURL: site + "/logout-callback",
		franceconnect.EnvScopes: "openid given_name family_name", franceconnect.EnvKeys: keyFile,
		fchttp.EnvSessionKeys: base64.StdEncoding.EncodeToString(e.ring[0]),
	} {
		e.t.Setenv(k, v)
	}
}

func onLogin(w http.ResponseWriter, r *http.Request, l *franceconnect.Login) (any, error) {
	return l.Identity.GivenName, nil
}

func TestNewFromEnv(t *testing.T) {
	e := newEnv(t)
	e.setEnv()
	fc, err := fchttp.NewFromEnv(context.Background(), fchttp.Config{KeysPath: "/client/keys", OnLogin: onLogin})
	require.NoError(t, err)
	a := mount(fc)
	u := e.user(a)
	page := signIn(t, u)
	_, err = u.Logout(context.Background(), page)
	require.NoError(t, err)

	// A second instance with the same variables opens the first one's
	// session: the key ring came from FS_SESSION_KEYS.
	u2 := e.user(a)
	signIn(t, u2)
	fc2, err := fchttp.NewFromEnv(context.Background(), fchttp.Config{OnLogin: onLogin})
	require.NoError(t, err)
	user := userOf(t, fc2, sessionCookie(t, u2))
	require.NotNil(t, user, "the other instance opens the session")
	assert.Equal(t, "Camille Hélène", dataOf(user))

	// KeysPath serves the public part of FC_KEYS.
	keys, err := u.Open(context.Background(), "/client/keys")
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, keys.Status)
	var set struct{ Keys []map[string]any }
	require.NoError(t, json.Unmarshal([]byte(keys.Body), &set))
	require.Len(t, set.Keys, 1)
	assert.Equal(t, e.key.ID, set.Keys[0]["kid"])
	assert.NotContains(t, set.Keys[0], "d", "the public part only")
}

func TestNewFromEnvUsesWhatConfigGives(t *testing.T) {
	e := newEnv(t)
	e.setEnv()
	t.Setenv(franceconnect.EnvClientID, "")   // would be refused if read
	t.Setenv(fchttp.EnvSessionKeys, "broken") // likewise
	fc, err := fchttp.NewFromEnv(context.Background(), fchttp.Config{Client: e.client(), SessionKeys: e.ring, OnLogin: onLogin})
	require.NoError(t, err)
	signIn(t, e.user(mount(fc)))

	t.Setenv(fchttp.EnvSessionKeys, "")
	_, err = fchttp.NewFromEnv(context.Background(), fchttp.Config{Client: e.client(), Store: newMemStore()})
	require.ErrorContains(t, err, "FS_SESSION_KEYS is not set", "a Store needs the key ring too: it seals the logins in progress")
}

func TestNewFromEnvRefuses(t *testing.T) {
	e := newEnv(t)
	for _, tt := range []struct {
		name  string
		env   map[string]string
		wants []string
	}{
		{"nothing set", map[string]string{franceconnect.EnvIssuer: "", franceconnect.EnvClientID: "", franceconnect.EnvKeys: "",
			fchttp.EnvSessionKeys: ""}, []string{"FC_CLIENT_ID", "FC_KEYS", "FS_SESSION_KEYS is not set", "head -c 32 /dev/urandom | base64"}},
		{"session key not base64", map[string]string{fchttp.EnvSessionKeys: "not base64!"},
			[]string{"session key 1 is not base64", "(from FS_SESSION_KEYS)"}},
		{"session key too short", map[string]string{fchttp.EnvSessionKeys: base64.StdEncoding.EncodeToString(e.ring[0]) + ",AAAA"},
			[]string{"session key 2 is 3 bytes, want 32", "(from FS_SESSION_KEYS)"}},
		{"client secret too short, and no session keys", map[string]string{franceconnect.EnvClientSecret: "short", fchttp.EnvSessionKeys: " "},
			[]string{"FC_CLIENT_SECRET", "FS_SESSION_KEYS is not set"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e.setEnv()
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			fc, err := fchttp.NewFromEnv(context.Background(), fchttp.Config{OnLogin: onLogin})
			require.Error(t, err)
			assert.Nil(t, fc)
			assert.ErrorIs(t, err, franceconnect.ErrConfig)
			for _, want := range tt.wants {
				assert.Contains(t, err.Error(), want)
			}
			assert.Equal(t, 0, e.emu.Requests("discovery"), "nothing fetched before the configuration is complete")
			assert.NotContains(t, err.Error(), secret)
		})
	}
}
