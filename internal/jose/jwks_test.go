package jose

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
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
	assert.Equal(t, 12, skipped)
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
	assert.Equal(t, 5, skipped)
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
