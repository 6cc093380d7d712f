package franceconnect_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect"
	"github.com/go-franceconnect/franceconnect/fctest"
)

// dataAPI is a data provider's API that records the Authorization headers
// and queries it receives.
type dataAPI struct {
	srv     *httptest.Server
	mu      sync.Mutex
	auth    []string
	queries []string
}

func newDataAPI(t *testing.T) *dataAPI {
	d := &dataAPI{}
	d.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d.mu.Lock()
		d.auth = append(d.auth, r.Header.Get("Authorization"))
		d.queries = append(d.queries, r.URL.RawQuery)
		d.mu.Unlock()
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(d.srv.Close)
	return d
}

func (d *dataAPI) received() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.auth...)
}

// clock is a settable clock for a Config.
type clock struct{ offset atomic.Int64 }

func (c *clock) now() time.Time          { return time.Now().Add(time.Duration(c.offset.Load())) }
func (c *clock) advance(d time.Duration) { c.offset.Add(int64(d)) }
func (c *clock) set(e *confEnv) *confEnv { e.cfg.Now = c.now; return e }
func get(t *testing.T, hc *http.Client, u string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, u, nil)
	require.NoError(t, err)
	resp, err := hc.Do(req)
	if err == nil {
		resp.Body.Close()
	}
	return resp, err
}

func TestDataClientSendsTheTokenInTheHeaderOnly(t *testing.T) {
	api := newDataAPI(t)
	e := newConfEnv(t, fcPlus)
	login, err := e.login(franceconnect.AuthRequest{}, "camille")
	require.NoError(t, err)
	hc, err := e.client().DataClient(&login.Tokens, franceconnect.DataProvider{URL: api.srv.URL + "/api/"})
	require.NoError(t, err)

	_, err = get(t, hc, api.srv.URL+"/api/v1/me?x=1")
	require.NoError(t, err)
	require.Equal(t, []string{"Bearer " + string(login.AccessToken)}, api.received())
	assert.Equal(t, "x=1", api.queries[0], "no token in the query")

	for name, u := range map[string]string{
		"another host":              "http://localhost:1/api/v1/me",
		"another scheme":            "https" + api.srv.URL[4:] + "/api/v1/me",
		"outside the path":          api.srv.URL + "/admin",
		"outside the path, dot-dot": api.srv.URL + "/api/../admin",
		"dot-dot encoded":           api.srv.URL + "/api/%2e%2e/admin",
		"slash encoded":             api.srv.URL + "/api%2f..%2fadmin",
		"dot-dot with parameters":   api.srv.URL + "/api/..;x=1/admin",
		"backslash":                 api.srv.URL + "/api/..%5cadmin",
		"token in the query":        api.srv.URL + "/api/v1/me?access_token=" + string(login.AccessToken),
	} {
		_, err := get(t, hc, u)
		require.ErrorIs(t, err, franceconnect.ErrInvalidRequest, name)
	}
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, api.srv.URL+"/api/v1/me", nil)
	require.NoError(t, err)
	req.Host = "another.example"
	_, err = hc.Do(req)
	require.ErrorIs(t, err, franceconnect.ErrInvalidRequest, "a Host header for another site behind the same address")
	_, err = get(t, hc, api.srv.URL+"/api/v1/a;b/../me")
	require.NoError(t, err, "parameters elsewhere are the provider's business")
	assert.Len(t, api.received(), 2, "nothing else was sent")
}

func TestDataClientRefusesPlainHTTP(t *testing.T) {
	e := newConfEnv(t, fcPlus)
	login, err := e.login(franceconnect.AuthRequest{}, "camille")
	require.NoError(t, err)
	for _, u := range []string{"http://data.example.gouv.fr/api/", "ftp://data.example.gouv.fr/", "https://data.example.gouv.fr/api/?k=v", ""} {
		_, err := e.client().DataClient(&login.Tokens, franceconnect.DataProvider{URL: u})
		require.ErrorIs(t, err, franceconnect.ErrInvalidRequest, u)
	}
	_, err = e.client().DataClient(&login.Tokens, franceconnect.DataProvider{URL: "https://data.example.gouv.fr/api"})
	require.NoError(t, err)
	_, err = e.client().DataClient(&franceconnect.Tokens{}, franceconnect.DataProvider{URL: "https://data.example.gouv.fr/api"})
	require.ErrorIs(t, err, franceconnect.ErrInvalidRequest)
	_, err = e.client().DataClient(&login.Tokens, franceconnect.DataProvider{URL: "https://data.example.gouv.fr/",
		OnRefresh: func(context.Context, *franceconnect.Tokens) error { return nil }})
	require.ErrorIs(t, err, franceconnect.ErrInvalidRequest, "FranceConnect+ issues no refresh token")
}

func TestDataClientExpiredTokenFranceConnect(t *testing.T) {
	api := newDataAPI(t)
	var clk clock
	e := clk.set(newConfEnv(t, fcPlus))
	login, err := e.login(franceconnect.AuthRequest{}, "camille")
	require.NoError(t, err)
	hc, err := e.client().DataClient(&login.Tokens, franceconnect.DataProvider{URL: api.srv.URL})
	require.NoError(t, err)
	clk.advance(60*time.Second - franceconnect.AccessTokenMargin)
	_, err = get(t, hc, api.srv.URL+"/v1/me")
	require.ErrorIs(t, err, franceconnect.ErrAccessTokenExpired)
	assert.Contains(t, err.Error(), "live 60 s and cannot be refreshed")
	assert.Empty(t, api.received(), "an expired token is not sent")
}

func TestDataClientRefreshesOnProConnect(t *testing.T) {
	api := newDataAPI(t)
	var clk clock
	e := clk.set(newConfEnv(t, confSetup{platform: fctest.ProConnect, sigAlg: "ES256", userinfoAlg: "ES256"}))
	login, err := e.login(franceconnect.AuthRequest{}, "agent_mfa")
	require.NoError(t, err)

	var stored []franceconnect.Tokens
	var mu sync.Mutex
	hc, err := e.client().DataClient(&login.Tokens, franceconnect.DataProvider{URL: api.srv.URL,
		OnRefresh: func(_ context.Context, t *franceconnect.Tokens) error {
			mu.Lock()
			defer mu.Unlock()
			stored = append(stored, *t)
			return nil
		}})
	require.NoError(t, err)
	tokensBefore := e.srv.Requests("token")
	clk.advance(time.Minute)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			_, err := get(t, hc, api.srv.URL+"/v1/me")
			assert.NoError(t, err)
		})
	}
	wg.Wait()
	require.Len(t, stored, 1, "one refresh for concurrent requests")
	assert.Equal(t, tokensBefore+1, e.srv.Requests("token"))
	assert.NotEqual(t, login.RefreshToken, stored[0].RefreshToken, "the rotated refresh token is handed over")
	assert.NotEqual(t, login.AccessToken, stored[0].AccessToken)
	assert.Equal(t, login.IDToken.Subject, stored[0].IDToken.Subject)
	for _, a := range api.received() {
		assert.Equal(t, "Bearer "+string(stored[0].AccessToken), a)
	}

	plain, err := e.client().DataClient(&login.Tokens, franceconnect.DataProvider{URL: api.srv.URL})
	require.NoError(t, err)
	_, err = get(t, plain, api.srv.URL+"/v1/me")
	require.ErrorIs(t, err, franceconnect.ErrAccessTokenExpired, "no OnRefresh, no refresh")
}

// Refreshed tokens are used only once stored: a failed OnRefresh is called
// again by the next request, with the same tokens, until it succeeds.
func TestDataClientRefreshNotStored(t *testing.T) {
	api := newDataAPI(t)
	var clk clock
	e := clk.set(newConfEnv(t, confSetup{platform: fctest.ProConnect, sigAlg: "ES256", userinfoAlg: "ES256"}))
	login, err := e.login(franceconnect.AuthRequest{}, "agent_mfa")
	require.NoError(t, err)
	var offered []franceconnect.Token
	hc, err := e.client().DataClient(&login.Tokens, franceconnect.DataProvider{URL: api.srv.URL,
		OnRefresh: func(_ context.Context, t *franceconnect.Tokens) error {
			offered = append(offered, t.RefreshToken)
			if len(offered) < 3 {
				return context.DeadlineExceeded
			}
			return nil
		}})
	require.NoError(t, err)
	clk.advance(time.Minute)
	for range 2 {
		_, err = get(t, hc, api.srv.URL+"/v1/me")
		require.ErrorIs(t, err, context.DeadlineExceeded)
	}
	assert.Empty(t, api.received(), "unstored tokens are not used")
	_, err = get(t, hc, api.srv.URL+"/v1/me")
	require.NoError(t, err)
	_, err = get(t, hc, api.srv.URL+"/v1/me")
	require.NoError(t, err)
	require.Len(t, offered, 3, "called until stored, then no more")
	assert.Equal(t, offered[0], offered[2], "the same tokens each time")
	assert.NotEqual(t, login.RefreshToken, offered[0])
	assert.Equal(t, 2, e.srv.Requests("token"), "one refresh")
	assert.Len(t, api.received(), 2)
}
