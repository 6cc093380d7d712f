package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/go-franceconnect/franceconnect/fctest"
)

// conformanceConfig is the command line of fcemulator conformance.
type conformanceConfig struct {
	serve     config // the emulator, as for serving
	run       fctest.Conformance
	client    string
	faults    string
	signedIn  string
	junit     string
	html      string
	json      string
	fsWait    time.Duration
	verbose   bool
	fsCommand []string
}

// parseConformanceFlags reads the command line of the conformance command;
// what follows "--" is the command that starts the service.
func parseConformanceFlags(args []string, stderr io.Writer) (*conformanceConfig, error) {
	cc := &conformanceConfig{}
	cfg := &cc.serve
	fs := flag.NewFlagSet("fcemulator conformance", flag.ContinueOnError)
	fs.SetOutput(stderr)
	platform := fs.String("platform", platforms[0].name, "`platform` to imitate: "+platformNames())
	fs.StringVar(&cfg.addr, "addr", defaultAddr, "loopback `address` of the emulator, the issuer your service is configured with")
	fs.StringVar(&cfg.clientsFile, "clients", "", "JSON `file` of the registered service providers (see docs/other-languages.md)")
	fs.StringVar(&cfg.client.ID, "client-id", "", "client_id of the service, instead of -clients")
	fs.StringVar((*string)(&cfg.client.Secret), "client-secret", "", "its client_secret (at least 32 characters)")
	fs.Var((*stringList)(&cfg.client.RedirectURIs), "redirect-uri", "its redirect_uri `URL` (repeatable)")
	fs.Var((*stringList)(&cfg.client.PostLogoutRedirectURIs), "post-logout-redirect-uri", "its post_logout_redirect_uri `URL` (repeatable)")
	fs.StringVar(&cfg.client.JWKSURL, "jwks-uri", "", "its public encryption keys `URL` (\"Client keys URL\")")
	fs.StringVar(&cfg.jwks, "jwks", "", "its public encryption keys, a JWK Set: inline JSON or a `file` name")
	fs.StringVar(&cfg.identitiesFile, "identities", "", "JSON `file` of the identities offered, agents on proconnect")
	fs.StringVar(&cfg.keysDir, "keys-dir", "", "`directory` keeping the provider signing keys across restarts")
	fs.StringVar(&cfg.tlsCert, "tls-cert", "", "serve HTTPS with this PEM certificate `file` (with -tls-key)")
	fs.StringVar(&cfg.tlsKey, "tls-key", "", "PEM private key `file` of -tls-cert")
	fs.StringVar(&cfg.tlsSelfSigned, "tls-self-signed", "", "serve HTTPS with a generated certificate, written to this PEM `file`")
	fs.BoolVar(&cfg.strict, "strict", false, "refuse what qualification refuses (short or reused state and nonce, …)")
	fs.StringVar(&cc.run.StartURL, "fs", "", "`URL` of your service's page where a login starts (a link or form to -login-path); required")
	fs.StringVar(&cc.client, "client", "", "client_id to run against, when -clients registers several")
	fs.StringVar(&cc.run.Identity, "identity", "", "identity (agent on proconnect) of the clean login; default: the first")
	fs.StringVar(&cc.run.LoginPath, "login-path", "/login", "`path` of the link or form that starts a login (on a page of several doors, the door's)")
	fs.StringVar(&cc.run.LogoutPath, "logout-path", "/logout", "`path` of the form or link that logs out (the door's)")
	fs.StringVar(&cc.signedIn, "signed-in-text", "", "`text` only a signed-in page shows (default: a form or link to -logout-path)")
	fs.StringVar(&cc.faults, "faults", "", "comma-separated fault `names` to run (default: every fault that applies)")
	fs.DurationVar(&cc.run.CaseTimeout, "case-timeout", 30*time.Second, "bound of each case")
	fs.DurationVar(&cc.run.Latency, "latency", time.Second, "delay of the latency faults")
	fs.DurationVar(&cc.fsWait, "fs-wait", 30*time.Second, "how long to wait for the service to answer at -fs")
	fs.StringVar(&cc.junit, "junit", "", "write a JUnit XML report to `file`")
	fs.StringVar(&cc.html, "html", "", "write an HTML report (in French) to `file`")
	fs.StringVar(&cc.json, "json", "", "write the report as JSON to `file`")
	fs.BoolVar(&cc.verbose, "v", false, "log every request the emulator answers on the standard error")
	fs.StringVar(&cfg.logFormat, "log-format", "text", "`format` of the -v log: text or json")
	fs.Usage = func() { conformanceUsage(fs) }
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	cc.fsCommand = fs.Args()
	var err error
	if cfg.platform, err = parsePlatform(*platform); err != nil {
		return nil, err
	}
	if cc.run.StartURL == "" {
		return nil, errors.New("-fs is required: the URL of the page where a login starts")
	}
	return cc, cfg.check()
}

func conformanceUsage(fs *flag.FlagSet) {
	fmt.Fprint(fs.Output(), `fcemulator conformance rehearses FranceConnect's qualification against your service:
it starts the emulator, then your service (the command after --, with FCEMULATOR_ISSUER set), runs a
clean login and logout and every fault that applies, each in a fresh browser, prints one line per case
and the qualification checklist, and exits 1 when a fault was accepted or an observable item failed.

Usage:
  fcemulator conformance -fs URL -clients clients.json [flags] [-- command that starts your service]

Flags:
`)
	fs.PrintDefaults()
}

// runConformance runs the conformance command and returns the exit status:
// 0 when everything passed, 1 when a case or a qualification item failed
// (or the run could not complete), 2 for a bad command line.
func runConformance(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cc, err := parseConformanceFlags(args, stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return 0
	case err != nil:
		fmt.Fprintln(stderr, "fcemulator conformance:", err)
		return 2
	}
	report, err := cc.execute(ctx, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "fcemulator conformance:", err)
		return 1
	}
	if err := cc.write(report, stdout); err != nil {
		fmt.Fprintln(stderr, "fcemulator conformance:", err)
		return 1
	}
	if report.Failed() {
		return 1
	}
	return 0
}

// execute starts the emulator and the service, and runs.
func (cc *conformanceConfig) execute(ctx context.Context, stderr io.Writer) (*fctest.ConformanceReport, error) {
	log := slog.New(slog.DiscardHandler)
	if cc.verbose {
		log = newLogger(cc.serve.logFormat, stderr)
	}
	emu, err := start(&cc.serve, log)
	if err != nil {
		return nil, err
	}
	defer emu.srv.Close()
	if err := cc.complete(emu); err != nil {
		return nil, err
	}
	fmt.Fprintf(stderr, "%s emulator at %s, running against %s as %s\n", emu.srv.Platform(), emu.srv.Issuer(),
		cc.run.StartURL, cc.run.ClientID)
	if len(cc.fsCommand) > 0 {
		stop, err := startService(ctx, cc.fsCommand, emu.srv, stderr)
		if err != nil {
			return nil, err
		}
		defer stop()
	}
	if err := waitForService(ctx, cc.run.StartURL, cc.fsWait); err != nil {
		return nil, err
	}
	return emu.srv.RunConformance(ctx, cc.run)
}

// complete fills the run from the flags and the registered clients.
func (cc *conformanceConfig) complete(emu *emulator) error {
	cc.run.ClientID = cc.client
	if cc.run.ClientID == "" {
		if len(emu.clients) != 1 {
			return errors.New("-clients registers several clients: name the one to run against with -client")
		}
		cc.run.ClientID = emu.clients[0].ID
	}
	if text := cc.signedIn; text != "" {
		cc.run.SignedIn = func(r *fctest.Response) bool { return r.Status == http.StatusOK && strings.Contains(r.Body, text) }
	}
	if cc.faults == "" {
		return nil
	}
	for _, name := range strings.Split(cc.faults, ",") {
		f, err := fctest.ParseFault(strings.TrimSpace(name))
		if err != nil {
			return fmt.Errorf("-faults: %w", err)
		}
		cc.run.Faults = append(cc.run.Faults, f)
	}
	return nil
}

// write prints the report and writes the files asked for.
func (cc *conformanceConfig) write(report *fctest.ConformanceReport, stdout io.Writer) error {
	if err := report.WriteText(stdout); err != nil {
		return err
	}
	for _, out := range []struct {
		file  string
		write func(io.Writer) error
	}{{cc.junit, report.WriteJUnit}, {cc.html, report.WriteHTML}, {cc.json, jsonWriter(report)}} {
		if out.file == "" {
			continue
		}
		if err := writeReport(out.file, out.write); err != nil {
			return err
		}
	}
	return nil
}

func writeReport(name string, write func(io.Writer) error) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", name, err)
	}
	return f.Close()
}
