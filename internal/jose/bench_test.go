package jose_test

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/asn1"
	"encoding/binary"
	"encoding/json"
	"math/big"
	"strings"
	"testing"
	"time"

	gojose "github.com/go-jose/go-jose/v4"

	"github.com/go-franceconnect/franceconnect/internal/jose"
)

// The benchmarks process one FranceConnect+-like nested token (JWE wrapping
// an ES256 JWS) three ways: the floor (only the cryptographic primitives,
// on inputs decoded beforehand, buffers reused), this package, and go-jose.
// BenchmarkRatio* run the floor and this package alternately and report the
// ratio of their times, which the load of a shared machine distorts less
// than a comparison of separate benchmarks:
//
//	go test ./internal/jose -run x -bench . -benchmem -count 5

// floorInputs holds the parts of a nested token, decoded in advance.
type floorInputs struct {
	aad, ek, iv, ctTag []byte
	epk                [65]byte // uncompressed ECDH-ES ephemeral key
	inputLen           int      // length of the JWS signing input, a prefix of the plaintext
	der                []byte   // the JWS signature in ASN.1
	plaintext          []byte   // output buffer
}

func decodeFloorInputs(b *testing.B, token string, dec *jose.PrivateKey) *floorInputs {
	segs := strings.Split(token, ".")
	in := &floorInputs{aad: []byte(segs[0])}
	in.ek, in.iv = must(b64.DecodeString(segs[1])), must(b64.DecodeString(segs[2]))
	in.ctTag = append(must(b64.DecodeString(segs[3])), must(b64.DecodeString(segs[4]))...)
	var hdr struct{ EPK struct{ X, Y string } }
	if err := json.Unmarshal(must(b64.DecodeString(segs[0])), &hdr); err != nil {
		b.Fatal(err)
	}
	if hdr.EPK.X != "" {
		in.epk[0] = 4
		copy(in.epk[1:33], must(b64.DecodeString(hdr.EPK.X)))
		copy(in.epk[33:], must(b64.DecodeString(hdr.EPK.Y)))
	}
	jwe := must(jose.ParseJWE(token, allKeyAlgs, allEncs))
	jws := string(must(jwe.Decrypt(dec)))
	in.inputLen = strings.LastIndexByte(jws, '.')
	sig := must(b64.DecodeString(jws[in.inputLen+1:]))
	in.der = must(asn1.Marshal(struct{ R, S *big.Int }{new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])}))
	in.plaintext = make([]byte, len(in.ctTag))
	return in
}

// open decrypts with cek and verifies the inner signature with pub.
func (in *floorInputs) open(b *testing.B, cek []byte, pub *ecdsa.PublicKey) {
	block, err := aes.NewCipher(cek)
	if err != nil {
		b.Fatal(err)
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		b.Fatal(err)
	}
	pt, err := gcm.Open(in.plaintext[:0], in.iv, in.ctTag, in.aad)
	if err != nil {
		b.Fatal(err)
	}
	digest := sha256.Sum256(pt[:in.inputLen])
	if !ecdsa.VerifyASN1(pub, digest[:], in.der) {
		b.Fatal("signature")
	}
}

// concatKDF is the single-round Concat KDF for A256GCM without apu/apv.
func concatKDF(z []byte) [32]byte {
	var buf [64]byte
	in := append(buf[:0], 0, 0, 0, 1)
	in = append(in, z...)
	in = append(in, 0, 0, 0, 7)
	in = append(in, "A256GCM"...)
	in = binary.BigEndian.AppendUint32(in, 0)
	in = binary.BigEndian.AppendUint32(in, 0)
	in = binary.BigEndian.AppendUint32(in, 256)
	return sha256.Sum256(in)
}

// floorECDHES returns one iteration of the primitives for an ECDH-ES token.
func floorECDHES(b *testing.B) func() {
	token, dec, ver := nested(b, jose.ECDHES, jose.ES256)
	in := decodeFloorInputs(b, token, dec)
	return func() {
		pub, err := ecdh.P256().NewPublicKey(in.epk[:])
		if err != nil {
			b.Fatal(err)
		}
		z, err := dec.ECDH.ECDH(pub)
		if err != nil {
			b.Fatal(err)
		}
		cek := concatKDF(z)
		in.open(b, cek[:], ver.ECDSA)
	}
}

// floorRSAOAEP256 returns one iteration of the primitives for an
// RSA-OAEP-256 token.
func floorRSAOAEP256(b *testing.B) func() {
	token, dec, ver := nested(b, jose.RSAOAEP256, jose.ES256)
	in := decodeFloorInputs(b, token, dec)
	return func() {
		cek, err := rsa.DecryptOAEP(sha256.New(), nil, dec.RSA, in.ek, nil)
		if err != nil {
			b.Fatal(err)
		}
		in.open(b, cek, ver.ECDSA)
	}
}

// decryptVerify returns one iteration of this package on a nested token.
func decryptVerify(b *testing.B, keyAlg string) func() {
	token, dec, ver := nested(b, keyAlg, jose.ES256)
	keyAlgs, sigAlgs := []string{keyAlg}, []string{jose.ES256}
	return func() {
		jwe, err := jose.ParseJWE(token, keyAlgs, allEncs)
		if err != nil {
			b.Fatal(err)
		}
		plaintext, err := jwe.Decrypt(dec)
		if err != nil {
			b.Fatal(err)
		}
		jws, err := jose.ParseJWS(string(plaintext), sigAlgs)
		if err != nil {
			b.Fatal(err)
		}
		if err := jws.Verify(ver); err != nil {
			b.Fatal(err)
		}
		if jws.Payload() == nil {
			b.Fatal("no payload")
		}
	}
}

// goJose returns one iteration of go-jose on a nested token.
func goJose(b *testing.B, keyAlg string, rp any) func() {
	token, _, ver := nested(b, keyAlg, jose.ES256)
	keyAlgs := []gojose.KeyAlgorithm{gojose.KeyAlgorithm(keyAlg)}
	encs := []gojose.ContentEncryption{gojose.A256GCM}
	sigAlgs := []gojose.SignatureAlgorithm{gojose.ES256}
	return func() {
		jwe, err := gojose.ParseEncryptedCompact(token, keyAlgs, encs)
		if err != nil {
			b.Fatal(err)
		}
		plaintext, err := jwe.Decrypt(rp)
		if err != nil {
			b.Fatal(err)
		}
		jws, err := gojose.ParseSignedCompact(string(plaintext), sigAlgs)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := jws.Verify(ver.ECDSA); err != nil {
			b.Fatal(err)
		}
	}
}

func run(b *testing.B, iteration func()) {
	b.ReportAllocs()
	for b.Loop() {
		iteration()
	}
}

// ratio runs ours and floor alternately, so that both see the same machine
// load, and reports the ratio of their total times as "x-floor".
func ratio(b *testing.B, ours, floor func()) {
	var tOurs, tFloor time.Duration
	for b.Loop() {
		start := time.Now()
		floor()
		middle := time.Now()
		ours()
		tFloor, tOurs = tFloor+middle.Sub(start), tOurs+time.Since(middle)
	}
	b.ReportMetric(float64(tOurs)/float64(tFloor), "x-floor")
}

func BenchmarkFloorECDHES_ES256(b *testing.B)         { run(b, floorECDHES(b)) }
func BenchmarkDecryptVerifyECDHES_ES256(b *testing.B) { run(b, decryptVerify(b, jose.ECDHES)) }
func BenchmarkGoJoseECDHES_ES256(b *testing.B)        { run(b, goJose(b, jose.ECDHES, keys().rpEC)) }
func BenchmarkRatioECDHES_ES256(b *testing.B) {
	ratio(b, decryptVerify(b, jose.ECDHES), floorECDHES(b))
}

func BenchmarkFloorRSAOAEP256_ES256(b *testing.B)         { run(b, floorRSAOAEP256(b)) }
func BenchmarkDecryptVerifyRSAOAEP256_ES256(b *testing.B) { run(b, decryptVerify(b, jose.RSAOAEP256)) }
func BenchmarkGoJoseRSAOAEP256_ES256(b *testing.B)        { run(b, goJose(b, jose.RSAOAEP256, keys().rpRSA)) }
func BenchmarkRatioRSAOAEP256_ES256(b *testing.B) {
	ratio(b, decryptVerify(b, jose.RSAOAEP256), floorRSAOAEP256(b))
}

// BenchmarkParse measures the work this package adds to the primitives:
// splitting, base64url decoding and header parsing of both tokens.
func BenchmarkParse(b *testing.B) {
	token, dec, _ := nested(b, jose.ECDHES, jose.ES256)
	inner := string(must(must(jose.ParseJWE(token, allKeyAlgs, allEncs)).Decrypt(dec)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := jose.ParseJWE(token, allKeyAlgs, allEncs); err != nil {
			b.Fatal(err)
		}
		if _, err := jose.ParseJWS(inner, allSigAlgs); err != nil {
			b.Fatal(err)
		}
	}
}
