package franceconnect

// splitClaims and its scanner check a claims set against the JSON grammar
// (RFC 8259) and cut it into members in a single pass. What they accept,
// encoding/json accepts too: strings may hold invalid UTF-8 (encoding/json
// replaces it when decoding) but no control character, numbers follow the
// grammar exactly, and only JSON whitespace separates tokens. Beyond
// invalid JSON, they refuse only a top level other than an object, nesting
// deeper than maxClaimDepth, a repeated member name and more than
// maxFastMembers members, all of which decodeClaims then handles.

// maxClaimDepth is the deepest nesting of arrays and objects splitClaims
// reads; encoding/json allows 10,000 levels.
const maxClaimDepth = 32

// claimMember is a member of a claims set: its name, unescaped, and where
// its value lies in the payload.
type claimMember struct {
	name       string
	start, end int
}

// value returns the JSON text of the member's value.
func (m claimMember) value(text string) claimValue { return claimValue(text[m.start:m.end]) }

// splitClaims returns payload as a string and its members, appended to
// members. ok is false when payload is not a valid JSON object, or when it
// is one with a repeated member name, nesting deeper than maxClaimDepth or
// more than maxFastMembers members: decodeClaims must then decode it.
func splitClaims(payload []byte, members []claimMember) (text string, _ []claimMember, ok bool) {
	sc := claimScanner{s: string(payload)}
	if sc.space(); !sc.consume('{') {
		return "", members, false
	}
	for sc.space(); !sc.consume('}'); sc.space() {
		if len(members) > 0 && !sc.consume(',') {
			return "", members, false
		}
		sc.space()
		start := sc.i
		if !sc.str() {
			return "", members, false
		}
		name := unquote(sc.s[start:sc.i])
		if len(members) == maxFastMembers || hasMember(members, name) {
			return "", members, false
		}
		if sc.space(); !sc.consume(':') {
			return "", members, false
		}
		sc.space()
		start = sc.i
		if !sc.value() {
			return "", members, false
		}
		members = append(members, claimMember{name, start, sc.i})
	}
	sc.space()
	return sc.s, members, sc.i == len(sc.s)
}

func hasMember(members []claimMember, name string) bool {
	for _, m := range members {
		if m.name == name {
			return true
		}
	}
	return false
}

// claimScanner reads JSON from s, at index i.
type claimScanner struct {
	s     string
	i     int
	depth int
}

func (sc *claimScanner) space() {
	for sc.i < len(sc.s) && (sc.s[sc.i] == ' ' || sc.s[sc.i] == '\t' || sc.s[sc.i] == '\n' || sc.s[sc.i] == '\r') {
		sc.i++
	}
}

// consume reads c if it comes next.
func (sc *claimScanner) consume(c byte) bool {
	if sc.i < len(sc.s) && sc.s[sc.i] == c {
		sc.i++
		return true
	}
	return false
}

// value reads one value of any type.
func (sc *claimScanner) value() bool {
	if sc.i == len(sc.s) {
		return false
	}
	switch sc.s[sc.i] {
	case '"':
		return sc.str()
	case '{', '[':
		return sc.nested()
	case 't':
		return sc.literal("true")
	case 'f':
		return sc.literal("false")
	case 'n':
		return sc.literal("null")
	}
	return sc.number()
}

// nested reads an object or an array.
func (sc *claimScanner) nested() bool {
	open := sc.s[sc.i]
	end := byte(']')
	if open == '{' {
		end = '}'
	}
	if sc.depth++; sc.depth > maxClaimDepth {
		return false
	}
	sc.i++
	sc.space()
	for n := 0; !sc.consume(end); n++ {
		if n > 0 && !sc.consume(',') {
			return false
		}
		sc.space()
		if open == '{' {
			if !sc.str() {
				return false
			}
			if sc.space(); !sc.consume(':') {
				return false
			}
			sc.space()
		}
		if !sc.value() {
			return false
		}
		sc.space()
	}
	sc.depth--
	return true
}

// str reads a string.
func (sc *claimScanner) str() bool {
	if !sc.consume('"') {
		return false
	}
	s, i := sc.s, sc.i
	for {
		for i < len(s) && plainByte[s[i]] {
			i++
		}
		switch {
		case i == len(s) || s[i] < 0x20:
			return false
		case s[i] == '"':
			sc.i = i + 1
			return true
		}
		if i++; i == len(s) { // s[i-1] is a backslash
			return false
		}
		switch s[i] {
		case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		case 'u':
			if i+4 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) || !isHex(s[i+3]) || !isHex(s[i+4]) {
				return false
			}
			i += 4
		default:
			return false
		}
		i++
	}
}

// plainByte tells the bytes that stand for themselves in a JSON string:
// all but the quote, the backslash and control characters.
var plainByte = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

// literal reads true, false or null.
func (sc *claimScanner) literal(lit string) bool {
	if len(sc.s)-sc.i < len(lit) || sc.s[sc.i:sc.i+len(lit)] != lit {
		return false
	}
	sc.i += len(lit)
	return true
}

// number reads -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (sc *claimScanner) number() bool {
	s, i := sc.s, sc.i
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && '1' <= s[i] && s[i] <= '9':
		i = digitsEnd(s, i)
	default:
		return false
	}
	if i < len(s) && s[i] == '.' {
		if i = digitsEnd(s, i+1); s[i-1] == '.' {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		if i++; i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		j := digitsEnd(s, i)
		if j == i {
			return false
		}
		i = j
	}
	sc.i = i
	return true
}

func digitsEnd(s string, i int) int {
	for i < len(s) && '0' <= s[i] && s[i] <= '9' {
		i++
	}
	return i
}
