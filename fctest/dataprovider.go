package fctest

import (
	"errors"
	"fmt"
	"net/url"
	"slices"

	jose "github.com/go-jose/go-jose/v4"
)

// DataProvider is a data provider ("fournisseur de données"; on ProConnect
// a "serveur de ressources") registered with the emulator next to the
// service providers: an API that asks the platform about the access tokens
// service providers send it (DATA-PROVIDERS.md). On FranceConnect and
// FranceConnect+ it calls POST /api/v2/checktoken and gets a JWE wrapping a
// JWS; on ProConnect it calls POST /api/v2/token/introspection (RFC 7662)
// and gets JSON, or a signed JWT (RFC 9701) when it registered a signing
// algorithm and asks for one. Each field names, in parentheses, its member
// in the platform's registration data (ParseDataProviders reads them).
type DataProvider struct {
	// ID is the data provider's client_id (client_id). Required, and not
	// the ID of a registered service provider.
	ID string
	// Secret is its client_secret (client_secret), at least 32 characters.
	Secret Secret
	// Scopes are the scopes it may see (scopes): the platform tells it the
	// scopes of a token filtered down to these. At least one, each known to
	// the platform.
	Scopes []string
	// SignedResponseAlg signs the answer (checktoken_signed_response_alg on
	// FranceConnect, introspection_signed_response_alg on ProConnect):
	// "ES256" or "RS256" (published by the server), or on ProConnect
	// "HS256" keyed by Secret. Zero: ES256 (RS256 on a server publishing
	// only RS256) on FranceConnect and FranceConnect+; plain JSON on
	// ProConnect.
	SignedResponseAlg string
	// EncryptedResponseAlg is the key management algorithm of the
	// checktoken JWE (checktoken_encrypted_response_alg): "ECDH-ES",
	// "RSA-OAEP-256" or "RSA-OAEP", with A256GCM. Zero: chosen from the key,
	// as for a Registration. ProConnect does not encrypt and refuses it.
	EncryptedResponseAlg string
	// JWKS is the data provider's public encryption keys, a JWK Set (jwks).
	JWKS []byte
	// JWKSURL is where the platform fetches them instead, on each call
	// (jwks_uri). On FranceConnect and FranceConnect+ exactly one of JWKS
	// and JWKSURL is required; ProConnect refuses both.
	JWKSURL string
}

// registeredDP is a validated copy of a DataProvider; rc carries what the
// signing and encryption code of the service providers needs.
type registeredDP struct {
	DataProvider
	rc *registeredClient
}

// RegisterDataProvider validates dp like the platform's registration and
// registers a copy; registering an existing ID replaces it. Errors name the
// data provider and the registration member at fault.
func (s *Server) RegisterDataProvider(dp DataProvider) error {
	dp.Scopes = slices.Clone(dp.Scopes)
	dp.JWKS = slices.Clone(dp.JWKS)
	rc := &registeredClient{Registration: Registration{ID: dp.ID, Secret: dp.Secret, SignedResponseAlg: dp.SignedResponseAlg,
		EncryptedResponseAlg: dp.EncryptedResponseAlg, JWKS: dp.JWKS, JWKSURL: dp.JWKSURL}}
	if err := s.validateDataProvider(&dp, rc); err != nil {
		return err
	}
	rc.staticSet = nil // the platform fetches the keys on each call; a static set stays parsed below
	if len(dp.JWKS) > 0 {
		set, _ := parseClientJWKS(dp.JWKS) // validated
		rc.staticSet = set
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.clients[dp.ID]; ok {
		return errDP(&dp, "client_id", "is a registered service provider's")
	}
	if s.dps == nil {
		s.dps = make(map[string]*registeredDP)
	}
	s.dps[dp.ID] = &registeredDP{DataProvider: dp, rc: rc}
	return nil
}

func errDP(dp *DataProvider, field, format string, args ...any) error {
	return &entryError{entry: fmt.Sprintf("data provider %q", dp.ID), field: field, msg: fmt.Sprintf(format, args...)}
}

func (s *Server) validateDataProvider(dp *DataProvider, rc *registeredClient) error {
	known := knownScopes(s.platform)
	switch {
	case dp.ID == "":
		return errors.New("fctest: a data provider needs a client_id")
	case len(dp.Secret) < 32:
		return errDP(dp, "client_secret", "must be at least 32 characters")
	case len(dp.Scopes) == 0:
		return errDP(dp, "scopes", "at least one scope the data provider may see")
	}
	for _, sc := range dp.Scopes {
		if !slices.Contains(known, sc) && s.platform != ProConnect { // resource servers define their own
			return errDP(dp, "scopes", "scope %q is unknown on %s", sc, s.platform)
		}
	}
	if s.platform == ProConnect {
		return s.validatePCDataProvider(dp)
	}
	sigField := "checktoken_signed_response_alg"
	if dp.SignedResponseAlg == "" {
		dp.SignedResponseAlg = s.keys.algs[0]
		rc.SignedResponseAlg = dp.SignedResponseAlg
	}
	if !slices.Contains(s.keys.algs, dp.SignedResponseAlg) {
		return errDP(dp, sigField, "algorithm %q is not published by this server (%v)", dp.SignedResponseAlg, s.keys.algs)
	}
	switch dp.EncryptedResponseAlg {
	case "", algECDHES, algRSAOAEP256, algRSAOAEP:
	default:
		return errDP(dp, "checktoken_encrypted_response_alg", "unsupported algorithm %q (ECDH-ES, RSA-OAEP-256 or RSA-OAEP)", dp.EncryptedResponseAlg)
	}
	return validateDPKeys(dp)
}

func validateDPKeys(dp *DataProvider) error {
	switch {
	case len(dp.JWKS) > 0 && dp.JWKSURL != "":
		return errDP(dp, "jwks", "give only one of jwks and jwks_uri")
	case len(dp.JWKS) == 0 && dp.JWKSURL == "":
		return errDP(dp, "jwks_uri", "the checktoken answer is encrypted to the data provider's public keys (jwks or jwks_uri)")
	case dp.JWKSURL != "":
		u, err := url.Parse(dp.JWKSURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return errDP(dp, "jwks_uri", "invalid URL %q", dp.JWKSURL)
		}
		return nil
	}
	set, err := parseClientJWKS(dp.JWKS)
	if err == nil {
		_, _, err = selectEncryptionKey(set, dp.EncryptedResponseAlg)
	}
	if err != nil {
		return errDP(dp, "jwks", "%v", err)
	}
	return nil
}

func (s *Server) validatePCDataProvider(dp *DataProvider) error {
	const field = "introspection_signed_response_alg"
	switch {
	case dp.EncryptedResponseAlg != "" || len(dp.JWKS) > 0 || dp.JWKSURL != "":
		return errDP(dp, "jwks", "ProConnect does not encrypt introspection answers: a resource server has no keys")
	case dp.SignedResponseAlg == "" || dp.SignedResponseAlg == algHS256 || slices.Contains(s.keys.algs, dp.SignedResponseAlg):
		return nil
	case slices.Contains(pcSigningAlgs, dp.SignedResponseAlg):
		return errDP(dp, field, "algorithm %q is not published by this server (%v)", dp.SignedResponseAlg, s.keys.algs)
	}
	return errDP(dp, field, "unsupported algorithm %q (ES256, RS256 or HS256)", dp.SignedResponseAlg)
}

// dataProvider returns the registered data provider id.
func (s *Server) dataProvider(id string) *registeredDP {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dps[id]
}

// dpKeySet returns the data provider's public keys: the registered set, or
// the set at its jwks_uri, fetched on each call as the platform does.
func (s *Server) dpKeySet(r *registeredDP, fetch func(string) (*jose.JSONWebKeySet, error)) (*jose.JSONWebKeySet, error) {
	if r.rc.staticSet != nil {
		return r.rc.staticSet, nil
	}
	return fetch(r.JWKSURL)
}
