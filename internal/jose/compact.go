package jose

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

const (
	// MaxTokenSize is the length, in bytes, of the longest compact token
	// CheckJWE and CheckJWS accept.
	MaxTokenSize = 64 << 10
	// MaxHeaderSize is the size, in bytes, of the largest decoded protected
	// header.
	MaxHeaderSize = 8 << 10
	// MaxHeaderMembers is the largest number of members of a protected header
	// (and of each object inside it).
	MaxHeaderMembers = 32
)

var (
	errSize       = fmt.Errorf("%w: token longer than %d bytes", ErrMalformed, MaxTokenSize)
	errSegments   = fmt.Errorf("%w: wrong number of segments", ErrMalformed)
	errBase64     = fmt.Errorf("%w: a segment is not canonical unpadded base64url", ErrMalformed)
	errHeaderSize = fmt.Errorf("%w: protected header larger than %d bytes", ErrMalformed, MaxHeaderSize)
	errMember     = fmt.Errorf("%w: protected header member outside the allow-list", ErrMalformed)
	errType       = fmt.Errorf("%w: protected header member of the wrong type", ErrMalformed)
	errMissing    = fmt.Errorf("%w: required header member missing", ErrMalformed)
	errAlg        = fmt.Errorf("%w: alg not allowed", ErrAlgorithm)
	errEnc        = fmt.Errorf("%w: enc not allowed", ErrAlgorithm)
)

// refused are the header members that would change how a token must be
// processed: critical extensions, compression, and keys or key locations
// supplied by the token itself.
var refused = []string{"crit", "zip", "jku", "jwk", "x5u"}

// ignored are allowed header members that are never read: certificates and
// their thumbprints play no part in choosing a key.
var ignored = []string{"x5c", "x5t", "x5t#S256", "b64"}

// b64url is the base64url alphabet (RFC 4648 §5).
const b64url = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

var strictB64 = base64.RawURLEncoding.Strict()

// split cuts a compact token into exactly len(segs) segments, each made of
// base64url characters only and canonically encoded.
func split(token string, segs []string) error {
	switch {
	case len(token) > MaxTokenSize:
		return errSize
	case strings.Count(token, ".") != len(segs)-1:
		return errSegments
	}
	for i := range segs {
		segs[i], token, _ = strings.Cut(token, ".")
		if !canonical(segs[i]) {
			return errBase64
		}
	}
	return nil
}

// canonical reports whether s is the one unpadded base64url encoding of
// some bytes: only alphabet characters (no padding, no whitespace, which
// encoding/base64 skips), a possible length, and zero unused bits at the end.
func canonical(s string) bool {
	if strings.Trim(s, b64url) != "" { // a character outside the alphabet
		return false
	}
	tail := s[len(s)-len(s)%4:] // the last, incomplete group of 4 characters
	if len(tail) == 1 {
		return false
	}
	_, err := strictB64.DecodeString(tail) // Strict refuses non-zero unused bits
	return err == nil
}

// protected splits token into segs and returns the members of its protected
// header, after the checks that apply to every header: size, JSON (see
// Object), refused members, b64 only when true.
func protected(token string, segs []string) (map[string]json.RawMessage, error) {
	if err := split(token, segs); err != nil {
		return nil, err
	}
	if base64.RawURLEncoding.DecodedLen(len(segs[0])) > MaxHeaderSize {
		return nil, errHeaderSize
	}
	hdr, err := base64.RawURLEncoding.DecodeString(segs[0])
	if err != nil {
		return nil, errBase64
	}
	members, err := Object(hdr, MaxHeaderMembers)
	if err != nil {
		return nil, err
	}
	for _, name := range refused {
		if _, ok := members[name]; ok {
			return nil, fmt.Errorf("%w: header member %s is refused", ErrAlgorithm, name)
		}
	}
	if b64, ok := members["b64"]; ok && string(b64) != "true" {
		// Only the default, a base64url-encoded payload, is supported (RFC 7797).
		return nil, fmt.Errorf("%w: header member b64 is refused unless true", ErrAlgorithm)
	}
	return members, nil
}

// onlyMembers checks that every member is listed in allowed or ignored.
func onlyMembers(members map[string]json.RawMessage, allowed []string) error {
	for name := range members {
		if !slices.Contains(allowed, name) && !slices.Contains(ignored, name) {
			return errMember
		}
	}
	return nil
}

// readStrings decodes the members named in names, when present, into the
// strings dst points to.
func readStrings(members map[string]json.RawMessage, names []string, dst []*string) error {
	for i, name := range names {
		raw, ok := members[name]
		if !ok {
			continue
		}
		if raw[0] != '"' || json.Unmarshal(raw, dst[i]) != nil {
			return errType
		}
	}
	return nil
}
