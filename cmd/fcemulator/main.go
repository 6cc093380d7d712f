// Command fcemulator runs the fctest FranceConnect+ (or FranceConnect v2, or
// ProConnect with -platform proconnect) emulator as a program, so that
// service providers written in any language can sign in against it locally
// and in CI (docs/other-languages.md: a release binary, the container
// image, or go run):
//
//	fcemulator -clients clients.json -keys-dir .fcemulator
//
// It serves the platform's endpoints under /api/v2 (discovery, jwks,
// authorize, the identity-choice page, token, userinfo, session/end,
// token/revocation) on a loopback address, and prints the issuer, the
// discovery URL and the registered clients when it is ready. The service
// providers come from a JSON file (-clients, see
// fctest.ParseRegistrations) or, for one of them, from flags (-client-id,
// -client-secret, -redirect-uri, -post-logout-redirect-uri, -jwks-uri or
// -jwks).
//
// -identities replaces the demo identities (fctest.ParsePeople), or on
// ProConnect the demo agents (fctest.ParseAgents). -auto-login IDENTITY
// turns every login into a chain of redirects without the identity-choice
// page; -sso answers a login without prompt=login from the browser's
// session, as the platform does (fctest.Options.SingleSignOn: FranceConnect+
// then answers eidas2, ProConnect reuses its session below eidas2 only);
// -keys-dir keeps the provider signing keys and the self-signed TLS
// certificate across restarts; -tls-cert and -tls-key, or -tls-self-signed
// FILE, serve HTTPS; -container allows a non-loopback -addr inside a
// container, and -public-url names the URL clients reach it at; -admin adds
// an admin API under /_emulator/, for loopback Host headers only (and
// -admin-token's bearer token when given):
//
//	GET  /_emulator/faults          pending faults and the catalogue (?client_id=)
//	POST /_emulator/faults/inject   {"faults": ["FaultWrongNonce", {"fault": …, "client_id": …, "count": …}]}
//	POST /_emulator/faults/clear    (empty body, or {"client_id": …})
//	GET  /_emulator/clock           the emulator's time
//	POST /_emulator/clock           {"advance": "31s"}
//	GET  /_emulator/keys            the signing keys' ids
//	POST /_emulator/keys/rotate     {"keep_old": "10m"}
//	GET  /_emulator/clients         the registered clients, without secrets
//
// GET /_emulator/qualification?client_id=… (served without -admin) reports
// what the emulator saw of a client against FranceConnect's qualification
// checklist, as a French page or JSON; -strict refuses what qualification
// refuses. fcemulator conformance runs a conformance run against a service
// provider (fcemulator conformance -h, docs/qualification.md).
//
// POST requests must be application/json. The emulator logs one line per
// request on the standard error (-log-format text or json): method, path
// without query, status, duration, and why it failed (client_id, OAuth
// error, platform code, detail, faults applied), never a token or personal
// data. It stops cleanly on SIGINT or SIGTERM. Run fcemulator -h for every
// flag, fcemulator -version for the version.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/go-franceconnect/franceconnect/fctest"
)

// shutdownTimeout bounds the wait for requests in progress at shutdown.
const shutdownTimeout = 5 * time.Second

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run serves until ctx is done and returns the exit status: 0 after a clean
// shutdown, 2 for a bad command line, 1 for any other error.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "conformance" {
		return runConformance(ctx, args[1:], stdout, stderr)
	}
	cfg, err := parseFlags(args, stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return 0
	case err != nil:
		fmt.Fprintln(stderr, "fcemulator:", err)
		return 2
	case cfg.version:
		fmt.Fprintln(stdout, versionString())
		return 0
	}
	log := newLogger(cfg.logFormat, stderr)
	emu, err := start(cfg, log)
	if err != nil {
		fmt.Fprintln(stderr, "fcemulator:", err)
		return 1
	}
	emu.summary(stdout)
	<-ctx.Done()
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := emu.srv.Shutdown(shutdownCtx); err != nil {
		log.Error("shutdown", "err", err)
		return 1
	}
	log.Info("stopped")
	return 0
}

// emulator is the running server and what the summary shows of it.
type emulator struct {
	cfg     *config
	srv     *fctest.Server
	addr    string // the listener's address
	clients []clientInfo
}

// start builds the emulator the flags describe and registers its clients.
func start(cfg *config, log *slog.Logger) (*emulator, error) {
	opts, adm, err := cfg.options(log)
	if err != nil {
		return nil, err
	}
	clients, err := cfg.clients()
	if err != nil {
		return nil, err
	}
	if opts.Listener, err = net.Listen("tcp", cfg.addr); err != nil {
		return nil, err
	}
	addr := opts.Listener.Addr().String()
	srv, err := fctest.NewServer(opts)
	if err != nil {
		return nil, err
	}
	emu := &emulator{cfg: cfg, srv: srv, addr: addr}
	for _, c := range clients {
		if err := srv.Register(c); err != nil {
			srv.Close()
			return nil, clientError(cfg, err)
		}
		emu.clients = append(emu.clients, infoOf(c))
	}
	dataProviders, err := registerDataProviders(cfg, srv)
	if err != nil {
		srv.Close()
		return nil, err
	}
	if cfg.tlsSelfSigned != "" {
		if err := writeCertificate(cfg.tlsSelfSigned, srv.Certificate()); err != nil {
			srv.Close()
			return nil, fmt.Errorf("-tls-self-signed: %w", err)
		}
	}
	adm.srv, adm.clients, adm.dataProviders = srv, emu.clients, dataProviders
	close(adm.ready)
	return emu, nil
}

// clientError says where the refused client came from.
func clientError(cfg *config, err error) error {
	if cfg.clientsFile != "" {
		return fmt.Errorf("-clients %s: %w", cfg.clientsFile, err)
	}
	return fmt.Errorf("-client-* flags: %w", err)
}

// options returns the fctest options of the flags and the admin API, which
// serves once start has set its server.
func (cfg *config) options(log *slog.Logger) (fctest.Options, *admin, error) {
	opts := fctest.Options{Platform: cfg.platform, AutoLogin: cfg.autoLogin, SingleSignOn: cfg.sso, BaseURL: cfg.publicURL,
		InsecureNonLoopback: cfg.container, StrictQualification: cfg.strict, OnRequest: func(rec fctest.RequestRecord) { logRecord(log, rec) }}
	var err error
	if cfg.platform == fctest.ProConnect {
		opts.Agents, err = cfg.agents()
	} else {
		opts.People, err = cfg.identities()
	}
	if err != nil {
		return opts, nil, err
	}
	if cfg.keysDir != "" {
		if opts.SigningKeys, err = signingKeys(cfg.keysDir, cfg.platform.SigningAlgs()); err != nil {
			return opts, nil, fmt.Errorf("-keys-dir: %w", err)
		}
	}
	if opts.TLS, err = cfg.tlsConfig(); err != nil {
		return opts, nil, err
	}
	adm := &admin{ready: make(chan struct{}), log: log, token: cfg.adminToken}
	if cfg.publicURL != "" {
		adm.publicHost = publicHost(cfg.publicURL)
	}
	opts.Middleware = func(next http.Handler) http.Handler {
		if cfg.admin {
			next = adm.wrap(next)
		}
		return qualificationRoute(adm, next)
	}
	return opts, adm, nil
}

// summary prints what the emulator serves, ending with the line "ready".
func (emu *emulator) summary(w io.Writer) {
	srv, cfg := emu.srv, emu.cfg
	fmt.Fprintf(w, "%s emulator (fcemulator)\n", srv.Platform())
	fmt.Fprintf(w, "  version     %s\n", versionString())
	fmt.Fprintf(w, "  issuer      %s\n", srv.Issuer())
	fmt.Fprintf(w, "  discovery   %s/.well-known/openid-configuration\n", srv.Issuer())
	if cfg.tlsSelfSigned != "" {
		fmt.Fprintf(w, "  TLS         self-signed certificate written to %s: trust it in the clients\n", cfg.tlsSelfSigned)
	}
	var logins []string
	for _, id := range srv.People() {
		logins = append(logins, id.Login)
	}
	for _, a := range srv.Agents() {
		logins = append(logins, a.Login)
	}
	label := "identities"
	if srv.Platform() == fctest.ProConnect {
		label = "agents    "
	}
	fmt.Fprintf(w, "  %s  %s\n", label, strings.Join(logins, " "))
	if cfg.autoLogin != "" {
		fmt.Fprintf(w, "  login       automatic, as %s (no identity-choice page)\n", cfg.autoLogin)
	}
	if cfg.sso {
		fmt.Fprintf(w, "  sso         logins without prompt=login reuse the browser's session\n")
	}
	if cfg.keysDir != "" {
		fmt.Fprintf(w, "  keys        signing keys kept in %s\n", cfg.keysDir)
	}
	if cfg.admin {
		token := ""
		if cfg.adminToken != "" {
			token = " (bearer token required)"
		}
		fmt.Fprintf(w, "  admin API   %s%s%s\n", srv.URL(), adminPrefix, token)
	}
	if cfg.container {
		fmt.Fprintf(w, "  listening   %s (-container: every address of the container)\n", emu.addr)
	}
	fmt.Fprintf(w, "  qualification %s%s?client_id=…\n", srv.URL(), qualificationPath)
	for _, c := range emu.clients {
		c.print(w, srv.Platform())
	}
	fmt.Fprintln(w, "ready")
}
