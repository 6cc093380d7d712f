package franceconnect

import (
	"errors"
	"fmt"
	"strings"

	"github.com/go-franceconnect/franceconnect/internal/jose"
)

// Error categories. Every error returned by this package wraps one or more of
// them: test with errors.Is. Details (which field, which claim, which status)
// are in the message; tokens and secrets never are.
var (
	// ErrConfig reports an invalid Config; the message names the field.
	ErrConfig = errors.New("franceconnect: invalid configuration")
	// ErrDiscovery reports a discovery document that could not be fetched or
	// does not match the configuration (issuer, endpoints, algorithms).
	ErrDiscovery = errors.New("franceconnect: discovery failed")
	// ErrProviderKeys reports a provider JWKS that could not be fetched or decoded.
	ErrProviderKeys = errors.New("franceconnect: provider keys unavailable")
	// ErrHTTP reports a transport failure or an unexpected HTTP status.
	ErrHTTP = errors.New("franceconnect: HTTP request failed")
	// ErrResponseTooLarge reports a response body over the size limit.
	ErrResponseTooLarge = errors.New("franceconnect: response too large")
	// ErrContentType reports a response whose Content-Type is not the expected one.
	ErrContentType = errors.New("franceconnect: unexpected content type")

	// ErrInvalidRequest reports bad input from the caller (an AuthRequest,
	// a short state, an empty token).
	ErrInvalidRequest = errors.New("franceconnect: invalid request")
	// ErrLevelOutsidePolicy comes with ErrInvalidRequest: a login asked for
	// a level below the configured one (FranceConnect, FranceConnect+) or
	// outside the configured set (ProConnect). A login may ask for more than
	// the Config, never for less: the request is refused, not raised.
	ErrLevelOutsidePolicy = errors.New("franceconnect: level outside the configured policy")
	// ErrInvalidCallback reports a callback without code or with unknown shape.
	ErrInvalidCallback = errors.New("franceconnect: invalid callback")
	// ErrStateMismatch reports a state absent from, or different from, the one
	// kept in the user's session (authorization or logout callback).
	ErrStateMismatch = errors.New("franceconnect: state mismatch")
	// ErrIssuerMismatch reports an iss parameter (RFC 9207) or an iss claim
	// that is not the configured issuer.
	ErrIssuerMismatch = errors.New("franceconnect: issuer mismatch")
	// ErrExchange reports a failed code exchange at the token endpoint that is
	// not a provider error (transport, status, malformed answer).
	ErrExchange = errors.New("franceconnect: code exchange failed")
	// ErrRevocation reports a failed token revocation that is not a provider error.
	ErrRevocation = errors.New("franceconnect: revocation failed")
	// ErrAccessTokenExpired reports a data-provider call (DataClient) with an
	// access token past its expiry: FranceConnect's live 60 s and cannot be
	// refreshed, ProConnect's are refreshed only with DataProvider.OnRefresh.
	// Nothing was sent.
	ErrAccessTokenExpired = errors.New("franceconnect: access token expired")
	// ErrProvider reports an error answered by FranceConnect; use errors.As with
	// *ProviderError for its details.
	ErrProvider = errors.New("franceconnect: provider error")

	// ErrInvalidIDToken is the category of every failed id_token check.
	ErrInvalidIDToken = errors.New("franceconnect: invalid id_token")
	// ErrInvalidUserInfo is the category of every failed userinfo check.
	ErrInvalidUserInfo = errors.New("franceconnect: invalid userinfo")

	// ErrMalformedToken reports a token that is not a well-formed compact JWE/JWS.
	ErrMalformedToken = jose.ErrMalformed
	// ErrAlgorithm reports an algorithm outside the allow-list (none, HS256, …).
	ErrAlgorithm = jose.ErrAlgorithm
	// ErrDecryption reports any failure to decrypt a JWE; deliberately vague.
	ErrDecryption = jose.ErrDecryption
	// ErrSignature reports a signature that does not verify.
	ErrSignature = jose.ErrSignature
	// ErrKeyMismatch reports a key whose type does not fit the token's algorithm.
	ErrKeyMismatch = jose.ErrKeyMismatch
	// ErrUnencrypted reports a bare JWS where the platform requires a JWE (FC+).
	ErrUnencrypted = errors.New("franceconnect: token is not encrypted")
	// ErrUnknownKey reports a kid found in neither our keys nor the provider's
	// (after one refresh of the provider keys).
	ErrUnknownKey = errors.New("franceconnect: unknown key")
	// ErrInvalidAudience reports an aud claim that is not our client_id.
	ErrInvalidAudience = errors.New("franceconnect: invalid audience")
	// ErrExpired reports a token whose exp is past (beyond the leeway).
	ErrExpired = errors.New("franceconnect: token expired")
	// ErrIssuedInFuture reports an iat after now (beyond the leeway).
	ErrIssuedInFuture = errors.New("franceconnect: token issued in the future")
	// ErrNonceMismatch reports an id_token nonce different from the session's.
	ErrNonceMismatch = errors.New("franceconnect: nonce mismatch")
	// ErrACRTooLow reports an eIDAS level below the requested one.
	ErrACRTooLow = errors.New("franceconnect: acr below the requested level")
	// ErrACRNotAccepted reports a ProConnect acr outside the set of accepted
	// levels of the login, even a higher one: ProConnect's levels are not
	// ordered (PROCONNECT.md §3.1).
	ErrACRNotAccepted = errors.New("franceconnect: acr not among the accepted levels")
	// ErrUnknownACR reports an acr that is missing or not an eIDAS level.
	ErrUnknownACR = errors.New("franceconnect: unknown acr")
	// ErrMissingClaim reports a mandatory claim that is absent or of the wrong type.
	ErrMissingClaim = errors.New("franceconnect: missing or invalid claim")
	// ErrSubjectMismatch reports a userinfo (or a refreshed id_token) about
	// another person than the id_token of the login, or a login about
	// another person than AuthRequest.Subject (a step-up).
	ErrSubjectMismatch = errors.New("franceconnect: userinfo sub differs from id_token sub")
	// ErrStaleAuthentication reports a login that asked for a new
	// authentication (prompt=login, a step-up, a maximum authentication age)
	// and got an id_token whose auth_time is missing, older than the start
	// of the login (or than the maximum age allows), or in the future: the
	// provider reused an earlier session. Offer to try again.
	ErrStaleAuthentication = errors.New("franceconnect: authentication not fresh")
	// ErrInteractionRequired is matched by the *ProviderError of a silent
	// sign-in (prompt=none, ProConnect) that needs the user: login_required,
	// consent_required, interaction_required, account_selection_required.
	// Start an interactive login.
	ErrInteractionRequired = errors.New("franceconnect: the user must interact")
	// ErrLevelUnreachable is matched by the *ProviderError of ProConnect's
	// Y020032 (ProviderError.LevelUnreachable): none of the levels the login
	// requires can be reached with the agent's account. Tell the agent which
	// kind of authentication is needed (two factors, an agent card).
	ErrLevelUnreachable = errors.New("franceconnect: no required level is reachable")
	// ErrPublicAgentsOnly is matched by the *ProviderError of ProConnect's
	// Y500015: the service is registered for public agents only and the
	// agent belongs to a private organisation. Tell the agent; if the
	// service must admit the private sector, ask ProConnect to change its
	// registration.
	ErrPublicAgentsOnly = errors.New("franceconnect: the service admits public agents only")
	// ErrProviderSessionLost is matched by the *ProviderError of
	// ProConnect's Y030110: ProConnect found no session cookie (cookies
	// blocked, a login left open too long). Ask the agent to start again.
	ErrProviderSessionLost = errors.New("franceconnect: the provider lost its session")
	// ErrServiceMisconfigured is matched by the *ProviderError of the
	// ProConnect codes that blame the service's request or registration:
	// Y000400 (bad parameter), Y000404 (unknown route), Y030031
	// (redirect_uri not registered), Y030111 (post_logout_redirect_uri not
	// registered), Y04A586 (service configuration). Fix the configuration;
	// tell the agent the service has a technical problem.
	ErrServiceMisconfigured = errors.New("franceconnect: the provider refused the service's configuration")

	// ErrAgentRefused is matched by the *AgentRefusedError of
	// AgentPolicy.Check: the agent signed in, but the service's own access
	// policy (e-mail domain, identity provider, SIRET, SIREN, roles) does
	// not admit them.
	ErrAgentRefused = errors.New("franceconnect: agent not admitted by the access policy")
)

// prefix starts every error message of the package, once.
const prefix = "franceconnect: "

// errorf is fmt.Errorf for the package's errors: the message names the
// package once, the wrapped errors' own prefix being dropped, so that a
// discovery failure reads "franceconnect: discovery failed: HTTP request
// failed: …". errors.Is and errors.As see every wrapped error.
func errorf(format string, args ...any) error {
	err := fmt.Errorf(format, args...)
	return &prefixed{msg: prefix + strings.ReplaceAll(err.Error(), prefix, ""), err: err}
}

// prefixed is an error with its message rewritten by errorf.
type prefixed struct {
	msg string
	err error
}

func (e *prefixed) Error() string { return e.msg }
func (e *prefixed) Unwrap() error { return e.err }

// wrap joins a category and a detail, which may wrap more errors.
func wrap(category error, detail string, args ...any) error {
	return errorf("%w: "+detail, append([]any{category}, args...)...)
}

// tokenError wraps a token check failure in the token category (id_token or
// userinfo) and the specific check sentinel.
func tokenError(category, check error, detail string, args ...any) error {
	return errorf("%w: %w: "+detail, append([]any{category, check}, args...)...)
}
