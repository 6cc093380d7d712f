package franceconnect

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLogout(t *testing.T) {
	p := newProvider(t, FranceConnectPlus)
	c := p.client(t)
	idt, err := c.VerifyIDToken(context.Background(), tokenCase{}.mint(t, loadTestKeys(t)), fixState0())
	require.NoError(t, err)

	lr, err := c.Logout(context.Background(), idt.Hint())
	require.NoError(t, err)
	u, err := url.Parse(lr.URL)
	require.NoError(t, err)
	assert.Equal(t, "/api/v2/session/end", u.Path)
	q := u.Query()
	assert.Equal(t, string(idt.Hint()), q.Get("id_token_hint"))
	assert.Equal(t, 2, strings.Count(q.Get("id_token_hint"), "."), "the hint is the inner JWS, never the JWE")
	assert.Equal(t, fixLogout, q.Get("post_logout_redirect_uri"))
	assert.Len(t, lr.State, 64)
	assert.Equal(t, lr.State, q.Get("state"))
	assert.Len(t, q, 3)

	lr2, err := c.Logout(context.Background(), idt.Hint())
	require.NoError(t, err)
	assert.NotEqual(t, lr.State, lr2.State)

	require.NoError(t, c.LogoutCallback(url.Values{"state": {lr.State}}, lr.State))
	for _, q := range []url.Values{{}, {"state": {lr2.State}}, {"state": {lr.State, lr.State}}, {"state": {lr.State[:32]}}} {
		require.ErrorIs(t, c.LogoutCallback(q, lr.State), ErrStateMismatch, q)
	}
	require.ErrorIs(t, c.LogoutCallback(url.Values{"state": {""}}, ""), ErrStateMismatch)

	jwe := Token(tokenCase{}.mint(t, loadTestKeys(t)))
	_, err = c.Logout(context.Background(), jwe)
	require.ErrorIs(t, err, ErrInvalidRequest, "a JWE hint is refused")
	_, err = c.Logout(context.Background(), "")
	require.ErrorIs(t, err, ErrInvalidRequest)
}

func TestRevoke(t *testing.T) {
	p := newProvider(t, FranceConnectPlus)
	c := p.client(t)
	require.NoError(t, c.Revoke(context.Background(), Token(strings.Repeat("a", 43))))
	require.ErrorIs(t, c.Revoke(context.Background(), ""), ErrInvalidRequest)

	bad := p.client(t, func(c *Config) { c.ClientSecret = "wrong-secret-0123456789abcdef0123" })
	err := bad.Revoke(context.Background(), Token(strings.Repeat("a", 43)))
	var pe *ProviderError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "invalid_request", pe.Code)
	assert.NotContains(t, err.Error(), "wrong-secret")
}

// The redacted form of a hint, what json.Marshal of a Token gives, is
// explained rather than sent.
func TestLogoutExplainsARedactedHint(t *testing.T) {
	c := newProvider(t, FranceConnectPlus).client(t)
	idt, err := c.VerifyIDToken(context.Background(), tokenCase{}.mint(t, loadTestKeys(t)), fixState0())
	require.NoError(t, err)
	stored, err := json.Marshal(struct{ Hint Token }{idt.Hint()})
	require.NoError(t, err)
	var back struct{ Hint string }
	require.NoError(t, json.Unmarshal(stored, &back))
	lr, err := c.Logout(context.Background(), Token(back.Hint))
	require.ErrorIs(t, err, ErrInvalidRequest)
	assert.Nil(t, lr)
	assert.Contains(t, err.Error(), "string(login.IDToken.Hint())")
}
