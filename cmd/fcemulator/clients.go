package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/go-franceconnect/franceconnect/fctest"
)

// clients returns the service providers of the -clients file, or the one
// of the -client-* flags.
func (cfg *config) clients() ([]fctest.Registration, error) {
	if cfg.clientsFile != "" {
		data, err := os.ReadFile(cfg.clientsFile)
		if err != nil {
			return nil, fmt.Errorf("-clients: %w", err)
		}
		list, err := fctest.ParseRegistrations(data)
		if err != nil {
			return nil, fmt.Errorf("-clients %s: %w", cfg.clientsFile, err)
		}
		return list, nil
	}
	c := cfg.client
	if jwks := strings.TrimSpace(cfg.jwks); strings.HasPrefix(jwks, "{") {
		c.JWKS = []byte(jwks)
	} else if jwks != "" {
		data, err := os.ReadFile(jwks)
		if err != nil {
			return nil, fmt.Errorf("-jwks: %w", err)
		}
		c.JWKS = data
	}
	return []fctest.Registration{c}, nil
}

// identities returns the identities of the -identities file, or nil for
// the demo set.
func (cfg *config) identities() ([]fctest.Person, error) {
	if cfg.identitiesFile == "" {
		return nil, nil
	}
	data, err := os.ReadFile(cfg.identitiesFile)
	if err != nil {
		return nil, fmt.Errorf("-identities: %w", err)
	}
	ids, err := fctest.ParsePeople(data)
	if err != nil {
		return nil, fmt.Errorf("-identities %s: %w", cfg.identitiesFile, err)
	}
	return ids, nil
}

// agents returns the agents of the -identities file, or nil for the demo
// set (ProConnect).
func (cfg *config) agents() ([]fctest.Agent, error) {
	if cfg.identitiesFile == "" {
		return nil, nil
	}
	data, err := os.ReadFile(cfg.identitiesFile)
	if err != nil {
		return nil, fmt.Errorf("-identities: %w", err)
	}
	agents, err := fctest.ParseAgents(data)
	if err != nil {
		return nil, fmt.Errorf("-identities %s: %w", cfg.identitiesFile, err)
	}
	return agents, nil
}

// clientInfo is what the emulator shows of a registered client: never its
// secret.
type clientInfo struct {
	ID                     string   `json:"client_id"`
	Name                   string   `json:"name,omitempty"`
	RedirectURIs           []string `json:"redirect_uris"`
	PostLogoutRedirectURIs []string `json:"post_logout_redirect_uris,omitempty"`
	Scopes                 []string `json:"scopes,omitempty"`
	SignedAlg              string   `json:"id_token_signed_response_alg,omitempty"`
	UserinfoSignedAlg      string   `json:"userinfo_signed_response_alg,omitempty"`
	EncryptedAlg           string   `json:"id_token_encrypted_response_alg,omitempty"`
	JWKSURI                string   `json:"jwks_uri,omitempty"`
	JWKSKeyIDs             []string `json:"jwks_kids,omitempty"`
}

// infoOf describes c.
func infoOf(c fctest.Registration) clientInfo {
	info := clientInfo{ID: c.ID, Name: c.Name, RedirectURIs: c.RedirectURIs,
		PostLogoutRedirectURIs: c.PostLogoutRedirectURIs, Scopes: c.Scopes, SignedAlg: c.SignedResponseAlg,
		UserinfoSignedAlg: c.UserinfoSignedResponseAlg, EncryptedAlg: c.EncryptedResponseAlg, JWKSURI: c.JWKSURL}
	var set jose.JSONWebKeySet
	if json.Unmarshal(c.JWKS, &set) == nil { // validated by Register
		for _, k := range set.Keys {
			info.JWKSKeyIDs = append(info.JWKSKeyIDs, k.KeyID)
		}
	}
	return info
}

// print writes the client in the start-up summary.
func (info clientInfo) print(w io.Writer, platform fctest.Platform) {
	or := func(v, zero string) string {
		if v == "" {
			return zero
		}
		return v
	}
	fmt.Fprintf(w, "  client %s\n", info.ID)
	fmt.Fprintf(w, "    redirect_uris               %s\n", strings.Join(info.RedirectURIs, " "))
	fmt.Fprintf(w, "    post_logout_redirect_uris   %s\n", or(strings.Join(info.PostLogoutRedirectURIs, " "), "none"))
	fmt.Fprintf(w, "    scopes                      %s\n", or(strings.Join(info.Scopes, " "), "all"))
	fmt.Fprintf(w, "    signature                   %s\n", or(info.SignedAlg, "ES256 (default)"))
	if platform == fctest.ProConnect {
		fmt.Fprintf(w, "    userinfo                    %s\n",
			or(info.UserinfoSignedAlg, "plain JSON (no userinfo_signed_response_alg)"))
	}
	switch {
	case platform == fctest.ProConnect:
		fmt.Fprintf(w, "    encryption                  none (ProConnect does not encrypt)\n")
	case info.EncryptedAlg == "" && platform == fctest.FranceConnect:
		fmt.Fprintf(w, "    encryption                  none (signed tokens)\n")
	default:
		fmt.Fprintf(w, "    encryption                  %s, A256GCM\n",
			or(info.EncryptedAlg, "from the FS key (ECDH-ES for EC, RSA-OAEP-256 for RSA)"))
	}
	switch {
	case info.JWKSURI != "":
		fmt.Fprintf(w, "    keys                        %s\n", info.JWKSURI)
	case len(info.JWKSKeyIDs) > 0:
		fmt.Fprintf(w, "    keys                        inline, kid %s\n", strings.Join(info.JWKSKeyIDs, " "))
	}
}
