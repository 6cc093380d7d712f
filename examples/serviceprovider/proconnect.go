package main

import (
	"cmp"
	"errors"
	"fmt"
	"net"
	"os"
	"slices"
	"strings"

	"github.com/go-franceconnect/franceconnect"
	"github.com/go-franceconnect/franceconnect/fctest"
)

// proconnectScopes are the scopes the site requests on ProConnect: the
// agent's name, e-mail and id, the organisation, the identity provider
// and the roles.
var proconnectScopes = []string{"openid", "given_name", "usual_name", "email", "uid", "siret", "siren",
	"organization_label", "idp_id", "idp_acr", "roles"}

// emulatorPlatform is the platform the embedded emulator of a one-door
// site plays, after FC_PLATFORM: "fcplus" or "proconnect".
func emulatorPlatform() (string, error) {
	switch name := strings.ToLower(os.Getenv(franceconnect.EnvPlatform)); name {
	case "", "fcplus", "fc+", "franceconnect+":
		return "fcplus", nil
	case "proconnect", "pc":
		return "proconnect", nil
	default:
		return "", fmt.Errorf("%w: %s=%q: the embedded emulator plays fcplus or proconnect; for another provider set %s or %s",
			franceconnect.ErrConfig, franceconnect.EnvPlatform, name, franceconnect.EnvIssuer, franceconnect.EnvEnvironment)
	}
}

// startProConnect starts the emulator as ProConnect and registers the door
// on it, as a ProConnect FS registers: no keys, an id_token signed with
// FC_SIGNING_ALG (default RS256) and a userinfo signed with the same
// algorithm, or plain JSON with FC_USERINFO=json. The logins accept the
// levels of FC_ACR (space-separated), by default every level.
func (d *door) startProConnect(site string) (franceconnect.Config, error) {
	opts := fctest.Options{Platform: fctest.ProConnect}
	if d.key != "" {
		ln, err := otherLoopback()
		if err != nil {
			return franceconnect.Config{}, err
		}
		opts.Listener = ln
	}
	emu, err := fctest.NewServer(opts)
	if err != nil {
		return franceconnect.Config{}, err
	}
	d.emu = emu
	alg := cmp.Or(os.Getenv(franceconnect.EnvSigningAlg), "RS256")
	cfg := franceconnect.Config{
		Issuer:                emu.Issuer(),
		Platform:              franceconnect.ProConnect,
		ClientID:              demoClientID,
		ClientSecret:          franceconnect.Secret(randomHex(32)),
		RedirectURL:           site + d.path("/callback"),
		PostLogoutRedirectURL: site + d.path("/logout-callback"),
		Scopes:                proconnectScopes,
		AcceptedACRs:          franceconnect.ProConnectAnyLevel(),
		SigningAlgs:           []string{alg},
		UserInfo:              franceconnect.UserInfoFormat(strings.ToLower(os.Getenv(franceconnect.EnvUserInfo))),
	}
	if v := os.Getenv(franceconnect.EnvACR); v != "" {
		cfg.AcceptedACRs = parseLevels(v)
	}
	reg := fctest.Registration{
		ID:                     cfg.ClientID,
		Secret:                 fctest.Secret(cfg.ClientSecret),
		Name:                   "Service en ligne de démonstration",
		RedirectURIs:           []string{cfg.RedirectURL},
		PostLogoutRedirectURIs: []string{cfg.PostLogoutRedirectURL},
		SignedResponseAlg:      alg,
	}
	if cfg.UserInfo != franceconnect.UserInfoJSON {
		reg.UserinfoSignedResponseAlg = alg
	}
	if err := emu.Register(reg); err != nil {
		return cfg, fmt.Errorf("%w: %s=%q: the emulator refuses the registration: %w",
			franceconnect.ErrConfig, franceconnect.EnvSigningAlg, alg, err)
	}
	return cfg, nil
}

// otherLoopback listens on a loopback host other than 127.0.0.1, for the
// ProConnect emulator of the two-door site: browsers keep cookies by host,
// whatever the port, and both emulators name their session cookie
// fc_session_id, as the platforms' own hosts may. On one host, logging in
// at one door would drop the other emulator's session, and with it the
// logout there.
func otherLoopback() (net.Listener, error) {
	var errs []error
	for _, addr := range []string{"127.0.0.2:0", "[::1]:0"} {
		ln, err := net.Listen("tcp", addr)
		if err == nil {
			return ln, nil
		}
		errs = append(errs, err)
	}
	return nil, fmt.Errorf("the ProConnect emulator needs a loopback host besides 127.0.0.1 (127.0.0.2 or ::1): %w", errors.Join(errs...))
}

// parseLevels splits a space-separated list of ProConnect levels.
func parseLevels(s string) []franceconnect.ACR {
	var levels []franceconnect.ACR
	for _, f := range strings.Fields(s) {
		levels = append(levels, franceconnect.ACR(f))
	}
	return levels
}

// levelChoice is one radio of the home page: a level, or on ProConnect a
// set of accepted levels, sent as the "acr" field of the door's button.
type levelChoice struct {
	ID, Value, Title, Note string
	Checked                bool
}

// plusLevels are the levels the home page offers on FranceConnect+: those
// at or above floor, the configured level, never one below it.
func plusLevels(floor franceconnect.ACR) []levelChoice {
	choices := slices.DeleteFunc([]levelChoice{
		{ID: "acr-eidas2", Value: "eidas2", Title: "Substantiel (eidas2)", Note: "Pour la plupart des démarches sensibles."},
		{ID: "acr-eidas3", Value: "eidas3", Title: "Élevé (eidas3)", Note: "Le plus haut niveau, pour les démarches les plus critiques."},
	}, func(c levelChoice) bool { return !franceconnect.ACR(c.Value).Satisfies(floor) })
	choices[0].Checked = true
	return choices
}

// levelChoices are the sets the home page offers on ProConnect: the site's
// default (FC_ACR, or every level) and, when it differs, the levels of the
// default with two factors, never a level outside the default.
func levelChoices(defaults []franceconnect.ACR) []levelChoice {
	title, note := "Niveaux du service", "Niveaux acceptés : "+listLevels(defaults)+"."
	if len(defaults) == 0 || sameLevels(defaults, franceconnect.ProConnectAnyLevel()) {
		title = "Tout agent"
		note = "Tous les niveaux, même sans double authentification : " + listLevels(franceconnect.ProConnectAnyLevel()) + "."
	}
	choices := []levelChoice{{ID: "acr-default", Value: joinLevels(defaults), Title: title, Note: note, Checked: true}}
	mfa := withinLevels(franceconnect.ProConnectWithMFA(), defaults)
	if len(mfa) > 0 && (len(defaults) == 0 || !sameLevels(mfa, defaults)) {
		choices = append(choices, levelChoice{ID: "acr-mfa", Value: joinLevels(mfa), Title: "Double authentification obligatoire",
			Note: "Niveaux acceptés : " + listLevels(mfa) + "."})
	}
	return choices
}

// withinLevels are the levels of want that the door accepts (nil: any).
func withinLevels(want, door []franceconnect.ACR) []franceconnect.ACR {
	if len(door) == 0 {
		return want
	}
	return slices.DeleteFunc(slices.Clone(want), func(a franceconnect.ACR) bool { return !slices.Contains(door, a) })
}

func sameLevels(a, b []franceconnect.ACR) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// joinLevels is the "acr" field of a set of levels.
func joinLevels(levels []franceconnect.ACR) string {
	s := make([]string, len(levels))
	for i, a := range levels {
		s[i] = string(a)
	}
	return strings.Join(s, " ")
}

// listLevels names levels for a person: "eidas1-mfa, eidas2".
func listLevels(levels []franceconnect.ACR) string {
	s := make([]string, len(levels))
	for i, a := range levels {
		s[i] = shortLevel(a)
	}
	return strings.Join(s, ", ")
}

// shortLevel is a level as shown in lists: certification-dirigeant
// without its URL.
func shortLevel(a franceconnect.ACR) string {
	if a == franceconnect.CertificationDirigeant {
		return "certification-dirigeant"
	}
	return string(a)
}
