package fctest_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect/fctest"
)

// openInteraction follows authorize with b and returns the page URL and body.
func openInteraction(t *testing.T, e *env, b *fctest.Browser, kv ...string) (string, string) {
	t.Helper()
	resp, err := b.HTTPClient().Get(e.authURL(kv...))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	pageURL := e.srv.URL() + resp.Header.Get("Location")
	resp, err = b.HTTPClient().Get(pageURL)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	require.Equal(t, "text/html; charset=utf-8", resp.Header.Get("Content-Type"))
	return pageURL, string(body)
}

func TestInteractionPage(t *testing.T) {
	e := newEnv(t, fctest.Options{}, nil)
	_, body := openInteraction(t, e, e.srv.NewBrowser(), "acr_values", "eidas3")
	require.Contains(t, body, `<html lang="fr">`)
	require.Contains(t, body, "#000091")
	require.Contains(t, body, "Service de test")
	require.Contains(t, body, `id="cancel"`)
	require.Contains(t, body, "Revenir sur le service")
	for _, id := range fctest.DemoPeople() {
		require.Contains(t, body, `id="login-`+id.Login+`"`)
		require.Contains(t, body, `<input type="hidden" name="login" value="`+id.Login+`">`)
	}
	require.Contains(t, body, "Née le 23 mai 1984 à Paris 12e (75112)")
	require.Contains(t, body, "Né le 17 février 1971, Algérie (99352)")
	require.Contains(t, body, "niveau insuffisant", "the eidas2-only identity is flagged on an eidas3 request")
	require.Equal(t, strings.Count(body, `<form method="post"`), len(fctest.DemoPeople()))
	for _, external := range []string{"<script src", "<link", "<img", "url(http", "@import"} {
		require.NotContains(t, body, external, "self-contained page")
	}
}

func TestInteractionCancel(t *testing.T) {
	e := newEnv(t, fctest.Options{}, nil)
	cb, err := e.srv.Cancel(context.Background(), e.authURL())
	require.NoError(t, err)
	u, err := url.Parse(cb)
	require.NoError(t, err)
	q := u.Query()
	require.Equal(t, "access_denied", q.Get("error"))
	require.Equal(t, "User auth aborted", q.Get("error_description"))
	require.Equal(t, testState, q.Get("state"))
	require.Equal(t, e.srv.Issuer(), q.Get("iss"))
}

func TestIdentityBelowRequestedLevelIsY100001(t *testing.T) {
	e := newEnv(t, fctest.Options{}, nil)
	_, err := e.srv.SignIn(context.Background(), e.authURL("acr_values", "eidas3"), "substantiel")
	requirePageError(t, err, http.StatusInternalServerError, "Y100001")

	_, claims := e.open(e.exchange(e.code("substantiel", "acr_values", "eidas2"))["id_token"].(string))
	require.Equal(t, "eidas2", claims["acr"])
}

func TestInteractionCannotBeReplayed(t *testing.T) {
	e := newEnv(t, fctest.Options{}, nil)
	b := e.srv.NewBrowser()
	pageURL, _ := openInteraction(t, e, b)
	form := url.Values{"login": {"camille"}}
	resp, err := b.HTTPClient().PostForm(pageURL+"/login", form)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)

	resp, err = b.HTTPClient().PostForm(pageURL+"/login", form)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	require.Contains(t, string(body), "Y420001")
}

func TestInteractionNeedsTheSessionCookie(t *testing.T) {
	e := newEnv(t, fctest.Options{}, nil)
	pageURL, _ := openInteraction(t, e, e.srv.NewBrowser())
	other := e.srv.NewBrowser()
	resp, err := other.HTTPClient().Get(pageURL)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	require.Contains(t, string(body), "Y190001")
}

func TestInteractionExpires(t *testing.T) {
	e := newEnv(t, fctest.Options{}, nil)
	b := e.srv.NewBrowser()
	pageURL, _ := openInteraction(t, e, b)
	e.clock.Advance(11 * time.Minute)
	resp, err := b.HTTPClient().PostForm(pageURL+"/login", url.Values{"login": {"camille"}})
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	require.Contains(t, string(body), "Y190001")
}

func TestLoginHelperErrors(t *testing.T) {
	e := newEnv(t, fctest.Options{}, nil)
	_, err := e.srv.SignIn(context.Background(), e.authURL(), "nobody")
	require.ErrorContains(t, err, `no identity "nobody"`)

	_, err = e.srv.SignIn(context.Background(), "https://auth.franceconnect.gouv.fr/api/v2/authorize?x=1", "camille")
	require.ErrorContains(t, err, "not a URL of this emulator")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = e.srv.SignIn(ctx, e.authURL(), "camille")
	require.ErrorIs(t, err, context.Canceled)
}

func TestCustomIdentities(t *testing.T) {
	ids := []fctest.Person{{Login: "solo", GivenName: "Jeanne", FamilyName: "TESTEUSE", Gender: "female",
		Birthdate: "2000-02-29", Birthplace: "75056", Birthcountry: "99100"}}
	e := newEnv(t, fctest.Options{People: ids}, nil)
	require.NotEmpty(t, e.code("solo"))
	_, err := e.srv.SignIn(context.Background(), e.authURL(), "camille")
	require.Error(t, err)
	require.Equal(t, ids, e.srv.People())

	for _, bad := range [][]fctest.Person{
		{{Login: ""}},
		{{Login: "with space"}},
		{{Login: "twice"}, {Login: "twice"}},
		{{Login: "x", ACR: "eidas9"}},
	} {
		_, err := fctest.NewServer(fctest.Options{People: bad})
		require.Error(t, err)
	}
}

func TestDemoPeopleCoverEdgeCases(t *testing.T) {
	ids := fctest.DemoPeople()
	require.GreaterOrEqual(t, len(ids), 10)
	has := func(pred func(fctest.Person) bool) bool {
		for _, id := range ids {
			if pred(id) {
				return true
			}
		}
		return false
	}
	thisYear := time.Now().Year()
	checks := map[string]func(fctest.Person) bool{
		"usage name":          func(id fctest.Person) bool { return id.PreferredUsername != "" },
		"born in Algeria":     func(id fctest.Person) bool { return id.Birthplace == "" && id.Birthcountry == "99352" },
		"born in Japan":       func(id fctest.Person) bool { return id.Birthplace == "" && id.Birthcountry == "99217" },
		"Corse-du-Sud":        func(id fctest.Person) bool { return strings.HasPrefix(id.Birthplace, "2A") },
		"Haute-Corse":         func(id fctest.Person) bool { return strings.HasPrefix(id.Birthplace, "2B") },
		"presumed YYYY-01-01": func(id fctest.Person) bool { return strings.HasSuffix(id.Birthdate, "-01-01") },
		"presumed YYYY-MM-01": func(id fctest.Person) bool {
			return strings.HasSuffix(id.Birthdate, "-01") && !strings.HasSuffix(id.Birthdate, "-01-01")
		},
		"no email":      func(id fctest.Person) bool { return id.Email == "" },
		"apostrophe":    func(id fctest.Person) bool { return strings.Contains(id.FamilyName, "'") },
		"accent":        func(id fctest.Person) bool { return strings.ContainsAny(id.GivenName, "ÉéëïÏ") },
		"ligature":      func(id fctest.Person) bool { return strings.Contains(id.PreferredUsername+id.FamilyName, "Œ") },
		"compound name": func(id fctest.Person) bool { return strings.Contains(id.FamilyName, "-") },
		"eidas2 only":   func(id fctest.Person) bool { return id.ACR == "eidas2" },
		"minor": func(id fctest.Person) bool {
			return len(id.Birthdate) == 10 && id.Birthdate[:4] > strconv.Itoa(thisYear-18)
		},
	}
	for name, pred := range checks {
		require.True(t, has(pred), name)
	}
}
