package jose

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"math/big"
	"strings"
	"sync"
	"testing"

	gojose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var testKeys = sync.OnceValue(func() (k struct {
	ec, p384 *ecdsa.PrivateKey
	rsa      *rsa.PrivateKey
	rsa1024  *rsa.PrivateKey
}) {
	k.ec, _ = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	k.p384, _ = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	k.rsa, _ = rsa.GenerateKey(rand.Reader, 2048)
	k.rsa1024, _ = rsa.GenerateKey(rand.Reader, 1024) //nolint:gosec // a key too small, refused
	return k
})

// jwk returns the public JWK of key as a JSON object with extra members.
func jwk(t *testing.T, key any, kid, extra string) string {
	b, err := json.Marshal(gojose.JSONWebKey{Key: key, KeyID: kid})
	require.NoError(t, err)
	return strings.TrimSuffix(string(b), "}") + extra + "}"
}

func set(keys ...string) []byte { return []byte(`{"keys":[` + strings.Join(keys, ",") + `]}`) }

func TestParsePublicJWKS(t *testing.T) {
	k := testKeys()
	keys, skipped, err := ParsePublicJWKS(set(
		jwk(t, &k.ec.PublicKey, "es", `,"use":"sig","alg":"ES256"`),
		jwk(t, &k.rsa.PublicKey, "rs", `,"key_ops":["verify"]`),
		jwk(t, &k.ec.PublicKey, "enc", `,"use":"enc"`),
		jwk(t, &k.ec.PublicKey, "ops", `,"key_ops":["encrypt"]`),
		jwk(t, &k.ec.PublicKey, "alg", `,"alg":"RS256"`),
		jwk(t, &k.rsa.PublicKey, "rsalg", `,"alg":"RSA-OAEP-256"`),
		jwk(t, &k.p384.PublicKey, "p384", ``),
		jwk(t, &k.rsa1024.PublicKey, "small", ``),
		jwk(t, k.ec, "private", ``),
		jwk(t, &k.ec.PublicKey, "repeated", `,"kid":"again"`),
		strings.ToUpper(jwk(t, &k.ec.PublicKey, "names in upper case", ``)),
		`{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}`,
		`{"kty":"EC","crv":"P-256","x":"AA","y":"AA"}`,
		`"not a key"`,
	))
	require.NoError(t, err)
	require.Len(t, skipped, 12)
	reasons := map[string]string{}
	for _, sk := range skipped {
		reasons[sk.ID] = sk.Reason
	}
	assert.Equal(t, `use "enc", not sig`, reasons["enc"])
	assert.Equal(t, `key_ops without "verify"`, reasons["ops"])
	assert.Equal(t, `alg "RS256" for a key that signs ES256`, reasons["alg"])
	assert.Equal(t, `alg "RSA-OAEP-256" for a key that signs RS256`, reasons["rsalg"])
	assert.Equal(t, "EC key not on P-256", reasons["p384"])
	assert.Contains(t, reasons["small"], "RSA key of 1024 bits")
	assert.Equal(t, "holds private or secret key material", reasons["private"])
	require.Len(t, keys, 2)
	assert.Equal(t, PublicKey{ID: "es", Alg: ES256, Key: &k.ec.PublicKey}, keys[0])
	assert.Equal(t, "rs", keys[1].ID)
	assert.Equal(t, RS256, keys[1].Alg)
	assert.True(t, k.rsa.PublicKey.Equal(keys[1].Key))
}

func TestParsePublicJWKSKeepsTheFirstKeys(t *testing.T) {
	k := testKeys()
	items := make([]string, MaxJWKSKeys+5)
	for i := range items {
		items[i] = jwk(t, &k.ec.PublicKey, "k", ``)
	}
	keys, skipped, err := ParsePublicJWKS(set(items...))
	require.NoError(t, err)
	assert.Len(t, keys, MaxJWKSKeys)
	require.Len(t, skipped, 5)
	assert.Equal(t, Skipped{ID: "k", Reason: "more than 100 keys"}, skipped[0])
}

func TestParsePublicJWKSRefuses(t *testing.T) {
	for name, text := range map[string]string{
		"keys missing":      `{"other":[]}`,
		"keys not a list":   `{"keys":{}}`,
		"keys repeated":     `{"keys":[],"keys":[]}`,
		"not JSON":          `<html>`,
		"trailing data":     `{"keys":[]}{}`,
		"invalid in keys":   `{"keys":[{]}`,
		"invalid UTF-8":     "{\"keys\":[],\"x\":\"\xff\"}",
		"not an object":     `[{"keys":[]}]`,
		"invalid elsewhere": `{"x":[,],"keys":[]}`,
	} {
		t.Run(name, func(t *testing.T) {
			_, _, err := ParsePublicJWKS([]byte(text))
			require.ErrorIs(t, err, ErrMalformed)
		})
	}
}

// rsaJWK returns an RSA public JWK whose modulus has exactly bits bits:
// random and odd, which is all the key set's rules look at (a real key of
// 8,192 bits takes seconds to generate).
func rsaJWK(t *testing.T, kid string, bits int) string {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), uint(bits-1)))
	require.NoError(t, err)
	n.SetBit(n, bits-1, 1).SetBit(n, 0, 1)
	return jwk(t, &rsa.PublicKey{N: n, E: 65537}, kid, ``)
}

// TestParsePublicJWKSRSASizes checks both sides of the RSA size bounds, and
// that a set holding a key too large keeps its other keys.
func TestParsePublicJWKSRSASizes(t *testing.T) {
	k := testKeys()
	data := set(rsaJWK(t, "rsa-2047", 2047), rsaJWK(t, "rsa-2048", 2048), rsaJWK(t, "rsa-4096", 4096),
		rsaJWK(t, "rsa-4097", 4097), rsaJWK(t, "rsa-8192", 8192), jwk(t, &k.ec.PublicKey, "es", ``))
	check := func() {
		keys, skipped, err := ParsePublicJWKS(data)
		require.NoError(t, err)
		var kept []string
		for _, key := range keys {
			kept = append(kept, key.ID)
		}
		assert.Equal(t, []string{"rsa-2048", "rsa-4096", "es"}, kept)
		assert.Equal(t, []Skipped{
			{ID: "rsa-2047", Reason: "RSA key of 2047 bits with exponent 65537 (at least 2048 bits, an odd exponent of at least 3)"},
			{ID: "rsa-4097", Reason: "RSA key of 4097 bits, more than 4096"},
			{ID: "rsa-8192", Reason: "RSA key of 8192 bits, more than 4096"},
		}, skipped)
	}
	check()

	// A program that raises go-jose's global limit for another use does
	// not raise this one.
	saved := gojose.MaxRSAModulusBits
	gojose.MaxRSAModulusBits = 16384
	defer func() { gojose.MaxRSAModulusBits = saved }()
	check()
}
