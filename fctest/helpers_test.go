package fctest_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect/fctest"
)

const (
	clientID    = "6925fb8143c76eded44d32b40c0cb1006065f7f003de52712b78985704f39950"
	secret      = "a-client-secret-of-at-least-32-characters"
	callbackURL = "https://fs.example.fr/oidc-callback"
	logoutURL   = "https://fs.example.fr/logout-callback"
	testNonce   = "nonce-0123456789abcdefghijklmnopqrstuvwxyz"
	testState   = "state-0123456789abcdefghijklmnopqrstuvwxyz"
)

// clock is a controllable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// fsKey is a generated FS encryption key pair.
type fsKey struct {
	priv jose.JSONWebKey
	pub  []byte
}

// fsKeys holds one lazily generated FS key pair per algorithm (RSA key
// generation is slow under the race detector).
var fsKeys = map[string]func() fsKey{
	"ECDH-ES":      sync.OnceValue(func() fsKey { return generateFSKey("ECDH-ES") }),
	"RSA-OAEP-256": sync.OnceValue(func() fsKey { return generateFSKey("RSA-OAEP-256") }),
	"RSA-OAEP":     sync.OnceValue(func() fsKey { return generateFSKey("RSA-OAEP") }),
}

func generateFSKey(alg string) fsKey {
	privJSON, pub, err := fctest.GenerateClientKey(alg, "fs-key-"+strings.ToLower(alg))
	if err != nil {
		panic(err)
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(privJSON, &set); err != nil {
		panic(err)
	}
	return fsKey{priv: set.Keys[0], pub: pub}
}

// env is an emulator with one registered client.
type env struct {
	t      *testing.T
	srv    *fctest.Server
	clock  *clock
	client fctest.Registration
	key    fsKey
}

// newEnv starts a server with a clock and registers a client encrypting with
// ECDH-ES (FC+); mutate may change the client before registration.
func newEnv(t *testing.T, opts fctest.Options, mutate func(*fctest.Registration)) *env {
	t.Helper()
	e := &env{t: t, clock: newClock(), key: fsKeys["ECDH-ES"]()}
	if opts.Now == nil {
		opts.Now = e.clock.Now
	}
	e.srv = fctest.New(t, opts)
	e.client = fctest.Registration{
		ID: clientID, Secret: secret, Name: "Service de test",
		RedirectURIs: []string{callbackURL}, PostLogoutRedirectURIs: []string{logoutURL},
		AllowAMR: true, JWKS: e.key.pub,
	}
	if opts.Platform == fctest.FranceConnect {
		e.client.JWKS = nil
	}
	if mutate != nil {
		mutate(&e.client)
	}
	if gen, ok := fsKeys[e.client.EncryptedResponseAlg]; ok {
		e.key = gen()
		e.client.JWKS = e.key.pub
	}
	require.NoError(t, e.srv.Register(e.client))
	return e
}

// params returns a valid authorization request, changed by kv pairs (an
// empty value deletes the parameter).
func (e *env) params(kv ...string) url.Values {
	acr := "eidas2"
	if e.srv.Platform() == fctest.FranceConnect {
		acr = "eidas1"
	}
	return changed(url.Values{
		"response_type": {"code"}, "client_id": {e.client.ID}, "redirect_uri": {callbackURL},
		"scope": {"openid profile birth email"}, "acr_values": {acr}, "nonce": {testNonce}, "state": {testState},
	}, kv...)
}

// changed sets the kv pairs in v (an empty value deletes the parameter) and
// returns v.
func changed(v url.Values, kv ...string) url.Values {
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			v.Del(kv[i])
		} else {
			v.Set(kv[i], kv[i+1])
		}
	}
	return v
}

func (e *env) authURL(kv ...string) string {
	return e.srv.Issuer() + "/authorize?" + e.params(kv...).Encode()
}

// login drives a login for identity and returns the callback query.
func (e *env) login(identity string, kv ...string) url.Values {
	e.t.Helper()
	cb, err := e.srv.SignIn(context.Background(), e.authURL(kv...), identity)
	require.NoError(e.t, err)
	require.True(e.t, strings.HasPrefix(cb, callbackURL+"?"), cb)
	u, err := url.Parse(cb)
	require.NoError(e.t, err)
	return u.Query()
}

// code logs in and returns the authorization code.
func (e *env) code(identity string, kv ...string) string {
	e.t.Helper()
	q := e.login(identity, kv...)
	require.NotEmpty(e.t, q.Get("code"), q.Encode())
	return q.Get("code")
}

// post sends a form and returns the status and body.
func (e *env) post(path string, form url.Values) (*http.Response, []byte) {
	e.t.Helper()
	resp, err := http.PostForm(e.srv.Issuer()+path, form)
	require.NoError(e.t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(e.t, err)
	return resp, body
}

func (e *env) tokenForm(code string) url.Values {
	return url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {callbackURL},
		"client_id": {e.client.ID}, "client_secret": {string(e.client.Secret)}}
}

// exchange redeems code and returns the decoded JSON response.
func (e *env) exchange(code string) map[string]any {
	e.t.Helper()
	resp, body := e.post("/token", e.tokenForm(code))
	require.Equal(e.t, http.StatusOK, resp.StatusCode, string(body))
	var out map[string]any
	require.NoError(e.t, json.Unmarshal(body, &out))
	return out
}

// get sends a GET with an optional bearer token.
func (e *env) get(rawURL, bearer string) (*http.Response, []byte) {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodGet, rawURL, nil)
	require.NoError(e.t, err)
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(e.t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(e.t, err)
	return resp, body
}

// providerKeys fetches the emulator JWKS.
func (e *env) providerKeys() jose.JSONWebKeySet {
	e.t.Helper()
	_, body := e.get(e.srv.Issuer()+"/jwks", "")
	var set jose.JSONWebKeySet
	require.NoError(e.t, json.Unmarshal(body, &set))
	return set
}

// open decrypts (if a JWE) and verifies token, returning the inner JWS and
// its claims.
func (e *env) open(token string) (string, map[string]any) {
	e.t.Helper()
	jws := token
	if strings.Count(token, ".") == 4 {
		obj, err := jose.ParseEncryptedCompact(token,
			[]jose.KeyAlgorithm{jose.ECDH_ES, jose.RSA_OAEP_256, jose.RSA_OAEP}, []jose.ContentEncryption{jose.A256GCM})
		require.NoError(e.t, err)
		plain, err := obj.Decrypt(e.key.priv.Key)
		require.NoError(e.t, err)
		jws = string(plain)
	}
	obj, err := jose.ParseSignedCompact(jws, []jose.SignatureAlgorithm{jose.ES256, jose.RS256})
	require.NoError(e.t, err)
	set := e.providerKeys()
	keys := set.Key(obj.Signatures[0].Header.KeyID)
	require.Len(e.t, keys, 1, "kid %s not in JWKS", obj.Signatures[0].Header.KeyID)
	payload, err := obj.Verify(keys[0].Key)
	require.NoError(e.t, err)
	var claims map[string]any
	require.NoError(e.t, json.Unmarshal(payload, &claims))
	return jws, claims
}

// header decodes the protected header of a compact JOSE token.
func header(t *testing.T, token string) map[string]any {
	t.Helper()
	raw, err := base64.RawURLEncoding.DecodeString(strings.SplitN(token, ".", 2)[0])
	require.NoError(t, err)
	var h map[string]any
	require.NoError(t, json.Unmarshal(raw, &h))
	return h
}

// payload decodes the payload of a compact JWS without verifying it.
func payload(t *testing.T, jws string) map[string]any {
	t.Helper()
	parts := strings.Split(jws, ".")
	require.Len(t, parts, 3)
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	require.NoError(t, err)
	var p map[string]any
	require.NoError(t, json.Unmarshal(raw, &p))
	return p
}

// keysOf returns the sorted member names of m.
func keysOf(m map[string]any) []string {
	return slices.Sorted(maps.Keys(m))
}

// noRedirect is an HTTP client that stops at redirects.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// requirePageError asserts err is a *PageError with code.
func requirePageError(t *testing.T, err error, status int, code string) *fctest.PageError {
	t.Helper()
	var pe *fctest.PageError
	require.ErrorAs(t, err, &pe)
	require.Equal(t, code, pe.Code, pe.Error())
	require.Equal(t, status, pe.Status, pe.Error())
	return pe
}

// redirectQuery sends an authorize request with b that the emulator answers
// with a redirect to the FS and returns its query.
func redirectQuery(t *testing.T, b *http.Client, rawURL string) url.Values {
	t.Helper()
	resp, err := b.Get(rawURL)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	loc, err := url.Parse(resp.Header.Get("Location"))
	require.NoError(t, err)
	require.Equal(t, callbackURL, loc.Scheme+"://"+loc.Host+loc.Path)
	return loc.Query()
}
