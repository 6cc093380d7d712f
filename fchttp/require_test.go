package fchttp_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect"
	"github.com/go-franceconnect/franceconnect/fchttp"
	"github.com/go-franceconnect/franceconnect/fctest"
)

// stepSite is an FS on FranceConnect+ (eidas2) whose /banque page needs
// eidas3, by GET (the form) and by POST (the change); OnLogin keeps the
// person's given name and the number of its call, so that a step-up that
// keeps the data is told from a new login.
type stepSite struct {
	*app
	logins, posts atomic.Int64
}

func newStepSite(t *testing.T, e *env, rq fchttp.Requirement, edit func(*fchttp.Config)) *stepSite {
	t.Helper()
	s := &stepSite{}
	s.app = e.newApp(func(c *fchttp.Config) {
		c.OnLogin = func(w http.ResponseWriter, r *http.Request, l *franceconnect.Login) (any, error) {
			return fmt.Sprintf("%s #%d", l.Identity.GivenName, s.logins.Add(1)), nil
		}
		if edit != nil {
			edit(c)
		}
	})
	guard, err := s.fc.Require(rq)
	require.NoError(t, err)
	s.mux.Handle("/banque", guard(http.HandlerFunc(s.bank)))
	return s
}

// bank is the guarded page: the level and the kept data, and a form.
func (s *stepSite) bank(w http.ResponseWriter, r *http.Request) {
	u, err := s.fc.User(w, r)
	if err != nil || u == nil {
		http.Error(w, "the guard let nobody through", http.StatusInternalServerError)
		return
	}
	if r.Method == http.MethodPost {
		s.posts.Add(1)
	}
	fmt.Fprintf(w, `<p>%s /banque %s %s</p><form method="post" action="/banque"><input name="iban"><button>Enregistrer</button></form>`,
		r.Method, u.ACR, html.EscapeString(dataOf(u)))
}

// browseAtEidas2 signs u in at eidas2 as FranceConnect+ single sign-on
// does (e's emulator must play it): a first login authenticates camille at
// her level, eidas3; the site forgets its session, as after its idle
// timeout, while FranceConnect+ keeps its own; the next login is answered
// from it, at eidas2.
func browseAtEidas2(t *testing.T, s *stepSite, u *fctest.Visitor) {
	t.Helper()
	cb, err := u.SignIn(context.Background(), "/", "camille")
	require.NoError(t, err)
	require.Equal(t, http.StatusSeeOther, cb.Status, cb.Body)
	base, _ := url.Parse(site)
	u.HTTPClient().Jar.SetCookies(base, []*http.Cookie{{Name: "__Host-fs_session", Path: "/", MaxAge: -1, Secure: true}})
	cb, err = u.SignIn(context.Background(), "/", "camille") // no page: the session answers
	require.NoError(t, err)
	require.Equal(t, http.StatusSeeOther, cb.Status, cb.Body)
	require.Equal(t, franceconnect.EIDAS2, userOf(t, s.fc, sessionCookie(t, u)).ACR)
}

// ssoEnv is an emulator of FranceConnect+ playing single sign-on.
func ssoEnv(t *testing.T) *env { return newEnvWith(t, fctest.Options{SingleSignOn: true}) }

// openBank opens /banque and checks that it is the page, not a login.
func openBank(t *testing.T, u *fctest.Visitor, want string) {
	t.Helper()
	page := mustOpen(t, u, "/banque")
	require.Equal(t, http.StatusOK, page.Status, page.Body)
	assert.Contains(t, html.UnescapeString(page.Body), want)
}

// TestRequireLevelGETStepsUp: signed in at eidas2, the person opens a
// page that needs eidas3 and comes back to it after a new authentication
// of the same person: a new session id, the same application data,
// User.ACR and User.AuthTime of the step-up; the session before it ends
// wherever the state is shared.
func TestRequireLevelGETStepsUp(t *testing.T) {
	states := sharedStates()
	states["sealed"] = func(*fchttp.Config) {}
	for name, shared := range states {
		t.Run(name, func(t *testing.T) {
			e := ssoEnv(t)
			s := newStepSite(t, e, fchttp.Requirement{Levels: []franceconnect.ACR{franceconnect.EIDAS3}}, shared)
			u := e.user(s)
			ctx := context.Background()
			browseAtEidas2(t, s, u)
			before := sessionCookie(t, u)
			started := time.Now().Truncate(time.Second)

			start := mustOpen(t, u, "/banque?onglet=iban")
			require.True(t, e.isAuthorize(start), "HTTP %d %s", start.Status, start.Body)
			q := query(t, start)
			assert.Equal(t, "eidas3", q.Get("acr_values"))
			assert.Equal(t, "login", q.Get("prompt"), "a new authentication")
			done, err := u.ChooseIdentity(ctx, start, "camille")
			require.NoError(t, err)
			require.Equal(t, http.StatusSeeOther, done.Status, done.Body)
			assert.Equal(t, "/banque?onglet=iban", done.Header.Get("Location"), "back to the same page")
			openBank(t, u, "GET /banque eidas3 Camille Hélène #2")
			assert.EqualValues(t, 2, s.logins.Load(), "OnLogin is not called again: the data is kept")

			after := sessionCookie(t, u)
			require.NotEqual(t, before, after, "a new session")
			user := userOf(t, s.fc, after)
			assert.Equal(t, franceconnect.EIDAS3, user.ACR)
			assert.False(t, user.AuthTime.Before(started), "the time of the step-up's authentication")
			if name != "sealed" {
				assert.Nil(t, userOf(t, s.fc, before), "the session before the step-up is ended")
			}
		})
	}
}

// TestRequireLevelPOSTShowsTheButton: a POST below the level is never run
// nor replayed: a 403 page says so and holds the button, whose form starts
// the step-up and comes back to the page with GET.
func TestRequireLevelPOSTShowsTheButton(t *testing.T) {
	e := ssoEnv(t)
	s := newStepSite(t, e, fchttp.Requirement{Levels: []franceconnect.ACR{franceconnect.EIDAS3}}, nil)
	u := e.user(s)
	ctx := context.Background()
	browseAtEidas2(t, s, u)
	logins := e.emu.Requests("authorize")
	form := mustOpen(t, u, "/compte")
	form.Body += `<form method="post" action="/banque"><input name="iban" value="FR7630006000011234567890189"><button>Enregistrer</button></form>`

	page, err := u.Submit(ctx, form, "/banque", nil)
	require.NoError(t, err)
	require.Equal(t, http.StatusForbidden, page.Status, page.Body)
	assert.Equal(t, "no-store", page.Header.Get("Cache-Control"))
	body := html.UnescapeString(page.Body)
	for _, want := range []string{`<html lang="fr">`, "<title>Confirmez votre identité – fs.example.fr</title>",
		"Cette action demande une connexion avec FranceConnect+ au niveau de garantie élevé (eidas3). " +
			"Votre session a été ouverte au niveau de garantie substantiel (eidas2).",
		"Les informations de ce formulaire n'ont pas été envoyées.",
		`<form id="step-up" method="post" action="/banque?fchttp-step-up=1">`, "S’identifier avec", "Qu’est-ce que FranceConnect+ ?"} {
		assert.Contains(t, body, want)
	}
	assert.NotContains(t, body, "FR76", "the posted data is not echoed")
	assert.NotContains(t, body, "Camille")
	assert.Zero(t, s.posts.Load(), "the POST did not run")
	assert.Equal(t, logins, e.emu.Requests("authorize"), "no login started by the POST itself")

	start, err := u.Submit(ctx, page, "/banque?fchttp-step-up=1", nil)
	require.NoError(t, err)
	require.True(t, e.isAuthorize(start), "HTTP %d %s", start.Status, start.Body)
	assert.Equal(t, "login", query(t, start).Get("prompt"))
	done, err := u.ChooseIdentity(ctx, start, "camille")
	require.NoError(t, err)
	require.Equal(t, http.StatusSeeOther, done.Status, done.Body)
	assert.Equal(t, "/banque", done.Header.Get("Location"), "back with GET, never a replayed POST")
	openBank(t, u, "GET /banque eidas3")

	again, err := u.Submit(ctx, page, "/banque?fchttp-step-up=1", nil)
	require.NoError(t, err)
	assert.Equal(t, http.StatusSeeOther, again.Status, "met in the meantime: the marked form goes back to the page")
	assert.Equal(t, "/banque", again.Header.Get("Location"))
	assert.Zero(t, s.posts.Load(), "the button's empty form never reaches the action")

	posted, err := u.Submit(ctx, form, "/banque", nil)
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, posted.Status, "at the level, the action runs")
	assert.EqualValues(t, 1, s.posts.Load())
}

// TestRequireLevelNobodySignedIn: nobody signed in, a GET starts a login
// at the page's level (no prompt=login, no subject) and comes back to the
// page; a POST gets the page with the button, titled "Connexion requise".
func TestRequireLevelNobodySignedIn(t *testing.T) {
	e := newEnv(t)
	s := newStepSite(t, e, fchttp.Requirement{Levels: []franceconnect.ACR{franceconnect.EIDAS3}}, nil)
	u := e.user(s)
	ctx := context.Background()
	form := mustOpen(t, u, "/")
	form.Body += `<form method="post" action="/banque"><button>Enregistrer</button></form>`
	page, err := u.Submit(ctx, form, "/banque", nil)
	require.NoError(t, err)
	require.Equal(t, http.StatusForbidden, page.Status)
	body := html.UnescapeString(page.Body)
	assert.Contains(t, body, "<h1>Connexion requise</h1>")
	assert.Contains(t, body, "Cette action demande une connexion avec FranceConnect+ au niveau de garantie élevé (eidas3).")

	start := mustOpen(t, u, "/banque")
	require.True(t, e.isAuthorize(start))
	q := query(t, start)
	assert.Equal(t, "eidas3", q.Get("acr_values"))
	assert.Empty(t, q.Get("prompt"), "a first login needs no new authentication")
	done, err := u.ChooseIdentity(ctx, start, "nom_usage")
	require.NoError(t, err)
	require.Equal(t, http.StatusSeeOther, done.Status, done.Body)
	assert.Equal(t, "/banque", done.Header.Get("Location"))
	openBank(t, u, "GET /banque eidas3 Sophie Anne #1")
}

// TestStepUpAnotherPersonRefused: at the step-up someone else
// authenticates. The id_token is refused (ErrSubjectMismatch), the page
// says so without naming anyone, and the session of the person signed in
// ends: nobody is signed in at the door afterwards, and with shared state
// the session's cookie opens nothing anywhere.
func TestStepUpAnotherPersonRefused(t *testing.T) {
	states := sharedStates()
	states["sealed"] = func(*fchttp.Config) {}
	for name, shared := range states {
		t.Run(name, func(t *testing.T) {
			e := ssoEnv(t)
			s := newStepSite(t, e, fchttp.Requirement{Levels: []franceconnect.ACR{franceconnect.EIDAS3}}, shared)
			u := e.user(s)
			browseAtEidas2(t, s, u)
			before := sessionCookie(t, u)

			start := mustOpen(t, u, "/banque")
			require.True(t, e.isAuthorize(start), "HTTP %d %s", start.Status, start.Body)
			page, err := u.ChooseIdentity(context.Background(), start, "nom_usage")
			require.NoError(t, err)
			requireProblem(t, page, http.StatusForbidden, "ErrSubjectMismatch", "ErrInvalidIDToken")
			body := html.UnescapeString(page.Body)
			assert.Contains(t, body, "<h1>Confirmation par une autre personne</h1>")
			assert.Contains(t, body, "Par sécurité, la session est fermée")
			assert.NotContains(t, body, "Sophie")
			assert.Contains(t, mustOpen(t, u, "/").Body, "Anonyme", "nobody is signed in, neither person")
			if name != "sealed" {
				assert.Nil(t, userOf(t, s.fc, before), "the session's old cookie opens nothing")
			}
			assert.EqualValues(t, 2, s.logins.Load(), "the other person never reached OnLogin")
		})
	}
}

// TestStepUpBackToAnotherSession: a step-up started by one person comes
// back after another person signed in at the door in the same browser.
// The login is the first person's (the provider authenticated them), a
// new login: OnLogin decides, and the other person's data is not carried
// over.
func TestStepUpBackToAnotherSession(t *testing.T) {
	e := ssoEnv(t)
	s := newStepSite(t, e, fchttp.Requirement{Levels: []franceconnect.ACR{franceconnect.EIDAS3}}, nil)
	u := e.user(s)
	ctx := context.Background()
	browseAtEidas2(t, s, u)
	start := mustOpen(t, u, "/banque")
	require.True(t, e.isAuthorize(start))
	cb, err := e.emu.SignIn(ctx, start.Location().String(), "camille") // camille's step-up, in another window
	require.NoError(t, err)

	bye, err := u.Logout(ctx, mustOpen(t, u, "/compte"))
	require.NoError(t, err)
	require.Equal(t, http.StatusSeeOther, bye.Status, bye.Body)
	signInAs(t, u, "nom_usage", "Bonjour Sophie Anne")
	require.EqualValues(t, 3, s.logins.Load())

	done := mustOpen(t, u, cb)
	require.Equal(t, http.StatusSeeOther, done.Status, done.Body)
	openBank(t, u, "GET /banque eidas3 Camille Hélène #4")
}

// TestRequireMaxAge: a page that needs an authentication of less than ten
// minutes lets a recent one through, sends an older one through a new
// authentication at the same level, and explains it on a POST.
func TestRequireMaxAge(t *testing.T) {
	clk := &clock{}
	e := newEnvWith(t, fctest.Options{Now: clk.Now})
	s := newStepSite(t, e, fchttp.Requirement{MaxAge: 10 * time.Minute, ReturnPath: "/compte"}, func(c *fchttp.Config) {
		c.Now = clk.Now
		c.Client = clientWithClock(t, e, clk)
	})
	u := e.user(s)
	ctx := context.Background()
	signIn(t, u)
	openBank(t, u, "GET /banque eidas3")

	clk.Advance(11 * time.Minute) // within the idle timeout, 15 minutes on FranceConnect+
	form := mustOpen(t, u, "/compte")
	form.Body += `<form method="post" action="/banque"><button>Enregistrer</button></form>`
	page, err := u.Submit(ctx, form, "/banque", nil)
	require.NoError(t, err)
	require.Equal(t, http.StatusForbidden, page.Status)
	assert.Contains(t, html.UnescapeString(page.Body), "Cette action demande une connexion avec FranceConnect+ au niveau de garantie "+
		"élevé (eidas3) datant de moins de 10 minutes. Votre session a été ouverte au niveau de garantie élevé (eidas3) ; "+
		"votre dernière authentification date de ")
	start, err := u.Submit(ctx, page, "/banque?fchttp-step-up=1", nil)
	require.NoError(t, err)
	require.True(t, e.isAuthorize(start))
	assert.Equal(t, "login", query(t, start).Get("prompt"))
	assert.Equal(t, "eidas3", query(t, start).Get("acr_values"), "the session's level")
	done, err := u.ChooseIdentity(ctx, start, "camille")
	require.NoError(t, err)
	require.Equal(t, http.StatusSeeOther, done.Status, done.Body)
	assert.Equal(t, "/compte", done.Header.Get("Location"), "ReturnPath")
	openBank(t, u, "GET /banque eidas3 Camille Hélène #1")

	_, err = s.fc.Require(fchttp.Requirement{MaxAge: 30 * time.Second})
	require.ErrorIs(t, err, franceconnect.ErrConfig)
	_, err = s.fc.Require(fchttp.Requirement{ReturnPath: "//ailleurs.example"})
	require.ErrorIs(t, err, franceconnect.ErrConfig)
}

// clientWithClock is e's client on clk.
func clientWithClock(t *testing.T, e *env, clk *clock) *franceconnect.Client {
	t.Helper()
	c, err := franceconnect.New(context.Background(), franceconnect.Config{
		Issuer: e.emu.Issuer(), ClientID: clientID, ClientSecret: secret, Now: clk.Now,
		RedirectURL: site + "/callback", PostLogoutRedirectURL: site + "/logout-callback",
		Scopes: []string{"openid", "given_name", "family_name"}, DecryptionKeys: []franceconnect.Key{e.key},
	})
	require.NoError(t, err)
	return c
}

// TestRequireMarkedPOSTFromAnotherSite: the form that starts the login is
// a POST; from another site it is refused, and the session stays.
func TestRequireMarkedPOSTFromAnotherSite(t *testing.T) {
	e := ssoEnv(t)
	s := newStepSite(t, e, fchttp.Requirement{Levels: []franceconnect.ACR{franceconnect.EIDAS3}}, nil)
	u := e.user(s)
	browseAtEidas2(t, s, u)
	logins := e.emu.Requests("authorize")
	req, err := http.NewRequest(http.MethodPost, site+"/banque?fchttp-step-up=1", strings.NewReader(""))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://attaquant.example")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err := u.HTTPClient().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	assert.Contains(t, readAll(t, resp), "ErrCrossOrigin")
	assert.Equal(t, logins, e.emu.Requests("authorize"), "no login started")
	assert.Contains(t, mustOpen(t, u, "/compte").Body, "Bonjour Camille Hélène #2 (eidas2)", "the session stays")
}

// TestRequireLevelFranceConnect: FranceConnect has no level above eidas1:
// the guard says so when it is built.
func TestRequireLevelFranceConnect(t *testing.T) {
	_, client := platformEnv(t, fctest.FranceConnect)
	fc, err := fchttp.New(fchttp.Config{Client: client, SessionKeys: [][]byte{newKey()}})
	require.NoError(t, err)
	for _, need := range [][]franceconnect.ACR{{franceconnect.EIDAS2}, {franceconnect.EIDAS3}, {franceconnect.EIDAS1, franceconnect.EIDAS2}} {
		_, err = fc.RequireLevel(need...)
		require.ErrorIs(t, err, franceconnect.ErrConfig)
		assert.Contains(t, err.Error(), "FranceConnect has one level, eidas1, and none above it")
		assert.Contains(t, err.Error(), "FranceConnect+ (eidas2, eidas3)")
	}
	_, err = fc.RequireLevel(franceconnect.EIDAS1)
	require.NoError(t, err)
	_, err = fc.Require(fchttp.Requirement{MaxAge: time.Hour})
	require.NoError(t, err, "a fresh authentication works on FranceConnect")
	_, err = fc.RequireLevel(franceconnect.EIDAS1MFA)
	require.ErrorIs(t, err, franceconnect.ErrConfig)
}

// TestRequireLevelConstruction: the levels a door cannot offer are refused
// when the guard is built, and the guard never takes its levels from the
// request.
func TestRequireLevelConstruction(t *testing.T) {
	e := newEnv(t)
	fc := e.newApp(nil).fc
	for _, bad := range [][]franceconnect.ACR{{franceconnect.EIDAS2, franceconnect.EIDAS3}, {"eidas4"}, {franceconnect.EIDAS1MFA},
		{franceconnect.EIDAS1}} {
		_, err := fc.RequireLevel(bad...)
		require.ErrorIs(t, err, franceconnect.ErrConfig, "%q", bad)
	}
	require.Panics(t, func() {
		g, _ := fc.RequireLevel(franceconnect.EIDAS3)
		g(nil)
	})

	s := newStepSite(t, e, fchttp.Requirement{Levels: []franceconnect.ACR{franceconnect.EIDAS3}}, nil)
	u := e.user(s)
	start := mustOpen(t, u, "/banque?acr=eidas2&acr_values=eidas2&next=//ailleurs.example")
	require.True(t, e.isAuthorize(start))
	assert.Equal(t, "eidas3", query(t, start).Get("acr_values"), "the request's fields change nothing")
	done, err := u.ChooseIdentity(context.Background(), start, "camille")
	require.NoError(t, err)
	loc, _ := url.Parse(done.Header.Get("Location"))
	assert.Equal(t, "/banque", loc.Path, "back to the page itself")
}
