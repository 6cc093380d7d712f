package fctest

import (
	"bytes"
	"encoding/json"
	"slices"
)

// fileDataProvider is a data provider as ParseDataProviders reads it: the
// member names of the platforms' registration data.
type fileDataProvider struct {
	Type                 string          `json:"type"`
	ID                   string          `json:"client_id"`
	Secret               string          `json:"client_secret"`
	Scopes               []string        `json:"scopes"`
	ChecktokenSignedAlg  string          `json:"checktoken_signed_response_alg"`
	ChecktokenEncAlg     string          `json:"checktoken_encrypted_response_alg"`
	ChecktokenEncEnc     string          `json:"checktoken_encrypted_response_enc"`
	IntrospectionSignAlg string          `json:"introspection_signed_response_alg"`
	JWKS                 json.RawMessage `json:"jwks"`
	JWKSURI              string          `json:"jwks_uri"`
}

// dataProviderType marks a data provider in the clients file.
const dataProviderType = "data_provider"

// isDataProvider reports whether a clients-file entry is a data provider:
// an object with "type": "data_provider".
func isDataProvider(raw json.RawMessage) bool {
	var e struct {
		Type string `json:"type"`
	}
	return json.Unmarshal(raw, &e) == nil && e.Type == dataProviderType
}

// ParseDataProviders reads the data providers of a clients file (see
// ParseRegistrations): the entries with "type": "data_provider", whose members
// are those of the platforms' registration data:
//
//	{"type": "data_provider", "client_id": "my-api",
//	 "client_secret": "…at least 32 characters…",
//	 "scopes": ["dgfip_rfr", "dgfip_nbpart"],
//	 "checktoken_signed_response_alg": "ES256",
//	 "checktoken_encrypted_response_alg": "ECDH-ES",
//	 "checktoken_encrypted_response_enc": "A256GCM",
//	 "jwks_uri": "http://127.0.0.1:18090/.well-known/jwks.json"}
//
// On ProConnect a resource server has introspection_signed_response_alg
// instead (absent: JSON answers) and no keys. It checks the shape of the
// entries; RegisterDataProvider checks the rest. A file without data
// providers gives none and no error.
func ParseDataProviders(data []byte) ([]DataProvider, error) {
	entries, err := decodeArray(data, "clients")
	if err != nil {
		return nil, err
	}
	var out []DataProvider
	for i, raw := range entries {
		if !isDataProvider(raw) {
			continue
		}
		label := entryLabel("data provider", i, raw, "client_id")
		var fd fileDataProvider
		if member, err := decodeStrict(raw, &fd); err != nil {
			return nil, &entryError{entry: label, field: member, msg: err.Error()}
		}
		switch {
		case fd.ID == "":
			return nil, &entryError{entry: label, field: "client_id", msg: "is required"}
		case fd.ChecktokenEncEnc != "" && fd.ChecktokenEncEnc != "A256GCM":
			return nil, &entryError{entry: label, field: "checktoken_encrypted_response_enc", msg: "must be A256GCM"}
		case fd.ChecktokenSignedAlg != "" && fd.IntrospectionSignAlg != "":
			return nil, &entryError{entry: label, field: "introspection_signed_response_alg", msg: "give the checktoken or the introspection member, not both"}
		case slices.ContainsFunc(out, func(d DataProvider) bool { return d.ID == fd.ID }):
			return nil, &entryError{entry: label, field: "client_id", msg: "appears twice"}
		}
		dp := DataProvider{ID: fd.ID, Secret: Secret(fd.Secret), Scopes: fd.Scopes,
			SignedResponseAlg: fd.ChecktokenSignedAlg + fd.IntrospectionSignAlg, EncryptedResponseAlg: fd.ChecktokenEncAlg,
			JWKSURL: fd.JWKSURI}
		if jwks := bytes.TrimSpace(fd.JWKS); len(jwks) > 0 && !bytes.Equal(jwks, []byte("null")) {
			dp.JWKS = jwks
		}
		out = append(out, dp)
	}
	return out, nil
}
