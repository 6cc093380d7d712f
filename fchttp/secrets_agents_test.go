package fchttp_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect"
	"github.com/go-franceconnect/franceconnect/fchttp"
	"github.com/go-franceconnect/franceconnect/fctest"
)

// agentMarker is the marker of the ProConnect cases: an agent whose every
// claim is recognisable.
var agentMarker = fctest.Agent{Login: marker.Login, GivenName: "Zéphyrine MARQUEURPRENOM", UsualName: "MARQUEURNOM",
	Email: "marqueur.courriel@exemple.gouv.fr", UID: "MARQUEUR-uid", SIRET: "19750123400019",
	OrganizationLabel: "Organisation MARQUEUR", ACR: "eidas1-mfa", AMR: []string{"pwd", "otp", "mfa"},
	Roles: []string{"agent_public"}}

// agentSite is the ProConnect site of a case: an emulator offering the
// agent marker behind w, and an instance of the FS, registered as a new
// ProConnect service (RS256), whose Config is changed by edit.
func agentSite(t *testing.T, w *wire, edit func(*fchttp.Config)) (*env, *app) {
	t.Helper()
	emu := fctest.New(t, fctest.Options{Platform: fctest.ProConnect, Agents: append(fctest.DemoAgents(), agentMarker),
		Middleware: w.middleware})
	require.NoError(t, emu.Register(fctest.Registration{ID: clientID, Secret: secret, RedirectURIs: []string{site + "/callback"},
		PostLogoutRedirectURIs: []string{site + "/logout-callback"}, UserinfoSignedResponseAlg: "RS256"}))
	client, err := franceconnect.New(context.Background(), franceconnect.Config{
		Issuer: emu.Issuer(), Platform: franceconnect.ProConnect, ClientID: clientID, ClientSecret: secret,
		RedirectURL: site + "/callback", PostLogoutRedirectURL: site + "/logout-callback",
		Scopes:       []string{"openid", "given_name", "usual_name", "email", "uid", "siret", "organization_label"},
		AcceptedACRs: franceconnect.ProConnectWithMFA(),
	})
	require.NoError(t, err)
	e := &env{t: t, emu: emu, ring: [][]byte{newKey()}}
	cfg := fchttp.Config{Client: client, SessionKeys: e.ring,
		OnLogin: func(_ http.ResponseWriter, _ *http.Request, l *franceconnect.Login) (any, error) {
			return l.Identity.Agent.GivenName, nil
		}}
	edit(&cfg)
	fc, err := fchttp.New(cfg)
	require.NoError(t, err)
	return e, mount(fc)
}

// dataCallTooLate makes OnLogin call a data provider after a step that took
// longer than the access token lives (60 s on FranceConnect+): DataClient
// refuses to send it, and the login fails.
func dataCallTooLate(c *fchttp.Config, s *secretSite) {
	c.Client = s.e.clientWith(func(cfg *franceconnect.Config) { cfg.Now = s.clock.Now })
	client := c.Client
	c.OnLogin = func(_ http.ResponseWriter, r *http.Request, l *franceconnect.Login) (any, error) {
		s.clock.Advance(2 * time.Minute)
		hc, err := client.DataClient(&l.Tokens, franceconnect.DataProvider{URL: "https://data.example.gouv.fr/api/"})
		if err != nil {
			return nil, err
		}
		req, err := http.NewRequestWithContext(r.Context(), http.MethodGet, "https://data.example.gouv.fr/api/v1/me", nil)
		if err != nil {
			return nil, err
		}
		resp, err := hc.Do(req)
		if err != nil {
			return nil, err
		}
		_ = resp.Body.Close()
		return l.Identity.GivenName, nil
	}
}

// providerAnswer brings the browser back from ProConnect with an error
// answer whose error_uri carries code, as ProConnect redirects to the FS.
func providerAnswer(oauthCode, code string) func(*testing.T, *secretSite) *fctest.Response {
	return func(t *testing.T, s *secretSite) *fctest.Response {
		start := mustOpen(t, s.u, "/login")
		q := url.Values{"state": {query(t, start).Get("state")}, "iss": {s.e.emu.Issuer()}, "error": {oauthCode},
			"error_description": {"see error_uri"}, "error_uri": {"https://fca.integ01.dev-agentconnect.fr/api/v2/error?code=" + code}}
		return mustOpen(t, s.u, site+"/callback?"+q.Encode())
	}
}

// agentSecretCases are the failures of a ProConnect login: its levels, its
// codes, and the service's own access policy.
func agentSecretCases() []secretCase {
	fault := func(name string, f fctest.Fault) secretCase {
		c := faultCase(name, f)
		c.agents = true
		return c
	}
	return []secretCase{
		fault("no accepted level reachable (Y020032)", fctest.FaultACRNotSatisfied),
		fault("a service for public agents only (Y500015)", fctest.FaultPublicAgentsOnly),
		fault("an acr outside the accepted levels", fctest.FaultACRLower),
		{name: "ProConnect lost its session (Y030110)", agents: true, run: providerAnswer("invalid_request", "Y030110")},
		{name: "ProConnect refuses the service's configuration (Y04A586)", agents: true,
			run: providerAnswer("invalid_client", "Y04A586")},
		{name: "the service's AgentPolicy refuses the agent", agents: true, edit: func(c *fchttp.Config, _ *secretSite) {
			policy := franceconnect.AgentPolicy{EmailDomains: []string{"interieur.gouv.fr"}, SIRENs: []string{"130025265"}}
			c.OnLogin = func(_ http.ResponseWriter, _ *http.Request, l *franceconnect.Login) (any, error) {
				if err := policy.Check(l.Identity.Agent); err != nil {
					return nil, err
				}
				return l.Identity.Agent.GivenName, nil
			}
		}, run: func(t *testing.T, s *secretSite) *fctest.Response { return s.login(t) }, organisation: true},
	}
}
