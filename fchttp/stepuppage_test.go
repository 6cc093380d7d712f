package fchttp_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect"
	"github.com/go-franceconnect/franceconnect/fchttp"
	"github.com/go-franceconnect/franceconnect/fctest"
)

// TestOnStepUpPage: the site draws the page of a form posted below its
// level with the StepUpPage the hook receives; a hook that panics before
// writing falls back to the default page.
func TestOnStepUpPage(t *testing.T) {
	var got *fchttp.StepUpPage
	panics := false
	e := ssoEnv(t)
	s := newStepSite(t, e, fchttp.Requirement{Levels: []franceconnect.ACR{franceconnect.EIDAS3}, MaxAge: time.Hour}, func(c *fchttp.Config) {
		c.SiteName = "Mes démarches"
		c.OnStepUpPage = func(w http.ResponseWriter, r *http.Request, p *fchttp.StepUpPage) {
			if panics {
				panic("the layout is broken")
			}
			got = p
			button, err := p.Button.HTML()
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			w.WriteHeader(p.Status)
			fmt.Fprintf(w, "<main><h1>%s</h1>%s</main>", html.EscapeString(p.Title), button)
		}
	})
	u := e.user(s)
	ctx := context.Background()
	post := func() *fctest.Response {
		t.Helper()
		form := mustOpen(t, u, "/compte")
		form.Body += `<form method="post" action="/banque?onglet=iban"><button>Enregistrer</button></form>`
		r, err := u.Submit(ctx, form, "/banque?onglet=iban", nil)
		require.NoError(t, err)
		return r
	}

	r := post()
	require.Equal(t, http.StatusForbidden, r.Status)
	require.NotNil(t, got)
	assert.False(t, got.SignedIn)
	assert.Equal(t, "Connexion requise", got.Title)
	assert.Equal(t, "/banque?fchttp-step-up=1&onglet=iban", got.Button.Action)
	assert.Equal(t, "Mes démarches", got.Site)

	browseAtEidas2(t, s, u)
	r = post()
	require.Equal(t, http.StatusForbidden, r.Status)
	assert.True(t, got.SignedIn)
	assert.Equal(t, franceconnect.EIDAS2, got.ACR)
	assert.Equal(t, []franceconnect.ACR{franceconnect.EIDAS3}, got.Levels)
	assert.Equal(t, time.Hour, got.MaxAge)
	assert.Contains(t, got.Message, "au niveau de garantie élevé (eidas3) datant de moins de 1 heure")
	assert.Contains(t, r.Body, `<form id="step-up" method="post" action="/banque?fchttp-step-up=1&amp;onglet=iban">`)
	assert.Equal(t, "no-store", r.Header.Get("Cache-Control"), "a private page")

	panics = true
	r = post()
	require.Equal(t, http.StatusForbidden, r.Status)
	assert.Contains(t, html.UnescapeString(r.Body), "<title>Confirmez votre identité – Mes démarches</title>")
	assert.Contains(t, r.Body, `<html lang="fr">`)
	csp := r.Header.Get("Content-Security-Policy")
	assert.Contains(t, csp, "default-src 'none'")
	assert.NotContains(t, csp, "form-action", "the button's form ends at the platform, after a redirect")
	assert.NotContains(t, r.Body, "Camille")
}

// TestGuardedPageReadsTheSessionOnce: on a request the guard let through,
// the page's Handler.User returns what the guard read, without another
// trip to the Store, and a copy of it.
func TestGuardedPageReadsTheSessionOnce(t *testing.T) {
	e := newEnv(t)
	store := newMemStore()
	s := newStepSite(t, e, fchttp.Requirement{}, func(c *fchttp.Config) { c.Store = store })
	var seen []*fchttp.User
	s.mux.Handle("/deux", func() http.Handler {
		g, err := s.fc.Require(fchttp.Requirement{})
		require.NoError(t, err)
		return g(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			for range 2 {
				u, err := s.fc.User(w, r)
				require.NoError(t, err)
				seen = append(seen, u)
			}
			seen[0].Data[0] = 'X'
		}))
	}())
	u := e.user(s)
	signIn(t, u)
	before := store.calls.Load()
	mustOpen(t, u, "/deux")
	assert.EqualValues(t, 1, store.calls.Load()-before, "one read of the session, by the guard")
	require.Len(t, seen, 2)
	assert.Equal(t, seen[0].Subject, seen[1].Subject)
	assert.NotEqual(t, seen[0].Data, seen[1].Data, "each call gets its own copy")
}
