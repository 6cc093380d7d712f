package franceconnect

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	gojose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/stretchr/testify/require"
)

// The verification benchmarks run every recorded token (testdata/tokens/,
// valid at fixNow) through four implementations, each a top-level benchmark
// with one sub-benchmark per algorithm pair and token kind, named
// <pair>/<kind> (e.g. ECDH-ES_ES256/idtoken, signed_RS256/userinfo):
//
//   - BenchmarkFloor: the standard-library primitives alone (bench_floor_test.go);
//   - BenchmarkVerify: this package, Client.VerifyIDToken and the userinfo
//     verification, every check included;
//   - BenchmarkGoJose: go-jose used by hand with the same allow-lists and
//     the same claim checks;
//   - BenchmarkGoOIDC: go-oidc's IDTokenVerifier, signed-only tokens only.
//
// The provider publishes 5 ES256 and 3 RS256 keys, so that keys are found by
// kid. BenchmarkRatio (bench_floor_test.go) runs the floor, this package and
// go-jose alternately to measure their ratios; `make bench` runs all of
// them BENCH_COUNT times and summarises them with benchstat.

// benchPair is a recorded algorithm pair under its benchmark name.
type benchPair struct {
	name string
	tokenPair
}

var benchPairs = []benchPair{
	{"ECDH-ES_ES256", tokenPair{FranceConnectPlus, ECDHES, "ES256"}},
	{"RSA-OAEP-256_ES256", tokenPair{FranceConnectPlus, RSAOAEP256, "ES256"}},
	{"RSA-OAEP_ES256", tokenPair{FranceConnectPlus, RSAOAEP, "ES256"}},
	{"RSA-OAEP-256_RS256", tokenPair{FranceConnect, RSAOAEP256, "RS256"}},
	{"signed_ES256", tokenPair{FranceConnect, "", "ES256"}},
	{"signed_RS256", tokenPair{FranceConnect, "", "RS256"}},
}

var benchKinds = []string{"idtoken", "userinfo"}

// forEachToken runs one sub-benchmark per pair and kind.
func forEachToken(b *testing.B, pairs []benchPair, run func(b *testing.B, p benchPair, kind, raw string)) {
	for _, p := range pairs {
		for _, kind := range benchKinds {
			b.Run(p.name+"/"+kind, func(b *testing.B) {
				run(b, p, kind, readFixture(b, p.file(kind)))
			})
		}
	}
}

// benchState is the session a recorded id_token answers.
func benchState(p Platform) AuthState {
	st := fixState0()
	if p == FranceConnect {
		st.ACR = EIDAS1
	}
	return st
}

var (
	benchKeysOnce sync.Once
	benchKeySet   gojose.JSONWebKeySet
)

// benchProviderKeys returns the provider JWKS of the benchmarks: the two
// signing keys of the fixtures among 3 more ES256 and 2 more RSA keys (and
// the unpublished key of the fixtures): 5 ES256 and 3 RS256 keys.
func benchProviderKeys(b *testing.B) gojose.JSONWebKeySet {
	k := loadTestKeys(b)
	benchKeysOnce.Do(func() {
		var keys []gojose.JSONWebKey
		for i, kid := range []string{"fc-es256-a", "fc-rs256-a", "fc-es256-b", "fc-es256-c", "fc-rs256-b"} {
			var pub any
			if strings.Contains(kid, "rs256") {
				priv, err := rsa.GenerateKey(rand.Reader, 2048)
				require.NoError(b, err)
				pub = &priv.PublicKey
			} else {
				priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
				require.NoError(b, err)
				pub = &priv.PublicKey
			}
			alg := "ES256"
			if strings.Contains(kid, "rs256") {
				alg = "RS256"
			}
			keys = append(keys, gojose.JSONWebKey{Key: pub, KeyID: kid, Algorithm: alg, Use: "sig"})
			if i == 2 { // the fixtures' keys in the middle of the set
				keys = append(keys, k.providerES256.Public(), k.other.Public(), k.providerRS256.Public())
			}
		}
		benchKeySet = gojose.JSONWebKeySet{Keys: keys}
	})
	return benchKeySet
}

// benchClient returns a Client of p (its platform and registered
// signature algorithm) on the fixed clock, with the three FS decryption
// keys when p is encrypted, whose provider publishes benchProviderKeys.
func benchClient(b *testing.B, p tokenPair) *Client {
	set := benchProviderKeys(b)
	jwks, err := json.Marshal(set)
	require.NoError(b, err)
	prov := newProvider(b, p.platform)
	prov.set(func(prov *provider) { prov.jwks = jwks })
	return prov.client(b, func(cfg *Config) {
		if p.enc != "" {
			cfg.DecryptionKeys = loadTestKeys(b).fs
		}
		cfg.SigningAlgs = []string{p.sig}
	})
}

// verifyToken runs this package's verification of a recorded token.
func verifyToken(ctx context.Context, c *Client, kind, raw string, st AuthState) error {
	if kind == "idtoken" {
		_, err := c.VerifyIDToken(ctx, raw, st)
		return err
	}
	_, err := c.verifyUserInfo(ctx, raw, fixSub)
	return err
}

func BenchmarkVerify(b *testing.B) {
	forEachToken(b, benchPairs, func(b *testing.B, p benchPair, kind, raw string) {
		c := benchClient(b, p.tokenPair)
		ctx, st := context.Background(), benchState(p.platform)
		b.ReportAllocs()
		for b.Loop() {
			if err := verifyToken(ctx, c, kind, raw, st); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkVerifyParallel verifies the id_token of each pair from every
// core at once; run with -cpu 1,2 to see how throughput scales.
func BenchmarkVerifyParallel(b *testing.B) {
	for _, p := range benchPairs {
		b.Run(p.name, func(b *testing.B) {
			raw := readFixture(b, p.file("idtoken"))
			c := benchClient(b, p.tokenPair)
			ctx, st := context.Background(), benchState(p.platform)
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := c.VerifyIDToken(ctx, raw, st); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

// goJosePeer verifies tokens with go-jose the way an application would: the
// same allow-lists, keys looked up by kid in JSON Web Key Sets, claims
// decoded with encoding/json and checked like this package does.
type goJosePeer struct {
	encKeys, sigKeys gojose.JSONWebKeySet
	keyAlgs          []gojose.KeyAlgorithm
	encs             []gojose.ContentEncryption
	sigAlgs          []gojose.SignatureAlgorithm
}

func newGoJosePeer(b *testing.B, p Platform) *goJosePeer {
	peer := &goJosePeer{
		sigKeys: benchProviderKeys(b),
		keyAlgs: []gojose.KeyAlgorithm{gojose.ECDH_ES, gojose.RSA_OAEP_256, gojose.RSA_OAEP},
		encs:    []gojose.ContentEncryption{gojose.A256GCM},
		sigAlgs: []gojose.SignatureAlgorithm{gojose.ES256},
	}
	if p == FranceConnect {
		peer.sigAlgs = append(peer.sigAlgs, gojose.RS256)
	}
	for _, k := range loadTestKeys(b).fs {
		jk, err := k.jwk(false)
		require.NoError(b, err)
		peer.encKeys.Keys = append(peer.encKeys.Keys, jk)
	}
	return peer
}

// payload decrypts (when it is a JWE) and verifies raw.
func (peer *goJosePeer) payload(raw string) ([]byte, error) {
	signed := raw
	if strings.Count(raw, ".") == 4 {
		jwe, err := gojose.ParseEncryptedCompact(raw, peer.keyAlgs, peer.encs)
		if err != nil {
			return nil, err
		}
		keys := peer.encKeys.Key(jwe.Header.KeyID)
		if len(keys) != 1 {
			return nil, errors.New("unknown decryption key")
		}
		plain, err := jwe.Decrypt(keys[0].Key)
		if err != nil {
			return nil, err
		}
		signed = string(plain)
	}
	jws, err := gojose.ParseSignedCompact(signed, peer.sigAlgs)
	if err != nil {
		return nil, err
	}
	keys := peer.sigKeys.Key(jws.Signatures[0].Header.KeyID)
	if len(keys) != 1 {
		return nil, errors.New("unknown signing key")
	}
	return jws.Verify(keys[0].Key)
}

// peerIDClaims are the id_token claims as a go-jose application decodes them.
type peerIDClaims struct {
	jwt.Claims
	Nonce    string           `json:"nonce"`
	ACR      string           `json:"acr"`
	AMR      []string         `json:"amr"`
	AuthTime *jwt.NumericDate `json:"auth_time"`
}

// peerUserInfo is a userinfo as a go-jose application decodes it: the
// claims it reads, and every claim as received (like Identity.Claims).
type peerUserInfo struct {
	jwt.Claims
	GivenName    string `json:"given_name"`
	FamilyName   string `json:"family_name"`
	Birthdate    string `json:"birthdate"`
	Gender       string `json:"gender"`
	Birthplace   string `json:"birthplace"`
	Birthcountry string `json:"birthcountry"`
	Email        string `json:"email"`
	all          map[string]json.RawMessage
}

// checkPeerClaims checks iss, aud (our client_id alone), exp and iat
// (required, within the leeway) and sub.
func checkPeerClaims(cl *jwt.Claims) error {
	if len(cl.Audience) != 1 || cl.Expiry == nil || cl.IssuedAt == nil || cl.Subject == "" {
		return errors.New("claims missing")
	}
	if cl.IssuedAt.Time().After(fixNow.Add(DefaultLeeway)) {
		return errors.New("issued in the future")
	}
	return cl.ValidateWithLeeway(jwt.Expected{Issuer: fixIssuer, AnyAudience: jwt.Audience{fixClientID}, Time: fixNow}, DefaultLeeway)
}

// checkPeerID adds the id_token checks: nonce and acr.
func checkPeerID(cl *peerIDClaims, st AuthState) error {
	if err := checkPeerClaims(&cl.Claims); err != nil {
		return err
	}
	if subtle.ConstantTimeCompare([]byte(cl.Nonce), []byte(st.Nonce)) != 1 {
		return errors.New("nonce")
	}
	if acr := ACR(cl.ACR); acr.Level() == 0 || !acr.Satisfies(st.ACR) {
		return errors.New("acr")
	}
	return nil
}

// decodePeerUserInfo decodes and checks a userinfo payload.
func decodePeerUserInfo(payload []byte, sub string) (*peerUserInfo, error) {
	var ui peerUserInfo
	if err := json.Unmarshal(payload, &ui); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(payload, &ui.all); err != nil {
		return nil, err
	}
	if err := checkPeerClaims(&ui.Claims); err != nil {
		return nil, err
	}
	if ui.all["nonce"] != nil || subtle.ConstantTimeCompare([]byte(ui.Subject), []byte(sub)) != 1 {
		return nil, errors.New("not this userinfo")
	}
	return &ui, nil
}

func (peer *goJosePeer) verify(kind, raw string, st AuthState) error {
	payload, err := peer.payload(raw)
	if err != nil {
		return err
	}
	if kind == "userinfo" {
		_, err := decodePeerUserInfo(payload, fixSub)
		return err
	}
	var cl peerIDClaims
	if err := json.Unmarshal(payload, &cl); err != nil {
		return err
	}
	return checkPeerID(&cl, st)
}

func BenchmarkGoJose(b *testing.B) {
	forEachToken(b, benchPairs, func(b *testing.B, p benchPair, kind, raw string) {
		peer, st := newGoJosePeer(b, p.platform), benchState(p.platform)
		b.ReportAllocs()
		for b.Loop() {
			if err := peer.verify(kind, raw, st); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkGoOIDC verifies the signed-only tokens with go-oidc's
// IDTokenVerifier, then checks what it leaves to the application (nonce,
// acr; the userinfo's sub and claims). A StaticKeySet tries its keys one
// after the other, so it is given the key the token's kid names: the
// comparison is about verification, not key search.
func BenchmarkGoOIDC(b *testing.B) {
	signed := []benchPair{benchPairs[4], benchPairs[5]}
	forEachToken(b, signed, func(b *testing.B, p benchPair, kind, raw string) {
		hdr, err := gojose.ParseSignedCompact(raw, []gojose.SignatureAlgorithm{gojose.ES256, gojose.RS256})
		require.NoError(b, err)
		set := benchProviderKeys(b)
		key := set.Key(hdr.Signatures[0].Header.KeyID)[0]
		v := oidc.NewVerifier(fixIssuer, &oidc.StaticKeySet{PublicKeys: []crypto.PublicKey{key.Key}}, &oidc.Config{
			ClientID: fixClientID, SupportedSigningAlgs: []string{oidc.ES256, oidc.RS256},
			Now: func() time.Time { return fixNow },
		})
		ctx, st := context.Background(), benchState(p.platform)
		b.ReportAllocs()
		for b.Loop() {
			if err := goOIDCVerify(ctx, v, kind, raw, st); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func goOIDCVerify(ctx context.Context, v *oidc.IDTokenVerifier, kind, raw string, st AuthState) error {
	tok, err := v.Verify(ctx, raw)
	if err != nil {
		return err
	}
	if kind == "userinfo" {
		var ui peerUserInfo
		if err := tok.Claims(&ui); err != nil {
			return err
		}
		if err := tok.Claims(&ui.all); err != nil {
			return err
		}
		if ui.all["nonce"] != nil || subtle.ConstantTimeCompare([]byte(tok.Subject), []byte(fixSub)) != 1 {
			return errors.New("not this userinfo")
		}
		return nil
	}
	var cl peerIDClaims
	if err := tok.Claims(&cl); err != nil {
		return err
	}
	return checkPeerID(&cl, st)
}
