package main

import (
	"context"
	"encoding/json"
	"html"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect"
	"github.com/go-franceconnect/franceconnect/fctest"
)

// startProConnect runs the site on the embedded ProConnect emulator, with
// the FC_* variables of vars besides FC_PLATFORM.
func startProConnect(t *testing.T, vars map[string]string) (*app, string) {
	t.Helper()
	all := map[string]string{franceconnect.EnvPlatform: "proconnect"}
	for k, v := range vars {
		all[k] = v
	}
	return startSiteWith(t, all)
}

// levelsField is the "acr" field of a set of levels.
func levelsField(levels []franceconnect.ACR) map[string][]string {
	return map[string][]string{"acr": {joinLevels(levels)}}
}

// pcLogin starts a login from the home page with the acr field (none when
// nil) and picks agent on the emulator: the site's answer to the callback,
// entities decoded, and the authorize request.
func pcLogin(t *testing.T, u *fctest.Visitor, fields map[string][]string, agent string) (cb, start *fctest.Response) {
	t.Helper()
	ctx := context.Background()
	start, err := u.StartLogin(ctx, open(t, u, "/"), fields)
	require.NoError(t, err)
	cb, err = u.ChooseIdentity(ctx, start, agent)
	require.NoError(t, err)
	cb.Body = html.UnescapeString(cb.Body)
	return cb, start
}

// acceptedLevels are the levels of the essential acr claim of an authorize
// redirect.
func acceptedLevels(t *testing.T, start *fctest.Response) []string {
	t.Helper()
	var claims struct {
		IDToken map[string]struct {
			Essential bool
			Values    []string
		} `json:"id_token"`
	}
	require.NoError(t, json.Unmarshal([]byte(start.Location().Query().Get("claims")), &claims))
	require.True(t, claims.IDToken["acr"].Essential)
	require.True(t, claims.IDToken["amr"].Essential, "REQUEST_AMR is on by default")
	return claims.IDToken["acr"].Values
}

// TestProConnectFlow runs the site as a ProConnect FS with FC_PLATFORM
// alone: ProConnect's button, an agent's login, the agent page with the
// organisation and the level, and logout through ProConnect.
func TestProConnectFlow(t *testing.T) {
	a, site := startProConnect(t, nil)
	u := newUser(t, a.doors[0].emu, site)
	ctx := context.Background()

	home := open(t, u, "/")
	require.Equal(t, http.StatusOK, home.Status)
	for _, want := range []string{
		`<form id="fc-login" method="post" action="/login">`,
		"<button class=\"proconnect-button\" type=\"submit\">\n<span class=\"proconnect-sr-only\">S’identifier avec ProConnect</span>",
		`href="https://www.proconnect.gouv.fr/" target="_blank" rel="noopener noreferrer" title="Qu’est-ce que ProConnect ? - nouvelle fenêtre">Qu’est-ce que ProConnect ?</a>`,
		`name="acr" value="eidas0-mfa eidas1-mfa eidas2 eidas3" id="acr-mfa" form="fc-login">`,
		`id="acr-default" form="fc-login" checked>`, "Tout agent", "Double authentification obligatoire",
		"l'émulateur ProConnect local, avec des agents fictifs", "Exemple de fournisseur de service ProConnect",
	} {
		assert.Contains(t, home.Body, want)
	}
	assert.NotContains(t, home.Body, "FranceConnect")

	cb, start := pcLogin(t, u, nil, "agent_mfa")
	q := start.Location().Query()
	assert.Equal(t, strings.Join(proconnectScopes, " "), q.Get("scope"))
	assert.Equal(t, "S256", q.Get("code_challenge_method"))
	assert.Equal(t, []string{"eidas0", "eidas0-mfa", "eidas1", "eidas1-mfa", "eidas2", "eidas3",
		"https://proconnect.gouv.fr/assurance/certification-dirigeant"}, acceptedLevels(t, start), "every level by default")
	require.Equal(t, http.StatusOK, cb.Status, cb.Body)
	for _, want := range []string{
		"Bonjour Claire Lefèvre", `<dd id="org-label">Ministère de la Démonstration</dd>`,
		`<code id="siret">11000012200017</code>`, `<code id="siren">110000122</code>`,
		"agent public (agent_public)<br>agent public de l'État (agent_public_etat)",
		"<code>eidas1-mfa</code> – niveau eIDAS faible, double authentification",
		"<code>fi-ministere</code><span class=\"note\">niveau qu'il a déclaré (idp_acr) : eidas1-mfa",
		"<code>pwd, otp, mfa</code>", "claire.lefevre@demonstration.gouv.fr", "<code>cl-4821</code>",
		a.doors[0].emu.Subject(demoClientID, "agent_mfa"), "ProConnect a transmis votre identité professionnelle", `id="logout"`,
	} {
		assert.Contains(t, cb.Body, want)
	}
	assert.NotContains(t, cb.Body, "FranceConnect")
	assert.Equal(t, http.StatusBadRequest, open(t, u, cb.URL.String()).Status, "the callback is single use")

	home = open(t, u, "/")
	assert.Contains(t, home.Body, "Session ouverte au nom de Claire Lefèvre")
	assert.Contains(t, home.Body, "Votre compte agent a été authentifié par ProConnect")
	bye, err := u.Logout(ctx, home)
	require.NoError(t, err)
	require.Equal(t, http.StatusSeeOther, bye.Status, bye.Body)
	assert.Equal(t, "/deconnecte", bye.Header.Get("Location"))
	assert.Equal(t, 1, a.doors[0].emu.Requests("session/end"))
	home = open(t, u, "/deconnecte")
	assert.Contains(t, home.Body, "Votre session est fermée, sur ce service et sur ProConnect.")
	assert.Contains(t, home.Body, `class="proconnect-button"`)
}

// TestProConnectLevelChoice signs in agents of each kind with the level
// sets of the home page: "any" takes every agent, "with MFA" refuses the
// agent without two factors with ProConnect's Y020032, explained in French.
func TestProConnectLevelChoice(t *testing.T) {
	a, site := startProConnect(t, nil)
	anyLevel, mfa := franceconnect.ProConnectAnyLevel(), franceconnect.ProConnectWithMFA()
	for _, tt := range []struct {
		levels []franceconnect.ACR
		agent  string
		status int
		want   []string
	}{
		{anyLevel, "agent_sans_mfa", http.StatusOK, []string{"Bonjour Mathieu Garnier", "<code>eidas1</code> – niveau eIDAS faible<"}},
		{mfa, "agent_eidas3", http.StatusOK, []string{"Agence nationale des essais", "<code>eidas3</code> – niveau eIDAS élevé", "<code>hwk, pin, mfa</code>"}},
		{anyLevel, "dirigeant", http.StatusOK, []string{"Exemple Conseil SAS", "dirigeant d'entreprise (dirigeant)",
			"<code>certification-dirigeant</code> – dirigeant d'entreprise dont le mandat a été vérifié"}},
		{anyLevel, "salarie_prive", http.StatusOK, []string{`<dd id="org-label"><span class="missing">non transmis</span>`,
			`<dd id="roles"><span class="missing">aucun</span>`, "identité déclarée, sans vérification"}},
		{anyLevel, "agent_hospitalier", http.StatusOK, []string{"<code>eidas1</code>", "idp_acr) : urn:fi-chu:niveau:basique"}},
		{mfa, "agent_sans_mfa", http.StatusBadRequest, []string{"<h1>Niveau de sécurité insuffisant</h1>",
			"<code>ProviderError access_denied (Y020032)</code>",
			(&franceconnect.ProviderError{Code: "access_denied", FCCode: "Y020032", Platform: franceconnect.ProConnect}).UserMessage(),
			"Ce service demande un niveau de sécurité que ProConnect n'a pas pu atteindre avec votre compte."}},
	} {
		t.Run(tt.agent+" "+joinLevels(tt.levels), func(t *testing.T) {
			u := newUser(t, a.doors[0].emu, site)
			cb, start := pcLogin(t, u, levelsField(tt.levels), tt.agent)
			assert.Equal(t, joinLevels(tt.levels), strings.Join(acceptedLevels(t, start), " "))
			require.Equal(t, tt.status, cb.Status, cb.Body)
			for _, want := range tt.want {
				assert.Contains(t, cb.Body, want)
			}
			if tt.status != http.StatusOK {
				assert.NotContains(t, cb.Body, "Garnier")
				assert.Contains(t, open(t, u, "/").Body, `class="proconnect-button"`, "not signed in")
			}
		})
	}
}

// TestProConnectLevelNotAccepted injects an acr outside the accepted set:
// the site refuses the login with ErrACRNotAccepted, explained in French,
// and shows nothing of the agent.
func TestProConnectLevelNotAccepted(t *testing.T) {
	a, site := startProConnect(t, nil)
	a.doors[0].emu.InjectFault(fctest.FaultACRNotRequested)
	u := newUser(t, a.doors[0].emu, site)
	cb, _ := pcLogin(t, u, levelsField(franceconnect.ProConnectWithMFA()), "agent_mfa")
	require.Equal(t, http.StatusBadGateway, cb.Status, cb.Body)
	for _, want := range []string{"<h1>Niveau de sécurité insuffisant</h1>", "<code>ErrACRNotAccepted</code>",
		"ProConnect vous a authentifié à un niveau de sécurité que ce service n'accepte pas"} {
		assert.Contains(t, cb.Body, want)
	}
	for _, leak := range []string{"Claire", "Lefèvre", "11000012200017", a.doors[0].emu.Subject(demoClientID, "agent_mfa"), "eyJ"} {
		assert.NotContains(t, cb.Body, leak)
	}
}

// TestProConnectRegistration runs the embedded emulator with the other
// registrations FC_SIGNING_ALG, FC_USERINFO and FC_ACR describe, and
// refuses variables that cannot work.
func TestProConnectRegistration(t *testing.T) {
	for _, tt := range []struct {
		name   string
		vars   map[string]string
		agent  string
		levels []string
	}{
		{"ES256, JSON userinfo", map[string]string{franceconnect.EnvSigningAlg: "ES256", franceconnect.EnvUserInfo: "json"},
			"agent_territorial", nil},
		{"HS256", map[string]string{franceconnect.EnvSigningAlg: "HS256"}, "agent_eidas2", nil},
		{"FC_ACR", map[string]string{franceconnect.EnvACR: "eidas2 eidas3"}, "agent_eidas2", []string{"eidas2", "eidas3"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a, site := startProConnect(t, tt.vars)
			u := newUser(t, a.doors[0].emu, site)
			home := open(t, u, "/")
			cb, start := pcLogin(t, u, nil, tt.agent)
			require.Equal(t, http.StatusOK, cb.Status, cb.Body)
			assert.Contains(t, cb.Body, "Compte agent vérifié")
			if tt.levels != nil {
				assert.Equal(t, tt.levels, acceptedLevels(t, start))
				assert.Contains(t, home.Body, `<p class="required">Niveaux acceptés : eidas2, eidas3.</p>`)
				assert.NotContains(t, home.Body, `name="acr"`, "no choice outside the configured levels")
			}
		})
	}
	for name, vars := range map[string]map[string]string{
		"FC_PLATFORM":    {franceconnect.EnvPlatform: "fc"},
		"FC_ACR":         {franceconnect.EnvPlatform: "proconnect", franceconnect.EnvACR: "eidas2 eidas9"},
		"FC_SIGNING_ALG": {franceconnect.EnvPlatform: "proconnect", franceconnect.EnvSigningAlg: "PS256"},
		"FC_USERINFO":    {franceconnect.EnvPlatform: "proconnect", franceconnect.EnvUserInfo: "xml"},
	} {
		t.Run("refuses "+name, func(t *testing.T) {
			setEmulatorVars(t, vars)
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			require.NoError(t, err)
			defer ln.Close()
			_, err = newApp(context.Background(), ln, slog.New(slog.DiscardHandler))
			require.Error(t, err)
			assert.ErrorIs(t, err, franceconnect.ErrConfig, "%v", err)
		})
	}
}

// TestProConnectFromEnv runs the site against a ProConnect issuer named by
// FC_ISSUER and FC_PLATFORM=proconnect, configured like a real
// registration: no keys, ES256 and plain JSON userinfo, two accepted levels.
func TestProConnectFromEnv(t *testing.T) {
	emu := fctest.New(t, fctest.Options{Platform: fctest.ProConnect})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	site := "http://" + ln.Addr().String()
	secret := strings.Repeat("s", 40)
	require.NoError(t, emu.Register(fctest.Registration{ID: "pc-fs", Secret: fctest.Secret(secret),
		RedirectURIs: []string{site + "/oidc-callback"}, PostLogoutRedirectURIs: []string{site + "/bye"}, SignedResponseAlg: "ES256"}))
	for k, v := range map[string]string{
		franceconnect.EnvEnvironment: "", franceconnect.EnvIssuer: emu.Issuer(), franceconnect.EnvPlatform: "proconnect",
		franceconnect.EnvClientID: "pc-fs", franceconnect.EnvClientSecret: secret,
		franceconnect.EnvRedirectURL: site + "/oidc-callback", franceconnect.EnvPostLogoutRedirectURL: site + "/bye",
		franceconnect.EnvKeys: "", franceconnect.EnvACR: "eidas1 eidas1-mfa", franceconnect.EnvScopes: "openid given_name usual_name siret organization_label",
		franceconnect.EnvSigningAlg: "ES256", franceconnect.EnvUserInfo: "json",
	} {
		t.Setenv(k, v)
	}
	a, _ := serveSiteOn(t, ln)
	assert.Nil(t, a.doors[0].emu)

	u := newUser(t, emu, site)
	cb, start := pcLogin(t, u, nil, "agent_sans_mfa")
	assert.Equal(t, []string{"eidas1", "eidas1-mfa"}, acceptedLevels(t, start))
	require.Equal(t, http.StatusOK, cb.Status, cb.Body)
	assert.Equal(t, "/oidc-callback", cb.URL.Path)
	assert.Contains(t, cb.Body, "Ministère de la Démonstration")
	assert.Contains(t, cb.Body, "<strong>niveau eIDAS faible</strong>")
	assert.NotContains(t, cb.Body, "Démonstration : la connexion passe par l'émulateur")
	assert.Equal(t, http.StatusNotFound, open(t, u, keysPath).Status, "no keys on ProConnect")

	cb, _ = pcLogin(t, newUser(t, emu, site), nil, "agent_eidas2")
	require.Equal(t, http.StatusBadRequest, cb.Status, "eidas2 is not accepted: %s", cb.Body)
	assert.Contains(t, cb.Body, "(Y020032)")
}
