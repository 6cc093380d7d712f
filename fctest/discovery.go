package fctest

import (
	"encoding/json"
	"maps"
	"net"
	"net/http"
)

// discovery returns the OpenID Provider metadata of the platform (spec §2.1,
// FC v2 differences §2.2), with this server's URLs.
func (s *Server) discovery() map[string]any {
	if s.platform == ProConnect {
		return s.proConnectDiscovery()
	}
	encAlgs := []string{algECDHES, algRSAOAEP, algRSAOAEP256}
	d := s.endpointsMetadata()
	maps.Copy(d, map[string]any{
		"acr_values_supported":                           supportedACRs(s.platform),
		"scopes_supported":                               knownScopes(s.platform),
		"claims_supported":                               knownClaims(s.platform),
		"claims_parameter_supported":                     true,
		"claim_types_supported":                          []string{"normal"},
		"response_types_supported":                       []string{"code"},
		"response_modes_supported":                       []string{"form_post", "fragment", "query"},
		"grant_types_supported":                          []string{"authorization_code"},
		"subject_types_supported":                        []string{"pairwise"},
		"token_endpoint_auth_methods_supported":          []string{"client_secret_post", "private_key_jwt"},
		"request_parameter_supported":                    true,
		"request_uri_parameter_supported":                false,
		"code_challenge_methods_supported":               []string{"S256"},
		"authorization_response_iss_parameter_supported": true,
	})
	if s.platform == FranceConnect {
		sig := []string{algES256, algRS256, "HS256"}
		d["token_endpoint_auth_signing_alg_values_supported"] = []string{algES256, algRS256}
		d["id_token_signing_alg_values_supported"] = sig
		d["userinfo_signing_alg_values_supported"] = sig
		d["request_object_signing_alg_values_supported"] = []string{algES256, algRS256}
		d["dpop_signing_alg_values_supported"] = []string{algES256, algRS256}
		return d
	}
	es := []string{algES256}
	d["token_endpoint_auth_signing_alg_values_supported"] = es
	d["id_token_signing_alg_values_supported"] = es
	d["id_token_encryption_alg_values_supported"] = encAlgs
	d["id_token_encryption_enc_values_supported"] = []string{"A256GCM"}
	d["userinfo_signing_alg_values_supported"] = es
	d["userinfo_encryption_alg_values_supported"] = encAlgs
	d["userinfo_encryption_enc_values_supported"] = []string{"A256GCM"}
	d["request_object_signing_alg_values_supported"] = es
	d["request_object_encryption_alg_values_supported"] = []string{algECDHES, algRSAOAEP}
	d["request_object_encryption_enc_values_supported"] = []string{"A256GCM"}
	d["dpop_signing_alg_values_supported"] = es
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
