package fcdata

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/go-franceconnect/franceconnect"
	"github.com/go-franceconnect/franceconnect/internal/wire"
)

// Defaults applied to zero Config fields.
const (
	// DefaultCacheSize is the number of answers kept.
	DefaultCacheSize = 10_000
	// DefaultCacheTTL is the longest an active answer is reused: a token
	// revoked meanwhile is accepted that long at most. An answer is never
	// kept past its token's expiry.
	DefaultCacheTTL = time.Minute
	// inactiveTTL is how long an inactive answer is reused: a token never
	// comes back to life, this only bounds a flood of bad tokens.
	inactiveTTL = 10 * time.Second
	// keyCooldown is the least time between two fetches of the platform's
	// keys caused by an unknown kid.
	keyCooldown = 30 * time.Second
)

// Config describes one data provider's registration on one platform and
// environment. New validates and copies it.
type Config struct {
	// Environment is a preset of the franceconnect package
	// (franceconnect.FCPlusProduction, FCSandbox, PCProduction, …). Exactly
	// one of Environment and Issuer must be set.
	Environment franceconnect.Environment
	// Issuer is a custom issuer URL, for an emulator such as fctest: https,
	// except on a loopback host.
	Issuer string
	// Platform is the platform of a custom Issuer; zero is
	// FranceConnectPlus. With Environment it must be zero or match.
	Platform franceconnect.Platform

	// ClientID is the data provider's client_id. Required.
	ClientID string
	// ClientSecret is its client_secret, at least 32 characters. Required.
	ClientSecret franceconnect.Secret
	// DecryptionKeys are the private keys whose public part the data
	// provider publishes at its registered jwks_uri (serve them with
	// franceconnect.KeysHandler): FranceConnect and FranceConnect+ encrypt
	// every checktoken answer to them. Required there; ProConnect, which
	// does not encrypt, refuses them.
	DecryptionKeys []franceconnect.Key
	// SigningAlg is the algorithm registered for the answer's signature
	// (checktoken_signed_response_alg, introspection_signed_response_alg):
	// ES256 or RS256 (ES256 only on FranceConnect+), or on ProConnect HS256,
	// keyed by ClientSecret. Any other algorithm is refused. Zero: ES256 on
	// FranceConnect and FranceConnect+; on ProConnect, plain JSON answers.
	SigningAlg string
	// Scopes are required of every request by the middleware, on top of
	// each route's. Zero: only the route's.
	Scopes []string
	// Clients are the client_ids of the service providers this data
	// provider serves: a token issued to another one is inactive. Zero:
	// every service provider the platform lets through (it filters by
	// DataPass already).
	Clients []string
	// InsecureAcceptUnverifiedCheckToken accepts, on FranceConnect+ only, a
	// checktoken answer whose signature does not verify although it passed
	// every other check (framing, algorithms, a kid among the platform's
	// keys, iss, aud, iat), on the strength of TLS: it came over HTTPS from
	// the configured issuer in answer to an authenticated request. The
	// platform's signature of these answers has been reported broken since
	// its HSM release of late 2025 (DATA-PROVIDERS.md §2). Each such answer
	// is logged. Zero: a bad signature fails (ErrSignature), as it should.
	InsecureAcceptUnverifiedCheckToken bool

	// HTTPClient performs every request to the platform. Zero: a client with
	// franceconnect.DefaultHTTPTimeout that does not follow redirects, on a
	// transport that keeps franceconnect.DefaultMaxIdleConnsPerHost idle
	// connections to the platform (net/http's default keeps 2: a busy API
	// would open a TLS connection for most checks).
	HTTPClient *http.Client
	// CacheSize bounds the answers kept, by a keyed hash of the token.
	// Zero: DefaultCacheSize; negative: no cache.
	CacheSize int
	// CacheTTL is the longest an active answer is reused, never past the
	// token's expiry. Zero: DefaultCacheTTL. At most 10 minutes.
	CacheTTL time.Duration
	// Leeway is the clock skew tolerated on exp and iat. Zero:
	// franceconnect.DefaultLeeway. At most one minute.
	Leeway time.Duration
	// MaxResponseBytes bounds each answer. Zero:
	// franceconnect.DefaultMaxResponseBytes.
	MaxResponseBytes int64
	// Now returns the current time. Zero: time.Now.
	Now func() time.Time
	// Logger receives events without tokens or personal data: answers
	// fetched, unverified answers accepted, failures by category. Zero:
	// nothing is logged.
	Logger *slog.Logger

	env map[string]string // Config field → variable, from ConfigFromEnv
}

// problems gathers every problem of a Config.
type problems struct {
	env    map[string]string
	errs   []error
	fields []string
}

func (p *problems) add(field, format string, args ...any) {
	p.errs = append(p.errs, fmt.Errorf(p.name(field)+": "+format, args...))
	p.fields = append(p.fields, field)
}

// required reports a required field left empty, unless it has a problem
// already (a key file that could not be read).
func (p *problems) required(field, why string) {
	if !slices.Contains(p.fields, field) {
		p.errs = append(p.errs, fmt.Errorf("%s is required: %s", p.name(field), why))
	}
}

// name is the field, with its variable when it came from the environment.
func (p *problems) name(field string) string {
	if v := p.env[field]; v != "" {
		return field + " (" + v + ")"
	}
	return field
}

func (p *problems) err() error {
	switch len(p.errs) {
	case 0:
		return nil
	case 1:
		return errorf("%w: %w", ErrConfig, p.errs[0])
	}
	return errorf("%w: %d problems:\n%w", ErrConfig, len(p.errs), errors.Join(p.errs...))
}

// settings is a validated Config.
type settings struct {
	issuer, clientID string
	platform         franceconnect.Platform
	secret           franceconnect.Secret
	keys             []franceconnect.Key
	encAlgs          []string
	sigAlg           string
	scopes, clients  []string
	insecure         bool
	http             *http.Client
	cacheSize        int
	cacheTTL, leeway time.Duration
	maxBody          int64
	now              func() time.Time
	log              *slog.Logger
}

// validate checks every field of cfg, adding to p what is wrong.
func validate(cfg Config, p *problems) *settings {
	s := &settings{clientID: cfg.ClientID, secret: cfg.ClientSecret, keys: slices.Clone(cfg.DecryptionKeys),
		sigAlg: cfg.SigningAlg, scopes: slices.Clone(cfg.Scopes), clients: slices.Clone(cfg.Clients),
		insecure: cfg.InsecureAcceptUnverifiedCheckToken, http: cfg.HTTPClient, cacheSize: cfg.CacheSize,
		cacheTTL: cfg.CacheTTL, leeway: cfg.Leeway, maxBody: cfg.MaxResponseBytes, now: cfg.Now, log: cfg.Logger}
	s.setIssuer(cfg, p)
	s.setCredentials(p)
	s.setAlgorithms(p)
	s.setDefaults(p)
	return s
}

func (s *settings) setIssuer(cfg Config, p *problems) {
	switch {
	case cfg.Environment != "" && cfg.Issuer != "":
		p.add("Issuer", "exclusive with Environment %q: set one of them", cfg.Environment)
	case cfg.Environment != "":
		s.issuer, s.platform = cfg.Environment.Issuer(), cfg.Environment.Platform()
		if s.issuer == "" {
			p.add("Environment", "unknown preset %q", cfg.Environment)
		} else if cfg.Platform != franceconnect.FranceConnectPlus && cfg.Platform != s.platform {
			p.add("Platform", "%v does not match Environment %q, which is %v", cfg.Platform, cfg.Environment, s.platform)
		}
	case cfg.Issuer != "":
		if err := wire.CheckURL(cfg.Issuer); err != nil {
			p.add("Issuer", "%q %v", cfg.Issuer, err)
		}
		s.issuer, s.platform = strings.TrimSuffix(cfg.Issuer, "/"), cfg.Platform
		if s.platform < franceconnect.FranceConnectPlus || s.platform > franceconnect.ProConnect {
			p.add("Platform", "unknown value %d", int(s.platform))
		}
	default:
		p.required("Environment", "name a preset, or set Issuer for a local emulator")
	}
}

func (s *settings) setCredentials(p *problems) {
	if strings.TrimSpace(s.clientID) == "" {
		p.required("ClientID", "the data provider's client_id")
	}
	switch secret := string(s.secret); {
	case secret == "":
		p.required("ClientSecret", "the data provider's client_secret")
	case strings.TrimSpace(secret) != secret:
		p.add("ClientSecret", "starts or ends with whitespace (a newline read from a file?)")
	case len(secret) < franceconnect.MinClientSecretLength:
		p.add("ClientSecret", "%d characters: the platforms issue at least %d", len(secret), franceconnect.MinClientSecretLength)
	}
	for _, sc := range slices.Concat(s.scopes, s.clients) {
		if !wire.IsScopeToken(sc) {
			p.add("Scopes", "%q is not a scope or client_id (no spaces, quotes or backslashes)", sc)
		}
	}
}

func (s *settings) setAlgorithms(p *problems) {
	allowed := signingAlgs(s.platform)
	if s.sigAlg == "" && s.platform != franceconnect.ProConnect {
		s.sigAlg = "ES256"
	}
	if s.sigAlg != "" && !slices.Contains(allowed, s.sigAlg) {
		p.add("SigningAlg", "%q is not allowed on %v (allowed: %s)", s.sigAlg, s.platform, strings.Join(allowed, ", "))
	}
	if s.insecure && s.platform != franceconnect.FranceConnectPlus {
		p.add("InsecureAcceptUnverifiedCheckToken", "applies to FranceConnect+ only, whose checktoken signature is reported broken")
	}
	s.setKeys(p)
}

func (s *settings) setKeys(p *problems) {
	switch {
	case s.platform == franceconnect.ProConnect && len(s.keys) > 0:
		p.add("DecryptionKeys", "ProConnect does not encrypt introspection answers: remove the keys")
	case s.platform != franceconnect.ProConnect && len(s.keys) == 0:
		p.required("DecryptionKeys", s.platform.String()+" encrypts every checktoken answer to the keys published at your jwks_uri")
	case len(s.keys) > 0:
		if _, err := franceconnect.PublicJWKS(s.keys); err != nil {
			p.add("DecryptionKeys", "%s", strings.TrimPrefix(err.Error(), "franceconnect: invalid configuration: "))
		}
	}
	for i, k := range s.keys {
		if !slices.Contains(s.encAlgs, k.Algorithm) {
			s.encAlgs = append(s.encAlgs, k.Algorithm)
		}
		s.keys[i].Private = decryptionKey(k) // once, not at each answer
	}
}

func (s *settings) setDefaults(p *problems) {
	switch {
	case s.cacheSize == 0:
		s.cacheSize = DefaultCacheSize
	case s.cacheSize < 0:
		s.cacheSize = 0
	}
	switch {
	case s.cacheTTL == 0:
		s.cacheTTL = DefaultCacheTTL
	case s.cacheTTL < 0 || s.cacheTTL > 10*time.Minute:
		p.add("CacheTTL", "%v is outside [0, 10m]", s.cacheTTL)
	}
	switch {
	case s.leeway == 0:
		s.leeway = franceconnect.DefaultLeeway
	case s.leeway < 0 || s.leeway > time.Minute:
		p.add("Leeway", "%v is outside [0, 1m]", s.leeway)
	}
	switch {
	case s.maxBody == 0:
		s.maxBody = franceconnect.DefaultMaxResponseBytes
	case s.maxBody < 4096:
		p.add("MaxResponseBytes", "%d is below 4096", s.maxBody)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.http == nil {
		s.http = defaultHTTPClient()
	}
	limited := *s.http
	limited.Transport = wire.LimitTransport{Base: s.http.Transport, Max: s.maxBody}
	s.http = &limited
}
