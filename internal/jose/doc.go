// Package jose is the policy FranceConnect's compact tokens must pass before
// and after go-jose handles them (FCPLUS-SPEC §5.1, §6, §7, §8.4).
//
// go-jose (github.com/go-jose/go-jose/v4) does the cryptography and the JOSE
// framing: base64url decoding, header parsing, ECDH-ES key agreement and the
// Concat KDF, RSA-OAEP unwrapping, AES-GCM, ECDSA and RSA signatures, JWK
// decoding. This package adds what go-jose does not check, as guard clauses
// on the standard library:
//
//   - framing: compact serialisation only, exactly 5 (JWE) or 3 (JWS)
//     segments of base64url characters without padding or whitespace, each
//     in its canonical encoding; a size limit on the token and on the
//     protected header (CheckJWE, CheckJWS);
//   - protected headers: members from an allow-list, no member name
//     repeated (compared after unescaping), at most 32 members, bounded
//     nesting, valid UTF-8; crit, zip, jku, jwk and x5u refused, b64 only
//     when true; the algorithms of the allow-lists only;
//   - JWE shape: an empty encrypted-key segment for ECDH-ES and a non-empty
//     one otherwise, epk exactly for ECDH-ES, canonical apu and apv, a 96-bit
//     IV and a 128-bit tag;
//   - JSON objects (headers, claims, key sets) read without repeated member
//     names and with exact names (Object), which encoding/json alone allows;
//   - provider key sets: only signature keys usable with ES256 or RS256,
//     with a known algorithm and sizes in range (ParsePublicJWKS).
//
// Keys are chosen by the caller, by kid and alg, never from x5c, x5t or
// x5t#S256.
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
