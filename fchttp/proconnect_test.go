package fchttp_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect"
	"github.com/go-franceconnect/franceconnect/fchttp"
	"github.com/go-franceconnect/franceconnect/fctest"
)

// pcApp is an FS on the ProConnect emulator whose logins accept the levels
// with two factors by default, with a page that shows who is signed in and
// at which level.
func pcApp(t *testing.T) (*fctest.Server, *fchttp.Handler, *fctest.Visitor) {
	t.Helper()
	return pcAppWith(t, func(*fctest.Registration, *fchttp.Config) {})
}

// pcAppWith is pcApp with the registration and the web layer's Config
// changed by edit.
func pcAppWith(t *testing.T, edit func(*fctest.Registration, *fchttp.Config)) (*fctest.Server, *fchttp.Handler, *fctest.Visitor) {
	t.Helper()
	return pcAppLevels(t, franceconnect.ProConnectWithMFA(), edit)
}

// pcAppLevels is pcAppWith for a Client that accepts levels.
func pcAppLevels(t *testing.T, levels []franceconnect.ACR, edit func(*fctest.Registration, *fchttp.Config)) (*fctest.Server, *fchttp.Handler, *fctest.Visitor) {
	t.Helper()
	emu, _ := platformEnv(t, fctest.ProConnect)
	client, err := franceconnect.New(context.Background(), franceconnect.Config{
		Issuer: emu.Issuer(), Platform: franceconnect.ProConnect, ClientID: clientID, ClientSecret: secret,
		RedirectURL: site + "/callback", PostLogoutRedirectURL: site + "/logout-callback",
		Scopes: []string{"openid", "given_name", "usual_name", "siret"}, AcceptedACRs: levels,
	})
	require.NoError(t, err)
	reg := fctest.Registration{ID: clientID, Secret: secret, RedirectURIs: []string{site + "/callback"},
		PostLogoutRedirectURIs: []string{site + "/logout-callback"}, UserinfoSignedResponseAlg: "RS256"}
	cfg := fchttp.Config{Client: client, SessionKeys: [][]byte{newKey()},
		OnLogin: func(w http.ResponseWriter, r *http.Request, l *franceconnect.Login) (any, error) {
			return l.Identity.Agent.GivenName + " " + l.Identity.Agent.UsualName, nil
		}}
	edit(&reg, &cfg)
	require.NoError(t, emu.Register(reg))
	fc, err := fchttp.New(cfg)
	require.NoError(t, err)
	mux := http.NewServeMux()
	fc.Register(mux)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		if u, err := fc.User(w, r); err == nil && u != nil {
			fmt.Fprintf(w, `<p>Bonjour %s (%s)</p><form method="post" action="/logout"><button>Se déconnecter</button></form>`,
				html.EscapeString(dataOf(u)), u.ACR)
			return
		}
		fmt.Fprint(w, `<p>Anonyme</p><form method="post" action="/login"><button>S’identifier avec ProConnect</button></form>`)
	})
	u, err := emu.NewHandlerVisitor(mux, site)
	require.NoError(t, err)
	return emu, fc, u
}

// requestedLevels are the values of the essential acr claim of an
// authorize redirect.
func requestedLevels(t *testing.T, start *fctest.Response) []string {
	t.Helper()
	var claims struct {
		IDToken struct {
			ACR struct {
				Essential bool
				Values    []string
			}
		} `json:"id_token"`
	}
	require.NoError(t, json.Unmarshal([]byte(query(t, start).Get("claims")), &claims))
	require.True(t, claims.IDToken.ACR.Essential)
	return claims.IDToken.ACR.Values
}

// TestProConnectLevels signs agents in through the login form on
// ProConnect: the "acr" field holds the accepted levels, the login keeps
// them with the PKCE verifier, and a level outside them is refused
// whichever way it comes.
func TestProConnectLevels(t *testing.T) {
	withMFA := []string{"eidas0-mfa", "eidas1-mfa", "eidas2", "eidas3"}
	for _, tt := range []struct {
		name, acr, agent string
		fault            fctest.Fault
		levels           []string
		status           int
		want             []string
	}{
		{"default levels", "", "agent_mfa", fctest.FaultNone, withMFA, http.StatusOK, []string{"Bonjour Claire Lefèvre (eidas1-mfa)"}},
		{"blank field keeps the default", "  ", "agent_mfa", fctest.FaultNone, withMFA, http.StatusOK, []string{"(eidas1-mfa)"}},
		{"levels of the form", "eidas2 eidas3", "agent_eidas2", fctest.FaultNone, []string{"eidas2", "eidas3"},
			http.StatusOK, []string{"Bonjour Sophie Anne Marchand (eidas2)"}},
		{"Y020032", "", "agent_sans_mfa", fctest.FaultNone, withMFA, http.StatusBadRequest, []string{
			"<h1>Niveau de sécurité insuffisant</h1>", "<code>ProviderError access_denied (Y020032)</code>",
			(&franceconnect.ProviderError{Code: "access_denied", FCCode: "Y020032", Platform: franceconnect.ProConnect}).UserMessage(),
			"n'a pas pu atteindre avec votre compte"}},
		{"login_required", "", "agent_mfa", fctest.FaultLoginRequired, withMFA, http.StatusBadRequest, []string{
			"<code>ProviderError login_required</code>", "<code>ErrInteractionRequired</code>",
			"Veuillez vous connecter avec ProConnect pour continuer."}},
		{"acr outside the set", "eidas2 eidas3", "agent_eidas2", fctest.FaultACRNotRequested, []string{"eidas2", "eidas3"},
			http.StatusBadGateway, []string{"<h1>Niveau de sécurité insuffisant</h1>", "<code>ErrACRNotAccepted</code>",
				"ProConnect vous a authentifié à un niveau de sécurité que ce service n'accepte pas"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			emu, _, u := pcApp(t)
			ctx := context.Background()
			home := mustOpen(t, u, "/")
			fields := map[string][]string{}
			if tt.acr != "" {
				fields["acr"] = []string{tt.acr}
			}
			start, err := u.StartLogin(ctx, home, fields)
			require.NoError(t, err)
			assert.Equal(t, tt.levels, requestedLevels(t, start))
			assert.Equal(t, "S256", query(t, start).Get("code_challenge_method"))
			emu.InjectFault(tt.fault)
			cb, err := u.ChooseIdentity(ctx, start, tt.agent)
			require.NoError(t, err)
			page := cb
			if cb.Status == http.StatusSeeOther {
				page, err = u.Follow(ctx, cb)
				require.NoError(t, err)
			}
			require.Equal(t, tt.status, page.Status, page.Body)
			for _, want := range tt.want {
				assert.Contains(t, html.UnescapeString(page.Body), want)
			}
			if tt.status != http.StatusOK {
				assert.Contains(t, mustOpen(t, u, "/").Body, "Anonyme")
			}
		})
	}
}

// TestProConnectLevelsRefused checks that a form naming a level ProConnect
// does not know, or a level twice, starts no login.
func TestProConnectLevelsRefused(t *testing.T) {
	emu, _, u := pcApp(t)
	home := mustOpen(t, u, "/")
	for _, bad := range []string{"eidas9", "eidas2 eidas2", "eidas1,eidas2", "https://proconnect.gouv.fr/assurance/autre"} {
		r, err := u.Submit(context.Background(), home, "/login", map[string][]string{"acr": {bad}})
		require.NoError(t, err)
		requireProblem(t, r, http.StatusBadRequest, "ErrInvalidRequest")
	}
	assert.Zero(t, emu.Requests("authorize"))
}

// TestProConnectLogout signs an agent in and out: the session keeps the
// agent's level, and logout goes through ProConnect's session/end.
func TestProConnectLogout(t *testing.T) {
	emu, fc, u := pcApp(t)
	page := signInAs(t, u, "agent_eidas3", "Bonjour Bruno Tessier (eidas3)")

	user := userOf(t, fc, sessionCookie(t, u))
	require.NotNil(t, user)
	assert.Equal(t, fchttp.Door{Platform: franceconnect.ProConnect, Issuer: emu.Issuer(), ClientID: clientID}, user.Door)
	assert.Equal(t, emu.Subject(clientID, "agent_eidas3"), user.Subject)
	assert.True(t, slices.Contains(franceconnect.ProConnectWithMFA(), user.ACR))

	out, err := u.Logout(context.Background(), page)
	require.NoError(t, err)
	require.Equal(t, http.StatusSeeOther, out.Status, out.Body)
	assert.Equal(t, "/", out.Header.Get("Location"))
	assert.Equal(t, 1, emu.Requests("session/end"))
	assert.Contains(t, mustOpen(t, u, "/").Body, "Anonyme")
}

// TestProConnectSessionSize fills a ProConnect session: an RS256 id_token
// with the longest level as the logout hint, the most data OnLogin may
// keep, and more logins in progress, each with every level and a PKCE
// verifier, than a session keeps. The cookie stays below 4 KB and the
// newest login still completes.
func TestProConnectSessionSize(t *testing.T) {
	_, _, u := pcAppLevels(t, franceconnect.ProConnectAnyLevel(), func(reg *fctest.Registration, cfg *fchttp.Config) {
		reg.SignedResponseAlg, reg.UserinfoSignedResponseAlg = "RS256", "RS256"
		cfg.OnLogin = func(http.ResponseWriter, *http.Request, *franceconnect.Login) (any, error) {
			return stringOfJSONSize(fchttp.MaxUserData), nil
		}
	})
	ctx := context.Background()
	all := map[string][]string{"acr": {strings.Join(levelStrings(franceconnect.ProConnectAnyLevel()), " ")}}
	cb, _ := pcLoginAs(t, u, all, "dirigeant")
	require.Equal(t, http.StatusSeeOther, cb.Status, cb.Body)
	var starts []*fctest.Response
	for range 4 { // signed in: the login links of other tabs
		start := mustOpen(t, u, "/login?"+url.Values(all).Encode())
		require.NotNil(t, start.Location(), start.Body)
		assert.Less(t, len(start.Header.Get("Set-Cookie")), 4000)
		starts = append(starts, start)
	}
	last, err := u.ChooseIdentity(ctx, starts[3], "dirigeant")
	require.NoError(t, err)
	require.Equal(t, http.StatusSeeOther, last.Status, "the newest login is kept: %s", last.Body)
	first, err := u.ChooseIdentity(ctx, starts[0], "dirigeant")
	require.NoError(t, err)
	requireProblem(t, first, http.StatusBadRequest, "ErrLoginMismatch")
}

func levelStrings(levels []franceconnect.ACR) []string {
	s := make([]string, len(levels))
	for i, a := range levels {
		s[i] = string(a)
	}
	return s
}

// pcLoginAs starts a login from the home page with fields and picks agent.
func pcLoginAs(t *testing.T, u *fctest.Visitor, fields map[string][]string, agent string) (cb, start *fctest.Response) {
	t.Helper()
	ctx := context.Background()
	start, err := u.StartLogin(ctx, mustOpen(t, u, "/"), fields)
	require.NoError(t, err)
	cb, err = u.ChooseIdentity(ctx, start, agent)
	require.NoError(t, err)
	return cb, start
}
