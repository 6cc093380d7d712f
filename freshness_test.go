package franceconnect

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// freshState is the session of a login that asked for a new authentication
// and started at started.
func freshState(started time.Time) AuthState {
	st := fixState0()
	st.FreshAuth, st.Started = true, started
	return st
}

func TestFreshAuthentication(t *testing.T) {
	p := newProvider(t, FranceConnectPlus)
	c := p.client(t)
	k := loadTestKeys(t)
	// The login started 30 s before fixNow, when the id_token arrives.
	started := fixNow.Add(-30 * time.Second)
	authAt := func(at any) string {
		return tokenCase{claims: func(c map[string]any) {
			if at == nil {
				delete(c, "auth_time")
				return
			}
			c["auth_time"] = at
		}}.mint(t, k)
	}
	tests := []struct {
		name string
		raw  string
		st   AuthState
		want error
	}{
		{"authenticated after the start", authAt(started.Unix() + 20), freshState(started), nil},
		{"at the start, in the same second", authAt(started.Unix()), freshState(started.Add(999 * time.Millisecond)), nil},
		{"within the leeway before the start", authAt(started.Unix() - 10), freshState(started), nil},
		{"before the start, beyond the leeway", authAt(started.Unix() - 11), freshState(started), ErrStaleAuthentication},
		{"an hour old: prompt=login ignored", authAt(started.Add(-time.Hour).Unix()), freshState(started), ErrStaleAuthentication},
		{"missing", authAt(nil), freshState(started), ErrStaleAuthentication},
		{"in the future", authAt(fixNow.Unix() + 11), freshState(started), ErrStaleAuthentication},
		{"not a date", authAt("yesterday"), freshState(started), ErrMalformedToken},
		{"an AuthState without its start", authAt(fixNow.Unix()), freshState(time.Time{}), ErrStaleAuthentication},
		{"no new authentication asked: an old one is fine", authAt(started.Add(-time.Hour).Unix()), fixState0(), nil},
		{"no new authentication asked: none is fine", authAt(nil), fixState0(), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			idt, err := c.VerifyIDToken(context.Background(), tt.raw, tt.st)
			if tt.want == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tt.want)
			require.ErrorIs(t, err, ErrInvalidIDToken)
			assert.Nil(t, idt)
		})
	}
}

func TestMaxAuthAge(t *testing.T) {
	p := newProvider(t, FranceConnectPlus)
	k := loadTestKeys(t)
	c := p.client(t, func(cfg *Config) { cfg.MaxAuthAge = time.Hour })
	started := fixNow.Add(-30 * time.Second)
	authAt := func(at time.Time) string {
		return tokenCase{claims: func(c map[string]any) { c["auth_time"] = at.Unix() }}.mint(t, k)
	}
	st := fixState0()
	st.Started = started
	_, err := c.VerifyIDToken(context.Background(), authAt(started.Add(-50*time.Minute)), st)
	require.NoError(t, err, "within the Config's maximum age")
	_, err = c.VerifyIDToken(context.Background(), authAt(started.Add(-61*time.Minute)), st)
	require.ErrorIs(t, err, ErrStaleAuthentication, "the Config's maximum age applies without the AuthState's")
	assert.Contains(t, err.Error(), "maximum authentication age")

	st.MaxAuthAge = 10 * time.Minute
	_, err = c.VerifyIDToken(context.Background(), authAt(started.Add(-20*time.Minute)), st)
	require.ErrorIs(t, err, ErrStaleAuthentication, "the shorter age wins")
	st.MaxAuthAge = 2 * time.Hour
	_, err = c.VerifyIDToken(context.Background(), authAt(started.Add(-90*time.Minute)), st)
	require.ErrorIs(t, err, ErrStaleAuthentication, "an AuthState cannot widen the Config's age")

	a, err := c.Authorize(context.Background(), AuthRequest{MaxAuthAge: 5 * time.Minute})
	require.NoError(t, err)
	assert.Equal(t, 5*time.Minute, a.MaxAuthAge)
	assert.Equal(t, fixNow, a.Started)
	assert.False(t, a.FreshAuth)
	assert.Empty(t, a.Params.Get("prompt"), "no platform implements max_age: nothing is sent")
	assert.Empty(t, a.Params.Get("max_age"))
	a, err = c.Authorize(context.Background(), AuthRequest{MaxAuthAge: 5 * time.Hour})
	require.NoError(t, err)
	assert.Equal(t, time.Hour, a.MaxAuthAge, "a request narrows the Config's age, never widens it")
}

func TestFreshAuthFromPrompt(t *testing.T) {
	c := newProvider(t, ProConnect).client(t)
	for prompt, fresh := range map[string]bool{"": false, "login": true, "consent": false, "consent login": true, "none": false} {
		a, err := c.Authorize(context.Background(), AuthRequest{Prompt: prompt})
		require.NoError(t, err)
		assert.Equal(t, fresh, a.FreshAuth, prompt)
	}
	a, err := c.Authorize(context.Background(), AuthRequest{PromptLogin: true})
	require.NoError(t, err)
	assert.True(t, a.FreshAuth)
}

func TestStepUpSubject(t *testing.T) {
	p := newProvider(t, FranceConnectPlus)
	c := p.client(t)
	raw := tokenCase{}.mint(t, loadTestKeys(t))
	st := fixState0()
	st.Subject = fixSub
	_, err := c.VerifyIDToken(context.Background(), raw, st)
	require.NoError(t, err)
	st.Subject = fixSub[:len(fixSub)-3] + "v2"
	idt, err := c.VerifyIDToken(context.Background(), raw, st)
	require.ErrorIs(t, err, ErrSubjectMismatch)
	require.ErrorIs(t, err, ErrInvalidIDToken)
	assert.Nil(t, idt)
}
