package fchttp_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect"
	"github.com/go-franceconnect/franceconnect/fchttp"
	"github.com/go-franceconnect/franceconnect/fctest"
)

// TestStepUpConformance runs the step-up of a person signed in at eidas2
// to a page that needs eidas3 against each way a provider, or the person,
// can answer it wrongly. Every answer is refused with its page; the
// session stays as it was (eidas2, the same data), except when another
// person authenticated, which ends it. The page is never reached.
func TestStepUpConformance(t *testing.T) {
	const kept, ended = "Bonjour Camille Hélène #2 (eidas2)", "Anonyme"
	for _, tc := range []struct {
		name    string
		fault   fctest.Fault
		who     string
		status  int
		names   []string
		session string
	}{
		{"prompt=login ignored: the earlier session answers", fctest.FaultPromptLoginIgnored, "camille", http.StatusBadGateway,
			[]string{"ErrInvalidIDToken"}, kept},
		{"no auth_time after prompt=login", fctest.FaultMissingAuthTime, "camille", http.StatusBadGateway,
			[]string{"ErrStaleAuthentication", "ErrInvalidIDToken"}, kept},
		{"a level below the step-up's", fctest.FaultACRLower, "camille", http.StatusBadGateway, []string{"ErrACRTooLow"}, kept},
		{"an id_token of another login", fctest.FaultWrongNonce, "camille", http.StatusBadGateway, []string{"ErrNonceMismatch"}, kept},
		{"the person cancels", fctest.FaultAccessDenied, "camille", http.StatusBadRequest, []string{"ProviderError access_denied"}, kept},
		{"another person authenticates", fctest.FaultNone, "nom_usage", http.StatusForbidden,
			[]string{"ErrSubjectMismatch", "ErrInvalidIDToken"}, ended},
		{"another person, whose userinfo is someone else's", fctest.FaultUserinfoSubMismatch, "nom_usage", http.StatusForbidden,
			[]string{"ErrSubjectMismatch"}, ended},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := ssoEnv(t)
			s := newStepSite(t, e, fchttp.Requirement{Levels: []franceconnect.ACR{franceconnect.EIDAS3}}, nil)
			u := e.user(s)
			browseAtEidas2(t, s, u)
			start := mustOpen(t, u, "/banque")
			require.True(t, e.isAuthorize(start), "HTTP %d %s", start.Status, start.Body)
			e.emu.InjectFault(tc.fault)
			page, err := u.ChooseIdentity(context.Background(), start, tc.who)
			require.NoError(t, err)
			requireProblem(t, page, tc.status, tc.names...)
			assert.Contains(t, mustOpen(t, u, "/compte").Body, tc.session)
			assert.EqualValues(t, 2, s.logins.Load(), "OnLogin never ran for the step-up")
			assert.Zero(t, s.posts.Load())
		})
	}
}

// pcStepSite is an FS on a ProConnect emulator started with opts, whose
// Client accepts levels (nil: any), with a page /banque guarded by rq;
// emulator, Client and web layer share opts.Now.
func pcStepSite(t *testing.T, opts fctest.Options, levels []franceconnect.ACR, rq fchttp.Requirement,
	edit func(*fchttp.Config)) (*fctest.Server, *stepSite, *fctest.Visitor) {
	t.Helper()
	opts.Platform = fctest.ProConnect
	emu := fctest.New(t, opts)
	require.NoError(t, emu.Register(fctest.Registration{ID: clientID, Secret: secret, RedirectURIs: []string{site + "/callback"},
		PostLogoutRedirectURIs: []string{site + "/logout-callback"}, UserinfoSignedResponseAlg: "RS256"}))
	client, err := franceconnect.New(context.Background(), franceconnect.Config{
		Issuer: emu.Issuer(), Platform: franceconnect.ProConnect, ClientID: clientID, ClientSecret: secret,
		RedirectURL: site + "/callback", PostLogoutRedirectURL: site + "/logout-callback", Now: opts.Now,
		Scopes: []string{"openid", "given_name", "usual_name", "siret", "organization_label"}, AcceptedACRs: levels,
	})
	require.NoError(t, err)
	s := &stepSite{}
	cfg := fchttp.Config{Client: client, SessionKeys: [][]byte{newKey()}, Now: opts.Now,
		OnLogin: func(w http.ResponseWriter, r *http.Request, l *franceconnect.Login) (any, error) {
			return l.Identity.Agent.GivenName + " #" + itoa(int(s.logins.Add(1))), nil
		}}
	if edit != nil {
		edit(&cfg)
	}
	fc, err := fchttp.New(cfg)
	require.NoError(t, err)
	s.app = mount(fc)
	guard, err := s.fc.Require(rq)
	require.NoError(t, err)
	s.mux.Handle("/banque", guard(http.HandlerFunc(s.bank)))
	u, err := emu.NewHandlerVisitor(s, site)
	require.NoError(t, err)
	return emu, s, u
}

// needs is the Requirement of levels.
func needs(levels ...franceconnect.ACR) fchttp.Requirement { return fchttp.Requirement{Levels: levels} }

// TestRequireLevelProConnect: on ProConnect a page needs a set of levels,
// met by membership: two factors for an agent signed in with one, and a
// set that a "higher" level outside it does not meet. The step-up asks
// the levels as an essential claim with prompt=login, narrowed to the
// Client's.
func TestRequireLevelProConnect(t *testing.T) {
	ctx := context.Background()
	t.Run("to two factors, the same agent", func(t *testing.T) {
		emu, _, u := pcStepSite(t, fctest.Options{}, nil, needs(franceconnect.ProConnectWithMFA()...), nil)
		emu.InjectFault(fctest.FaultACRLower) // the agent signed in with a password alone: eidas0
		cb, err := u.SignIn(ctx, "/", "agent_mfa")
		require.NoError(t, err)
		require.Equal(t, http.StatusSeeOther, cb.Status, cb.Body)
		assert.Contains(t, mustOpen(t, u, "/compte").Body, "Bonjour Claire #1 (eidas0)")

		start := mustOpen(t, u, "/banque")
		require.True(t, isAuthorizeOf(emu, start), "HTTP %d %s", start.Status, start.Body)
		assert.Equal(t, []string{"eidas0-mfa", "eidas1-mfa", "eidas2", "eidas3"}, requestedLevels(t, start))
		assert.Equal(t, "login", query(t, start).Get("prompt"))
		done, err := u.ChooseIdentity(ctx, start, "agent_mfa")
		require.NoError(t, err)
		require.Equal(t, http.StatusSeeOther, done.Status, done.Body)
		openBank(t, u, "GET /banque eidas1-mfa Claire #1")
	})
	t.Run("membership, not order", func(t *testing.T) {
		emu, _, u := pcStepSite(t, fctest.Options{}, nil, needs(franceconnect.EIDAS1MFA), nil)
		cb, err := u.SignIn(ctx, "/", "agent_eidas3")
		require.NoError(t, err)
		require.Equal(t, http.StatusSeeOther, cb.Status, cb.Body)
		start := mustOpen(t, u, "/banque")
		require.True(t, isAuthorizeOf(emu, start), "eidas3 is not among {eidas1-mfa}: HTTP %d", start.Status)
		assert.Equal(t, []string{"eidas1-mfa"}, requestedLevels(t, start))
	})
	t.Run("narrowed to the Client's levels", func(t *testing.T) {
		door := []franceconnect.ACR{franceconnect.EIDAS1, franceconnect.EIDAS1MFA, franceconnect.EIDAS2}
		emu, s, u := pcStepSite(t, fctest.Options{}, door, needs(franceconnect.ProConnectWithMFA()...), nil)
		start := mustOpen(t, u, "/banque")
		require.True(t, isAuthorizeOf(emu, start))
		assert.Equal(t, []string{"eidas1-mfa", "eidas2"}, requestedLevels(t, start), "nobody: a login at those levels")
		assert.Empty(t, query(t, start).Get("prompt"))
		_, err := s.fc.RequireLevel(franceconnect.EIDAS0, franceconnect.EIDAS3)
		require.ErrorIs(t, err, franceconnect.ErrConfig)
		require.ErrorIs(t, err, franceconnect.ErrLevelOutsidePolicy)
		_, err = s.fc.RequireLevel("eidas9")
		require.ErrorIs(t, err, franceconnect.ErrConfig)
	})
}

// isAuthorizeOf reports whether r redirects to emu's authorize.
func isAuthorizeOf(emu *fctest.Server, r *fctest.Response) bool {
	return (&env{emu: emu}).isAuthorize(r)
}

// TestAgentPolicy: a door's AgentPolicy admits the agents it names after
// the login and refuses the others with a 403 page that states the rule,
// the agent's organisation and how to ask for access; nobody is signed in
// afterwards, not even who was before, and OnLogin never sees them.
func TestAgentPolicy(t *testing.T) {
	policy := &franceconnect.AgentPolicy{SIRETs: []string{"11000012200017"}}
	_, s, u := pcStepSite(t, fctest.Options{}, nil, fchttp.Requirement{}, func(c *fchttp.Config) {
		c.AgentPolicy, c.AgentHelp = policy, "Pour demander un accès, écrivez à habilitations@exemple.gouv.fr."
	})
	policy.SIRETs[0] = "99999999999999" // the Handler keeps its own copy
	ctx := context.Background()
	cb, err := u.SignIn(ctx, "/", "agent_mfa")
	require.NoError(t, err)
	require.Equal(t, http.StatusSeeOther, cb.Status, cb.Body)
	assert.Contains(t, mustOpen(t, u, "/compte").Body, "Bonjour Claire #1")

	page, err := u.ChooseIdentity(ctx, mustOpen(t, u, "/login"), "agent_eidas2")
	require.NoError(t, err)
	requireProblem(t, page, http.StatusForbidden, "ErrAgentRefused")
	body := html.UnescapeString(page.Body)
	for _, want := range []string{"<h1>Accès refusé</h1>",
		"Ce service ne vous est pas ouvert : il est réservé aux agents de ces établissements (SIRET) : 11000012200017.",
		"Organisation de rattachement : Préfecture de la région Exemple (SIRET : 12000987300015).",
		"Pour demander un accès, écrivez à habilitations@exemple.gouv.fr."} {
		assert.Contains(t, body, want)
	}
	assert.NotContains(t, body, "Marchand")
	assert.Contains(t, mustOpen(t, u, "/compte").Body, "Anonyme", "nobody is signed in, not even Claire")
	assert.EqualValues(t, 1, s.logins.Load(), "OnLogin never saw the refused agent")

	_, _, err = func() (*fctest.Server, *fchttp.Handler, error) {
		emu, client := platformEnv(t, fctest.FranceConnectPlus)
		fc, err := fchttp.New(fchttp.Config{Client: client, SessionKeys: [][]byte{newKey()}, AgentPolicy: &franceconnect.AgentPolicy{}})
		return emu, fc, err
	}()
	require.ErrorIs(t, err, franceconnect.ErrConfig, "a policy of agents on FranceConnect+")
	_, client := platformEnv(t, fctest.ProConnect)
	_, err = fchttp.New(fchttp.Config{Client: client, SessionKeys: [][]byte{newKey()},
		AgentPolicy: &franceconnect.AgentPolicy{SIRETs: []string{"110000122"}}})
	require.ErrorIs(t, err, franceconnect.ErrConfig, "a SIREN among the SIRETs")
}

// TestRequireMaxAgeProConnect: ProConnect reuses its session below eidas2,
// with the session's auth_time. A page that needs an authentication of
// less than 30 minutes gets one: for nobody signed in, the login carries
// the maximum age, so that the reused session fails the check and the
// Handler retries with prompt=login; for an agent signed in too long ago,
// a step-up asks for a new authentication.
func TestRequireMaxAgeProConnect(t *testing.T) {
	clk := &clock{}
	emu, s, u := pcStepSite(t, fctest.Options{SingleSignOn: true, Now: clk.Now}, nil, fchttp.Requirement{MaxAge: 30 * time.Minute}, nil)
	ctx := context.Background()
	cb, err := u.SignIn(ctx, "/", "agent_mfa")
	require.NoError(t, err)
	require.Equal(t, http.StatusSeeOther, cb.Status, cb.Body)

	clk.Advance(45 * time.Minute)
	base, _ := url.Parse(site)
	u.HTTPClient().Jar.SetCookies(base, []*http.Cookie{{Name: "__Host-fs_session", Path: "/", MaxAge: -1, Secure: true}})
	start := mustOpen(t, u, "/banque")
	require.True(t, isAuthorizeOf(emu, start))
	assert.Empty(t, query(t, start).Get("prompt"))
	retry, err := u.ChooseIdentity(ctx, start, "agent_mfa") // the session answers, from 45 minutes ago
	require.NoError(t, err)
	require.True(t, isAuthorizeOf(emu, retry), "HTTP %d %s", retry.Status, retry.Body)
	assert.Equal(t, "login", query(t, retry).Get("prompt"))
	done, err := u.ChooseIdentity(ctx, retry, "agent_mfa")
	require.NoError(t, err)
	require.Equal(t, http.StatusSeeOther, done.Status, done.Body)
	assert.Equal(t, "/banque", done.Header.Get("Location"))
	openBank(t, u, "GET /banque eidas1-mfa Claire #2")
	require.EqualValues(t, 2, s.logins.Load())

	clk.Advance(45 * time.Minute)
	step := mustOpen(t, u, "/banque")
	require.True(t, isAuthorizeOf(emu, step))
	assert.Equal(t, "login", query(t, step).Get("prompt"), "signed in too long ago: a new authentication")
	done, err = u.ChooseIdentity(ctx, step, "agent_mfa")
	require.NoError(t, err)
	require.Equal(t, http.StatusSeeOther, done.Status, done.Body)
	openBank(t, u, "GET /banque eidas1-mfa Claire #2")
	assert.EqualValues(t, 2, s.logins.Load(), "the step-up kept the data")
}
