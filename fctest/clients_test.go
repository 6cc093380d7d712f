package fctest_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect/fctest"
)

func TestRegisterValidation(t *testing.T) {
	plus := fctest.New(t, fctest.Options{})
	fc := fctest.New(t, fctest.Options{Platform: fctest.FranceConnect})
	ec := fsKeys["ECDH-ES"]()
	privSet, err := json.Marshal(map[string]any{"keys": []any{ec.priv}})
	require.NoError(t, err)
	valid := fctest.Registration{ID: "fs", Secret: secret, RedirectURIs: []string{callbackURL}, JWKS: ec.pub}
	require.NoError(t, plus.Register(valid))

	for _, tc := range []struct {
		name   string
		srv    *fctest.Server
		change func(*fctest.Registration)
	}{
		{"missing ID", plus, func(c *fctest.Registration) { c.ID = "" }},
		{"short secret", plus, func(c *fctest.Registration) { c.Secret = fctest.Secret(strings.Repeat("s", 31)) }},
		{"no redirect URI", plus, func(c *fctest.Registration) { c.RedirectURIs = nil }},
		{"fragment", plus, func(c *fctest.Registration) { c.RedirectURIs = []string{callbackURL + "#x"} }},
		{"relative URI", plus, func(c *fctest.Registration) { c.RedirectURIs = []string{"/cb"} }},
		{"ftp URI", plus, func(c *fctest.Registration) { c.RedirectURIs = []string{"ftp://fs.example.fr/cb"} }},
		{"post-logout fragment", plus, func(c *fctest.Registration) { c.PostLogoutRedirectURIs = []string{logoutURL + "#"} }},
		{"unknown scope", plus, func(c *fctest.Registration) { c.Scopes = []string{"openid", "phone"} }},
		{"scopes without openid", plus, func(c *fctest.Registration) { c.Scopes = []string{"profile"} }},
		{"RS256 on FranceConnect+", plus, func(c *fctest.Registration) { c.SignedResponseAlg = "RS256" }},
		{"HS256", fc, func(c *fctest.Registration) { c.SignedResponseAlg = "HS256" }},
		{"unknown encryption alg", plus, func(c *fctest.Registration) { c.EncryptedResponseAlg = "A128KW" }},
		{"no keys on FranceConnect+", plus, func(c *fctest.Registration) { c.JWKS = nil }},
		{"both JWKS and URL", plus, func(c *fctest.Registration) { c.JWKSURL = "https://fs.example.fr/jwks" }},
		{"invalid JWKS", plus, func(c *fctest.Registration) { c.JWKS = []byte(`{"keys":`) }},
		{"private JWKS", plus, func(c *fctest.Registration) { c.JWKS = privSet }},
		{"EC key for RSA-OAEP-256", plus, func(c *fctest.Registration) { c.EncryptedResponseAlg = "RSA-OAEP-256" }},
		{"invalid JWKS URL", plus, func(c *fctest.Registration) { c.JWKS, c.JWKSURL = nil, "not a url" }},
		{"FranceConnect encryption without keys", fc, func(c *fctest.Registration) { c.JWKS, c.EncryptedResponseAlg = nil, "ECDH-ES" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := valid
			tc.change(&c)
			require.Error(t, tc.srv.Register(c))
		})
	}

	require.NoError(t, fc.Register(fctest.Registration{ID: "fc", Secret: secret, RedirectURIs: []string{callbackURL}}),
		"FranceConnect clients need no keys")
	sigOnly := []byte(`{"keys":[{"kty":"EC","crv":"P-256","use":"sig","x":"` + ecX(t, ec.pub) + `","y":"` + ecY(t, ec.pub) + `"}]}`)
	c := valid
	c.JWKS = sigOnly
	require.Error(t, plus.Register(c), "keys with use=sig cannot encrypt")
}

func ecX(t *testing.T, set []byte) string { return jwkMember(t, set, "x") }
func ecY(t *testing.T, set []byte) string { return jwkMember(t, set, "y") }

func jwkMember(t *testing.T, set []byte, name string) string {
	var raw struct {
		Keys []map[string]string `json:"keys"`
	}
	require.NoError(t, json.Unmarshal(set, &raw))
	return raw.Keys[0][name]
}

func TestRegisterReplacesAndCopies(t *testing.T) {
	e := newEnv(t, fctest.Options{}, nil)
	uris := []string{"https://fs.example.fr/new"}
	c := e.client
	c.RedirectURIs = uris
	require.NoError(t, e.srv.Register(c))
	uris[0] = "https://mutated.example.fr/"
	cb, err := e.srv.NewBrowser().SignIn(t.Context(), e.authURL("redirect_uri", "https://fs.example.fr/new"), "camille")
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(cb, "https://fs.example.fr/new?"))
	_, err = e.srv.NewBrowser().SignIn(t.Context(), e.authURL(), "camille")
	requirePageError(t, err, http.StatusBadRequest, "Y04C013C")
}

// keyServer serves an FS JWKS and counts the fetches.
type keyServer struct {
	mu      sync.Mutex
	jwks    []byte
	maxAge  string
	status  int
	fetches atomic.Int64
	*httptest.Server
}

func newKeyServer(t *testing.T, jwks []byte, cacheControl string) *keyServer {
	ks := &keyServer{jwks: jwks, maxAge: cacheControl, status: http.StatusOK}
	ks.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ks.fetches.Add(1)
		ks.mu.Lock()
		defer ks.mu.Unlock()
		if ks.maxAge != "" {
			w.Header().Set("Cache-Control", ks.maxAge)
		}
		w.WriteHeader(ks.status)
		_, _ = w.Write(ks.jwks)
	}))
	t.Cleanup(ks.Close)
	return ks
}

func TestJWKSURLFetchedAndCached(t *testing.T) {
	ec, rsaKey := fsKeys["ECDH-ES"](), fsKeys["RSA-OAEP-256"]()
	ks := newKeyServer(t, ec.pub, "public, max-age=120")
	e := newEnv(t, fctest.Options{}, func(c *fctest.Registration) { c.JWKS, c.JWKSURL = nil, ks.URL })
	require.EqualValues(t, 0, ks.fetches.Load(), "fetched lazily")

	e.exchange(e.code("camille"))
	require.EqualValues(t, 1, ks.fetches.Load())
	e.clock.Advance(119 * time.Second)
	e.exchange(e.code("camille"))
	require.EqualValues(t, 1, ks.fetches.Load(), "cached for max-age")

	ks.mu.Lock()
	ks.jwks = rsaKey.pub
	ks.mu.Unlock()
	e.clock.Advance(2 * time.Second)
	e.key = rsaKey
	tok := e.exchange(e.code("camille"))
	require.EqualValues(t, 2, ks.fetches.Load())
	require.Equal(t, "RSA-OAEP-256", header(t, tok["id_token"].(string))["alg"], "rotated FS key picked up")
	e.open(tok["id_token"].(string))
}

func TestJWKSURLMinimumCacheAndFailure(t *testing.T) {
	ks := newKeyServer(t, fsKeys["ECDH-ES"]().pub, "max-age=5")
	e := newEnv(t, fctest.Options{}, func(c *fctest.Registration) { c.JWKS, c.JWKSURL = nil, ks.URL })
	e.exchange(e.code("camille"))
	e.clock.Advance(59 * time.Second)
	e.exchange(e.code("camille"))
	require.EqualValues(t, 1, ks.fetches.Load(), "cached at least 60 s")

	ks.mu.Lock()
	ks.status = http.StatusInternalServerError
	ks.mu.Unlock()
	e.clock.Advance(2 * time.Second)
	resp, body := e.post("/token", e.tokenForm(e.code("camille")))
	requireJSONError(t, resp, body, http.StatusInternalServerError, "server_error", "", "")
}
