package franceconnect

import (
	"context"
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/asn1"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"math/big"
	"slices"
	"strings"
	"testing"
	"time"

	gojose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/require"
)

// floorToken is a recorded token taken apart beforehand, so that verifying
// it costs only the standard library's cryptographic primitives: the
// denominator of the benchmark ratios. It holds the decoded segments, the
// keys, and the buffer GCM decrypts into.
type floorToken struct {
	alg, sigAlg string // alg is "" for a bare JWS

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

func newFloorToken(b *testing.B, p benchPair, raw string) *floorToken {
	k := loadTestKeys(b)
	f := &floorToken{alg: p.enc, sigAlg: p.sig}
	pub := k.providerES256.Public().Key
	if p.sig == "RS256" {
		pub = k.providerRS256.Public().Key
	}
	f.ecdsaPub, _ = pub.(*ecdsa.PublicKey)
	f.rsaPub, _ = pub.(*rsa.PublicKey)
	signed := raw
	if p.enc != "" {
		dec, err := k.fsKey(p.enc).decKey()
		require.NoError(b, err)
		f.rsaKey, _ = dec.key.(*rsa.PrivateKey)
		if ec, ok := dec.key.(*ecdsa.PrivateKey); ok {
			f.ecdhKey, err = ec.ECDH()
			require.NoError(b, err)
		}
		signed = f.decodeJWE(b, raw, dec.key)
	}
	segs := strings.Split(signed, ".")
	f.inputLen = len(segs[0]) + 1 + len(segs[1])
	f.input = []byte(signed[:f.inputLen])
	f.sig = decodeB64(b, segs[2])
	if p.sig == "ES256" {
		der, err := asn1.Marshal(struct{ R, S *big.Int }{new(big.Int).SetBytes(f.sig[:32]), new(big.Int).SetBytes(f.sig[32:])})
		require.NoError(b, err)
		f.sig = der
	}
	return f
}

// decodeJWE stores the parts of the JWE raw and returns the JWS it holds,
// decrypted with go-jose.
func (f *floorToken) decodeJWE(b *testing.B, raw string, key crypto.PrivateKey) string {
	segs := strings.Split(raw, ".")
	f.aad = []byte(segs[0])
	f.ek, f.iv = decodeB64(b, segs[1]), decodeB64(b, segs[2])
	f.ctTag = append(decodeB64(b, segs[3]), decodeB64(b, segs[4])...)
	f.plain = make([]byte, len(f.ctTag))
	var hdr struct{ EPK struct{ X, Y string } }
	require.NoError(b, json.Unmarshal(decodeB64(b, segs[0]), &hdr))
	if f.alg == ECDHES {
		f.epk[0] = 4
		copy(f.epk[1:33], decodeB64(b, hdr.EPK.X))
		copy(f.epk[33:], decodeB64(b, hdr.EPK.Y))
	}
	jwe, err := gojose.ParseEncryptedCompact(raw, []gojose.KeyAlgorithm{gojose.KeyAlgorithm(f.alg)}, []gojose.ContentEncryption{gojose.A256GCM})
	require.NoError(b, err)
	plain, err := jwe.Decrypt(key)
	require.NoError(b, err)
	return string(plain)
}

func decodeB64(b *testing.B, s string) []byte {
	v, err := base64.RawURLEncoding.DecodeString(s)
	require.NoError(b, err)
	return v
}

// verify performs the primitives: key agreement or unwrapping, GCM open,
// SHA-256 and the signature check. It reports whether they all succeed.
func (f *floorToken) verify() bool {
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
func (f *floorToken) unwrap(cek *[32]byte) bool {
	switch f.alg {
	case ECDHES:
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
	case RSAOAEP256, RSAOAEP:
		h := sha256.New()
		if f.alg == RSAOAEP {
			h = sha1.New()
		}
		k, err := rsa.DecryptOAEP(h, nil, f.rsaKey, f.ek, nil)
		return err == nil && copy(cek[:], k) == len(cek)
	}
	return false
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

// BenchmarkFloor is the cost of the standard-library primitives alone on
// the recorded tokens: base64 and JSON are done before the timed loop.
func BenchmarkFloor(b *testing.B) {
	forEachToken(b, benchPairs, func(b *testing.B, p benchPair, kind, raw string) {
		f := newFloorToken(b, p, raw)
		b.ReportAllocs()
		for b.Loop() {
			if !f.verify() {
				b.Fatal("floor verification failed")
			}
		}
	})
}

// BenchmarkRatio runs the floor, this package and go-jose one after the
// other on the same token, iteration after iteration, so that the three see
// the same machine load, and reports the ratios of their median times
// (x-floor: this package ÷ floor; x-gojose: this package ÷ go-jose), which
// a shared machine distorts far less than a comparison of separate runs.
func BenchmarkRatio(b *testing.B) {
	forEachToken(b, benchPairs, func(b *testing.B, p benchPair, kind, raw string) {
		f := newFloorToken(b, p, raw)
		c := benchClient(b, p.tokenPair)
		peer := newGoJosePeer(b, p.platform)
		ctx, st := context.Background(), benchState(p.platform)
		var floor, ours, theirs []time.Duration
		for b.Loop() {
			t0 := time.Now()
			ok := f.verify()
			t1 := time.Now()
			err := verifyToken(ctx, c, kind, raw, st)
			t2 := time.Now()
			err2 := peer.verify(kind, raw, st)
			t3 := time.Now()
			if !ok || err != nil || err2 != nil {
				b.Fatal(ok, err, err2)
			}
			floor, ours, theirs = append(floor, t1.Sub(t0)), append(ours, t2.Sub(t1)), append(theirs, t3.Sub(t2))
		}
		mFloor, mOurs, mTheirs := median(floor), median(ours), median(theirs)
		b.ReportMetric(float64(mOurs)/float64(mFloor), "x-floor")
		b.ReportMetric(float64(mOurs)/float64(mTheirs), "x-gojose")
		b.ReportMetric(float64(mFloor)/1e3, "floor-µs")
		b.ReportMetric(float64(mOurs)/1e3, "package-µs")
		b.ReportMetric(float64(mTheirs)/1e3, "gojose-µs")
	})
}

// median sorts d and returns its middle value.
func median(d []time.Duration) time.Duration {
	slices.Sort(d)
	return d[len(d)/2]
}
