package fctest_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect/fctest"
)

// TestConcurrentFlows runs complete flows in parallel, one Browser per user,
// while keys rotate and faults are queued, for the race detector.
func TestConcurrentFlows(t *testing.T) {
	e := newEnv(t, fctest.Options{}, nil)
	logins := []string{"camille", "nom_usage", "ne_algerie", "corse_sud", "accents", "mineur"}
	var wg sync.WaitGroup
	for i := range 24 {
		wg.Go(func() {
			login := logins[i%len(logins)]
			b := e.srv.NewBrowser()
			cb, err := b.SignIn(context.Background(), e.authURL(), login)
			if !assert.NoError(t, err) {
				return
			}
			u, _ := url.Parse(cb)
			resp, err := http.PostForm(e.srv.Issuer()+"/token", e.tokenForm(u.Query().Get("code")))
			if !assert.NoError(t, err) {
				return
			}
			var tok map[string]any
			assert.NoError(t, json.NewDecoder(resp.Body).Decode(&tok))
			resp.Body.Close()
			assert.Equal(t, http.StatusOK, resp.StatusCode)
			req, _ := http.NewRequest(http.MethodGet, e.srv.Issuer()+"/userinfo", nil)
			req.Header.Set("Authorization", "Bearer "+tok["access_token"].(string))
			resp, err = http.DefaultClient.Do(req)
			if assert.NoError(t, err) {
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				assert.Equal(t, http.StatusOK, resp.StatusCode)
			}
		})
	}
	wg.Go(func() { e.srv.RotateSigningKey() })
	wg.Go(func() { e.srv.InjectFault(fctest.FaultUserinfoWrongIssuer); e.srv.ClearFaults() })
	wg.Go(func() { _ = e.srv.Register(e.client) })
	wg.Wait()
	require.Equal(t, 24, e.srv.Requests("token"))
	require.Len(t, e.srv.KeyIDs(), 2)
	require.True(t, strings.HasPrefix(e.srv.KeyIDs()[1], "fctest:ES256:"))
}
