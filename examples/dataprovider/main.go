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
// the jwks_uri to register, are served at /.well-known/jwks.json.
package main

import (
	"context"
	"encoding/json"
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
	mux.Handle("GET /api/v1/me", v.Middleware()(http.HandlerFunc(me)))
	if len(cfg.DecryptionKeys) > 0 {
		keys, err := franceconnect.KeysHandler(cfg.DecryptionKeys)
		if err != nil {
			return nil, err
		}
		mux.Handle("GET /.well-known/jwks.json", keys)
	}
	return mux, nil
}

// answer is the body of GET /api/v1/me.
type answer struct {
	Subject          string         `json:"sub"`
	ClientID         string         `json:"client_id"`
	Scopes           []string       `json:"scopes"`
	ACR              string         `json:"acr"`
	Identity         map[string]any `json:"identity,omitempty"`
	QuotientFamilial *int           `json:"quotient_familial"`
}

// me answers the family quotient of the token's person: null when the
// register has no such person.
func me(w http.ResponseWriter, r *http.Request) {
	res, _ := fcdata.FromContext(r.Context())
	a := answer{Subject: res.Subject, ClientID: res.ClientID, Scopes: res.Scopes, ACR: string(res.ACR)}
	if id := res.Identity; id != nil {
		a.Identity = map[string]any{"given_name": id.GivenName, "family_name": id.FamilyName,
			"birthdate": id.Birthdate.String(), "gender": id.Gender, "birthplace": id.Birthplace,
			"birthcountry": id.Birthcountry}
		if q, ok := register[id.FamilyName+" "+id.Birthdate.String()]; ok {
			a.QuotientFamilial = &q
		}
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(a)
}

// register is a fictitious register of family quotients (euros a month),
// matched on birth name and birth date. A real data provider matches more
// strictly: FranceConnect's reference one requires exactly one record with
// the same accent-folded names, birth date and birthplace.
var register = map[string]int{
	"ARNAUD 1984-05-23":    812,
	"MOREAU 1979-09-30":    1240,
	"BENHADDOU 1971-02-17": 455,
	"PIETRI 1962-11-03":    1630,
}
