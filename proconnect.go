package franceconnect

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/mail"
	"net/url"
	"slices"
	"strings"

	"github.com/go-franceconnect/franceconnect/internal/wire"
)

// ProConnect's levels (PROCONNECT.md §3.1). They combine three axes
// (identity, authentication, organisation) and are only partly ordered:
// eidas0-mfa and eidas1 cannot be compared. A ProConnect login therefore
// names the set of levels it accepts, and the returned acr must be one of
// them; EIDAS1, EIDAS2 and EIDAS3 are shared with FranceConnect.
const (
	EIDAS0    ACR = "eidas0"     // no identity check
	EIDAS0MFA ACR = "eidas0-mfa" // no identity check, two factors
	EIDAS1MFA ACR = "eidas1-mfa" // low, two factors
	// CertificationDirigeant is a company director whose mandate was checked.
	CertificationDirigeant ACR = "https://proconnect.gouv.fr/assurance/certification-dirigeant"
)

// proconnectLevels are every acr ProConnect may return.
var proconnectLevels = []ACR{EIDAS0, EIDAS0MFA, EIDAS1, EIDAS1MFA, EIDAS2, EIDAS3, CertificationDirigeant}

// ProConnectAnyLevel returns every ProConnect level: any agent is accepted.
func ProConnectAnyLevel() []ACR { return slices.Clone(proconnectLevels) }

// ProConnectWithMFA returns the levels of an authentication with two
// factors, the set ProConnect's documentation gives to "force 2FA":
// eidas0-mfa, eidas1-mfa, eidas2, eidas3.
func ProConnectWithMFA() []ACR { return []ACR{EIDAS0MFA, EIDAS1MFA, EIDAS2, EIDAS3} }

// ProConnectEIDAS1OrBetter returns the levels whose identity was checked at
// least at eIDAS low: eidas1, eidas1-mfa, eidas2, eidas3.
func ProConnectEIDAS1OrBetter() []ACR { return []ACR{EIDAS1, EIDAS1MFA, EIDAS2, EIDAS3} }

// checkLevels checks a set of acceptable ProConnect levels.
func checkLevels(levels []ACR) error {
	for i, a := range levels {
		switch {
		case !slices.Contains(proconnectLevels, a):
			return fmt.Errorf("unknown ProConnect level %q (%q)", a, proconnectLevels)
		case slices.Contains(levels[:i], a):
			return fmt.Errorf("%q appears twice", a)
		}
	}
	return nil
}

// scopesProConnect are ProConnect's scopes (PROCONNECT.md §3.1).
var scopesProConnect = []string{"openid", "given_name", "usual_name", "email", "uid", "siret", "siren", "idp_id",
	"idp_acr", "roles", "organization_label", "phone", "custom", "organizational_unit", "belonging_population",
	"chorusdt", "groups", "amr"}

// AgentIdentity is a verified ProConnect userinfo: an agent of an
// organisation (PROCONNECT.md §3.1). Absent claims are zero.
type AgentIdentity struct {
	GivenName           string          // first names
	UsualName           string          // usual (family) name
	Email               string          // professional address
	UID                 string          // the agent's id at the identity provider
	SIRET               string          // 14 digits: the establishment
	SIREN               string          // 9 digits: the organisation
	OrganizationLabel   string          // the organisation's name
	IDPID               string          // the identity provider used
	IDPACR              string          // the level the identity provider asserted
	Roles               []string        // e.g. agent_public, dirigeant
	PhoneNumber         string          // from the phone scope
	BelongingPopulation string          // the agent's population, when the identity provider sends it
	Custom              json.RawMessage // the identity provider's own claims, as sent
}

// agentClaims are the claims of a ProConnect userinfo.
type agentClaims struct {
	commonClaims
	GivenName           string          `json:"given_name"`
	UsualName           string          `json:"usual_name"`
	Email               string          `json:"email"`
	UID                 string          `json:"uid"`
	SIRET               string          `json:"siret"`
	SIREN               string          `json:"siren"`
	OrganizationLabel   string          `json:"organization_label"`
	IDPID               string          `json:"idp_id"`
	IDPACR              string          `json:"idp_acr"`
	Roles               []string        `json:"roles"`
	PhoneNumber         string          `json:"phone_number"`
	BelongingPopulation string          `json:"belonging_population"`
	Custom              json.RawMessage `json:"custom"`
}

func (cl *agentClaims) identity() (*Identity, error) {
	return &Identity{
		Subject: cl.Subject, GivenName: cl.GivenName, Email: cl.Email,
		Agent: &AgentIdentity{
			GivenName: cl.GivenName, UsualName: cl.UsualName, Email: cl.Email, UID: cl.UID, SIRET: cl.SIRET,
			SIREN: cl.SIREN, OrganizationLabel: cl.OrganizationLabel, IDPID: cl.IDPID, IDPACR: cl.IDPACR,
			Roles: cl.Roles, PhoneNumber: cl.PhoneNumber, BelongingPopulation: cl.BelongingPopulation, Custom: cl.Custom,
		},
	}, nil
}

// proconnectParams adds ProConnect's own parameters to an authorization
// request: the required levels as an essential acr claim (or the preferred
// ones as a non-essential claim), the hints, prompt and PKCE S256 (the
// verifier goes in st).
func (c *Client) proconnectParams(req AuthRequest, st *AuthState, p url.Values) error {
	claims := ClaimsRequest{}
	if req.Claims != nil {
		claims.UserInfo = req.Claims.UserInfo
		claims.IDToken = map[string]*ClaimRequest{}
		for k, v := range req.Claims.IDToken {
			claims.IDToken[k] = v
		}
	}
	if acr := c.acrClaim(req, st); acr != nil {
		if claims.IDToken == nil {
			claims.IDToken = map[string]*ClaimRequest{}
		}
		claims.IDToken["acr"] = acr
	}
	if claims.IDToken != nil || claims.UserInfo != nil {
		b, err := json.Marshal(claims)
		if err != nil {
			return fmt.Errorf("claims: %v", err)
		}
		p.Set("claims", string(b))
	}
	if req.LoginHint != "" {
		if a, err := mail.ParseAddress(req.LoginHint); err != nil || a.Address != req.LoginHint {
			return fmt.Errorf("LoginHint: not an e-mail address")
		}
		p.Set("login_hint", req.LoginHint)
	}
	if req.SiretHint != "" {
		if len(req.SiretHint) != 14 || strings.Trim(req.SiretHint, "0123456789") != "" {
			return fmt.Errorf("SiretHint %q: a SIRET is 14 digits", req.SiretHint)
		}
		p.Set("siret_hint", req.SiretHint)
	}
	st.CodeVerifier = wire.RandomString(32)
	sum := sha256.Sum256([]byte(st.CodeVerifier))
	p.Set("code_challenge", base64.RawURLEncoding.EncodeToString(sum[:]))
	p.Set("code_challenge_method", "S256")
	return nil
}

// checkPrompt checks AuthRequest.Prompt for the platform: login and consent
// everywhere, none on ProConnect only (silent sign-in).
func (p Platform) checkPrompt(prompt string) error {
	allowed := []string{"login", "consent"}
	if p == ProConnect {
		allowed = append(allowed, "none")
	}
	values := strings.Fields(prompt)
	for _, v := range values {
		if !slices.Contains(allowed, v) || v == "none" && len(values) > 1 {
			return fmt.Errorf("prompt %q: %v accepts %q (none alone)", prompt, p, allowed)
		}
	}
	return nil
}
