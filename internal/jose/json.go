package jose

import "fmt"

// The JSON scanner below reads the small documents this package deals with
// (JOSE headers, JWK sets) strictly, per RFC 8259: UTF-8 only, no lone
// surrogates, bounded nesting, object keys compared exactly after
// unescaping, duplicate members detected. It never modifies its input and
// only allocates to unescape strings that contain escape sequences.

const (
	maxDepth   = 32 // deepest nesting of objects and arrays accepted
	maxMembers = 32 // most members of an object whose keys are checked for duplicates
)

var (
	errJSON      = fmt.Errorf("%w: invalid JSON", ErrMalformed)
	errDuplicate = fmt.Errorf("%w: duplicate JSON member", ErrMalformed)
	errMembers   = fmt.Errorf("%w: too many JSON members", ErrMalformed)
	errType      = fmt.Errorf("%w: JSON member of the wrong type", ErrMalformed)
)

// scanner reads one JSON text held in buf.
type scanner struct {
	buf   []byte
	pos   int
	depth int
}

// peek skips whitespace and returns the next byte, or 0 at the end.
func (s *scanner) peek() byte {
	for ; s.pos < len(s.buf); s.pos++ {
		c := s.buf[s.pos]
		if c > ' ' || c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			return c
		}
	}
	return 0
}

// expect consumes c, after optional whitespace.
func (s *scanner) expect(c byte) error {
	if s.peek() != c {
		return errJSON
	}
	s.pos++
	return nil
}

// end checks that only whitespace remains.
func (s *scanner) end() error {
	if s.peek(); s.pos != len(s.buf) {
		return errJSON
	}
	return nil
}

// enter consumes the opening bracket c of an object or array.
func (s *scanner) enter(c byte) error {
	if err := s.expect(c); err != nil {
		return err
	}
	if s.depth++; s.depth > maxDepth {
		return errJSON
	}
	return nil
}

// leave consumes a closing bracket found by peek.
func (s *scanner) leave() {
	s.pos++
	s.depth--
}

// memberSet records the keys of an object to reject duplicates.
type memberSet struct {
	keys [maxMembers]member
	n    int
}

// member is a key recorded in a memberSet.
type member struct {
	key []byte // unescaped
	sum uint32 // length, first and last byte of key, compared first
}

// add records key, unescaped.
func (m *memberSet) add(key []byte) error {
	var sum uint32
	if len(key) > 0 {
		sum = uint32(len(key))<<16 | uint32(key[0])<<8 | uint32(key[len(key)-1])
	}
	for _, k := range m.keys[:m.n] {
		if k.sum == sum && string(k.key) == string(key) {
			return errDuplicate
		}
	}
	if m.n == len(m.keys) {
		return errMembers
	}
	m.keys[m.n] = member{key, sum}
	m.n++
	return nil
}

// object iterates over the members of a JSON object read by s:
//
//	var o object
//	for o.next(s, &seen) { read or skip one value; o.key is its key }
//	if o.err != nil { ... }
//
// The caller must consume exactly one value per member. With a nil seen, keys
// are not checked for duplicates. (Neither s nor seen is kept in the struct:
// that lets the compiler keep both on the stack.)
type object struct {
	key        []byte
	open, done bool
	err        error
}

func (o *object) next(s *scanner, seen *memberSet) bool {
	if o.err != nil || o.done {
		return false
	}
	if !o.open {
		o.open = true
		if o.err = s.enter('{'); o.err != nil {
			return false
		}
		if s.peek() == '}' {
			s.leave()
			o.done = true
			return false
		}
	} else {
		switch s.peek() {
		case '}':
			s.leave()
			o.done = true
			return false
		case ',':
			s.pos++
		default:
			o.err = errJSON
			return false
		}
	}
	if o.key, o.err = s.str(); o.err != nil {
		return false
	}
	if o.err = s.expect(':'); o.err != nil {
		return false
	}
	if seen != nil {
		o.err = seen.add(o.key)
	}
	return o.err == nil
}

// array iterates over the elements of a JSON array, like object.
type array struct {
	open, done bool
	err        error
}

func (a *array) next(s *scanner) bool {
	if a.err != nil || a.done {
		return false
	}
	if !a.open {
		a.open = true
		if a.err = s.enter('['); a.err != nil {
			return false
		}
		if s.peek() == ']' {
			s.leave()
			a.done = true
			return false
		}
		return true
	}
	switch s.peek() {
	case ']':
		s.leave()
		a.done = true
		return false
	case ',':
		s.pos++
		return true
	}
	a.err = errJSON
	return false
}

// skip reads and discards one value of any type.
func (s *scanner) skip() error {
	switch s.peek() {
	case '{':
		var o object
		for o.next(s, nil) {
			if err := s.skip(); err != nil {
				return err
			}
		}
		return o.err
	case '[':
		var a array
		for a.next(s) {
			if err := s.skip(); err != nil {
				return err
			}
		}
		return a.err
	case '"':
		_, _, err := s.scanString()
		return err
	case 't':
		return s.literal("true")
	case 'f':
		return s.literal("false")
	case 'n':
		return s.literal("null")
	}
	return s.number()
}

// strValue reads a value that must be a string and returns it unescaped.
func (s *scanner) strValue() ([]byte, error) {
	if s.peek() != '"' {
		if err := s.skip(); err != nil {
			return nil, err
		}
		return nil, errType
	}
	return s.str()
}

// isTrue reads any value and reports whether it is the literal true.
func (s *scanner) isTrue() (bool, error) {
	if s.peek() == 't' {
		return true, s.literal("true")
	}
	return false, s.skip()
}

// literal consumes the literal lit (true, false or null).
func (s *scanner) literal(lit string) error {
	if len(s.buf)-s.pos < len(lit) || string(s.buf[s.pos:s.pos+len(lit)]) != lit {
		return errJSON
	}
	s.pos += len(lit)
	return nil
}

// number consumes a number.
func (s *scanner) number() error {
	b, i := s.buf, s.pos
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		i = digits(b, i)
	default:
		return errJSON
	}
	if i < len(b) && b[i] == '.' {
		j := digits(b, i+1)
		if j == i+1 {
			return errJSON
		}
		i = j
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		j := digits(b, i)
		if j == i {
			return errJSON
		}
		i = j
	}
	s.pos = i
	return nil
}

// digits returns the index of the first non-digit at or after i.
func digits(b []byte, i int) int {
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	return i
}
