package fchttp

import (
	"bytes"
	"context"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect"
)

func testKey(b byte) []byte { return bytes.Repeat([]byte{b}, KeySize) }

func TestSealedCookies(t *testing.T) {
	ctx := context.Background()
	now := time.Unix(1_800_000_000, 0)
	clock := func() time.Time { return now }
	old, err := newSealedCookies([][]byte{testKey(1)}, clock)
	require.NoError(t, err)
	rotated, err := newSealedCookies([][]byte{testKey(2), testKey(1)}, clock)
	require.NoError(t, err)
	retired, err := newSealedCookies([][]byte{testKey(2)}, clock)
	require.NoError(t, err)

	v, err := old.Save(ctx, "", []byte(`{"x":1}`), now.Add(time.Minute))
	require.NoError(t, err)
	v2, err := old.Save(ctx, "", []byte(`{"x":1}`), now.Add(time.Minute))
	require.NoError(t, err)
	assert.NotEqual(t, v, v2, "a fresh nonce every time")
	assert.NotContains(t, v, base64.RawURLEncoding.EncodeToString([]byte(`{"x":1}`))[:6], "encrypted, not just signed")
	for name, s := range map[string]*sealedCookies{"same key": old, "rotated ring": rotated} {
		got, err := s.Load(ctx, v)
		require.NoError(t, err, name)
		assert.Equal(t, `{"x":1}`, string(got), name)
	}
	got, err := retired.Load(ctx, v)
	require.NoError(t, err)
	assert.Nil(t, got, "a retired key opens nothing")

	fresh, err := rotated.Save(ctx, v, []byte("y"), now.Add(time.Minute))
	require.NoError(t, err)
	got, _ = retired.Load(ctx, fresh)
	assert.Equal(t, "y", string(got), "the first key of the ring seals")

	now = now.Add(time.Minute)
	got, err = old.Load(ctx, v)
	require.NoError(t, err)
	assert.Nil(t, got, "expired at its expiry")
	require.NoError(t, old.Delete(ctx, v))
}

func TestSealedCookieSizeLimit(t *testing.T) {
	s, err := newSealedCookies([][]byte{testKey(1)}, time.Now)
	require.NoError(t, err)
	v, err := s.Save(context.Background(), "", bytes.Repeat([]byte("a"), MaxSessionBytes), time.Now().Add(time.Hour))
	require.NoError(t, err)
	assert.Less(t, len("__Host-fs_session=")+len(v), 4000)
	_, err = s.Save(context.Background(), "", bytes.Repeat([]byte("a"), 3000), time.Now().Add(time.Hour))
	require.ErrorIs(t, err, ErrSessionTooLarge)
}

func TestParseSessionKeys(t *testing.T) {
	k1, k2 := base64.StdEncoding.EncodeToString(testKey(1)), base64.RawStdEncoding.EncodeToString(testKey(2))
	keys, err := ParseSessionKeys(k1 + ", " + k2)
	require.NoError(t, err)
	assert.Equal(t, [][]byte{testKey(1), testKey(2)}, keys)
	for _, bad := range []string{"", k1 + ",", "not base64!", base64.StdEncoding.EncodeToString(make([]byte, 16)), k1 + "," + k1[:20]} {
		_, err := ParseSessionKeys(bad)
		require.ErrorIs(t, err, franceconnect.ErrConfig, bad)
	}
}

func TestRecordEncodeDropsOldLogins(t *testing.T) {
	r := record{User: &storedUser{Subject: "s", Hint: strings.Repeat("h", 1000), Data: make([]byte, MaxUserData)}}
	for i := range 5 {
		r.addLogin(pendingLogin{State: strings.Repeat("s", 63) + string(rune('a'+i)), Nonce: strings.Repeat("n", 64),
			Next: "/" + strings.Repeat("x", maxNextBytes-1), Expiry: 1})
	}
	require.Len(t, r.Logins, maxLogins)
	b, err := r.encode()
	require.NoError(t, err)
	assert.LessOrEqual(t, len(b), MaxSessionBytes)
	require.NotEmpty(t, r.Logins)
	assert.True(t, strings.HasSuffix(r.Logins[len(r.Logins)-1].State, "e"), "the newest login stays")

	r.User.Hint = strings.Repeat("h", MaxSessionBytes)
	_, err = r.encode()
	require.ErrorIs(t, err, ErrSessionTooLarge)
}

// FuzzSealedCookieLoad checks that no cookie value makes Load fail or
// return data it did not seal.
func FuzzSealedCookieLoad(f *testing.F) {
	s, err := newSealedCookies([][]byte{testKey(1)}, time.Now)
	if err != nil {
		f.Fatal(err)
	}
	v, _ := s.Save(context.Background(), "", []byte("sealed"), time.Now().Add(time.Hour))
	f.Add(v)
	f.Add("")
	f.Add("AQ")
	f.Fuzz(func(t *testing.T, value string) {
		got, err := s.Load(context.Background(), value)
		if err != nil {
			t.Fatal(err)
		}
		if got != nil && string(got) != "sealed" {
			t.Fatalf("opened %q from a value it did not seal: %q", got, value)
		}
	})
}
