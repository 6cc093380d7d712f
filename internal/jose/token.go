package jose

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/go-jose/go-jose/v4/jwt"
)

// The algorithms the policy knows; an allow-list given by the caller can
// only narrow them.
var (
	keyAlgs = []string{ECDHES, RSAOAEP256, RSAOAEP}
	sigAlgs = []string{ES256, RS256, HS256}
)

// Encoded lengths of the A256GCM initialization vector (96 bits) and
// authentication tag (128 bits).
const (
	ivChars  = 16
	tagChars = 22
)

var (
	errEncryptedKey = fmt.Errorf("%w: encrypted key segment does not fit alg", ErrMalformed)
	errEPK          = fmt.Errorf("%w: epk does not fit alg", ErrMalformed)
	errIV           = fmt.Errorf("%w: initialization vector is not 96 bits", ErrMalformed)
	errTag          = fmt.Errorf("%w: authentication tag is not 128 bits", ErrMalformed)
	errNoSignature  = fmt.Errorf("%w: empty signature segment", ErrMalformed)
)

// Header is the protected header of a token that passed CheckJWE or
// CheckJWS. FranceConnect+ sets alg, enc, cty, kid, iss, aud and, for
// ECDH-ES, epk on its JWE, and alg and kid on its JWS (FCPLUS-SPEC §5.1).
type Header struct {
	Alg string // ECDHES, RSAOAEP256 or RSAOAEP (JWE); ES256 or RS256 (JWS)
	Enc string // A256GCM (JWE only)
	Kid string // id of the key: ours for a JWE, the provider's for a JWS
	Cty string // content type, "JWT" for a nested token (JWE only)
	Iss string // issuer; empty if absent (JWE only)
	// Aud is the audience: nil if absent, one element if it was a string
	// (JWE only).
	Aud []string

	unlisted error // a member outside the allow-list, see Unlisted
}

// Unlisted reports a protected header member outside the allow-list, the
// one rule to apply only once go-jose has decrypted the token or verified
// its signature: members outside the list play no part in either, so that a
// header altered in transit is reported as tampering (decryption or
// signature fails), and an authentic header with a member this package does
// not support as ErrMalformed.
func (h Header) Unlisted() error { return h.unlisted }

// CheckJWE applies the policy to a compact JWE before go-jose parses it:
// the framing and header rules of the package documentation; alg one of
// ECDHES, RSAOAEP256 and RSAOAEP listed in allowedAlgs and enc A256GCM
// (else ErrAlgorithm); header members alg, enc, kid, cty, typ, iss, aud,
// epk, apu, apv (and the ignored x5c, x5t, x5t#S256, b64) of the right JSON
// types, other members being reported by Unlisted; an encrypted key
// segment empty exactly for ECDH-ES, epk present exactly for ECDH-ES, apu
// and apv canonical base64url, a 96-bit IV and a 128-bit tag. Other
// failures wrap ErrMalformed. go-jose checks the epk itself when decrypting.
func CheckJWE(token string, allowedAlgs []string) (Header, error) {
	var h Header
	var segs [5]string
	members, err := protected(token, segs[:])
	if err != nil {
		return h, err
	}
	h.unlisted = onlyMembers(members, []string{"alg", "enc", "kid", "cty", "typ", "iss", "aud", "epk", "apu", "apv"})
	var typ, apu, apv string
	err = readStrings(members, []string{"alg", "enc", "kid", "cty", "typ", "iss", "apu", "apv"},
		[]*string{&h.Alg, &h.Enc, &h.Kid, &h.Cty, &typ, &h.Iss, &apu, &apv})
	if err != nil {
		return h, err
	}
	if raw := members["aud"]; raw != nil && json.Unmarshal(raw, (*jwt.Audience)(&h.Aud)) != nil {
		return h, errType // neither a string nor an array of strings
	}
	epk, hasEPK := members["epk"]
	ecdh := h.Alg == ECDHES
	switch {
	case h.Alg == "" || h.Enc == "":
		return h, errMissing
	case !slices.Contains(keyAlgs, h.Alg) || !slices.Contains(allowedAlgs, h.Alg):
		return h, errAlg
	case h.Enc != A256GCM:
		return h, errEnc
	case ecdh != (segs[1] == ""):
		return h, errEncryptedKey
	case ecdh != hasEPK || hasEPK && epk[0] != '{':
		return h, errEPK
	case !canonical(apu) || !canonical(apv):
		return h, errBase64
	case len(segs[2]) != ivChars:
		return h, errIV
	case len(segs[4]) != tagChars:
		return h, errTag
	}
	return h, nil
}

// CheckJWS applies the policy to a compact JWS before go-jose parses it:
// the framing and header rules of the package documentation; alg ES256,
// RS256 or HS256 and listed in allowedAlgs ("none" and every other value
// wrap ErrAlgorithm, as HS256 does when not listed); header members alg, kid, typ, cty (and the ignored x5c,
// x5t, x5t#S256, b64) as strings, other members being reported by Unlisted;
// a non-empty signature, checked after alg so that an unsecured JWT is
// reported as such. Other failures wrap ErrMalformed.
func CheckJWS(token string, allowedAlgs []string) (Header, error) {
	var h Header
	var segs [3]string
	members, err := protected(token, segs[:])
	if err != nil {
		return h, err
	}
	h.unlisted = onlyMembers(members, []string{"alg", "kid", "typ", "cty"})
	var typ, cty string
	if err := readStrings(members, []string{"alg", "kid", "typ", "cty"}, []*string{&h.Alg, &h.Kid, &typ, &cty}); err != nil {
		return h, err
	}
	switch {
	case h.Alg == "":
		return h, errMissing
	case !slices.Contains(sigAlgs, h.Alg) || !slices.Contains(allowedAlgs, h.Alg):
		return h, errAlg
	case segs[2] == "":
		return h, errNoSignature
	}
	return h, nil
}

// Segments returns the number of dot-separated parts of a compact token:
// 3 for a JWS, 5 for a JWE, 1 for a string without dots.
func Segments(token string) int { return strings.Count(token, ".") + 1 }
