package jsonscan

import (
	"unicode/utf16"
	"unicode/utf8"
)

// String handling: validation (RFC 8259 §7) and unescaping.

// str reads a string and returns its contents, unescaped. The result aliases
// s.buf unless the string contains escape sequences.
func (s *Scanner) str() ([]byte, error) {
	if s.Peek() != '"' {
		return nil, ErrSyntax
	}
	raw, escaped, err := s.scanString()
	if escaped {
		return unescape(raw), nil
	}
	return raw, err
}

// scanString reads the string that starts at s.pos, found by Peek, and
// returns its body as it stands in the text, and whether it contains escape
// sequences.
func (s *Scanner) scanString() (raw []byte, escaped bool, err error) {
	b, plain := s.buf, &plainUTF8
	if s.lax {
		plain = &plainAny
	}
	start := s.pos + 1
	for i := start; ; {
		for i < len(b) && plain[b[i]] {
			i++
		}
		switch {
		case i == len(b):
			return nil, false, ErrSyntax
		case b[i] == '"':
			s.pos = i + 1
			return b[start:i], escaped, nil
		case b[i] == '\\':
			r, n := escape(b[i:])
			if n == 0 || !s.lax && utf16.IsSurrogate(r) {
				return nil, false, ErrSyntax
			}
			escaped = true
			i += n
		case b[i] < utf8.RuneSelf: // a control character
			return nil, false, ErrSyntax
		default: // only when !s.lax
			r, n := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError && n == 1 {
				return nil, false, ErrSyntax
			}
			i += n
		}
	}
}

// plainUTF8 and plainAny mark the bytes that stand for themselves in a JSON
// string: printable ASCII other than the quote and the backslash, and for
// plainAny all bytes from 0x80 too.
var plainUTF8, plainAny = func() (ascii, all [256]bool) {
	for c := ' '; c < 256; c++ {
		all[c] = c != '"' && c != '\\'
		ascii[c] = all[c] && c < utf8.RuneSelf
	}
	return ascii, all
}()

// escape decodes the escape sequence at the start of b, returning the rune
// and the length of the sequence, or n == 0 if it is invalid. An escaped
// UTF-16 surrogate that is not half of a valid pair is returned as is,
// with n == 6.
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
		r := hex4(b[2:])
		if r < 0 {
			return 0, 0
		}
		if r >= 0xD800 && r <= 0xDBFF && len(b) >= 12 && b[6] == '\\' && b[7] == 'u' {
			if r2 := hex4(b[8:]); r2 >= 0xDC00 && r2 <= 0xDFFF {
				return utf16.DecodeRune(r, r2), 12
			}
		}
		return r, 6
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

// unescape returns a copy of a validated string body with escapes decoded;
// a lone surrogate becomes U+FFFD.
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
