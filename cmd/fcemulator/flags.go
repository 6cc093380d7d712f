package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strings"

	"github.com/go-franceconnect/franceconnect/fctest"
)

// defaultAddr is where the emulator listens by default.
const defaultAddr = "127.0.0.1:8090"

// adminTokenEnv is the variable read when -admin-token is not given, so
// that the token stays out of the process list.
const adminTokenEnv = "FCEMULATOR_ADMIN_TOKEN"

// platforms are the values of -platform, the default first. A platform the
// emulator learns to play needs only a row here.
var platforms = []struct {
	name     string
	platform fctest.Platform
}{
	{"fcplus", fctest.FranceConnectPlus},
	{"fc", fctest.FranceConnect},
	{"proconnect", fctest.ProConnect},
}

// config is the parsed command line.
type config struct {
	addr           string
	platform       fctest.Platform
	clientsFile    string
	client         fctest.Registration // from the -client-* flags; ID "" when unused
	jwks           string              // -jwks: inline JSON or a file name
	identitiesFile string
	keysDir        string
	tlsCert        string
	tlsKey         string
	tlsSelfSigned  string // where to write the generated certificate
	autoLogin      string
	sso            bool
	admin          bool
	adminToken     string // -admin-token, or FCEMULATOR_ADMIN_TOKEN
	logFormat      string // text or json
	container      bool   // listening on any address allowed
	publicURL      string // the base URL clients use, when not -addr
	version        bool
	strict         bool // fctest.Options.StrictQualification
}

// stringList is a flag that may be repeated.
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, ",") }

func (l *stringList) Set(v string) error {
	*l = append(*l, v)
	return nil
}

// parseFlags reads the command line. It returns flag.ErrHelp after printing
// the usage for -h.
func parseFlags(args []string, stderr io.Writer) (*config, error) {
	cfg := &config{}
	fs := flag.NewFlagSet("fcemulator", flag.ContinueOnError)
	fs.SetOutput(stderr)
	platform := fs.String("platform", platforms[0].name, "`platform` to imitate: "+platformNames())
	fs.StringVar(&cfg.addr, "addr", defaultAddr, "loopback `address` to listen on (port 0: any free port)")
	fs.StringVar(&cfg.clientsFile, "clients", "", "JSON `file` of the registered service providers (see docs/other-languages.md)")
	fs.StringVar(&cfg.client.ID, "client-id", "", "client_id of a single service provider, instead of -clients")
	fs.StringVar((*string)(&cfg.client.Secret), "client-secret", "", "its client_secret (at least 32 characters)")
	fs.Var((*stringList)(&cfg.client.RedirectURIs), "redirect-uri", "its redirect_uri `URL` (repeatable)")
	fs.Var((*stringList)(&cfg.client.PostLogoutRedirectURIs), "post-logout-redirect-uri",
		"its post_logout_redirect_uri `URL` (repeatable)")
	fs.StringVar(&cfg.client.JWKSURL, "jwks-uri", "", "its public encryption keys `URL` (\"Client keys URL\")")
	fs.StringVar(&cfg.jwks, "jwks", "", "its public encryption keys, a JWK Set: inline JSON or a `file` name")
	fs.StringVar(&cfg.identitiesFile, "identities", "",
		"JSON `file` of the identities offered, agents on proconnect (default: the demo set)")
	fs.StringVar(&cfg.keysDir, "keys-dir", "", "`directory` keeping the provider signing keys across restarts")
	fs.StringVar(&cfg.tlsCert, "tls-cert", "", "serve HTTPS with this PEM certificate `file` (with -tls-key)")
	fs.StringVar(&cfg.tlsKey, "tls-key", "", "PEM private key `file` of -tls-cert")
	fs.StringVar(&cfg.tlsSelfSigned, "tls-self-signed", "",
		"serve HTTPS with a generated certificate, written to this PEM `file` for clients to trust")
	fs.StringVar(&cfg.autoLogin, "auto-login", "",
		"log this `identity` (an agent on proconnect) in at once, without the identity-choice page")
	fs.BoolVar(&cfg.sso, "sso", false,
		"answer logins without prompt=login from the browser's session, as the platform does (ProConnect: below eidas2)")
	fs.BoolVar(&cfg.admin, "admin", false,
		"serve the admin API under /_emulator/ (faults, clock, keys, clients), for loopback host names only")
	fs.StringVar(&cfg.adminToken, "admin-token", "",
		"require this bearer `token` on the admin API (default: $"+adminTokenEnv+")")
	fs.StringVar(&cfg.logFormat, "log-format", "text", "log `format`: text or json")
	fs.BoolVar(&cfg.container, "container", false,
		"allow -addr on a non-loopback address such as 0.0.0.0, inside a container only (see docs/other-languages.md)")
	fs.StringVar(&cfg.publicURL, "public-url", "",
		"`URL` (scheme://host:port) at which clients reach the emulator, when not -addr (a container's published port)")
	fs.BoolVar(&cfg.version, "version", false, "print the version and exit")
	fs.BoolVar(&cfg.strict, "strict", false, "refuse what qualification refuses (short or reused state and nonce, "+
		"logout without state or post_logout_redirect_uri)")
	fs.Usage = func() { usage(fs) }
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if cfg.version {
		return cfg, nil
	}
	if cfg.adminToken == "" {
		cfg.adminToken = os.Getenv(adminTokenEnv)
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	var err error
	if cfg.platform, err = parsePlatform(*platform); err != nil {
		return nil, err
	}
	return cfg, cfg.check()
}

// check refuses contradictory flags.
func (cfg *config) check() error {
	oneClient := cfg.client.ID != "" || cfg.client.Secret != "" || len(cfg.client.RedirectURIs) > 0 ||
		len(cfg.client.PostLogoutRedirectURIs) > 0 || cfg.client.JWKSURL != "" || cfg.jwks != ""
	switch {
	case cfg.clientsFile != "" && oneClient:
		return errors.New("give either -clients or the -client-* flags, not both")
	case cfg.clientsFile == "" && cfg.client.ID == "":
		return errors.New("no service provider: give -clients FILE, or -client-id with -client-secret and -redirect-uri")
	case (cfg.tlsCert == "") != (cfg.tlsKey == ""):
		return errors.New("-tls-cert and -tls-key go together")
	case cfg.tlsCert != "" && cfg.tlsSelfSigned != "":
		return errors.New("give either -tls-cert and -tls-key or -tls-self-signed, not both")
	case cfg.logFormat != "text" && cfg.logFormat != "json":
		return fmt.Errorf("-log-format %q: want text or json", cfg.logFormat)
	case cfg.adminToken != "" && !cfg.admin:
		return errors.New("-admin-token (or $" + adminTokenEnv + ") needs -admin")
	case cfg.adminToken != "" && len(cfg.adminToken) < 16:
		return errors.New("-admin-token: use at least 16 characters, e.g. from `openssl rand -hex 16`")
	}
	return cfg.checkAddr()
}

// checkAddr refuses a listening address off loopback unless -container
// allows it: the emulator signs anyone who reaches it in as its
// identities, and its admin API changes its behaviour.
func (cfg *config) checkAddr() error {
	host, _, err := net.SplitHostPort(cfg.addr)
	if err != nil {
		return fmt.Errorf("-addr %q: want host:port, e.g. %s", cfg.addr, defaultAddr)
	}
	if cfg.publicURL != "" {
		scheme := "http://"
		if cfg.tlsCert != "" || cfg.tlsSelfSigned != "" {
			scheme = "https://"
		}
		if !strings.HasPrefix(cfg.publicURL, scheme) {
			return fmt.Errorf("-public-url %q: want %shost:port (https with -tls-cert or -tls-self-signed, http "+
				"without)", cfg.publicURL, scheme)
		}
	}
	ip := net.ParseIP(host)
	if host == "localhost" || (ip != nil && ip.IsLoopback()) || cfg.container {
		return nil
	}
	return fmt.Errorf("-addr %s is not a loopback address: whoever reaches the emulator can sign in as its "+
		"identities; inside a container, where the container's network is the boundary, add -container", cfg.addr)
}

// parsePlatform returns the platform called name.
func parsePlatform(name string) (fctest.Platform, error) {
	for _, p := range platforms {
		if p.name == name {
			return p.platform, nil
		}
	}
	return 0, fmt.Errorf("unknown -platform %q: want %s", name, platformNames())
}

// platformNames lists the -platform values.
func platformNames() string {
	names := make([]string, 0, len(platforms))
	for _, p := range platforms {
		names = append(names, fmt.Sprintf("%s (%s)", p.name, p.platform))
	}
	return strings.Join(names, ", ")
}

func usage(fs *flag.FlagSet) {
	fmt.Fprint(fs.Output(), `fcemulator serves a FranceConnect+ (or FranceConnect, or ProConnect) emulator for
the tests of service providers written in any language.

Usage:
  fcemulator -clients clients.json [flags]
  fcemulator -client-id ID -client-secret SECRET -redirect-uri URL [-jwks-uri URL | -jwks FILE] [flags]

Flags:
`)
	fs.PrintDefaults()
}
