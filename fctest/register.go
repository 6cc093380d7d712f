package fctest

import (
	"cmp"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/go-franceconnect/franceconnect/internal/credential"
)

// FS describes a service provider for Server.RegisterFS: what its team
// would register with the platform, reduced to what tests vary. Every
// field but Site may be left zero.
type FS struct {
	// Site is the origin the service provider is served at, scheme and
	// host, such as "https://fs.example.fr". Required.
	Site string
	// ID is the client_id; zero: 64 random hexadecimal digits, like the
	// client_ids FranceConnect issues.
	ID string
	// Name is the service's name on the emulator's pages; zero: ID.
	Name string
	// RedirectPath is the path of the login callback on Site; zero:
	// "/callback".
	RedirectPath string
	// PostLogoutRedirectPath is the path of the logout callback on Site;
	// zero: "/logout-callback".
	PostLogoutRedirectPath string
	// Scopes are the scopes the service provider requests (FC_SCOPES) and
	// the registration grants (Registration.Scopes). Zero: "openid identite_pivot
	// email" on the FranceConnect platforms, "openid given_name usual_name
	// email uid siret" on ProConnect, the registration granting every scope
	// of the platform.
	Scopes []string
	// ACR is FC_ACR: the level requested on the FranceConnect platforms
	// (eidas1, eidas2 or eidas3), the accepted levels separated by spaces on
	// ProConnect. Zero: the library's default (eidas2 on FranceConnect+,
	// eidas1 on FranceConnect, every level on ProConnect).
	ACR string
	// KeyAlg is the algorithm of the encryption key generated for
	// FranceConnect+: "ECDH-ES" (P-256), "RSA-OAEP-256" or "RSA-OAEP" (RSA
	// 2048). Zero: "ECDH-ES". The other platforms do not encrypt: it must be
	// zero there.
	KeyAlg string
	// SigningAlg is the registered id_token signature algorithm
	// (FC_SIGNING_ALG), as Registration.SignedResponseAlg. Zero: ES256 on the
	// FranceConnect platforms, RS256 on ProConnect, or the algorithm the
	// server publishes when it publishes only one.
	SigningAlg string
	// UserinfoAlg is, on ProConnect, the registered userinfo signature
	// algorithm (Registration.UserinfoSignedResponseAlg): the userinfo is then a
	// signed JWT (FC_USERINFO=jwt); zero makes it plain JSON
	// (FC_USERINFO=json). FC_SIGNING_ALG names one algorithm for both
	// tokens, so that it must be zero or the id_token's algorithm; on the
	// other platforms, which sign both with SigningAlg, it must be zero.
	UserinfoAlg string
}

// FSConfig is what Server.RegisterFS gives back: the registration, the
// service provider's private key and the environment its deployment would
// be given.
type FSConfig struct {
	// Registration is the registration, as Register received it; its Secret
	// is the client_secret.
	Registration Registration
	// Client is the former name of Registration, holding the same value.
	//
	// Deprecated: use Registration.
	Client Registration
	// PrivateJWKS is the service provider's private decryption key as a JWK
	// Set, the content of the file FC_KEYS names; nil on the platforms that
	// do not encrypt.
	PrivateJWKS []byte
	// Env holds every variable franceconnect.ConfigFromEnv reads, those the
	// registration leaves unset holding "" so that none leaks in from the
	// shell running the tests, and FS_SESSION_KEYS, a fresh session key ring
	// for fchttp.NewFromEnv:
	//
	//	FC_ENVIRONMENT               "" (FC_ISSUER names the emulator)
	//	FC_ISSUER                    Server.Issuer()
	//	FC_PLATFORM                  fcplus, fc or proconnect
	//	FC_CLIENT_ID                 Registration.ID
	//	FC_CLIENT_SECRET             Registration.Secret
	//	FC_REDIRECT_URL              Site + RedirectPath
	//	FC_POST_LOGOUT_REDIRECT_URL  Site + PostLogoutRedirectPath
	//	FC_KEYS                      a file holding PrivateJWKS, removed when the test ends ("" without keys)
	//	FC_ACR                       FS.ACR
	//	FC_SCOPES                    the scopes, separated by spaces
	//	FC_SIGNING_ALG               the registered id_token signature algorithm
	//	FC_USERINFO                  ProConnect: jwt or json; "" elsewhere
	//	FC_ACR_PREFERRED             "" (logins require FC_ACR)
	//	FC_MAX_AUTH_AGE              "" (no maximum authentication age)
	//	FS_SESSION_KEYS              one random 32-byte key, base64
	Env Env
}

// Env is a set of environment variables. It prints, marshals and logs
// with the values of FC_CLIENT_SECRET and FS_SESSION_KEYS redacted; read
// them by index.
type Env map[string]string

// secretVariables are the variables Env redacts.
var secretVariables = []string{"FC_CLIENT_SECRET", "FS_SESSION_KEYS"}

// redacted returns a copy of e whose secret values read "[redacted]".
func (e Env) redacted() map[string]string {
	out := maps.Clone(e)
	for _, k := range secretVariables {
		if out[k] != "" {
			out[k] = credential.Redacted
		}
	}
	return out
}

// String lists the variables in order, secrets redacted.
func (e Env) String() string {
	r := e.redacted()
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(r)) {
		fmt.Fprintf(&b, "%s=%q\n", k, r[k])
	}
	return b.String()
}

// Format prints String for every verb.
func (e Env) Format(f fmt.State, _ rune) { fmt.Fprint(f, e.String()) }

// MarshalJSON encodes the variables, secrets redacted.
func (e Env) MarshalJSON() ([]byte, error) { return json.Marshal(e.redacted()) }

// LogValue logs the variables, secrets redacted.
func (e Env) LogValue() slog.Value {
	r := e.redacted()
	attrs := make([]slog.Attr, 0, len(r))
	for _, k := range slices.Sorted(maps.Keys(r)) {
		attrs = append(attrs, slog.String(k, r[k]))
	}
	return slog.GroupValue(attrs...)
}

// String describes the registration without its secrets.
func (c FSConfig) String() string {
	return fmt.Sprintf("fctest.FSConfig{ID:%q Issuer:%q Keys:%q}", c.Registration.ID, c.Env["FC_ISSUER"], c.Env["FC_KEYS"])
}

// Format prints String for every verb.
func (c FSConfig) Format(f fmt.State, _ rune) { fmt.Fprint(f, c.String()) }

// MarshalJSON encodes the client_id and the variables, secrets redacted.
func (c FSConfig) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		ID  string `json:"client_id"`
		Env Env    `json:"env"`
	}{c.Registration.ID, c.Env})
}

// LogValue logs the client_id and the variables, secrets redacted.
func (c FSConfig) LogValue() slog.Value {
	return slog.GroupValue(slog.String("client_id", c.Registration.ID), slog.Any("env", c.Env))
}

// EnvTB is the part of testing.TB that FSConfig.Setenv uses; *testing.T
// and *testing.B satisfy it.
type EnvTB interface {
	Helper()
	Setenv(key, value string)
}

// Setenv sets every variable of Env with tb.Setenv, for the rest of the
// test, and returns Env. Like testing.T.Setenv, it cannot be used in a
// parallel test: give Env's values to the code under test instead.
func (c FSConfig) Setenv(tb EnvTB) Env {
	tb.Helper()
	for _, k := range slices.Sorted(maps.Keys(c.Env)) {
		tb.Setenv(k, c.Env[k])
	}
	return c.Env
}

// RegisterFS registers a service provider served at fs.Site in one call,
// with a fresh client_secret and, on FranceConnect+, a fresh encryption key,
// and returns its configuration: a test of a service provider configured
// by its environment is then complete with
//
//	emu.RegisterFS(t, fctest.FS{Site: "https://fs.example.fr"}).Setenv(t)
//
// The key file of FC_KEYS is removed by tb.Cleanup. Errors fail tb.
func (s *Server) RegisterFS(tb TB, fs FS) *FSConfig {
	tb.Helper()
	cfg, err := s.registerFS(fs)
	if err != nil {
		tb.Fatal(err)
		return nil
	}
	if cfg.PrivateJWKS != nil {
		dir, err := os.MkdirTemp("", "fctest-fs-")
		if err != nil {
			tb.Fatal(fmt.Errorf("fctest: RegisterFS: %w", err))
			return nil
		}
		tb.Cleanup(func() { _ = os.RemoveAll(dir) })
		path := filepath.Join(dir, "fc-keys.json")
		if err := os.WriteFile(path, cfg.PrivateJWKS, 0o600); err != nil {
			tb.Fatal(fmt.Errorf("fctest: RegisterFS: %w", err))
			return nil
		}
		cfg.Env["FC_KEYS"] = path
	}
	return cfg
}

// registerFS registers fs and returns its configuration, FC_KEYS unset.
func (s *Server) registerFS(fs FS) (*FSConfig, error) {
	site, err := fsSite(fs.Site)
	if err != nil {
		return nil, err
	}
	c := Registration{
		ID: cmp.Or(fs.ID, randomHex(32)), Secret: Secret(randomHex(24)), Name: fs.Name,
		RedirectURIs:              []string{site + cmp.Or(fs.RedirectPath, "/callback")},
		PostLogoutRedirectURIs:    []string{site + cmp.Or(fs.PostLogoutRedirectPath, "/logout-callback")},
		Scopes:                    slices.Clone(fs.Scopes),
		SignedResponseAlg:         fs.SigningAlg,
		UserinfoSignedResponseAlg: fs.UserinfoAlg,
		AllowAMR:                  true,
	}
	cfg := &FSConfig{Registration: c}
	switch {
	case s.platform == FranceConnectPlus:
		kid := "fs-" + strings.ToLower(cmp.Or(fs.KeyAlg, algECDHES))
		priv, pub, err := GenerateClientKey(cmp.Or(fs.KeyAlg, algECDHES), kid)
		if err != nil {
			return nil, err
		}
		cfg.PrivateJWKS, cfg.Registration.JWKS = priv, pub
	case fs.KeyAlg != "":
		return nil, fmt.Errorf("fctest: RegisterFS: %s does not encrypt: leave KeyAlg zero", s.platform)
	}
	switch sigAlg := cmp.Or(fs.SigningAlg, s.defaultSigningAlg()); {
	case s.platform != ProConnect && fs.UserinfoAlg != "":
		return nil, fmt.Errorf("fctest: RegisterFS: UserinfoAlg is for ProConnect; %s signs the userinfo with SigningAlg", s.platform)
	case fs.UserinfoAlg != "" && fs.UserinfoAlg != sigAlg:
		return nil, fmt.Errorf("fctest: RegisterFS: UserinfoAlg %q differs from the id_token's %q, which FC_SIGNING_ALG cannot say: "+
			"register with Server.Register and set franceconnect.Config.SigningAlgs to both", fs.UserinfoAlg, sigAlg)
	}
	if err := s.Register(cfg.Registration); err != nil {
		return nil, err
	}
	cfg.Env = s.fsEnv(cfg.Registration, fs)
	cfg.Client = cfg.Registration
	return cfg, nil
}

// fsSite checks that raw is an http(s) origin and returns it without a
// trailing slash.
func fsSite(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		strings.TrimSuffix(u.Path, "/") != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", fmt.Errorf("fctest: RegisterFS: Site %q must be an origin such as https://fs.example.fr", raw)
	}
	return u.Scheme + "://" + u.Host, nil
}

// fsEnv returns the environment of the registered client c.
func (s *Server) fsEnv(c Registration, fs FS) Env {
	s.mu.Lock()
	sigAlg := s.clients[c.ID].SignedResponseAlg // as validation completed it
	s.mu.Unlock()
	platform, scopes, userinfo := "fcplus", "openid identite_pivot email", ""
	switch s.platform {
	case FranceConnect:
		platform = "fc"
	case ProConnect:
		platform, scopes, userinfo = "proconnect", "openid given_name usual_name email uid siret", "json"
		if fs.UserinfoAlg != "" {
			userinfo = "jwt"
		}
	}
	if len(fs.Scopes) > 0 {
		scopes = strings.Join(fs.Scopes, " ")
	}
	key := make([]byte, 32)
	_, _ = rand.Read(key) // crypto/rand.Read never fails
	return Env{
		"FC_ENVIRONMENT": "", "FC_ISSUER": s.Issuer(), "FC_PLATFORM": platform,
		"FC_CLIENT_ID": c.ID, "FC_CLIENT_SECRET": string(c.Secret),
		"FC_REDIRECT_URL": c.RedirectURIs[0], "FC_POST_LOGOUT_REDIRECT_URL": c.PostLogoutRedirectURIs[0],
		"FC_KEYS": "", "FC_ACR": fs.ACR, "FC_SCOPES": scopes, "FC_SIGNING_ALG": sigAlg, "FC_USERINFO": userinfo,
		"FC_ACR_PREFERRED": "", "FC_MAX_AUTH_AGE": "", "FS_SESSION_KEYS": base64.StdEncoding.EncodeToString(key),
	}
}
