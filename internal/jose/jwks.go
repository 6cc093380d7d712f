package jose

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"fmt"
	"math/big"
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
	// MaxRSABits is the largest RSA modulus of a provider key: go-jose's
	// default limit (gojose.MaxRSAModulusBits), enforced here before
	// go-jose reads the key, so that a program raising go-jose's global
	// limit for another use does not raise it for FranceConnect's keys.
	// FranceConnect and ProConnect sign RS256 with 2,048-bit keys.
	MaxRSABits = 4096
)

var errJWKS = fmt.Errorf("%w: not a JSON object with a keys array", ErrMalformed)

// PublicKey is a provider signature key.
type PublicKey struct {
	// ID is the key id ("kid") published in the provider's JWKS.
	ID string
	// Alg is ES256 or RS256: the only algorithm the key verifies.
	Alg string
	// Key is an *ecdsa.PublicKey on P-256 (ES256) or an *rsa.PublicKey of
	// MinRSABits to MaxRSABits bits (RS256), as go-jose's Verify takes it.
	Key crypto.PublicKey
}

// Skipped is a key of a provider's set that ParsePublicJWKS did not keep.
type Skipped struct {
	ID     string // the key's kid; "" when it has none or it cannot be read
	Reason string // why the key is not used, in English, without key bytes
}

// ParsePublicJWKS reads a JWK Set (RFC 7517 §5) of provider signature keys,
// such as FranceConnect's /api/v2/jwks (FCPLUS-SPEC §8.4). go-jose decodes
// each key (exact member names, none repeated, points on the curve).
//
// It keeps the keys usable with ES256 (EC P-256) or RS256 (RSA of
// MinRSABits to MaxRSABits bits with an odd exponent of at least 3), sets
// their Alg (from kty when the JWK has none) and ID, and skips, saying why
// in skipped: keys of another type, curve or size, with an alg that does
// not fit, a use other than "sig", key_ops without "verify", private
// members, or that go-jose cannot decode; and every key after the first
// MaxJWKSKeys kept ones. The other keys of the set stay usable.
//
// The error wraps ErrMalformed only if data is not valid UTF-8 JSON: an
// object with one "keys" member holding an array.
func ParsePublicJWKS(data []byte) (keys []PublicKey, skipped []Skipped, err error) {
	var set struct {
		Keys []gojson.RawMessage `json:"keys"`
	}
	if !utf8.Valid(data) {
		return nil, nil, errUTF8
	}
	if err := gojson.Unmarshal(data, &set); err != nil || set.Keys == nil {
		return nil, nil, errJWKS
	}
	for _, item := range set.Keys {
		k, reason := PublicKey{}, fmt.Sprintf("more than %d keys", MaxJWKSKeys)
		if len(keys) < MaxJWKSKeys {
			k, reason = publicKey(item)
		}
		if reason != "" {
			skipped = append(skipped, Skipped{ID: kid(item), Reason: reason})
			continue
		}
		keys = append(keys, k)
	}
	return keys, skipped, nil
}

// kid returns the kid of a JWK, or "".
func kid(item []byte) string {
	var k struct {
		ID string `json:"kid"`
	}
	_ = gojson.Unmarshal(item, &k)
	return k.ID
}

// publicKey returns the signature key item describes, or why it is not
// usable.
func publicKey(item []byte) (PublicKey, string) {
	var members map[string]gojson.RawMessage
	var ops []string
	switch {
	case gojson.Unmarshal(item, &members) != nil:
		return PublicKey{}, "not a JSON object"
	case members["key_ops"] != nil && (gojson.Unmarshal(members["key_ops"], &ops) != nil || !slices.Contains(ops, "verify")):
		return PublicKey{}, `key_ops without "verify"`
	}
	for _, private := range []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k"} {
		if members[private] != nil {
			return PublicKey{}, "holds private or secret key material"
		}
	}
	if bits := rsaBits(members); bits > MaxRSABits {
		return PublicKey{}, fmt.Sprintf("RSA key of %d bits, more than %d", bits, MaxRSABits)
	}
	var jwk gojose.JSONWebKey
	if err := jwk.UnmarshalJSON(item); err != nil {
		return PublicKey{}, "not a key go-jose reads"
	}
	if jwk.Use != "" && jwk.Use != "sig" {
		return PublicKey{}, fmt.Sprintf("use %q, not sig", jwk.Use)
	}
	k, alg := PublicKey{ID: jwk.KeyID}, jwk.Algorithm
	switch pub := jwk.Key.(type) {
	case *ecdsa.PublicKey:
		k.Alg, k.Key = ES256, pub
		return k, unusable(pub.Curve == elliptic.P256(), "EC key not on P-256", alg, ES256)
	case *rsa.PublicKey:
		k.Alg, k.Key = RS256, pub
		bits := pub.N.BitLen()
		return k, unusable(bits >= MinRSABits && pub.E >= 3 && pub.E&1 == 1 && pub.N.Bit(0) == 1,
			fmt.Sprintf("RSA key of %d bits with exponent %d (at least %d bits, an odd exponent of at least 3)", bits, pub.E, MinRSABits), alg, RS256)
	}
	return PublicKey{}, fmt.Sprintf("key type %T, not EC or RSA", jwk.Key)
}

// unusable returns "" for a key that fits and whose alg, when set, is
// want; else why not.
func unusable(fits bool, why, alg, want string) string {
	switch {
	case !fits:
		return why
	case alg != "" && alg != want:
		return fmt.Sprintf("alg %q for a key that signs %s", alg, want)
	}
	return ""
}

// rsaBits returns the size of the modulus of an RSA JWK's members, 0 for
// another key or an unreadable n (go-jose then refuses it).
func rsaBits(members map[string]gojson.RawMessage) int {
	var kty, n string
	if gojson.Unmarshal(members["kty"], &kty) != nil || kty != "RSA" || gojson.Unmarshal(members["n"], &n) != nil {
		return 0
	}
	b, err := base64.RawURLEncoding.DecodeString(n)
	if err != nil {
		return 0
	}
	return new(big.Int).SetBytes(b).BitLen()
}
