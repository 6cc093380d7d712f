package fctest_test

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect/fctest"
)

func TestRegisterFS(t *testing.T) {
	for _, tc := range []struct {
		platform                          fctest.Platform
		fs                                fctest.FS
		name, keys, sigAlg, scopes, uinfo string
	}{
		{fctest.FranceConnectPlus, fctest.FS{Site: "https://fs.example.fr/"}, "fcplus", "ECDH-ES", "ES256",
			"openid identite_pivot email", ""},
		{fctest.FranceConnectPlus, fctest.FS{Site: "http://127.0.0.1:8080", KeyAlg: "RSA-OAEP-256", ACR: "eidas3"},
			"fcplus", "RSA-OAEP-256", "ES256", "openid identite_pivot email", ""},
		{fctest.FranceConnect, fctest.FS{Site: "https://fs.example.fr", SigningAlg: "RS256", Scopes: []string{"openid", "email"}},
			"fc", "", "RS256", "openid email", ""},
		{fctest.ProConnect, fctest.FS{Site: "https://fs.example.fr"}, "proconnect", "", "RS256",
			"openid given_name usual_name email uid siret", "json"},
		{fctest.ProConnect, fctest.FS{Site: "https://fs.example.fr", SigningAlg: "ES256", UserinfoAlg: "ES256"},
			"proconnect", "", "ES256", "openid given_name usual_name email uid siret", "jwt"},
	} {
		t.Run(tc.name+"/"+tc.keys+tc.sigAlg, func(t *testing.T) {
			emu := fctest.New(t, fctest.Options{Platform: tc.platform})
			var keyFile string
			t.Run("register", func(t *testing.T) {
				cfg := emu.RegisterFS(t, tc.fs)
				site := strings.TrimSuffix(tc.fs.Site, "/")
				want := fctest.Env{
					"FC_ENVIRONMENT": "", "FC_ISSUER": emu.Issuer(), "FC_PLATFORM": tc.name,
					"FC_CLIENT_ID": cfg.Registration.ID, "FC_CLIENT_SECRET": string(cfg.Registration.Secret),
					"FC_REDIRECT_URL": site + "/callback", "FC_POST_LOGOUT_REDIRECT_URL": site + "/logout-callback",
					"FC_KEYS": cfg.Env["FC_KEYS"], "FC_ACR": tc.fs.ACR, "FC_SCOPES": tc.scopes,
					"FC_SIGNING_ALG": tc.sigAlg, "FC_USERINFO": tc.uinfo, "FC_ACR_PREFERRED": "", "FC_MAX_AUTH_AGE": "",
					"FS_SESSION_KEYS": cfg.Env["FS_SESSION_KEYS"],
				}
				assert.Equal(t, want, cfg.Env)
				assert.Regexp(t, "^[0-9a-f]{64}$", cfg.Registration.ID)
				assert.GreaterOrEqual(t, len(cfg.Registration.Secret), 32)
				key, err := base64.StdEncoding.DecodeString(cfg.Env["FS_SESSION_KEYS"])
				require.NoError(t, err)
				assert.Len(t, key, 32)

				keyFile = cfg.Env["FC_KEYS"]
				if tc.keys == "" {
					assert.Empty(t, keyFile)
					assert.Nil(t, cfg.PrivateJWKS)
					return
				}
				data, err := os.ReadFile(keyFile)
				require.NoError(t, err)
				assert.Equal(t, cfg.PrivateJWKS, data)
				info, err := os.Stat(keyFile)
				require.NoError(t, err)
				assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
				var set jose.JSONWebKeySet
				require.NoError(t, json.Unmarshal(data, &set))
				require.Len(t, set.Keys, 1)
				assert.Equal(t, tc.keys, set.Keys[0].Algorithm)
				assert.False(t, set.Keys[0].IsPublic())

				env := cfg.Setenv(t)
				for k, v := range env {
					assert.Equal(t, v, os.Getenv(k), k)
				}
			})
			if keyFile != "" {
				_, err := os.Stat(keyFile)
				assert.ErrorIs(t, err, os.ErrNotExist, "the key file is removed when the test ends")
			}
		})
	}
}

// fatalTB records the first Fatal instead of stopping the test.
type fatalTB struct {
	*testing.T
	fatal string
}

func (f *fatalTB) Fatal(args ...any) {
	if f.fatal == "" {
		f.fatal = fmt.Sprint(args...)
	}
}

func TestRegisterFSRefuses(t *testing.T) {
	for _, tc := range []struct {
		platform fctest.Platform
		fs       fctest.FS
		want     string
	}{
		{fctest.FranceConnectPlus, fctest.FS{}, `Site "" must be an origin`},
		{fctest.FranceConnectPlus, fctest.FS{Site: "fs.example.fr"}, "must be an origin"},
		{fctest.FranceConnectPlus, fctest.FS{Site: "https://fs.example.fr/app"}, "must be an origin"},
		{fctest.FranceConnectPlus, fctest.FS{Site: "https://fs.example.fr?x=1"}, "must be an origin"},
		{fctest.FranceConnectPlus, fctest.FS{Site: "ftp://fs.example.fr"}, "must be an origin"},
		{fctest.FranceConnectPlus, fctest.FS{Site: "https://fs.example.fr", KeyAlg: "A128KW"}, `algorithm "A128KW"`},
		{fctest.FranceConnectPlus, fctest.FS{Site: "https://fs.example.fr", SigningAlg: "RS256"}, "only signs with ES256"},
		{fctest.FranceConnectPlus, fctest.FS{Site: "https://fs.example.fr", UserinfoAlg: "ES256"}, "UserinfoAlg is for ProConnect"},
		{fctest.FranceConnectPlus, fctest.FS{Site: "https://fs.example.fr", Scopes: []string{"openid", "siret"}}, `scope "siret"`},
		{fctest.FranceConnect, fctest.FS{Site: "https://fs.example.fr", KeyAlg: "ECDH-ES"}, "does not encrypt"},
		{fctest.ProConnect, fctest.FS{Site: "https://fs.example.fr", KeyAlg: "ECDH-ES"}, "does not encrypt"},
		{fctest.ProConnect, fctest.FS{Site: "https://fs.example.fr", SigningAlg: "HS256", UserinfoAlg: "ES256"}, "FC_SIGNING_ALG cannot say"},
		{fctest.ProConnect, fctest.FS{Site: "https://fs.example.fr", UserinfoAlg: "ES256"}, `differs from the id_token's "RS256"`},
	} {
		emu := fctest.New(t, fctest.Options{Platform: tc.platform})
		tb := &fatalTB{T: t}
		cfg := emu.RegisterFS(tb, tc.fs)
		assert.Nil(t, cfg, "%+v", tc.fs)
		assert.Contains(t, tb.fatal, tc.want)
		assert.True(t, strings.HasPrefix(tb.fatal, "fctest: "), tb.fatal)
	}
}

// TestFSConfigRedacts prints, marshals and logs a registration: neither the
// client secret, nor the session key, nor the private key shows.
func TestFSConfigRedacts(t *testing.T) {
	emu := fctest.New(t, fctest.Options{})
	cfg := emu.RegisterFS(t, fctest.FS{Site: "https://fs.example.fr"})
	var set struct{ Keys []struct{ D string } }
	require.NoError(t, json.Unmarshal(cfg.PrivateJWKS, &set))
	require.Len(t, set.Keys, 1)
	secrets := []string{string(cfg.Registration.Secret), cfg.Env["FS_SESSION_KEYS"], set.Keys[0].D,
		base64.StdEncoding.EncodeToString(cfg.PrivateJWKS)[:40], // the key file as JSON marshals []byte
		hex.EncodeToString([]byte(cfg.Registration.Secret)), hex.EncodeToString(cfg.PrivateJWKS)[:40],
		fmt.Sprint(cfg.PrivateJWKS)[:40], strings.TrimPrefix(fmt.Sprintf("%#v", cfg.PrivateJWKS), "[]byte")[:40]} // fmt's forms of []byte
	for _, s := range secrets {
		require.NotEmpty(t, s)
	}

	var out bytes.Buffer
	for _, v := range []any{cfg, *cfg, cfg.Env} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
			fmt.Fprintf(&out, verb+"\n", v)
		}
		b, err := json.Marshal(v)
		require.NoError(t, err)
		out.Write(b)
		slog.New(slog.NewTextHandler(&out, nil)).Info("fs", "cfg", v)
		slog.New(slog.NewJSONHandler(&out, nil)).Info("fs", "cfg", v)
	}
	assert.Contains(t, out.String(), cfg.Registration.ID)
	assert.Contains(t, out.String(), "[redacted]")
	for _, s := range secrets {
		assert.NotContains(t, out.String(), s)
	}
}
