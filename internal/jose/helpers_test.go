package jose_test

import (
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"sync"
	"testing"

	gojose "github.com/go-jose/go-jose/v4"
	josecipher "github.com/go-jose/go-jose/v4/cipher"
	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect/internal/jose"
)

// Values used in generated tokens, as FranceConnect+ sets them (FCPLUS-SPEC §5.1, §20).
const (
	testIssuer   = "https://auth.integ01.dev-franceconnect.fr/api/v2"
	testClientID = "6925fb8143c76eded44d32b40c0cb1006065f7f003de52712b78985704f39950"
	testClaims   = `{"iss":"https://auth.integ01.dev-franceconnect.fr/api/v2",` +
		`"sub":"b6048e95bb134ec5b1d1e1fa69f287172e91722b9354d637a1bcf2ebb0fd2ef5v1",` +
		`"aud":"6925fb8143c76eded44d32b40c0cb1006065f7f003de52712b78985704f39950",` +
		`"exp":1735689660,"iat":1735689600,"nonce":"n-0S6_WzA2Mj-aIc3TvbTQ3Tf5Yh8tQ",` +
		`"acr":"eidas2","amr":["pwd","mfa","fr"],"auth_time":1735689590}`
)

// testKeys holds the keys of one test run: the relying party's decryption
// keys, the provider's signature keys and a few unsuitable ones.
type testKeys struct {
	rpEC, rpEC2   *ecdsa.PrivateKey // P-256, ECDH-ES recipients
	rpRSA, rpRSA2 *rsa.PrivateKey   // 2048 bits, RSA-OAEP recipients
	opEC, opEC2   *ecdsa.PrivateKey // P-256, ES256 signers
	opRSA         *rsa.PrivateKey   // 2048 bits, RS256 signer
	p384          *ecdsa.PrivateKey
	rsa1024       *rsa.PrivateKey
}

var keys = sync.OnceValue(func() *testKeys {
	ec := func() *ecdsa.PrivateKey { return must(ecdsa.GenerateKey(elliptic.P256(), rand.Reader)) }
	rs := func(bits int) *rsa.PrivateKey { return must(rsa.GenerateKey(rand.Reader, bits)) }
	return &testKeys{
		rpEC: ec(), rpEC2: ec(), rpRSA: rs(2048), rpRSA2: rs(2048),
		opEC: ec(), opEC2: ec(), opRSA: rs(2048),
		p384:    must(ecdsa.GenerateKey(elliptic.P384(), rand.Reader)),
		rsa1024: rs(1024),
	}
})

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// decKey returns the package's decryption key for a go-jose recipient key.
func decKey(alg string, k crypto.PrivateKey) *jose.PrivateKey {
	switch k := k.(type) {
	case *ecdsa.PrivateKey:
		return &jose.PrivateKey{ID: "rp-key", Alg: alg, ECDH: must(k.ECDH())}
	case *rsa.PrivateKey:
		return &jose.PrivateKey{ID: "rp-key", Alg: alg, RSA: k}
	}
	panic("unexpected key type")
}

// verKey returns the package's signature key for a signer's private key.
func verKey(k crypto.Signer) *jose.PublicKey {
	switch k := k.(type) {
	case *ecdsa.PrivateKey:
		return &jose.PublicKey{ID: "op-key", ECDSA: &k.PublicKey}
	case *rsa.PrivateKey:
		return &jose.PublicKey{ID: "op-key", RSA: &k.PublicKey}
	}
	panic("unexpected key type")
}

// goJoseSign signs payload with go-jose, as FranceConnect+ does.
func goJoseSign(t testing.TB, alg string, key crypto.Signer, payload string) string {
	t.Helper()
	signer, err := gojose.NewSigner(gojose.SigningKey{
		Algorithm: gojose.SignatureAlgorithm(alg),
		Key:       gojose.JSONWebKey{Key: key, KeyID: "op-key"},
	}, nil)
	require.NoError(t, err)
	obj, err := signer.Sign([]byte(payload))
	require.NoError(t, err)
	return must(obj.CompactSerialize())
}

// goJoseEncrypt encrypts plaintext with go-jose, with the header members
// FranceConnect+ sets.
func goJoseEncrypt(t testing.TB, alg string, to crypto.PublicKey, plaintext string) string {
	t.Helper()
	opts := (&gojose.EncrypterOptions{}).WithContentType("JWT").
		WithHeader("iss", testIssuer).WithHeader("aud", testClientID)
	enc, err := gojose.NewEncrypter(gojose.A256GCM, gojose.Recipient{
		Algorithm: gojose.KeyAlgorithm(alg), Key: to, KeyID: "rp-key",
	}, opts)
	require.NoError(t, err)
	obj, err := enc.Encrypt([]byte(plaintext))
	require.NoError(t, err)
	return must(obj.CompactSerialize())
}

// nested returns a FranceConnect+-like token: testClaims signed with sigAlg by
// the provider key, encrypted with keyAlg to the relying-party key.
func nested(t testing.TB, keyAlg, sigAlg string) (token string, dec *jose.PrivateKey, ver *jose.PublicKey) {
	k := keys()
	var signer crypto.Signer = k.opEC
	if sigAlg == jose.RS256 {
		signer = k.opRSA
	}
	var rp crypto.Signer = k.rpEC
	if keyAlg != jose.ECDHES {
		rp = k.rpRSA
	}
	jws := goJoseSign(t, sigAlg, signer, testClaims)
	return goJoseEncrypt(t, keyAlg, rp.Public(), jws), decKey(keyAlg, rp), verKey(signer)
}

var b64 = base64.RawURLEncoding

// rawJWE builds a compact A256GCM JWE whose protected header is exactly hdr
// (so tests can write headers go-jose would not), with encrypted key ek.
func rawJWE(hdr string, ek, cek, plaintext []byte) string {
	h := b64.EncodeToString([]byte(hdr))
	iv := make([]byte, 12)
	must(rand.Read(iv))
	gcm := must(cipher.NewGCM(must(aes.NewCipher(cek))))
	sealed := gcm.Seal(nil, iv, plaintext, []byte(h))
	ct, tag := sealed[:len(sealed)-16], sealed[len(sealed)-16:]
	return h + "." + b64.EncodeToString(ek) + "." + b64.EncodeToString(iv) + "." +
		b64.EncodeToString(ct) + "." + b64.EncodeToString(tag)
}

// ecdhESParts returns, for a new ephemeral key, the epk JSON member value and
// the A256GCM key go-jose derives for recipient with the given apu and apv.
func ecdhESParts(recipient *ecdsa.PublicKey, apu, apv []byte) (epk string, cek []byte) {
	eph := must(ecdsa.GenerateKey(elliptic.P256(), rand.Reader))
	cek = josecipher.DeriveECDHES(jose.A256GCM, apu, apv, eph, recipient, 32)
	return ecJWK(eph.PublicKey.X.FillBytes(make([]byte, 32)), eph.PublicKey.Y.FillBytes(make([]byte, 32)), "P-256"), cek
}

// ecJWK formats a public EC JWK.
func ecJWK(x, y []byte, crv string) string {
	return fmt.Sprintf(`{"kty":"EC","crv":%q,"x":%q,"y":%q}`, crv, b64.EncodeToString(x), b64.EncodeToString(y))
}

// ecdhESToken builds an ECDH-ES token to recipient with header members
// members (JSON, inserted verbatim before epk), e.g. `"alg":"ECDH-ES","enc":"A256GCM",`.
func ecdhESToken(recipient *ecdsa.PublicKey, members string, plaintext []byte) string {
	epk, cek := ecdhESParts(recipient, nil, nil)
	return rawJWE("{"+members+`"epk":`+epk+"}", nil, cek, plaintext)
}

// rsaToken builds an RSA-OAEP-256 token to recipient whose header is hdr.
func rsaToken(recipient *rsa.PublicKey, hdr string, plaintext []byte) string {
	cek := make([]byte, 32)
	must(rand.Read(cek))
	ek := must(rsa.EncryptOAEP(sha256.New(), rand.Reader, recipient, cek, nil))
	return rawJWE(hdr, ek, cek, plaintext)
}

// rawJWS builds a compact JWS whose protected header is exactly hdr, signed
// with key: ES256 (R||S) for an ECDSA key, RS256 for an RSA key.
func rawJWS(hdr, payload string, key crypto.Signer) string {
	input := b64.EncodeToString([]byte(hdr)) + "." + b64.EncodeToString([]byte(payload))
	digest := sha256.Sum256([]byte(input))
	var sig []byte
	switch k := key.(type) {
	case *ecdsa.PrivateKey:
		r, s, err := ecdsa.Sign(rand.Reader, k, digest[:])
		if err != nil {
			panic(err)
		}
		size := (k.Curve.Params().BitSize + 7) / 8
		sig = append(r.FillBytes(make([]byte, size)), s.FillBytes(make([]byte, size))...)
	case *rsa.PrivateKey:
		sig = must(rsa.SignPKCS1v15(nil, k, crypto.SHA256, digest[:]))
	}
	return input + "." + b64.EncodeToString(sig)
}

// ecdhKey returns k as an ECDH-ES decryption key.
func ecdhKey(k *ecdsa.PrivateKey) *jose.PrivateKey {
	return decKey(jose.ECDHES, k)
}

// p384ECDH returns an ECDH-ES key on the wrong curve.
func p384ECDH() *jose.PrivateKey {
	return &jose.PrivateKey{Alg: jose.ECDHES, ECDH: must(ecdh.P384().GenerateKey(rand.Reader))}
}

var (
	allKeyAlgs = []string{jose.ECDHES, jose.RSAOAEP256, jose.RSAOAEP}
	allEncs    = []string{jose.A256GCM}
	allSigAlgs = []string{jose.ES256, jose.RS256}
)
