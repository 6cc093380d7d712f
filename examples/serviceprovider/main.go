// Command serviceprovider is a small service provider ("FS") website with
// two doors: citizens sign in with FranceConnect+, public agents with
// ProConnect, through the franceconnect package and its web layer fchttp.
// Each door has its own area, session and logout, and refuses the other
// door's session.
//
// With no configuration it starts two fctest emulators in-process,
// FranceConnect+ and ProConnect, and registers each door there, so that
// the whole flow runs on one machine. FC_PLATFORM makes a one-door site:
//
//	go run ./examples/serviceprovider                          # both doors
//	FC_PLATFORM=fcplus go run ./examples/serviceprovider       # FranceConnect+ alone
//	FC_PLATFORM=proconnect go run ./examples/serviceprovider   # ProConnect alone
//
// As ProConnect it registers without keys, for an RS256 id_token and
// userinfo (FC_SIGNING_ALG and FC_USERINFO=json change that), and accepts
// the levels of FC_ACR, by default every level; its home page lets the
// agent require two factors.
//
// With FC_ENVIRONMENT or FC_ISSUER set it reads one door's registration
// from the FC_* variables (see franceconnect.ConfigFromEnv) instead, and
// with CITOYEN_FC_… or AGENT_FC_… set each door's from its own variables
// (franceconnect.ConfigFromEnvPrefix). ADDR is the listen address (default
// 127.0.0.1:8080), FS_SESSION_KEYS the key ring of the sealed session
// cookies, shared by the doors (comma-separated base64 of 32-byte keys,
// newest first; default: a key made at start, so that sessions neither
// survive a restart nor span instances) and REQUEST_AMR=false stops asking
// for the amr claim. The routes, the sessions and the CSRF checks come from
// fchttp.
//
// To make a decryption key for a real registration:
//
//	go run ./examples/serviceprovider -genkey fc-keys.json
//
// writes the private key to fc-keys.json (for FC_KEYS) and prints the public
// JWKS to publish at the "Client keys URL".
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/go-franceconnect/franceconnect"
)

func main() {
	genkey := flag.String("genkey", "", "write a new private decryption key to `file`, print its public JWKS and exit")
	alg := flag.String("alg", franceconnect.ECDHES, "key algorithm for -genkey: ECDH-ES or RSA-OAEP-256")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if *genkey != "" {
		jwks, err := writeKeyFile(*genkey, *alg)
		if err != nil {
			log.Error("cannot generate the key", "err", err)
			os.Exit(1)
		}
		fmt.Printf("%s\n", jwks)
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, log); err != nil {
		log.Error("service provider stopped", "err", err)
		os.Exit(1)
	}
}

// run serves the site until ctx is done.
func run(ctx context.Context, log *slog.Logger) error {
	addr := os.Getenv(envAddr)
	if addr == "" {
		addr = "127.0.0.1:8080"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	a, err := newApp(ctx, ln, log)
	if err != nil {
		ln.Close()
		return err
	}
	defer a.close()
	handler, err := a.routes()
	if err != nil {
		ln.Close()
		return err
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	for _, d := range a.doors {
		mode := d.client.Platform().String()
		if d.emu != nil {
			mode += " emulator (fctest)"
		}
		log.Info("door ready", "door", cmp.Or(d.key, "/"), "area", d.area(), "provider", mode, "issuer", d.client.Issuer())
		if d.data != nil {
			log.Info("data provider ready: the door's logins call it", "door", cmp.Or(d.key, "/"), "url", d.data.url)
		}
	}
	log.Info("service provider ready: open the url in a browser", "url", a.homeURL, "listen", ln.Addr().String(),
		"doors", len(a.doors), "issuer", a.doors[0].client.Issuer())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
