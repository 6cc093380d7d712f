// Package jose is the policy FranceConnect's compact tokens must pass
// around go-jose (github.com/go-jose/go-jose/v4), which does the
// cryptography and the JOSE framing: base64url, headers, ECDH-ES and the
// Concat KDF, RSA-OAEP, AES-GCM, ECDSA and RSA signatures, JWK decoding.
//
// What go-jose does not check is here, as guard clauses on the standard
// library: compact serialisation only, canonical base64url, size limits
// (CheckJWE, CheckJWS); protected headers from an allow-list, without
// repeated members and without the members that change processing (crit,
// zip, jku, jwk, x5u, b64 other than true); the JWE's shape for its alg;
// JSON objects read by exact member names without repeated ones (Object),
// which encoding/json alone allows; provider key sets reduced to signature
// keys usable with ES256 or RS256 (ParsePublicJWKS). Keys are chosen by the
// caller, by kid and alg, never from x5c, x5t or x5t#S256.
package jose

import "errors"

// Algorithm names, as they appear in the "alg" and "enc" header members.
const (
	ECDHES     = "ECDH-ES"      // JWE key agreement, direct (RFC 7518 §4.6)
	RSAOAEP256 = "RSA-OAEP-256" // JWE key encryption, OAEP with SHA-256 (RFC 7518 §4.3)
	RSAOAEP    = "RSA-OAEP"     // JWE key encryption, OAEP with SHA-1 (RFC 7518 §4.3)
	A256GCM    = "A256GCM"      // JWE content encryption (RFC 7518 §5.3)
	ES256      = "ES256"        // JWS signature, ECDSA P-256 SHA-256 (RFC 7518 §3.4)
	RS256      = "RS256"        // JWS signature, RSASSA-PKCS1-v1_5 SHA-256 (RFC 7518 §3.3)
	HS256      = "HS256"        // JWS MAC, HMAC SHA-256 keyed by the client secret (RFC 7518 §3.2)
)

// Error categories. Every error returned by this package wraps exactly one of
// them; test with errors.Is. Messages never contain token or key bytes.
var (
	// ErrMalformed reports a token or key set that is not well formed: wrong
	// number of segments, bad base64url, bad JSON, repeated JSON members,
	// header members outside the allow-list, wrong sizes.
	ErrMalformed = errors.New("franceconnect: malformed token")

	// ErrAlgorithm reports an alg or enc outside the allow-list (including
	// "none" and HS*), or a header feature the policy refuses: crit, zip,
	// jku, jwk, x5u, b64 other than true.
	ErrAlgorithm = errors.New("franceconnect: algorithm not allowed")

	// ErrDecryption reports any cryptographic failure while decrypting a JWE.
	// It is deliberately vague and never wrapped with details.
	ErrDecryption = errors.New("franceconnect: token decryption failed")

	// ErrSignature reports a JWS signature that does not verify.
	ErrSignature = errors.New("franceconnect: invalid token signature")

	// ErrKeyMismatch reports a key whose type or algorithm does not fit the
	// token's algorithm.
	ErrKeyMismatch = errors.New("franceconnect: key does not fit the token")
)
