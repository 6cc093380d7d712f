package fchttp_test

import (
	"context"
	"flag"
	"fmt"
	"html/template"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect"
	"github.com/go-franceconnect/franceconnect/fchttp"
	"github.com/go-franceconnect/franceconnect/fctest"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// TestButtonGolden compares the markup of each form of the button with
// testdata/button-*.html; go test ./fchttp -run TestButtonGolden -update
// rewrites them after a deliberate change.
func TestButtonGolden(t *testing.T) {
	cases := map[string]fchttp.Button{
		"fc":        {},
		"fcplus":    {Plus: true, Action: "/connexion", ACR: franceconnect.EIDAS3, Next: "/compte", ID: "fc-login"},
		"separator": {Plus: true, Separator: true},
		"image": {Plus: true, Separator: true,
			Image: "/static/franceconnect-plus.svg", HoverImage: "https://cdn.example.fr/franceconnect-plus-hover.svg"},
		"pc": {ProConnect: true, Action: "/connexion", AcceptedACRs: franceconnect.ProConnectWithMFA(), Next: "/compte",
			ID: "pc-login", Separator: true},
		"pc-image": {ProConnect: true, Image: "/static/proconnect.svg", HoverImage: "/static/proconnect-hover.svg"},
	}
	for name, b := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := b.HTML()
			require.NoError(t, err)
			path := filepath.Join("testdata", "button-"+name+".html")
			if *update {
				require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err, "run with -update to create it")
			assert.Equal(t, string(want), string(got))
		})
	}
}

// TestButtonTexts checks what FranceConnect and the DSFR require of each
// platform's button, independently of the golden files.
func TestButtonTexts(t *testing.T) {
	fc, err := fchttp.Button{}.HTML()
	require.NoError(t, err)
	plus, err := fchttp.Button{Plus: true}.HTML()
	require.NoError(t, err)
	for _, want := range []string{
		`<form method="post" action="/login">`,
		`<button class="fr-connect" type="submit">`,
		`<span class="fr-connect__login">S’identifier avec</span>`,
		`<span class="fr-connect__brand">FranceConnect</span>`,
		"FranceConnect est la solution proposée par l’État pour sécuriser et simplifier la connexion à vos services en ligne",
		`href="https://franceconnect.gouv.fr/" target="_blank" rel="noopener" title="Qu’est-ce que FranceConnect ? - nouvelle fenêtre">Qu’est-ce que FranceConnect ?</a>`,
	} {
		assert.Contains(t, string(fc), want)
	}
	for _, want := range []string{
		`<button class="fr-connect fr-connect--plus" type="submit" aria-label="S’identifier avec FranceConnect+">`,
		`<span class="fr-connect__brand">FranceConnect<span class="fr-sr-only">+</span></span>`, // read without styles
		"FranceConnect+ est la solution proposée par l’État, pour renforcer la sécurité de vos services en ligne les plus sensibles",
		`href="https://franceconnect.gouv.fr/france-connect-plus" target="_blank" rel="noopener" title="Qu’est-ce que FranceConnect+ ? - nouvelle fenêtre">Qu’est-ce que FranceConnect+ ?</a>`,
	} {
		assert.Contains(t, string(plus), want)
	}
	assert.NotContains(t, string(fc), "FranceConnect+")
	assert.NotContains(t, string(fc)+string(plus), `name="acr"`, "no level unless asked")
	assert.NotContains(t, string(fc)+string(plus), "ou</p>", "no separator unless asked")
	sentence, button := strings.Index(string(plus), "est la solution"), strings.Index(string(plus), "<button")
	link := strings.Index(string(plus), "Qu’est-ce que")
	assert.True(t, sentence < button && button < link, "the sentence above the button, the link below")
}

// TestButtonProConnect checks the markup of ProConnect's partner
// documentation: a button holding only its label for screen readers, the
// link to ProConnect's site below it, no FranceConnect text, and the
// accepted levels as one space-separated field.
func TestButtonProConnect(t *testing.T) {
	pc, err := fchttp.Button{ProConnect: true}.HTML()
	require.NoError(t, err)
	for _, want := range []string{
		`<form method="post" action="/login">`,
		"<button class=\"proconnect-button\" type=\"submit\">\n<span class=\"proconnect-sr-only\">S’identifier avec ProConnect</span>\n</button>",
		`<a href="https://www.proconnect.gouv.fr/" target="_blank" rel="noopener noreferrer" title="Qu’est-ce que ProConnect ? - nouvelle fenêtre">Qu’est-ce que ProConnect ?</a>`,
	} {
		assert.Contains(t, string(pc), want)
	}
	for _, absent := range []string{"FranceConnect", "fr-connect", `name="acr"`, "ou</p>", "est la solution"} {
		assert.NotContains(t, string(pc), absent)
	}
	assert.Less(t, strings.Index(string(pc), "<button"), strings.Index(string(pc), "Qu’est-ce que"), "the link below the button")

	withLevels, err := fchttp.Button{ProConnect: true, AcceptedACRs: []franceconnect.ACR{franceconnect.EIDAS1MFA, franceconnect.CertificationDirigeant}}.HTML()
	require.NoError(t, err)
	assert.Contains(t, string(withLevels), `<input type="hidden" name="acr" value="eidas1-mfa https://proconnect.gouv.fr/assurance/certification-dirigeant">`)

	image, err := fchttp.Button{ProConnect: true, Image: "/pc.svg", HoverImage: "/pc-hover.svg", Separator: true}.HTML()
	require.NoError(t, err)
	assert.Contains(t, string(image), `<button class="fc-button" type="submit" aria-label="S’identifier avec ProConnect">`)
	assert.Contains(t, string(image), `<p class="fc-separator">ou</p>`)
	assert.NotContains(t, string(image), "FranceConnect")
}

// TestButtonEscapes renders hostile values in every field a caller sets:
// they stay inside their attribute.
func TestButtonEscapes(t *testing.T) {
	const attack = `"><script>alert(1)</script>`
	got, err := fchttp.Button{
		Plus: true, ID: attack, Next: "/compte?x=" + attack,
		Image: "/img.svg?" + attack, HoverImage: "https://cdn.example.fr/h.svg#" + attack,
	}.HTML()
	require.NoError(t, err)
	assert.NotContains(t, string(got), "<script>")
	assert.NotContains(t, string(got), `"><`)
	assert.Equal(t, 1, strings.Count(string(got), "<form "))
	assert.Contains(t, string(got), `id="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"`)
	assert.Contains(t, string(got), `name="next" value="/compte?x=&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"`)
	assert.Contains(t, string(got), `src="/img.svg?%22%3e%3cscript%3ealert%281%29%3c/script%3e"`)
}

// TestButtonRefuses checks that a field that cannot work is an ErrConfig
// naming it, and that nothing is rendered.
func TestButtonRefuses(t *testing.T) {
	img := func(b fchttp.Button, idle, hover string) fchttp.Button {
		b.Image, b.HoverImage = idle, hover
		return b
	}
	plus := fchttp.Button{Plus: true}
	cases := []struct {
		b    fchttp.Button
		want string
	}{
		{fchttp.Button{Action: "https://fs.example.fr/login"}, "Button.Action"},
		{fchttp.Button{Action: "//evil.example/login"}, "Button.Action"},
		{fchttp.Button{Next: "https://evil.example/"}, "Button.Next"},
		{fchttp.Button{Next: "//evil.example"}, "Button.Next"},
		{fchttp.Button{Next: `/\evil.example`}, "Button.Next"},
		{fchttp.Button{Plus: true, ACR: franceconnect.EIDAS1}, `Button.ACR "eidas1" cannot be requested on FranceConnect+`},
		{fchttp.Button{ACR: franceconnect.EIDAS2}, `Button.ACR "eidas2" cannot be requested on FranceConnect`},
		{fchttp.Button{Plus: true, ACR: "eidas4"}, "Button.ACR"},
		{img(plus, "/fc.svg", ""), "FranceConnect requires the hover state"},
		{img(plus, "", "/fc-hover.svg"), "FranceConnect requires the hover state"},
		{img(plus, "javascript:alert(1)", "/fc-hover.svg"), "Button.Image"},
		{img(plus, "/fc.svg", "http://cdn.example.fr/fc-hover.svg"), "Button.HoverImage"},
		{img(plus, "data:image/svg+xml,<svg/>", "/fc-hover.svg"), "Button.Image"},
		{img(plus, "https://user:pw@cdn.example.fr/fc.svg", "/fc-hover.svg"), "Button.Image"},
		{fchttp.Button{Plus: true, ProConnect: true}, "Button.Plus and Button.ProConnect are exclusive"},
		{fchttp.Button{ProConnect: true, ACR: franceconnect.EIDAS2}, `Button.ACR "eidas2": ProConnect takes a set of accepted levels`},
		{fchttp.Button{AcceptedACRs: []franceconnect.ACR{franceconnect.EIDAS1}}, "Button.AcceptedACRs are ProConnect's: FranceConnect takes one level"},
		{fchttp.Button{Plus: true, AcceptedACRs: franceconnect.ProConnectWithMFA()}, "FranceConnect+ takes one level"},
		{fchttp.Button{ProConnect: true, AcceptedACRs: []franceconnect.ACR{franceconnect.EIDAS2, "eidas4"}},
			`Button.AcceptedACRs: "eidas4" is not a ProConnect level`},
		{fchttp.Button{ProConnect: true, AcceptedACRs: []franceconnect.ACR{"eidas2 eidas3"}}, `"eidas2 eidas3" is not a ProConnect level`},
		{fchttp.Button{ProConnect: true, AcceptedACRs: []franceconnect.ACR{franceconnect.EIDAS2, franceconnect.EIDAS2}},
			`Button.AcceptedACRs: "eidas2" appears twice`},
		{fchttp.Button{ProConnect: true, Image: "/pc.svg"}, "ProConnect requires the hover state"},
		{fchttp.Button{ProConnect: true, Image: "/pc.svg", HoverImage: "ftp://cdn.example.fr/pc.svg"}, "Button.HoverImage"},
	}
	for _, c := range cases {
		t.Run(c.want, func(t *testing.T) {
			got, err := c.b.HTML()
			require.ErrorIs(t, err, franceconnect.ErrConfig)
			assert.Contains(t, err.Error(), c.want)
			assert.Empty(t, got)
		})
	}
}

// TestButtonSignsIn embeds the Handler's button in a page, as an FS does
// with html/template, and signs in through it on each platform: the form
// reaches the login route, which requests the button's level (on
// ProConnect its accepted levels) and comes back to its next path.
func TestButtonSignsIn(t *testing.T) {
	cases := []struct {
		platform fctest.Platform
		want     fchttp.Button
		level    func(*fchttp.Button)
		param    string // the authorize parameter carrying the level
		sent     string
		login    string
	}{
		{fctest.FranceConnectPlus, fchttp.Button{Plus: true, Action: "/connexion"},
			func(b *fchttp.Button) { b.ACR = franceconnect.EIDAS3 }, "acr_values", "eidas3", "camille"},
		{fctest.FranceConnect, fchttp.Button{Action: "/connexion"},
			func(b *fchttp.Button) { b.ACR = franceconnect.EIDAS1 }, "acr_values", "eidas1", "camille"},
		{fctest.ProConnect, fchttp.Button{ProConnect: true, Action: "/connexion"},
			func(b *fchttp.Button) { b.AcceptedACRs = franceconnect.ProConnectWithMFA() }, "claims",
			`{"id_token":{"acr":{"essential":true,"values":["eidas0-mfa","eidas1-mfa","eidas2","eidas3"]}}}`, "agent_mfa"},
	}
	page := template.Must(template.New("page").Parse(`<!DOCTYPE html><h1>Connexion</h1>{{.HTML}}`))
	for _, c := range cases {
		t.Run(c.platform.String(), func(t *testing.T) {
			emu, client := platformEnv(t, c.platform)
			fc, err := fchttp.New(fchttp.Config{Client: client, SessionKeys: [][]byte{newKey()}, LoginPath: "/connexion"})
			require.NoError(t, err)
			b := fc.Button()
			assert.Equal(t, c.want, b)
			c.level(&b)
			b.Next = "/compte"
			mux := http.NewServeMux()
			fc.Register(mux)
			mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
				if err := page.Execute(w, b); err != nil {
					http.Error(w, err.Error(), http.StatusInternalServerError)
				}
			})
			u, err := emu.NewHandlerVisitor(mux, site)
			require.NoError(t, err)
			u.LoginPath = "/connexion"
			ctx := context.Background()
			home := mustOpen(t, u, "/")
			require.Equal(t, http.StatusOK, home.Status, home.Body)
			start, err := u.StartLogin(ctx, home, nil)
			require.NoError(t, err)
			assert.Equal(t, c.sent, query(t, start).Get(c.param))
			cb, err := u.ChooseIdentity(ctx, start, c.login)
			require.NoError(t, err)
			assert.Equal(t, "/compte", cb.Header.Get("Location"), cb.Body)
		})
	}
}

// platformEnv is an emulator of platform with the FS registered for site,
// and the FS's client: with an encryption key on FranceConnect+, with an
// ES256-signed userinfo on ProConnect.
func platformEnv(t *testing.T, platform fctest.Platform) (*fctest.Server, *franceconnect.Client) {
	t.Helper()
	emu := fctest.New(t, fctest.Options{Platform: platform})
	cfg := franceconnect.Config{
		Issuer: emu.Issuer(), Platform: franceconnect.FranceConnect, ClientID: clientID, ClientSecret: secret,
		RedirectURL: site + "/callback", PostLogoutRedirectURL: site + "/logout-callback", Scopes: []string{"openid", "given_name"},
	}
	reg := fctest.Registration{ID: clientID, Secret: secret,
		RedirectURIs: []string{cfg.RedirectURL}, PostLogoutRedirectURIs: []string{cfg.PostLogoutRedirectURL}}
	switch platform {
	case fctest.FranceConnectPlus:
		key, err := franceconnect.GenerateKey(franceconnect.ECDHES, "")
		require.NoError(t, err)
		reg.JWKS, err = franceconnect.PublicJWKS([]franceconnect.Key{key})
		require.NoError(t, err)
		cfg.Platform, cfg.DecryptionKeys = franceconnect.FranceConnectPlus, []franceconnect.Key{key}
	case fctest.ProConnect:
		reg.UserinfoSignedResponseAlg = "RS256" // a new ProConnect registration: RS256 for both tokens
		cfg.Platform, cfg.Scopes = franceconnect.ProConnect, []string{"openid", "given_name", "usual_name", "siret"}
	}
	require.NoError(t, emu.Register(reg))
	client, err := franceconnect.New(context.Background(), cfg)
	require.NoError(t, err, fmt.Sprint(platform))
	return emu, client
}
