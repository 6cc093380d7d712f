package fctest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// fileClient is a client as ParseRegistrations reads it: the member names of
// FranceConnect's registration data.
type fileClient struct {
	ID                     string          `json:"client_id"`
	Secret                 string          `json:"client_secret"`
	Name                   string          `json:"name"`
	EntityID               string          `json:"entity_id"`
	RedirectURIs           []string        `json:"redirect_uris"`
	PostLogoutRedirectURIs []string        `json:"post_logout_redirect_uris"`
	Scopes                 []string        `json:"scopes"`
	Claims                 []string        `json:"claims"`
	AllowedIDPHints        []string        `json:"allowed_idp_hints"`
	SignedAlg              string          `json:"id_token_signed_response_alg"`
	EncryptedAlg           string          `json:"id_token_encrypted_response_alg"`
	EncryptedEnc           string          `json:"id_token_encrypted_response_enc"`
	UserinfoSignedAlg      string          `json:"userinfo_signed_response_alg"`
	UserinfoEncryptedAlg   string          `json:"userinfo_encrypted_response_alg"`
	UserinfoEncryptedEnc   string          `json:"userinfo_encrypted_response_enc"`
	JWKS                   json.RawMessage `json:"jwks"`
	JWKSURI                string          `json:"jwks_uri"`
	Faults                 json.RawMessage `json:"faults"`
}

// ParseRegistrations reads service providers from a JSON array of objects
// whose members are those of FranceConnect's registration data (see
// Registration):
//
//	[{"client_id": "my-fs", "client_secret": "…at least 32 characters…",
//	  "redirect_uris": ["http://127.0.0.1:3000/callback"],
//	  "post_logout_redirect_uris": ["http://127.0.0.1:3000/logged-out"],
//	  "id_token_signed_response_alg": "ES256",
//	  "id_token_encrypted_response_alg": "ECDH-ES",
//	  "id_token_encrypted_response_enc": "A256GCM",
//	  "jwks_uri": "http://127.0.0.1:3000/client/keys"}]
//
// faults lists the faults injected at registration, aimed at the client:
// names ("FaultWrongNonce") or objects ({"fault": "FaultTokenLatency",
// "login": "camille", "count": 3, "delay": "1s"}), see Injection.
// The other members are name, entity_id, scopes (the granted scopes),
// claims (["amr"] allows the amr claim), allowed_idp_hints, jwks (the public
// JWK Set inline, instead of jwks_uri) and userinfo_signed_response_alg,
// userinfo_encrypted_response_alg and userinfo_encrypted_response_enc, which
// must equal their id_token counterparts when given on the FranceConnect
// platforms (they use the same algorithms for both). Content encryption can
// only be A256GCM. A ProConnect client has no encryption members and no
// keys; its id_token_signed_response_alg may be HS256, and its
// userinfo_signed_response_alg, when absent, makes the userinfo plain JSON:
//
//	[{"client_id": "my-fs", "client_secret": "…at least 32 characters…",
//	  "redirect_uris": ["http://127.0.0.1:3000/callback"],
//	  "post_logout_redirect_uris": ["http://127.0.0.1:3000/logged-out"],
//	  "id_token_signed_response_alg": "RS256",
//	  "userinfo_signed_response_alg": "RS256"}]
//
// ParseRegistrations checks the shape of the file: unknown members, types,
// client_id present and unique; Register checks the rest against the
// server's platform. Both name the client and the member at fault.
func ParseRegistrations(data []byte) ([]Registration, error) {
	entries, err := decodeArray(data, "clients")
	if err != nil {
		return nil, err
	}
	out := make([]Registration, 0, len(entries))
	for i, raw := range entries {
		if isDataProvider(raw) {
			continue // ParseDataProviders reads them
		}
		label := entryLabel("client", i, raw, "client_id")
		var fc fileClient
		if member, err := decodeStrict(raw, &fc); err != nil {
			return nil, &entryError{entry: label, field: member, msg: err.Error()}
		}
		if field, msg := fc.check(); field != "" {
			return nil, &entryError{entry: label, field: field, msg: msg}
		}
		if slices.ContainsFunc(out, func(c Registration) bool { return c.ID == fc.ID }) {
			return nil, &entryError{entry: label, field: "client_id", msg: "appears twice"}
		}
		c := fc.client()
		if len(fc.Faults) > 0 && !bytes.Equal(bytes.TrimSpace(fc.Faults), []byte("null")) {
			if err := json.Unmarshal(fc.Faults, &c.Faults); err != nil {
				return nil, &entryError{entry: label, field: "faults", msg: strings.TrimPrefix(err.Error(), "fctest: ")}
			}
		}
		out = append(out, c)
	}
	return out, nil
}

// check returns the first member of fc that ParseRegistrations refuses and why,
// or "".
func (fc *fileClient) check() (field, msg string) {
	jwks := bytes.TrimSpace(fc.JWKS)
	switch {
	case fc.ID == "":
		return "client_id", "is required"
	case slices.ContainsFunc(fc.Claims, func(c string) bool { return c != "amr" }):
		return "claims", `only "amr" can be allowed`
	case fc.EncryptedEnc != "" && fc.EncryptedEnc != "A256GCM":
		return "id_token_encrypted_response_enc", fmt.Sprintf("%q is not A256GCM", fc.EncryptedEnc)
	case fc.UserinfoEncryptedEnc != "" && fc.UserinfoEncryptedEnc != "A256GCM":
		return "userinfo_encrypted_response_enc", fmt.Sprintf("%q is not A256GCM", fc.UserinfoEncryptedEnc)
	case fc.UserinfoEncryptedAlg != "" && fc.UserinfoEncryptedAlg != fc.EncryptedAlg:
		return "userinfo_encrypted_response_alg", "must equal id_token_encrypted_response_alg"
	case len(jwks) > 0 && !bytes.Equal(jwks, []byte("null")) && jwks[0] != '{':
		return "jwks", `want a JWK Set object {"keys": [...]}`
	}
	return "", ""
}

// client converts fc, checked, to a Registration.
func (fc *fileClient) client() Registration {
	c := Registration{
		ID: fc.ID, Secret: Secret(fc.Secret), Name: fc.Name, EntityID: fc.EntityID,
		RedirectURIs: fc.RedirectURIs, PostLogoutRedirectURIs: fc.PostLogoutRedirectURIs,
		Scopes: fc.Scopes, AllowAMR: len(fc.Claims) > 0, AllowedIDPHints: fc.AllowedIDPHints,
		SignedResponseAlg: fc.SignedAlg, UserinfoSignedResponseAlg: fc.UserinfoSignedAlg,
		EncryptedResponseAlg: fc.EncryptedAlg, JWKSURL: fc.JWKSURI,
	}
	if jwks := bytes.TrimSpace(fc.JWKS); len(jwks) > 0 && !bytes.Equal(jwks, []byte("null")) {
		c.JWKS = jwks
	}
	return c
}
