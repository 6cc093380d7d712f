package jose

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"fmt"
	"slices"
	"unicode/utf8"

	gojose "github.com/go-jose/go-jose/v4"
	gojson "github.com/go-jose/go-jose/v4/json"
)

const (
	// MaxJWKSKeys is the largest number of keys ParsePublicJWKS returns.
	MaxJWKSKeys = 100
	// MinRSABits is the smallest RSA modulus accepted, for decryption and
	// signature keys alike.
	MinRSABits = 2048
	maxRSABits = 8192 // largest RSA modulus read from a key set
)

var errJWKS = fmt.Errorf("%w: not a JSON object with a keys array", ErrMalformed)

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
// each key (exact member names, none repeated, points on the curve).
//
// It keeps the keys usable with ES256 (EC P-256) or RS256 (RSA of 2048 to
// 8192 bits with an odd exponent of at least 3), sets their Alg (from kty
// when the JWK has none) and ID, and skips, counting them in skipped: keys
// of another type, curve or size, with an alg that does not fit, a use other
// than "sig", key_ops without "verify", private members, or that go-jose
// cannot decode; and every key after the first MaxJWKSKeys kept ones.
//
// The error wraps ErrMalformed only if data is not valid UTF-8 JSON: an
// object with one "keys" member holding an array.
func ParsePublicJWKS(data []byte) (keys []PublicKey, skipped int, err error) {
	var set struct {
		Keys []gojson.RawMessage `json:"keys"`
	}
	if !utf8.Valid(data) {
		return nil, 0, errUTF8
	}
	if err := gojson.Unmarshal(data, &set); err != nil || set.Keys == nil {
		return nil, 0, errJWKS
	}
	for _, item := range set.Keys {
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
	return keys, skipped, nil
}

// publicKey returns the signature key item describes, if it is usable.
func publicKey(item []byte) (PublicKey, bool) {
	var members map[string]gojson.RawMessage
	var ops []string
	if gojson.Unmarshal(item, &members) != nil ||
		members["key_ops"] != nil && (gojson.Unmarshal(members["key_ops"], &ops) != nil || !slices.Contains(ops, "verify")) {
		return PublicKey{}, false
	}
	for _, private := range []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k"} {
		if members[private] != nil {
			return PublicKey{}, false
		}
	}
	var jwk gojose.JSONWebKey
	if jwk.UnmarshalJSON(item) != nil || jwk.Use != "" && jwk.Use != "sig" {
		return PublicKey{}, false
	}
	k, alg := PublicKey{ID: jwk.KeyID}, jwk.Algorithm
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
