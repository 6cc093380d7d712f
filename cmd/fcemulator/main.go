// Command fcemulator runs the fctest FranceConnect+ (or FranceConnect v2, or
// ProConnect with -platform proconnect) emulator as a program, so that
// service providers written in any language can sign in against it locally
// and in CI:
//
//	go install github.com/go-franceconnect/franceconnect/cmd/fcemulator@latest
//	fcemulator -clients clients.json -keys-dir .fcemulator
//
// It serves the platform's endpoints under /api/v2 (discovery, jwks,
// authorize, the identity-choice page, token, userinfo, session/end,
// token/revocation) on a loopback address, and prints the issuer, the
// discovery URL and the registered clients when it is ready. The service
// providers come from a JSON file (-clients, see fctest.ParseClients) or, for
// one of them, from flags (-client-id, -client-secret, -redirect-uri,
// -post-logout-redirect-uri, -jwks-uri or -jwks).
//
// -identities replaces the demo identities (fctest.ParseIdentities), or on
// ProConnect the demo agents (fctest.ParseAgents). -auto-login IDENTITY
// turns every login into a chain of redirects without the identity-choice
// page; -keys-dir keeps the provider signing keys across
// restarts; -tls-cert and -tls-key, or -tls-self-signed FILE, serve HTTPS;
// -admin adds an admin API under /_emulator/:
//
//	GET  /_emulator/faults          pending and available faults
//	POST /_emulator/faults/inject   {"faults": ["FaultWrongNonce"]}
//	POST /_emulator/faults/clear    (empty body)
//	GET  /_emulator/clients         the registered clients, without secrets
//
// POST requests must be application/json. The emulator logs one line per
// request (method, path without query, status, duration) on the standard
// error, and stops cleanly on SIGINT or SIGTERM. Run fcemulator -h for every
// flag.
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
	cfg, err := parseFlags(args, stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return 0
	case err != nil:
		fmt.Fprintln(stderr, "fcemulator:", err)
		return 2
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
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
	srv, err := fctest.NewServer(opts)
	if err != nil {
		return nil, err
	}
	emu := &emulator{cfg: cfg, srv: srv}
	for _, c := range clients {
		if err := srv.RegisterClient(c); err != nil {
			srv.Close()
			return nil, clientError(cfg, err)
		}
		emu.clients = append(emu.clients, infoOf(c))
	}
	if err := registerDataProviders(cfg, srv); err != nil {
		srv.Close()
		return nil, err
	}
	if cfg.tlsSelfSigned != "" {
		if err := writeCertificate(cfg.tlsSelfSigned, srv.Certificate()); err != nil {
			srv.Close()
			return nil, fmt.Errorf("-tls-self-signed: %w", err)
		}
	}
	adm.srv, adm.clients = srv, emu.clients
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
	opts := fctest.Options{Platform: cfg.platform, AutoLogin: cfg.autoLogin}
	var err error
	if cfg.platform == fctest.ProConnect {
		opts.Agents, err = cfg.agents()
	} else {
		opts.Identities, err = cfg.identities()
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
	adm := &admin{ready: make(chan struct{})}
	opts.Middleware = func(next http.Handler) http.Handler {
		if cfg.admin {
			next = adm.wrap(next)
		}
		return logRequests(log, next)
	}
	return opts, adm, nil
}

// summary prints what the emulator serves, ending with the line "ready".
func (emu *emulator) summary(w io.Writer) {
	srv, cfg := emu.srv, emu.cfg
	fmt.Fprintf(w, "%s emulator (fcemulator)\n", srv.Platform())
	fmt.Fprintf(w, "  issuer      %s\n", srv.Issuer())
	fmt.Fprintf(w, "  discovery   %s/.well-known/openid-configuration\n", srv.Issuer())
	if cfg.tlsSelfSigned != "" {
		fmt.Fprintf(w, "  TLS         self-signed certificate written to %s: trust it in the clients\n", cfg.tlsSelfSigned)
	}
	var logins []string
	for _, id := range srv.Identities() {
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
	if cfg.keysDir != "" {
		fmt.Fprintf(w, "  keys        signing keys kept in %s\n", cfg.keysDir)
	}
	if cfg.admin {
		fmt.Fprintf(w, "  admin API   %s%s\n", srv.URL(), adminPrefix)
	}
	for _, c := range emu.clients {
		c.print(w, srv.Platform())
	}
	fmt.Fprintln(w, "ready")
}
