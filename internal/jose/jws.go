package jose

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha256"
	"fmt"
	"sync/atomic"

	"github.com/go-franceconnect/franceconnect/internal/jsonscan"
)

const p256Size = 32 // bytes of a P-256 coordinate, scalar or ES256 signature half

var errNoSignature = fmt.Errorf("%w: empty signature segment", ErrMalformed)

// JWSHeader is the protected header of a JWS (RFC 7515 §4). FranceConnect+
// sets alg and kid only (FCPLUS-SPEC §5.1).
type JWSHeader struct {
	Alg string // signature algorithm: ES256 or RS256
	Kid string // id of the provider key that signed the token
	Typ string // token type, usually empty
	Cty string // content type, usually empty
}

// JWS is a parsed compact JWS. Its Header is parsed and checked; its payload
// is available through Payload once Verify has succeeded. Verify and Payload
// are safe for concurrent use.
type JWS struct {
	Header JWSHeader

	input    []byte // signing input: ASCII of the header and payload segments
	payload  []byte
	sig      []byte
	verified atomic.Bool
}

// ParseJWS parses a compact JWS of exactly 3 segments with a non-empty
// signature (RFC 7515 §7.1).
//
// alg must be ES256 or RS256 and be listed in allowedAlgs; "none", HS256
// and every other value are refused whatever the list, with an error wrapping
// ErrAlgorithm, as are the header members crit, zip, jku, jwk and x5u, and b64
// unless it is true. The error wraps ErrMalformed for a token longer than
// MaxTokenSize, bad base64url (padding, whitespace and non-canonical
// encodings included), bad JSON, duplicate header members (compared after
// unescaping), more than 32 header members, a missing alg, or an empty
// signature, which is checked after alg so that an unsecured JWT ("alg":
// "none") is reported with ErrAlgorithm.
func ParseJWS(token string, allowedAlgs []string) (*JWS, error) {
	var segs [3]string
	if err := split(token, segs[:]); err != nil {
		return nil, err
	}
	size, err := decodedSize(segs[:])
	if err != nil {
		return nil, err
	}
	// One buffer holds the signing input, to be hashed, and the decoded segments.
	inputLen := len(segs[0]) + 1 + len(segs[1])
	buf := make([]byte, inputLen+size)
	input := buf[:copy(buf, token[:inputLen])]
	var parts [3][]byte
	if err := decodeSegments(buf[inputLen:], segs[:], parts[:]); err != nil {
		return nil, err
	}
	f, err := parseJWSHeader(parts[0])
	if err != nil {
		return nil, jsonError(err)
	}
	switch {
	case len(f.alg) == 0:
		return nil, errMissing
	case !allowed(f.alg, []string{ES256, RS256}) || !allowed(f.alg, allowedAlgs):
		return nil, errAlg
	case len(parts[2]) == 0: // checked after alg, so that an unsecured JWT is reported as such
		return nil, errNoSignature
	}
	j := &JWS{
		input:   input,
		payload: parts[1],
		sig:     parts[2],
	}
	h := &j.Header
	setStrings([]*string{&h.Alg, &h.Kid, &h.Typ, &h.Cty}, [][]byte{f.alg, f.kid, f.typ, f.cty})
	return j, nil
}

// jwsFields holds the members of a JWS header as read from JSON.
type jwsFields struct {
	alg, kid, typ, cty []byte
}

// parseJWSHeader reads a JWS protected header.
func parseJWSHeader(hdr []byte) (f jwsFields, err error) {
	s := jsonscan.New(hdr)
	var seen jsonscan.Members
	var o jsonscan.Object
	for o.Next(&s, &seen) {
		switch string(o.Key) {
		case "alg":
			f.alg, err = s.StringValue()
		case "kid":
			f.kid, err = s.StringValue()
		case "typ":
			f.typ, err = s.StringValue()
		case "cty":
			f.cty, err = s.StringValue()
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

// Verify checks the signature with key: for ES256 a 64-byte R||S ECDSA
// signature by a P-256 key, for RS256 an RSASSA-PKCS1-v1_5 SHA-256 signature
// by an RSA key of at least 2048 bits (RFC 7518 §3.3, §3.4).
//
// If key's type, curve, size or Alg does not fit Header.Alg, the error wraps
// ErrKeyMismatch. A signature that does not verify returns an error wrapping
// ErrSignature. The key id is not compared: the caller selects the key.
func (j *JWS) Verify(key *PublicKey) error {
	if err := key.fits(j.Header.Alg); err != nil {
		return err
	}
	digest := sha256.Sum256(j.input)
	var ok bool
	if j.Header.Alg == ES256 {
		var der [72]byte
		ok = len(j.sig) == 2*p256Size &&
			ecdsa.VerifyASN1(key.ECDSA, digest[:], asn1Signature(der[:0], j.sig))
	} else {
		ok = rsa.VerifyPKCS1v15(key.RSA, crypto.SHA256, digest[:], j.sig) == nil
	}
	if !ok {
		return ErrSignature
	}
	j.verified.Store(true)
	return nil
}

// Payload returns the payload once Verify has succeeded with some key, and
// nil before. The slice aliases memory owned by j and must not be modified.
func (j *JWS) Payload() []byte {
	if !j.verified.Load() {
		return nil
	}
	return j.payload
}

// asn1Signature appends to dst the DER encoding (SEQUENCE of two INTEGERs)
// of a 64-byte JOSE ECDSA signature R||S, as crypto/ecdsa expects.
func asn1Signature(dst, sig []byte) []byte {
	start := len(dst)
	dst = append(dst, 0x30, 0)
	dst = appendASN1Int(dst, sig[:p256Size])
	dst = appendASN1Int(dst, sig[p256Size:])
	dst[start+1] = byte(len(dst) - start - 2)
	return dst
}

// appendASN1Int appends the DER INTEGER holding the unsigned big-endian v.
func appendASN1Int(dst, v []byte) []byte {
	for len(v) > 1 && v[0] == 0 {
		v = v[1:]
	}
	pad := v[0] >> 7 // a leading 0x00 keeps the integer positive
	dst = append(dst, 0x02, byte(len(v))+pad)
	if pad == 1 {
		dst = append(dst, 0)
	}
	return append(dst, v...)
}
