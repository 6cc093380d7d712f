package fcdata

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	gojose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect"
)

// The data benchmarks measure what a data provider pays for one call to
// its API: the Bearer middleware, the introspection (cached, or asked of
// the platform and checked), and a handler writing a small JSON answer.
// The platform is a loopback server that answers every introspection with
// one answer made beforehand, so an uncached call costs the data provider's
// own work plus one loopback round trip, not the platform's latency:
//
//   - BenchmarkDataFloor: the standard library's primitives alone on that
//     answer (ECDH-ES or RSA-OAEP-256, A256GCM, ES256 or RS256;
//     bench_floor_test.go);
//   - BenchmarkDataCall: a call through Verifier.Middleware, <setup>/cached
//     (the answer in the cache) and <setup>/uncached (CacheSize -1);
//   - BenchmarkDataRatio: the floor, the checks of the answer alone
//     (Verifier.answer, no HTTP), a cached and an uncached call, one after
//     the other on each iteration, and the ratios of their median times to
//     the floor's (checks-x-floor, cached-x-floor, uncached-x-floor).

// benchSetup is a platform and the algorithms the data provider registered.
type benchSetup struct {
	name           string
	platform       franceconnect.Platform
	encAlg, sigAlg string // encAlg is "" on ProConnect, which does not encrypt
}

var benchSetups = []benchSetup{
	{"fcplus_ECDH-ES_ES256", franceconnect.FranceConnectPlus, franceconnect.ECDHES, "ES256"},
	{"fc_RSA-OAEP-256_RS256", franceconnect.FranceConnect, franceconnect.RSAOAEP256, "RS256"},
	{"proconnect_ES256", franceconnect.ProConnect, "", "ES256"},
}

const (
	benchDP     = "dp-bench"
	benchSecret = franceconnect.Secret("fcdata-bench-data-provider-secret-0123")
	benchToken  = "Zm9yLXRoZS1iZW5jaG1hcmtzLW9ubHktYWNjZXNzLXRv"
	benchScope  = "dgfip_rfr"
)

var benchNow = time.Unix(1_800_000_000, 0)

// benchKeys are generated once per run: the platform's signing keys and the
// data provider's decryption keys.
var benchKeys = sync.OnceValue(func() map[string]crypto.Signer {
	keys := map[string]crypto.Signer{}
	for _, name := range []string{"ES256", "RS256", franceconnect.ECDHES, franceconnect.RSAOAEP256} {
		var k crypto.Signer
		var err error
		if name == "ES256" || name == franceconnect.ECDHES {
			k, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		} else {
			k, err = rsa.GenerateKey(rand.Reader, 2048)
		}
		if err != nil {
			panic(err)
		}
		keys[name] = k
	}
	return keys
})

// benchPlatform is a platform on loopback that gives one answer, made
// beforehand, to every introspection.
type benchPlatform struct {
	benchSetup
	sigKey crypto.Signer
	dpKey  franceconnect.Key
	srv    *httptest.Server
	answer string // the body of each answer: a JWE, or the JWS on ProConnect
	signed string // the JWS
}

func newBenchPlatform(b *testing.B, s benchSetup) *benchPlatform {
	keys := benchKeys()
	p := &benchPlatform{benchSetup: s, sigKey: keys[s.sigAlg]}
	if s.encAlg != "" {
		p.dpKey = franceconnect.Key{ID: "dp-enc", Algorithm: s.encAlg, Private: keys[s.encAlg]}
	}
	p.srv = httptest.NewServer(http.HandlerFunc(p.serve))
	b.Cleanup(p.srv.Close)
	var err error
	p.signed, err = p.sign(p.introspectionClaims())
	require.NoError(b, err)
	p.answer = p.signed
	if s.encAlg != "" {
		p.answer, err = p.encrypt(p.signed)
		require.NoError(b, err)
	}
	return p
}

// introspectionClaims are the answer's claims, as the platform shapes them
// (DATA-PROVIDERS.md §2, §3), live at benchNow.
func (p *benchPlatform) introspectionClaims() []byte {
	ti := map[string]any{"active": true, "sub": "5f2a3c9e0b7d41e6a8c1f04b9d3e7a2c6b8f1d0e4a9c7b5e3f2d1c0b9a8e7f6dv1",
		"iat": benchNow.Add(-5 * time.Second).Unix(), "exp": benchNow.Add(55 * time.Second).Unix(),
		"jti": "b7c4e1f0a9d2", "scope": "dgfip_rfr dgfip_nbpart"}
	if p.platform == franceconnect.ProConnect {
		ti["client_id"], ti["acr"], ti["iss"], ti["token_type"] = "fs-bench", "eidas1", p.srv.URL, "Bearer"
	} else {
		ti["aud"], ti["acr"] = "fs-bench", "eidas2"
		for k, v := range map[string]any{"given_name": "Camille Marie", "given_name_array": []string{"Camille", "Marie"},
			"family_name": "ARNAUD", "birthdate": "1984-05-23", "gender": "female", "birthplace": "75107",
			"birthcountry": "99100"} {
			ti[k] = v
		}
	}
	claims, _ := json.Marshal(map[string]any{"iss": p.srv.URL, "aud": benchDP, "iat": benchNow.Unix(), "token_introspection": ti})
	return claims
}

func (p *benchPlatform) sign(payload []byte) (string, error) {
	key := gojose.JSONWebKey{Key: p.sigKey, KeyID: "platform-" + p.sigAlg}
	s, err := gojose.NewSigner(gojose.SigningKey{Algorithm: gojose.SignatureAlgorithm(p.sigAlg), Key: key}, nil)
	if err != nil {
		return "", err
	}
	obj, err := s.Sign(payload)
	if err != nil {
		return "", err
	}
	return obj.CompactSerialize()
}

// encrypt wraps signed in a JWE to the data provider's key, without kid,
// as FranceConnect does.
func (p *benchPlatform) encrypt(signed string) (string, error) {
	pub := p.dpKey.Private.(crypto.Signer).Public()
	e, err := gojose.NewEncrypter(gojose.A256GCM, gojose.Recipient{Algorithm: gojose.KeyAlgorithm(p.encAlg), Key: pub}, nil)
	if err != nil {
		return "", err
	}
	obj, err := e.Encrypt([]byte(signed))
	if err != nil {
		return "", err
	}
	return obj.CompactSerialize()
}

func (p *benchPlatform) ecdsaPub() *ecdsa.PublicKey {
	k, _ := p.sigKey.Public().(*ecdsa.PublicKey)
	return k
}

func (p *benchPlatform) rsaPub() *rsa.PublicKey {
	k, _ := p.sigKey.Public().(*rsa.PublicKey)
	return k
}

// serve answers discovery, the key set and every introspection.
func (p *benchPlatform) serve(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/.well-known/openid-configuration":
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"issuer": p.srv.URL, "jwks_uri": p.srv.URL + "/jwks"})
	case "/jwks":
		set := gojose.JSONWebKeySet{Keys: []gojose.JSONWebKey{{Key: p.sigKey.Public(), KeyID: "platform-" + p.sigAlg, Algorithm: p.sigAlg, Use: "sig"}}}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "public, max-age=600")
		_ = json.NewEncoder(w).Encode(set)
	case "/checktoken", "/token/introspection":
		w.Header().Set("Content-Type", ctJWT+"; charset=utf-8")
		_, _ = w.Write([]byte(p.answer))
	default:
		http.NotFound(w, r)
	}
}

// verifier returns the data provider's Verifier on p; cacheSize as in
// Config.
func (p *benchPlatform) verifier(b *testing.B, cacheSize int) *Verifier {
	cfg := Config{Issuer: p.srv.URL, Platform: p.platform, ClientID: benchDP, ClientSecret: benchSecret,
		SigningAlg: p.sigAlg, CacheSize: cacheSize, Now: func() time.Time { return benchNow }}
	if p.encAlg != "" {
		cfg.DecryptionKeys = []franceconnect.Key{p.dpKey}
	}
	v, err := New(context.Background(), cfg)
	require.NoError(b, err)
	return v
}

// benchAPI is the data provider's API: one route needing benchScope, whose
// handler answers the subject in JSON.
func benchAPI(v *Verifier) http.Handler {
	return v.Middleware(benchScope)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		res, _ := FromContext(r.Context())
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"sub": res.Subject})
	}))
}

// dataCall makes one data call and reports whether it was served.
func dataCall(api http.Handler) bool {
	req := httptest.NewRequest(http.MethodGet, "/api/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+benchToken)
	rec := httptest.NewRecorder()
	api.ServeHTTP(rec, req)
	return rec.Code == http.StatusOK
}

// dataAPIs returns the API with a warm cache, and without a cache.
func dataAPIs(b *testing.B, p *benchPlatform) (cached, uncached http.Handler) {
	cached, uncached = benchAPI(p.verifier(b, 0)), benchAPI(p.verifier(b, -1))
	require.True(b, dataCall(cached), "the answer is accepted")
	return cached, uncached
}

func BenchmarkDataFloor(b *testing.B) {
	for _, s := range benchSetups {
		b.Run(s.name, func(b *testing.B) {
			f := newFloorAnswer(b, newBenchPlatform(b, s))
			b.ReportAllocs()
			for b.Loop() {
				if !f.verify() {
					b.Fatal("floor verification failed")
				}
			}
		})
	}
}

func BenchmarkDataCall(b *testing.B) {
	for _, s := range benchSetups {
		p := newBenchPlatform(b, s)
		cached, uncached := dataAPIs(b, p)
		for _, api := range []struct {
			name string
			h    http.Handler
		}{{"cached", cached}, {"uncached", uncached}} {
			b.Run(s.name+"/"+api.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if !dataCall(api.h) {
						b.Fatal("data call refused")
					}
				}
			})
		}
	}
}

// BenchmarkDataRatio runs the floor, the checks of the answer, a cached and
// an uncached call one after the other on each iteration, so that they see
// the same machine load, and reports the ratios of their median times to
// the floor's, which a shared machine distorts far less than separate runs.
func BenchmarkDataRatio(b *testing.B) {
	for _, s := range benchSetups {
		b.Run(s.name, func(b *testing.B) {
			p := newBenchPlatform(b, s)
			f := newFloorAnswer(b, p)
			cached, uncached := dataAPIs(b, p)
			v, ctx, body := p.verifier(b, -1), context.Background(), []byte(p.answer)
			var floor, checks, hit, miss []time.Duration
			for b.Loop() {
				t0 := time.Now()
				ok := f.verify()
				t1 := time.Now()
				res, err := v.answer(ctx, ctJWT, body)
				t2 := time.Now()
				okHit := dataCall(cached)
				t3 := time.Now()
				okMiss := dataCall(uncached)
				t4 := time.Now()
				if !ok || err != nil || !res.Active || !okHit || !okMiss {
					b.Fatal(ok, err, okHit, okMiss)
				}
				floor, checks = append(floor, t1.Sub(t0)), append(checks, t2.Sub(t1))
				hit, miss = append(hit, t3.Sub(t2)), append(miss, t4.Sub(t3))
			}
			mFloor := float64(median(floor))
			for _, m := range []struct {
				name string
				d    []time.Duration
			}{{"floor", floor}, {"checks", checks}, {"cached", hit}, {"uncached", miss}} {
				md := float64(median(m.d))
				b.ReportMetric(md/1e3, m.name+"-µs")
				if m.name != "floor" {
					b.ReportMetric(md/mFloor, m.name+"-x-floor")
				}
			}
		})
	}
}

// median sorts d and returns its middle value.
func median(d []time.Duration) time.Duration {
	slices.Sort(d)
	return d[len(d)/2]
}
