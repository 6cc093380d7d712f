package jose

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"hash"

	"github.com/go-franceconnect/franceconnect/internal/jsonscan"
)

const (
	ivSize  = 12 // A256GCM initialization vector
	tagSize = 16 // A256GCM authentication tag
	cekSize = 32 // A256GCM key
)

var (
	errEncryptedKey = fmt.Errorf("%w: encrypted key segment does not fit alg", ErrMalformed)
	errEPK          = fmt.Errorf("%w: epk does not fit alg", ErrMalformed)
	errIV           = fmt.Errorf("%w: initialization vector is not %d bytes", ErrMalformed, ivSize)
	errTag          = fmt.Errorf("%w: authentication tag is not %d bytes", ErrMalformed, tagSize)
)

// JWEHeader is the protected header of a JWE (RFC 7516 §4). FranceConnect+
// sets alg, enc, cty, kid, iss, aud and, for ECDH-ES, epk (FCPLUS-SPEC §5.1).
type JWEHeader struct {
	Alg string // key management algorithm: ECDHES, RSAOAEP256 or RSAOAEP
	Enc string // content encryption algorithm: A256GCM
	Kid string // id of the relying-party key the token is encrypted to
	Cty string // content type, "JWT" for a nested token
	Typ string // token type, usually empty
	Iss string // issuer, set by FranceConnect+; empty if absent
	Aud string // audience (the client_id) when it is a JSON string; empty otherwise

	// AudArray reports that aud was a JSON array, which is not read.
	AudArray bool
}

// JWE is a parsed compact JWE. Its Header is parsed and checked; the rest is
// only usable through Decrypt.
type JWE struct {
	Header JWEHeader

	aad      []byte // ASCII of the protected header segment
	ek       []byte // encrypted key; empty for ECDH-ES
	iv       []byte
	ctTag    []byte // ciphertext immediately followed by the tag; decrypted in place
	ct       string // ciphertext segment, to restore ctTag
	opened   bool   // ctTag no longer holds the ciphertext
	epk      jwkFields
	apu, apv []byte // base64url, decoded by Decrypt
}

// ParseJWE parses a compact JWE of exactly 5 segments (RFC 7516 §7.1).
//
// alg must be one of ECDHES, RSAOAEP256 and RSAOAEP and be listed in
// allowedAlgs; enc must be A256GCM and be listed in allowedEncs; otherwise the
// error wraps ErrAlgorithm, as it does for the header members crit, zip, jku,
// jwk and x5u, and for b64 unless it is true. The error wraps ErrMalformed
// for a token longer than MaxTokenSize, bad base64url (padding, whitespace
// and non-canonical encodings included), bad JSON, duplicate header members
// (compared after unescaping), more than 32 members in an object, a missing
// alg or enc, an encrypted key segment that is not empty for ECDH-ES or empty
// for RSA, a missing epk for ECDH-ES, an epk for RSA, an IV that is not 12
// bytes or a tag that is not 16 bytes. The epk itself is only checked by
// Decrypt.
func ParseJWE(token string, allowedAlgs, allowedEncs []string) (*JWE, error) {
	var segs [5]string
	if err := split(token, segs[:]); err != nil {
		return nil, err
	}
	size, err := decodedSize(segs[:])
	if err != nil {
		return nil, err
	}
	// One buffer holds the protected header segment (the AAD) and all the
	// decoded segments, the ciphertext immediately followed by the tag.
	buf := make([]byte, len(segs[0])+size)
	aad := buf[:copy(buf, segs[0])]
	var parts [5][]byte
	if err := decodeSegments(buf[len(aad):], segs[:], parts[:]); err != nil {
		return nil, err
	}
	f, err := parseJWEHeader(parts[0])
	if err != nil {
		return nil, jsonError(err)
	}
	if err := f.check(allowedAlgs, allowedEncs, len(parts[1])); err != nil {
		return nil, err
	}
	switch {
	case len(parts[2]) != ivSize:
		return nil, errIV
	case len(parts[4]) != tagSize:
		return nil, errTag
	}
	j := &JWE{
		aad:   aad,
		ek:    parts[1],
		iv:    parts[2],
		ctTag: parts[3][:len(parts[3])+tagSize],
		ct:    segs[3],
		epk:   f.epk,
		apu:   f.apu,
		apv:   f.apv,
	}
	h := &j.Header
	h.AudArray = f.audArray
	setStrings([]*string{&h.Alg, &h.Enc, &h.Kid, &h.Cty, &h.Typ, &h.Iss, &h.Aud},
		[][]byte{f.alg, f.enc, f.kid, f.cty, f.typ, f.iss, f.aud})
	return j, nil
}

// jweFields holds the members of a JWE header as read from JSON.
type jweFields struct {
	alg, enc, kid, cty, typ, iss, aud []byte
	audArray, hasEPK                  bool
	epk                               jwkFields
	apu, apv                          []byte
}

// parseJWEHeader reads a JWE protected header.
func parseJWEHeader(hdr []byte) (f jweFields, err error) {
	s := jsonscan.New(hdr)
	var seen jsonscan.Members
	var o jsonscan.Object
	for o.Next(&s, &seen) {
		switch string(o.Key) {
		case "alg":
			f.alg, err = s.StringValue()
		case "enc":
			f.enc, err = s.StringValue()
		case "kid":
			f.kid, err = s.StringValue()
		case "cty":
			f.cty, err = s.StringValue()
		case "typ":
			f.typ, err = s.StringValue()
		case "iss":
			f.iss, err = s.StringValue()
		case "aud":
			if f.audArray = s.Peek() == '['; f.audArray {
				err = s.Skip()
			} else {
				f.aud, err = s.StringValue()
			}
		case "epk":
			f.hasEPK = true
			f.epk, err = parseJWK(&s)
		case "apu":
			f.apu, err = s.StringValue()
		case "apv":
			f.apv, err = s.StringValue()
		default:
			err = commonMember(&s, o.Key)
		}
		if err != nil {
			return f, err
		}
	}
	if o.Err() != nil {
		return f, o.Err()
	}
	return f, s.End()
}

// check applies the allow-lists and the rules tying alg to the other parts.
func (f *jweFields) check(allowedAlgs, allowedEncs []string, ekSize int) error {
	switch {
	case len(f.alg) == 0 || len(f.enc) == 0:
		return errMissing
	case !allowed(f.alg, []string{ECDHES, RSAOAEP256, RSAOAEP}) || !allowed(f.alg, allowedAlgs):
		return errAlg
	case string(f.enc) != A256GCM || !allowed(f.enc, allowedEncs):
		return errEnc
	case string(f.alg) == ECDHES:
		if ekSize != 0 {
			return errEncryptedKey
		}
		if !f.hasEPK {
			return errEPK
		}
	case ekSize == 0:
		return errEncryptedKey
	case f.hasEPK:
		return errEPK
	}
	return nil
}

// Decrypt decrypts the JWE with key and returns the plaintext, for
// FranceConnect+ a compact JWS (FCPLUS-SPEC §5.1).
//
// key.Alg must equal Header.Alg and the key must be of the matching type
// (a P-256 ECDH key for ECDHES, an RSA key of at least 2048 bits otherwise);
// if not, the error wraps ErrKeyMismatch. The key id is not compared: the
// caller selects the key. Every cryptographic failure (wrong key, invalid or
// off-curve epk, bad encrypted key, CEK not 32 bytes, tampered header, IV,
// ciphertext or tag) returns ErrDecryption itself.
//
// The ciphertext is decrypted in place: the returned slice aliases memory
// owned by j and is overwritten by the next Decrypt on j. Decrypt may be
// called again, for instance with another key after a failure. A JWE must
// not be decrypted from several goroutines at once.
func (j *JWE) Decrypt(key *PrivateKey) ([]byte, error) {
	if err := key.fits(j.Header.Alg); err != nil {
		return nil, err
	}
	var cek [cekSize]byte
	defer clear(cek[:])
	switch j.Header.Alg {
	case ECDHES:
		if !j.agree(key.ECDH, &cek) {
			return nil, ErrDecryption
		}
	case RSAOAEP256, RSAOAEP:
		var h hash.Hash
		if j.Header.Alg == RSAOAEP256 {
			h = sha256.New()
		} else {
			h = sha1.New()
		}
		k, err := rsa.DecryptOAEP(h, nil, key.RSA, j.ek, nil)
		if err != nil || len(k) != cekSize {
			return nil, ErrDecryption
		}
		copy(cek[:], k)
		clear(k)
	}
	block, err := aes.NewCipher(cek[:])
	if err != nil {
		return nil, ErrDecryption
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, ErrDecryption
	}
	if j.opened { // by an earlier call, which left plaintext or zeros
		b64Decode(j.ctTag, j.ct)
	}
	j.opened = true
	pt, err := gcm.Open(j.ctTag[:0], j.iv, j.ctTag, j.aad)
	if err != nil {
		return nil, ErrDecryption
	}
	return pt, nil
}

// agree derives the content encryption key for ECDH-ES (RFC 7518 §4.6) from
// the epk header and priv into cek.
func (j *JWE) agree(priv *ecdh.PrivateKey, cek *[cekSize]byte) bool {
	var point [1 + 2*p256Size]byte
	if !j.epk.p256Point(&point) {
		return false
	}
	pub, err := ecdh.P256().NewPublicKey(point[:])
	if err != nil {
		return false
	}
	z, err := priv.ECDH(pub)
	if err != nil {
		return false
	}
	defer clear(z)
	return concatKDF(cek, z, j.apu, j.apv)
}

// concatKDF computes the single-round Concat KDF of NIST SP 800-56A with
// SHA-256, as RFC 7518 §4.6.2 specifies for ECDH-ES with A256GCM, where apu
// and apv are the base64url header values. It fails if they are invalid.
func concatKDF(cek *[cekSize]byte, z, apu, apv []byte) bool {
	var stack [256]byte
	in := append(stack[:0], 0, 0, 0, 1) // round 1
	in = append(in, z...)
	in = binary.BigEndian.AppendUint32(in, uint32(len(A256GCM)))
	in = append(in, A256GCM...)
	in, okU := appendPrefixed(in, apu)
	in, okV := appendPrefixed(in, apv)
	in = binary.BigEndian.AppendUint32(in, 8*cekSize) // SuppPubInfo: keydatalen in bits
	if okU && okV {
		*cek = sha256.Sum256(in)
	}
	clear(in) // in may have moved to the heap: clear both copies of z
	clear(stack[:])
	return okU && okV
}

// appendPrefixed appends the base64url-decoded b64u preceded by its length as
// a 32-bit big-endian integer.
func appendPrefixed(in, b64u []byte) ([]byte, bool) {
	n := b64DecodedLen(len(b64u))
	if n < 0 {
		return in, false
	}
	in = binary.BigEndian.AppendUint32(in, uint32(n))
	start := len(in)
	in = append(in, make([]byte, n)...)
	_, ok := b64Decode(in[start:], b64u)
	return in, ok
}
