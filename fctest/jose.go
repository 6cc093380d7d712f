package fctest

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// sealJWT turns claims into the compact token sent to rc: a JWS signed with
// alg, nested in a JWE on FranceConnect+ (spec §5.1) or when the client
// registered an encryption algorithm. f may damage the token (see Fault).
func (s *Server) sealJWT(ctx context.Context, rc *registeredClient, alg string, claims map[string]any, f Fault) (string, error) {
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	jws, err := s.signJWT(rc, alg, payload, f)
	if err != nil {
		return "", err
	}
	if !s.encrypts(rc) && (f == FaultEncrypted || f == FaultUserinfoEncrypted) {
		return s.encryptToStranger(rc, jws)
	}
	if !s.encrypts(rc) || f == FaultUnencrypted || f == FaultUserinfoUnencrypted {
		return jws, nil
	}
	switch f {
	case FaultJWEPayloadNotJWS:
		return s.encryptJWT(ctx, rc, string(payload), f)
	case FaultNestedJWE:
		inner, err := s.encryptJWT(ctx, rc, jws, f)
		if err != nil {
			return "", err
		}
		return s.encryptJWT(ctx, rc, inner, f)
	}
	return s.encryptJWT(ctx, rc, jws, f)
}

var b64 = base64.RawURLEncoding

// signJWT signs payload with the active key of alg, with a JWS header of
// exactly {alg, kid}, or with HS256 keyed by the client secret, with a
// header of exactly {alg}.
func (s *Server) signJWT(rc *registeredClient, alg string, payload []byte, f Fault) (string, error) {
	switch {
	case f == FaultSigningAlgMismatch || f == FaultUserinfoSigningAlgMismatch:
		return s.signOtherAlg(alg, payload)
	case alg == algHS256 && f != FaultAlgHS256 && f != FaultAlgRS256:
		return signHMAC(rc, payload, f)
	case alg == algHS256:
		alg = s.keys.algs[0] // the two faults below fake the kid of a published key
	}
	k, err := s.activeKey(alg)
	if err != nil {
		return "", err
	}
	switch f {
	case FaultAlgNone:
		return b64.EncodeToString([]byte(`{"alg":"none"}`)) + "." + b64.EncodeToString(payload) + ".", nil
	case FaultAlgHS256:
		return signHS256(payload, []byte(rc.Secret), k.kid)
	case FaultMissingKid:
		return k.signWithoutKid(payload)
	case FaultAlgRS256:
		kid := k.kid
		if k, err = newSigningKey(algRS256); err != nil {
			return "", err
		}
		k.kid = kid
	case FaultUnknownSigningKey, FaultUserinfoUnknownSigningKey:
		if k, err = newSigningKey(k.alg); err != nil {
			return "", err
		}
		k.kid = "fctest:unknown:" + randomHex(4)
	}
	jws, err := k.sign(payload)
	if err != nil {
		return "", err
	}
	if f == FaultBadSignature || f == FaultUserinfoBadSignature {
		jws = corruptSignature(jws)
	}
	return jws, nil
}

// signHMAC signs payload with HS256 keyed by the client secret (RFC 7518
// §3.2), as ProConnect does for the clients that register HS256; f may
// damage the token.
func signHMAC(rc *registeredClient, payload []byte, f Fault) (string, error) {
	key := []byte(rc.Secret)
	switch f {
	case FaultAlgNone:
		return b64.EncodeToString([]byte(`{"alg":"none"}`)) + "." + b64.EncodeToString(payload) + ".", nil
	case FaultUnknownSigningKey, FaultUserinfoUnknownSigningKey:
		key = []byte(randomToken())
	}
	jws, err := signHS256(payload, key, "")
	if err == nil && (f == FaultBadSignature || f == FaultUserinfoBadSignature) {
		jws = corruptSignature(jws)
	}
	return jws, err
}

// signOtherAlg signs payload with a published key of another algorithm than
// alg (RS256 for ES256, ES256 otherwise), or with a fresh key under an
// unpublished kid when the server does not publish that algorithm.
func (s *Server) signOtherAlg(alg string, payload []byte) (string, error) {
	other := algES256
	if alg == algES256 {
		other = algRS256
	}
	k, err := s.activeKey(other)
	if err != nil {
		if k, err = newSigningKey(other); err != nil {
			return "", err
		}
		k.kid = "fctest:unpublished:" + randomHex(4)
	}
	return k.sign(payload)
}

// encryptToStranger wraps jws in a JWE (ECDH-ES, A256GCM) to a fresh key,
// for FaultEncrypted: the client cannot decrypt it and must refuse it.
func (s *Server) encryptToStranger(rc *registeredClient, jws string) (string, error) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", err
	}
	return s.encrypt(rc, jose.A256GCM, jose.Recipient{Algorithm: jose.ECDH_ES, Key: &k.PublicKey,
		KeyID: "fctest:stranger:" + randomHex(4)}, jws)
}

// encrypt returns the compact JWE of plaintext for recipient, with headers
// cty "JWT", iss and aud (spec §5.1).
func (s *Server) encrypt(rc *registeredClient, enc jose.ContentEncryption, recipient jose.Recipient, plaintext string) (string, error) {
	opts := (&jose.EncrypterOptions{}).WithContentType("JWT").WithHeader("iss", s.issuer).WithHeader("aud", rc.ID)
	e, err := jose.NewEncrypter(enc, recipient, opts)
	if err != nil {
		return "", err
	}
	obj, err := e.Encrypt([]byte(plaintext))
	if err != nil {
		return "", err
	}
	return obj.CompactSerialize()
}

// signHS256 signs payload with an HMAC key, with kid in the header unless
// it is empty.
func signHS256(payload, key []byte, kid string) (string, error) {
	opts := &jose.SignerOptions{}
	if kid != "" {
		opts = opts.WithHeader("kid", kid)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: key}, opts)
	if err != nil {
		return "", err
	}
	obj, err := signer.Sign(payload)
	if err != nil {
		return "", err
	}
	return obj.CompactSerialize()
}

// corruptSignature flips one bit of a compact JWS signature.
func corruptSignature(jws string) string {
	i := strings.LastIndexByte(jws, '.')
	sig, err := b64.DecodeString(jws[i+1:])
	if err != nil || len(sig) == 0 {
		return jws + "A"
	}
	sig[len(sig)/2] ^= 0x01
	return jws[:i+1] + b64.EncodeToString(sig)
}

// encryptJWT wraps jws in a compact JWE for rc: alg as registered (or chosen
// from the key), enc A256GCM, headers cty "JWT", kid, iss and aud.
func (s *Server) encryptJWT(ctx context.Context, rc *registeredClient, jws string, f Fault) (string, error) {
	set, err := s.clientKeySet(ctx, rc)
	if err != nil {
		return "", err
	}
	key, alg, err := selectEncryptionKey(set, rc.EncryptedResponseAlg)
	if err != nil {
		return "", fmt.Errorf("fctest: %w", err)
	}
	enc, pub := jose.A256GCM, key.Key
	switch f {
	case FaultEncryptionAlgMismatch:
		alg = map[string]string{algRSAOAEP256: algRSAOAEP, algRSAOAEP: algRSAOAEP256, algECDHES: string(jose.ECDH_ES_A256KW)}[alg]
	case FaultEncryptionEncMismatch:
		enc = jose.A128GCM
	case FaultWrongEncryptionKey:
		if pub, err = strangerKey(pub); err != nil {
			return "", err
		}
	case FaultEncryptionDir:
		sum := sha256.Sum256([]byte(rc.Secret))
		alg, pub = string(jose.DIRECT), sum[:]
	case FaultEncryptionRSA15:
		if pub, err = rsaKeyFor(pub); err != nil {
			return "", err
		}
		alg = string(jose.RSA1_5)
	}
	return s.encrypt(rc, enc, jose.Recipient{Algorithm: jose.KeyAlgorithm(alg), Key: pub, KeyID: key.KeyID}, jws)
}

// rsaKeyFor returns pub if it is an RSA key, else a fresh RSA public key.
func rsaKeyFor(pub any) (any, error) {
	if p, ok := pub.(*rsa.PublicKey); ok {
		return p, nil
	}
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	return &k.PublicKey, nil
}

// strangerKey returns a fresh public key of the same type as pub.
func strangerKey(pub any) (any, error) {
	switch p := pub.(type) {
	case *ecdsa.PublicKey:
		k, err := ecdsa.GenerateKey(p.Curve, rand.Reader)
		if err != nil {
			return nil, err
		}
		return &k.PublicKey, nil
	case *rsa.PublicKey:
		k, err := rsa.GenerateKey(rand.Reader, p.N.BitLen())
		if err != nil {
			return nil, err
		}
		return &k.PublicKey, nil
	}
	return nil, errors.New("fctest: unsupported key type")
}

// clientKeySet returns the FS public keys: the registered JWKS, or the
// document at JWKSURL, cached for max(60 s, max-age) like oidc-provider does
// (spec §8.3).
func (s *Server) clientKeySet(ctx context.Context, rc *registeredClient) (*jose.JSONWebKeySet, error) {
	if rc.staticSet != nil {
		return rc.staticSet, nil
	}
	now := s.clock()
	s.mu.Lock()
	cached, fresh := rc.cached, now.Before(rc.cachedTil)
	s.mu.Unlock()
	if cached != nil && fresh {
		return cached, nil
	}
	set, maxAge, err := fetchJWKS(ctx, rc.JWKSURL)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	rc.cached, rc.cachedTil = set, now.Add(max(time.Minute, maxAge))
	s.mu.Unlock()
	return set, nil
}

// jwksFetcher fetches FS key sets; it never uses a proxy.
var jwksFetcher = &http.Client{
	Timeout:   5 * time.Second,
	Transport: &http.Transport{Proxy: nil, MaxIdleConns: 4, IdleConnTimeout: 30 * time.Second},
}

// fetchJWKS downloads a key set and returns its Cache-Control max-age.
func fetchJWKS(ctx context.Context, rawURL string) (*jose.JSONWebKeySet, time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, 0, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := jwksFetcher.Do(req)
	if err != nil {
		return nil, 0, fmt.Errorf("fctest: fetching client JWKS: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, 0, fmt.Errorf("fctest: client JWKS answered HTTP %d", resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, 0, err
	}
	set, err := parseClientJWKS(body)
	if err != nil {
		return nil, 0, fmt.Errorf("fctest: client JWKS: %w", err)
	}
	return set, maxAge(resp.Header.Get("Cache-Control")), nil
}

// maxAge extracts the max-age directive of a Cache-Control header.
func maxAge(cacheControl string) time.Duration {
	for d := range strings.SplitSeq(cacheControl, ",") {
		v, ok := strings.CutPrefix(strings.TrimSpace(strings.ToLower(d)), "max-age=")
		if n, err := strconv.Atoi(v); ok && err == nil && n > 0 {
			return time.Duration(n) * time.Second
		}
	}
	return 0
}
