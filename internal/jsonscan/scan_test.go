package jsonscan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

// valid reports whether s accepts its whole text as one JSON text.
func valid(s Scanner) bool {
	return s.Skip() == nil && s.End() == nil
}

// surrogateEscape matches escapes of UTF-16 surrogates, which New scanners
// accept only as valid pairs.
var surrogateEscape = regexp.MustCompile(`\\u[dD][89a-fA-F]`)

// depth returns the nesting depth of a valid JSON text.
func depth(b []byte) int {
	deepest, d, inString := 0, 0, false
	for i := 0; i < len(b); i++ {
		switch c := b[i]; {
		case inString && c == '\\':
			i++
		case c == '"':
			inString = !inString
		case !inString && (c == '{' || c == '['):
			d++
			deepest = max(deepest, d)
		case !inString && (c == '}' || c == ']'):
			d--
		}
	}
	return deepest
}

// checkAgainstEncodingJSON compares the scanners with encoding/json on b: a
// lax one must accept exactly the valid texts at most MaxDepth deep; a
// strict one only those, and all those that are UTF-8 and have no escaped
// surrogate; and it must read the same member names and string values.
func checkAgainstEncodingJSON(t *testing.T, b []byte) {
	std := json.Valid(b) && depth(b) <= MaxDepth
	if lax := valid(NewLax(b)); lax != std {
		t.Fatalf("lax scanner accepts %q: %v, encoding/json: %v", b, lax, std)
	}
	ours := valid(New(b))
	if ours && !std {
		t.Fatalf("scanner accepts invalid JSON %q", b)
	}
	if strict := std && utf8.Valid(b) && !surrogateEscape.Match(b); strict && !ours {
		t.Fatalf("scanner rejects valid JSON %q", b)
	}
	if !ours || bytes.TrimSpace(b)[0] != '{' {
		return
	}
	s := New(b)
	var seen Members
	var o Object
	for o.Next(&s, &seen) {
		require.NoError(t, s.Skip())
	}
	if err := o.Err(); err != nil {
		require.Contains(t, []error{ErrDuplicate, ErrMembers}, err)
		return
	}
	var want map[string]any
	require.NoError(t, json.Unmarshal(b, &want))
	s, seen, o = New(b), Members{}, Object{}
	n := 0
	for o.Next(&s, &seen) {
		n++
		w, ok := want[string(o.Key)]
		require.True(t, ok, "member %q", o.Key)
		if str, isString := w.(string); isString {
			got, err := s.StringValue()
			require.NoError(t, err)
			require.Equal(t, str, string(got))
		} else {
			_, err := s.StringValue()
			require.ErrorIs(t, err, ErrType)
		}
	}
	require.NoError(t, o.Err())
	require.Len(t, want, n)
}

func TestScanner(t *testing.T) {
	for _, text := range []string{
		`{}`, `[]`, `""`, `0`, `-0`, `1.5e+3`, `-0.0E-0`, `true`, `false`, `null`, ` {"a" : [1, {"b":null}] } `,
		`{"a\u0062":"c\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00"}`, `{"a":"é😀"}`, `{"":""}`,
		`01`, `1.`, `.5`, `1e`, `+1`, `-`, `tru`, `nul`, `[1,]`, `[,1]`, `{"a":1,}`, `{,}`, `{"a"}`, `{"a":}`,
		`{1:2}`, `{"a":1 "b":2}`, `[1 2]`, `"\x"`, `"\u12"`, `"\ud800"`, `"\udc00"`, `"\ud800\u0041"`, "\"\x01\"",
		"\"\xff\"", "\"\xed\xa0\x80\"", "\"\x7f\"", `[]]`, `{}}`, `[`, `{"a":1`, `"abc`, ``, ` `, `{} {}`, "\v{}",
		`[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]`,
		`[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]`,
	} {
		t.Run(text, func(t *testing.T) { checkAgainstEncodingJSON(t, []byte(text)) })
	}
}

func FuzzScanner(f *testing.F) {
	for _, seed := range []string{`{"alg":"ECDH-ES","enc":"A256GCM","epk":{"kty":"EC","crv":"P-256"}}`,
		`{"a\u0062":"c\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00","n":[1.5e3,-0,true,false,null]}`,
		"{\"a\":\"\xff\\ud800\",\"\\udc00\":[\"\xed\xa0\x80\"]}"} {
		f.Add([]byte(seed))
	}
	f.Fuzz(checkAgainstEncodingJSON)
}

func TestMembers(t *testing.T) {
	var seen Members
	s := New([]byte(`{"a":1,"\u0062":2,"c":3,"b":4}`))
	var o Object
	for o.Next(&s, &seen) {
		require.NoError(t, s.Skip())
	}
	require.ErrorIs(t, o.Err(), ErrDuplicate)

	var many bytes.Buffer
	many.WriteString(`{"k0":0`)
	for i := 1; i <= MaxMembers; i++ {
		fmt.Fprintf(&many, `,"k%d":0`, i)
	}
	many.WriteString(`}`)
	s, seen, o = New(many.Bytes()), Members{}, Object{}
	for o.Next(&s, &seen) {
		require.NoError(t, s.Skip())
	}
	require.ErrorIs(t, o.Err(), ErrMembers)

	s, o = New(many.Bytes()), Object{}
	for o.Next(&s, nil) {
		require.NoError(t, s.Skip())
	}
	require.NoError(t, o.Err())
	require.NoError(t, s.End())
}

// TestSaveRestore checks that assigning a copy of a Scanner back rewinds it.
func TestSaveRestore(t *testing.T) {
	s := New([]byte(`[{"a":[1,{"b":2}]}]`))
	var a Array
	require.True(t, a.Next(&s))
	saved := s
	var o Object
	require.True(t, o.Next(&s, nil))
	require.Equal(t, byte('['), s.Peek())
	s = saved
	require.NoError(t, s.Skip())
	require.False(t, a.Next(&s))
	require.NoError(t, a.Err())
	require.NoError(t, s.End())
}

func TestUnescape(t *testing.T) {
	for raw, want := range map[string]string{
		`\u00e9\ud83d\ude00`: "é😀",
		`\ud800x`:            "\uFFFDx",
		`\udc00\ud800\u0041`: "\uFFFD\uFFFDA",
		`\"\\\/\b\f\n\r\t`:   "\"\\/\b\f\n\r\t",
	} {
		require.Equal(t, want, string(unescape([]byte(raw))), raw)
	}
}

func TestStrictStrings(t *testing.T) {
	for text, want := range map[string]bool{
		`"\ud83d\ude00"`: true, `"\ud800"`: false, `"\ud83d\u0041"`: false, `"\ude00\ud83d"`: false,
		"\"é\"": true, "\"\xff\"": false, "\"\xed\xa0\x80\"": false, "\"\xc3\"": false,
	} {
		require.Equal(t, want, valid(New([]byte(text))), text)
		require.True(t, valid(NewLax([]byte(text))), text)
	}
}
