package franceconnect_test

import (
	"context"
	"crypto/tls"
	"net/http"
	"net/url"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect"
	"github.com/go-franceconnect/franceconnect/fctest"
)

// The code of docs/configuration.md, docs/proconnect.md and
// docs/protocol.md: each declaration below appears there as it is written
// here (TestDocsShowCompiledCode), and the tests below run it.

// ownHTTPClient gives cfg an HTTP client of its own with the settings of the
// Client's default transport.
func ownHTTPClient(cfg *franceconnect.Config) {
	tr := http.DefaultTransport.(*http.Transport).Clone() // proxy from the environment, HTTP/2 attempted
	tr.MaxIdleConnsPerHost = franceconnect.DefaultMaxIdleConnsPerHost
	tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	tr.ResponseHeaderTimeout = franceconnect.DefaultResponseHeaderTimeout
	cfg.HTTPClient = &http.Client{Transport: tr, Timeout: franceconnect.DefaultHTTPTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// proConnectTool is the configuration of a tool for public agents on
// ProConnect's integration platform, which accepts only logins with two
// factors. After Callback: login.Identity.Agent.SIRET, .OrganizationLabel,
// .Roles, and login.IDToken.ACR.
func proConnectTool() franceconnect.Config {
	return franceconnect.Config{
		Environment:           franceconnect.PCIntegration, // PCProduction; PCIntegrationRIE, PCProductionRIE on the State intranet
		ClientID:              os.Getenv("FC_CLIENT_ID"),
		ClientSecret:          franceconnect.Secret(os.Getenv("FC_CLIENT_SECRET")),
		RedirectURL:           "https://outil.example.gouv.fr/callback",
		PostLogoutRedirectURL: "https://outil.example.gouv.fr/logout-callback",
		Scopes:                []string{"openid", "given_name", "usual_name", "email", "siret", "organization_label"},
		AcceptedACRs:          franceconnect.ProConnectWithMFA(), // the levels this tool accepts
		SigningAlgs:           []string{"RS256"},                 // what you registered
	}
}

func TestOwnHTTPClientDoc(t *testing.T) {
	e := newConfEnv(t, fcPlus)
	ownHTTPClient(&e.cfg)
	tr := e.cfg.HTTPClient.Transport.(*http.Transport)
	require.Equal(t, franceconnect.DefaultMaxIdleConnsPerHost, tr.MaxIdleConnsPerHost)
	require.Equal(t, http.ErrUseLastResponse, e.cfg.HTTPClient.CheckRedirect(nil, nil))
	login, err := e.login(franceconnect.AuthRequest{}, "camille")
	require.NoError(t, err, "a login through the documented client")
	require.NotEmpty(t, login.Identity.GivenName)
}

func TestProConnectToolDoc(t *testing.T) {
	t.Setenv("FC_CLIENT_ID", "outil-agents")
	cfg := proConnectTool()
	require.Equal(t, franceconnect.PCIntegration, cfg.Environment)
	require.Equal(t, "outil-agents", cfg.ClientID)
	require.Equal(t, franceconnect.ProConnectWithMFA(), cfg.AcceptedACRs)
}

// TestProtocolWithTheEmulator signs camille in with the package alone
// against fctest, then checks that a userinfo about another person is
// refused.
func TestProtocolWithTheEmulator(t *testing.T) {
	emu := fctest.New(t, fctest.Options{})                                // FranceConnect+ on a loopback port
	emu.RegisterFS(t, fctest.FS{Site: "https://fs.example.fr"}).Setenv(t) // keys, secret, FC_* variables
	cfg, err := franceconnect.ConfigFromEnv()
	require.NoError(t, err)
	ctx := context.Background()
	client, err := franceconnect.New(ctx, cfg)
	require.NoError(t, err)

	login := func() (*franceconnect.Login, error) {
		auth, err := client.Authorize(ctx, franceconnect.AuthRequest{})
		require.NoError(t, err)
		callback, err := emu.SignIn(ctx, auth.URL, "camille") // plays the browser, picks an identity
		require.NoError(t, err)
		u, err := url.Parse(callback)
		require.NoError(t, err)
		return client.Callback(ctx, u.Query(), auth.AuthState)
	}
	l, err := login()
	require.NoError(t, err)
	require.Equal(t, "Camille Hélène", l.Identity.GivenName)

	emu.InjectFault(fctest.FaultUserinfoSubMismatch) // the next userinfo names someone else
	_, err = login()
	require.ErrorIs(t, err, franceconnect.ErrSubjectMismatch)
}
