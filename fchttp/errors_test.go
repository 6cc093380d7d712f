package fchttp_test

import (
	"bytes"
	"context"
	"html"
	"log/slog"
	"net/http"
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

func TestErrorPages(t *testing.T) {
	e := newEnv(t)
	var logs bytes.Buffer
	a := e.newApp(func(c *fchttp.Config) { c.Logger = slog.New(slog.NewTextHandler(&logs, nil)) })
	for _, tt := range []struct {
		fault  fctest.Fault
		status int
		names  []string
		text   string
	}{
		{fctest.FaultAccessDenied, http.StatusBadRequest, []string{"ProviderError access_denied"},
			(&franceconnect.ProviderError{Code: "access_denied"}).UserMessage()},
		{fctest.FaultServerError, http.StatusBadGateway, []string{"ProviderError server_error"}, "momentanément indisponible"},
		{fctest.FaultCallbackWrongState, http.StatusBadRequest, []string{"ErrLoginMismatch", "ErrStateMismatch"}, "recommencez la connexion"},
		{fctest.FaultCallbackWrongIssuer, http.StatusBadRequest, []string{"ErrIssuerMismatch"}, "Recommencez"},
		{fctest.FaultBadSignature, http.StatusBadGateway, []string{"ErrSignature", "ErrInvalidIDToken"}, "n'a pas pu confirmer"},
		{fctest.FaultWrongEncryptionKey, http.StatusBadGateway, []string{"ErrDecryption"}, "n'a pas pu confirmer"},
		{fctest.FaultTokenServerError, http.StatusBadGateway, []string{"ProviderError server_error"}, "FranceConnect+ a interrompu"},
		{fctest.FaultUserinfoSubMismatch, http.StatusBadGateway, []string{"ErrSubjectMismatch", "ErrInvalidUserInfo"}, ""},
	} {
		t.Run(tt.fault.String(), func(t *testing.T) {
			e.emu.InjectFault(tt.fault)
			u := e.user(a)
			cb, err := u.SignIn(context.Background(), "/", "camille")
			require.NoError(t, err)
			requireProblem(t, cb, tt.status, tt.names...)
			assert.Contains(t, html.UnescapeString(cb.Body), tt.text)
			assert.Contains(t, mustOpen(t, u, "/").Body, "Anonyme")
		})
	}
	require.Contains(t, logs.String(), "fchttp: step failed")
	for _, leak := range []string{"Camille", "ARNAUD", "camille", e.emu.Subject(clientID, "camille"), "eyJ", "code="} {
		assert.NotContains(t, logs.String(), leak)
	}
}

// TestProviderUnavailable: when the token endpoint answers 503 (no OAuth
// error), the page asks the user to try again later; a 400 does not.
func TestProviderUnavailable(t *testing.T) {
	var status atomic.Int64
	e := newEnvWith(t, fctest.Options{Middleware: func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if s := int(status.Load()); s != 0 && r.URL.Path == "/api/v2/token" {
				http.Error(w, "<html>maintenance</html>", s)
				return
			}
			next.ServeHTTP(w, r)
		})
	}})
	a := e.newApp(nil)
	for _, tt := range []struct {
		status      int
		unavailable bool
	}{{http.StatusServiceUnavailable, true}, {http.StatusBadRequest, false}} {
		status.Store(int64(tt.status))
		cb, err := e.user(a).SignIn(context.Background(), "/", "camille")
		require.NoError(t, err)
		requireProblem(t, cb, http.StatusBadGateway, "ErrExchange", "ErrHTTP")
		body := html.UnescapeString(cb.Body)
		assert.Equal(t, tt.unavailable, strings.Contains(body, "momentanément indisponible. Veuillez réessayer plus tard"), tt.status)
	}
}

func TestLogoutErrors(t *testing.T) {
	e := newEnv(t)
	u := e.user(e.newApp(nil))
	ctx := context.Background()

	r, err := u.Open(ctx, "/logout-callback?state="+strings.Repeat("a", 64))
	require.NoError(t, err)
	requireProblem(t, r, http.StatusBadRequest, "ErrStateMismatch")
	assert.Contains(t, r.Body, "Déconnexion incomplète")

	page := signIn(t, u)
	e.emu.InjectFault(fctest.FaultLogoutWrongState)
	r, err = u.Logout(ctx, page)
	require.NoError(t, err)
	requireProblem(t, r, http.StatusBadRequest, "ErrStateMismatch")
	assert.Contains(t, mustOpen(t, u, "/").Body, "Anonyme", "the local session ended before FranceConnect's")

	// Without a signed-in user, logout just goes home.
	r, err = u.Submit(ctx, page, "/logout", nil)
	require.NoError(t, err)
	require.Equal(t, http.StatusSeeOther, r.Status)
	assert.Equal(t, "/", r.Header.Get("Location"))
	assert.Equal(t, 1, e.emu.Requests("session/end"))
}

func TestOnLogout(t *testing.T) {
	e := newEnv(t)
	var got []*fchttp.User
	a := e.newApp(func(c *fchttp.Config) {
		c.OnLogout = func(w http.ResponseWriter, r *http.Request, user *fchttp.User) {
			got = append(got, user)
			http.SetCookie(w, &http.Cookie{Name: "app", MaxAge: -1})
			_, _ = w.Write([]byte("dropped"))
		}
	})
	u := e.user(a)
	page := signIn(t, u)
	r, err := u.Submit(context.Background(), page, "/logout", nil)
	require.NoError(t, err)
	require.Equal(t, http.StatusSeeOther, r.Status)
	assert.NotContains(t, r.Body, "dropped")
	assert.Contains(t, strings.Join(r.Header.Values("Set-Cookie"), "\n"), "app=; Max-Age=0")
	r, err = u.Submit(context.Background(), page, "/logout", nil)
	require.NoError(t, err)
	assert.Equal(t, "/", r.Header.Get("Location"), "nobody to log out at FranceConnect")
	require.Len(t, got, 2)
	assert.Equal(t, e.emu.Subject(clientID, "camille"), got[0].Subject)
	assert.Equal(t, "Camille Hélène", dataOf(got[0]))
	assert.Nil(t, got[1], "nobody was signed in the second time")
}

// TestStoreFailure: a Store that fails makes every step that needs it
// answer 503, never a signed-out page; a login that cannot be kept fails
// the same way.
func TestStoreFailure(t *testing.T) {
	e := newEnv(t)
	store := newMemStore()
	a := e.newApp(func(c *fchttp.Config) { c.Store = store })
	u := e.user(a)
	ctx := context.Background()
	page := signIn(t, u)
	store.down.Store(true)
	for _, path := range []string{"/", "/login", "/logout-callback?state=x"} {
		requireProblemOrPage(t, mustOpen(t, u, path), http.StatusServiceUnavailable)
	}
	r, err := u.Submit(ctx, page, "/logout", nil)
	require.NoError(t, err)
	requireProblem(t, r, http.StatusServiceUnavailable, "ErrStore")
	assert.Contains(t, html.UnescapeString(r.Body), "n'a pas pu confirmer la fin de votre session")
	assert.Contains(t, r.Header.Get("Set-Cookie"), "Max-Age=0", "this browser forgets the session all the same")

	fresh := e.user(a)
	start := mustOpen(t, fresh, "/login")
	require.True(t, e.isAuthorize(start), "a login starts without the Store: %s", start.Body)
	cb, err := fresh.ChooseIdentity(ctx, start, "camille")
	require.NoError(t, err)
	requireProblem(t, cb, http.StatusServiceUnavailable, "ErrStore")
	store.down.Store(false)
	assert.Contains(t, mustOpen(t, fresh, "/").Body, "Anonyme")
}

// requireProblemOrPage checks the status of a page: an error page of the
// Handler, or the application's own.
func requireProblemOrPage(t *testing.T, r *fctest.Response, status int) {
	t.Helper()
	require.Equal(t, status, r.Status, r.Body)
}

func TestSessionSizeStaysBelow4KB(t *testing.T) {
	e := newEnv(t)
	long := "/" + strings.Repeat("a", 500)
	a := e.newApp(func(c *fchttp.Config) {
		c.OnLogin = func(http.ResponseWriter, *http.Request, *franceconnect.Login) (any, error) {
			return stringOfJSONSize(fchttp.MaxUserData), nil
		}
	})
	u := e.user(a)
	ctx := context.Background()
	start, err := u.Open(ctx, "/login?next="+long)
	require.NoError(t, err)
	cb, err := u.ChooseIdentity(ctx, start, "camille")
	require.NoError(t, err)
	require.Equal(t, http.StatusSeeOther, cb.Status, cb.Body)
	var starts []*fctest.Response
	for range 4 { // more logins in progress than a session keeps
		r, err := u.Open(ctx, "/login?next="+long)
		require.NoError(t, err)
		require.True(t, e.isAuthorize(r), r.Body)
		assert.Less(t, len(r.Header.Get("Set-Cookie")), 4000)
		starts = append(starts, r)
	}
	assert.Less(t, len("__Host-fs_session="+sessionCookie(t, u)), 4000)
	last, err := u.ChooseIdentity(ctx, starts[3], "camille")
	require.NoError(t, err)
	require.Equal(t, http.StatusSeeOther, last.Status, "the newest login is kept: %s", last.Body)
	first, err := u.ChooseIdentity(ctx, starts[0], "camille")
	require.NoError(t, err)
	requireProblem(t, first, http.StatusBadRequest, "ErrLoginMismatch")
}

func TestUserExpires(t *testing.T) {
	e := newEnv(t)
	var c clock
	a := e.newApp(func(cfg *fchttp.Config) { cfg.Now, cfg.SessionLifetime = c.Now, time.Hour })
	u := e.user(a)
	signIn(t, u)
	value := sessionCookie(t, u)
	user := userOf(t, a.fc, value)
	require.NotNil(t, user)
	assert.Equal(t, e.emu.Subject(clientID, "camille"), user.Subject)
	assert.Equal(t, franceconnect.EIDAS3, user.ACR)
	assert.WithinDuration(t, c.Now().Add(time.Hour), user.Expiry, 2*time.Second)
	assert.WithinDuration(t, time.Now(), user.AuthTime, time.Minute)
	for range 5 { // active every 10 minutes: the idle timeout does not end it
		c.Advance(10 * time.Minute)
		require.NotNil(t, userAt(t, a.fc, &value))
	}
	c.Advance(10 * time.Minute)
	assert.Nil(t, userAt(t, a.fc, &value), "an hour after the login, the session has ended")
}
