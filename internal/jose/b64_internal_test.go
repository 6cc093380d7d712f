package jose

import (
	"encoding/base64"
	"strings"
	"testing"
)

// checkBase64 compares b64Decode with encoding/base64's strict unpadded
// base64url decoder, which additionally ignores CR and LF.
func checkBase64(t *testing.T, s string) {
	want, err := base64.RawURLEncoding.Strict().DecodeString(s)
	wantOK := err == nil && !strings.ContainsAny(s, "\r\n")
	n := max(b64DecodedLen(len(s)), 0)
	for _, src := range []any{s, []byte(s)} {
		var got []byte
		var ok bool
		dst := make([]byte, n)
		switch src := src.(type) {
		case string:
			got, ok = b64Decode(dst, src)
		case []byte:
			got, ok = b64Decode(dst, src)
		}
		if ok != wantOK || ok && string(got) != string(want) {
			t.Fatalf("b64Decode(%q) = %x, %v; want %x, %v", s, got, ok, want, wantOK)
		}
	}
}

func TestBase64(t *testing.T) {
	for _, s := range []string{
		"", "A", "AA", "AB", "AAA", "AAB", "AAAA", "QUJD", "QUJDRA", "QUJDREU", "QUJDREVG", "QUJDREVGRw",
		"_-_-_-_-_-_-", "QUJD\nREVG", "QUJD=", "QUJDRA==", "QUJ+", "QUJ/", "QUJD REVG", "QUJDREV\x00", "QUJDRE\xff",
		"eyJhbGciOiJFUzI1NiIsImtpZCI6Im9wLWtleSJ9",
	} {
		checkBase64(t, s)
	}
	if _, ok := b64Decode(make([]byte, 2), "QUJD"); ok {
		t.Fatal("decoded into a short buffer")
	}
}

func FuzzBase64(f *testing.F) {
	f.Add("eyJhbGciOiJFUzI1NiIsImtpZCI6Im9wLWtleSJ9")
	f.Add("QUJDREVGRw")
	f.Fuzz(checkBase64)
}

// BenchmarkBase64 compares b64Decode with encoding/base64 on a segment of
// the size of a FranceConnect+ JWE ciphertext.
func BenchmarkBase64(b *testing.B) {
	src := base64.RawURLEncoding.EncodeToString([]byte(strings.Repeat(`{"sub":"b6048e95bb134ec5","acr":"eidas2"}`, 18)))
	dst := make([]byte, len(src))
	b.Run("jose", func(b *testing.B) {
		b.SetBytes(int64(len(src)))
		for b.Loop() {
			b64Decode(dst, src)
		}
	})
	b.Run("encoding/base64", func(b *testing.B) {
		enc, srcBytes := base64.RawURLEncoding.Strict(), []byte(src)
		b.SetBytes(int64(len(src)))
		for b.Loop() {
			enc.Decode(dst, srcBytes)
		}
	})
}
