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
	"strings"

	"github.com/go-franceconnect/franceconnect"
	"github.com/go-franceconnect/franceconnect/fchttp"
)

// Variables read by the site itself; the FC_* ones are read by
// franceconnect.ConfigFromEnv, or under the prefixes CITOYEN_ and AGENT_
// by franceconnect.ConfigFromEnvPrefix.
const (
	envAddr        = "ADDR"                // listen address, default 127.0.0.1:8080
	envSessionKeys = fchttp.EnvSessionKeys // comma-separated base64 32-byte keys, newest first
	envRequestAMR  = "REQUEST_AMR"         // "false" to stop asking for the amr claim
)

// The doors of the two-door site, and the prefixes of their variables.
const (
	citizenDoor = "citoyen"
	agentDoor   = "agent"
)

// demoClientID is the FS registered on the embedded emulators.
const demoClientID = "fs-exemple"

// keysPath is where a FranceConnect+ door serves its "Client keys URL".
const keysPath = "/client/.well-known/keys"

// app is the running site: one door, or two (citizens on FranceConnect+,
// agents on ProConnect).
type app struct {
	doors []*door
	log   *slog.Logger
	// homeURL is the URL to open in a browser: the origin of the redirect URLs.
	homeURL string
	// formAction lists the origins the site's forms may end up on (CSP).
	formAction string
}

// newApp builds the site that will be served on ln, with its doors:
//   - FC_ENVIRONMENT or FC_ISSUER set: one door, from franceconnect.ConfigFromEnv;
//   - CITOYEN_FC_… or AGENT_FC_… set: a door for each prefix set, from
//     franceconnect.ConfigFromEnvPrefix;
//   - FC_PLATFORM set: one door on the embedded emulator of that platform;
//   - otherwise the two doors on two embedded emulators.
//
// Call close when done.
func newApp(ctx context.Context, ln net.Listener, log *slog.Logger) (*app, error) {
	a := &app{log: log}
	if err := a.init(ctx, siteURL(ln)); err != nil {
		a.close()
		return nil, err
	}
	return a, nil
}

func (a *app) init(ctx context.Context, site string) error {
	keys, err := sessionKeys(a.log)
	if err != nil {
		return err
	}
	specs, err := doorSpecs()
	if err != nil {
		return err
	}
	origins := []string{"'self'"}
	for _, spec := range specs {
		d, err := a.openDoor(ctx, spec, site, keys, len(specs) > 1)
		if d != nil {
			a.doors = append(a.doors, d)
		}
		if err != nil {
			return err
		}
		origins = append(origins, cspSource(d.client.Issuer()))
	}
	redirect, _ := url.Parse(a.doors[0].client.RedirectURL()) // validated by New
	a.homeURL = redirect.Scheme + "://" + redirect.Host + "/"
	a.formAction = strings.Join(origins, " ")
	return nil
}

// cspSource is the CSP source of an issuer's origin; CSP has no syntax for
// an IPv6 address, so an emulator on ::1 gets its scheme alone.
func cspSource(issuer string) string {
	u, _ := url.Parse(issuer) // validated by franceconnect.New
	if strings.HasPrefix(u.Host, "[") {
		return u.Scheme + ":"
	}
	return u.Scheme + "://" + u.Host
}

// doorSpec says where a door's registration comes from.
type doorSpec struct {
	key      string // "" on a one-door site
	prefix   string // the variables' prefix, when they describe the door
	fromEnv  bool   // a real registration, from the variables
	platform string // otherwise, the embedded emulator's: "fcplus" or "proconnect"
}

// doorSpecs reads which doors the site has.
func doorSpecs() ([]doorSpec, error) {
	set := func(prefix string) bool {
		return os.Getenv(prefix+franceconnect.EnvEnvironment) != "" || os.Getenv(prefix+franceconnect.EnvIssuer) != ""
	}
	var specs []doorSpec
	switch {
	case set(""):
		return []doorSpec{{fromEnv: true}}, nil
	case set("CITOYEN_") || set("AGENT_"):
		for key, prefix := range map[string]string{citizenDoor: "CITOYEN_", agentDoor: "AGENT_"} {
			if set(prefix) {
				specs = append(specs, doorSpec{key: key, prefix: prefix, fromEnv: true})
			}
		}
		if len(specs) == 2 && specs[0].key == agentDoor {
			specs[0], specs[1] = specs[1], specs[0]
		}
		if len(specs) == 1 {
			specs[0].key = "" // one door keeps the one-door paths
		}
		return specs, nil
	case os.Getenv(franceconnect.EnvPlatform) != "":
		platform, err := emulatorPlatform()
		return []doorSpec{{platform: platform}}, err
	}
	return []doorSpec{{key: citizenDoor, platform: "fcplus"}, {key: agentDoor, platform: "proconnect"}}, nil
}

// close stops the embedded emulators.
func (a *app) close() {
	for _, d := range a.doors {
		if d.data != nil {
			d.data.close()
		}
		if d.emu != nil {
			d.emu.Close()
		}
	}
}

// emulated reports whether the site runs on embedded emulators.
func (a *app) emulated() bool { return a.doors[0].emu != nil }

// siteURL is the http URL of the listener, with 127.0.0.1 for a wildcard address.
func siteURL(ln net.Listener) string {
	addr := ln.Addr().(*net.TCPAddr)
	ip := addr.IP
	if ip.IsUnspecified() {
		ip = net.IPv4(127, 0, 0, 1)
	}
	return "http://" + net.JoinHostPort(ip.String(), strconv.Itoa(addr.Port))
}

// sessionKeys reads the cookie key ring from FS_SESSION_KEYS, which the
// doors share, or makes one for this process and says what that means.
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
