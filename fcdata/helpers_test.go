package fcdata_test

import (
	"context"
	"net/url"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect"
	"github.com/go-franceconnect/franceconnect/fcdata"
	"github.com/go-franceconnect/franceconnect/fctest"
)

const (
	fsSecret = "fcdata-test-fs-client-secret-0123456789"
	dpID     = "dp-quotient-familial"
	dpSecret = "fcdata-test-data-provider-secret-0123"
	redirect = "http://127.0.0.1:9/callback"
)

var (
	fsKey = sync.OnceValue(func() franceconnect.Key { return mustKey(franceconnect.ECDHES, "fs-ecdh") })
	dpKey = sync.OnceValue(func() franceconnect.Key { return mustKey(franceconnect.RSAOAEP256, "dp-rsa") })
	// dpKeyOAEP is a second key of the data provider, for RSA-OAEP: the
	// answer to dpKey under RSA-OAEP must not open with it, nor with dpKey.
	dpKeyOAEP = sync.OnceValue(func() franceconnect.Key { return mustKey(franceconnect.RSAOAEP, "dp-rsa-oaep") })
)

func mustKey(alg, kid string) franceconnect.Key {
	k, err := franceconnect.GenerateKey(alg, kid)
	if err != nil {
		panic(err)
	}
	return k
}

// setup is the platform of a test and the algorithm the data provider
// registered.
type setup struct {
	platform fctest.Platform
	sigAlg   string // "" on ProConnect: JSON answers
}

var (
	fcPlus     = setup{platform: fctest.FranceConnectPlus}
	fcRS256    = setup{platform: fctest.FranceConnect, sigAlg: "RS256"}
	pcJSON     = setup{platform: fctest.ProConnect}
	pcJWT      = setup{platform: fctest.ProConnect, sigAlg: "ES256"}
	allSetups  = []setup{fcPlus, fcRS256, pcJSON, pcJWT}
	dataScopes = map[fctest.Platform][]string{
		fctest.FranceConnectPlus: {"openid", "identite_pivot", "dgfip_rfr", "dgfip_nbpart"},
		fctest.FranceConnect:     {"openid", "identite_pivot", "dgfip_rfr", "dgfip_nbpart"},
		fctest.ProConnect:        {"openid", "given_name", "usual_name", "email", "siret", "organization_label"},
	}
)

// env is an emulator with one FS and one data provider registered.
type env struct {
	t   testing.TB
	s   setup
	srv *fctest.Server
	fs  *franceconnect.Client
	cfg fcdata.Config
}

func newEnv(t testing.TB, s setup, edit ...func(*fctest.DataProvider)) *env {
	t.Helper()
	e := &env{t: t, s: s, srv: fctest.New(t, fctest.Options{Platform: s.platform})}
	scopes := dataScopes[s.platform]
	reg := fctest.Registration{ID: "fs-test", Secret: fsSecret, RedirectURIs: []string{redirect}, Scopes: nil}
	fsCfg := franceconnect.Config{Issuer: e.srv.Issuer(), ClientID: reg.ID, ClientSecret: fsSecret,
		RedirectURL: redirect, PostLogoutRedirectURL: redirect, Scopes: scopes}
	dp := fctest.DataProvider{ID: dpID, Secret: dpSecret, Scopes: scopes[2:], SignedResponseAlg: s.sigAlg}
	e.cfg = fcdata.Config{Issuer: e.srv.Issuer(), ClientID: dpID, ClientSecret: dpSecret, SigningAlg: s.sigAlg}
	switch s.platform {
	case fctest.FranceConnectPlus:
		fsCfg.DecryptionKeys = []franceconnect.Key{fsKey()}
		reg.JWKS = publicJWKS(t, fsKey())
	case fctest.FranceConnect:
		fsCfg.Platform = franceconnect.FranceConnect
		e.cfg.Platform = franceconnect.FranceConnect
	case fctest.ProConnect:
		fsCfg.Platform, fsCfg.AcceptedACRs = franceconnect.ProConnect, franceconnect.ProConnectAnyLevel()
		fsCfg.UserInfo = franceconnect.UserInfoJSON
		e.cfg.Platform = franceconnect.ProConnect
		dp.Scopes = []string{"siret", "organization_label"}
	}
	if s.platform != fctest.ProConnect {
		e.cfg.DecryptionKeys = []franceconnect.Key{dpKey()}
		dp.JWKS = publicJWKS(t, dpKey())
	}
	for _, f := range edit {
		f(&dp)
	}
	require.NoError(t, e.srv.Register(reg))
	require.NoError(t, e.srv.RegisterDataProvider(dp))
	var err error
	e.fs, err = franceconnect.New(context.Background(), fsCfg)
	require.NoError(t, err)
	return e
}

func publicJWKS(t testing.TB, k franceconnect.Key) []byte {
	b, err := franceconnect.PublicJWKS([]franceconnect.Key{k})
	require.NoError(t, err)
	return b
}

// person is the identity (an agent on ProConnect) a login picks.
func (e *env) person() string {
	if e.s.platform == fctest.ProConnect {
		return "agent_mfa"
	}
	return "camille"
}

// login signs someone in at the FS and returns the login.
func (e *env) login(who string) *franceconnect.Login {
	e.t.Helper()
	ctx := context.Background()
	auth, err := e.fs.Authorize(ctx, franceconnect.AuthRequest{})
	require.NoError(e.t, err)
	cb, err := e.srv.SignIn(ctx, auth.URL, who)
	require.NoError(e.t, err)
	u, err := url.Parse(cb)
	require.NoError(e.t, err)
	login, err := e.fs.Callback(ctx, u.Query(), auth.AuthState)
	require.NoError(e.t, err)
	return login
}

// token is the access token of a fresh login.
func (e *env) token() string { return string(e.login(e.person()).AccessToken) }

// verifier builds the data provider's Verifier, with edits of its Config.
func (e *env) verifier(edit ...func(*fcdata.Config)) *fcdata.Verifier {
	e.t.Helper()
	cfg := e.cfg
	for _, f := range edit {
		f(&cfg)
	}
	v, err := fcdata.New(context.Background(), cfg)
	require.NoError(e.t, err)
	return v
}
