package fchttp_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"html"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect/fchttp"
	"github.com/go-franceconnect/franceconnect/fctest"
)

// logSink collects a Handler's log events in JSON.
type logSink struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logSink) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logSink) logger() *slog.Logger { return slog.New(slog.NewJSONHandler(l, nil)) }

func (l *logSink) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// failures returns the "step failed" events.
func (l *logSink) failures(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(l.String()))
	for sc.Scan() {
		var ev map[string]any
		require.NoError(t, json.Unmarshal(sc.Bytes(), &ev))
		if ev["msg"] == "fchttp: step failed" {
			out = append(out, ev)
		}
	}
	return out
}

// last returns the last "step failed" event.
func (l *logSink) last(t *testing.T) map[string]any {
	t.Helper()
	evs := l.failures(t)
	require.NotEmpty(t, evs, "a failure logs an event")
	return evs[len(evs)-1]
}

var referenceOnPage = regexp.MustCompile(`<strong id="reference">([0-9A-Z]{4}-[0-9A-Z]{4})</strong>`)

// pageReference is the support reference an error page shows.
func pageReference(t *testing.T, body string) string {
	t.Helper()
	m := referenceOnPage.FindStringSubmatch(body)
	require.NotNil(t, m, "the page shows a support reference: %s", body)
	return m[1]
}

// TestSupportReference: the reference on the page is the one in the log
// event, with the door, the step, the reason and the categories; each
// failure has its own; OnError gets it in the Problem.
func TestSupportReference(t *testing.T) {
	e := newEnv(t)
	var logs logSink
	var problems []*fchttp.Problem
	a := e.newApp(func(c *fchttp.Config) { c.Logger = logs.logger() })
	seen := map[string]bool{}
	for range 3 {
		e.emu.InjectFault(fctest.FaultBadSignature)
		cb, err := e.user(a).SignIn(context.Background(), "/", "camille")
		require.NoError(t, err)
		requireProblem(t, cb, http.StatusBadGateway, "ErrSignature")
		ref := pageReference(t, cb.Body)
		ev := logs.last(t)
		assert.Equal(t, ref, ev["ref"], "the page's reference finds the log line")
		assert.False(t, seen[ref], "each failure has its own reference")
		seen[ref] = true
		assert.Equal(t, "FranceConnect+, client fchttp-fs at "+e.emu.Issuer(), ev["door"])
		assert.Equal(t, "callback", ev["step"])
		assert.Equal(t, "WARN", ev["level"])
		assert.Equal(t, "franceconnect: invalid id_token: invalid token signature", ev["reason"])
		assert.Equal(t, []any{"ErrSignature", "ErrInvalidIDToken"}, ev["categories"])
		assert.Nil(t, ev["check"], "not a configuration problem")
	}

	b := e.newApp(func(c *fchttp.Config) {
		c.Logger = logs.logger()
		c.SiteName = "Mes démarches"
		c.OnError = func(w http.ResponseWriter, r *http.Request, p *fchttp.Problem) {
			problems = append(problems, p)
			p.ServeHTTP(w, r)
		}
	})
	r := mustOpen(t, e.user(b), "/logout-callback?state=x")
	require.Len(t, problems, 1)
	assert.Equal(t, problems[0].Reference, pageReference(t, r.Body))
	assert.Equal(t, problems[0].Reference, logs.last(t)["ref"])
	assert.Equal(t, "logout-callback", logs.last(t)["step"])
	assert.Contains(t, html.UnescapeString(r.Body), "<title>Déconnexion incomplète – Mes démarches</title>")
	assert.Contains(t, r.Body, `<a href="#contenu">Aller au contenu</a>`)
	assert.Contains(t, r.Body, `<main id="contenu">`)
}

// callbackURL starts a login in u's browser and returns the URL the
// emulator sends the browser back to, without opening it.
func callbackURL(t *testing.T, e *env, u *fctest.Visitor) string {
	t.Helper()
	start := mustOpen(t, u, "/login")
	require.True(t, e.isAuthorize(start), start.Body)
	cb, err := e.emu.SignIn(context.Background(), start.Location().String(), "camille")
	require.NoError(t, err)
	return cb
}

// TestLoginStateFailures: the four login-state failures are told apart,
// each with its French explanation and a reason in the log.
func TestLoginStateFailures(t *testing.T) {
	e := newEnv(t)
	var logs logSink
	var c clock
	a := e.newApp(func(cfg *fchttp.Config) { cfg.Logger, cfg.Now = logs.logger(), c.Now })
	other := e.newApp(func(cfg *fchttp.Config) { cfg.CookieName, cfg.Now = "autre", c.Now }) // another door's states
	for _, tt := range []struct {
		name, sentinel, title, reason string
		callback                      func(t *testing.T) *fctest.Response
	}{
		{"no cookie", "ErrLoginNotFound", "Connexion introuvable", "the browser sent no session cookie",
			func(t *testing.T) *fctest.Response {
				return mustOpen(t, e.user(a), callbackURL(t, e, e.user(a)))
			}},
		{"a cookie that does not open", "ErrLoginNotFound", "Connexion introuvable", "the session cookie does not open",
			func(t *testing.T) *fctest.Response {
				u := e.user(a)
				cb := callbackURL(t, e, u)
				setSessionCookie(u, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
				return mustOpen(t, u, cb)
			}},
		{"a browser without logins in progress", "ErrLoginNotFound", "Connexion introuvable", "this browser has no login in progress",
			func(t *testing.T) *fctest.Response {
				u := e.user(a)
				signIn(t, u)
				return mustOpen(t, u, callbackURL(t, e, e.user(a)))
			}},
		{"expired, the cookie still there", "ErrLoginExpired", "Connexion expirée", "the login started more than 10m0s ago",
			func(t *testing.T) *fctest.Response {
				u := e.user(a)
				signIn(t, u) // the session keeps the cookie beyond the login's expiry
				cb := callbackURL(t, e, u)
				c.Advance(fchttp.LoginTimeout + time.Second)
				return mustOpen(t, u, cb)
			}},
		{"expired, the cookie gone", "ErrLoginExpired", "Connexion expirée", "ago, more than 10m0s",
			func(t *testing.T) *fctest.Response {
				cb := callbackURL(t, e, e.user(a))
				c.Advance(fchttp.LoginTimeout + time.Second)
				return mustOpen(t, e.user(a), cb)
			}},
		{"replaced by newer logins", "ErrLoginMismatch", "Connexion non reconnue", "this browser has 3 other login(s) in progress",
			func(t *testing.T) *fctest.Response {
				u := e.user(a)
				cb := callbackURL(t, e, u)
				for range 3 {
					callbackURL(t, e, u)
				}
				return mustOpen(t, u, cb)
			}},
		{"another door's state", "ErrLoginMismatch", "Connexion non reconnue", "this door did not issue the state",
			func(t *testing.T) *fctest.Response {
				u := e.user(a)
				callbackURL(t, e, u)
				return mustOpen(t, u, callbackURL(t, e, e.user(other)))
			}},
		{"no state", "ErrLoginMismatch", "Connexion non reconnue", "the callback has no state",
			func(t *testing.T) *fctest.Response {
				u := e.user(a)
				cb, err := url.Parse(callbackURL(t, e, u))
				require.NoError(t, err)
				q := cb.Query()
				q.Del("state")
				cb.RawQuery = q.Encode()
				return mustOpen(t, u, cb.String())
			}},
		{"reloaded after the login", "ErrLoginUsed", "Connexion déjà utilisée", "this browser already came back with this state",
			func(t *testing.T) *fctest.Response {
				u := e.user(a)
				cb := callbackURL(t, e, u)
				require.Equal(t, http.StatusSeeOther, mustOpen(t, u, cb).Status)
				return mustOpen(t, u, cb)
			}},
		{"reloaded after a failed login", "ErrLoginUsed", "Connexion déjà utilisée", "this browser already came back with this state",
			func(t *testing.T) *fctest.Response {
				u := e.user(a)
				e.emu.InjectFault(fctest.FaultBadSignature)
				cb := callbackURL(t, e, u)
				requireProblem(t, mustOpen(t, u, cb), http.StatusBadGateway, "ErrSignature")
				return mustOpen(t, u, cb)
			}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.callback(t)
			requireProblem(t, r, http.StatusBadRequest, tt.sentinel, "ErrStateMismatch")
			body := html.UnescapeString(r.Body)
			assert.Contains(t, body, "<h1>"+tt.title+"</h1>")
			for _, other := range []string{"ErrLoginNotFound", "ErrLoginExpired", "ErrLoginMismatch", "ErrLoginUsed"} {
				if other != tt.sentinel {
					assert.NotContains(t, body, other, "one kind of login-state failure at a time")
				}
			}
			ev := logs.last(t)
			assert.Equal(t, pageReference(t, r.Body), ev["ref"])
			assert.Contains(t, ev["reason"], tt.reason)
			assert.Equal(t, "callback", ev["step"])
		})
	}
	assert.Empty(t, e.emu.PendingFaults())
}

// TestLoginStateMessages: each kind says what to do, in French.
func TestLoginStateMessages(t *testing.T) {
	for sentinel, want := range map[error]string{
		fchttp.ErrLoginNotFound: "vérifiez que votre navigateur accepte les cookies de ce site",
		fchttp.ErrLoginExpired:  "elle doit aboutir en moins de 10 minutes",
		fchttp.ErrLoginMismatch: "fermez les autres onglets",
		fchttp.ErrLoginUsed:     "si la connexion avait abouti, votre session est ouverte",
	} {
		assert.Contains(t, problemFor(t, sentinel).Message, want, sentinel)
	}
}

// problemFor is the Problem a Handler's OnError receives for a callback
// failing with err's kind.
func problemFor(t *testing.T, kind error) *fchttp.Problem {
	t.Helper()
	e := newEnv(t)
	var got *fchttp.Problem
	a := e.newApp(func(c *fchttp.Config) {
		c.OnError = func(w http.ResponseWriter, r *http.Request, p *fchttp.Problem) { got = p }
	})
	u := e.user(a)
	cb := callbackURL(t, e, u)
	switch kind {
	case fchttp.ErrLoginNotFound:
		u = e.user(a)
	case fchttp.ErrLoginMismatch:
		cb = strings.Replace(cb, "state=", "state=0", 1)
	case fchttp.ErrLoginUsed:
		mustOpen(t, u, cb)
	case fchttp.ErrLoginExpired:
		var c clock
		a = e.newApp(func(cfg *fchttp.Config) {
			cfg.Now = c.Now
			cfg.OnError = func(w http.ResponseWriter, r *http.Request, p *fchttp.Problem) { got = p }
		})
		u = e.user(a)
		cb = callbackURL(t, e, u)
		c.Advance(time.Hour)
	}
	mustOpen(t, u, cb)
	require.NotNil(t, got)
	require.ErrorIs(t, got.Err, kind)
	return got
}

// TestConfigurationNamedInLog: a failure caused by the configuration names
// the variable to check in the log event (check) and its reason, never on
// the page.
func TestConfigurationNamedInLog(t *testing.T) {
	var logs logSink
	_, _, u := pcAppWith(t, func(reg *fctest.Registration, c *fchttp.Config) {
		reg.UserinfoSignedResponseAlg = "" // ProConnect answers JSON; the Client expects a JWT
		c.Logger = logs.logger()
	})
	r, err := u.SignIn(context.Background(), "/", "agent_mfa")
	require.NoError(t, err)
	requireProblem(t, r, http.StatusBadGateway, "ErrContentType")
	assert.NotContains(t, r.Body, "FC_USERINFO")
	ev := logs.last(t)
	assert.Equal(t, "FC_USERINFO", ev["check"])
	assert.Contains(t, ev["reason"], "check UserInfo (FC_USERINFO)")

	e := newEnv(t)
	a := e.newApp(func(c *fchttp.Config) { c.Logger = logs.logger() })
	for fault, variable := range map[fctest.Fault]string{fctest.FaultWrongEncryptionKey: "FC_KEYS", fctest.FaultBadSignature: ""} {
		e.emu.InjectFault(fault)
		_, err := e.user(a).SignIn(context.Background(), "/", "camille")
		require.NoError(t, err)
		ev := logs.last(t)
		if variable == "" {
			assert.Nil(t, ev["check"], fault)
			continue
		}
		assert.Equal(t, variable, ev["check"], fault)
		assert.Contains(t, ev["reason"], "("+variable+")")
	}
}
