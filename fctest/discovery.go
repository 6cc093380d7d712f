package fctest

import (
	"encoding/json"
	"maps"
	"net"
	"net/http"
	"slices"
)

// discovery returns the OpenID Provider metadata of the platform, with this
// server's URLs, listing exactly what the emulated platform accepts from a
// service provider. The real documents (spec §2.1, FC v2 differences §2.2)
// also advertise what oidc-provider supports and the platform refuses
// before it (PKCE, response modes other than query, request objects,
// private_key_jwt, DPoP, HS256 on FranceConnect): a relying party that
// reads them must not use those, and the emulator does not advertise them.
func (s *Server) discovery() map[string]any {
	if s.platform == ProConnect {
		return s.proConnectDiscovery()
	}
	d := s.commonMetadata()
	maps.Copy(d, map[string]any{
		"acr_values_supported":    supportedACRs(s.platform),
		"scopes_supported":        knownScopes(s.platform),
		"claims_supported":        knownClaims(s.platform),
		"grant_types_supported":   []string{"authorization_code"},
		"subject_types_supported": []string{"pairwise"},
	})
	sig := slices.Clone(s.keys.algs) // FranceConnect+: ES256; FranceConnect: the published ES256 and RS256
	d["id_token_signing_alg_values_supported"] = sig
	d["userinfo_signing_alg_values_supported"] = sig
	if s.platform == FranceConnect {
		return d // encryption only for clients that register it, as the platform's partner portal does not offer it
	}
	encAlgs := []string{algECDHES, algRSAOAEP, algRSAOAEP256}
	d["id_token_encryption_alg_values_supported"] = encAlgs
	d["id_token_encryption_enc_values_supported"] = []string{"A256GCM"}
	d["userinfo_encryption_alg_values_supported"] = encAlgs
	d["userinfo_encryption_enc_values_supported"] = []string{"A256GCM"}
	return d
}

// commonMetadata returns the endpoints and the members the three
// platforms share: the code flow with the answer in the query, the claims
// parameter, client_secret_post, iss in the authorization response, and no
// request objects.
func (s *Server) commonMetadata() map[string]any {
	d := s.endpointsMetadata()
	maps.Copy(d, map[string]any{
		"claims_parameter_supported":                     true,
		"claim_types_supported":                          []string{"normal"},
		"response_types_supported":                       []string{"code"},
		"response_modes_supported":                       []string{"query"},
		"token_endpoint_auth_methods_supported":          []string{"client_secret_post"},
		"request_parameter_supported":                    false,
		"request_uri_parameter_supported":                false,
		"authorization_response_iss_parameter_supported": true,
	})
	return d
}

// endpointsMetadata returns the issuer and the endpoints of the discovery
// document.
func (s *Server) endpointsMetadata() map[string]any {
	return map[string]any{
		"issuer":                 s.issuer,
		"authorization_endpoint": s.issuer + "/authorize",
		"token_endpoint":         s.issuer + "/token",
		"userinfo_endpoint":      s.issuer + "/userinfo",
		"end_session_endpoint":   s.issuer + "/session/end",
		"jwks_uri":               s.issuer + "/jwks",
		"revocation_endpoint":    s.issuer + "/token/revocation",
	}
}

// handleDiscovery serves GET /.well-known/openid-configuration.
func (s *Server) handleDiscovery(w http.ResponseWriter, r *http.Request) {
	fl := flowOf(r, "", "")
	if s.applyNetFault(w, r, "discovery", fl) {
		return
	}
	d := s.discovery()
	if err := s.applyDiscoveryFault(d, s.takeFault(pointDiscovery, fl)); err != nil {
		http.Error(w, "discovery unavailable", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=600")
	_ = json.NewEncoder(w).Encode(d)
}

// applyDiscoveryFault alters the document d as f dictates.
func (s *Server) applyDiscoveryFault(d map[string]any, f Fault) error {
	switch f {
	case FaultDiscoveryWrongIssuer:
		d["issuer"] = wrongIssuer
	case FaultDiscoveryJWKSUnreachable:
		addr, err := closedLoopbackAddr()
		if err != nil {
			return err
		}
		d["jwks_uri"] = "http://" + addr + apiPrefix + "/jwks"
	case FaultDiscoveryUnsupportedAlgs:
		sig := []string{"HS256"}
		if s.platform == ProConnect { // which signs with HS256
			sig = []string{"HS512", "PS256"}
		}
		for _, k := range []string{"id_token_signing_alg_values_supported", "userinfo_signing_alg_values_supported"} {
			d[k] = sig
		}
		for _, k := range []string{"id_token_encryption_alg_values_supported", "userinfo_encryption_alg_values_supported"} {
			d[k] = []string{"RSA1_5"}
		}
		for _, k := range []string{"id_token_encryption_enc_values_supported", "userinfo_encryption_enc_values_supported"} {
			d[k] = []string{"A128CBC-HS256"}
		}
	}
	return nil
}

// closedLoopbackAddr returns a loopback address where nothing listens: the
// address of a listener that was just closed.
func closedLoopbackAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	addr := ln.Addr().String()
	return addr, ln.Close()
}
