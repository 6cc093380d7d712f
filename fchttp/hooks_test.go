package fchttp_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect"
	"github.com/go-franceconnect/franceconnect/fchttp"
)

// TestOnLoginRefusalEndsThePreviousSession: a refused login leaves nobody
// signed in, not even who was before, with or without shared state; a
// panic refuses the same way.
func TestOnLoginRefusalEndsThePreviousSession(t *testing.T) {
	states := sharedStates()
	states["sealed"] = func(*fchttp.Config) {}
	for name, shared := range states {
		for _, how := range []string{"error", "panic"} {
			t.Run(name+" "+how, func(t *testing.T) {
				e := newEnv(t)
				refuse := false
				a := e.newApp(func(c *fchttp.Config) {
					shared(c)
					c.OnLogin = func(w http.ResponseWriter, r *http.Request, l *franceconnect.Login) (any, error) {
						switch {
						case !refuse:
							return l.Identity.GivenName, nil
						case how == "panic":
							panic("the accounts database is gone")
						}
						return nil, errors.New("refused")
					}
				})
				u := e.user(a)
				signIn(t, u)
				before := sessionCookie(t, u)
				refuse = true
				cb, err := u.ChooseIdentity(context.Background(), mustOpen(t, u, "/login"), "nom_usage")
				require.NoError(t, err)
				requireProblem(t, cb, http.StatusInternalServerError, "ErrApplication")
				assert.Contains(t, mustOpen(t, u, "/").Body, "Anonyme", "nobody is signed in")
				if name != "sealed" {
					assert.Nil(t, userOf(t, a.fc, before), "the previous session has ended on the server")
				}
			})
		}
	}
}

// TestOnLogoutPanic: the session ends, the cookie is cleared and the page
// says so, whatever the hook does.
func TestOnLogoutPanic(t *testing.T) {
	for name, shared := range sharedStates() {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			a := e.newApp(func(c *fchttp.Config) {
				shared(c)
				c.OnLogout = func(http.ResponseWriter, *http.Request, *fchttp.User) { panic(http.ErrAbortHandler) }
			})
			u := e.user(a)
			page := signIn(t, u)
			copied := sessionCookie(t, u)
			r, err := u.Submit(context.Background(), page, "/logout", nil)
			require.NoError(t, err)
			requireProblem(t, r, http.StatusInternalServerError, "ErrApplication")
			assert.Contains(t, r.Body, "Déconnexion incomplète")
			assert.Contains(t, r.Header.Get("Set-Cookie"), "Max-Age=0")
			assert.Contains(t, mustOpen(t, u, "/").Body, "Anonyme")
			assert.Nil(t, userOf(t, a.fc, copied))
			assert.Zero(t, e.emu.Requests("session/end"))
		})
	}
}

// TestOnErrorPanic: the default page follows, and the session the failure
// ended stays ended in the browser too.
func TestOnErrorPanic(t *testing.T) {
	e := newEnv(t)
	refuse := false
	a := e.newApp(func(c *fchttp.Config) {
		c.OnLogin = func(w http.ResponseWriter, r *http.Request, l *franceconnect.Login) (any, error) {
			if refuse {
				return nil, errors.New("refused")
			}
			return "x", nil
		}
		c.OnError = func(http.ResponseWriter, *http.Request, *fchttp.Problem) { panic("template missing") }
	})
	u := e.user(a)
	signInAs(t, u, "camille", "Bonjour x")
	refuse = true
	cb, err := u.ChooseIdentity(context.Background(), mustOpen(t, u, "/login"), "camille")
	require.NoError(t, err)
	requireProblem(t, cb, http.StatusInternalServerError, "ErrApplication")
	assert.Contains(t, mustOpen(t, u, "/").Body, "Anonyme")
}

// TestPrivateHeaders: the callback's page that OnLogin writes, the pages
// behind User, the Handler's redirects and Private pages are not stored,
// sniffed or named in a Referer.
func TestPrivateHeaders(t *testing.T) {
	e := newEnv(t)
	a := e.newApp(func(c *fchttp.Config) {
		c.OnLogin = func(w http.ResponseWriter, r *http.Request, l *franceconnect.Login) (any, error) {
			w.Header().Set("Cache-Control", "public, max-age=3600") // a mistake the Handler overrides
			w.WriteHeader(http.StatusOK)
			_, _ = w.Write([]byte("<h1>Identité de " + l.Identity.GivenName + "</h1>"))
			return nil, nil
		}
	})
	u := e.user(a)
	start := mustOpen(t, u, "/login")
	requirePrivate(t, start.Header)
	cb, err := u.ChooseIdentity(context.Background(), start, "camille")
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, cb.Status)
	requirePrivate(t, cb.Header)
	requirePrivate(t, mustOpen(t, u, "/").Header) // the page calls User
	requirePrivate(t, mustOpen(t, u, "/callback?state=x&code=y").Header)

	rec := httptest.NewRecorder()
	fchttp.Private(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})).ServeHTTP(rec, httptest.NewRequest("GET", "/compte", nil))
	requirePrivate(t, rec.Header())
}

func requirePrivate(t *testing.T, h http.Header) {
	t.Helper()
	assert.Equal(t, []string{"no-store"}, h.Values("Cache-Control"))
	assert.Equal(t, "nosniff", h.Get("X-Content-Type-Options"))
	assert.Equal(t, "no-referrer", h.Get("Referrer-Policy"))
}

// TestFullOriginOverHTTPS: over https, a POST from http:// the same host
// is refused even without Sec-Fetch-Site, which http.CrossOriginProtection
// alone lets through; a trusted origin passes.
func TestFullOriginOverHTTPS(t *testing.T) {
	e := newEnv(t)
	a := e.newApp(func(c *fchttp.Config) { c.TrustedOrigins = []string{"https://www.fs.example.fr"} })
	post := func(origin, fetchSite string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodPost, site+"/login", strings.NewReader("acr=eidas3"))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set("Origin", origin)
		if fetchSite != "" {
			r.Header.Set("Sec-Fetch-Site", fetchSite)
		}
		w := httptest.NewRecorder()
		a.ServeHTTP(w, r)
		return w
	}
	for _, origin := range []string{"http://fs.example.fr", "https://fs.example.fr:8443", "null", "https://evil.example"} {
		w := post(origin, "")
		assert.Equal(t, http.StatusForbidden, w.Code, origin)
		assert.Contains(t, w.Body.String(), "ErrCrossOrigin", origin)
		assert.Empty(t, w.Header().Values("Set-Cookie"), origin)
	}
	for _, origin := range []string{"https://fs.example.fr", "https://www.fs.example.fr"} {
		assert.Equal(t, http.StatusSeeOther, post(origin, "").Code, origin)
	}
	assert.Equal(t, http.StatusSeeOther, post("https://fs.example.fr", "same-origin").Code)
}

// account is what an FS keeps: its own id, a display name and a birth
// date, in JSON, without an encoding of its own.
type account struct {
	ID        int64                   `json:"id"`
	Name      string                  `json:"name"`
	Birthdate franceconnect.Birthdate `json:"birthdate"`
}

func TestTypedData(t *testing.T) {
	e := newEnv(t)
	a := e.newApp(func(c *fchttp.Config) {
		c.Store = newMemStore()
		c.OnLogin = func(w http.ResponseWriter, r *http.Request, l *franceconnect.Login) (any, error) {
			return account{ID: 42, Name: l.Identity.GivenName, Birthdate: l.Identity.Birthdate}, nil
		}
	})
	u := e.user(a)
	cb, err := u.SignIn(context.Background(), "/", "camille")
	require.NoError(t, err)
	require.Equal(t, http.StatusSeeOther, cb.Status, cb.Body)
	user := userOf(t, a.fc, sessionCookie(t, u))
	require.NotNil(t, user)
	var got account
	require.NoError(t, user.Decode(&got))
	assert.Equal(t, account{ID: 42, Name: "Camille Hélène", Birthdate: franceconnect.Birthdate{Year: 1984, Month: 5, Day: 23}}, got)
}

// TestDataTooLargeAtFirstLogin: data above the limit fails the first
// login, whoever logs in, with the size and the limit in the error, the
// page and the log.
func TestDataTooLargeAtFirstLogin(t *testing.T) {
	for name, tt := range map[string]struct {
		store fchttp.Store
		limit int
	}{"sealed": {nil, fchttp.MaxUserData}, "store": {newMemStore(), fchttp.MaxStoredUserData}} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			var got *fchttp.Problem
			a := e.newApp(func(c *fchttp.Config) {
				c.Store = tt.store
				c.OnLogin = func(http.ResponseWriter, *http.Request, *franceconnect.Login) (any, error) {
					return stringOfJSONSize(tt.limit + 1), nil
				}
				c.OnError = func(w http.ResponseWriter, r *http.Request, p *fchttp.Problem) { got = p; p.ServeHTTP(w, r) }
			})
			cb, err := e.user(a).SignIn(context.Background(), "/", "camille")
			require.NoError(t, err)
			requireProblem(t, cb, http.StatusInternalServerError, "ErrSessionTooLarge")
			require.ErrorIs(t, got.Err, fchttp.ErrSessionTooLarge)
			assert.ErrorContains(t, got.Err, "OnLogin's data in JSON is "+itoa(tt.limit+1)+" bytes, at most "+itoa(tt.limit))
			assert.Contains(t, cb.Body, "("+itoa(tt.limit+1)+" octets, "+itoa(tt.limit)+" au plus)")
		})
	}
}
