package franceconnect_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect"
	"github.com/go-franceconnect/franceconnect/fctest"
)

const (
	e2eRedirect = "http://127.0.0.1:9/callback"
	e2eLogout   = "http://127.0.0.1:9/logout-callback"
)

// e2eClient registers a fresh FS on srv and returns a Client for it.
func e2eClient(t *testing.T, srv *fctest.Server, encAlg, sigAlg string) *franceconnect.Client {
	t.Helper()
	cfg := franceconnect.Config{
		Issuer: srv.Issuer(), ClientID: "fs-" + strings.ToLower(encAlg+sigAlg), ClientSecret: franceconnect.Secret(strings.Repeat("s3cr3t", 6)),
		RedirectURL: e2eRedirect, PostLogoutRedirectURL: e2eLogout,
		Scopes: []string{"openid", "identite_pivot", "email", "preferred_username"},
	}
	reg := fctest.Registration{ID: cfg.ClientID, Secret: fctest.Secret(cfg.ClientSecret), RedirectURIs: []string{e2eRedirect},
		PostLogoutRedirectURIs: []string{e2eLogout}, AllowAMR: true, SignedResponseAlg: sigAlg, EncryptedResponseAlg: encAlg}
	if srv.Platform() == fctest.FranceConnect {
		cfg.Platform, cfg.SigningAlgs = franceconnect.FranceConnect, []string{sigAlg} // as registered
	}
	if encAlg != "" {
		key, err := franceconnect.GenerateKey(encAlg, "")
		require.NoError(t, err)
		cfg.DecryptionKeys = []franceconnect.Key{key}
		reg.JWKS, err = franceconnect.PublicJWKS(cfg.DecryptionKeys)
		require.NoError(t, err)
	}
	require.NoError(t, srv.Register(reg))
	c, err := franceconnect.New(context.Background(), cfg)
	require.NoError(t, err)
	return c
}

func TestEndToEndEveryAlgorithmPair(t *testing.T) {
	for _, tt := range []struct {
		platform       fctest.Platform
		encAlg, sigAlg string
	}{
		{fctest.FranceConnectPlus, "ECDH-ES", "ES256"},
		{fctest.FranceConnectPlus, "RSA-OAEP-256", "ES256"},
		{fctest.FranceConnectPlus, "RSA-OAEP", "ES256"},
		{fctest.FranceConnect, "", "ES256"},
		{fctest.FranceConnect, "", "RS256"},
		{fctest.FranceConnect, "RSA-OAEP-256", "RS256"},
	} {
		t.Run(tt.platform.String()+"/"+tt.encAlg+"/"+tt.sigAlg, func(t *testing.T) {
			ctx := context.Background()
			srv := fctest.New(t, fctest.Options{Platform: tt.platform})
			c := e2eClient(t, srv, tt.encAlg, tt.sigAlg)

			auth, err := c.Authorize(ctx, franceconnect.AuthRequest{Claims: franceconnect.RequestAMR()})
			require.NoError(t, err)
			cb, err := srv.SignIn(ctx, auth.URL, "accents")
			require.NoError(t, err)
			u, err := url.Parse(cb)
			require.NoError(t, err)
			login, err := c.Callback(ctx, u.Query(), auth.AuthState)
			require.NoError(t, err)

			assert.Equal(t, srv.Subject(c.ClientID(), "accents"), login.IDToken.Subject)
			assert.Regexp(t, `^[0-9a-f]{64}v1$`, login.IDToken.Subject)
			assert.NotEmpty(t, login.IDToken.AMR)
			assert.Equal(t, "Éloïse Maëlle", login.Identity.GivenName)
			assert.Equal(t, "D'HÉRICOURT", login.Identity.FamilyName)
			assert.Equal(t, "CŒURDEROY", login.Identity.PreferredUsername)
			if tt.platform == fctest.FranceConnectPlus {
				assert.True(t, login.IDToken.ACR.Satisfies(franceconnect.EIDAS2))
			} else {
				assert.Equal(t, franceconnect.EIDAS1, login.IDToken.ACR)
			}

			lr, err := c.Logout(ctx, login.IDToken.Hint())
			require.NoError(t, err)
			back, err := srv.Logout(ctx, lr.URL)
			require.NoError(t, err)
			bu, err := url.Parse(back)
			require.NoError(t, err)
			require.NoError(t, c.LogoutCallback(bu.Query(), lr.State))
			require.NoError(t, c.Revoke(ctx, login.AccessToken))
			_, err = c.UserInfo(ctx, &login.Tokens)
			require.ErrorIs(t, err, franceconnect.ErrProvider, "a revoked token no longer opens userinfo")
		})
	}
}

func TestEndToEndCodeReplayAndCancel(t *testing.T) {
	ctx := context.Background()
	srv := fctest.New(t, fctest.Options{})
	c := e2eClient(t, srv, "ECDH-ES", "ES256")
	auth, err := c.Authorize(ctx, franceconnect.AuthRequest{})
	require.NoError(t, err)
	cb, err := srv.SignIn(ctx, auth.URL, "camille")
	require.NoError(t, err)
	u, _ := url.Parse(cb)
	_, err = c.Callback(ctx, u.Query(), auth.AuthState)
	require.NoError(t, err)
	login, err := c.Callback(ctx, u.Query(), auth.AuthState)
	var pe *franceconnect.ProviderError
	require.ErrorAs(t, err, &pe, "a code is single use")
	assert.Equal(t, "invalid_grant", pe.Code)
	assert.Nil(t, login)

	auth, err = c.Authorize(ctx, franceconnect.AuthRequest{})
	require.NoError(t, err)
	cb, err = srv.Cancel(ctx, auth.URL)
	require.NoError(t, err)
	u, _ = url.Parse(cb)
	_, err = c.Callback(ctx, u.Query(), auth.AuthState)
	require.ErrorAs(t, err, &pe)
	assert.True(t, pe.UserCancelled())
}

func TestEndToEndStepUpToEIDAS3(t *testing.T) {
	ctx := context.Background()
	srv := fctest.New(t, fctest.Options{})
	c := e2eClient(t, srv, "ECDH-ES", "ES256")
	auth, err := c.Authorize(ctx, franceconnect.AuthRequest{ACR: franceconnect.EIDAS3})
	require.NoError(t, err)
	_, err = srv.SignIn(ctx, auth.URL, "substantiel")
	var pageErr *fctest.PageError
	require.ErrorAs(t, err, &pageErr, "an eidas2-only identity cannot reach eidas3")
	assert.Equal(t, "Y100001", pageErr.Code)

	cb, err := srv.SignIn(ctx, auth.URL, "camille")
	require.NoError(t, err)
	u, _ := url.Parse(cb)
	login, err := c.Callback(ctx, u.Query(), auth.AuthState)
	require.NoError(t, err)
	assert.Equal(t, franceconnect.EIDAS3, login.IDToken.ACR)
}
