package jose

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"fmt"
	"math/big"

	"github.com/go-franceconnect/franceconnect/internal/jsonscan"
)

const (
	coordChars = (8*p256Size + 5) / 6 // base64url length of a P-256 coordinate
	maxRSABits = 8192                 // largest RSA modulus read from a JWKS
)

var errJWKS = fmt.Errorf("%w: not a JSON object with a keys array", ErrMalformed)

// ParsePublicJWKS reads a JWK Set (RFC 7517 §5) of provider signature keys,
// such as FranceConnect's /api/v2/jwks (FCPLUS-SPEC §8.4).
//
// It keeps the keys usable with ES256 (kty EC, crv P-256) or RS256 (kty RSA,
// 2048 to 8192 bits), sets their Alg (inferred from kty when the JWK has
// none) and ID, and skips, counting them in skipped, the keys with an unknown
// kty, an alg other than ES256 for EC or RS256 for RSA, a use other than
// "sig", key_ops without "verify", private members, another curve, an
// invalid point or RSA modulus or exponent, members of the wrong type or
// duplicate members, and every key after the first MaxJWKSKeys kept ones.
// Key ids are not checked for uniqueness.
//
// The error wraps ErrMalformed only if data is not a valid JSON object with
// exactly one "keys" member holding an array. Parsing time is linear in
// len(data).
func ParsePublicJWKS(data []byte) (keys []PublicKey, skipped int, err error) {
	keys, skipped, err = parsePublicJWKS(data)
	return keys, skipped, jsonError(err)
}

// parsePublicJWKS does the work of ParsePublicJWKS, returning the scanner's
// errors as jsonscan reports them.
func parsePublicJWKS(data []byte) (keys []PublicKey, skipped int, err error) {
	s := jsonscan.New(data)
	var o jsonscan.Object
	found := false
	for o.Next(&s, nil) {
		if string(o.Key) != "keys" {
			if err := s.Skip(); err != nil {
				return nil, 0, err
			}
			continue
		}
		if found {
			return nil, 0, errDuplicate
		}
		found = true
		if s.Peek() != '[' {
			return nil, 0, errJWKS
		}
		var a jsonscan.Array
		for a.Next(&s) {
			if len(keys) == MaxJWKSKeys {
				skipped++
				if err := s.Skip(); err != nil {
					return nil, 0, err
				}
				continue
			}
			k, ok, err := readJWK(&s)
			switch {
			case err != nil:
				return nil, 0, err
			case ok:
				keys = append(keys, k)
			default:
				skipped++
			}
		}
		if err := a.Err(); err != nil {
			return nil, 0, err
		}
	}
	switch {
	case o.Err() != nil:
		return nil, 0, o.Err()
	case !found:
		return nil, 0, errJWKS
	}
	if err := s.End(); err != nil {
		return nil, 0, err
	}
	return keys, skipped, nil
}

// readJWK reads one element of a keys array. An element that is valid JSON
// but not a usable signature key is consumed and reported with ok false; err
// is set only when the JSON itself is invalid.
func readJWK(s *jsonscan.Scanner) (k PublicKey, ok bool, err error) {
	start := *s
	f, err := parseJWK(s)
	if err != nil {
		// Not a JWK we can read (wrong types, duplicates): start again and
		// only check that it is valid JSON.
		*s = start
		return PublicKey{}, false, s.Skip()
	}
	k, ok = f.publicKey()
	return k, ok, nil
}

// jwkFields holds the members of a JWK (RFC 7517 §4, RFC 7518 §6) as read
// from JSON. A member that is present has a non-nil value, even if empty.
type jwkFields struct {
	kty, crv, x, y, n, e []byte
	alg, use, kid        []byte
	keyOps, verify       bool // key_ops is present; it lists "verify"
	private              bool // a private key member is present
}

// parseJWK reads a JWK object.
func parseJWK(s *jsonscan.Scanner) (f jwkFields, err error) {
	var seen jsonscan.Members
	var o jsonscan.Object
	for o.Next(s, &seen) {
		switch string(o.Key) {
		case "kty":
			f.kty, err = s.StringValue()
		case "crv":
			f.crv, err = s.StringValue()
		case "x":
			f.x, err = s.StringValue()
		case "y":
			f.y, err = s.StringValue()
		case "n":
			f.n, err = s.StringValue()
		case "e":
			f.e, err = s.StringValue()
		case "alg":
			f.alg, err = s.StringValue()
		case "use":
			f.use, err = s.StringValue()
		case "kid":
			f.kid, err = s.StringValue()
		case "key_ops":
			f.keyOps = true
			f.verify, err = listHas(s, "verify")
		case "d", "p", "q", "dp", "dq", "qi", "oth", "k":
			f.private = true
			err = s.Skip()
		default:
			err = s.Skip()
		}
		if err != nil {
			return f, err
		}
	}
	return f, o.Err()
}

// listHas reads an array of strings and reports whether it contains want.
func listHas(s *jsonscan.Scanner, want string) (bool, error) {
	if s.Peek() != '[' {
		return false, errType
	}
	found := false
	var a jsonscan.Array
	for a.Next(s) {
		v, err := s.StringValue()
		if err != nil {
			return false, err
		}
		found = found || string(v) == want
	}
	return found, a.Err()
}

// publicKey returns the signature key f describes, if it is usable.
func (f *jwkFields) publicKey() (PublicKey, bool) {
	if f.private || f.use != nil && string(f.use) != "sig" || f.keyOps && !f.verify {
		return PublicKey{}, false
	}
	k := PublicKey{ID: string(f.kid)}
	switch string(f.kty) {
	case "EC":
		var point [1 + 2*p256Size]byte
		if f.alg != nil && string(f.alg) != ES256 || !f.p256Point(&point) {
			return PublicKey{}, false
		}
		pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), point[:])
		if err != nil {
			return PublicKey{}, false
		}
		k.Alg, k.ECDSA = ES256, pub
	case "RSA":
		pub := f.rsaPublicKey()
		if f.alg != nil && string(f.alg) != RS256 || pub == nil {
			return PublicKey{}, false
		}
		k.Alg, k.RSA = RS256, pub
	default:
		return PublicKey{}, false
	}
	return k, true
}

// p256Point writes the uncompressed encoding of the public P-256 point f
// describes into p. It does not check that the point is on the curve.
func (f *jwkFields) p256Point(p *[1 + 2*p256Size]byte) bool {
	if string(f.kty) != "EC" || string(f.crv) != "P-256" || f.private ||
		len(f.x) != coordChars || len(f.y) != coordChars {
		return false
	}
	p[0] = 4
	_, okX := b64Decode(p[1:1+p256Size], f.x)
	_, okY := b64Decode(p[1+p256Size:], f.y)
	return okX && okY
}

// rsaPublicKey returns the RSA key f describes if its modulus is odd and of
// 2048 to 8192 bits and its exponent odd and between 3 and 2^31-1.
func (f *jwkFields) rsaPublicKey() *rsa.PublicKey {
	size := b64DecodedLen(len(f.n))
	if size < 0 || size > maxRSABits/8+1 || len(f.e) == 0 || len(f.e) > 6 {
		return nil
	}
	n, ok := b64Decode(make([]byte, size), f.n)
	var eBuf [4]byte
	e, okE := b64Decode(eBuf[:], f.e)
	if !ok || !okE || len(n) == 0 || n[len(n)-1]&1 == 0 {
		return nil
	}
	exp := 0
	for _, b := range e {
		exp = exp<<8 | int(b)
	}
	if exp < 3 || exp > 1<<31-1 || exp&1 == 0 {
		return nil
	}
	mod := new(big.Int).SetBytes(n)
	if modulusFits(mod) != nil || mod.BitLen() > maxRSABits {
		return nil
	}
	return &rsa.PublicKey{N: mod, E: exp}
}
