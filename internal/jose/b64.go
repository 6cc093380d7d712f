package jose

// A base64url decoder (RFC 4648 §5, unpadded as RFC 7515 §2 requires) that
// reads strings as well as byte slices, so that token segments are decoded
// without being copied first, and that accepts only canonical encodings:
// no padding, no whitespace, unused trailing bits zero. On token-sized
// inputs it is about 1.4 times as fast as encoding/base64 (BenchmarkBase64).

const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

// b64Values maps each base64url character to its 6-bit value and every
// other byte to 0xff.
var b64Values = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	for i := range len(alphabet) {
		t[alphabet[i]] = byte(i)
	}
	return t
}()

// b64DecodedLen returns the number of bytes encoded by n characters, or -1
// if no encoding has n characters.
func b64DecodedLen(n int) int {
	if n%4 == 1 {
		return -1
	}
	return n/4*3 + max(n%4-1, 0)
}

// b64Decode decodes src into dst, which must hold b64DecodedLen(len(src))
// bytes, and returns the decoded bytes. It fails if src is not canonical.
func b64Decode[T string | []byte](dst []byte, src T) ([]byte, bool) {
	n := b64DecodedLen(len(src))
	if n < 0 || len(dst) < n {
		return nil, false
	}
	dst = dst[:n]
	i, j := 0, 0
	for ; len(src)-i >= 8; i, j = i+8, j+6 {
		s := src[i : i+8]
		a, b, c, d := b64Values[s[0]], b64Values[s[1]], b64Values[s[2]], b64Values[s[3]]
		e, f, g, h := b64Values[s[4]], b64Values[s[5]], b64Values[s[6]], b64Values[s[7]]
		if a|b|c|d|e|f|g|h == 0xff { // values are below 64, so only 0xff sets all bits
			return nil, false
		}
		v := uint64(a)<<42 | uint64(b)<<36 | uint64(c)<<30 | uint64(d)<<24 |
			uint64(e)<<18 | uint64(f)<<12 | uint64(g)<<6 | uint64(h)
		o := dst[j : j+6]
		o[0], o[1], o[2], o[3], o[4], o[5] = byte(v>>40), byte(v>>32), byte(v>>24), byte(v>>16), byte(v>>8), byte(v)
	}
	// Up to 7 characters remain: groups of 4, then 2 or 3.
	var v uint32
	k := 0
	for ; i < len(src); i, k = i+1, k+1 {
		c := b64Values[src[i]]
		if c == 0xff {
			return nil, false
		}
		v = v<<6 | uint32(c)
		if k == 3 {
			dst[j], dst[j+1], dst[j+2] = byte(v>>16), byte(v>>8), byte(v)
			j, k, v = j+3, -1, 0
		}
	}
	switch k {
	case 2: // 12 bits: one byte and 4 unused bits
		if v&0xf != 0 {
			return nil, false
		}
		dst[j] = byte(v >> 4)
	case 3: // 18 bits: two bytes and 2 unused bits
		if v&0x3 != 0 {
			return nil, false
		}
		dst[j], dst[j+1] = byte(v>>10), byte(v>>2)
	}
	return dst, true
}
