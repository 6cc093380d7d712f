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
	"github.com/go-franceconnect/franceconnect/fctest"
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
		{"weak session key", map[string]string{fchttp.EnvSessionKeys: base64.StdEncoding.EncodeToString([]byte("correct horse battery staple 123"))},
			[]string{"session key 1 is printable text", "head -c 32 /dev/urandom | base64", "(from FS_SESSION_KEYS)"}},
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

// setDoorEnv sets the variables of one door of a site under prefix, for a
// client registered on emu at base.
func setDoorEnv(t *testing.T, emu *fctest.Server, prefix, id, base string, platform string) {
	t.Helper()
	reg := fctest.Registration{ID: id, Secret: secret, RedirectURIs: []string{base + "/callback"},
		PostLogoutRedirectURIs: []string{base + "/logout-callback"}}
	vars := map[string]string{franceconnect.EnvIssuer: emu.Issuer(), franceconnect.EnvPlatform: platform,
		franceconnect.EnvClientID: id, franceconnect.EnvClientSecret: secret,
		franceconnect.EnvRedirectURL: base + "/callback", franceconnect.EnvPostLogoutRedirectURL: base + "/logout-callback",
		franceconnect.EnvScopes: "openid given_name"}
	if platform == "fcplus" {
		key, err := franceconnect.GenerateKey(franceconnect.ECDHES, "")
		require.NoError(t, err)
		reg.JWKS, err = franceconnect.PublicJWKS([]franceconnect.Key{key})
		require.NoError(t, err)
		private, err := franceconnect.MarshalKeys([]franceconnect.Key{key})
		require.NoError(t, err)
		vars[franceconnect.EnvKeys] = filepath.Join(t.TempDir(), "keys.json")
		require.NoError(t, os.WriteFile(vars[franceconnect.EnvKeys], private, 0o600))
	} else {
		reg.UserinfoSignedResponseAlg = "RS256" // a new ProConnect registration: RS256 for both tokens
		vars[franceconnect.EnvScopes] = "openid given_name usual_name"
	}
	require.NoError(t, emu.Register(reg))
	for k, v := range vars {
		t.Setenv(prefix+k, v)
	}
}

// TestNewFromEnvPrefix builds the two doors of a site from one
// environment: CITOYEN_FC_* for FranceConnect+, AGENT_FC_* for
// ProConnect, FS_SESSION_KEYS shared.
func TestNewFromEnvPrefix(t *testing.T) {
	plus, pc := fctest.New(t, fctest.Options{}), fctest.New(t, fctest.Options{Platform: fctest.ProConnect})
	setDoorEnv(t, plus, "CITOYEN_", "citoyen", site+"/citoyen", "fcplus")
	setDoorEnv(t, pc, "AGENT_", "agent", site+"/agent", "proconnect")
	t.Setenv(fchttp.EnvSessionKeys, base64.StdEncoding.EncodeToString(newKey()))
	ctx := context.Background()
	citizens, err := fchttp.NewFromEnvPrefix(ctx, "CITOYEN_", fchttp.Config{CookieName: "citoyen",
		LoginPath: "/citoyen/login", LogoutPath: "/citoyen/logout", KeysPath: "/citoyen/keys"})
	require.NoError(t, err)
	agents, err := fchttp.NewFromEnvPrefix(ctx, "AGENT_", fchttp.Config{CookieName: "agent",
		LoginPath: "/agent/login", LogoutPath: "/agent/logout", KeysPath: "/agent/keys"})
	require.NoError(t, err)
	assert.Equal(t, franceconnect.FranceConnectPlus, citizens.Door().Platform)
	assert.Equal(t, fchttp.Door{Platform: franceconnect.ProConnect, Issuer: pc.Issuer(), ClientID: "agent"}, agents.Door())
	assert.Contains(t, citizens.Patterns(), "GET /citoyen/keys")
	assert.NotContains(t, agents.Patterns(), "GET /agent/keys", "ProConnect publishes no keys")
	require.NoError(t, fchttp.RegisterDoors(http.NewServeMux(), citizens, agents))

	// Every problem of a door at once, each naming its prefixed variable.
	t.Setenv("AGENT_"+franceconnect.EnvClientID, "")
	t.Setenv("AGENT_"+franceconnect.EnvRedirectURL, "")
	t.Setenv(fchttp.EnvSessionKeys, "")
	_, err = fchttp.NewFromEnvPrefix(ctx, "AGENT_", fchttp.Config{CookieName: "agent"})
	require.ErrorIs(t, err, franceconnect.ErrConfig)
	for _, want := range []string{"AGENT_FC_CLIENT_ID is not set", "AGENT_FC_REDIRECT_URL is not set", "FS_SESSION_KEYS is not set"} {
		assert.ErrorContains(t, err, want)
	}
	_, err = fchttp.NewFromEnvPrefix(ctx, "agent", fchttp.Config{})
	assert.ErrorContains(t, err, "environment prefix")
}
