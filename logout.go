package franceconnect

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/go-franceconnect/franceconnect/internal/jose"
	"github.com/go-franceconnect/franceconnect/internal/wire"
)

// LogoutRequest is a ready logout redirect (spec §11).
type LogoutRequest struct {
	// URL is the session/end URL to redirect the browser to (a top-level
	// redirect: FranceConnect needs its own session cookie).
	URL string
	// State must be kept in the session and handed to LogoutCallback.
	State string
}

// Logout builds the browser redirect to FranceConnect's end_session
// endpoint with the signed id_token as id_token_hint (never the JWE), a
// fresh state (64 hex characters) and the registered post_logout_redirect_uri.
// The FS destroys its own session before redirecting.
func (c *Client) Logout(ctx context.Context, hint Token) (*LogoutRequest, error) {
	switch {
	case string(hint) == redactedText:
		return nil, wrap(ErrInvalidRequest, "the hint is %q, what a Token becomes in JSON or logs: keep "+
			"string(login.IDToken.Hint()) in the session and give back franceconnect.Token(kept)", redactedText)
	case jose.Segments(string(hint)) != 3:
		return nil, wrap(ErrInvalidRequest, "id_token hint must be the signed id_token (IDToken.Hint)")
	}
	disc := c.discovery.get(ctx)
	state := wire.RandomString(32)
	p := url.Values{
		"id_token_hint":            {string(hint)},
		"state":                    {state},
		"post_logout_redirect_uri": {c.logout},
	}
	return &LogoutRequest{URL: addQuery(disc.EndSessionEndpoint, p), State: state}, nil
}

// LogoutCallback checks the redirect back from FranceConnect after logout:
// its state must equal the one kept from Logout (constant time). It wraps
// ErrStateMismatch otherwise.
func (c *Client) LogoutCallback(query url.Values, state string) error {
	got := query["state"]
	if state == "" || len(got) != 1 || !equal(got[0], state) {
		return wrap(ErrStateMismatch, "logout callback state does not match the session")
	}
	return nil
}

// Revoke revokes an access token at FranceConnect's revocation endpoint
// (RFC 7009, spec §11.1), sending exactly token, client_id and
// client_secret: FranceConnect refuses any other field. Optional: tokens
// expire after 60 s anyway.
func (c *Client) Revoke(ctx context.Context, accessToken Token) error {
	if accessToken == "" {
		return wrap(ErrInvalidRequest, "empty access token")
	}
	disc := c.discovery.get(ctx)
	if disc.RevocationEndpoint == "" {
		return wrap(ErrDiscovery, "the provider advertises no revocation_endpoint")
	}
	form := url.Values{"token": {string(accessToken)}, "client_id": {c.clientID}, "client_secret": {string(c.secret)}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, disc.RevocationEndpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return wrap(ErrRevocation, "%v", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, body, err := c.do(req, ErrRevocation)
	if err != nil {
		return err
	}
	if resp.StatusCode == http.StatusOK {
		return nil
	}
	if e, ok := wire.ParseOAuthError(body); ok {
		return c.providerError(e.Code, e.Description, e.URI, resp.StatusCode, string(accessToken))
	}
	return statusError(resp.StatusCode, ErrRevocation, "%w: POST %s: status %d", ErrHTTP, endpoint(req.URL), resp.StatusCode)
}
