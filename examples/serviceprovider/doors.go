package main

import (
	"context"
	"fmt"
	"net/http"
	"os"

	"github.com/go-franceconnect/franceconnect"
	"github.com/go-franceconnect/franceconnect/fchttp"
	"github.com/go-franceconnect/franceconnect/fctest"
)

// door is one way into the site: a client of one platform, its fchttp
// Handler with its own cookie and routes, and its area.
type door struct {
	key    string // "" on a one-door site, citizenDoor or agentDoor
	client *franceconnect.Client
	fc     *fchttp.Handler
	emu    *fctest.Server // the embedded emulator; nil against a real provider
	// levels are the ProConnect levels a login accepts by default (nil:
	// any level, or another platform).
	levels []franceconnect.ACR
	// sensitive is the door's page that needs more than its level; nil
	// when the platform has none above it.
	sensitive *sensitive
	// data is the data provider its logins call, next to the embedded
	// FranceConnect+ emulator; nil elsewhere.
	data *dataProvider
}

// path is a path of the door: p itself on a one-door site, under
// /citoyen or /agent on the two-door site.
func (d *door) path(p string) string {
	if d.key == "" {
		return p
	}
	return "/" + d.key + p
}

// area is the door's area: the home page on a one-door site.
func (d *door) area() string { return d.path("/") }

// agents reports whether the door signs agents in, with ProConnect.
func (d *door) agents() bool { return d.client.Platform() == franceconnect.ProConnect }

// openDoor builds the door spec describes: its client, registered on its
// embedded emulator or read from the variables, then its Handler. The
// doors of a two-door site (two) have their own cookie and paths.
func (a *app) openDoor(ctx context.Context, spec doorSpec, site string, keys [][]byte, two bool) (*door, error) {
	d := &door{key: spec.key}
	var cfg franceconnect.Config
	var err error
	switch {
	case spec.fromEnv:
		cfg, err = franceconnect.ConfigFromEnvPrefix(spec.prefix)
	case spec.platform == "proconnect":
		cfg, err = d.startProConnect(site)
	default:
		cfg, err = d.startFranceConnectPlus(site)
		if err == nil {
			d.data, err = startDataProvider(ctx, d.emu)
		}
	}
	if err != nil {
		return d, err
	}
	cfg.Logger, d.levels = a.log, cfg.AcceptedACRs
	if d.client, err = franceconnect.New(ctx, cfg); err != nil {
		if d.emu != nil && cfg.Platform == franceconnect.ProConnect {
			return d, fmt.Errorf("the embedded ProConnect emulator's settings (%s, %s, %s): %w",
				franceconnect.EnvACR, franceconnect.EnvSigningAlg, franceconnect.EnvUserInfo, err)
		}
		return d, err
	}
	web := fchttp.Config{
		Client: d.client, SessionKeys: keys,
		LoginPath: d.path("/login"), LogoutPath: d.path("/logout"), HomePath: d.area(), LoggedOutPath: d.path("/deconnecte"),
		OnLogin: func(w http.ResponseWriter, r *http.Request, l *franceconnect.Login) (any, error) {
			return a.onLogin(r.Context(), d, w, l)
		},
		OnError: a.onError, OnStepUpPage: a.onStepUpPage, Logger: a.log,
	}
	if two {
		web.CookieName = d.key
	}
	if len(cfg.DecryptionKeys) > 0 {
		web.KeysPath, web.DecryptionKeys = d.path(keysPath), cfg.DecryptionKeys
	}
	if os.Getenv(envRequestAMR) != "false" {
		web.AuthRequest.Claims = franceconnect.RequestAMR()
	}
	if d.fc, err = fchttp.New(web); err == nil {
		a.openSensitive(d)
	}
	return d, err
}

// startFranceConnectPlus starts the fctest emulator as FranceConnect+ and
// registers the door on it, with a fresh ECDH-ES key served at the door's
// own Client keys URL.
func (d *door) startFranceConnectPlus(site string) (franceconnect.Config, error) {
	emu, err := fctest.NewServer(fctest.Options{SingleSignOn: true})
	if err != nil {
		return franceconnect.Config{}, err
	}
	d.emu = emu
	key, err := franceconnect.GenerateKey(franceconnect.ECDHES, "")
	if err != nil {
		return franceconnect.Config{}, err
	}
	cfg := franceconnect.Config{
		Issuer:                emu.Issuer(),
		ClientID:              demoClientID,
		ClientSecret:          franceconnect.Secret(randomHex(32)),
		RedirectURL:           site + d.path("/callback"),
		PostLogoutRedirectURL: site + d.path("/logout-callback"),
		Scopes:                []string{"openid", "identite_pivot", "email", "preferred_username"},
		ACR:                   franceconnect.EIDAS2,
		DecryptionKeys:        []franceconnect.Key{key},
	}
	err = emu.Register(fctest.Registration{
		ID:                     cfg.ClientID,
		Secret:                 fctest.Secret(cfg.ClientSecret),
		Name:                   "Service en ligne de démonstration",
		RedirectURIs:           []string{cfg.RedirectURL},
		PostLogoutRedirectURIs: []string{cfg.PostLogoutRedirectURL},
		AllowAMR:               true,
		JWKSURL:                site + d.path(keysPath),
	})
	return cfg, err
}
