package jose_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	gojose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect/internal/jose"
)

// jwk marshals a public key as a JWK with go-jose.
func jwk(t testing.TB, key any, kid, alg, use string) string {
	t.Helper()
	return string(must(json.Marshal(gojose.JSONWebKey{Key: key, KeyID: kid, Algorithm: alg, Use: use})))
}

func TestParsePublicJWKS(t *testing.T) {
	k := keys()
	ecPub, rsaPub := &k.opEC.PublicKey, &k.opRSA.PublicKey
	x, y := ecPub.X.FillBytes(make([]byte, 32)), ecPub.Y.FillBytes(make([]byte, 32))
	other := must(ecdsa.GenerateKey(elliptic.P256(), rand.Reader))
	members := []string{
		jwk(t, ecPub, "ec", "ES256", "sig"),
		jwk(t, rsaPub, "rsa", "RS256", "sig"),
		jwk(t, &other.PublicKey, "ec-bare", "", ""), // alg inferred
		strings.Replace(jwk(t, &k.opEC2.PublicKey, "ec-ops", "", ""), "{", `{"key_ops":["sign","verify"],`, 1),
		`{"kty":"OKP","crv":"Ed25519","kid":"okp","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}`,
		jwk(t, rsaPub, "rs512", "RS512", "sig"),
		jwk(t, ecPub, "enc", "ES256", "enc"),
		jwk(t, &k.p384.PublicKey, "p384", "", "sig"),
		jwk(t, &k.rsa1024.PublicKey, "rsa1024", "RS256", "sig"),
		jwk(t, ecPub, "ec-as-rs256", "RS256", ""),
		jwk(t, k.opEC, "private", "ES256", "sig"),
		`{"kty":"EC","crv":"P-256","kid":"off-curve","x":"` + b64.EncodeToString(x) + `","y":"` + b64.EncodeToString(x) + `"}`,
		`{"kty":"EC","crv":"P-256","kid":"short","x":"` + b64.EncodeToString(x[1:]) + `","y":"` + b64.EncodeToString(y) + `"}`,
		`{"kty":"RSA","kid":"even-e","n":"` + b64.EncodeToString(rsaPub.N.Bytes()) + `","e":"AQAA"}`,
		`{"kty":"EC","kid":5}`,
		`{"kty":"EC","kty":"EC"}`,
		`{"kty":"EC","key_ops":["encrypt"],"crv":"P-256","x":"` + b64.EncodeToString(x) + `","y":"` + b64.EncodeToString(y) + `"}`,
		`42`,
		`null`,
		`{}`,
	}
	doc := `{"other":{"keys":1},"keys":[` + strings.Join(members, ",") + `]}`

	got, skipped, err := jose.ParsePublicJWKS([]byte(doc))
	require.NoError(t, err)
	require.Equal(t, len(members)-4, skipped)
	require.Len(t, got, 4)
	for i, want := range []struct{ id, alg string }{{"ec", "ES256"}, {"rsa", "RS256"}, {"ec-bare", "ES256"}, {"ec-ops", "ES256"}} {
		require.Equal(t, want.id, got[i].ID)
		require.Equal(t, want.alg, got[i].Alg)
	}
	require.True(t, got[0].ECDSA.Equal(ecPub))
	require.True(t, got[1].RSA.Equal(rsaPub))
	require.True(t, got[2].ECDSA.Equal(&other.PublicKey))

	// The keys kept verify tokens.
	jws, err := jose.ParseJWS(goJoseSign(t, jose.RS256, k.opRSA, testClaims), allSigAlgs)
	require.NoError(t, err)
	require.NoError(t, jws.Verify(&got[1]))
}

func TestParsePublicJWKSMalformed(t *testing.T) {
	for _, doc := range []string{
		``, `null`, `[]`, `"keys"`, `{}`, `{"keys":{}}`, `{"keys":null}`, `{"keys":[]`, `{"keys":[]}x`,
		`{"keys":[],"keys":[]}`, `{"keys":[{"kty":"EC",}]}`, `{"keys":[{"kty":"EC"} {}]}`, `{"keys":[1,]}`,
		`{"keys":[{"x":"\ud800"}]}`, "{\"keys\":[{\"x\":\"\xff\"}]}", `{"keys":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}`,
	} {
		keys, _, err := jose.ParsePublicJWKS([]byte(doc))
		require.ErrorIs(t, err, jose.ErrMalformed, doc)
		require.Nil(t, keys)
	}
	keys, skipped, err := jose.ParsePublicJWKS([]byte(` {"keys" : [ ] } `))
	require.NoError(t, err)
	require.Empty(t, keys)
	require.Zero(t, skipped)
}

// TestParsePublicJWKSBounded reads a set of 10,000 keys: it keeps
// MaxJWKSKeys of them and skips the others in linear time.
func TestParsePublicJWKSBounded(t *testing.T) {
	k := keys()
	const n = 10000
	members := make([]string, n)
	for i := range members {
		members[i] = jwk(t, &k.opRSA.PublicKey, fmt.Sprint("k", i), "RS256", "sig")
	}
	doc := []byte(`{"keys":[` + strings.Join(members, ",") + `]}`)
	start := time.Now()
	got, skipped, err := jose.ParsePublicJWKS(doc)
	elapsed := time.Since(start)
	require.NoError(t, err)
	require.Len(t, got, jose.MaxJWKSKeys)
	require.Equal(t, n-jose.MaxJWKSKeys, skipped)
	require.Equal(t, "k99", got[99].ID)
	t.Logf("%d keys (%d KiB) in %v", n, len(doc)>>10, elapsed)
	require.Less(t, elapsed, 5*time.Second)
}
