package fctest

import (
	"maps"
	"slices"
	"time"
)

// ProConnect's acr values since 2026-06 (PROCONNECT.md §3.1), in the order
// acr_values_supported lists them. They are only partially ordered: a
// service provider requests a set and checks membership.
var pcACRs = []string{"eidas0", "eidas0-mfa", "eidas1", "eidas1-mfa", "eidas2", "eidas3",
	"https://proconnect.gouv.fr/assurance/certification-dirigeant"}

// pcScopes is ProConnect's scope → claims table (PROCONNECT.md, scopes and
// claims).
var pcScopes = map[string][]string{
	"openid":               {"sub"},
	"given_name":           {"given_name"},
	"usual_name":           {"usual_name"},
	"email":                {"email"},
	"uid":                  {"uid"},
	"siret":                {"siret"},
	"siren":                {"siren"},
	"organization_label":   {"organization_label"},
	"idp_id":               {"idp_id"},
	"idp_acr":              {"idp_acr"},
	"roles":                {"roles"},
	"phone":                {"phone_number"},
	"belonging_population": {"belonging_population"},
	"organizational_unit":  {"organizational_unit"},
	"custom":               {"custom"},
	"groups":               {"groups"},
	"chorusdt":             {"chorusdt:matricule", "chorusdt:societe"},
	"amr":                  {"amr"},
}

// pcScopeOrder lists ProConnect's scopes in discovery order (no
// offline_access).
var pcScopeOrder = []string{"openid", "given_name", "usual_name", "email", "uid", "siret", "siren",
	"organization_label", "idp_id", "idp_acr", "roles", "phone", "belonging_population",
	"organizational_unit", "custom", "groups", "chorusdt", "amr"}

// pcClaims is ProConnect's claims_supported.
var pcClaims = []string{"sub", "given_name", "usual_name", "email", "uid", "siret", "siren",
	"organization_label", "idp_id", "idp_acr", "roles", "phone_number", "belonging_population",
	"organizational_unit", "custom", "groups", "chorusdt:matricule", "chorusdt:societe", "amr", "acr",
	"auth_time", "iss"}

// ProConnect's lifetimes. The access token's follows the platform's
// observed expires_in of 60 seconds rather than the one hour of its
// documentation; the refresh token's and the code's follow the
// documentation; the session's follows the platform code.
const (
	pcCodeTTL         = 60 * time.Second
	pcRefreshTokenTTL = 2 * time.Hour
	pcSessionTTL      = 12 * time.Hour
)

// algHS256 is the symmetric signature ProConnect clients may register,
// keyed by the client secret (RFC 7518 §3.2).
const algHS256 = "HS256"

// pcSigningAlgs are the signature algorithms of ProConnect's discovery
// document, in its order.
var pcSigningAlgs = []string{algHS256, algES256, algRS256}

// ProConnect's error codes for the pages that have one (PROCONNECT.md,
// errors seen by FS).
const (
	codePCInvalidParam     = "Y000400"
	codePCBadRedirectURI   = "Y030031"
	codePCNoSession        = "Y030110"
	codePCLogoutURIUnknown = "Y030111"
	codeACRNotSatisfied    = "Y020032"
	codePublicAgentsOnly   = "Y500015"
)

// pcPageCodes maps the codes of FranceConnect's error pages to
// ProConnect's equivalents.
var pcPageCodes = map[string]string{
	codeInvalidParam:     codePCInvalidParam,
	codeBadRedirectURI:   codePCBadRedirectURI,
	codeNoSession:        codePCNoSession,
	codeSessionExpired:   codePCNoSession,
	codeLogoutURIUnknown: codePCLogoutURIUnknown,
}

// pageCode returns the code of an error page on the server's platform.
func (s *Server) pageCode(code string) string {
	if pc, ok := pcPageCodes[code]; ok && s.platform == ProConnect {
		return pc
	}
	return code
}

// proConnectDiscovery returns ProConnect's OpenID Provider metadata, with
// this server's URLs, listing what ProConnect accepts from a service
// provider: signatures only (HS256 and the published ES256 and RS256), no
// encryption members, refresh tokens, PKCE S256, public subs,
// client_secret_post only (the platform's document also lists
// private_key_jwt, which a service provider cannot register).
func (s *Server) proConnectDiscovery() map[string]any {
	sig := slices.DeleteFunc(slices.Clone(pcSigningAlgs), func(alg string) bool {
		return alg != algHS256 && !slices.Contains(s.keys.algs, alg)
	})
	d := s.commonMetadata()
	maps.Copy(d, map[string]any{
		"acr_values_supported":                  slices.Clone(pcACRs),
		"scopes_supported":                      slices.Clone(pcScopeOrder),
		"claims_supported":                      slices.Clone(pcClaims),
		"grant_types_supported":                 []string{"authorization_code", "refresh_token"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": sig,
		"userinfo_signing_alg_values_supported": slices.Clone(sig),
		"code_challenge_methods_supported":      []string{"S256"},
	})
	return d
}

// validateProConnectAlgs applies ProConnect's registration rules: id_token
// signed ES256, RS256 or HS256 (zero: RS256, what ProConnect gives new
// services, or ES256 on a server publishing only ES256), userinfo signed
// likewise or plain JSON, and no encryption at all.
func (s *Server) validateProConnectAlgs(rc *registeredClient) error {
	switch {
	case rc.EncryptedResponseAlg != "":
		return errClient(&rc.Registration, "id_token_encrypted_response_alg", "ProConnect does not encrypt responses")
	case len(rc.JWKS) > 0:
		return errClient(&rc.Registration, "jwks", "ProConnect does not encrypt responses: a client has no keys")
	case rc.JWKSURL != "":
		return errClient(&rc.Registration, "jwks_uri", "ProConnect does not encrypt responses: a client has no keys")
	}
	if rc.SignedResponseAlg == "" {
		rc.SignedResponseAlg = s.defaultSigningAlg()
	}
	for _, f := range []struct{ field, alg string }{
		{"id_token_signed_response_alg", rc.SignedResponseAlg},
		{"userinfo_signed_response_alg", rc.UserinfoSignedResponseAlg},
	} {
		switch {
		case f.alg == "" || f.alg == algHS256 || slices.Contains(s.keys.algs, f.alg):
		case slices.Contains(pcSigningAlgs, f.alg):
			return errClient(&rc.Registration, f.field, "algorithm %q is not published by this server (%v)", f.alg, s.keys.algs)
		default:
			return errClient(&rc.Registration, f.field, "unsupported algorithm %q (ES256, RS256 or HS256)", f.alg)
		}
	}
	return nil
}

// userinfoAlg returns the algorithm signing rc's userinfo, "" for plain
// JSON (ProConnect without userinfo_signed_response_alg).
func (s *Server) userinfoAlg(rc *registeredClient) string {
	if s.platform == ProConnect {
		return rc.UserinfoSignedResponseAlg
	}
	return rc.SignedResponseAlg
}
