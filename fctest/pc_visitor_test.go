package fctest_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect/fctest"
)

// TestProConnectVisitor drives a web app through the agent page with a Visitor:
// a login, a level outside the set coming back as Y020032, and a silent
// login on the session.
func TestProConnectVisitor(t *testing.T) {
	const base, cb = "https://outil.example.gouv.fr", "https://outil.example.gouv.fr/callback"
	e := newPCEnv(t, fctest.Options{}, func(c *fctest.Registration) { c.RedirectURIs = []string{cb} })
	app := http.NewServeMux()
	app.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(w, `<a href="/login">S’identifier avec ProConnect</a>`)
	})
	app.HandleFunc("GET /login", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, e.authURL("redirect_uri", cb, "claims", r.URL.Query().Get("claims"),
			"prompt", r.URL.Query().Get("prompt")), http.StatusSeeOther)
	})
	app.HandleFunc("GET /callback", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		fmt.Fprintf(w, "code=%t error=%s", q.Get("code") != "", q.Get("error"))
	})
	u, err := e.srv.NewHandlerVisitor(app, base)
	require.NoError(t, err)
	ctx := context.Background()

	resp, err := u.SignIn(ctx, "/", "agent_eidas2")
	require.NoError(t, err)
	require.Equal(t, "code=true error=", resp.Body)

	start, err := u.Open(ctx, "/login?claims="+essential("eidas1"))
	require.NoError(t, err)
	resp, err = u.ChooseIdentity(ctx, start, "agent_eidas2")
	require.NoError(t, err)
	require.Equal(t, "code=false error=access_denied", resp.Body, "eidas2 is not in the set")

	start, err = u.Open(ctx, "/login?prompt=none")
	require.NoError(t, err)
	resp, err = u.ChooseIdentity(ctx, start, "")
	require.NoError(t, err)
	require.Equal(t, "code=true error=", resp.Body, "the session signs in without the page")
}
