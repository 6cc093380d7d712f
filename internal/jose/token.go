package jose

import (
	"fmt"
	"strings"

	"github.com/go-franceconnect/franceconnect/internal/jsonscan"
)

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

// decodedSize returns the room needed to decode segs.
func decodedSize(segs []string) (int, error) {
	size := 0
	for _, s := range segs {
		n := b64DecodedLen(len(s))
		if n < 0 {
			return 0, errBase64
		}
		size += n
	}
	return size, nil
}

// decodeSegments decodes segs one after the other into buf, which must hold
// decodedSize(segs) bytes, so that consecutive segments are contiguous; out
// receives the decoded segments.
func decodeSegments(buf []byte, segs []string, out [][]byte) error {
	for i, seg := range segs {
		v, ok := b64Decode(buf, seg)
		if !ok {
			return errBase64
		}
		out[i], buf = v, buf[len(v):]
	}
	return nil
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
func commonMember(s *jsonscan.Scanner, key []byte) error {
	switch string(key) {
	case "crit", "zip", "jku", "jwk", "x5u":
		return errForbidden
	case "b64":
		// Only the default, true, is supported (RFC 7797).
		ok, err := s.IsTrue()
		if err == nil && !ok {
			err = errForbidden
		}
		return err
	}
	return s.Skip()
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
