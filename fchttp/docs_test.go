package fchttp_test

import (
	"context"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect"
	"github.com/go-franceconnect/franceconnect/fchttp"
	"github.com/go-franceconnect/franceconnect/fctest"
)

// TestSessionsDocShowsTheAccount keeps the account type of
// docs/sessions.md equal to the one TestTypedData logs in with.
func TestSessionsDocShowsTheAccount(t *testing.T) {
	doc, err := os.ReadFile("../docs/sessions.md")
	require.NoError(t, err)
	src, err := os.ReadFile("hooks_test.go")
	require.NoError(t, err)
	_, decl, ok := strings.Cut(string(src), "\ntype account struct {\n")
	require.True(t, ok)
	decl, _, _ = strings.Cut(decl, "\n}\n")
	require.Contains(t, string(doc), "```go\ntype account struct {\n"+decl+"\n}\n```\n")
}

// TestDiagnosticsDoc keeps docs/diagnostics.md in step with the code: it
// names every attribute of a failure's log event and, for each
// login-state failure, its title and message as the page shows them.
func TestDiagnosticsDoc(t *testing.T) {
	raw, err := os.ReadFile("../docs/diagnostics.md")
	require.NoError(t, err)
	doc := string(raw)
	e := newEnv(t)
	var logs logSink
	a := e.newApp(func(c *fchttp.Config) {
		c.Logger = logs.logger()
		c.OnLogin = func(http.ResponseWriter, *http.Request, *franceconnect.Login) (any, error) {
			return stringOfJSONSize(fchttp.MaxUserData + 1), nil
		}
	})
	e.emu.InjectFault(fctest.FaultWrongEncryptionKey) // check
	for range 2 {                                     // then size and limit
		_, err := e.user(a).SignIn(context.Background(), "/", "camille")
		require.NoError(t, err)
	}
	attrs := map[string]bool{}
	for _, ev := range logs.failures(t) {
		for k := range ev {
			attrs[k] = !slices.Contains([]string{"time", "level", "msg"}, k)
		}
	}
	for attr, documented := range attrs {
		if documented {
			require.Regexp(t, "\\n\\| (`[a-z]+`, )*`"+attr+"`", doc, "the doc lists the attribute %s", attr)
		}
	}
	for _, kind := range []error{fchttp.ErrLoginNotFound, fchttp.ErrLoginExpired, fchttp.ErrLoginMismatch, fchttp.ErrLoginUsed} {
		p := problemFor(t, kind)
		require.Contains(t, doc, "| "+p.Title+" | "+p.Message+" |", "the doc shows what the page says for %v", kind)
	}
}
