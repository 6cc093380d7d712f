package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strconv"

	"github.com/go-franceconnect/franceconnect"
	"github.com/go-franceconnect/franceconnect/fchttp"
	"github.com/go-franceconnect/franceconnect/fctest"
)

// Variables read by the site itself; the FC_* ones are read by
// franceconnect.ConfigFromEnv.
const (
	envAddr        = "ADDR"                // listen address, default 127.0.0.1:8080
	envSessionKeys = fchttp.EnvSessionKeys // comma-separated base64 32-byte keys, newest first
	envRequestAMR  = "REQUEST_AMR"         // "false" to stop asking for the amr claim
)

// demoClientID is the FS registered on the embedded emulator.
const demoClientID = "fs-exemple"

// keysPath is where the site serves its "Client keys URL".
const keysPath = "/client/.well-known/keys"

// app is the running site: one FranceConnect or ProConnect client and its
// web layer.
type app struct {
	client *franceconnect.Client
	fc     *fchttp.Handler
	emu    *fctest.Server // the embedded emulator; nil against a real provider
	log    *slog.Logger
	// levels are the ProConnect levels a login accepts by default (nil:
	// any level, or another platform).
	levels []franceconnect.ACR
	// homeURL is the URL to open in a browser: the origin of the redirect URL.
	homeURL string
	// formAction lists the origins the site's forms may end up on (CSP).
	formAction string
}

// newApp builds the site that will be served on ln. With FC_ENVIRONMENT or
// FC_ISSUER set it uses franceconnect.ConfigFromEnv; otherwise it starts the
// fctest emulator, as FranceConnect+ or with FC_PLATFORM=proconnect as
// ProConnect, and registers itself there. Call close when done.
func newApp(ctx context.Context, ln net.Listener, log *slog.Logger) (*app, error) {
	a := &app{log: log}
	if err := a.init(ctx, ln); err != nil {
		a.close()
		return nil, err
	}
	return a, nil
}

func (a *app) init(ctx context.Context, ln net.Listener) error {
	keys, err := sessionKeys(a.log)
	if err != nil {
		return err
	}
	var cfg franceconnect.Config
	if os.Getenv(franceconnect.EnvEnvironment) != "" || os.Getenv(franceconnect.EnvIssuer) != "" {
		cfg, err = franceconnect.ConfigFromEnv()
	} else {
		cfg, err = a.startEmulator(siteURL(ln))
	}
	if err != nil {
		return err
	}
	cfg.Logger, a.levels = a.log, cfg.AcceptedACRs
	if a.client, err = franceconnect.New(ctx, cfg); err != nil {
		if a.emu != nil && cfg.Platform == franceconnect.ProConnect {
			return fmt.Errorf("the embedded ProConnect emulator's settings (%s, %s, %s): %w",
				franceconnect.EnvACR, franceconnect.EnvSigningAlg, franceconnect.EnvUserInfo, err)
		}
		return err
	}
	web := fchttp.Config{
		Client: a.client, SessionKeys: keys, LoggedOutPath: "/deconnecte",
		OnLogin: a.onLogin, OnError: a.onError, Logger: a.log,
	}
	if len(cfg.DecryptionKeys) > 0 {
		web.KeysPath, web.DecryptionKeys = keysPath, cfg.DecryptionKeys
	}
	if os.Getenv(envRequestAMR) != "false" {
		web.AuthRequest.Claims = franceconnect.RequestAMR()
	}
	if a.fc, err = fchttp.New(web); err != nil {
		return err
	}
	redirect, _ := url.Parse(cfg.RedirectURL) // validated by New
	issuer, _ := url.Parse(a.client.Issuer())
	a.homeURL = redirect.Scheme + "://" + redirect.Host + "/"
	a.formAction = "'self' " + issuer.Scheme + "://" + issuer.Host
	return nil
}

// startEmulator starts the fctest emulator of FC_PLATFORM and registers the
// site on it: on FranceConnect+, with a fresh ECDH-ES key served at the
// site's own Client keys URL.
func (a *app) startEmulator(site string) (franceconnect.Config, error) {
	platform, err := emulatorPlatform()
	if err != nil {
		return franceconnect.Config{}, err
	}
	if platform == fctest.ProConnect {
		return a.startProConnect(site)
	}
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
		Secret:                 cfg.ClientSecret,
		Name:                   "Service en ligne de démonstration",
		RedirectURIs:           []string{cfg.RedirectURL},
		PostLogoutRedirectURIs: []string{cfg.PostLogoutRedirectURL},
		AllowAMR:               true,
		JWKSURL:                site + keysPath,
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

// sessionKeys reads the cookie key ring from FS_SESSION_KEYS, or makes one
// for this process and says what that means.
func sessionKeys(log *slog.Logger) ([][]byte, error) {
	if v := os.Getenv(envSessionKeys); v != "" {
		keys, err := fchttp.ParseSessionKeys(v)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", envSessionKeys, err)
		}
		return keys, nil
	}
	key := make([]byte, fchttp.KeySize)
	_, _ = rand.Read(key) // never fails (crypto/rand)
	log.Warn("FS_SESSION_KEYS is not set: using a key made for this process; sessions will not survive a restart nor span several instances")
	return [][]byte{key}, nil
}

var errKeyFileExists = errors.New("refusing to overwrite an existing key file")

// writeKeyFile generates a decryption key, stores its private JWK Set in path
// (mode 0600) and returns the public JWKS to register with FranceConnect+.
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
