package franceconnect

import (
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"maps"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/go-franceconnect/franceconnect/internal/wire"
)

// ACR is an eIDAS level of assurance, as sent in acr_values and returned in
// the acr claim (spec §10).
type ACR string

// eIDAS levels.
const (
	EIDAS1 ACR = "eidas1" // low: FranceConnect only
	EIDAS2 ACR = "eidas2" // substantial: FranceConnect+
	EIDAS3 ACR = "eidas3" // high: FranceConnect+
)

// Level returns 1, 2 or 3, or 0 for a value that is not an eIDAS level.
func (a ACR) Level() int {
	switch a {
	case EIDAS1:
		return 1
	case EIDAS2:
		return 2
	case EIDAS3:
		return 3
	}
	return 0
}

// Satisfies reports whether a returned level meets the requested one: eidas3
// satisfies an eidas2 request. Unknown values satisfy nothing.
func (a ACR) Satisfies(requested ACR) bool {
	return a.Level() != 0 && requested.Level() != 0 && a.Level() >= requested.Level()
}

func (p Platform) defaultACR() ACR {
	if p == FranceConnect {
		return EIDAS1
	}
	return EIDAS2
}

// checkACR reports whether a level may be requested on the platform.
func (p Platform) checkACR(a ACR) error {
	allowed := []ACR{EIDAS2, EIDAS3}
	if p == FranceConnect {
		allowed = []ACR{EIDAS1}
	}
	switch {
	case a.Level() == 0:
		return fmt.Errorf("unknown eIDAS level %q (eidas1, eidas2 or eidas3)", a)
	case !slices.Contains(allowed, a):
		return fmt.Errorf("%s cannot be requested on %v, which offers %q", a, p, allowed)
	}
	return nil
}

// MinStateNonceLength is the minimum length of a state or nonce given in an
// AuthRequest: 32 characters. Generated values are 64 hexadecimal
// characters (32 random bytes).
const MinStateNonceLength = 32

// MinSecretLength is the former name of MinStateNonceLength.
//
// Deprecated: use MinStateNonceLength; the client secret has its own rule,
// MinClientSecretLength.
const MinSecretLength = MinStateNonceLength

// AuthRequest holds the per-login options of Authorize. Its zero value
// requests the Config's scopes and acr with fresh state and nonce.
type AuthRequest struct {
	// State overrides the generated state; at least 32 characters.
	State string
	// Nonce overrides the generated nonce; at least 32 characters.
	Nonce string
	// ACR raises Config.ACR for this login (FranceConnect and
	// FranceConnect+): eidas3 where the Config says eidas2. A level below
	// Config.ACR is refused (ErrLevelOutsidePolicy): the Config is a floor.
	ACR ACR
	// AcceptedACRs narrow Config.AcceptedACRs for this login (ProConnect):
	// the login requires one of them (an essential acr claim), and each must
	// be one of the Config's (ErrLevelOutsidePolicy otherwise). Exclusive
	// with PreferredACRs.
	AcceptedACRs []ACR
	// PreferredACRs replace Config.PreferredACRs for this login
	// (ProConnect): levels asked for without requiring them (a non-essential
	// acr claim), each one of Config.AcceptedACRs.
	PreferredACRs []ACR
	// MaxAuthAge narrows Config.MaxAuthAge for this login: the id_token's
	// auth_time must be at most that old when the login starts. At least
	// one minute; for a new authentication, set PromptLogin.
	MaxAuthAge time.Duration
	// Subject is the sub the login must come back with, for a step-up of
	// the person signed in: an id_token about someone else fails with
	// ErrSubjectMismatch. Zero: anyone.
	Subject string
	// Scopes override Config.Scopes for this login; they must include openid.
	Scopes []string
	// Claims is the OIDC claims request (spec §3.1), e.g. RequestAMR().
	Claims *ClaimsRequest
	// PromptLogin sends prompt=login (honoured only for FS allowed by
	// FranceConnect; it skips the information page). A login with
	// prompt=login asks for a new authentication: the id_token's auth_time
	// must be present and not before the login started, else
	// ErrStaleAuthentication.
	PromptLogin bool
	// Prompt sends prompt: "login", "consent" or both; on ProConnect also
	// "none", a silent sign-in that fails with ErrInteractionRequired when the
	// agent has no ProConnect session.
	Prompt string
	// IDPHint sends idp_hint (GET only; the hint must be allowed for the FS).
	IDPHint string
	// LoginHint sends login_hint, an e-mail address that ProConnect fills in
	// for the agent (ProConnect only).
	LoginHint string
	// SiretHint sends siret_hint, the 14-digit SIRET of an organisation
	// ProConnect suggests to the agent (ProConnect only; not an access
	// control).
	SiretHint string
}

// ClaimsRequest is an OIDC claims request parameter.
type ClaimsRequest struct {
	IDToken  map[string]*ClaimRequest `json:"id_token,omitempty"`
	UserInfo map[string]*ClaimRequest `json:"userinfo,omitempty"`
}

// ClaimRequest asks for one claim.
type ClaimRequest struct {
	Essential bool     `json:"essential,omitempty"`
	Values    []string `json:"values,omitempty"`
}

// RequestAMR returns the claims request for the authentication methods
// (amr) in the id_token: {"id_token":{"amr":{"essential":true}}}. The FS must
// be authorised for the amr claim, otherwise FranceConnect shows Y100009.
func RequestAMR() *ClaimsRequest {
	return &ClaimsRequest{IDToken: map[string]*ClaimRequest{"amr": {Essential: true}}}
}

// AuthState is what the FS keeps in the user's session between Authorize and
// the callback: state, nonce, the requested level (or on ProConnect the
// accepted ones), the PKCE verifier, and what the freshness and step-up
// checks need. Keep all of it: any instance of the FS can then finish the
// login.
type AuthState struct {
	State        string `json:"state"`
	Nonce        string `json:"nonce"`
	ACR          ACR    `json:"acr,omitempty"`
	ACRs         []ACR  `json:"acrs,omitempty"`
	CodeVerifier string `json:"code_verifier,omitempty"`
	// Started is when Authorize built the request (Config.Now).
	Started time.Time `json:"started,omitzero"`
	// FreshAuth records that the login asked for a new authentication
	// (prompt=login): auth_time must be present and not before Started.
	FreshAuth bool `json:"fresh_auth,omitempty"`
	// MaxAuthAge is the login's maximum authentication age: auth_time must
	// be present and not before Started minus MaxAuthAge.
	MaxAuthAge time.Duration `json:"max_auth_age,omitempty"`
	// Subject is AuthRequest.Subject: the person the login must be about.
	Subject string `json:"subject,omitempty"`
}

// Authorization is a ready authorization request.
type Authorization struct {
	// AuthState must be stored in the user's session (server side or in an
	// integrity-protected cookie) and handed back to Callback.
	AuthState
	// URL is the GET authorization URL to redirect the browser to.
	URL string
	// Endpoint is the authorization endpoint, the action of the POST variant.
	Endpoint string
	// Params are the parameters, sent as the query or as the POST form.
	Params url.Values
}

// Authorize builds an authorization request (spec §3): fresh state and nonce
// from crypto/rand (64 hex characters), acr_values, scopes, optional claims,
// prompt and idp_hint, and nothing outside FranceConnect's whitelist (no
// PKCE, no response_mode). On ProConnect the accepted levels go in claims
// (no acr_values), with login_hint, siret_hint and PKCE S256 (PROCONNECT.md
// §3.1). Bad options wrap ErrInvalidRequest.
func (c *Client) Authorize(ctx context.Context, req AuthRequest) (*Authorization, error) {
	st, err := c.authState(req)
	if err != nil {
		return nil, err
	}
	scopes := c.scopes
	if req.Scopes != nil {
		if err := c.platform.checkScopes(req.Scopes); err != nil {
			return nil, wrap(ErrInvalidRequest, "AuthRequest.Scopes: %v", err)
		}
		scopes = req.Scopes
	}
	disc := c.discovery.get(ctx)
	if err := checkPublished(c.platform, scopes, disc.ScopesSupported); err != nil {
		return nil, wrap(ErrInvalidRequest, "AuthRequest.Scopes: %v", err)
	}
	p := url.Values{
		"response_type": {"code"},
		"client_id":     {c.clientID},
		"redirect_uri":  {c.redirect},
		"scope":         {strings.Join(scopes, " ")},
		"state":         {st.State},
		"nonce":         {st.Nonce},
	}
	if err := c.requestParams(req, &st, p); err != nil {
		return nil, wrap(ErrInvalidRequest, "%v", err)
	}
	return &Authorization{AuthState: st, URL: addQuery(disc.AuthorizationEndpoint, p), Endpoint: disc.AuthorizationEndpoint, Params: p}, nil
}

// requestParams adds the optional parameters: claims, prompt, hints, and
// acr_values or, on ProConnect, its own parameters.
func (c *Client) requestParams(req AuthRequest, st *AuthState, p url.Values) error {
	prompt := req.Prompt
	if req.PromptLogin && !slices.Contains(strings.Fields(prompt), "login") {
		prompt = strings.TrimSpace(prompt + " login")
	}
	if err := c.platform.checkPrompt(prompt); err != nil {
		return err
	}
	if prompt != "" {
		p.Set("prompt", prompt)
	}
	st.FreshAuth = slices.Contains(strings.Fields(prompt), "login")
	if req.IDPHint != "" {
		p.Set("idp_hint", req.IDPHint)
	}
	if c.platform == ProConnect {
		return c.proconnectParams(req, st, p)
	}
	if req.LoginHint != "" || req.SiretHint != "" {
		return fmt.Errorf("LoginHint and SiretHint are ProConnect's: %v refuses them (Y030007)", c.platform)
	}
	p.Set("acr_values", string(st.ACR))
	if req.Claims != nil {
		b, err := json.Marshal(req.Claims)
		if err != nil {
			return fmt.Errorf("claims: %v", err)
		}
		p.Set("claims", string(b))
	}
	return nil
}

func (c *Client) authState(req AuthRequest) (AuthState, error) {
	st := AuthState{State: req.State, Nonce: req.Nonce, Started: c.now(), Subject: req.Subject}
	if err := c.requestLevels(req, &st); err != nil {
		return AuthState{}, err
	}
	if err := c.requestAge(req, &st); err != nil {
		return AuthState{}, err
	}
	for _, f := range []struct {
		name string
		v    *string
	}{{"State", &st.State}, {"Nonce", &st.Nonce}} {
		switch {
		case *f.v == "":
			*f.v = wire.RandomString(32)
		case len(*f.v) < MinStateNonceLength:
			return AuthState{}, wrap(ErrInvalidRequest, "%s: %d characters, at least %d required", f.name, len(*f.v), MinStateNonceLength)
		case !wire.IsScopeToken(*f.v):
			return AuthState{}, wrap(ErrInvalidRequest, "%s: only visible ASCII characters are allowed", f.name)
		}
	}
	return st, nil
}

func addQuery(endpoint string, p url.Values) string {
	sep := "?"
	if strings.Contains(endpoint, "?") {
		sep = "&"
	}
	return endpoint + sep + p.Encode()
}

var postForm = template.Must(template.New("form").Parse(`<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>Connexion</title></head>
<body onload="document.forms[0].submit()">
<form method="post" action="{{.Action}}">
{{range .Fields}}<input type="hidden" name="{{.Name}}" value="{{.Value}}">
{{end}}<noscript><button type="submit">Continuer vers FranceConnect</button></noscript>
</form></body></html>
`))

// WriteForm writes a self-submitting HTML form that POSTs the request to
// the authorization endpoint (the POST variant of spec §3). idp_hint is only
// read from the query by FranceConnect, so it is kept in the action URL.
// Serve it with Content-Type text/html and a Content-Security-Policy that
// allows the inline submit.
func (a *Authorization) WriteForm(w io.Writer) error {
	type field struct{ Name, Value string }
	action := a.Endpoint
	var fields []field
	for _, k := range slices.Sorted(maps.Keys(a.Params)) {
		if k == "idp_hint" {
			action = addQuery(action, url.Values{k: a.Params[k]})
			continue
		}
		for _, v := range a.Params[k] {
			fields = append(fields, field{k, v})
		}
	}
	return postForm.Execute(w, struct {
		Action string
		Fields []field
	}{action, fields})
}
