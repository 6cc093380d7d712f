package franceconnect

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDateRange checks the bounds of a NumericDate: numbers of seconds from
// 0 to 2^40 excluded, whatever JSON form they take.
func TestDateRange(t *testing.T) {
	for literal, ok := range map[string]bool{
		"0": true, "1768471200": true, "1.7684712e9": true, "1768471200.75": true,
		"1099511627775": true, "1099511627775.5": true, // 2^40 - 1, and just below 2^40
		"1099511627776": false, "1099511627777": false, // 2^40, 2^40 + 1
		"9007199254740992": false, "9007199254740993": false, // 2^53, 2^53 + 1 (read as 2^53)
		"4611686018427387904": false, "1e300": false, "1e400": false,
		"-1": false, "-0.5": false, "null": false, `"1768471200"`: false, "true": false,
	} {
		var cl idClaims
		err := readClaims([]byte(`{"exp":`+literal+`,"iat":1768471200,"auth_time":1768471200}`), &cl)
		if ok {
			assert.NoError(t, err, literal)
			assert.True(t, cl.Expiry.ok, literal)
			continue
		}
		require.ErrorIs(t, err, ErrMalformedToken, literal)
		assert.Contains(t, err.Error(), "from 0 to 2^40", literal)
		for _, claim := range []string{"iat", "auth_time"} {
			err := readClaims([]byte(`{"`+claim+`":`+literal+`}`), &cl)
			require.ErrorIs(t, err, ErrMalformedToken, claim+" "+literal)
		}
	}
}

// TestVerifyRefusesFarDates checks that an id_token or a userinfo dated far
// in the future, or with a date no decoder reads exactly, is refused
// however well it is signed: an exp that never comes would make the token
// valid forever.
func TestVerifyRefusesFarDates(t *testing.T) {
	c := newProvider(t, FranceConnectPlus).client(t)
	k := loadTestKeys(t)
	far := map[string]int64{"2^40": 1 << 40, "2^53 + 1": 1<<53 + 1, "2^62": 1 << 62}
	for name, v := range far {
		for _, claim := range []string{"exp", "iat", "auth_time"} {
			raw := tokenCase{claims: func(c map[string]any) { c[claim] = v }}.mint(t, k)
			idt, err := c.VerifyIDToken(context.Background(), raw, fixState0())
			require.ErrorIs(t, err, ErrInvalidIDToken, claim+" "+name)
			require.ErrorIs(t, err, ErrMalformedToken, claim+" "+name)
			assert.Nil(t, idt)
		}
	}
	raw := tokenCase{claims: func(c map[string]any) { c["exp"] = int64(1<<40 - 1) }}.mint(t, k)
	idt, err := c.VerifyIDToken(context.Background(), raw, fixState0())
	require.NoError(t, err, "the last second below the bound is a date")
	assert.Equal(t, int64(1<<40-1), idt.Expiry.Unix())

	for name, v := range far {
		for _, claim := range []string{"exp", "iat"} {
			p := newProvider(t, FranceConnectPlus)
			c := p.client(t)
			serveLogin(t, p, nil, func(c map[string]any) { c[claim] = v }, nil)
			login, err := c.Callback(context.Background(), callbackQuery("code", "the-code"), fixState0())
			require.ErrorIs(t, err, ErrInvalidUserInfo, claim+" "+name)
			require.ErrorIs(t, err, ErrMalformedToken, claim+" "+name)
			assert.Nil(t, login)
		}
	}
}
