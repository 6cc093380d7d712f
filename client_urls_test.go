package franceconnect_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect"
	"github.com/go-franceconnect/franceconnect/fctest"
)

func TestClientURLAccessors(t *testing.T) {
	srv := fctest.New(t, fctest.Options{})
	key, err := franceconnect.GenerateKey(franceconnect.ECDHES, "")
	require.NoError(t, err)
	jwks, err := franceconnect.PublicJWKS([]franceconnect.Key{key})
	require.NoError(t, err)
	const secret = "accessor-secret-0123456789abcdef0123"
	require.NoError(t, srv.Register(fctest.Registration{ID: "accessor-fs", Secret: secret,
		RedirectURIs: []string{"https://fs.example.fr/oidc/cb"}, PostLogoutRedirectURIs: []string{"https://fs.example.fr/bye"},
		JWKS: jwks}))
	c, err := franceconnect.New(context.Background(), franceconnect.Config{
		Issuer: srv.Issuer(), ClientID: "accessor-fs", ClientSecret: secret,
		RedirectURL: "https://fs.example.fr/oidc/cb", PostLogoutRedirectURL: "https://fs.example.fr/bye",
		Scopes: []string{"openid"}, DecryptionKeys: []franceconnect.Key{key},
	})
	require.NoError(t, err)
	assert.Equal(t, "https://fs.example.fr/oidc/cb", c.RedirectURL())
	assert.Equal(t, "https://fs.example.fr/bye", c.PostLogoutRedirectURL())
}
