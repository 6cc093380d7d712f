package jose

import (
	"unicode/utf16"
	"unicode/utf8"
)

// String handling for the JSON scanner: validation (RFC 8259 §7, UTF-8
// only, no lone surrogates) and unescaping.

// str reads a string and returns its contents, unescaped. The result aliases
// s.buf unless the string contains escape sequences.
func (s *scanner) str() ([]byte, error) {
	if s.peek() != '"' {
		return nil, errJSON
	}
	start := s.pos + 1
	end, escaped, err := s.scanString()
	switch {
	case err != nil:
		return nil, err
	case escaped:
		return unescape(s.buf[start:end]), nil
	}
	return s.buf[start:end], nil
}

// scanString validates the string at s.pos and returns the index of its
// closing quote and whether it contains escape sequences.
func (s *scanner) scanString() (end int, escaped bool, err error) {
	b := s.buf
	if s.peek() != '"' {
		return s.pos, false, errJSON
	}
	for i := s.pos + 1; i < len(b); {
		if plain[b[i]] {
			i++
			continue
		}
		switch c := b[i]; {
		case c == '"':
			s.pos = i + 1
			return i, escaped, nil
		case c == '\\':
			_, n := escape(b[i:])
			if n == 0 {
				return s.pos, false, errJSON
			}
			escaped = true
			i += n
		case c < utf8.RuneSelf: // a control character
			return s.pos, false, errJSON
		default:
			r, n := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError && n == 1 {
				return s.pos, false, errJSON
			}
			i += n
		}
	}
	return s.pos, false, errJSON
}

// plain marks the bytes that stand for themselves in a JSON string: printable
// ASCII other than the quote and the backslash.
var plain = func() (t [256]bool) {
	for c := ' '; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// escape decodes the escape sequence at the start of b, returning the rune
// and the length of the sequence, or n == 0 if it is invalid (including lone
// UTF-16 surrogates).
func escape(b []byte) (r rune, n int) {
	if len(b) < 2 {
		return 0, 0
	}
	switch b[1] {
	case '"', '\\', '/':
		return rune(b[1]), 2
	case 'b':
		return '\b', 2
	case 'f':
		return '\f', 2
	case 'n':
		return '\n', 2
	case 'r':
		return '\r', 2
	case 't':
		return '\t', 2
	case 'u':
		r1 := hex4(b[2:])
		switch {
		case r1 < 0 || r1 >= 0xDC00 && r1 <= 0xDFFF:
			return 0, 0
		case r1 < 0xD800 || r1 > 0xDBFF:
			return r1, 6
		}
		if len(b) < 12 || b[6] != '\\' || b[7] != 'u' {
			return 0, 0
		}
		if r2 := hex4(b[8:]); r2 >= 0xDC00 && r2 <= 0xDFFF {
			return utf16.DecodeRune(r1, r2), 12
		}
	}
	return 0, 0
}

// hex4 decodes four hexadecimal digits, or returns -1.
func hex4(b []byte) rune {
	if len(b) < 4 {
		return -1
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return -1
		}
		r = r<<4 | rune(c)
	}
	return r
}

// unescape returns a copy of a validated string body with escapes decoded.
func unescape(raw []byte) []byte {
	out := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); {
		if raw[i] != '\\' {
			out = append(out, raw[i])
			i++
			continue
		}
		r, n := escape(raw[i:])
		out = utf8.AppendRune(out, r)
		i += n
	}
	return out
}
