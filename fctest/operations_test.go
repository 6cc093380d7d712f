package fctest_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect/fctest"
)

// recorder collects the records of Options.OnRequest.
type recorder struct {
	mu   sync.Mutex
	list []fctest.RequestRecord
}

func (r *recorder) add(rec fctest.RequestRecord) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.list = append(r.list, rec)
}

// last waits for the n-th record (1-based) of endpoint and returns it: the
// record arrives once the answer is sent.
func (r *recorder) nth(t *testing.T, endpoint string, n int) fctest.RequestRecord {
	t.Helper()
	var found fctest.RequestRecord
	require.Eventually(t, func() bool {
		r.mu.Lock()
		defer r.mu.Unlock()
		seen := 0
		for _, rec := range r.list {
			if rec.Endpoint == endpoint {
				if seen++; seen == n {
					found = rec
					return true
				}
			}
		}
		return false
	}, 5*time.Second, 5*time.Millisecond, "no record %d of %s", n, endpoint)
	return found
}

func (r *recorder) all() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return fmt.Sprintf("%+v", r.list)
}

func recordedEnv(t *testing.T, mutate func(*fctest.Registration)) (*env, *recorder) {
	rec := &recorder{}
	return newEnv(t, fctest.Options{OnRequest: rec.add}, mutate), rec
}

func TestRequestRecords(t *testing.T) {
	e, rec := recordedEnv(t, nil)
	require.NoError(t, e.srv.Inject(fctest.Injection{Fault: fctest.FaultWrongNonce, ClientID: clientID}))
	tokens := e.exchange(e.code("camille"))
	r := rec.nth(t, "token", 1)
	require.Equal(t, http.StatusOK, r.Status)
	require.Equal(t, clientID, r.ClientID)
	require.Equal(t, []fctest.Fault{fctest.FaultWrongNonce}, r.Faults)
	require.Equal(t, "POST", r.Method)
	require.Equal(t, "/api/v2/token", r.Path)
	require.False(t, r.Failed())
	require.Equal(t, e.clock.Now(), r.Time, "the server clock")

	code := e.code("camille")
	e.clock.Advance(31 * time.Second)
	resp, _ := e.post("/token", e.tokenForm(code))
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	r = rec.nth(t, "token", 2)
	require.True(t, r.Failed())
	require.Equal(t, "invalid_grant", r.Error)
	require.Equal(t, "Y043F0A8", r.Code)
	require.Equal(t, "grant request is invalid (authorization code is expired)", r.Detail)
	require.Equal(t, clientID, r.ClientID)
	require.Empty(t, r.Faults)

	require.NoError(t, e.srv.Inject(fctest.Injection{Fault: fctest.FaultAccessDenied}))
	e.login("camille")
	r = rec.nth(t, "interaction", 6) // page, then login, of the three logins
	require.Equal(t, http.StatusSeeOther, r.Status)
	require.Equal(t, "access_denied", r.Error)
	require.Equal(t, clientID, r.ClientID)
	require.Equal(t, []fctest.Fault{fctest.FaultAccessDenied}, r.Faults)

	_, err := e.srv.SignIn(context.Background(), e.authURL("nonce", "short"), "camille")
	require.Error(t, err)
	r = rec.nth(t, "authorize", 4)
	require.Equal(t, "Y030007", r.Code)
	require.Equal(t, "invalid_request", r.Error)
	require.Contains(t, r.Detail, "nonce must be longer")

	resp, _ = e.get(e.srv.Issuer()+"/userinfo", "not-a-token-"+strings.Repeat("x", 40))
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	require.Equal(t, "invalid_token", rec.nth(t, "userinfo", 1).Error)

	all := rec.all()
	for _, secretValue := range []string{tokens["access_token"].(string), code, secret, testNonce, testState} {
		require.NotContains(t, all, secretValue, "records never hold tokens, codes, secrets, state or nonce")
	}
}

// netEnv is an emulator with a logged-in access token, for the endpoint
// faults.
func netCall(t *testing.T, e *env, endpoint string, client *http.Client) (*http.Response, error) {
	t.Helper()
	var req *http.Request
	var err error
	switch endpoint {
	case "discovery":
		req, err = http.NewRequest(http.MethodGet, e.srv.Issuer()+"/.well-known/openid-configuration", nil)
	case "jwks":
		req, err = http.NewRequest(http.MethodGet, e.srv.Issuer()+"/jwks", nil)
	case "token":
		form := e.tokenForm(e.code("camille"))
		req, err = http.NewRequest(http.MethodPost, e.srv.Issuer()+"/token", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	case "userinfo":
		at := e.exchange(e.code("camille"))["access_token"].(string)
		req, err = http.NewRequest(http.MethodGet, e.srv.Issuer()+"/userinfo", nil)
		req.Header.Set("Authorization", "Bearer "+at)
	case "revocation":
		at := e.exchange(e.code("camille"))["access_token"].(string)
		form := url.Values{"token": {at}, "client_id": {clientID}, "client_secret": {secret}}
		req, err = http.NewRequest(http.MethodPost, e.srv.Issuer()+"/token/revocation", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	require.NoError(t, err)
	resp, err := client.Do(req)
	if err == nil {
		_, err = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	return resp, err
}

func TestEndpointFaults(t *testing.T) {
	quick := &http.Client{Timeout: 300 * time.Millisecond}
	for _, tc := range []struct {
		endpoint               string
		latency, timeout, hang fctest.Fault
	}{
		{"discovery", fctest.FaultDiscoveryLatency, fctest.FaultDiscoveryTimeout, fctest.FaultDiscoveryHang},
		{"jwks", fctest.FaultJWKSLatency, fctest.FaultJWKSTimeout, fctest.FaultJWKSHang},
		{"token", fctest.FaultTokenLatency, fctest.FaultTokenTimeout, fctest.FaultTokenHang},
		{"userinfo", fctest.FaultUserinfoLatency, fctest.FaultUserinfoTimeout, fctest.FaultUserinfoHang},
		{"revocation", fctest.FaultRevocationLatency, fctest.FaultRevocationTimeout, fctest.FaultRevocationHang},
	} {
		t.Run(tc.endpoint, func(t *testing.T) {
			e, rec := recordedEnv(t, nil)
			require.NoError(t, e.srv.Inject(fctest.Injection{Fault: tc.latency, Delay: 60 * time.Millisecond}))
			resp, err := netCall(t, e, tc.endpoint, http.DefaultClient)
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, resp.StatusCode, "a latency answers normally")
			r := rec.nth(t, tc.endpoint, 1)
			require.GreaterOrEqual(t, r.Duration, 60*time.Millisecond)
			require.Equal(t, []fctest.Fault{tc.latency}, r.Faults)

			require.NoError(t, e.srv.Inject(fctest.Injection{Fault: tc.timeout}))
			_, err = netCall(t, e, tc.endpoint, quick)
			require.ErrorContains(t, err, "Client.Timeout exceeded", "no answer at all")
			r = rec.nth(t, tc.endpoint, 2)
			require.True(t, r.ClientGaveUp, "%+v", r)
			require.Equal(t, []fctest.Fault{tc.timeout}, r.Faults)

			require.NoError(t, e.srv.Inject(fctest.Injection{Fault: tc.hang}))
			resp, err = netCall(t, e, tc.endpoint, quick)
			require.Error(t, err, "the body never ends")
			require.Equal(t, http.StatusOK, resp.StatusCode, "the status and headers came")
			require.True(t, rec.nth(t, tc.endpoint, 3).ClientGaveUp)

			resp, err = netCall(t, e, tc.endpoint, quick)
			require.NoError(t, err, "each fault applied once")
			require.Equal(t, http.StatusOK, resp.StatusCode)
		})
	}
}

func TestTimeoutDoesNotConsumeTheCode(t *testing.T) {
	e := newEnv(t, fctest.Options{}, nil)
	code := e.code("camille")
	require.NoError(t, e.srv.Inject(fctest.Injection{Fault: fctest.FaultTokenTimeout, ClientID: clientID, Login: "camille"}))
	form := e.tokenForm(code)
	_, err := (&http.Client{Timeout: 200 * time.Millisecond}).PostForm(e.srv.Issuer()+"/token", form)
	require.Error(t, err)
	require.NotEmpty(t, e.exchange(code)["access_token"], "the held request was not processed")
}

func TestShutdownReleasesHeldRequests(t *testing.T) {
	srv, err := fctest.NewServer(fctest.Options{})
	require.NoError(t, err)
	require.NoError(t, srv.Inject(fctest.Injection{Fault: fctest.FaultDiscoveryTimeout}))
	done := make(chan error, 1)
	go func() {
		resp, err := http.Get(srv.Issuer() + "/.well-known/openid-configuration")
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	require.Eventually(t, func() bool { return srv.Requests("discovery") == 1 }, 5*time.Second, time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, srv.Shutdown(ctx), "the held request ends with the server, not after MaxFaultHold")
	<-done
}

func TestUserinfoExpiredTokenFault(t *testing.T) {
	e := newEnv(t, fctest.Options{}, nil)
	at := e.exchange(e.code("camille"))["access_token"].(string)
	require.NoError(t, e.srv.Inject(fctest.Injection{Fault: fctest.FaultUserinfoExpiredToken, ClientID: clientID}))
	resp, body := e.get(e.srv.Issuer()+"/userinfo", at)
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	require.Contains(t, resp.Header.Get("WWW-Authenticate"), `error="invalid_token"`)
	require.Contains(t, string(body), "invalid token provided (access token not found)")
	require.Contains(t, string(body), "Y040001")
	resp, _ = e.get(e.srv.Issuer()+"/userinfo", at)
	require.Equal(t, http.StatusOK, resp.StatusCode, "the token itself is still valid")
}

func TestRevocationFaults(t *testing.T) {
	e := newEnv(t, fctest.Options{}, nil)
	for _, tc := range []struct {
		f      fctest.Fault
		status int
		err    string
	}{
		{fctest.FaultRevocationServerError, http.StatusInternalServerError, "server_error"},
		{fctest.FaultRevocationUnavailable, http.StatusServiceUnavailable, "temporarily_unavailable"},
	} {
		at := e.exchange(e.code("camille"))["access_token"].(string)
		require.NoError(t, e.srv.Inject(fctest.Injection{Fault: tc.f, Login: "camille"}))
		form := url.Values{"token": {at}, "client_id": {clientID}, "client_secret": {secret}}
		resp, body := e.post("/token/revocation", form)
		require.Equal(t, tc.status, resp.StatusCode)
		require.Contains(t, string(body), `"error":"`+tc.err+`"`)
		if tc.f == fctest.FaultRevocationUnavailable {
			require.Equal(t, "1", resp.Header.Get("Retry-After"))
		}
		resp, _ = e.get(e.srv.Issuer()+"/userinfo", at)
		require.Equal(t, http.StatusOK, resp.StatusCode, "not revoked")
		resp, _ = e.post("/token/revocation", form)
		require.Equal(t, http.StatusOK, resp.StatusCode)
		resp, _ = e.get(e.srv.Issuer()+"/userinfo", at)
		require.Equal(t, http.StatusUnauthorized, resp.StatusCode, "revoked the second time")
	}
}

func TestSigningKeyRotatedFault(t *testing.T) {
	e := newEnv(t, fctest.Options{}, nil)
	before := e.srv.KeyIDs()
	jws, _ := e.open(e.exchange(e.code("camille"))["id_token"].(string))
	require.Equal(t, before[0], header(t, jws)["kid"])

	require.NoError(t, e.srv.Inject(fctest.Injection{Fault: fctest.FaultSigningKeyRotated, ClientID: clientID}))
	jws, claims := e.open(e.exchange(e.code("camille"))["id_token"].(string))
	after := e.srv.KeyIDs()
	require.Len(t, after, 2, "the previous key stays published")
	require.Equal(t, before[0], after[0])
	require.Equal(t, after[1], header(t, jws)["kid"], "signed by the new key")
	require.Equal(t, testNonce, claims["nonce"])
}
