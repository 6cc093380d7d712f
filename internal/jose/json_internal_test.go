package jose

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/asn1"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"regexp"
	"testing"
	"unicode/utf8"

	josecipher "github.com/go-jose/go-jose/v4/cipher"
	"github.com/stretchr/testify/require"
)

// validJSON reports whether the scanner accepts b as one JSON text.
func validJSON(b []byte) bool {
	s := scanner{buf: b}
	return s.skip() == nil && s.end() == nil
}

// surrogateEscape matches escapes of UTF-16 surrogates, which the scanner
// accepts only as valid pairs.
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

// checkAgainstEncodingJSON compares the scanner with encoding/json on b: it
// must accept exactly the valid texts that are UTF-8, have no lone surrogate
// and are at most maxDepth deep, and read the same member names and string
// values.
func checkAgainstEncodingJSON(t *testing.T, b []byte) {
	ours, std := validJSON(b), json.Valid(b)
	if ours && !std {
		t.Fatalf("scanner accepts invalid JSON %q", b)
	}
	strict := std && utf8.Valid(b) && !surrogateEscape.Match(b) && depth(b) <= maxDepth
	if strict && !ours {
		t.Fatalf("scanner rejects valid JSON %q", b)
	}
	if !ours || bytes.TrimSpace(b)[0] != '{' {
		return
	}
	s := scanner{buf: b}
	var seen memberSet
	var o object
	for o.next(&s, &seen) {
		require.NoError(t, s.skip())
	}
	if o.err != nil {
		require.ErrorIs(t, o.err, ErrMalformed) // duplicate or too many members
		return
	}
	var want map[string]any
	require.NoError(t, json.Unmarshal(b, &want))
	s, seen, o = scanner{buf: b}, memberSet{}, object{}
	n := 0
	for o.next(&s, &seen) {
		n++
		w, ok := want[string(o.key)]
		require.True(t, ok, "member %q", o.key)
		if str, isString := w.(string); isString {
			got, err := s.strValue()
			require.NoError(t, err)
			require.Equal(t, str, string(got))
		} else {
			require.NoError(t, s.skip())
		}
	}
	require.NoError(t, o.err)
	require.Len(t, want, n)
}

func TestScanner(t *testing.T) {
	for _, text := range []string{
		`{}`, `[]`, `""`, `0`, `-0`, `1.5e+3`, `-0.0E-0`, `true`, `false`, `null`, ` {"a" : [1, {"b":null}] } `,
		`{"a\u0062":"c\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00"}`, `{"a":"é😀"}`, `{"":""}`,
		`01`, `1.`, `.5`, `1e`, `+1`, `-`, `tru`, `nul`, `[1,]`, `[,1]`, `{"a":1,}`, `{,}`, `{"a"}`, `{"a":}`,
		`{1:2}`, `{"a":1 "b":2}`, `[1 2]`, `"\x"`, `"\u12"`, `"\ud800"`, `"\udc00"`, `"\ud800\u0041"`, "\"\x01\"",
		"\"\xff\"", "\"\xed\xa0\x80\"", `[]]`, `{}}`, `[`, `{"a":1`, `"abc`, ``, ` `, `{} {}`,
		`[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]`,
		`[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]`,
	} {
		t.Run(text, func(t *testing.T) { checkAgainstEncodingJSON(t, []byte(text)) })
	}
}

func FuzzScanner(f *testing.F) {
	for _, seed := range []string{`{"alg":"ECDH-ES","enc":"A256GCM","epk":{"kty":"EC","crv":"P-256"}}`,
		`{"a\u0062":"c\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00","n":[1.5e3,-0,true,false,null]}`} {
		f.Add([]byte(seed))
	}
	f.Fuzz(checkAgainstEncodingJSON)
}

func TestMemberSet(t *testing.T) {
	var seen memberSet
	s := scanner{buf: []byte(`{"a":1,"\u0062":2,"c":3,"b":4}`)}
	var o object
	for o.next(&s, &seen) {
		require.NoError(t, s.skip())
	}
	require.ErrorIs(t, o.err, errDuplicate)

	var many bytes.Buffer
	many.WriteString(`{"k0":0`)
	for i := 1; i <= maxMembers; i++ {
		fmt.Fprintf(&many, `,"k%d":0`, i)
	}
	many.WriteString(`}`)
	_, err := parseJWSHeader(many.Bytes())
	require.ErrorIs(t, err, errMembers)
}

// TestConcatKDF compares the key derivation with go-jose's.
func TestConcatKDF(t *testing.T) {
	for _, party := range [][2]string{{"", ""}, {"Alice", "Bob"}, {string(make([]byte, 300)), "x"}} {
		priv, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		eph, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		want := josecipher.DeriveECDHES(A256GCM, []byte(party[0]), []byte(party[1]), eph, &priv.PublicKey, cekSize)

		privECDH, _ := priv.ECDH()
		ephPub, _ := eph.PublicKey.ECDH()
		z, err := privECDH.ECDH(ephPub)
		require.NoError(t, err)
		var cek [cekSize]byte
		enc := base64.RawURLEncoding
		require.True(t, concatKDF(&cek, z, []byte(enc.EncodeToString([]byte(party[0]))), []byte(enc.EncodeToString([]byte(party[1])))))
		require.Equal(t, want, cek[:])
	}
	var cek [cekSize]byte
	require.False(t, concatKDF(&cek, make([]byte, 32), []byte("a+b"), nil))
	require.False(t, concatKDF(&cek, make([]byte, 32), nil, []byte("QQ\n")))
}

// TestASN1Signature compares the DER conversion with encoding/asn1.
func TestASN1Signature(t *testing.T) {
	half := func(first byte, rest byte) []byte {
		b := bytes.Repeat([]byte{rest}, p256Size)
		b[0] = first
		return b
	}
	for _, sig := range [][]byte{
		append(half(0x12, 0x34), half(0x56, 0x78)...),
		append(half(0x80, 0xff), half(0xff, 0x00)...),
		append(half(0x00, 0x00), half(0x00, 0x80)...),
		append(half(0x00, 0x01), half(0x7f, 0xff)...),
		append(make([]byte, p256Size), make([]byte, p256Size)...),
	} {
		want, err := asn1.Marshal(struct{ R, S *big.Int }{
			new(big.Int).SetBytes(sig[:p256Size]), new(big.Int).SetBytes(sig[p256Size:]),
		})
		require.NoError(t, err)
		var der [72]byte
		require.Equal(t, want, asn1Signature(der[:0], sig))
	}
}

func TestP256Point(t *testing.T) {
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	enc := base64.RawURLEncoding
	x, y := k.X.FillBytes(make([]byte, 32)), k.Y.FillBytes(make([]byte, 32))
	f := jwkFields{kty: []byte("EC"), crv: []byte("P-256"), x: []byte(enc.EncodeToString(x)), y: []byte(enc.EncodeToString(y))}
	var p [1 + 2*p256Size]byte
	require.True(t, f.p256Point(&p))
	require.Equal(t, append(append([]byte{4}, x...), y...), p[:])

	for name, edit := range map[string]func(f *jwkFields){
		"kty":       func(f *jwkFields) { f.kty = []byte("RSA") },
		"crv":       func(f *jwkFields) { f.crv = []byte("P-384") },
		"short x":   func(f *jwkFields) { f.x = f.x[1:] },
		"long y":    func(f *jwkFields) { f.y = append(f.y, 'A') },
		"private":   func(f *jwkFields) { f.private = true },
		"newline":   func(f *jwkFields) { f.x = append([]byte("\n"), f.x[1:]...) },
		"bad char":  func(f *jwkFields) { f.y = append([]byte("+"), f.y[1:]...) },
		"trail bit": func(f *jwkFields) { f.x = append(f.x[:42:42], 'B') },
	} {
		g := f
		edit(&g)
		require.False(t, g.p256Point(&p), name)
	}
}
