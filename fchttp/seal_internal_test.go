package fchttp

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect"
)

// randomKey is a session key as `head -c 32 /dev/urandom` makes one.
func randomKey() []byte {
	k := make([]byte, KeySize)
	_, _ = rand.Read(k)
	return k
}

var testDoor = Door{Platform: franceconnect.FranceConnectPlus, Issuer: "https://fc.example/api/v2", ClientID: "fs"}

func testSealer(t testing.TB, keys [][]byte, b []byte) *sealer {
	t.Helper()
	s, err := newSealer(keys, b, "__Host-fs_session")
	require.NoError(t, err)
	return s
}

func TestSealer(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	k1, k2 := randomKey(), randomKey()
	b := binding("__Host-fs_session", "https://fs.example.fr", testDoor)
	old := testSealer(t, [][]byte{k1}, b)
	rotated := testSealer(t, [][]byte{k2, k1}, b)
	retired := testSealer(t, [][]byte{k2}, b)

	v, err := old.seal([]byte(`{"x":1}`), now.Add(time.Minute))
	require.NoError(t, err)
	v2, err := old.seal([]byte(`{"x":1}`), now.Add(time.Minute))
	require.NoError(t, err)
	assert.NotEqual(t, v, v2, "a fresh nonce every time")
	assert.NotContains(t, v, base64.RawURLEncoding.EncodeToString([]byte(`{"x":1}`))[:6], "encrypted, not just signed")
	for name, s := range map[string]*sealer{"same key": old, "rotated ring": rotated} {
		assert.Equal(t, `{"x":1}`, string(s.open(v, now)), name)
	}
	assert.Nil(t, retired.open(v, now), "a retired key opens nothing")
	fresh, err := rotated.seal([]byte("y"), now.Add(time.Minute))
	require.NoError(t, err)
	assert.Equal(t, "y", string(retired.open(fresh, now)), "the first key of the ring seals")
	assert.Nil(t, old.open(v, now.Add(time.Minute)), "expired at its expiry")
}

// TestSealerBinding: a value sealed for one cookie name, origin or door,
// with the same keys, opens nothing under another.
func TestSealerBinding(t *testing.T) {
	now := time.Now()
	keys := [][]byte{randomKey()}
	base := testSealer(t, keys, binding("__Host-fs_session", "https://fs.example.fr", testDoor))
	v, err := base.seal([]byte("session"), now.Add(time.Hour))
	require.NoError(t, err)
	require.Equal(t, "session", string(base.open(v, now)))
	other := func(edit func(*Door)) Door { d := testDoor; edit(&d); return d }
	for name, b := range map[string][]byte{
		"another cookie name": binding("__Host-agent", "https://fs.example.fr", testDoor),
		"without __Host-":     binding("fs_session", "https://fs.example.fr", testDoor),
		"http origin":         binding("__Host-fs_session", "http://fs.example.fr", testDoor),
		"another host":        binding("__Host-fs_session", "https://autre.example.fr", testDoor),
		"another port":        binding("__Host-fs_session", "https://fs.example.fr:8443", testDoor),
		"another platform":    binding("__Host-fs_session", "https://fs.example.fr", other(func(d *Door) { d.Platform = franceconnect.ProConnect })),
		"another issuer":      binding("__Host-fs_session", "https://fs.example.fr", other(func(d *Door) { d.Issuer += "/x" })),
		"another client_id":   binding("__Host-fs_session", "https://fs.example.fr", other(func(d *Door) { d.ClientID = "fs2" })),
		"shifted fields":      binding("__Host-fs_sessionhttps://fs.example.fr", "", testDoor),
	} {
		assert.Nil(t, testSealer(t, keys, b).open(v, now), name)
	}
}

func TestSealedValueSizeLimit(t *testing.T) {
	s := testSealer(t, [][]byte{randomKey()}, []byte("b"))
	v, err := s.seal(bytes.Repeat([]byte("a"), MaxSessionBytes), time.Now().Add(time.Hour))
	require.NoError(t, err)
	assert.LessOrEqual(t, len("__Host-fs_session=")+len(v), maxCookieBytes)
	_, err = s.seal(bytes.Repeat([]byte("a"), 3000), time.Now().Add(time.Hour))
	require.ErrorIs(t, err, ErrSessionTooLarge)
	assert.ErrorContains(t, err, "at most 3982")
}

func TestWeakKeysRefused(t *testing.T) {
	good := randomKey()
	pattern := bytes.Repeat([]byte{0xde, 0xad, 0xbe, 0xef, 0x01, 0x02, 0x03}, 5)[:KeySize]
	for _, tt := range []struct {
		name string
		ring [][]byte
		want string
	}{
		{"empty ring", nil, "empty"},
		{"short", [][]byte{good[:16]}, "SessionKeys[0] is 16 bytes, want 32"},
		{"all zero", [][]byte{make([]byte, KeySize)}, "SessionKeys[0] is all zero"},
		{"one byte repeated", [][]byte{good, bytes.Repeat([]byte{0x9c}, KeySize)}, "SessionKeys[1] is a pattern of 1 byte(s) repeated"},
		{"a pattern repeated", [][]byte{pattern}, "a pattern of 7 byte(s) repeated"},
		{"a password", [][]byte{[]byte("an example key of 32 bytes, 256b")}, "printable text"},
		{"hexadecimal text", [][]byte{[]byte("3f9a0c5e7b1d2f4a6c8e0b1d3f5a7c9e")}, "printable text"},
		{"twice", [][]byte{good, randomKey(), good}, "SessionKeys[2] is the same key as SessionKeys[0]"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := newSealer(tt.ring, nil, "fs_session")
			require.ErrorIs(t, err, franceconnect.ErrConfig)
			assert.ErrorContains(t, err, tt.want)
			if tt.ring != nil && !strings.Contains(tt.name, "twice") {
				assert.ErrorContains(t, err, "head -c 32 /dev/urandom | base64", "says how to make a key")
			}
		})
	}
	_, err := newSealer([][]byte{good, randomKey()}, nil, "fs_session")
	require.NoError(t, err)
}

func TestParseSessionKeys(t *testing.T) {
	k1, k2 := randomKey(), randomKey()
	keys, err := ParseSessionKeys(base64.StdEncoding.EncodeToString(k1) + ", " + base64.RawStdEncoding.EncodeToString(k2))
	require.NoError(t, err)
	assert.Equal(t, [][]byte{k1, k2}, keys)
	b1 := base64.StdEncoding.EncodeToString(k1)
	for bad, want := range map[string]string{
		"":            "session key 1 is empty",
		b1 + ",":      "session key 2 is empty",
		"not base64!": "session key 1 is not base64",
		base64.StdEncoding.EncodeToString(make([]byte, 16)): "session key 1 is 16 bytes, want 32",
		b1 + "," + b1[:20]: "session key 2 is 15 bytes",
		base64.StdEncoding.EncodeToString(make([]byte, KeySize)):           "session key 1 is all zero",
		base64.StdEncoding.EncodeToString([]byte(strings.Repeat("k", 32))): "session key 1 is a pattern",
		b1 + "," + b1: "session key 2 is the same key as session key 1",
	} {
		_, err := ParseSessionKeys(bad)
		require.ErrorIs(t, err, franceconnect.ErrConfig, bad)
		assert.ErrorContains(t, err, want, bad)
	}
}

func TestEnvelopeEncodeDropsOldLogins(t *testing.T) {
	e := envelope{User: &storedUser{ID: rand.Text(), Subject: "s", Hint: strings.Repeat("h", 1000), Data: bytes.Repeat([]byte("1"), MaxUserData)}}
	for i := range 5 {
		e.addLogin(pendingLogin{State: strings.Repeat("s", 63) + string(rune('a'+i)), Nonce: strings.Repeat("n", 64),
			Next: "/" + strings.Repeat("x", maxNextBytes-1), Expiry: 1})
	}
	require.Len(t, e.Logins, maxLogins)
	b, err := e.encode()
	require.NoError(t, err)
	assert.LessOrEqual(t, len(b), MaxSessionBytes)
	require.NotEmpty(t, e.Logins)
	assert.True(t, strings.HasSuffix(e.Logins[len(e.Logins)-1].State, "e"), "the newest login stays")

	e.User.Hint = strings.Repeat("h", MaxSessionBytes)
	_, err = e.encode()
	require.ErrorIs(t, err, ErrSessionTooLarge)
}

// FuzzSealedCookieLoad checks that no cookie value opens data that was
// not sealed for this binding.
func FuzzSealedCookieLoad(f *testing.F) {
	s := testSealer(f, [][]byte{randomKey()}, []byte("binding"))
	v, _ := s.seal([]byte("sealed"), time.Now().Add(time.Hour))
	f.Add(v)
	f.Add("")
	f.Add("Ag")
	f.Fuzz(func(t *testing.T, value string) {
		if got := s.open(value, time.Now()); got != nil && string(got) != "sealed" {
			t.Fatalf("opened %q from a value it did not seal: %q", got, value)
		}
	})
}
