package jose_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"math/big"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect/internal/jose"
)

// withSignature replaces the signature of a compact JWS by sig.
func withSignature(token string, sig []byte) string {
	return replaceSegment(token, 2, b64.EncodeToString(sig))
}

// TestJWSChecks runs one token per check of ParseJWS and Verify. Tokens
// built by hand are valid apart from the property under test.
func TestJWSChecks(t *testing.T) {
	k := keys()
	es := goJoseSign(t, jose.ES256, k.opEC, testClaims)
	rs := goJoseSign(t, jose.RS256, k.opRSA, testClaims)
	ec, rsaKey := verKey(k.opEC), verKey(k.opRSA)
	const hdr = `{"alg":"ES256","kid":"op-key"`
	sig := must(b64.DecodeString(strings.Split(es, ".")[2]))
	n := elliptic.P256().Params().N
	rZero := append(make([]byte, 32), sig[32:]...)
	sOrder := append(sig[:32:32], n.FillBytes(make([]byte, 32))...)

	tests := []struct {
		name    string
		token   string
		key     *jose.PublicKey
		algs    []string // default allSigAlgs
		want    error    // nil: must verify
		atParse bool     // the error must come from ParseJWS
	}{
		{name: "control ES256", token: rawJWS(hdr+"}", testClaims, k.opEC), key: ec},
		{name: "control RS256", token: rawJWS(`{"alg":"RS256"}`, testClaims, k.opRSA), key: rsaKey},
		{name: "key alg stated", token: es, key: &jose.PublicKey{Alg: jose.ES256, ECDSA: ec.ECDSA}},
		{name: "unknown and escaped members", token: rawJWS(`{"\u0061lg":"ES256","ALG":"none","typ":"JWT","x":{}}`, testClaims, k.opEC), key: ec},
		{name: "b64 true", token: rawJWS(`{"alg":"ES256","b64":true}`, testClaims, k.opEC), key: ec},
		{name: "empty payload", token: rawJWS(hdr+"}", "", k.opEC), key: ec},

		{name: "empty", token: "", want: jose.ErrMalformed, atParse: true},
		{name: "2 segments", token: es[:strings.LastIndexByte(es, '.')], want: jose.ErrMalformed, atParse: true},
		{name: "4 segments", token: es + ".AAAA", want: jose.ErrMalformed, atParse: true},
		{name: "5 segments (a JWE)", token: es + ".AAAA.AAAA", want: jose.ErrMalformed, atParse: true},
		{name: "empty signature", token: replaceSegment(es, 2, ""), want: jose.ErrMalformed, atParse: true},
		{name: "oversized", token: rawJWS(hdr+"}", strings.Repeat("x", jose.MaxTokenSize), k.opEC), want: jose.ErrMalformed, atParse: true},
		{name: "bad base64", token: replaceSegment(es, 1, "eyJ=="), want: jose.ErrMalformed, atParse: true},
		{name: "alg missing", token: rawJWS(`{"kid":"op-key"}`, testClaims, k.opEC), want: jose.ErrMalformed, atParse: true},
		{name: "duplicate alg", token: rawJWS(`{"alg":"ES256","alg":"ES256"}`, testClaims, k.opEC), want: jose.ErrMalformed, atParse: true},
		{name: "duplicate alg, escaped", token: rawJWS(`{"alg":"ES256","\u0061lg":"HS256"}`, testClaims, k.opEC), want: jose.ErrMalformed, atParse: true},
		{name: "header not JSON", token: rawJWS(`{"alg":"ES256"`, testClaims, k.opEC), want: jose.ErrMalformed, atParse: true},

		{name: "alg none", token: rawJWS(`{"alg":"none"}`, testClaims, k.opEC), algs: []string{"none", jose.ES256}, want: jose.ErrAlgorithm, atParse: true},
		{name: "alg none, no signature", token: b64.EncodeToString([]byte(`{"alg":"none"}`)) + "." + b64.EncodeToString([]byte(testClaims)) + ".", algs: []string{"none"}, want: jose.ErrAlgorithm, atParse: true},
		{name: "alg HS256", token: rawJWS(`{"alg":"HS256"}`, testClaims, k.opEC), algs: []string{"HS256", jose.ES256}, want: jose.ErrAlgorithm, atParse: true},
		{name: "alg ES384", token: rawJWS(`{"alg":"ES384"}`, testClaims, k.p384), algs: []string{"ES384"}, want: jose.ErrAlgorithm, atParse: true},
		{name: "alg not in list", token: rs, algs: []string{jose.ES256}, want: jose.ErrAlgorithm, atParse: true},
		{name: "no alg allowed", token: es, algs: []string{}, want: jose.ErrAlgorithm, atParse: true},
		{name: "crit", token: rawJWS(hdr+`,"crit":["b64"],"b64":false}`, testClaims, k.opEC), want: jose.ErrAlgorithm, atParse: true},
		{name: "b64 false", token: rawJWS(hdr+`,"b64":false}`, testClaims, k.opEC), want: jose.ErrAlgorithm, atParse: true},
		{name: "jku", token: rawJWS(hdr+`,"jku":"https://attacker.example/jwks"}`, testClaims, k.opEC), want: jose.ErrAlgorithm, atParse: true},
		{name: "jwk", token: rawJWS(hdr+`,"jwk":{"kty":"EC"}}`, testClaims, k.opEC), want: jose.ErrAlgorithm, atParse: true},
		{name: "x5u", token: rawJWS(hdr+`,"x5u":"https://attacker.example/cert"}`, testClaims, k.opEC), want: jose.ErrAlgorithm, atParse: true},
		{name: "zip", token: rawJWS(hdr+`,"zip":"DEF"}`, testClaims, k.opEC), want: jose.ErrAlgorithm, atParse: true},

		{name: "nil key", token: es, want: jose.ErrKeyMismatch},
		{name: "RSA key for ES256", token: es, key: rsaKey, want: jose.ErrKeyMismatch},
		{name: "EC key for RS256", token: rs, key: ec, want: jose.ErrKeyMismatch},
		{name: "key alg differs", token: es, key: &jose.PublicKey{Alg: jose.RS256, ECDSA: ec.ECDSA}, want: jose.ErrKeyMismatch},
		{name: "key with both types", token: es, key: &jose.PublicKey{ECDSA: ec.ECDSA, RSA: rsaKey.RSA}, want: jose.ErrKeyMismatch},
		{name: "P-384 key", token: es, key: verKey(k.p384), want: jose.ErrKeyMismatch},
		{name: "incomplete EC key", token: es, key: &jose.PublicKey{ECDSA: &ecdsa.PublicKey{Curve: elliptic.P256()}}, want: jose.ErrKeyMismatch},
		{name: "incomplete RSA key", token: rs, key: &jose.PublicKey{RSA: &rsa.PublicKey{}}, want: jose.ErrKeyMismatch},
		{name: "RSA key under 2048 bits", token: goJoseSign(t, jose.RS256, k.rsa1024, testClaims), key: verKey(k.rsa1024), want: jose.ErrKeyMismatch},

		{name: "EC key off the curve", token: es, key: &jose.PublicKey{ECDSA: &ecdsa.PublicKey{Curve: elliptic.P256(), X: big.NewInt(1), Y: big.NewInt(1)}}, want: jose.ErrSignature},
		{name: "RSA key with exponent 0", token: rs, key: &jose.PublicKey{RSA: &rsa.PublicKey{N: rsaKey.RSA.N}}, want: jose.ErrSignature},
		{name: "signature by another key", token: goJoseSign(t, jose.ES256, k.opEC2, testClaims), key: ec, want: jose.ErrSignature},
		{name: "RS256 signature by another key", token: rs, key: verKey(k.rpRSA), want: jose.ErrSignature},
		{name: "tampered payload", token: replaceSegment(es, 1, b64.EncodeToString([]byte(strings.Replace(testClaims, "eidas2", "eidas3", 1)))), key: ec, want: jose.ErrSignature},
		{name: "tampered header", token: replaceSegment(es, 0, b64.EncodeToString([]byte(`{"alg":"ES256","kid":"op-kez"}`))), key: ec, want: jose.ErrSignature},
		{name: "ES256 signature of 63 bytes", token: withSignature(es, sig[:63]), key: ec, want: jose.ErrSignature},
		{name: "ES256 signature of 65 bytes", token: withSignature(es, append([]byte{0}, sig...)), key: ec, want: jose.ErrSignature},
		{name: "ES256 signature in DER", token: withSignature(es, []byte{0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01}), key: ec, want: jose.ErrSignature},
		{name: "ES256 r zero", token: withSignature(es, rZero), key: ec, want: jose.ErrSignature},
		{name: "ES256 s equal to the order", token: withSignature(es, sOrder), key: ec, want: jose.ErrSignature},
		{name: "RS256 signature truncated", token: withSignature(rs, must(b64.DecodeString(strings.Split(rs, ".")[2]))[1:]), key: rsaKey, want: jose.ErrSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			algs := tt.algs
			if algs == nil {
				algs = allSigAlgs
			}
			jws, err := jose.ParseJWS(tt.token, algs)
			if tt.atParse {
				require.ErrorIs(t, err, tt.want)
				return
			}
			require.NoError(t, err)
			err = jws.Verify(tt.key)
			if tt.want == nil {
				require.NoError(t, err)
				require.Equal(t, strings.Split(tt.token, ".")[1], b64.EncodeToString(jws.Payload()))
				return
			}
			require.ErrorIs(t, err, tt.want)
			require.Nil(t, jws.Payload(), "no payload without a successful Verify")
		})
	}
}

// TestVerifyAgain checks that Payload stays available after a later failed
// Verify with another key, and that it is nil until one succeeds.
func TestVerifyAgain(t *testing.T) {
	k := keys()
	jws, err := jose.ParseJWS(goJoseSign(t, jose.ES256, k.opEC, testClaims), allSigAlgs)
	require.NoError(t, err)
	require.ErrorIs(t, jws.Verify(verKey(k.opEC2)), jose.ErrSignature)
	require.Nil(t, jws.Payload())
	require.NoError(t, jws.Verify(verKey(k.opEC)))
	require.ErrorIs(t, jws.Verify(verKey(k.opEC2)), jose.ErrSignature)
	require.Equal(t, testClaims, string(jws.Payload()))
}
