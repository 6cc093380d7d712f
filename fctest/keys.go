package fctest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// Signature algorithms the emulator signs with.
const (
	algES256 = "ES256"
	algRS256 = "RS256"
)

// signingKey is one provider key.
type signingKey struct {
	alg  string
	kid  string
	priv crypto.Signer
	// retireAt is the server time from which the key leaves the JWKS
	// (RotateSigningKeys); zero: published until RemoveKey.
	retireAt time.Time
}

// newSigningKey generates a key for alg with a fresh kid.
func newSigningKey(alg string) (*signingKey, error) {
	var priv crypto.Signer
	var err error
	switch alg {
	case algES256:
		priv, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case algRS256:
		priv, err = rsa.GenerateKey(rand.Reader, 2048)
	default:
		return nil, fmt.Errorf("fctest: unsupported signing algorithm %q", alg)
	}
	if err != nil {
		return nil, err
	}
	return &signingKey{alg: alg, kid: "fctest:" + alg + ":" + randomHex(4), priv: priv}, nil
}

// publicJWK returns the key as published in the JWKS (spec §8.4).
func (k *signingKey) publicJWK() jose.JSONWebKey {
	return jose.JSONWebKey{Key: k.priv.Public(), KeyID: k.kid, Algorithm: k.alg, Use: "sig"}
}

// sign returns the compact JWS of payload with header exactly {alg, kid}.
func (k *signingKey) sign(payload []byte) (string, error) {
	signer, err := jose.NewSigner(jose.SigningKey{
		Algorithm: jose.SignatureAlgorithm(k.alg),
		Key:       jose.JSONWebKey{Key: k.priv, KeyID: k.kid},
	}, nil)
	if err != nil {
		return "", err
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", err
	}
	return jws.CompactSerialize()
}

// signWithoutKid returns the compact JWS of payload with header exactly
// {alg}, for FaultMissingKid.
func (k *signingKey) signWithoutKid(payload []byte) (string, error) {
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.SignatureAlgorithm(k.alg), Key: k.priv}, nil)
	if err != nil {
		return "", err
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", err
	}
	return jws.CompactSerialize()
}

// keyring holds the published keys and the active key per algorithm.
// published and active are guarded by Server.mu; algs never changes.
type keyring struct {
	published []*signingKey          // JWKS order
	active    map[string]*signingKey // by alg
	algs      []string               // published algorithms, primary first
}

// newKeyring creates one active key per algorithm: the given one (see
// Options.SigningKeys), or a new one.
func newKeyring(algs []string, given []crypto.Signer) (*keyring, error) {
	byAlg, err := givenSigningKeys(algs, given)
	if err != nil {
		return nil, err
	}
	kr := &keyring{active: make(map[string]*signingKey), algs: algs}
	for _, alg := range algs {
		k := byAlg[alg]
		if k == nil {
			if k, err = newSigningKey(alg); err != nil {
				return nil, err
			}
		}
		kr.published = append(kr.published, k)
		kr.active[alg] = k
	}
	return kr, nil
}

// jwks returns the JWK Set JSON of the published public keys.
func (kr *keyring) jwks() ([]byte, error) {
	set := jose.JSONWebKeySet{}
	for _, k := range kr.published {
		set.Keys = append(set.Keys, k.publicJWK())
	}
	return json.Marshal(set)
}

// prune withdraws the inactive keys whose retirement time has come.
func (kr *keyring) prune(now time.Time) {
	kr.published = slices.DeleteFunc(kr.published, func(k *signingKey) bool {
		return !k.retireAt.IsZero() && !now.Before(k.retireAt) && kr.active[k.alg] != k
	})
}

// lookup returns the published key with kid.
func (kr *keyring) lookup(kid string) *signingKey {
	for _, k := range kr.published {
		if k.kid == kid {
			return k
		}
	}
	return nil
}

// defaultSigningAlg is the id_token signature algorithm of a registration
// that names none: what the platform gives a new service, RS256 on
// ProConnect and ES256 on the FranceConnect platforms, or the algorithm
// the server publishes when it publishes only the other one.
func (s *Server) defaultSigningAlg() string {
	want := algES256
	if s.platform == ProConnect {
		want = algRS256
	}
	if !slices.Contains(s.keys.algs, want) { // algs never changes
		return s.keys.algs[0]
	}
	return want
}

// platformAlgs returns the signing algorithms published for p and opts.
func platformAlgs(p Platform, signingAlg string) ([]string, error) {
	algs := p.SigningAlgs()
	switch {
	case signingAlg == "":
		return algs, nil
	case slices.Contains(algs, signingAlg):
		return []string{signingAlg}, nil
	case p == FranceConnectPlus:
		return nil, fmt.Errorf("fctest: FranceConnect+ only signs with ES256, not %q", signingAlg)
	}
	return nil, fmt.Errorf("fctest: unsupported signing algorithm %q", signingAlg)
}

// RotateSigningKey replaces the active key of the primary algorithm (ES256,
// or the only algorithm published) by a new one and returns both key ids.
// The new key is published in the JWKS and signs every token from now on; the
// old key stays published, so tokens it signed still verify, until RemoveKey
// is called, which is how FranceConnect eventually retires keys.
func (s *Server) RotateSigningKey() (oldKID, newKID string) {
	s.mu.Lock()
	alg := s.keys.algs[0]
	s.mu.Unlock()
	oldKID, newKID, _ = s.RotateSigningKeyAlg(alg) // cannot fail: alg is published
	return oldKID, newKID
}

// RotateSigningKeyAlg is RotateSigningKey for the key of one algorithm
// ("ES256" or "RS256"), which must be published by the server.
func (s *Server) RotateSigningKeyAlg(alg string) (oldKID, newKID string, err error) {
	k, err := newSigningKey(alg)
	if err != nil {
		return "", "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.keys.active[alg]
	if !ok {
		return "", "", fmt.Errorf("fctest: algorithm %q is not published by this server", alg)
	}
	s.keys.published = append(s.keys.published, k)
	s.keys.active[alg] = k
	return old.kid, k.kid, nil
}

// RemoveKey withdraws an inactive key from the JWKS: tokens it signed no
// longer verify and id_token_hint values it signed are refused at logout.
// The active key of an algorithm cannot be removed; rotate it first.
func (s *Server) RemoveKey(kid string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := s.keys.lookup(kid)
	if k == nil {
		return fmt.Errorf("fctest: no published key %q", kid)
	}
	if s.keys.active[k.alg] == k {
		return errors.New("fctest: cannot remove the active key " + kid)
	}
	s.keys.published = slices.DeleteFunc(s.keys.published, func(p *signingKey) bool { return p == k })
	return nil
}

// KeyIDs returns the ids of the published signing keys, in JWKS order.
func (s *Server) KeyIDs() []string {
	now := s.clock()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys.prune(now)
	ids := make([]string, 0, len(s.keys.published))
	for _, k := range s.keys.published {
		ids = append(ids, k.kid)
	}
	return ids
}

// activeKey returns the key signing alg tokens.
func (s *Server) activeKey(alg string) (*signingKey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, ok := s.keys.active[alg]
	if !ok {
		return nil, fmt.Errorf("fctest: algorithm %q is not published by this server", alg)
	}
	return k, nil
}

// handleJWKS serves GET /jwks (spec §8.4).
func (s *Server) handleJWKS(w http.ResponseWriter, r *http.Request) {
	if s.applyNetFault(w, r, "jwks", flowOf(r, "", "")) {
		return
	}
	now := s.clock()
	s.mu.Lock()
	s.keys.prune(now)
	body, err := s.keys.jwks()
	s.mu.Unlock()
	if err != nil {
		http.Error(w, "jwks unavailable", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/jwk-set+json; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=600")
	_, _ = w.Write(body)
}
