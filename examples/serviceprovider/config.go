package main

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"time"

	"github.com/go-franceconnect/franceconnect"
	"github.com/go-franceconnect/franceconnect/fctest"
)

// Variables read by the site itself; the FC_* ones are read by
// franceconnect.ConfigFromEnv.
const (
	envAddr       = "ADDR"        // listen address, default 127.0.0.1:8080
	envSessionKey = "SESSION_KEY" // hex HMAC key of the session cookie, at least 32 bytes
	envRequestAMR = "REQUEST_AMR" // "false" to stop asking for the amr claim
)

// demoClientID is the FS registered on the embedded emulator.
const demoClientID = "fs-exemple"

// app is the running site: one FranceConnect client and its sessions.
type app struct {
	fc         *franceconnect.Client
	sessions   *sessionStore
	keys       http.Handler   // the public JWKS; nil when the FS has no keys
	emu        *fctest.Server // the embedded emulator; nil against a real provider
	log        *slog.Logger
	requestAMR bool
	// paths of the callbacks, taken from the registered URLs.
	callbackPath, logoutCallbackPath string
	// home is the URL to open in a browser: the origin of the redirect URL.
	homeURL string
	// formAction lists the origins the site's forms may end up on (CSP).
	formAction string
}

// newApp builds the site that will be served on ln. With FC_ENVIRONMENT or
// FC_ISSUER set it uses franceconnect.ConfigFromEnv; otherwise it starts the
// fctest emulator and registers itself there. Call close when done.
func newApp(ctx context.Context, ln net.Listener, log *slog.Logger) (*app, error) {
	a := &app{log: log, requestAMR: os.Getenv(envRequestAMR) != "false"}
	key, err := sessionKey()
	if err != nil {
		return nil, err
	}
	var cfg franceconnect.Config
	if os.Getenv(franceconnect.EnvEnvironment) != "" || os.Getenv(franceconnect.EnvIssuer) != "" {
		cfg, err = franceconnect.ConfigFromEnv()
	} else {
		cfg, err = a.startEmulator(siteURL(ln))
	}
	if err != nil {
		a.close()
		return nil, err
	}
	cfg.Logger = log
	if a.fc, err = franceconnect.New(ctx, cfg); err != nil {
		a.close()
		return nil, err
	}
	if len(cfg.DecryptionKeys) > 0 {
		if a.keys, err = franceconnect.KeysHandler(cfg.DecryptionKeys); err != nil {
			a.close()
			return nil, err
		}
	}
	redirect, _ := url.Parse(cfg.RedirectURL) // validated by New
	logout, _ := url.Parse(cfg.PostLogoutRedirectURL)
	issuer, _ := url.Parse(a.fc.Issuer())
	a.callbackPath, a.logoutCallbackPath = redirect.Path, logout.Path
	a.homeURL = redirect.Scheme + "://" + redirect.Host + "/"
	a.formAction = "'self' " + issuer.Scheme + "://" + issuer.Host
	a.sessions = &sessionStore{key: key, secure: redirect.Scheme == "https", now: time.Now}
	return a, nil
}

// startEmulator starts the fctest emulator and registers the site on it, with
// a fresh ECDH-ES key served at the site's own Client keys URL.
func (a *app) startEmulator(site string) (franceconnect.Config, error) {
	emu, err := fctest.NewServer(fctest.Options{})
	if err != nil {
		return franceconnect.Config{}, err
	}
	a.emu = emu
	key, err := franceconnect.GenerateKey(franceconnect.ECDHES, "")
	if err != nil {
		return franceconnect.Config{}, err
	}
	cfg := franceconnect.Config{
		Issuer:                emu.Issuer(),
		ClientID:              demoClientID,
		ClientSecret:          franceconnect.Secret(randomHex(32)),
		RedirectURL:           site + "/callback",
		PostLogoutRedirectURL: site + "/logout-callback",
		Scopes:                []string{"openid", "identite_pivot", "email", "preferred_username"},
		ACR:                   franceconnect.EIDAS2,
		DecryptionKeys:        []franceconnect.Key{key},
	}
	err = emu.RegisterClient(fctest.Client{
		ID:                     cfg.ClientID,
		Secret:                 string(cfg.ClientSecret),
		Name:                   "Service en ligne de démonstration",
		RedirectURIs:           []string{cfg.RedirectURL},
		PostLogoutRedirectURIs: []string{cfg.PostLogoutRedirectURL},
		AllowAMR:               true,
		JWKSURL:                site + "/client/.well-known/keys",
	})
	return cfg, err
}

// close stops the embedded emulator, if any.
func (a *app) close() {
	if a.emu != nil {
		a.emu.Close()
	}
}

// siteURL is the http URL of the listener, with 127.0.0.1 for a wildcard address.
func siteURL(ln net.Listener) string {
	addr := ln.Addr().(*net.TCPAddr)
	ip := addr.IP
	if ip.IsUnspecified() {
		ip = net.IPv4(127, 0, 0, 1)
	}
	return "http://" + net.JoinHostPort(ip.String(), strconv.Itoa(addr.Port))
}

// sessionKey reads SESSION_KEY (hex) or makes a random key for this process.
func sessionKey() ([]byte, error) {
	v := os.Getenv(envSessionKey)
	if v == "" {
		return hex.DecodeString(randomHex(32))
	}
	key, err := hex.DecodeString(v)
	if err != nil || len(key) < 32 {
		return nil, fmt.Errorf("%s: want at least 32 bytes in hexadecimal (64 characters)", envSessionKey)
	}
	return key, nil
}

var errKeyFileExists = errors.New("refusing to overwrite an existing key file")

// writeKeyFile generates a decryption key, stores its private JWK Set in path
// (mode 0600) and returns the public JWKS to register with FranceConnect.
func writeKeyFile(path, alg string) ([]byte, error) {
	key, err := franceconnect.GenerateKey(alg, "")
	if err != nil {
		return nil, err
	}
	private, err := franceconnect.MarshalKeys([]franceconnect.Key{key})
	if err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return nil, fmt.Errorf("%s: %w", path, errKeyFileExists)
	} else if err != nil {
		return nil, err
	}
	if _, err := f.Write(private); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	return franceconnect.PublicJWKS([]franceconnect.Key{key})
}
