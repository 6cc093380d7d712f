package jose

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	gojson "github.com/go-jose/go-jose/v4/json"
)

// MaxDepth is the deepest nesting of objects and arrays Object reads, the
// limit of go-jose's JSON package (and of encoding/json).
const MaxDepth = 10000

var (
	errObject  = fmt.Errorf("%w: not a JSON object", ErrMalformed)
	errUTF8    = fmt.Errorf("%w: invalid UTF-8 in JSON", ErrMalformed)
	errMembers = fmt.Errorf("%w: too many JSON members", ErrMalformed)
)

// Object reads data, which must be exactly one JSON object, and returns its
// members by exact name. It is read with go-jose's JSON package, the one
// go-jose parses headers and keys with: unlike encoding/json, it matches
// member names exactly ("ISS" is not "iss") and refuses a member name
// repeated in an object (compared after unescaping: "al\u0067" repeats
// "alg"); every object of data is checked, nested ones included. Object
// also refuses invalid UTF-8, member names holding U+FFFD (what an escaped
// lone surrogate decodes to), more than maxMembers members, and nesting
// deeper than MaxDepth. Errors wrap
// ErrMalformed.
func Object(data []byte, maxMembers int) (map[string]json.RawMessage, error) {
	if !utf8.Valid(data) {
		return nil, errUTF8
	}
	var raw map[string]gojson.RawMessage
	if err := gojson.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	switch {
	case raw == nil:
		return nil, errObject
	case len(raw) > maxMembers:
		return nil, errMembers
	}
	members := make(map[string]json.RawMessage, len(raw))
	for name, value := range raw {
		if strings.ContainsRune(name, utf8.RuneError) {
			return nil, errUTF8
		}
		if err := Unrepeated(value); err != nil {
			return nil, err
		}
		members[name] = json.RawMessage(value)
	}
	return members, nil
}

// Unrepeated checks that no object inside the JSON value repeats a member
// name; values without objects are not read again.
func Unrepeated(value []byte) error {
	if bytes.IndexByte(value, '{') < 0 {
		return nil
	}
	var v any
	if err := gojson.Unmarshal(value, &v); err != nil {
		return fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return nil
}
