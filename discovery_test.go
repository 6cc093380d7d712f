package franceconnect

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	gojose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// clock is a settable time source.
type clock struct{ ns atomic.Int64 }

func newClock(t time.Time) *clock    { c := &clock{}; c.ns.Store(t.UnixNano()); return c }
func (c *clock) now() time.Time      { return time.Unix(0, c.ns.Load()) }
func (c *clock) add(d time.Duration) { c.ns.Add(int64(d)) }

const discoveryPath = "/api/v2/.well-known/openid-configuration"

func TestCacheTTL(t *testing.T) {
	for v, want := range map[string]time.Duration{
		"":                       defaultCacheTTL,
		"public, max-age=600":    10 * time.Minute,
		"max-age=5":              minCacheTTL,
		"max-age=999999999":      maxCacheTTL,
		"no-store":               minCacheTTL,
		"max-age=abc":            defaultCacheTTL,
		"PUBLIC, MAX-AGE=3600  ": time.Hour,
	} {
		h := http.Header{}
		h.Set("Cache-Control", v)
		assert.Equal(t, want, cacheTTL(h), v)
	}
}

func TestDiscoveryCachedAndRefreshed(t *testing.T) {
	p := newProvider(t, FranceConnectPlus)
	clk := newClock(fixNow)
	c := p.client(t, func(c *Config) { c.Now = clk.now })
	ctx := context.Background()
	for range 5 {
		_, err := c.Authorize(ctx, AuthRequest{})
		require.NoError(t, err)
	}
	assert.Equal(t, int64(1), p.count(discoveryPath), "cached for max-age")

	clk.add(11 * time.Minute)
	_, err := c.Authorize(ctx, AuthRequest{})
	require.NoError(t, err)
	waitRefreshes(c)
	assert.Equal(t, int64(2), p.count(discoveryPath), "refreshed after max-age")

	p.set(func(p *provider) { p.discovery = map[string]any{"issuer": "https://evil.example/api/v2"} })
	clk.add(11 * time.Minute)
	_, err = c.Authorize(ctx, AuthRequest{})
	require.NoError(t, err)
	waitRefreshes(c)
	assert.Equal(t, int64(3), p.count(discoveryPath))
	a, err := c.Authorize(ctx, AuthRequest{})
	require.NoError(t, err, "a failed refresh keeps the last good document")
	assert.Contains(t, a.URL, fixIssuer+"/authorize")
	waitRefreshes(c)
	assert.Equal(t, int64(3), p.count(discoveryPath), "and retries only after a pause")
}

func TestDiscoveryRefusals(t *testing.T) {
	tests := []struct {
		name string
		edit func(d map[string]any)
	}{
		{"issuer mismatch", func(d map[string]any) { d["issuer"] = "https://evil.example/api/v2" }},
		{"issuer trailing slash", func(d map[string]any) { d["issuer"] = fixIssuer + "/" }},
		{"missing token endpoint", func(d map[string]any) { delete(d, "token_endpoint") }},
		{"http userinfo endpoint", func(d map[string]any) { d["userinfo_endpoint"] = "http://example.com/api/v2/userinfo" }},
		{"only HS256", func(d map[string]any) { d["id_token_signing_alg_values_supported"] = []string{"HS256"} }},
		{"only none", func(d map[string]any) { d["userinfo_signing_alg_values_supported"] = []string{"none"} }},
		{"only RSA1_5", func(d map[string]any) { d["id_token_encryption_alg_values_supported"] = []string{"RSA1_5"} }},
		{"only A128GCM", func(d map[string]any) { d["userinfo_encryption_enc_values_supported"] = []string{"A128GCM"} }},
		{"no encryption advertised", func(d map[string]any) { delete(d, "id_token_encryption_alg_values_supported") }},
		{"no client_secret_post", func(d map[string]any) { d["token_endpoint_auth_methods_supported"] = []string{"private_key_jwt"} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newProvider(t, FranceConnectPlus)
			tt.edit(p.discovery)
			_, err := New(context.Background(), p.config())
			require.ErrorIs(t, err, ErrDiscovery)
		})
	}
}

func TestProviderKeysRefusals(t *testing.T) {
	for name, jwks := range map[string]string{
		"unreachable":        "",
		"not JSON":           "<html>",
		"no usable key":      `{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","kid":"ed"}]}`,
		"keys is not a list": `{"keys":{}}`,
	} {
		t.Run(name, func(t *testing.T) {
			p := newProvider(t, FranceConnectPlus)
			if jwks == "" {
				p.discovery["jwks_uri"] = fixIssuer + "/missing"
			}
			p.jwks = []byte(jwks)
			_, err := New(context.Background(), p.config())
			require.ErrorIs(t, err, ErrProviderKeys)
		})
	}
}

func TestProviderKeyRotation(t *testing.T) {
	p := newProvider(t, FranceConnectPlus)
	clk := newClock(fixNow)
	c := p.client(t, func(c *Config) { c.Now = clk.now })
	k := loadTestKeys(t)
	rotated := tokenCase{sigKey: func(k testKeys) gojose.JSONWebKey { return k.other }}

	_, err := c.VerifyIDToken(context.Background(), rotated.mint(t, k), fixState0())
	require.ErrorIs(t, err, ErrUnknownKey)
	assert.Equal(t, int64(2), p.count("/api/v2/jwks"), "one refresh on an unknown kid")

	set := gojose.JSONWebKeySet{Keys: []gojose.JSONWebKey{k.providerES256.Public(), k.other.Public()}}
	b, _ := json.Marshal(set)
	p.set(func(p *provider) { p.jwks = b })
	_, err = c.VerifyIDToken(context.Background(), rotated.mint(t, k), fixState0())
	require.ErrorIs(t, err, ErrUnknownKey, "within the cooldown, no new fetch")
	assert.Equal(t, int64(2), p.count("/api/v2/jwks"))

	clk.add(DefaultKeyRefreshCooldown + time.Second)
	_, err = c.VerifyIDToken(context.Background(), rotated.mint(t, k), fixState0())
	require.NoError(t, err, "after the cooldown, the rotated key is picked up")
	assert.Equal(t, int64(3), p.count("/api/v2/jwks"))
	_, err = c.VerifyIDToken(context.Background(), rotated.mint(t, k), fixState0())
	require.NoError(t, err)
	assert.Equal(t, int64(3), p.count("/api/v2/jwks"), "and kept")
}

func TestUnknownKidFloodIsRateLimited(t *testing.T) {
	p := newProvider(t, FranceConnectPlus)
	c := p.client(t)
	k := loadTestKeys(t)
	forged := tokenCase{sigKey: func(k testKeys) gojose.JSONWebKey { return k.other }}.mint(t, k)
	var wg sync.WaitGroup
	var refused atomic.Int64
	for range 500 {
		wg.Go(func() {
			if _, err := c.VerifyIDToken(context.Background(), forged, fixState0()); err != nil {
				refused.Add(1)
			}
		})
	}
	wg.Wait()
	assert.Equal(t, int64(500), refused.Load())
	assert.Equal(t, int64(2), p.count("/api/v2/jwks"), "the initial fetch and one refresh")
}

func TestKidAbsent(t *testing.T) {
	p := newProvider(t, FranceConnectPlus)
	k := loadTestKeys(t)
	noKid := k.providerES256
	noKid.KeyID = ""
	tok := tokenCase{sigKey: func(testKeys) gojose.JSONWebKey { return noKid }}

	onlyOne := gojose.JSONWebKeySet{Keys: []gojose.JSONWebKey{k.providerES256.Public()}}
	b, _ := json.Marshal(onlyOne)
	p.jwks = b
	c := p.client(t)
	_, err := c.VerifyIDToken(context.Background(), tok.mint(t, k), fixState0())
	require.NoError(t, err, "one ES256 key: no ambiguity")

	several := gojose.JSONWebKeySet{Keys: []gojose.JSONWebKey{k.providerES256.Public(), k.other.Public()}}
	b, _ = json.Marshal(several)
	p.jwks = b
	c = p.client(t)
	_, err = c.VerifyIDToken(context.Background(), tok.mint(t, k), fixState0())
	require.ErrorIs(t, err, ErrUnknownKey, "several ES256 keys: no guessing")
}
