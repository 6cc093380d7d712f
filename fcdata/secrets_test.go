package fcdata_test

import (
	"bytes"
	"context"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect"
	"github.com/go-franceconnect/franceconnect/fcdata"
	"github.com/go-franceconnect/franceconnect/fctest"
)

// The errors and log events of the package name what failed, never the
// token, a secret or the person: a data provider logs them as they are.

// sentinels are the package's exported errors; the test checks that its
// source declares no other.
var sentinels = map[string]error{
	"ErrConfig": fcdata.ErrConfig, "ErrIntrospection": fcdata.ErrIntrospection, "ErrDiscovery": fcdata.ErrDiscovery,
}

// echo is a transport that answers the platform's endpoint path with an
// error quoting the token the request sent.
type echo struct {
	path string
	json bool
}

func (e echo) RoundTrip(req *http.Request) (*http.Response, error) {
	if !strings.HasSuffix(req.URL.Path, e.path) {
		return http.DefaultTransport.RoundTrip(req)
	}
	body, _ := io.ReadAll(req.Body)
	_ = req.Body.Close()
	tok := string(body)
	ct, answer := "text/html", "<html>"+tok+"</html>"
	if e.json {
		ct, answer = "application/json", `{"error":"invalid_request","error_description":"`+tok+`"}`
	}
	return &http.Response{StatusCode: http.StatusBadRequest, Header: http.Header{"Content-Type": {ct}},
		Body: io.NopCloser(strings.NewReader(answer)), Request: req}, nil
}

// secretsOf lists what no message of e may hold: the token and its
// segments, both secrets, and the person's claims.
func secretsOf(e *env, tok string) []string {
	out := []string{tok, string(dpSecret), string(fsSecret)}
	for _, seg := range strings.Split(tok, ".") {
		if len(seg) >= 16 {
			out = append(out, seg)
		}
	}
	who := e.person()
	out = append(out, e.srv.Subject("fs-test", who))
	for _, id := range e.srv.People() {
		if id.Login == who {
			out = append(out, id.GivenName, id.FamilyName, id.Birthdate, id.Birthplace, id.Email)
		}
	}
	for _, ag := range e.srv.Agents() {
		if ag.Login == who {
			out = append(out, ag.GivenName, ag.UsualName, ag.Email, ag.UID, ag.SIRET, ag.OrganizationLabel)
		}
	}
	return slices.DeleteFunc(out, func(s string) bool { return len(s) < 5 })
}

// TestErrorMessagesHoldNoSecrets drives every sentinel through a failure:
// each failing conformance case, answered by the middleware with its log
// events, an active answer logged at debug level, a platform that echoes
// the token in its error, a bad Config, a platform that cannot be
// discovered.
func TestErrorMessagesHoldNoSecrets(t *testing.T) {
	require.Equal(t, declaredSentinels(t), slices.Sorted(func(yield func(string) bool) {
		for n := range sentinels {
			if !yield(n) {
				return
			}
		}
	}), "a new sentinel needs a line in sentinels and a failure that reaches it")
	reached := map[error]bool{}
	check := func(t *testing.T, secrets []string, err error, texts ...string) {
		t.Helper()
		for _, s := range sentinels {
			if errors.Is(err, s) {
				reached[s] = true
			}
		}
		for _, text := range append(texts, err.Error()) {
			for _, s := range secrets {
				require.NotContains(t, text, s, "a message or log event quotes the token, a secret or the person")
			}
		}
	}
	cases := append(conformanceCases(), confCase{name: "active, logged", setups: allSetups},
		confCase{name: "an error page echoing the token", setups: allSetups,
			edit: func(c *fcdata.Config) { c.HTTPClient = &http.Client{Transport: echo{path: "/checktoken"}} }},
		confCase{name: "an OAuth error echoing the token", setups: allSetups,
			edit: func(c *fcdata.Config) { c.HTTPClient = &http.Client{Transport: echo{path: "/checktoken", json: true}} }})
	for _, tc := range cases {
		for _, s := range tc.setups {
			t.Run(tc.name+"/"+setupName(s), func(t *testing.T) {
				e := newEnv(t, s)
				tok := e.token()
				var logs bytes.Buffer
				edits := []func(*fcdata.Config){func(c *fcdata.Config) {
					c.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
				}}
				if tc.edit != nil {
					edits = append(edits, tc.edit)
				}
				if strings.Contains(tc.name, "echo") && s.platform == fctest.ProConnect {
					edits = append(edits, func(c *fcdata.Config) {
						c.HTTPClient.Transport = echo{path: "/token/introspection", json: c.HTTPClient.Transport.(echo).json}
					})
				}
				v := e.verifier(edits...)
				if tc.fault != noFault {
					e.srv.InjectFault(tc.fault)
				}
				rec := serve(v.Middleware()(me), func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+tok) })
				_, err := v.Introspect(context.Background(), tok)
				if err == nil {
					err = errors.New("no error")
				}
				texts := []string{logs.String(), rec.Header().Get("WWW-Authenticate")}
				if rec.Code != http.StatusOK { // the handler's own answer is the data served
					texts = append(texts, rec.Body.String())
				}
				check(t, secretsOf(e, tok), err, texts...)
			})
		}
	}

	t.Run("a configuration with a secret and keys that do not fit", func(t *testing.T) {
		for k, v := range map[string]string{fcdata.EnvIssuer: "https://fcp.integ01.dev-franceconnect.fr/api/v2",
			fcdata.EnvClientID: "dp", fcdata.EnvClientSecret: "MARQUEUR-secret trop court ", fcdata.EnvKeys: "/nonexistent/MARQUEUR.json",
			fcdata.EnvScopes: "dgfip_rfr,MARQUEUR", fcdata.EnvSigningAlg: "RS256"} {
			t.Setenv(k, v)
		}
		_, err := fcdata.ConfigFromEnv()
		require.ErrorIs(t, err, fcdata.ErrConfig)
		check(t, []string{"MARQUEUR-secret"}, err)
	})
	t.Run("a platform whose discovery names another issuer", func(t *testing.T) {
		e := newEnv(t, fcPlus)
		e.srv.InjectFault(fctest.FaultDiscoveryWrongIssuer)
		_, err := fcdata.New(context.Background(), e.cfg)
		require.ErrorIs(t, err, fcdata.ErrDiscovery)
		check(t, []string{string(dpSecret)}, err)
	})
	for name, s := range sentinels {
		assert.True(t, reached[s], "no failure checked here reaches %s", name)
	}
}

// declaredSentinels are the exported Err… variables of the package's
// source.
func declaredSentinels(t *testing.T) []string {
	t.Helper()
	pkgs, err := parser.ParseDir(token.NewFileSet(), ".", func(fi os.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }, 0)
	require.NoError(t, err)
	var names []string
	for _, f := range pkgs["fcdata"].Files {
		for name, obj := range f.Scope.Objects {
			if obj.Kind == ast.Var && strings.HasPrefix(name, "Err") && ast.IsExported(name) {
				names = append(names, name)
			}
		}
	}
	slices.Sort(names)
	return names
}

var _ = franceconnect.ErrConfig // the franceconnect sentinels an Introspect error wraps are checked by conformance
