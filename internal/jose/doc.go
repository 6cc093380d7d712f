// Package jose decrypts and verifies the compact JOSE tokens sent by
// FranceConnect+: a JWE (ECDH-ES, RSA-OAEP-256 or RSA-OAEP key management,
// A256GCM content encryption) that wraps a JWS signed with ES256 or RS256
// (FCPLUS-SPEC §5.1, §6, §7).
//
// The package supports exactly these algorithms and nothing else. It is built
// on the standard library's crypto packages only, parses headers with a small
// strict JSON scanner (UTF-8 only, duplicate members rejected, keys matched
// exactly), and decodes each token into a single buffer.
//
// A typical nested token is processed as:
//
//	jwe, err := jose.ParseJWE(token, []string{jose.ECDHES}, []string{jose.A256GCM})
//	plaintext, err := jwe.Decrypt(key)          // key selected by jwe.Header.Kid
//	jws, err := jose.ParseJWS(string(plaintext), []string{jose.ES256})
//	err = jws.Verify(providerKey)                // key selected by jws.Header.Kid
//	claims := jws.Payload()
package jose

import (
	"errors"
	"strings"
)

// Algorithm names, as they appear in the "alg" and "enc" header members.
const (
	ECDHES     = "ECDH-ES"      // JWE key agreement, direct (RFC 7518 §4.6)
	RSAOAEP256 = "RSA-OAEP-256" // JWE key encryption, OAEP with SHA-256 (RFC 7518 §4.3)
	RSAOAEP    = "RSA-OAEP"     // JWE key encryption, OAEP with SHA-1 (RFC 7518 §4.3)
	A256GCM    = "A256GCM"      // JWE content encryption (RFC 7518 §5.3)
	ES256      = "ES256"        // JWS signature, ECDSA P-256 SHA-256 (RFC 7518 §3.4)
	RS256      = "RS256"        // JWS signature, RSASSA-PKCS1-v1_5 SHA-256 (RFC 7518 §3.3)
)

const (
	// MaxTokenSize is the length, in bytes, of the longest compact token
	// ParseJWE and ParseJWS accept.
	MaxTokenSize = 64 << 10

	// MaxJWKSKeys is the largest number of keys ParsePublicJWKS returns.
	MaxJWKSKeys = 100
)

// Error categories. Every error returned by this package wraps exactly one of
// them; test with errors.Is. Messages never contain token or key bytes.
var (
	// ErrMalformed reports a token or key set that is not well formed: wrong
	// number of segments, bad base64url, bad JSON, duplicate JSON members,
	// wrong sizes.
	ErrMalformed = errors.New("franceconnect: malformed token")

	// ErrAlgorithm reports an alg or enc outside the allow-list (including
	// "none" and HS*), or a header feature this package refuses: crit, zip,
	// jku, jwk, x5u, b64.
	ErrAlgorithm = errors.New("franceconnect: algorithm not allowed")

	// ErrDecryption reports any cryptographic failure while decrypting a JWE.
	// It is deliberately vague and never wrapped with details.
	ErrDecryption = errors.New("franceconnect: token decryption failed")

	// ErrSignature reports a JWS signature that does not verify.
	ErrSignature = errors.New("franceconnect: invalid token signature")

	// ErrKeyMismatch reports a key whose type, curve, size or alg cannot be
	// used for the token's alg.
	ErrKeyMismatch = errors.New("franceconnect: key does not fit the token")
)

// Segments returns the number of dot-separated parts of a compact token:
// 3 for a JWS, 5 for a JWE. It returns 1 for a string without dots,
// including the empty string. It does not allocate.
func Segments(token string) int {
	return strings.Count(token, ".") + 1
}
