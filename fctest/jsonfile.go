package fctest

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
)

// entryError is a validation error naming the entry (a client, an
// identity) and, when known, its field at fault.
type entryError struct {
	entry, field, msg string
}

func (e *entryError) Error() string {
	if e.field == "" {
		return "fctest: " + e.entry + ": " + e.msg
	}
	return "fctest: " + e.entry + ": " + e.field + ": " + e.msg
}

// entryLabel names the i-th entry of a JSON array by its key member (e.g.
// client "my-fs") or, when that is absent, by its 1-based position
// (client #2).
func entryLabel(kind string, i int, raw json.RawMessage, key string) string {
	var members map[string]json.RawMessage
	var name string
	if json.Unmarshal(raw, &members) == nil && json.Unmarshal(members[key], &name) == nil && name != "" {
		return fmt.Sprintf("%s %q", kind, name)
	}
	return fmt.Sprintf("%s #%d", kind, i+1)
}

// decodeArray splits a JSON array of objects into its entries.
func decodeArray(data []byte, what string) ([]json.RawMessage, error) {
	var entries []json.RawMessage
	if err := json.Unmarshal(data, &entries); err != nil {
		return nil, fmt.Errorf("fctest: %s: want a JSON array of objects: %w", what, err)
	}
	if len(entries) == 0 {
		return nil, fmt.Errorf("fctest: %s: the array is empty", what)
	}
	return entries, nil
}

// decodeStrict decodes the JSON object raw into v, a pointer to a struct
// with json tags, refusing members the struct does not declare (exact
// names). It returns the member at fault with the error, "" when raw is not
// an object.
func decodeStrict(raw json.RawMessage, v any) (member string, err error) {
	var members map[string]json.RawMessage
	if err := json.Unmarshal(raw, &members); err != nil || members == nil {
		return "", errors.New("want a JSON object")
	}
	known := jsonNames(reflect.TypeOf(v).Elem())
	for _, name := range slices.Sorted(maps.Keys(members)) {
		if !slices.Contains(known, name) {
			return name, fmt.Errorf("unknown member (known: %s)", strings.Join(known, ", "))
		}
	}
	if err := json.Unmarshal(raw, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return te.Field, fmt.Errorf("wrong type: want %s, got a JSON %s", jsonKind(te.Type), te.Value)
		}
		return "", err
	}
	return "", nil
}

// jsonNames returns the JSON member names of the struct type t.
func jsonNames(t reflect.Type) []string {
	var names []string
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name != "" && name != "-" {
			names = append(names, name)
		}
	}
	return names
}

// jsonKind describes the JSON value expected for the Go type t.
func jsonKind(t reflect.Type) string {
	switch {
	case t.Kind() == reflect.String:
		return "a string"
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.String:
		return "an array of strings"
	}
	return "a JSON " + t.Kind().String()
}
