package franceconnect

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAuthorizeURL(t *testing.T) {
	c := newProvider(t, FranceConnectPlus).client(t)
	a, err := c.Authorize(context.Background(), AuthRequest{Claims: RequestAMR(), PromptLogin: true, IDPHint: "idp-uid"})
	require.NoError(t, err)
	u, err := url.Parse(a.URL)
	require.NoError(t, err)
	assert.Equal(t, "https://example.com/api/v2/authorize", u.Scheme+"://"+u.Host+u.Path)
	q := u.Query()
	assert.Equal(t, "code", q.Get("response_type"))
	assert.Equal(t, fixClientID, q.Get("client_id"))
	assert.Equal(t, fixRedirect, q.Get("redirect_uri"))
	assert.Equal(t, "openid identite_pivot email", q.Get("scope"))
	assert.Equal(t, "eidas2", q.Get("acr_values"))
	assert.Equal(t, `{"id_token":{"amr":{"essential":true}}}`, q.Get("claims"))
	assert.Equal(t, "login", q.Get("prompt"))
	assert.Equal(t, "idp-uid", q.Get("idp_hint"))
	assert.Len(t, q.Get("state"), 64)
	assert.Len(t, q.Get("nonce"), 64)
	assert.Equal(t, a.State, q.Get("state"))
	assert.Equal(t, a.Nonce, q.Get("nonce"))
	assert.Equal(t, EIDAS2, a.ACR)
	whitelist := map[string]bool{"response_type": true, "client_id": true, "redirect_uri": true, "scope": true,
		"acr_values": true, "state": true, "nonce": true, "claims": true, "prompt": true, "idp_hint": true}
	for k := range q {
		assert.True(t, whitelist[k], "parameter %q is outside FranceConnect's whitelist", k)
	}

	b, err := c.Authorize(context.Background(), AuthRequest{})
	require.NoError(t, err)
	assert.NotEqual(t, a.State, b.State, "state must be fresh")
	assert.NotEqual(t, a.Nonce, b.Nonce, "nonce must be fresh")
	assert.NotContains(t, b.URL, "prompt=")
	assert.NotContains(t, b.URL, "claims=")
}

func TestAuthorizeOptions(t *testing.T) {
	c := newProvider(t, FranceConnectPlus).client(t)
	long := strings.Repeat("s", 32)
	a, err := c.Authorize(context.Background(), AuthRequest{State: long, Nonce: long + "n", ACR: EIDAS3, Scopes: []string{"openid", "email"}})
	require.NoError(t, err)
	assert.Equal(t, AuthState{State: long, Nonce: long + "n", ACR: EIDAS3, Started: fixNow}, a.AuthState)
	assert.Equal(t, "openid email", a.Params.Get("scope"))
	assert.Equal(t, "eidas3", a.Params.Get("acr_values"))

	bad := []AuthRequest{
		{State: strings.Repeat("s", 31)},
		{Nonce: "short"},
		{State: strings.Repeat("é", 40)},
		{Nonce: strings.Repeat("n", 40) + " x"},
		{ACR: EIDAS1},
		{ACR: "eidas4"},
		{Scopes: []string{"profile"}},
	}
	for _, r := range bad {
		_, err := c.Authorize(context.Background(), r)
		require.ErrorIs(t, err, ErrInvalidRequest, "%+v", r)
	}
}

func TestAuthorizeFormPOST(t *testing.T) {
	c := newProvider(t, FranceConnectPlus).client(t)
	a, err := c.Authorize(context.Background(), AuthRequest{IDPHint: "idp<x>", Claims: RequestAMR()})
	require.NoError(t, err)
	var sb strings.Builder
	require.NoError(t, a.WriteForm(&sb))
	html := sb.String()
	assert.Contains(t, html, `<form method="post" action="https://example.com/api/v2/authorize?idp_hint=idp%3Cx%3E">`)
	assert.Contains(t, html, `name="state" value="`+a.State+`"`)
	assert.Contains(t, html, `name="nonce" value="`+a.Nonce+`"`)
	assert.Contains(t, html, `name="claims" value="{&#34;id_token&#34;:{&#34;amr&#34;:{&#34;essential&#34;:true}}}"`)
	assert.NotContains(t, html, `name="idp_hint"`, "idp_hint is only read from the query")
	assert.NotContains(t, html, "<x>", "values are escaped")
}

func TestACRLevels(t *testing.T) {
	assert.True(t, EIDAS3.Satisfies(EIDAS2))
	assert.True(t, EIDAS2.Satisfies(EIDAS2))
	assert.False(t, EIDAS2.Satisfies(EIDAS3))
	assert.False(t, EIDAS1.Satisfies(EIDAS2))
	assert.False(t, ACR("eidas9").Satisfies(EIDAS1))
	assert.False(t, EIDAS3.Satisfies("bogus"))
	assert.Equal(t, 0, ACR("").Level())
}
