package franceconnect

import (
	"context"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	gojose "github.com/go-jose/go-jose/v4"

	"github.com/go-franceconnect/franceconnect/internal/jose"
	"github.com/go-franceconnect/franceconnect/internal/wire"
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
	// ACR is the eIDAS level requested by default. Zero: eidas2 on
	// FranceConnect+, eidas1 on FranceConnect. eidas1 is refused on
	// FranceConnect+, eidas2 and eidas3 on FranceConnect.
	ACR ACR

	// DecryptionKeys are the FS private keys whose public part is published
	// at the registered "Client keys URL". Required on FranceConnect+; on
	// FranceConnect, setting them accepts encrypted tokens as well.
	DecryptionKeys []Key
	// SigningAlgs are the JWS algorithms accepted from the provider. Zero:
	// ES256 on FranceConnect+, ES256 and RS256 on FranceConnect. Only these
	// two exist; RS256 is refused on FranceConnect+.
	SigningAlgs []string

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
	encrypted bool // a bare JWS is refused
	sigAlgs   []string
	encAlgs   []string
	decKeys   []decKey
	// The same allow-lists, typed for go-jose.
	joseSigAlgs []gojose.SignatureAlgorithm
	joseKeyAlgs []gojose.KeyAlgorithm
	http        *http.Client
	tokenHTTP   *http.Client // http that also refuses non-JSON token answers
	leeway      time.Duration
	maxBody     int64
	now         func() time.Time
	log         *slog.Logger

	discovery *discoveryCache
	keys      *keyCache
}

// New validates cfg, fetches the provider's discovery document and keys, and
// returns a ready Client. Configuration errors wrap ErrConfig and name the
// field; provider errors wrap ErrDiscovery or ErrProviderKeys.
func New(ctx context.Context, cfg Config) (*Client, error) {
	c, err := newClient(cfg)
	if err != nil {
		return nil, err
	}
	c.discovery = newDiscoveryCache(c)
	if err := c.discovery.init(ctx); err != nil {
		return nil, err
	}
	c.keys = newKeyCache(c, cfg.KeyRefreshCooldown)
	if err := c.keys.init(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

// newClient validates and copies cfg; it does no I/O.
func newClient(cfg Config) (*Client, error) {
	c := &Client{
		clientID: cfg.ClientID, secret: cfg.ClientSecret,
		redirect: cfg.RedirectURL, logout: cfg.PostLogoutRedirectURL,
		scopes: slices.Clone(cfg.Scopes), acr: cfg.ACR,
		leeway: cfg.Leeway, maxBody: cfg.MaxResponseBytes,
		now: cfg.Now, log: cfg.Logger,
	}
	steps := []func(*Config) error{c.setIssuer, c.setCredentials, c.setURLs, c.setScopes, c.setACR, c.setAlgorithms, c.setDefaults, c.setHTTP}
	for _, step := range steps {
		if err := step(&cfg); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func (c *Client) setIssuer(cfg *Config) error {
	switch {
	case cfg.Environment != "" && cfg.Issuer != "":
		return wrap(ErrConfig, "Environment and Issuer are exclusive")
	case cfg.Environment != "":
		p, ok := cfg.Environment.preset()
		if !ok {
			return wrap(ErrConfig, "Environment: unknown preset %q", cfg.Environment)
		}
		if cfg.Platform != FranceConnectPlus && cfg.Platform != p.platform {
			return wrap(ErrConfig, "Platform: %v does not match Environment %q", cfg.Platform, cfg.Environment)
		}
		c.issuer, c.platform = p.issuer, p.platform
	case cfg.Issuer != "":
		if err := checkURL("Issuer", cfg.Issuer); err != nil {
			return err
		}
		if cfg.Platform != FranceConnectPlus && cfg.Platform != FranceConnect {
			return wrap(ErrConfig, "Platform: unknown value %d", int(cfg.Platform))
		}
		c.issuer, c.platform = strings.TrimSuffix(cfg.Issuer, "/"), cfg.Platform
	default:
		return wrap(ErrConfig, "Environment or Issuer is required")
	}
	return nil
}

func (c *Client) setCredentials(cfg *Config) error {
	if strings.TrimSpace(cfg.ClientID) == "" {
		return wrap(ErrConfig, "ClientID is required")
	}
	if cfg.ClientSecret == "" {
		return wrap(ErrConfig, "ClientSecret is required")
	}
	return nil
}

func (c *Client) setURLs(cfg *Config) error {
	if err := checkURL("RedirectURL", cfg.RedirectURL); err != nil {
		return err
	}
	return checkURL("PostLogoutRedirectURL", cfg.PostLogoutRedirectURL)
}

func (c *Client) setScopes(cfg *Config) error { return checkScopes("Scopes", cfg.Scopes) }

func (c *Client) setACR(cfg *Config) error {
	if c.acr == "" {
		c.acr = c.platform.defaultACR()
	}
	if err := c.platform.checkACR(c.acr); err != nil {
		return wrap(ErrConfig, "ACR: %v", err)
	}
	return nil
}

func (c *Client) setAlgorithms(cfg *Config) error {
	allowed := []string{jose.ES256}
	if c.platform == FranceConnect {
		allowed = append(allowed, jose.RS256)
	}
	c.sigAlgs = allowed
	if len(cfg.SigningAlgs) > 0 {
		for _, a := range cfg.SigningAlgs {
			if !slices.Contains(allowed, a) {
				return wrap(ErrConfig, "SigningAlgs: %q is not allowed on %v (allowed: %s)", a, c.platform, strings.Join(allowed, ", "))
			}
		}
		c.sigAlgs = slices.Compact(slices.Sorted(slices.Values(cfg.SigningAlgs)))
	}
	c.encrypted = c.platform == FranceConnectPlus
	if c.encrypted && len(cfg.DecryptionKeys) == 0 {
		return wrap(ErrConfig, "DecryptionKeys: required on %v, which encrypts every token", c.platform)
	}
	keys, err := decryptionKeys(cfg.DecryptionKeys)
	if err != nil {
		return err
	}
	c.decKeys = keys
	for _, k := range keys {
		if !slices.Contains(c.encAlgs, k.alg) {
			c.encAlgs = append(c.encAlgs, k.alg)
			c.joseKeyAlgs = append(c.joseKeyAlgs, gojose.KeyAlgorithm(k.alg))
		}
	}
	for _, a := range c.sigAlgs {
		c.joseSigAlgs = append(c.joseSigAlgs, gojose.SignatureAlgorithm(a))
	}
	return nil
}

func (c *Client) setDefaults(cfg *Config) error {
	switch {
	case c.leeway == 0:
		c.leeway = DefaultLeeway
	case c.leeway < 0 || c.leeway > time.Minute:
		return wrap(ErrConfig, "Leeway: %v is outside [0, 1m]", c.leeway)
	}
	switch {
	case c.maxBody == 0:
		c.maxBody = DefaultMaxResponseBytes
	case c.maxBody < 4096:
		return wrap(ErrConfig, "MaxResponseBytes: %d is below 4096", c.maxBody)
	}
	if cfg.KeyRefreshCooldown < 0 {
		return wrap(ErrConfig, "KeyRefreshCooldown: negative")
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	return nil
}

// Issuer returns the issuer URL in use.
func (c *Client) Issuer() string { return c.issuer }

// Platform returns the platform whose rules apply.
func (c *Client) Platform() Platform { return c.platform }

// ClientID returns the configured client_id.
func (c *Client) ClientID() string { return c.clientID }

// checkURL enforces FranceConnect's rules on a configured URL: absolute, no
// fragment, no user info, https except on a loopback host.
func checkURL(field, raw string) error {
	if raw == "" {
		return wrap(ErrConfig, "%s is required", field)
	}
	if err := wire.CheckURL(raw); err != nil {
		return wrap(ErrConfig, "%s: %v", field, err)
	}
	return nil
}

func checkScopes(field string, scopes []string) error {
	if !slices.Contains(scopes, "openid") {
		return wrap(ErrConfig, "%s must include \"openid\"", field)
	}
	for _, s := range scopes {
		if !wire.IsScopeToken(s) {
			return wrap(ErrConfig, "%s: invalid scope %q", field, s)
		}
	}
	return nil
}

// RedirectURL returns the configured redirect_uri: the callback URL whose
// path a web layer such as fchttp serves.
func (c *Client) RedirectURL() string { return c.redirect }

// PostLogoutRedirectURL returns the configured post_logout_redirect_uri:
// the URL FranceConnect sends the browser back to after logout.
func (c *Client) PostLogoutRedirectURL() string { return c.logout }
