package fctest

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// Key management algorithms for the FS encryption keys (spec §5.1).
const (
	algECDHES     = "ECDH-ES"
	algRSAOAEP256 = "RSA-OAEP-256"
	algRSAOAEP    = "RSA-OAEP"
)

// Registration is a service provider ("FS") registered with the emulator, the
// equivalent of the FranceConnect registration form (spec §13). Each field
// names, in parentheses, its member in FranceConnect's registration data:
// Register's errors and ParseRegistrations use these names.
type Registration struct {
	// ID is the client_id (client_id). Required.
	ID string
	// Secret is the client_secret (client_secret), at least 32 characters.
	// It redacts itself when printed, marshalled or logged; the client
	// library takes it as franceconnect.Secret(reg.Secret).
	Secret Secret
	// Name is shown on the identity-choice page (name); zero: ID.
	Name string
	// EntityID feeds the sub computation (entity_id, spec §8.1); zero: ID.
	// Give two clients the same EntityID to get the same subs.
	EntityID string
	// RedirectURIs are the registered callback URLs (redirect_uris): at
	// least one, absolute http or https, no '#' fragment. Matching is exact.
	RedirectURIs []string
	// PostLogoutRedirectURIs are the registered post-logout URLs
	// (post_logout_redirect_uris), with the same rules.
	PostLogoutRedirectURIs []string
	// Scopes are the scopes granted by the "Datapass" (scopes); nil means
	// every scope the platform knows. Requesting another scope yields
	// invalid_scope.
	Scopes []string
	// AllowAMR authorises the FS to request the amr claim through the claims
	// parameter (claims: ["amr"]); requesting it when false yields the
	// Y100009 error page. ProConnect ignores it: amr is open to every FS.
	AllowAMR bool
	// AllowedIDPHints are idp_hint values accepted at authorize for this FS
	// (allowed_idp_hints), besides Options.AllowedIDPHints. Zero: none.
	// ProConnect ignores it: it accepts any idp_hint.
	AllowedIDPHints []string
	// SignedResponseAlg is the id_token signature algorithm
	// (id_token_signed_response_alg): "ES256" (the only one on
	// FranceConnect+), "RS256" (FranceConnect and ProConnect) or "HS256"
	// keyed by Secret (ProConnect only, which marks it "not recommended").
	// On the FranceConnect platforms it signs the userinfo too. Zero: what
	// the platform gives a new registration, ES256 on the FranceConnect
	// platforms and RS256 on ProConnect, or the algorithm the server
	// publishes when it publishes only one (Options.SigningAlg).
	SignedResponseAlg string
	// UserinfoSignedResponseAlg is the userinfo signature algorithm
	// (userinfo_signed_response_alg). On ProConnect, "ES256", "RS256" or
	// "HS256" makes the userinfo an application/jwt signed with it, and zero
	// makes it plain application/json. On the FranceConnect platforms it
	// must be zero or equal SignedResponseAlg, which signs both.
	UserinfoSignedResponseAlg string
	// EncryptedResponseAlg is the key management algorithm of the id_token
	// and userinfo JWE (id_token_encrypted_response_alg): "ECDH-ES",
	// "RSA-OAEP-256" or "RSA-OAEP". On FranceConnect+ zero means chosen from
	// the encryption key (its "alg" member if set, else ECDH-ES for EC keys
	// and RSA-OAEP-256 for RSA keys). On FranceConnect zero means signed-only
	// responses. Content encryption is always A256GCM.
	EncryptedResponseAlg string
	// JWKS is the FS public encryption keys as a JWK Set JSON document
	// (jwks).
	JWKS []byte
	// JWKSURL is where the emulator fetches the FS public keys instead
	// (jwks_uri), like FranceConnect+ does with the "Client keys URL"; the
	// set is cached for max(60 s, Cache-Control max-age) of the server clock.
	// Exactly one of JWKS and JWKSURL is required on FranceConnect+, and on
	// FranceConnect when EncryptedResponseAlg is set. ProConnect does not
	// encrypt: it refuses EncryptedResponseAlg, JWKS and JWKSURL.
	JWKSURL string
	// Faults are injected when the client is registered, each aimed at it
	// (a ClientID must be zero or ID): a clients file can prepare the
	// faults of a test run (see ParseRegistrations). Register refuses the
	// whole registration when Inject would refuse one. Zero: none.
	Faults []Injection
}

// registeredClient is a validated copy of a Registration. Its cache fields are
// guarded by Server.mu.
type registeredClient struct {
	Registration
	granted   map[string]bool // nil: all known scopes
	staticSet *jose.JSONWebKeySet
	cached    *jose.JSONWebKeySet // JWKSURL cache
	cachedTil time.Time
}

// errClient returns an error about the registration field of client c.
func errClient(c *Registration, field, format string, args ...any) error {
	return &entryError{entry: fmt.Sprintf("client %q", c.ID), field: field, msg: fmt.Sprintf(format, args...)}
}

// Register validates c like FranceConnect's registration would and
// registers a copy of it. Registering an existing ID replaces that client.
// Errors name the client and the registration field at fault.
func (s *Server) Register(c Registration) error {
	rc, err := s.validateClient(c)
	if err != nil {
		return err
	}
	faults := slices.Clone(c.Faults)
	for i := range faults {
		if faults[i].ClientID != "" && faults[i].ClientID != c.ID {
			return errClient(&c, "faults", "%v is aimed at client %q", faults[i].Fault, faults[i].ClientID)
		}
		faults[i].ClientID = c.ID
	}
	s.mu.Lock()
	previous := s.clients[rc.ID]
	s.clients[rc.ID] = rc
	s.mu.Unlock()
	if err := s.Inject(faults...); err != nil {
		s.mu.Lock()
		if previous != nil {
			s.clients[rc.ID] = previous
		} else {
			delete(s.clients, rc.ID)
		}
		s.mu.Unlock()
		return errClient(&c, "faults", "%s", strings.TrimPrefix(err.Error(), "fctest: "))
	}
	return nil
}

func (s *Server) validateClient(c Registration) (*registeredClient, error) {
	c.RedirectURIs = slices.Clone(c.RedirectURIs)
	c.PostLogoutRedirectURIs = slices.Clone(c.PostLogoutRedirectURIs)
	c.Scopes = slices.Clone(c.Scopes)
	c.AllowedIDPHints = slices.Clone(c.AllowedIDPHints)
	c.JWKS = slices.Clone(c.JWKS)
	switch {
	case c.ID == "":
		return nil, errors.New("fctest: a client needs a client_id")
	case len(c.Secret) < 32:
		return nil, errClient(&c, "client_secret", "must be at least 32 characters")
	case len(c.RedirectURIs) == 0:
		return nil, errClient(&c, "redirect_uris", "at least one redirect URI is required")
	}
	if err := checkRegisteredURIs(&c, "redirect_uris", c.RedirectURIs); err != nil {
		return nil, err
	}
	if err := checkRegisteredURIs(&c, "post_logout_redirect_uris", c.PostLogoutRedirectURIs); err != nil {
		return nil, err
	}
	rc := &registeredClient{Registration: c}
	if err := s.validateScopes(rc); err != nil {
		return nil, err
	}
	if err := s.validateAlgs(rc); err != nil {
		return nil, err
	}
	return rc, s.validateKeys(rc)
}

// checkRegisteredURIs applies the redirect URI rules of the form (seed 001)
// to the URIs of field.
func checkRegisteredURIs(c *Registration, field string, uris []string) error {
	for _, raw := range uris {
		u, err := url.Parse(raw)
		switch {
		case err != nil:
			return errClient(c, field, "invalid URI %q", raw)
		case strings.Contains(raw, "#"):
			return errClient(c, field, "URI %q must not contain a fragment", raw)
		case u.Scheme != "http" && u.Scheme != "https", u.Host == "":
			return errClient(c, field, "URI %q must be an absolute http(s) URL", raw)
		}
	}
	return nil
}

func (s *Server) validateScopes(rc *registeredClient) error {
	if rc.Scopes == nil {
		return nil
	}
	known := knownScopes(s.platform)
	rc.granted = make(map[string]bool, len(rc.Scopes))
	for _, sc := range rc.Scopes {
		if !slices.Contains(known, sc) {
			return errClient(&rc.Registration, "scopes", "scope %q is unknown on %s", sc, s.platform)
		}
		rc.granted[sc] = true
	}
	if !rc.granted["openid"] {
		return errClient(&rc.Registration, "scopes", `granted scopes must include "openid"`)
	}
	return nil
}

func (s *Server) validateAlgs(rc *registeredClient) error {
	const sigField, encField = "id_token_signed_response_alg", "id_token_encrypted_response_alg"
	if s.platform == ProConnect {
		return s.validateProConnectAlgs(rc)
	}
	if rc.SignedResponseAlg == "" {
		rc.SignedResponseAlg = s.defaultSigningAlg()
	}
	if rc.UserinfoSignedResponseAlg != "" && rc.UserinfoSignedResponseAlg != rc.SignedResponseAlg {
		return errClient(&rc.Registration, "userinfo_signed_response_alg",
			"must equal id_token_signed_response_alg (%s signs both with one algorithm)", s.platform)
	}
	if s.platform == FranceConnectPlus && rc.SignedResponseAlg != algES256 {
		return errClient(&rc.Registration, sigField, "FranceConnect+ only signs with ES256, not %q", rc.SignedResponseAlg)
	}
	if !slices.Contains(s.keys.algs, rc.SignedResponseAlg) {
		return errClient(&rc.Registration, sigField, "algorithm %q is not published by this server (%v)",
			rc.SignedResponseAlg, s.keys.algs)
	}
	switch rc.EncryptedResponseAlg {
	case "", algECDHES, algRSAOAEP256, algRSAOAEP:
		return nil
	}
	return errClient(&rc.Registration, encField, "unsupported algorithm %q (ECDH-ES, RSA-OAEP-256 or RSA-OAEP)",
		rc.EncryptedResponseAlg)
}

// encrypts reports whether responses to rc are JWE.
func (s *Server) encrypts(rc *registeredClient) bool {
	return s.platform == FranceConnectPlus || rc.EncryptedResponseAlg != ""
}

func (s *Server) validateKeys(rc *registeredClient) error {
	if !s.encrypts(rc) {
		return nil
	}
	switch {
	case len(rc.JWKS) > 0 && rc.JWKSURL != "":
		return errClient(&rc.Registration, "jwks", "give only one of jwks and jwks_uri")
	case len(rc.JWKS) == 0 && rc.JWKSURL == "":
		return errClient(&rc.Registration, "jwks_uri", "encrypted responses need the FS public keys (jwks or jwks_uri)")
	case rc.JWKSURL != "":
		u, err := url.Parse(rc.JWKSURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return errClient(&rc.Registration, "jwks_uri", "invalid URL %q", rc.JWKSURL)
		}
		return nil
	}
	set, err := parseClientJWKS(rc.JWKS)
	if err != nil {
		return errClient(&rc.Registration, "jwks", "%v", err)
	}
	if _, _, err := selectEncryptionKey(set, rc.EncryptedResponseAlg); err != nil {
		return errClient(&rc.Registration, "jwks", "%v", err)
	}
	rc.staticSet = set
	return nil
}

// parseClientJWKS parses an FS key set, refusing private key material.
func parseClientJWKS(data []byte) (*jose.JSONWebKeySet, error) {
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(data, &set); err != nil {
		return nil, fmt.Errorf("invalid JWK Set: %w", err)
	}
	for _, k := range set.Keys {
		if !k.IsPublic() {
			return nil, fmt.Errorf("key %q must be public", k.KeyID)
		}
	}
	return &set, nil
}

// selectEncryptionKey picks the FS key for alg like oidc-provider does
// (spec §8.3): matching kty, alg if present must match, use if present must
// be "enc"; keys with both alg and use are preferred. A zero alg is chosen
// from the first usable key. It returns the key and the effective alg.
func selectEncryptionKey(set *jose.JSONWebKeySet, alg string) (jose.JSONWebKey, string, error) {
	var best *jose.JSONWebKey
	bestAlg := ""
	for i := range set.Keys {
		k := &set.Keys[i]
		kAlg := keyAlg(k, alg)
		if kAlg == "" || (k.Use != "" && k.Use != "enc") {
			continue
		}
		if best == nil || (k.Algorithm != "" && k.Use != "" && (best.Algorithm == "" || best.Use == "")) {
			best, bestAlg = k, kAlg
		}
	}
	if best == nil {
		return jose.JSONWebKey{}, "", fmt.Errorf("no usable encryption key for %q in the client JWKS", alg)
	}
	return *best, bestAlg, nil
}

// keyAlg returns the algorithm k can be used with when alg is wanted (zero
// alg: any), or "" if unusable.
func keyAlg(k *jose.JSONWebKey, alg string) string {
	kty := ""
	switch k.Key.(type) {
	case *ecdsa.PublicKey:
		kty = "EC"
	case *rsa.PublicKey:
		kty = "RSA"
	}
	fits := func(a string) bool {
		return (a == algECDHES && kty == "EC") || ((a == algRSAOAEP256 || a == algRSAOAEP) && kty == "RSA")
	}
	switch {
	case kty == "":
		return ""
	case alg != "":
		if !fits(alg) || (k.Algorithm != "" && k.Algorithm != alg) {
			return ""
		}
		return alg
	case k.Algorithm != "":
		if !fits(k.Algorithm) {
			return ""
		}
		return k.Algorithm
	case kty == "EC":
		return algECDHES
	}
	return algRSAOAEP256
}
