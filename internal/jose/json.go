package jose

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// MaxDepth is the deepest nesting of objects and arrays Object reads; the
// object itself is at depth 1.
const MaxDepth = 16

var (
	errJSON      = fmt.Errorf("%w: invalid JSON", ErrMalformed)
	errObject    = fmt.Errorf("%w: not a JSON object", ErrMalformed)
	errUTF8      = fmt.Errorf("%w: invalid UTF-8 in JSON", ErrMalformed)
	errDuplicate = fmt.Errorf("%w: repeated JSON member", ErrMalformed)
	errMembers   = fmt.Errorf("%w: too many JSON members", ErrMalformed)
	errDepth     = fmt.Errorf("%w: JSON nested too deep", ErrMalformed)
)

// Object reads data, which must be exactly one JSON object, and returns its
// members by exact name: "ISS" is not "iss", whereas encoding/json matches
// struct fields case-insensitively. It refuses invalid UTF-8, member names
// holding U+FFFD (what encoding/json makes of an escaped lone surrogate), a
// member name repeated in any object of the text (compared after
// unescaping: "al\u0067" repeats "alg"), objects of more than maxMembers
// members, and nesting deeper than MaxDepth. Errors wrap ErrMalformed.
//
// The values are valid JSON texts, to be decoded with encoding/json.
func Object(data []byte, maxMembers int) (map[string]json.RawMessage, error) {
	if !utf8.Valid(data) {
		return nil, errUTF8
	}
	return object(data, maxMembers, 1)
}

// object reads the object data at the given depth.
func object(data []byte, maxMembers, depth int) (map[string]json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, errObject
	}
	members := make(map[string]json.RawMessage)
	for dec.More() {
		tok, err := dec.Token()
		name, ok := tok.(string)
		switch {
		case err != nil || !ok:
			return nil, errJSON
		case strings.ContainsRune(name, utf8.RuneError):
			return nil, errUTF8
		case len(members) == maxMembers:
			return nil, errMembers
		}
		if _, repeated := members[name]; repeated {
			return nil, errDuplicate
		}
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			return nil, errJSON
		}
		if err := nested(value, maxMembers, depth); err != nil {
			return nil, err
		}
		members[name] = value
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return nil, errJSON
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errJSON
	}
	return members, nil
}

// nested checks the objects and arrays inside value, found at depth.
func nested(value json.RawMessage, maxMembers, depth int) error {
	if value[0] != '{' && value[0] != '[' {
		return nil
	}
	if depth == MaxDepth {
		return errDepth
	}
	if value[0] == '{' {
		_, err := object(value, maxMembers, depth+1)
		return err
	}
	var items []json.RawMessage
	if err := json.Unmarshal(value, &items); err != nil {
		return errJSON
	}
	for _, item := range items {
		if err := nested(item, maxMembers, depth+1); err != nil {
			return err
		}
	}
	return nil
}
