package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/go-franceconnect/franceconnect"
	"github.com/go-franceconnect/franceconnect/examples/dataprovider/quotient"
	"github.com/go-franceconnect/franceconnect/fcdata"
	"github.com/go-franceconnect/franceconnect/fctest"
)

// dataProviderID is the data provider registered on the embedded
// FranceConnect+ emulator: the family quotient API of
// examples/dataprovider, run in-process on its own loopback port.
const dataProviderID = "fd-quotient"

// dataScopes are the scopes the data provider sees of a token: the claims
// its register matches a person on.
var dataScopes = []string{"given_name", "family_name", "birthdate"}

// dataCallTimeout bounds the data call of a login, which waits for it.
const dataCallTimeout = 5 * time.Second

// dataProvider is the example data provider, served next to the door's
// emulator.
type dataProvider struct {
	url string // the API's base URL, ending in /api/
	srv *http.Server
}

// startDataProvider registers the data provider on emu, with a fresh
// ECDH-ES key for checktoken's answers, and serves its API behind fcdata's
// middleware on a loopback port. Close it with close.
func startDataProvider(ctx context.Context, emu *fctest.Server) (*dataProvider, error) {
	key, err := franceconnect.GenerateKey(franceconnect.ECDHES, "")
	if err != nil {
		return nil, err
	}
	jwks, err := franceconnect.PublicJWKS([]franceconnect.Key{key})
	if err != nil {
		return nil, err
	}
	secret := franceconnect.Secret(randomHex(32))
	err = emu.RegisterDataProvider(fctest.DataProvider{ID: dataProviderID, Secret: fctest.Secret(secret), Scopes: dataScopes, JWKS: jwks})
	if err != nil {
		return nil, err
	}
	v, err := fcdata.New(ctx, fcdata.Config{Issuer: emu.Issuer(), ClientID: dataProviderID, ClientSecret: secret,
		DecryptionKeys: []franceconnect.Key{key}, Clients: []string{demoClientID}})
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("GET /api/"+quotient.Path, v.Middleware()(http.HandlerFunc(quotient.Me)))
	p := &dataProvider{url: "http://" + ln.Addr().String() + "/api/",
		srv: &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}}
	go func() { _ = p.srv.Serve(ln) }()
	return p, nil
}

func (p *dataProvider) close() { _ = p.srv.Close() }

// errRefused is a data provider's answer other than 200: the token or its
// scopes refused.
var errRefused = errors.New("the data provider refused the request")

// call asks the data provider for the family quotient of the person the
// login's tokens are about, with its access token (60 seconds on
// FranceConnect+).
func (p *dataProvider) call(ctx context.Context, c *franceconnect.Client, t *franceconnect.Tokens) (*quotient.Answer, error) {
	hc, err := c.DataClient(t, franceconnect.DataProvider{URL: p.url})
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.url+quotient.Path, nil)
	if err != nil {
		return nil, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%w: %s (%s)", errRefused, resp.Status, resp.Header.Get("WWW-Authenticate"))
	}
	var a quotient.Answer
	if err := json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&a); err != nil {
		return nil, fmt.Errorf("the data provider's answer: %w", err)
	}
	return &a, nil
}

// dataView is the data provider's answer as the identity page shows it:
// the amount, or a message saying why there is none.
type dataView struct {
	Amount  string
	Message string
}

// fetchQuotient calls the data provider right after the login, while the
// access token lives; whatever happens, the login itself succeeds, and the
// page says what went wrong.
func (a *app) fetchQuotient(ctx context.Context, d *door, l *franceconnect.Login) *dataView {
	ctx, cancel := context.WithTimeout(ctx, dataCallTimeout)
	defer cancel()
	ans, err := d.data.call(ctx, d.client, &l.Tokens)
	const after = " Votre connexion, elle, a bien abouti."
	switch {
	case err == nil && ans.QuotientFamilial != nil:
		return &dataView{Amount: strconv.Itoa(*ans.QuotientFamilial) + " €"}
	case err == nil:
		return &dataView{Message: "Le registre de démonstration ne connaît pas de quotient familial pour vous."}
	}
	a.log.Warn("data provider call failed", "door", d.key, "err", err)
	switch {
	case errors.Is(err, errRefused):
		return &dataView{Message: "Le fournisseur de données a refusé la demande : votre quotient familial ne peut pas être affiché." + after}
	case errors.Is(err, franceconnect.ErrAccessTokenExpired):
		return &dataView{Message: "Le jeton d'accès, valable une minute, a expiré avant l'appel au fournisseur de données : votre quotient familial ne peut pas être affiché." + after}
	}
	return &dataView{Message: "Le fournisseur de données est injoignable pour le moment : votre quotient familial ne peut pas être affiché." + after}
}
