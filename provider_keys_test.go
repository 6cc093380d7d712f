package franceconnect

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"math/big"
	"testing"

	gojose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestProviderRSAKeySizes checks the documented bounds of provider RSA
// keys, 2,048 to 4,096 bits, end to end: a token signed with a 4,096-bit
// key verifies; a set that also holds an 8,192-bit key keeps working with
// its other keys, and a token naming that key is refused with the reason.
func TestProviderRSAKeySizes(t *testing.T) {
	key4096, err := rsa.GenerateKey(rand.Reader, 4096)
	require.NoError(t, err)
	n8192, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 8191))
	require.NoError(t, err)
	n8192.SetBit(n8192, 8191, 1).SetBit(n8192, 0, 1) // the size is what the rule looks at
	k := loadTestKeys(t)
	rs4096 := gojose.JSONWebKey{Key: key4096, KeyID: "fc-rs4096", Algorithm: "RS256", Use: "sig"}
	rs8192 := gojose.JSONWebKey{Key: &rsa.PublicKey{N: n8192, E: 65537}, KeyID: "fc-rs8192", Algorithm: "RS256", Use: "sig"}
	jwks, err := json.Marshal(gojose.JSONWebKeySet{Keys: []gojose.JSONWebKey{k.providerES256.Public(), rs4096.Public(), rs8192}})
	require.NoError(t, err)

	p := newProvider(t, FranceConnect)
	p.set(func(p *provider) { p.jwks = jwks })
	st := AuthState{State: fixState, Nonce: fixNonce, ACR: EIDAS1}
	fc := func(c map[string]any) { c["acr"] = "eidas1" }

	for _, tc := range []struct {
		name string
		key  gojose.JSONWebKey
		alg  gojose.SignatureAlgorithm
	}{{"ES256", k.providerES256, gojose.ES256}, {"RS256, 4,096 bits", rs4096, gojose.RS256}} {
		c := p.client(t, func(cfg *Config) { cfg.SigningAlgs = []string{string(tc.alg)} }) // as registered
		raw := tokenCase{claims: fc, sigAlg: tc.alg, sigKey: func(testKeys) gojose.JSONWebKey { return tc.key }, encKey: noEncryption}.mint(t, k)
		_, err := c.VerifyIDToken(context.Background(), raw, st)
		require.NoError(t, err, tc.name)
	}

	c := p.client(t, func(cfg *Config) { cfg.SigningAlgs = []string{"RS256"} })
	fetched := p.count("/api/v2/jwks")

	forged := rs4096 // any RSA key: the kid names the skipped one
	forged.KeyID = "fc-rs8192"
	raw := tokenCase{claims: fc, sigAlg: gojose.RS256, sigKey: func(testKeys) gojose.JSONWebKey { return forged }, encKey: noEncryption}.mint(t, k)
	idt, err := c.VerifyIDToken(context.Background(), raw, st)
	require.ErrorIs(t, err, ErrInvalidIDToken)
	require.ErrorIs(t, err, ErrUnknownKey)
	assert.Nil(t, idt)
	assert.Contains(t, err.Error(), `the provider's key with kid "fc-rs8192" is not used: RSA key of 8192 bits, more than 4096`)
	assert.Equal(t, fetched+1, p.count("/api/v2/jwks"), "one refresh for the kid, then the reason")

	// A set whose only key is too large is no key set.
	only, err := json.Marshal(gojose.JSONWebKeySet{Keys: []gojose.JSONWebKey{rs8192}})
	require.NoError(t, err)
	p2 := newProvider(t, FranceConnect)
	p2.set(func(p *provider) { p.jwks = only })
	_, err = New(context.Background(), p2.config())
	require.ErrorIs(t, err, ErrProviderKeys)
	assert.Contains(t, err.Error(), `no usable signature key among 1: kid "fc-rs8192": RSA key of 8192 bits, more than 4096`)
}
