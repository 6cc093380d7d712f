package jose

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	gojose "github.com/go-jose/go-jose/v4"
)

const (
	// MaxJWKSKeys is the largest number of keys ParsePublicJWKS returns.
	MaxJWKSKeys = 100
	// MinRSABits is the smallest RSA modulus accepted, for decryption and
	// signature keys alike.
	MinRSABits = 2048
	maxRSABits = 8192 // largest RSA modulus read from a key set
)

var errJWKS = fmt.Errorf("%w: not a JSON object with one keys array", ErrMalformed)

// PublicKey is a provider signature key.
type PublicKey struct {
	// ID is the key id ("kid") published in the provider's JWKS.
	ID string
	// Alg is ES256 or RS256: the only algorithm the key verifies.
	Alg string
	// Key is an *ecdsa.PublicKey on P-256 (ES256) or an *rsa.PublicKey of
	// 2048 to 8192 bits (RS256), as go-jose's Verify takes it.
	Key crypto.PublicKey
}

// ParsePublicJWKS reads a JWK Set (RFC 7517 §5) of provider signature keys,
// such as FranceConnect's /api/v2/jwks (FCPLUS-SPEC §8.4). go-jose decodes
// each key (points on the curve, well-formed integers).
//
// It keeps the keys usable with ES256 (EC P-256) or RS256 (RSA of 2048 to
// 8192 bits with an odd exponent of at least 3), sets their Alg (from kty
// when the JWK has none) and ID, and skips, counting them in skipped: keys
// of another type, curve or size, with an alg that does not fit, a use other
// than "sig", key_ops without "verify", private members, members repeated or
// differing only in case, or that go-jose cannot decode; and every key
// after the first MaxJWKSKeys kept ones.
//
// The error wraps ErrMalformed only if data is not valid UTF-8 JSON: one
// object with exactly one "keys" member holding an array.
func ParsePublicJWKS(data []byte) (keys []PublicKey, skipped int, err error) {
	if !utf8.Valid(data) {
		return nil, 0, errUTF8
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, 0, errJWKS
	}
	found := false
	for dec.More() {
		name, err := dec.Token()
		switch {
		case err != nil:
			return nil, 0, errJSON
		case name != "keys":
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return nil, 0, errJSON
			}
			continue
		case found:
			return nil, 0, errDuplicate
		}
		found = true
		if keys, skipped, err = readKeys(dec); err != nil {
			return nil, 0, err
		}
	}
	if _, err := dec.Token(); err != nil || !found {
		return nil, 0, errJWKS
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, 0, errJSON
	}
	return keys, skipped, nil
}

// readKeys reads the keys array, element by element.
func readKeys(dec *json.Decoder) (keys []PublicKey, skipped int, err error) {
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		return nil, 0, errJWKS
	}
	for dec.More() {
		var item json.RawMessage
		if err := dec.Decode(&item); err != nil {
			return nil, 0, errJSON
		}
		k, ok := PublicKey{}, false
		if len(keys) < MaxJWKSKeys {
			k, ok = publicKey(item)
		}
		if !ok {
			skipped++
			continue
		}
		keys = append(keys, k)
	}
	if _, err := dec.Token(); err != nil {
		return nil, 0, errJSON
	}
	return keys, skipped, nil
}

// publicKey returns the signature key item describes, if it is usable.
func publicKey(item json.RawMessage) (PublicKey, bool) {
	members, err := Object(item, MaxHeaderMembers)
	if err != nil || foldedNamesCollide(members) {
		return PublicKey{}, false
	}
	for _, private := range []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k"} {
		if _, ok := members[private]; ok {
			return PublicKey{}, false
		}
	}
	var k PublicKey
	var alg, use string
	var ops []string
	if readStrings(members, []string{"kid", "alg", "use"}, []*string{&k.ID, &alg, &use}) != nil ||
		use != "" && use != "sig" ||
		members["key_ops"] != nil && (json.Unmarshal(members["key_ops"], &ops) != nil || !slices.Contains(ops, "verify")) {
		return PublicKey{}, false
	}
	var jwk gojose.JSONWebKey
	if jwk.UnmarshalJSON(item) != nil {
		return PublicKey{}, false
	}
	switch pub := jwk.Key.(type) {
	case *ecdsa.PublicKey:
		k.Alg, k.Key = ES256, pub
		return k, pub.Curve == elliptic.P256() && (alg == "" || alg == ES256)
	case *rsa.PublicKey:
		k.Alg, k.Key = RS256, pub
		bits := pub.N.BitLen()
		return k, bits >= MinRSABits && bits <= maxRSABits && pub.E >= 3 && pub.E&1 == 1 &&
			pub.N.Bit(0) == 1 && (alg == "" || alg == RS256)
	}
	return PublicKey{}, false
}

// foldedNamesCollide reports whether two member names differ only in case:
// go-jose decodes JWKs with encoding/json, which matches names
// case-insensitively, so that "KTY" could stand for "kty".
func foldedNamesCollide(members map[string]json.RawMessage) bool {
	seen := make(map[string]bool, len(members))
	for name := range members {
		lower := strings.ToLower(name)
		if seen[lower] {
			return true
		}
		seen[lower] = true
	}
	return false
}
