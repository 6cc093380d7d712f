package franceconnect

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// Login is the outcome of a successful callback: the verified id_token and
// identity. Keep IDToken.Hint() in the session for logout.
type Login struct {
	Tokens
	// Identity is the verified userinfo.
	Identity *Identity
}

// Tokens is the verified answer of the token endpoint.
type Tokens struct {
	// IDToken holds the verified id_token claims.
	IDToken *IDToken
	// AccessToken is the bearer token for userinfo (and data providers); it
	// lives 60 s.
	AccessToken Token
	// Expiry is when the access token expires.
	Expiry time.Time
	// Scopes are the scopes granted, as answered.
	Scopes []string
	// RefreshToken redeems new tokens with Refresh (ProConnect; empty on
	// FranceConnect, which issues none). Keep it like a secret.
	RefreshToken Token
}

// IDToken holds the claims of a verified id_token (spec §6).
type IDToken struct {
	Issuer   string
	Subject  string // 64 hex characters + "v1", stable per user and FS
	Audience string
	Expiry   time.Time
	IssuedAt time.Time
	AuthTime time.Time // zero when absent
	Nonce    string
	ACR      ACR      // at least the requested level; on ProConnect, one of the accepted ones
	AMR      []string // authentication methods, when requested (RequestAMR)
	hint     Token
}

// Hint returns the signed id_token (the inner JWS on FranceConnect+), to be
// stored in the session and sent as id_token_hint at logout. Like every
// Token it prints and marshals as "[redacted]": store string(hint), and
// convert back with Token(s).
func (t *IDToken) Hint() Token { return t.hint }

// Callback handles the redirect back from FranceConnect (spec §4–§7): it
// checks the callback against the AuthState kept in the session, exchanges
// the code, verifies the id_token, and fetches and verifies the userinfo.
// query is the callback's query (r.URL.Query()).
func (c *Client) Callback(ctx context.Context, query url.Values, st AuthState) (*Login, error) {
	code, err := c.ParseCallback(query, st)
	if err != nil {
		return nil, err
	}
	tokens, err := c.Exchange(ctx, code, st)
	if err != nil {
		return nil, err
	}
	id, err := c.UserInfo(ctx, tokens)
	if err != nil {
		return nil, err
	}
	return &Login{Tokens: *tokens, Identity: id}, nil
}

// ParseCallback checks a callback query and returns its code. In order: the
// state must equal st.State (constant time; ErrStateMismatch), iss must be
// the issuer (RFC 9207; ErrIssuerMismatch; required when the provider
// advertises it), an error answer becomes a *ProviderError, and a code must
// be present (ErrInvalidCallback).
func (c *Client) ParseCallback(query url.Values, st AuthState) (string, error) {
	for k, v := range query {
		if len(v) > 1 {
			return "", wrap(ErrInvalidCallback, "parameter %q repeated", k)
		}
	}
	state := query.Get("state")
	if st.State == "" || state == "" || !equal(state, st.State) {
		return "", wrap(ErrStateMismatch, "callback state does not match the session")
	}
	if iss, ok := query["iss"]; ok || c.doc().IssParameterSupported {
		if !ok || iss[0] != c.issuer {
			return "", wrap(ErrIssuerMismatch, "callback iss %q, want %q", query.Get("iss"), c.issuer)
		}
	}
	if e := query.Get("error"); e != "" {
		return "", c.providerError(e, query.Get("error_description"), query.Get("error_uri"), 0)
	}
	code := query.Get("code")
	if code == "" {
		return "", wrap(ErrInvalidCallback, "no code and no error")
	}
	return code, nil
}

// doc returns the cached discovery document without refreshing it.
func (c *Client) doc() *discoveryDoc { return c.discovery.cur.Load().value }

// Exchange redeems an authorization code at the token endpoint with
// client_secret_post (and on ProConnect the PKCE verifier of st), then
// verifies the id_token against st (spec §5, §6). The code lives 30 s and is
// single use.
func (c *Client) Exchange(ctx context.Context, code string, st AuthState) (*Tokens, error) {
	if code == "" {
		return nil, wrap(ErrInvalidRequest, "empty code")
	}
	conf := c.oauth2Config(ctx)
	var opts []oauth2.AuthCodeOption
	if st.CodeVerifier != "" {
		opts = append(opts, oauth2.VerifierOption(st.CodeVerifier))
	}
	tok, err := conf.Exchange(context.WithValue(ctx, oauth2.HTTPClient, c.tokenHTTP), code, opts...)
	if err != nil {
		return nil, c.exchangeError(err, code, st.CodeVerifier)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return nil, wrap(ErrInvalidIDToken, "%w: the token response has no id_token", ErrMissingClaim)
	}
	idt, err := c.VerifyIDToken(ctx, raw, st)
	if err != nil {
		return nil, err
	}
	return c.tokens(tok, idt)
}

// Refresh redeems a refresh token, which ProConnect issues
// (grant_type=refresh_token with client_secret_post), and verifies the answer
// like a login's: the id_token, when the answer has one, must pass the
// pipeline (without nonce: none was sent) and be about subject, the
// IDToken.Subject of the login (ErrSubjectMismatch otherwise). Tokens.IDToken
// is nil when the answer has no id_token.
func (c *Client) Refresh(ctx context.Context, refreshToken Token, subject string) (*Tokens, error) {
	if refreshToken == "" || subject == "" {
		return nil, wrap(ErrInvalidRequest, "Refresh needs the refresh token and the subject of the login")
	}
	conf := c.oauth2Config(ctx)
	src := conf.TokenSource(context.WithValue(ctx, oauth2.HTTPClient, c.tokenHTTP), &oauth2.Token{RefreshToken: string(refreshToken)})
	tok, err := src.Token()
	if err != nil {
		return nil, c.exchangeError(err, string(refreshToken))
	}
	var idt *IDToken
	if raw, _ := tok.Extra("id_token").(string); raw != "" {
		cl, signed, err := c.idClaims(ctx, raw)
		if err != nil {
			return nil, err
		}
		if !equal(cl.Subject, subject) {
			return nil, tokenError(ErrInvalidIDToken, ErrSubjectMismatch, "the refreshed id_token is about someone else")
		}
		if err := c.verifyACR(ACR(cl.ACR), AuthState{}); err != nil {
			return nil, err
		}
		idt = cl.idToken(signed)
	}
	return c.tokens(tok, idt)
}

// oauth2Config describes the token endpoint for golang.org/x/oauth2.
func (c *Client) oauth2Config(ctx context.Context) *oauth2.Config {
	return &oauth2.Config{
		ClientID:     c.clientID,
		ClientSecret: string(c.secret),
		RedirectURL:  c.redirect,
		Endpoint:     oauth2.Endpoint{TokenURL: c.discovery.get(ctx).TokenEndpoint, AuthStyle: oauth2.AuthStyleInParams},
	}
}

// tokens checks a token answer and returns it with its verified id_token.
func (c *Client) tokens(tok *oauth2.Token, idt *IDToken) (*Tokens, error) {
	if !strings.EqualFold(tok.TokenType, "Bearer") {
		return nil, wrap(ErrExchange, "token_type %q, want Bearer", tok.TokenType)
	}
	t := &Tokens{IDToken: idt, AccessToken: Token(tok.AccessToken), RefreshToken: Token(tok.RefreshToken),
		Expiry: c.now().Add(time.Duration(tok.ExpiresIn) * time.Second)}
	if s, ok := tok.Extra("scope").(string); ok {
		t.Scopes = strings.Fields(s)
	}
	return t, nil
}

// exchangeError classifies a token endpoint failure without its body, nor
// the values sent (the code or refresh token, the PKCE verifier) should
// the answer quote them.
func (c *Client) exchangeError(err error, sent ...string) error {
	var re *oauth2.RetrieveError
	tokenURL, _ := url.Parse(c.doc().TokenEndpoint) // checked by discovery
	switch {
	case errors.As(err, &re) && re.ErrorCode != "":
		return c.providerError(re.ErrorCode, re.ErrorDescription, re.ErrorURI, re.Response.StatusCode, sent...)
	case errors.As(err, &re):
		return statusError(re.Response.StatusCode, ErrExchange, "%w: POST %s: status %d", ErrHTTP, endpoint(tokenURL), re.Response.StatusCode)
	}
	var ue *url.Error
	if errors.As(err, &ue) { // the round trip failed
		return c.transportError(&http.Request{Method: http.MethodPost, URL: tokenURL}, ErrExchange, err)
	}
	return wrap(ErrExchange, "malformed answer: %v", err) // e.g. no access_token
}

// idClaims are the id_token claims (spec §6).
type idClaims struct {
	commonClaims
	Nonce    string   `json:"nonce"`
	ACR      string   `json:"acr"`
	AMR      []string `json:"amr"`
	AuthTime date     `json:"auth_time"`
	AZP      *string  `json:"azp"` // nil when absent
}

// VerifyIDToken runs the id_token pipeline (spec §6): decrypt (JWE on
// FranceConnect+) → signature → iss → aud → azp → exp/iat → sub → nonce →
// acr (against st and the configured policy) → auth_time (when st asked for
// a new authentication or a maximum age) → sub against st.Subject (a
// step-up). Every failure wraps ErrInvalidIDToken and the failed check's
// sentinel.
func (c *Client) VerifyIDToken(ctx context.Context, raw string, st AuthState) (*IDToken, error) {
	cl, signed, err := c.idClaims(ctx, raw)
	if err != nil {
		return nil, err
	}
	if st.Nonce == "" || !equal(cl.Nonce, st.Nonce) {
		return nil, tokenError(ErrInvalidIDToken, ErrNonceMismatch, "nonce does not match the session")
	}
	if err := c.verifyACR(ACR(cl.ACR), st); err != nil {
		return nil, err
	}
	if err := c.verifyAuthTime(cl.AuthTime, st); err != nil {
		return nil, err
	}
	if st.Subject != "" && !equal(cl.Subject, st.Subject) {
		return nil, tokenError(ErrInvalidIDToken, ErrSubjectMismatch, "the login is about another person than AuthRequest.Subject")
	}
	return cl.idToken(signed), nil
}

// idClaims decodes and verifies an id_token up to its sub.
func (c *Client) idClaims(ctx context.Context, raw string) (*idClaims, string, error) {
	payload, signed, err := c.decode(ctx, raw, ErrInvalidIDToken)
	if err != nil {
		return nil, "", err
	}
	var cl idClaims
	if err := readClaims(payload, &cl); err != nil {
		return nil, "", joinCategory(ErrInvalidIDToken, err)
	}
	if err := cl.check(c, ErrInvalidIDToken, true); err != nil {
		return nil, "", err
	}
	if cl.AZP != nil && *cl.AZP != c.clientID {
		// OIDC Core 3.1.3.7: an authorized party, when present, is us.
		return nil, "", tokenError(ErrInvalidIDToken, ErrInvalidAudience, "azp %q is not our client_id", *cl.AZP)
	}
	return &cl, signed, nil
}

func (cl *idClaims) idToken(signed string) *IDToken {
	return &IDToken{
		Issuer: cl.Issuer, Subject: cl.Subject, Audience: cl.Audience[0],
		Expiry: cl.Expiry.t, IssuedAt: cl.IssuedAt.t, AuthTime: cl.AuthTime.t,
		Nonce: cl.Nonce, ACR: ACR(cl.ACR), AMR: cl.AMR, hint: Token(signed),
	}
}
