package fcdata

import (
	"context"
	"crypto/tls"
	"net/http"
	"testing"

	gojose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect"
)

// A genuine signature under a header member outside the allow-list is
// refused once verified: the member plays no part in the signature check.
func TestVerifyRefusesUnlistedHeaderMembers(t *testing.T) {
	secret := franceconnect.Secret("hs256-resource-server-secret-0123456789")
	v := &Verifier{s: &settings{platform: franceconnect.ProConnect, sigAlg: "HS256", secret: secret}}
	sign := func(opts *gojose.SignerOptions) string {
		s, err := gojose.NewSigner(gojose.SigningKey{Algorithm: gojose.HS256, Key: []byte(secret)}, opts)
		require.NoError(t, err)
		obj, err := s.Sign([]byte(`{"iss":"x"}`))
		require.NoError(t, err)
		out, err := obj.CompactSerialize()
		require.NoError(t, err)
		return out
	}
	_, err := v.verify(context.Background(), sign(nil))
	require.NoError(t, err)
	_, err = v.verify(context.Background(), sign((&gojose.SignerOptions{}).WithHeader("x-extra", "1")))
	require.ErrorIs(t, err, franceconnect.ErrMalformedToken)
	require.ErrorIs(t, err, ErrIntrospection)
}

// The default client keeps a pool for many checks at once, and never
// follows a redirect with the client secret.
func TestDefaultHTTPClient(t *testing.T) {
	hc := defaultHTTPClient()
	tr, ok := hc.Transport.(*http.Transport)
	require.True(t, ok)
	require.Equal(t, franceconnect.DefaultMaxIdleConnsPerHost, tr.MaxIdleConnsPerHost)
	require.Equal(t, uint16(tls.VersionTLS12), tr.TLSClientConfig.MinVersion)
	require.NotNil(t, tr.Proxy, "proxies from the environment, as net/http's default")
	require.Equal(t, franceconnect.DefaultHTTPTimeout, hc.Timeout)
	require.ErrorIs(t, hc.CheckRedirect(nil, nil), http.ErrUseLastResponse)
}
