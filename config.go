package franceconnect

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"time"

	gojose "github.com/go-jose/go-jose/v4"

	"github.com/go-franceconnect/franceconnect/internal/wire"
)

// MinClientSecretLength is the length of the shortest client secret
// FranceConnect accepts (spec §11.1, §13): printable ASCII characters.
const MinClientSecretLength = 32

// problems gathers what is wrong with a Config, so that New and
// ConfigFromEnv report every problem at once, each naming the Config field
// and, for a Config from ConfigFromEnv, its environment variable.
type problems struct {
	env    map[string]string // Config field → environment variable
	errs   []error
	fields []string
}

// name is the field, followed by its variable when it came from the
// environment.
func (p *problems) name(field string) string {
	if v := p.env[field]; v != "" {
		return field + " (" + v + ")"
	}
	return field
}

func (p *problems) add(field, format string, args ...any) {
	p.errs = append(p.errs, fmt.Errorf(p.name(field)+": "+format, args...))
	p.fields = append(p.fields, field)
}

// unset reports a required field left empty, and why it is required.
func (p *problems) unset(field, why string) {
	if v := p.env[field]; v != "" {
		p.errs = append(p.errs, fmt.Errorf("%s: %s is not set: %s", field, v, why))
	} else {
		p.errs = append(p.errs, fmt.Errorf("%s is required: %s", field, why))
	}
	p.fields = append(p.fields, field)
}

func (p *problems) has(field string) bool { return slices.Contains(p.fields, field) }

// detail is the message of a configuration error without its category,
// for an error reported as one of the problems.
func detail(err error) string { return strings.TrimPrefix(err.Error(), ErrConfig.Error()+": ") }

// addAll adds the problems of err, a configuration error, under field:
// each problem of a *ConfigError on its own, so that the count stays true.
func (p *problems) addAll(field string, err error, format string, args ...any) {
	var ce *ConfigError
	if !errors.As(err, &ce) {
		p.add(field, format+"%s", append(args, detail(err))...)
		return
	}
	for _, e := range ce.Problems {
		p.add(field, format+"%s", append(args, strings.TrimPrefix(detail(e), field+": "))...)
	}
}

// err returns nil, or a *ConfigError holding every problem.
func (p *problems) err() error {
	if len(p.errs) == 0 {
		return nil
	}
	return &ConfigError{Problems: slices.Clone(p.errs)}
}

// ConfigError is the error of New and ConfigFromEnv (and of
// fchttp.NewFromEnv) for a configuration that cannot work: every problem
// found at once, each naming the Config field and, for a Config from the
// environment, its variable. errors.Is(err, ErrConfig) holds; the other
// functions of the package report a configuration error by wrapping
// ErrConfig.
type ConfigError struct {
	// Problems are the problems found, one error each, in the order of
	// the Config's fields.
	Problems []error
}

// Error lists the problems, one a line after a count when there are
// several: "franceconnect: invalid configuration: 2 problems:\n…\n…".
func (e *ConfigError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = strings.TrimPrefix(detail(p), prefix)
	}
	if len(lines) == 1 {
		return ErrConfig.Error() + ": " + lines[0]
	}
	return fmt.Sprintf("%s: %d problems:\n%s", ErrConfig, len(lines), strings.Join(lines, "\n"))
}

// Is reports whether target is ErrConfig.
func (e *ConfigError) Is(target error) bool { return target == ErrConfig }

// Unwrap returns the problems, for errors.Is and errors.As.
func (e *ConfigError) Unwrap() []error { return e.Problems }

// newClient validates and copies cfg; it does no I/O.
func newClient(cfg Config) (*Client, error) {
	p := &problems{env: cfg.env}
	c := validate(cfg, p)
	if err := p.err(); err != nil {
		return nil, err
	}
	return c, nil
}

// validate checks every field of cfg, adding what is wrong to p, and returns
// the Client it describes.
func validate(cfg Config, p *problems) *Client {
	c := &Client{
		clientID: cfg.ClientID, secret: cfg.ClientSecret,
		redirect: cfg.RedirectURL, logout: cfg.PostLogoutRedirectURL,
		scopes: slices.Clone(cfg.Scopes), acr: cfg.ACR,
		leeway: cfg.Leeway, maxBody: cfg.MaxResponseBytes,
		now: cfg.Now, log: cfg.Logger, env: cfg.env,
	}
	for _, step := range []func(*Config, *problems){c.setIssuer, c.setCredentials, c.setURLs, c.setScopes,
		c.setACR, c.setPolicy, c.setAlgorithms, c.setDefaults, c.setHTTP} {
		step(&cfg, p)
	}
	return c
}

func (c *Client) setIssuer(cfg *Config, p *problems) {
	switch {
	case cfg.Environment != "" && cfg.Issuer != "":
		p.add("Issuer", "exclusive with Environment %q: set one of them", cfg.Environment)
	case cfg.Environment != "":
		pr, ok := cfg.Environment.preset()
		if !ok {
			p.add("Environment", "unknown preset %q (want %s)", cfg.Environment, strings.Join(environmentNames(), ", "))
			return
		}
		if cfg.Platform != FranceConnectPlus && cfg.Platform != pr.platform {
			p.add("Platform", "%v does not match Environment %q, which is %v", cfg.Platform, cfg.Environment, pr.platform)
		}
		c.issuer, c.platform = pr.issuer, pr.platform
	case cfg.Issuer != "":
		checkURL(p, "Issuer", cfg.Issuer)
		if cfg.Platform != FranceConnectPlus && cfg.Platform != FranceConnect && cfg.Platform != ProConnect {
			p.add("Platform", "unknown value %d", int(cfg.Platform))
		}
		c.issuer, c.platform = strings.TrimSuffix(cfg.Issuer, "/"), cfg.Platform
	default:
		p.unset("Environment", "name a preset ("+strings.Join(environmentNames(), ", ")+"), or set Issuer for a local emulator")
	}
}

func (c *Client) setCredentials(cfg *Config, p *problems) {
	if strings.TrimSpace(cfg.ClientID) == "" {
		p.unset("ClientID", "the client_id FranceConnect gave you")
	}
	s := string(cfg.ClientSecret)
	switch {
	case s == "":
		p.unset("ClientSecret", "the client_secret FranceConnect gave you")
	case strings.TrimSpace(s) != s:
		p.add("ClientSecret", "starts or ends with whitespace (a newline read from a file?): copy the secret exactly")
	case len(s) < MinClientSecretLength:
		p.add("ClientSecret", "%d characters: FranceConnect issues secrets of at least %d printable ASCII characters; check that the whole secret was copied", len(s), MinClientSecretLength)
	case !wire.IsScopeToken(s):
		p.add("ClientSecret", "holds characters other than printable ASCII: FranceConnect secrets have none; check its encoding")
	}
}

// setURLs checks the redirect URLs. A preset that refuses http and
// loopback hosts is told first, so that an http URL on a public host is
// not answered with the rule of custom issuers (http allowed on loopback).
func (c *Client) setURLs(cfg *Config, p *problems) {
	for _, u := range []struct{ field, value string }{
		{"RedirectURL", cfg.RedirectURL}, {"PostLogoutRedirectURL", cfg.PostLogoutRedirectURL},
	} {
		parsed, err := url.Parse(u.value)
		if u.value == "" || err != nil || !cfg.Environment.refusesLoopback() {
			checkURL(p, u.field, u.value)
			continue
		}
		switch http, loopback := parsed.Scheme == "http", wire.IsLoopback(parsed.Hostname()); {
		case http && loopback:
			p.add(u.field, "%q: %s refuses http and loopback hosts such as localhost; register a public https URL (or use fctest locally, with Issuer)", u.value, cfg.Environment)
		case http:
			p.add(u.field, "%q: %s requires https: register the https URL", u.value, cfg.Environment)
		case loopback:
			p.add(u.field, "%q: %s refuses loopback hosts such as localhost; register a public https URL (or use fctest locally, with Issuer)", u.value, cfg.Environment)
		default:
			checkURL(p, u.field, u.value)
		}
	}
}

func (c *Client) setScopes(cfg *Config, p *problems) {
	if len(cfg.Scopes) == 0 {
		p.unset("Scopes", `at least "openid", with the scopes your Datapass grants`)
	} else if err := c.platform.checkScopes(cfg.Scopes); err != nil {
		p.add("Scopes", "%v", err)
	}
}

func (c *Client) setACR(cfg *Config, p *problems) {
	switch {
	case c.platform == ProConnect && c.acr != "":
		p.add("ACR", "ProConnect takes a set of accepted levels: set AcceptedACRs (e.g. ProConnectWithMFA())")
	case c.platform == ProConnect:
		if err := checkLevels(cfg.AcceptedACRs); err != nil {
			p.add("AcceptedACRs", "%v", err)
		}
		c.levels = slices.Clone(cfg.AcceptedACRs)
	case cfg.AcceptedACRs != nil:
		p.add("AcceptedACRs", "%v takes one level: set ACR", c.platform)
	default:
		if c.acr == "" {
			c.acr = c.platform.defaultACR()
		}
		if err := c.platform.checkACR(c.acr); err != nil {
			p.add("ACR", "%v", err)
		}
	}
}

func (c *Client) setAlgorithms(cfg *Config, p *problems) {
	c.sigAlgs = []string{c.platform.defaultSigningAlg()}
	allowed := c.platform.signingAlgs()
	if len(cfg.SigningAlgs) > 0 {
		for _, a := range cfg.SigningAlgs {
			if !slices.Contains(allowed, a) {
				p.add("SigningAlgs", "%q is not allowed on %v (allowed: %s)", a, c.platform, strings.Join(allowed, ", "))
			}
		}
		c.sigAlgs = slices.Compact(slices.Sorted(slices.Values(cfg.SigningAlgs)))
	}
	switch cfg.UserInfo {
	case "", UserInfoJWT:
	case UserInfoJSON:
		c.jsonInfo = true
		if c.platform != ProConnect {
			p.add("UserInfo", "%v always signs the userinfo: leave it zero", c.platform)
		}
	default:
		p.add("UserInfo", "%q (want %q or %q)", cfg.UserInfo, UserInfoJWT, UserInfoJSON)
	}
	for _, a := range c.sigAlgs {
		c.joseSigAlgs = append(c.joseSigAlgs, gojose.SignatureAlgorithm(a))
	}
	c.encrypted = c.platform == FranceConnectPlus
	if c.platform == ProConnect && len(cfg.DecryptionKeys) > 0 {
		p.add("DecryptionKeys", "ProConnect never encrypts tokens to the FS: remove the keys")
	}
	if c.encrypted && len(cfg.DecryptionKeys) == 0 && !p.has("DecryptionKeys") {
		p.unset("DecryptionKeys", "FranceConnect+ encrypts every token to your keys: give the private keys whose public part is published at your registered Client keys URL")
	}
	c.decKeys = checkKeys(p, cfg.DecryptionKeys)
	keys := c.decKeys
	for _, k := range keys {
		if !slices.Contains(c.encAlgs, k.alg) {
			c.encAlgs = append(c.encAlgs, k.alg)
			c.joseKeyAlgs = append(c.joseKeyAlgs, gojose.KeyAlgorithm(k.alg))
		}
	}
}

func (c *Client) setDefaults(cfg *Config, p *problems) {
	switch {
	case c.leeway == 0:
		c.leeway = DefaultLeeway
	case c.leeway < 0 || c.leeway > time.Minute:
		p.add("Leeway", "%v is outside [0, 1m]: FranceConnect tokens live 60 s", c.leeway)
	}
	switch {
	case c.maxBody == 0:
		c.maxBody = DefaultMaxResponseBytes
	case c.maxBody < 4096:
		p.add("MaxResponseBytes", "%d is below 4096", c.maxBody)
	}
	if cfg.KeyRefreshCooldown < 0 {
		p.add("KeyRefreshCooldown", "negative")
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
}

// checkURL enforces FranceConnect's rules on a configured URL (absolute, no
// fragment, no user info, https except on a loopback host) and reports
// whether it passed.
func checkURL(p *problems, field, raw string) bool {
	if raw == "" {
		p.unset(field, "the URL registered with FranceConnect")
		return false
	}
	if err := wire.CheckURL(raw); err != nil {
		p.add(field, "%q %v", raw, err)
		return false
	}
	return true
}
