package fcdata

import (
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/asn1"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"math/big"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// floorAnswer is a platform's answer taken apart beforehand, so that
// checking it costs only the standard library's cryptographic primitives:
// the denominator of the data benchmarks' ratios, like the franceconnect
// package's floor for the id_token. It holds the decoded segments, the
// keys, and the buffer GCM decrypts into.
type floorAnswer struct {
	alg, sigAlg string // alg is "" for a bare JWS (ProConnect)

	ecdhKey  *ecdh.PrivateKey
	rsaKey   *rsa.PrivateKey
	ecdsaPub *ecdsa.PublicKey
	rsaPub   *rsa.PublicKey

	epk                [1 + 2*32]byte // ECDH-ES ephemeral key, uncompressed
	aad, ek, iv, ctTag []byte         // JWE parts; ctTag is the ciphertext then the tag
	plain              []byte         // GCM output, reused

	input    []byte // signing input of a bare JWS
	inputLen int    // length of the signing input at the start of the plaintext
	sig      []byte // ES256: DER (as crypto/ecdsa takes it); RS256: raw
}

// newFloorAnswer takes apart the answer of p: its JWE with p's decryption
// key, and the JWS inside.
func newFloorAnswer(b *testing.B, p *benchPlatform) *floorAnswer {
	f := &floorAnswer{alg: p.encAlg, sigAlg: p.sigAlg, ecdsaPub: p.ecdsaPub(), rsaPub: p.rsaPub()}
	signed := p.signed
	if p.encAlg != "" {
		switch k := p.dpKey.Private.(type) {
		case *ecdsa.PrivateKey:
			var err error
			f.ecdhKey, err = k.ECDH()
			require.NoError(b, err)
		case *rsa.PrivateKey:
			f.rsaKey = k
		}
		f.decodeJWE(b, p.answer)
	}
	segs := strings.Split(signed, ".")
	f.inputLen = len(segs[0]) + 1 + len(segs[1])
	f.input = []byte(signed[:f.inputLen])
	f.sig = decodeB64(b, segs[2])
	if f.sigAlg == "ES256" {
		der, err := asn1.Marshal(struct{ R, S *big.Int }{new(big.Int).SetBytes(f.sig[:32]), new(big.Int).SetBytes(f.sig[32:])})
		require.NoError(b, err)
		f.sig = der
	}
	return f
}

// decodeJWE stores the parts of the JWE raw.
func (f *floorAnswer) decodeJWE(b *testing.B, raw string) {
	segs := strings.Split(raw, ".")
	f.aad = []byte(segs[0])
	f.ek, f.iv = decodeB64(b, segs[1]), decodeB64(b, segs[2])
	f.ctTag = append(decodeB64(b, segs[3]), decodeB64(b, segs[4])...)
	f.plain = make([]byte, len(f.ctTag))
	if f.alg == "ECDH-ES" {
		var hdr struct{ EPK struct{ X, Y string } }
		require.NoError(b, json.Unmarshal(decodeB64(b, segs[0]), &hdr))
		f.epk[0] = 4
		copy(f.epk[1:33], decodeB64(b, hdr.EPK.X))
		copy(f.epk[33:], decodeB64(b, hdr.EPK.Y))
	}
}

func decodeB64(b *testing.B, s string) []byte {
	v, err := base64.RawURLEncoding.DecodeString(s)
	require.NoError(b, err)
	return v
}

// verify performs the primitives: key agreement or unwrapping, GCM open,
// SHA-256 and the signature check. It reports whether they all succeed.
func (f *floorAnswer) verify() bool {
	input := f.input
	if f.alg != "" {
		var cek [32]byte
		if !f.unwrap(&cek) {
			return false
		}
		block, err := aes.NewCipher(cek[:])
		if err != nil {
			return false
		}
		gcm, err := cipher.NewGCM(block)
		if err != nil {
			return false
		}
		plain, err := gcm.Open(f.plain[:0], f.iv, f.ctTag, f.aad)
		if err != nil {
			return false
		}
		input = plain[:f.inputLen]
	}
	digest := sha256.Sum256(input)
	if f.sigAlg == "ES256" {
		return ecdsa.VerifyASN1(f.ecdsaPub, digest[:], f.sig)
	}
	return rsa.VerifyPKCS1v15(f.rsaPub, crypto.SHA256, digest[:], f.sig) == nil
}

// unwrap computes the content encryption key.
func (f *floorAnswer) unwrap(cek *[32]byte) bool {
	if f.alg == "ECDH-ES" {
		pub, err := ecdh.P256().NewPublicKey(f.epk[:])
		if err != nil {
			return false
		}
		z, err := f.ecdhKey.ECDH(pub)
		if err != nil {
			return false
		}
		*cek = floorKDF(z)
		return true
	}
	k, err := rsa.DecryptOAEP(sha256.New(), nil, f.rsaKey, f.ek, nil) // RSA-OAEP-256
	return err == nil && copy(cek[:], k) == len(cek)
}

// floorKDF is the Concat KDF of ECDH-ES for A256GCM, without apu and apv.
func floorKDF(z []byte) [32]byte {
	var buf [4 + 32 + 4 + 7 + 4 + 4 + 4]byte
	in := append(buf[:0], 0, 0, 0, 1)
	in = append(in, z...)
	in = append(in, 0, 0, 0, 7)
	in = append(in, "A256GCM"...)
	in = binary.BigEndian.AppendUint32(in, 0) // apu
	in = binary.BigEndian.AppendUint32(in, 0) // apv
	in = binary.BigEndian.AppendUint32(in, 256)
	return sha256.Sum256(in)
}
