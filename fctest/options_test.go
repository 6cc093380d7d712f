package fctest_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect/fctest"
)

func TestAutoLoginIsARedirectChain(t *testing.T) {
	e := newEnv(t, fctest.Options{AutoLogin: "nom_usage"}, nil)
	resp, err := e.srv.HTTPClient().Get(e.authURL())
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	loc, err := url.Parse(resp.Header.Get("Location"))
	require.NoError(t, err)
	require.Equal(t, callbackURL, loc.Scheme+"://"+loc.Host+loc.Path, "straight back to the FS")
	require.Equal(t, testState, loc.Query().Get("state"))
	require.Equal(t, 0, e.srv.Requests("interaction"), "no identity-choice page")

	tok := e.exchange(loc.Query().Get("code"))
	_, claims := e.open(tok["id_token"].(string))
	require.Equal(t, e.srv.Subject(clientID, "nom_usage"), claims["sub"])

	got, err := e.srv.Logout(context.Background(), e.logoutURL("id_token_hint", e.loggedIn(), "state", "s",
		"post_logout_redirect_uri", logoutURL))
	require.NoError(t, err, "the auto-login set the session cookie that logout needs")
	require.Equal(t, logoutURL+"?state=s", got)
}

func TestAutoLoginChecksLevelAndFaults(t *testing.T) {
	e := newEnv(t, fctest.Options{AutoLogin: "substantiel"}, nil)
	_, err := e.srv.SignIn(context.Background(), e.authURL("acr_values", "eidas3"), "ignored")
	requirePageError(t, err, http.StatusInternalServerError, "Y100001")

	e.srv.InjectFault(fctest.FaultAccessDenied)
	q := redirectError(t, e, e.authURL())
	require.Equal(t, "access_denied", q.Get("error"))

	_, err = fctest.NewServer(fctest.Options{AutoLogin: "nobody"})
	require.ErrorContains(t, err, `AutoLogin: no identity "nobody"`)
}

func TestParseFault(t *testing.T) {
	for _, f := range fctest.AllFaults() {
		got, err := fctest.ParseFault(f.String())
		require.NoError(t, err)
		require.Equal(t, f, got)
	}
	for _, name := range []string{"FaultNone", "", "faultwrongnonce", "WrongNonce", "Fault(99)"} {
		_, err := fctest.ParseFault(name)
		require.ErrorContains(t, err, "unknown fault", name)
	}
}

// rsaSigningKey is one RSA key per test binary (slow under -race).
var rsaSigningKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := fctest.GenerateSigningKey("RS256")
	if err != nil {
		panic(err)
	}
	return k.(*rsa.PrivateKey)
})

func TestGivenSigningKeysKeepTheirKid(t *testing.T) {
	es, err := fctest.GenerateSigningKey("ES256")
	require.NoError(t, err)
	thumb, err := (&jose.JSONWebKey{Key: es.Public()}).Thumbprint(crypto.SHA256)
	require.NoError(t, err)
	kid := base64.RawURLEncoding.EncodeToString(thumb)

	first := fctest.New(t, fctest.Options{SigningKeys: []crypto.Signer{es}})
	second := fctest.New(t, fctest.Options{SigningKeys: []crypto.Signer{es}})
	require.Equal(t, []string{kid}, first.KeyIDs())
	require.Equal(t, first.KeyIDs(), second.KeyIDs(), "a restarted server publishes the same kid")

	e := newEnv(t, fctest.Options{SigningKeys: []crypto.Signer{es}}, nil)
	tok := e.exchange(e.code("camille"))
	jws, _ := e.open(tok["id_token"].(string))
	require.Equal(t, kid, header(t, jws)["kid"])

	fc := fctest.New(t, fctest.Options{Platform: fctest.FranceConnect, SigningKeys: []crypto.Signer{rsaSigningKey()}})
	ids := fc.KeyIDs()
	require.Len(t, ids, 2, "the ES256 key is generated")
	require.True(t, strings.HasPrefix(ids[0], "fctest:ES256:"), ids[0])
	require.NotContains(t, ids[1], ":", "the given RS256 key is published under its thumbprint")
}

func TestGivenSigningKeysRefused(t *testing.T) {
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	require.NoError(t, err)
	_, edKey, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	require.NoError(t, err)
	es, err := fctest.GenerateSigningKey("ES256")
	require.NoError(t, err)
	for _, tc := range []struct {
		name string
		opts fctest.Options
		msg  string
	}{
		{"P-384", fctest.Options{SigningKeys: []crypto.Signer{p384}}, "SigningKeys[0]: ECDSA keys must be on P-256"},
		{"Ed25519", fctest.Options{SigningKeys: []crypto.Signer{edKey}}, "SigningKeys[0]: unsupported key type"},
		{"RSA 1024", fctest.Options{Platform: fctest.FranceConnect, SigningKeys: []crypto.Signer{small}},
			"at least 2048 bits"},
		{"RS256 on FC+", fctest.Options{SigningKeys: []crypto.Signer{rsaSigningKey()}}, "publishes only [ES256]"},
		{"RS256 with SigningAlg ES256", fctest.Options{Platform: fctest.FranceConnect, SigningAlg: "ES256",
			SigningKeys: []crypto.Signer{rsaSigningKey()}}, "publishes only [ES256]"},
		{"two ES256", fctest.Options{SigningKeys: []crypto.Signer{es, es}}, "SigningKeys[1] is a second ES256 key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := fctest.NewServer(tc.opts)
			require.ErrorContains(t, err, tc.msg)
		})
	}
	_, err = fctest.GenerateSigningKey("HS256")
	require.Error(t, err)
}

func TestPlatformSigningAlgs(t *testing.T) {
	require.Equal(t, []string{"ES256"}, fctest.FranceConnectPlus.SigningAlgs())
	require.Equal(t, []string{"ES256", "RS256"}, fctest.FranceConnect.SigningAlgs())
	require.Nil(t, fctest.Platform(9).SigningAlgs())
}

func TestMiddlewareSeesEveryRequest(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	e := newEnv(t, fctest.Options{Middleware: func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			seen = append(seen, r.Method+" "+r.URL.Path)
			mu.Unlock()
			if r.URL.Path == "/_own/ping" {
				_, _ = w.Write([]byte("pong"))
				return
			}
			next.ServeHTTP(w, r)
		})
	}}, nil)
	e.code("camille")
	resp, body := e.get(e.srv.URL()+"/_own/ping", "")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "pong", string(body))
	mu.Lock()
	defer mu.Unlock()
	require.Equal(t, "GET /api/v2/authorize", seen[0])
	require.Equal(t, "GET /_own/ping", seen[len(seen)-1])

	_, err := fctest.NewServer(fctest.Options{Middleware: func(http.Handler) http.Handler { return nil }})
	require.ErrorContains(t, err, "nil handler")
}

func TestShutdownWaitsForRequests(t *testing.T) {
	release := make(chan struct{})
	started := make(chan struct{})
	srv := fctest.New(t, fctest.Options{Middleware: func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/_slow" {
				close(started)
				<-release
			}
			next.ServeHTTP(w, r)
		})
	}})
	done := make(chan int)
	go func() {
		resp, err := http.Get(srv.URL() + "/_slow")
		if err != nil {
			done <- 0
			return
		}
		resp.Body.Close()
		done <- resp.StatusCode
	}()
	<-started
	shut := make(chan error)
	go func() { shut <- srv.Shutdown(context.Background()) }()
	time.Sleep(20 * time.Millisecond)
	select {
	case <-shut:
		t.Fatal("Shutdown returned with a request in progress")
	default:
	}
	close(release)
	require.Equal(t, http.StatusNotFound, <-done, "the request in progress completed")
	require.NoError(t, <-shut)
	_, err := http.Get(srv.Issuer() + "/jwks")
	require.Error(t, err, "closed")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	require.NoError(t, srv.Shutdown(ctx), "after Close, at once")
}

func TestPerClientIDPHints(t *testing.T) {
	e := newEnv(t, fctest.Options{AllowedIDPHints: []string{"global-idp"}}, func(c *fctest.Registration) {
		c.AllowedIDPHints = []string{"client-idp"}
	})
	require.NotEmpty(t, e.login("camille", "idp_hint", "client-idp").Get("code"))
	require.NotEmpty(t, e.login("camille", "idp_hint", "global-idp").Get("code"))
	q := redirectError(t, e, e.authURL("idp_hint", "other-idp"))
	require.Equal(t, "invalid_idp_hint", q.Get("error"))
}
