package jose

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestObjectMembersByExactName(t *testing.T) {
	m, err := Object([]byte(` {"iss":"a","ISS":"b","Aud":"c","x":{"y":[1,{"z":null}]},"é":"\u00e9"} `), 32)
	require.NoError(t, err)
	assert.Equal(t, json.RawMessage(`"a"`), m["iss"])
	assert.Equal(t, json.RawMessage(`"b"`), m["ISS"], "ISS is another member")
	assert.Nil(t, m["aud"], "Aud is not aud")
	assert.Equal(t, json.RawMessage(`{"y":[1,{"z":null}]}`), m["x"])
	assert.Contains(t, m, "é")
}

func TestObjectRefuses(t *testing.T) {
	deep := func(n int) string { return `{"x":` + strings.Repeat("[", n) + strings.Repeat("]", n) + `}` }
	for name, text := range map[string]string{
		"repeated member":               `{"iss":"a","iss":"b"}`,
		"repeated, escaped":             `{"iss":"a","\u0069ss":"b"}`,
		"repeated in a nested object":   `{"x":{"a":1,"a":2}}`,
		"repeated in an array's object": `{"x":[{"a":1,"a":2}]}`,
		"too many members":              `{"a":1,"b":2,"c":3,"d":4,"e":5}`,
		"invalid UTF-8 in a value":      "{\"a\":\"\xff\"}",
		"invalid UTF-8 in a name":       "{\"\xed\xa0\x80\":1}",
		"escaped lone surrogate name":   `{"\udc00":1}`,
		"nested deeper than MaxDepth":   deep(MaxDepth),
		"not an object":                 `[1]`,
		"null":                          `null`,
		"empty":                         ``,
		"invalid JSON":                  `{"a":1,}`,
		"truncated":                     `{"a":1`,
		"trailing data":                 `{"a":1} {}`,
		"trailing garbage":              `{"a":1}x`,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Object([]byte(text), 4)
			require.ErrorIs(t, err, ErrMalformed)
		})
	}
	_, err := Object([]byte(deep(MaxDepth-1)), 4)
	require.NoError(t, err, "MaxDepth levels in all")
}

// FuzzObject checks that Object never panics, accepts only what
// encoding/json accepts, and then returns exactly the members json.Unmarshal
// finds.
func FuzzObject(f *testing.F) {
	for _, s := range []string{`{"iss":"a","aud":["b"],"exp":1.5e9}`, `{"a":{"b":[{"c":null}]}}`, `{"a":1,"a":2}`, `{"\u0061":1}`, `[]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, text []byte) {
		m, err := Object(text, 8)
		if err != nil {
			require.ErrorIs(t, err, ErrMalformed)
			return
		}
		require.True(t, json.Valid(text), "Object accepted invalid JSON")
		var want map[string]json.RawMessage
		require.NoError(t, json.Unmarshal(text, &want))
		require.Len(t, m, len(want))
		for name, raw := range want {
			require.JSONEq(t, string(raw), string(m[name]))
		}
	})
}
