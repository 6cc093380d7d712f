package fchttp_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect"
	"github.com/go-franceconnect/franceconnect/fchttp"
	"github.com/go-franceconnect/franceconnect/fctest"
)

// twoDoors is a site with a citizen area on FranceConnect+ (/citoyen/) and
// an agent area on ProConnect (/agent/), one Handler each, sharing one key
// ring, and one browser that uses both.
type twoDoors struct {
	plus, pc         *fctest.Server
	citizens, agents *fchttp.Handler
	citizen, agent   *fctest.Visitor // one browser: a shared cookie jar
}

// doorConfig is the Config of the door named name ("citoyen" or "agent").
func doorConfig(t *testing.T, emu *fctest.Server, platform fctest.Platform, name string, ring [][]byte) fchttp.Config {
	t.Helper()
	base := site + "/" + name
	cfg := franceconnect.Config{Issuer: emu.Issuer(), ClientID: name, ClientSecret: secret,
		RedirectURL: base + "/callback", PostLogoutRedirectURL: base + "/logout-callback", Scopes: []string{"openid", "given_name"}}
	reg := fctest.Registration{ID: name, Secret: secret, RedirectURIs: []string{cfg.RedirectURL}, PostLogoutRedirectURIs: []string{cfg.PostLogoutRedirectURL}}
	if platform == fctest.ProConnect {
		cfg.Platform, cfg.Scopes = franceconnect.ProConnect, []string{"openid", "given_name", "usual_name", "siret"}
		reg.UserinfoSignedResponseAlg = "RS256" // a new ProConnect registration: RS256 for both tokens
	} else {
		key, err := franceconnect.GenerateKey(franceconnect.ECDHES, "")
		require.NoError(t, err)
		reg.JWKS, err = franceconnect.PublicJWKS([]franceconnect.Key{key})
		require.NoError(t, err)
		cfg.DecryptionKeys = []franceconnect.Key{key}
	}
	require.NoError(t, emu.Register(reg))
	client, err := franceconnect.New(context.Background(), cfg)
	require.NoError(t, err)
	return fchttp.Config{Client: client, SessionKeys: ring, CookieName: name,
		LoginPath: "/" + name + "/login", LogoutPath: "/" + name + "/logout", HomePath: "/" + name + "/",
		OnLogin: func(w http.ResponseWriter, r *http.Request, l *franceconnect.Login) (any, error) {
			if ag := l.Identity.Agent; ag != nil {
				return ag.GivenName, nil
			}
			return l.Identity.GivenName, nil
		}}
}

func newTwoDoors(t *testing.T, edit func(name string, c *fchttp.Config)) *twoDoors {
	t.Helper()
	d := &twoDoors{plus: fctest.New(t, fctest.Options{}), pc: fctest.New(t, fctest.Options{Platform: fctest.ProConnect})}
	ring := [][]byte{newKey()}
	citizens, agents := doorConfig(t, d.plus, fctest.FranceConnectPlus, "citoyen", ring),
		doorConfig(t, d.pc, fctest.ProConnect, "agent", ring)
	if edit != nil {
		edit("citoyen", &citizens)
		edit("agent", &agents)
	}
	var err error
	d.citizens, err = fchttp.New(citizens)
	require.NoError(t, err)
	d.agents, err = fchttp.New(agents)
	require.NoError(t, err)
	mux := http.NewServeMux()
	if d.citizens.Patterns()[0] != d.agents.Patterns()[0] && cookieNameOf(citizens) == cookieNameOf(agents) {
		d.citizens.Register(mux) // what RegisterDoors refuses, to see that the cookies are bound anyway
		d.agents.Register(mux)
	} else {
		require.NoError(t, fchttp.RegisterDoors(mux, d.citizens, d.agents))
	}
	mux.Handle("GET /citoyen/{$}", areaPage(d.citizens))
	mux.Handle("GET /agent/{$}", areaPage(d.agents))
	d.citizen, d.agent = doorUser(t, d.plus, mux, "citoyen"), doorUser(t, d.pc, mux, "agent")
	d.agent.HTTPClient().Jar = d.citizen.HTTPClient().Jar
	return d
}

func cookieNameOf(c fchttp.Config) string {
	if c.CookieName == "" {
		return "fs_session"
	}
	return c.CookieName
}

// areaPage shows who is signed in at fc's door.
func areaPage(fc *fchttp.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, err := fc.User(w, r)
		switch {
		case err != nil:
			http.Error(w, "store unavailable", http.StatusServiceUnavailable)
		case u == nil:
			fmt.Fprintf(w, `<p>Anonyme</p><a href="%[1]slogin">Se connecter</a>`, r.URL.Path)
		default:
			fmt.Fprintf(w, `<p>Bonjour %s (%v)</p><form method="post" action="%slogout"><button>Se déconnecter</button></form>`,
				html.EscapeString(dataOf(u)), u.Door.Platform, r.URL.Path)
		}
	})
}

func doorUser(t *testing.T, emu *fctest.Server, h http.Handler, name string) *fctest.Visitor {
	t.Helper()
	u, err := emu.NewHandlerVisitor(h, site)
	require.NoError(t, err)
	u.LoginPath, u.LogoutPath = "/"+name+"/login", "/"+name+"/logout"
	return u
}

// cookieOf returns the value of the cookie name the browser holds.
func cookieOf(u *fctest.Visitor, name string) string {
	base, _ := url.Parse(site)
	for _, c := range u.HTTPClient().Jar.Cookies(base) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

func setCookie(u *fctest.Visitor, name, value string) {
	base, _ := url.Parse(site)
	u.HTTPClient().Jar.SetCookies(base, []*http.Cookie{{Name: name, Value: value, Path: "/", Secure: true}})
}

func TestTwoDoors(t *testing.T) {
	d := newTwoDoors(t, nil)
	ctx := context.Background()
	cb, err := d.citizen.SignIn(ctx, "/citoyen/", "camille")
	require.NoError(t, err)
	require.Equal(t, http.StatusSeeOther, cb.Status, cb.Body)
	assert.Equal(t, "/citoyen/", cb.Header.Get("Location"))
	assert.Contains(t, mustOpen(t, d.citizen, "/citoyen/").Body, "Bonjour Camille Hélène (FranceConnect+)")
	assert.Contains(t, mustOpen(t, d.agent, "/agent/").Body, "Anonyme", "a FranceConnect+ citizen is nobody at the ProConnect door")
	assert.Zero(t, d.pc.Requests("authorize"))

	cb, err = d.agent.SignIn(ctx, "/agent/", "agent_mfa")
	require.NoError(t, err)
	require.Equal(t, http.StatusSeeOther, cb.Status, cb.Body)
	agentPage := mustOpen(t, d.agent, "/agent/")
	assert.Contains(t, agentPage.Body, "Bonjour Claire (ProConnect)")
	assert.Contains(t, mustOpen(t, d.citizen, "/citoyen/").Body, "Bonjour Camille Hélène", "each door keeps its own session")

	citizen, agent := cookieOf(d.citizen, "__Host-citoyen"), cookieOf(d.citizen, "__Host-agent")
	require.NotEmpty(t, citizen)
	require.NotEmpty(t, agent)
	u := userNamed(t, d.citizens, "__Host-citoyen", &citizen)
	require.NotNil(t, u)
	assert.Equal(t, fchttp.Door{Platform: franceconnect.FranceConnectPlus, Issuer: d.plus.Issuer(), ClientID: "citoyen"}, u.Door)
	assert.Equal(t, u.Door, d.citizens.Door())

	// Each door's cookie, under the other door's name, opens nothing.
	setCookie(d.citizen, "__Host-agent", citizen)
	assert.Contains(t, mustOpen(t, d.agent, "/agent/").Body, "Anonyme", "the citizen's cookie is no agent")
	setCookie(d.citizen, "__Host-citoyen", agent)
	assert.Contains(t, mustOpen(t, d.citizen, "/citoyen/").Body, "Anonyme", "the agent's cookie is no citizen")

	// Logging out of one door leaves the other signed in.
	setCookie(d.citizen, "__Host-agent", agent)
	setCookie(d.citizen, "__Host-citoyen", citizen)
	out, err := d.agent.Logout(ctx, agentPage)
	require.NoError(t, err)
	require.Equal(t, http.StatusSeeOther, out.Status, out.Body)
	assert.Equal(t, 1, d.pc.Requests("session/end"))
	assert.Zero(t, d.plus.Requests("session/end"))
	assert.Contains(t, mustOpen(t, d.agent, "/agent/").Body, "Anonyme")
	assert.Contains(t, mustOpen(t, d.citizen, "/citoyen/").Body, "Bonjour Camille Hélène")
}

// TestDoorsWithOneCookieName: even two doors misconfigured with the same
// cookie name and key ring, as two NewFromEnv Handlers were by default,
// refuse each other's sessions, since the cookie is bound to its door.
func TestDoorsWithOneCookieName(t *testing.T) {
	var citizens, agents *fchttp.Handler
	d := newTwoDoors(t, func(name string, c *fchttp.Config) { c.CookieName = "" })
	citizens, agents = d.citizens, d.agents
	ctx := context.Background()
	cb, err := d.citizen.SignIn(ctx, "/citoyen/", "camille")
	require.NoError(t, err)
	require.Equal(t, http.StatusSeeOther, cb.Status, cb.Body)
	value := cookieOf(d.citizen, "__Host-fs_session")
	require.NotNil(t, userOf(t, citizens, value))
	assert.Nil(t, userOf(t, agents, value), "a FranceConnect+ session is nobody at the ProConnect door")

	cb, err = d.agent.SignIn(ctx, "/agent/", "agent_mfa")
	require.NoError(t, err)
	require.Equal(t, http.StatusSeeOther, cb.Status, cb.Body)
	value = cookieOf(d.citizen, "__Host-fs_session")
	require.NotNil(t, userOf(t, agents, value))
	assert.Nil(t, userOf(t, citizens, value), "a ProConnect session is nobody at the FranceConnect+ door")
}

func TestRegisterDoorsRefuses(t *testing.T) {
	d := newTwoDoors(t, nil)
	ring := [][]byte{newKey()}
	sameCookie := doorConfig(t, fctest.New(t, fctest.Options{}), fctest.FranceConnectPlus, "autre", ring)
	sameCookie.CookieName = "citoyen"
	samePaths := doorConfig(t, fctest.New(t, fctest.Options{}), fctest.FranceConnectPlus, "autre", ring)
	samePaths.LoginPath = "/agent/login"
	sameDoor := doorConfig(t, d.plus, fctest.FranceConnectPlus, "citoyen", ring)
	sameDoor.CookieName, sameDoor.LoginPath, sameDoor.LogoutPath = "citoyen2", "/c2/login", "/c2/logout"
	for _, tt := range []struct {
		name string
		cfg  fchttp.Config
		want string
	}{
		{"same cookie name", sameCookie, `both use the cookie "__Host-citoyen"`},
		{"same route", samePaths, `the route "GET /agent/login" is served by two doors`},
		{"same door", sameDoor, "is registered twice"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h, err := fchttp.New(tt.cfg)
			require.NoError(t, err)
			mux := http.NewServeMux()
			err = fchttp.RegisterDoors(mux, d.citizens, d.agents, h)
			require.ErrorIs(t, err, franceconnect.ErrConfig)
			assert.ErrorContains(t, err, tt.want)
			_, pattern := mux.Handler(httpGet(site + "/citoyen/login"))
			assert.Empty(t, pattern, "nothing mounted")
		})
	}
}

func httpGet(target string) *http.Request {
	r, _ := http.NewRequest(http.MethodGet, target, nil)
	return r
}
