package fcdata

import (
	"context"
	"crypto/tls"
	"net/http"
	"testing"
	"time"

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

// The verdict reads token_introspection (or ProConnect's JSON answer) by
// exact member names, and refuses a member repeated at any depth: a reader
// keeping the last one, or matching names without case, would see another
// token than the platform described.
func TestVerdictReadsMembersExactly(t *testing.T) {
	now := time.Unix(1800000000, 0)
	v := &Verifier{s: &settings{platform: franceconnect.ProConnect, issuer: "https://p.example/api/v2", clientID: "dp",
		leeway: franceconnect.DefaultLeeway, now: func() time.Time { return now }}}
	const live = `"client_id":"fs","sub":"s","exp":1800000060`
	for _, tc := range []struct {
		name, answer string
		want         error
	}{
		{"active repeated", `{"active":false,` + live + `,"active":true}`, franceconnect.ErrMalformedToken},
		{"scope repeated", `{"active":true,` + live + `,"scope":"a","scope":"a b"}`, franceconnect.ErrMalformedToken},
		{"repeated in a nested object", `{"active":true,` + live + `,"x":{"k":1,"k":2}}`, franceconnect.ErrMalformedToken},
		{"Active for active", `{"Active":true,` + live + `}`, franceconnect.ErrMissingClaim},
		{"SUB for sub", `{"active":true,"client_id":"fs","SUB":"s","exp":1800000060}`, franceconnect.ErrMissingClaim},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := v.answer(context.Background(), "application/json", []byte(tc.answer))
			require.ErrorIs(t, err, tc.want)
			require.ErrorIs(t, err, ErrIntrospection)
			require.Nil(t, res)
		})
	}
	res, err := v.answer(context.Background(), "application/json", []byte(`{"active":true,`+live+`,"scope":"a b"}`))
	require.NoError(t, err)
	require.Equal(t, &Introspection{Active: true, ClientID: "fs", Subject: "s", Scopes: []string{"a", "b"},
		Expiry: time.Unix(1800000060, 0)}, res)
}
