package franceconnect

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	gojose "github.com/go-jose/go-jose/v4"
)

// Defaults applied by New to zero Config fields.
const (
	// DefaultLeeway is the clock skew tolerated on exp and iat. FranceConnect
	// tokens live 60 s, so the leeway stays small.
	DefaultLeeway = 10 * time.Second
	// DefaultKeyRefreshCooldown is the minimum time between two fetches of the
	// provider JWKS triggered by unknown kids.
	DefaultKeyRefreshCooldown = 30 * time.Second
	// DefaultHTTPTimeout is the timeout of the default HTTP client.
	DefaultHTTPTimeout = 10 * time.Second
	// DefaultMaxResponseBytes is the largest response body read from the provider.
	DefaultMaxResponseBytes = 1 << 20
)

// Config describes one service provider (FS) registration on one
// FranceConnect platform and environment. New validates it and copies it.
type Config struct {
	// Environment is a preset (FCPlusIntegration, FCPlusProduction,
	// FCIntegration, FCSandbox, FCProduction). Exactly one of Environment and
	// Issuer must be set.
	Environment Environment
	// Issuer is a custom issuer URL, for local emulators such as fctest. It
	// must be https, except on a loopback host (127.0.0.0/8, ::1, localhost).
	Issuer string
	// Platform is the platform of a custom Issuer; zero is FranceConnectPlus.
	// It must be left zero or match when Environment is set.
	Platform Platform

	// ClientID is the client_id given by FranceConnect. Required.
	ClientID string
	// ClientSecret is the client_secret given by FranceConnect. Required.
	ClientSecret Secret
	// RedirectURL is the registered redirect_uri of the callback. Required:
	// absolute, no fragment, https except on loopback.
	RedirectURL string
	// PostLogoutRedirectURL is the registered post_logout_redirect_uri.
	// Required, with the same rules as RedirectURL.
	PostLogoutRedirectURL string
	// Scopes are requested by default; they must include "openid" and be
	// granted to the FS (Datapass). Required.
	Scopes []string
	// ACR is the eIDAS level requested by default, and the floor of every
	// login: a login may ask for a higher level (AuthRequest.ACR), never a
	// lower one (ErrLevelOutsidePolicy), and the returned acr must reach it.
	// Zero: eidas2 on FranceConnect+, eidas1 on FranceConnect. eidas1 is
	// refused on FranceConnect+, eidas2 and eidas3 on FranceConnect.
	// ProConnect takes AcceptedACRs instead.
	ACR ACR
	// AcceptedACRs are the ProConnect levels the service accepts: every
	// returned acr must be one of them, whatever the login asked. A login
	// requires them (an essential acr claim) unless PreferredACRs is set; it
	// may require a subset (AuthRequest.AcceptedACRs), never a level outside
	// them (ErrLevelOutsidePolicy). See ProConnectWithMFA and the other
	// helpers. Zero: any level, and none required. ProConnect only.
	AcceptedACRs []ACR
	// PreferredACRs are ProConnect levels that logins prefer without
	// requiring them: they are sent as a non-essential acr claim, so that
	// ProConnect offers them (two factors, say) and still signs in an agent
	// who cannot reach them; the returned acr is checked against
	// AcceptedACRs. They must be among AcceptedACRs. Moving from "prefer
	// two factors" to "require two factors" is moving ProConnectWithMFA()
	// from this field to AcceptedACRs. Zero: logins require AcceptedACRs.
	// ProConnect only.
	PreferredACRs []ACR
	// MaxAuthAge is the oldest authentication a login accepts: the id_token's
	// auth_time must be present and at most MaxAuthAge before the login
	// started (plus the Leeway), else the login fails with
	// ErrStaleAuthentication. No platform implements max_age, so nothing is
	// sent: a ProConnect session reused from longer ago fails (FranceConnect
	// and FranceConnect+ date auth_time at each login's interaction), and a
	// login with prompt=login gets a new authentication (fchttp retries once
	// that way). Refresh does not apply it. Zero: no limit. At least one
	// minute.
	MaxAuthAge time.Duration

	// DecryptionKeys are the FS private keys whose public part is published
	// at the registered "Client keys URL". Required on FranceConnect+; on
	// FranceConnect, setting them accepts encrypted tokens as well.
	DecryptionKeys []Key
	// SigningAlgs are the JWS algorithms accepted from the provider: the one
	// the FS registered (id_token_signed_response_alg). Zero: the platform's
	// default registration, ES256 on FranceConnect+ and FranceConnect (where
	// it is the recommended one), RS256 on ProConnect (what new services
	// get); a token signed with another algorithm is refused, with an error
	// that says to set this field (FC_SIGNING_ALG). RS256 is refused on
	// FranceConnect+; HS256, keyed by the client secret, is accepted on
	// ProConnect only, and only when listed here (ProConnect marks it "not
	// recommended").
	SigningAlgs []string
	// UserInfo is the form of the userinfo answer: UserInfoJWT (zero), a
	// signed JWT, or UserInfoJSON, plain JSON, which ProConnect sends to an FS
	// that registered no userinfo signing algorithm. An FS configured for a
	// signed userinfo refuses JSON. FranceConnect and FranceConnect+ always
	// sign it.
	UserInfo UserInfoFormat

	// HTTPClient performs every request, as given. Zero: a client with
	// DefaultHTTPTimeout that does not follow redirects, on a transport tuned
	// for many logins at once (MaxIdleConnsPerHost idle connections, HTTP/2
	// attempted, TLS 1.2 at least, DefaultDialTimeout,
	// DefaultTLSHandshakeTimeout, DefaultResponseHeaderTimeout,
	// DefaultIdleConnTimeout, keep-alives). For the same behaviour with your
	// own client, set those on its *http.Transport (net/http's default keeps
	// only 2 idle connections per host), a Timeout, and a CheckRedirect that
	// returns http.ErrUseLastResponse.
	HTTPClient *http.Client
	// MaxIdleConnsPerHost is the number of idle connections to FranceConnect
	// the default HTTP client keeps for reuse: size it for the logins in
	// progress at your peak. Zero: DefaultMaxIdleConnsPerHost. It must stay
	// zero when HTTPClient is set.
	MaxIdleConnsPerHost int
	// Leeway is the clock skew tolerated on exp and iat. Zero: DefaultLeeway.
	// At most one minute.
	Leeway time.Duration
	// KeyRefreshCooldown is the minimum time between two provider JWKS fetches
	// caused by unknown kids. Zero: DefaultKeyRefreshCooldown.
	KeyRefreshCooldown time.Duration
	// MaxResponseBytes limits every response body. Zero: DefaultMaxResponseBytes.
	MaxResponseBytes int64
	// Now returns the current time. Zero: time.Now.
	Now func() time.Time
	// Logger receives debugging events without personal data or tokens.
	// Zero: nothing is logged.
	Logger *slog.Logger

	// env maps the fields ConfigFromEnv read to their variables, so that
	// configuration errors name both.
	env map[string]string
}

// Client talks to one FranceConnect issuer for one FS. It is immutable after
// New and safe for concurrent use; its caches guard themselves.
type Client struct {
	issuer    string
	platform  Platform
	clientID  string
	secret    Secret
	redirect  string
	logout    string
	scopes    []string
	acr       ACR
	levels    []ACR // ProConnect: the levels accepted by default
	preferred []ACR // ProConnect: the levels logins prefer (non-essential)
	jsonInfo  bool  // ProConnect: the userinfo is plain JSON
	encrypted bool  // a bare JWS is refused
	sigAlgs   []string
	encAlgs   []string
	decKeys   []decKey
	// The same allow-lists, typed for go-jose.
	joseSigAlgs []gojose.SignatureAlgorithm
	joseKeyAlgs []gojose.KeyAlgorithm
	http        *http.Client
	tokenHTTP   *http.Client // http that also refuses non-JSON token answers
	leeway      time.Duration
	maxAge      time.Duration // Config.MaxAuthAge
	maxBody     int64
	now         func() time.Time
	log         *slog.Logger
	env         map[string]string // Config field → environment variable, for SettingError

	discovery *discoveryCache
	keys      *keyCache
}

// New validates cfg, fetches the provider's discovery document and keys, and
// returns a ready Client. Configuration errors wrap ErrConfig and name the
// field, among them a scope the provider does not publish in its discovery
// document (scopes_supported); provider errors wrap ErrDiscovery or
// ErrProviderKeys.
func New(ctx context.Context, cfg Config) (*Client, error) {
	c, err := newClient(cfg)
	if err != nil {
		return nil, err
	}
	c.discovery = newDiscoveryCache(c)
	if err := c.discovery.init(ctx); err != nil {
		return nil, err
	}
	if err := checkPublished(c.platform, c.scopes, c.doc().ScopesSupported); err != nil {
		p := &problems{env: cfg.env}
		p.add("Scopes", "%v", err)
		return nil, p.err()
	}
	c.keys = newKeyCache(c, cfg.KeyRefreshCooldown)
	if err := c.keys.init(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

// Issuer returns the issuer URL in use.
func (c *Client) Issuer() string { return c.issuer }

// Platform returns the platform whose rules apply.
func (c *Client) Platform() Platform { return c.platform }

// ClientID returns the configured client_id.
func (c *Client) ClientID() string { return c.clientID }

// RedirectURL returns the configured redirect_uri: the callback URL whose
// path a web layer such as fchttp serves.
func (c *Client) RedirectURL() string { return c.redirect }

// PostLogoutRedirectURL returns the configured post_logout_redirect_uri:
// the URL FranceConnect sends the browser back to after logout.
func (c *Client) PostLogoutRedirectURL() string { return c.logout }
