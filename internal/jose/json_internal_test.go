package jose

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/asn1"
	"encoding/base64"
	"fmt"
	"math/big"
	"testing"

	josecipher "github.com/go-jose/go-jose/v4/cipher"
	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect/internal/jsonscan"
)

// TestJSONErrors checks that the scanner's errors reach the callers of
// ParseJWS and ParsePublicJWKS as errors wrapping ErrMalformed.
func TestJSONErrors(t *testing.T) {
	var many bytes.Buffer
	many.WriteString(`{"k0":0`)
	for i := 1; i <= jsonscan.MaxMembers; i++ {
		fmt.Fprintf(&many, `,"k%d":0`, i)
	}
	many.WriteString(`}`)
	for hdr, want := range map[string]error{
		`{"alg":"ES256","\u0061lg":"ES256"}`: errDuplicate,
		many.String():                        errMembers,
		`{"alg":1}`:                          errType,
		`{"alg":"ES256",}`:                   errJSON,
		`{"alg":"\ud800"}`:                   errJSON,
	} {
		token := base64.RawURLEncoding.EncodeToString([]byte(hdr)) + ".e30.c2ln"
		_, err := ParseJWS(token, []string{ES256})
		require.ErrorIs(t, err, want, hdr)
		require.ErrorIs(t, err, ErrMalformed, hdr)
	}
	for jwks, want := range map[string]error{
		`{"keys":[],"keys":[]}`: errDuplicate,
		`{"keys":[1,]}`:         errJSON,
		`{"keys":{}}`:           errJWKS,
	} {
		_, _, err := ParsePublicJWKS([]byte(jwks))
		require.ErrorIs(t, err, want, jwks)
		require.ErrorIs(t, err, ErrMalformed, jwks)
	}
}

// TestConcatKDF compares the key derivation with go-jose's.
func TestConcatKDF(t *testing.T) {
	for _, party := range [][2]string{{"", ""}, {"Alice", "Bob"}, {string(make([]byte, 300)), "x"}} {
		priv, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		eph, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		want := josecipher.DeriveECDHES(A256GCM, []byte(party[0]), []byte(party[1]), eph, &priv.PublicKey, cekSize)

		privECDH, _ := priv.ECDH()
		ephPub, _ := eph.PublicKey.ECDH()
		z, err := privECDH.ECDH(ephPub)
		require.NoError(t, err)
		var cek [cekSize]byte
		enc := base64.RawURLEncoding
		require.True(t, concatKDF(&cek, z, []byte(enc.EncodeToString([]byte(party[0]))), []byte(enc.EncodeToString([]byte(party[1])))))
		require.Equal(t, want, cek[:])
	}
	var cek [cekSize]byte
	require.False(t, concatKDF(&cek, make([]byte, 32), []byte("a+b"), nil))
	require.False(t, concatKDF(&cek, make([]byte, 32), nil, []byte("QQ\n")))
}

// TestASN1Signature compares the DER conversion with encoding/asn1.
func TestASN1Signature(t *testing.T) {
	half := func(first byte, rest byte) []byte {
		b := bytes.Repeat([]byte{rest}, p256Size)
		b[0] = first
		return b
	}
	for _, sig := range [][]byte{
		append(half(0x12, 0x34), half(0x56, 0x78)...),
		append(half(0x80, 0xff), half(0xff, 0x00)...),
		append(half(0x00, 0x00), half(0x00, 0x80)...),
		append(half(0x00, 0x01), half(0x7f, 0xff)...),
		append(make([]byte, p256Size), make([]byte, p256Size)...),
	} {
		want, err := asn1.Marshal(struct{ R, S *big.Int }{
			new(big.Int).SetBytes(sig[:p256Size]), new(big.Int).SetBytes(sig[p256Size:]),
		})
		require.NoError(t, err)
		var der [72]byte
		require.Equal(t, want, asn1Signature(der[:0], sig))
	}
}

func TestP256Point(t *testing.T) {
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	enc := base64.RawURLEncoding
	x, y := k.X.FillBytes(make([]byte, 32)), k.Y.FillBytes(make([]byte, 32))
	f := jwkFields{kty: []byte("EC"), crv: []byte("P-256"), x: []byte(enc.EncodeToString(x)), y: []byte(enc.EncodeToString(y))}
	var p [1 + 2*p256Size]byte
	require.True(t, f.p256Point(&p))
	require.Equal(t, append(append([]byte{4}, x...), y...), p[:])

	for name, edit := range map[string]func(f *jwkFields){
		"kty":       func(f *jwkFields) { f.kty = []byte("RSA") },
		"crv":       func(f *jwkFields) { f.crv = []byte("P-384") },
		"short x":   func(f *jwkFields) { f.x = f.x[1:] },
		"long y":    func(f *jwkFields) { f.y = append(f.y, 'A') },
		"private":   func(f *jwkFields) { f.private = true },
		"newline":   func(f *jwkFields) { f.x = append([]byte("\n"), f.x[1:]...) },
		"bad char":  func(f *jwkFields) { f.y = append([]byte("+"), f.y[1:]...) },
		"trail bit": func(f *jwkFields) { f.x = append(f.x[:42:42], 'B') },
	} {
		g := f
		edit(&g)
		require.False(t, g.p256Point(&p), name)
	}
}
