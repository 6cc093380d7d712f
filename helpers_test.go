package franceconnect

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"flag"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	gojose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "regenerate the recorded fixtures under testdata/")

// Values shared by the recorded fixtures (testdata/) and the tests.
const (
	fixIssuer       = "https://example.com/api/v2"
	fixClientID     = "b2f1c7e0a9d84e6f8c3a5b7d9e1f2a4c6b8d0e2f4a6c8e0b2d4f6a8c0e2b4d6f"
	fixSecret       = "fixture-client-secret-0123456789abcdef"
	fixRedirect     = "https://fs.example.com/callback"
	fixLogout       = "https://fs.example.com/logout-callback"
	fixState        = "5f2c9a1e7b3d8f4a6c0e2b9d1f7a3c5e8b0d4f6a2c9e1b7d3f5a8c0e6b2d4f9a"
	fixNonce        = "a8d3f1c6e9b2d5f7a0c4e8b1d6f3a9c2e5b7d0f4a1c8e3b6d9f2a5c7e0b4d8f1"
	fixSub          = "0b8e5c2f9a6d3b0e7c4a1f8d5b2e9c6a3f0d7b4e1c8a5f2d9b6e3c0a7f4d1b8ev1"
	fixOtherSub     = "1c9f6d3a0b7e4c1f8d5a2e9b6c3f0a7d4e1b8c5f2a9d6e3b0c7f4a1d8e5b2c9fv1"
	fixAMRRequested = true
)

// fixNow is the fixed clock of the fixtures: tokens are issued at fixNow.
var fixNow = time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC)

// testKeys are the fixed keys under testdata/keys/: the provider's signature
// keys and the FS's decryption keys.
type testKeys struct {
	providerES256 gojose.JSONWebKey // kid fc-es256
	providerRS256 gojose.JSONWebKey // kid fc-rs256
	other         gojose.JSONWebKey // an ES256 key FranceConnect never published
	fs            []Key             // fs-ecdh (ECDH-ES), fs-rsa-oaep-256, fs-rsa-oaep
}

var (
	keysOnce sync.Once
	keysVal  testKeys
)

func loadTestKeys(t testing.TB) testKeys {
	t.Helper()
	keysOnce.Do(func() {
		var set gojose.JSONWebKeySet
		b, err := os.ReadFile(filepath.Join("testdata", "keys", "provider.jwks.json"))
		if err == nil {
			err = json.Unmarshal(b, &set)
		}
		if err != nil {
			panic("testdata/keys/provider.jwks.json: " + err.Error() + " (run make fixtures)")
		}
		keysVal.providerES256 = set.Key("fc-es256")[0]
		keysVal.providerRS256 = set.Key("fc-rs256")[0]
		keysVal.other = set.Key("fc-unpublished")[0]
		fs, err := LoadKeys(filepath.Join("testdata", "keys", "fs.jwks.json"))
		if err != nil {
			panic(err)
		}
		keysVal.fs = fs
	})
	return keysVal
}

func (k testKeys) fsKey(alg string) Key {
	for _, key := range k.fs {
		if key.Algorithm == alg {
			return key
		}
	}
	panic("no FS key for " + alg)
}

// publicProviderJWKS is the JWKS FranceConnect publishes in the tests.
func (k testKeys) publicProviderJWKS() []byte {
	set := gojose.JSONWebKeySet{Keys: []gojose.JSONWebKey{k.providerES256.Public(), k.providerRS256.Public()}}
	b, _ := json.Marshal(set)
	return b
}

// signJWS signs claims with key under alg, with header {alg, kid}.
func signJWS(t testing.TB, claims any, alg gojose.SignatureAlgorithm, key gojose.JSONWebKey) string {
	t.Helper()
	signer, err := gojose.NewSigner(gojose.SigningKey{Algorithm: alg, Key: key}, nil)
	require.NoError(t, err)
	payload, err := json.Marshal(claims)
	require.NoError(t, err)
	obj, err := signer.Sign(payload)
	require.NoError(t, err)
	s, err := obj.CompactSerialize()
	require.NoError(t, err)
	return s
}

// encryptJWE encrypts plaintext to key like FranceConnect+: enc A256GCM,
// headers cty JWT, kid, iss and aud.
func encryptJWE(t testing.TB, plaintext string, key Key, extra map[gojose.HeaderKey]any) string {
	t.Helper()
	pub, err := key.jwk(true)
	require.NoError(t, err)
	opts := (&gojose.EncrypterOptions{}).WithContentType("JWT").WithHeader("iss", fixIssuer).WithHeader("aud", fixClientID)
	for k, v := range extra {
		opts = opts.WithHeader(k, v)
	}
	enc, err := gojose.NewEncrypter(gojose.A256GCM,
		gojose.Recipient{Algorithm: gojose.KeyAlgorithm(key.Algorithm), Key: pub.Key, KeyID: key.ID}, opts)
	require.NoError(t, err)
	obj, err := enc.Encrypt([]byte(plaintext))
	require.NoError(t, err)
	s, err := obj.CompactSerialize()
	require.NoError(t, err)
	return s
}

// idClaimsAt returns the id_token claims FranceConnect+ sends at fixNow.
func idClaimsAt(now time.Time) map[string]any {
	return map[string]any{
		"iss": fixIssuer, "sub": fixSub, "aud": fixClientID,
		"exp": now.Unix() + 60, "iat": now.Unix(), "nonce": fixNonce,
		"acr": "eidas2", "amr": []string{"pwd", "mfa", "fr"}, "auth_time": now.Unix() - 5,
	}
}

// userinfoClaimsAt returns a userinfo payload for scope identite_pivot email.
func userinfoClaimsAt(now time.Time) map[string]any {
	return map[string]any{
		"iss": fixIssuer, "sub": fixSub, "aud": fixClientID,
		"exp": now.Unix() + 60, "iat": now.Unix(),
		"given_name": "Éloïse Marie", "family_name": "D'ARGENSON", "preferred_username": "",
		"birthdate": "1984-03-01", "gender": "female", "birthplace": "2A004", "birthcountry": "99100",
		"email": "eloise.dargenson@example.org",
	}
}

// provider is a FranceConnect stand-in on a loopback TLS server, reached
// under fixIssuer's host through a dialer that always dials the server.
type provider struct {
	srv      *httptest.Server
	platform Platform
	keys     testKeys

	mu        sync.Mutex
	jwks      []byte
	discovery map[string]any
	token     http.HandlerFunc
	userinfo  http.HandlerFunc

	hits  sync.Map     // path -> *atomic.Int64
	conns atomic.Int64 // connections opened by clients
}

func newProvider(t testing.TB, platform Platform) *provider {
	t.Helper()
	return startProvider(t, platform, false)
}

// startProvider is newProvider, speaking HTTP/2 as well when h2 is set.
func startProvider(t testing.TB, platform Platform, h2 bool) *provider {
	t.Helper()
	p := &provider{platform: platform, keys: loadTestKeys(t)}
	p.jwks = p.keys.publicProviderJWKS()
	name := "discovery-fcplus.json"
	if platform != FranceConnectPlus {
		name = "discovery-fc.json" // ProConnect advertises the same algorithms
	}
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &p.discovery))
	if platform == ProConnect {
		p.discovery["scopes_supported"] = scopesProConnect
	}
	p.srv = httptest.NewUnstartedServer(http.HandlerFunc(p.serve))
	p.srv.EnableHTTP2 = h2
	p.srv.Config.ErrorLog = log.New(io.Discard, "", 0) // TLS handshakes the tests make fail
	p.srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			p.conns.Add(1)
		}
	}
	p.srv.StartTLS()
	t.Cleanup(p.srv.Close)
	return p
}

func (p *provider) count(path string) int64 {
	v, _ := p.hits.LoadOrStore(path, new(atomic.Int64))
	return v.(*atomic.Int64).Load()
}

func (p *provider) serve(w http.ResponseWriter, r *http.Request) {
	v, _ := p.hits.LoadOrStore(r.URL.Path, new(atomic.Int64))
	v.(*atomic.Int64).Add(1)
	p.mu.Lock()
	disc, jwks, token, userinfo := p.discovery, p.jwks, p.token, p.userinfo
	p.mu.Unlock()
	switch r.URL.Path {
	case "/api/v2/.well-known/openid-configuration":
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Cache-Control", "public, max-age=600")
		_ = json.NewEncoder(w).Encode(disc)
	case "/api/v2/jwks":
		w.Header().Set("Content-Type", "application/jwk-set+json")
		w.Header().Set("Cache-Control", "public, max-age=600")
		_, _ = w.Write(jwks)
	case "/api/v2/token":
		if token == nil {
			http.NotFound(w, r)
			return
		}
		token(w, r)
	case "/api/v2/userinfo":
		if userinfo == nil {
			http.NotFound(w, r)
			return
		}
		userinfo(w, r)
	case "/api/v2/token/revocation":
		_ = r.ParseForm()
		if len(r.PostForm) != 3 || r.PostForm.Get("client_secret") != fixSecret {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"error":"invalid_request","error_description":"bad revocation","error_uri":"https://docs.example/?code=Y030007&id=1"}`))
			return
		}
		w.WriteHeader(http.StatusOK)
	default:
		http.NotFound(w, r)
	}
}

func (p *provider) set(f func(p *provider)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	f(p)
}

// httpClient reaches the provider whatever host a URL names.
func (p *provider) httpClient() *http.Client {
	addr := p.srv.Listener.Addr().String()
	base := p.srv.Client().Transport.(*http.Transport).Clone()
	base.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}
	base.TLSClientConfig = base.TLSClientConfig.Clone()
	base.TLSClientConfig.ServerName = "example.com"
	base.TLSClientConfig.MinVersion = tls.VersionTLS12
	return &http.Client{Transport: base, Timeout: 5 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// config returns a valid Config for the provider's platform.
func (p *provider) config() Config {
	cfg := Config{
		Issuer: fixIssuer, Platform: p.platform, ClientID: fixClientID, ClientSecret: fixSecret,
		RedirectURL: fixRedirect, PostLogoutRedirectURL: fixLogout,
		Scopes: []string{"openid", "identite_pivot", "email"}, DecryptionKeys: p.keys.fs,
		HTTPClient: p.httpClient(), Now: func() time.Time { return fixNow },
	}
	if p.platform != FranceConnectPlus {
		cfg.DecryptionKeys = nil
	}
	if p.platform == ProConnect {
		cfg.Scopes = []string{"openid", "given_name", "usual_name", "email", "siret"}
	}
	return cfg
}

func (p *provider) client(t testing.TB, edit ...func(*Config)) *Client {
	t.Helper()
	cfg := p.config()
	for _, e := range edit {
		e(&cfg)
	}
	c, err := New(context.Background(), cfg)
	require.NoError(t, err)
	return c
}

func fixState0() AuthState { return AuthState{State: fixState, Nonce: fixNonce, ACR: EIDAS2} }

func readFixture(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return strings.TrimSpace(string(b))
}
