package franceconnect

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewValidatesConfig(t *testing.T) {
	p := newProvider(t, FranceConnectPlus)
	rsaOnly := []Key{loadTestKeys(t).fsKey(RSAOAEP256)}
	tests := []struct {
		name  string
		edit  func(*Config)
		field string
	}{
		{"no issuer", func(c *Config) { c.Issuer = "" }, "Environment is required"},
		{"both", func(c *Config) { c.Environment = FCPlusIntegration }, "exclusive"},
		{"unknown preset", func(c *Config) { c.Issuer, c.Environment = "", "fcplus-staging" }, "Environment"},
		{"preset platform mismatch", func(c *Config) { c.Issuer, c.Environment, c.Platform = "", FCPlusProduction, FranceConnect }, "Platform"},
		{"http issuer", func(c *Config) { c.Issuer = "http://fc.example.com/api/v2" }, "Issuer"},
		{"unknown platform", func(c *Config) { c.Platform = 7 }, "Platform"},
		{"no client id", func(c *Config) { c.ClientID = " " }, "ClientID"},
		{"no secret", func(c *Config) { c.ClientSecret = "" }, "ClientSecret"},
		{"no redirect", func(c *Config) { c.RedirectURL = "" }, "RedirectURL"},
		{"relative redirect", func(c *Config) { c.RedirectURL = "/callback" }, "RedirectURL"},
		{"redirect with fragment", func(c *Config) { c.RedirectURL = "https://fs.example.com/cb#x" }, "RedirectURL"},
		{"redirect with empty fragment", func(c *Config) { c.RedirectURL = "https://fs.example.com/cb#" }, "RedirectURL"},
		{"http redirect", func(c *Config) { c.RedirectURL = "http://fs.example.com/cb" }, "RedirectURL"},
		{"redirect with user info", func(c *Config) { c.RedirectURL = "https://u:p@fs.example.com/cb" }, "RedirectURL"},
		{"logout with fragment", func(c *Config) { c.PostLogoutRedirectURL = "https://fs.example.com/out#top" }, "PostLogoutRedirectURL"},
		{"no logout", func(c *Config) { c.PostLogoutRedirectURL = "" }, "PostLogoutRedirectURL"},
		{"scopes without openid", func(c *Config) { c.Scopes = []string{"profile"} }, "Scopes"},
		{"no scopes", func(c *Config) { c.Scopes = nil }, "Scopes"},
		{"scope with a space", func(c *Config) { c.Scopes = []string{"openid", "a b"} }, "Scopes"},
		{"eidas1 on FC+", func(c *Config) { c.ACR = EIDAS1 }, "ACR"},
		{"unknown acr", func(c *Config) { c.ACR = "eidas9" }, "ACR"},
		{"no keys on FC+", func(c *Config) { c.DecryptionKeys = nil }, "DecryptionKeys"},
		{"key without kid", func(c *Config) { k := rsaOnly[0]; k.ID = ""; c.DecryptionKeys = []Key{k} }, "kid"},
		{"duplicate kid", func(c *Config) { c.DecryptionKeys = append(rsaOnly, rsaOnly...) }, "twice"},
		{"alg of another kty", func(c *Config) { k := rsaOnly[0]; k.Algorithm = ECDHES; c.DecryptionKeys = []Key{k} }, "EC P-256"},
		{"unknown alg", func(c *Config) { k := rsaOnly[0]; k.Algorithm = "RSA1_5"; c.DecryptionKeys = []Key{k} }, "RSA1_5"},
		{"RS256 on FC+", func(c *Config) { c.SigningAlgs = []string{"RS256"} }, "SigningAlgs"},
		{"HS256", func(c *Config) { c.SigningAlgs = []string{"HS256"} }, "SigningAlgs"},
		{"leeway too large", func(c *Config) { c.Leeway = 2 * time.Minute }, "Leeway"},
		{"tiny body limit", func(c *Config) { c.MaxResponseBytes = 10 }, "MaxResponseBytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := p.config()
			tt.edit(&cfg)
			c, err := New(context.Background(), cfg)
			require.ErrorIs(t, err, ErrConfig)
			assert.Nil(t, c)
			assert.Contains(t, err.Error(), tt.field)
		})
	}
}

func TestNewAcceptsValidConfigs(t *testing.T) {
	fcp := newProvider(t, FranceConnectPlus)
	c := fcp.client(t)
	assert.Equal(t, fixIssuer, c.Issuer())
	assert.Equal(t, FranceConnectPlus, c.Platform())
	assert.Equal(t, EIDAS2, c.acr, "default level on FC+")

	fc := newProvider(t, FranceConnect)
	c = fc.client(t)
	assert.Equal(t, EIDAS1, c.acr, "default level on FC")
	assert.Equal(t, []string{"ES256"}, c.sigAlgs, "an FS registers one algorithm; ES256 is the recommended one")

	_, err := New(context.Background(), fc.config())
	require.NoError(t, err)
	cfg := fc.config()
	cfg.ACR = EIDAS2
	_, err = New(context.Background(), cfg)
	require.ErrorIs(t, err, ErrConfig, "eidas2 cannot be requested on FranceConnect")
}

func TestLoopbackHTTPAllowed(t *testing.T) {
	for _, u := range []string{"http://127.0.0.1:8080/cb", "http://localhost/cb", "http://[::1]:9/cb", "http://127.0.0.2/cb"} {
		require.True(t, checkURL(&problems{}, "RedirectURL", u), u)
	}
	for _, u := range []string{"http://192.168.1.2/cb", "http://localhost.example.com/cb", "ftp://127.0.0.1/cb", "https:///cb"} {
		p := &problems{}
		require.False(t, checkURL(p, "RedirectURL", u), u)
		require.ErrorIs(t, p.err(), ErrConfig, u)
	}
}

func TestConfigNeverPrintsSecrets(t *testing.T) {
	p := newProvider(t, FranceConnectPlus)
	cfg := p.config()
	cfg.ClientSecret = "super-secret-value-0123456789abcdef"
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		out := fmt.Sprintf(verb, cfg)
		assert.NotContains(t, out, "super-secret", verb)
		assert.NotContains(t, out, "PrivateKey", verb)
		out = fmt.Sprintf(verb, &cfg)
		assert.NotContains(t, out, "super-secret", verb)
	}
	out := fmt.Sprintf("%v %+v %#v", cfg.DecryptionKeys, cfg.DecryptionKeys[0], cfg.DecryptionKeys)
	assert.NotContains(t, out, "PublicKey")
	b, err := json.Marshal(struct {
		S Secret
		T Token
	}{cfg.ClientSecret, Token("eyJhbGciOi.secret.token")})
	require.NoError(t, err)
	assert.JSONEq(t, `{"S":"[redacted]","T":"[redacted]"}`, string(b))
	assert.Equal(t, "[redacted] [redacted] ", fmt.Sprintf("%s %x %v", Token("abc"), Secret("x"), Token("")))
}

func TestNewFailsOnUnreachableProvider(t *testing.T) {
	p := newProvider(t, FranceConnectPlus)
	cfg := p.config()
	p.srv.Close()
	_, err := New(context.Background(), cfg)
	require.ErrorIs(t, err, ErrDiscovery)
	require.ErrorIs(t, err, ErrHTTP)
}
