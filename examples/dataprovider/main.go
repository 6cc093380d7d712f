// Command dataprovider is a small data API protected by FranceConnect,
// FranceConnect+ or ProConnect access tokens: GET /api/v1/me answers the
// family quotient ("quotient familial") of the person the token was issued
// for, with the identity the platform returned. It is configured by the
// environment only:
//
//	ADDR              listen address, e.g. 127.0.0.1:18090
//	FD_PLATFORM       fcplus, fc or proconnect
//	FD_ISSUER         the platform's issuer (http on loopback only)
//	FD_CLIENT_ID      the data provider's client_id
//	FD_CLIENT_SECRET  its client_secret
//	FD_KEYS           FranceConnect, FranceConnect+: its private keys (JWK Set)
//	FD_SIGNING_ALG    the registered signing algorithm (ProConnect: empty, JSON)
//	FD_SCOPES         the scopes a request must carry
//
// and the other FD_* variables of fcdata.ConfigFromEnv. Its public keys,
// the jwks_uri to register, are served at /.well-known/jwks.json. The data
// and the answer are package quotient's.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/go-franceconnect/franceconnect"
	"github.com/go-franceconnect/franceconnect/examples/dataprovider/quotient"
	"github.com/go-franceconnect/franceconnect/fcdata"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "dataprovider:", err)
		os.Exit(1)
	}
}

// run serves until ctx is done.
func run(ctx context.Context) error {
	handler, err := newAPI(ctx)
	if err != nil {
		return err
	}
	addr := os.Getenv("ADDR")
	if addr == "" {
		return errors.New("ADDR is not set: the listen address, e.g. 127.0.0.1:18090")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	fmt.Printf("data provider listening on http://%s\nready\n", ln.Addr())
	<-ctx.Done()
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(shutdown)
}

// newAPI builds the data API from the FD_* variables.
func newAPI(ctx context.Context) (http.Handler, error) {
	cfg, err := fcdata.ConfigFromEnv()
	if err != nil {
		return nil, err
	}
	cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	v, err := fcdata.New(ctx, cfg)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("GET /api/"+quotient.Path, v.Middleware()(http.HandlerFunc(quotient.Me)))
	if len(cfg.DecryptionKeys) > 0 {
		keys, err := franceconnect.KeysHandler(cfg.DecryptionKeys)
		if err != nil {
			return nil, err
		}
		mux.Handle("GET /.well-known/jwks.json", keys)
	}
	return mux, nil
}
