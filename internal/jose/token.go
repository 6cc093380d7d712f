package jose

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"strings"
)

// b64 decodes base64url without padding and rejects non-canonical encodings
// (non-zero trailing bits). It silently ignores CR and LF, so callers reject
// those first.
var b64 = base64.RawURLEncoding.Strict()

var (
	errSize      = fmt.Errorf("%w: token longer than %d bytes", ErrMalformed, MaxTokenSize)
	errSegments  = fmt.Errorf("%w: wrong number of segments", ErrMalformed)
	errBase64    = fmt.Errorf("%w: invalid base64url", ErrMalformed)
	errMissing   = fmt.Errorf("%w: required header member missing", ErrMalformed)
	errForbidden = fmt.Errorf("%w: header member not supported", ErrAlgorithm)
	errAlg       = fmt.Errorf("%w: alg not allowed", ErrAlgorithm)
	errEnc       = fmt.Errorf("%w: enc not allowed", ErrAlgorithm)
)

// split cuts a compact token into exactly len(segs) dot-separated segments.
func split(token string, segs []string) error {
	if len(token) > MaxTokenSize {
		return errSize
	}
	if strings.IndexByte(token, '\n') >= 0 || strings.IndexByte(token, '\r') >= 0 {
		return errBase64
	}
	last := len(segs) - 1
	for i := range last {
		j := strings.IndexByte(token, '.')
		if j < 0 {
			return errSegments
		}
		segs[i], token = token[:j], token[j+1:]
	}
	if strings.IndexByte(token, '.') >= 0 {
		return errSegments
	}
	segs[last] = token
	return nil
}

// decodedLen returns the room needed to decode segs.
func decodedLen(segs []string) int {
	n := 0
	for _, s := range segs {
		n += b64.DecodedLen(len(s))
	}
	return n
}

// decodeSegments copies token, whose segments are segs, to the start of buf
// and decodes the segments one after the other into buf after the copy, so
// that consecutive segments are contiguous. It returns the copy; out receives
// the decoded segments. buf must hold len(token)+decodedLen(segs) bytes.
func decodeSegments(buf []byte, token string, segs []string, out [][]byte) ([]byte, error) {
	raw := buf[:copy(buf, token)]
	src, dst := 0, len(raw)
	for i, seg := range segs {
		n, err := b64.Decode(buf[dst:], raw[src:src+len(seg)])
		if err != nil {
			return nil, errBase64
		}
		out[i] = buf[dst : dst+n]
		src += len(seg) + 1
		dst += n
	}
	return raw, nil
}

// decodeValue decodes a base64url value read from JSON into dst, which must
// hold b64.DecodedLen(len(src)) bytes.
func decodeValue(dst, src []byte) ([]byte, bool) {
	if bytes.IndexByte(src, '\n') >= 0 || bytes.IndexByte(src, '\r') >= 0 {
		return nil, false
	}
	n, err := b64.Decode(dst, src)
	return dst[:n], err == nil
}

// allowed reports whether v is one of list.
func allowed(v []byte, list []string) bool {
	for _, a := range list {
		if string(v) == a {
			return true
		}
	}
	return false
}

// commonMember handles a header member that is neither read nor ignored by
// the caller: it refuses the members that would change how the token must be
// processed and skips the others.
func commonMember(s *scanner, key []byte) error {
	switch string(key) {
	case "crit", "zip", "jku", "jwk", "x5u":
		return errForbidden
	case "b64":
		// Only the default, true, is supported (RFC 7797).
		ok, err := s.isTrue()
		if err == nil && !ok {
			err = errForbidden
		}
		return err
	}
	return s.skip()
}

// setStrings sets each *dst[i] to string(src[i]) with a single allocation.
func setStrings(dst []*string, src [][]byte) {
	n := 0
	for _, b := range src {
		n += len(b)
	}
	var sb strings.Builder
	sb.Grow(n)
	for _, b := range src {
		sb.Write(b)
	}
	all := sb.String()
	for i, b := range src {
		*dst[i], all = all[:len(b)], all[len(b):]
	}
}
