package fcdata_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect/fcdata"
	"github.com/go-franceconnect/franceconnect/fctest"
)

// me is a handler that answers the subject of the request's introspection.
var me = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	res, ok := fcdata.FromContext(r.Context())
	if !ok {
		http.Error(w, "no introspection", http.StatusInternalServerError)
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]string{"sub": res.Subject})
})

func serve(h http.Handler, edit func(*http.Request)) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, "/api/v1/me", nil)
	edit(req)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestMiddleware(t *testing.T) {
	e := newEnv(t, fcPlus)
	tok := e.token()
	h := e.verifier().Middleware("dgfip_rfr")(me)
	bearer := func(v string) func(*http.Request) { return func(r *http.Request) { r.Header.Set("Authorization", v) } }
	for _, tc := range []struct {
		name, challenge string
		edit            func(*http.Request)
		status          int
	}{
		{"valid token", "", bearer("Bearer " + tok), http.StatusOK},
		{"scheme in lower case", "", bearer("bearer " + tok), http.StatusOK},
		{"no token", "Bearer", func(*http.Request) {}, http.StatusUnauthorized},
		{"token in the query only", "Bearer", func(r *http.Request) { r.URL.RawQuery = "access_token=" + tok }, http.StatusUnauthorized},
		{"another scheme", "Bearer", bearer("Basic " + tok), http.StatusUnauthorized},
		{"unknown token", `Bearer error="invalid_token"`, bearer("Bearer " + strings.Repeat("A", 43)), http.StatusUnauthorized},
		{"malformed token", `Bearer error="invalid_token"`, bearer("Bearer a b"), http.StatusUnauthorized},
		{"empty token", `Bearer error="invalid_token"`, bearer("Bearer "), http.StatusUnauthorized},
		{"two headers", `Bearer error="invalid_request"`, func(r *http.Request) {
			r.Header.Add("Authorization", "Bearer "+tok)
			r.Header.Add("Authorization", "Bearer "+tok)
		}, http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := serve(h, tc.edit)
			require.Equal(t, tc.status, rec.Code, rec.Body.String())
			if tc.challenge == "" {
				assert.Empty(t, rec.Header().Get("WWW-Authenticate"))
				return
			}
			got := rec.Header().Get("WWW-Authenticate")
			if tc.challenge == "Bearer" {
				assert.Equal(t, "Bearer", got)
			} else {
				assert.True(t, strings.HasPrefix(got, tc.challenge), got)
			}
			assert.Equal(t, "no-store", rec.Header().Get("Cache-Control"))
			assert.NotContains(t, rec.Body.String(), tok)
		})
	}
}

func TestMiddlewareScopes(t *testing.T) {
	e := newEnv(t, fcPlus)
	tok := e.token()
	v := e.verifier(func(c *fcdata.Config) { c.Scopes = []string{"dgfip_rfr"} })
	rec := serve(v.Middleware("dgfip_nbpart", "dgfip_aft")(me), func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+tok) })
	require.Equal(t, http.StatusForbidden, rec.Code)
	assert.Equal(t, `Bearer error="insufficient_scope", error_description="the access token lacks the scope dgfip_aft", scope="dgfip_rfr dgfip_nbpart dgfip_aft"`,
		rec.Header().Get("WWW-Authenticate"))

	e.srv.InjectFault(fctest.FaultIntrospectionScopeMissing)
	fresh := e.token()
	rec = serve(v.Middleware()(me), func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+fresh) })
	require.Equal(t, http.StatusOK, rec.Code, "dgfip_rfr is still there")
	e.srv.InjectFault(fctest.FaultIntrospectionScopeMissing)
	rec = serve(v.Middleware("dgfip_nbpart")(me), func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+e.token()) })
	require.Equal(t, http.StatusForbidden, rec.Code, "the platform left dgfip_nbpart out")
	assert.Contains(t, rec.Header().Get("WWW-Authenticate"), "lacks the scope dgfip_nbpart")
}

func TestMiddlewarePlatformDown(t *testing.T) {
	e := newEnv(t, fcPlus)
	tok := e.token()
	v := e.verifier()
	e.srv.InjectFault(fctest.FaultIntrospectionServerError)
	rec := serve(v.Middleware()(me), func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+tok) })
	require.Equal(t, http.StatusServiceUnavailable, rec.Code)
	assert.Empty(t, rec.Header().Get("WWW-Authenticate"), "the token's status is unknown")
	rec = serve(v.Middleware()(me), func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+tok) })
	require.Equal(t, http.StatusOK, rec.Code, "errors are not cached")
}

func TestBornAbroadHasAnEmptyBirthplace(t *testing.T) {
	e := newEnv(t, fcPlus)
	res, err := e.verifier().Introspect(context.Background(), string(e.login("ne_algerie").AccessToken))
	require.NoError(t, err)
	require.True(t, res.Active)
	assert.Equal(t, "", res.Identity.Birthplace)
	assert.Equal(t, "99352", res.Identity.Birthcountry)
	assert.Contains(t, res.Identity.Claims, "birthplace", "sent, empty")
}

func TestMiddlewareRefusesInvalidScopes(t *testing.T) {
	v := newEnv(t, fcPlus).verifier()
	for _, sc := range []string{"", "a b", `a"b`, `a\b`} {
		assert.PanicsWithValue(t, fmt.Sprintf("fcdata: Middleware: %q is not a scope (no spaces, quotes or backslashes)", sc),
			func() { v.Middleware("dgfip_rfr", sc) }, sc)
	}
	assert.NotPanics(t, func() { v.Middleware("dgfip_rfr", "lasuite_visio:rooms:create") })
}
