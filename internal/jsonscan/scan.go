// Package jsonscan reads JSON texts (RFC 8259) in one pass, without
// reflection, checking the grammar as it goes: only JSON whitespace between
// tokens, numbers exactly as the grammar spells them, strings without
// control characters, nesting at most MaxDepth deep. It never modifies its
// input and only allocates to unescape strings that contain escape
// sequences.
//
// A Scanner made by New also requires strings to be UTF-8 and refuses
// escaped lone UTF-16 surrogates; one made by NewLax accepts both, as
// encoding/json does.
//
// Objects are read member by member with Object, arrays element by element
// with Array; Members detects repeated member names.
package jsonscan

import "errors"

const (
	MaxDepth   = 32 // deepest nesting of objects and arrays a Scanner reads
	MaxMembers = 32 // most member names a Members set records
)

// Errors returned by a Scanner and its iterators.
var (
	ErrSyntax    = errors.New("invalid JSON")
	ErrDuplicate = errors.New("duplicate JSON member")
	ErrMembers   = errors.New("too many JSON members")
	ErrType      = errors.New("JSON member of the wrong type")
)

// Scanner reads one JSON text. Copying a Scanner saves its position, which
// assigning the copy back restores.
type Scanner struct {
	buf   []byte
	pos   int
	depth int
	lax   bool
}

// New returns a Scanner that reads text, which must be UTF-8.
func New(text []byte) Scanner { return Scanner{buf: text} }

// NewLax returns a Scanner that reads text, whose strings may hold invalid
// UTF-8 and escaped lone surrogates.
func NewLax(text []byte) Scanner { return Scanner{buf: text, lax: true} }

// Peek skips whitespace and returns the next byte, or 0 at the end.
func (s *Scanner) Peek() byte {
	for ; s.pos < len(s.buf); s.pos++ {
		c := s.buf[s.pos]
		if c > ' ' || c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			return c
		}
	}
	return 0
}

// Pos returns the index in the text of the next byte to read; after Peek,
// that of the next token.
func (s *Scanner) Pos() int { return s.pos }

// Consume skips whitespace and consumes c if it comes next.
func (s *Scanner) Consume(c byte) bool {
	if s.Peek() != c {
		return false
	}
	s.pos++
	return true
}

// End checks that only whitespace remains.
func (s *Scanner) End() error {
	if s.Peek(); s.pos != len(s.buf) {
		return ErrSyntax
	}
	return nil
}

// enter consumes the opening bracket c of an object or array.
func (s *Scanner) enter(c byte) error {
	if !s.Consume(c) {
		return ErrSyntax
	}
	if s.depth++; s.depth > MaxDepth {
		return ErrSyntax
	}
	return nil
}

// Skip reads and discards one value of any type.
func (s *Scanner) Skip() error {
	switch s.Peek() {
	case '{':
		var q seq
		for q.next(s, '{', '}') {
			if s.Peek() != '"' {
				return ErrSyntax
			}
			if _, _, err := s.scanString(); err != nil {
				return err
			}
			if !s.Consume(':') {
				return ErrSyntax
			}
			if err := s.Skip(); err != nil {
				return err
			}
		}
		return q.err
	case '[':
		var q seq
		for q.next(s, '[', ']') {
			if err := s.Skip(); err != nil {
				return err
			}
		}
		return q.err
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

// StringValue reads a value that must be a string and returns it unescaped;
// it aliases the text unless the string holds escape sequences. Any other
// valid value is consumed and reported as ErrType.
func (s *Scanner) StringValue() ([]byte, error) {
	if s.Peek() != '"' {
		if err := s.Skip(); err != nil {
			return nil, err
		}
		return nil, ErrType
	}
	return s.str()
}

// IsTrue reads any value and reports whether it is the literal true.
func (s *Scanner) IsTrue() (bool, error) {
	if s.Peek() == 't' {
		return true, s.literal("true")
	}
	return false, s.Skip()
}

// seq walks the elements of an object or an array, leaving each to the caller.
type seq struct {
	err           error
	started, done bool
}

// Err returns the error that ended the iteration, if any.
func (q *seq) Err() error { return q.err }

// next consumes the opening bracket open, a comma or the closing bracket
// close, and reports whether an element follows.
func (q *seq) next(s *Scanner, open, close byte) bool {
	if q.err != nil || q.done {
		return false
	}
	if !q.started {
		q.started = true
		if q.err = s.enter(open); q.err != nil {
			return false
		}
		if s.Peek() != close {
			return true
		}
	} else {
		switch s.Peek() {
		case ',':
			s.pos++
			return true
		case close:
		default:
			q.err = ErrSyntax
			return false
		}
	}
	s.pos++
	s.depth--
	q.done = true
	return false
}

// Object iterates over the members of an object:
//
//	var o jsonscan.Object
//	for o.Next(&s, &seen) { read or skip one value; o.Key is its name }
//	if err := o.Err(); err != nil { ... }
//
// The caller must consume exactly one value per member. (Neither the
// Scanner nor the Members set is kept in the struct: that lets the compiler
// keep both on the stack.)
type Object struct {
	Key []byte // name of the current member, unescaped
	seq
}

// Next reads the name of the next member and the colon after it, and
// reports whether there is one. With a nil seen, names are not checked for
// duplicates.
func (o *Object) Next(s *Scanner, seen *Members) bool {
	if !o.next(s, '{', '}') {
		return false
	}
	if o.Key, o.err = s.str(); o.err == nil && !s.Consume(':') {
		o.err = ErrSyntax
	}
	if o.err == nil && seen != nil {
		o.err = seen.add(o.Key)
	}
	return o.err == nil
}

// Array iterates over the elements of an array, like Object.
type Array struct{ seq }

// Next reports whether an element follows.
func (a *Array) Next(s *Scanner) bool { return a.next(s, '[', ']') }

// Members records the names of an object's members to refuse duplicates.
type Members struct {
	names [MaxMembers]name
	n     int
}

// name is a member name recorded in Members.
type name struct {
	key []byte // unescaped
	sum uint32 // length, first and last byte of key, compared first
}

// add records key, unescaped.
func (m *Members) add(key []byte) error {
	var sum uint32
	if len(key) > 0 {
		sum = uint32(len(key))<<16 | uint32(key[0])<<8 | uint32(key[len(key)-1])
	}
	for _, k := range m.names[:m.n] {
		if k.sum == sum && string(k.key) == string(key) {
			return ErrDuplicate
		}
	}
	if m.n == len(m.names) {
		return ErrMembers
	}
	m.names[m.n] = name{key, sum}
	m.n++
	return nil
}

// literal consumes the literal lit (true, false or null).
func (s *Scanner) literal(lit string) error {
	if len(s.buf)-s.pos < len(lit) || string(s.buf[s.pos:s.pos+len(lit)]) != lit {
		return ErrSyntax
	}
	s.pos += len(lit)
	return nil
}

// number consumes -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (s *Scanner) number() error {
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
		return ErrSyntax
	}
	if i < len(b) && b[i] == '.' {
		j := digits(b, i+1)
		if j == i+1 {
			return ErrSyntax
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
			return ErrSyntax
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
