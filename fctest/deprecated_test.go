package fctest_test

//lint:file-ignore SA1019 the former names are used here on purpose: they must keep working for one release

import (
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect/fctest"
)

// TestFormerNamesStillWork drives a login and a registration through the
// deprecated names, which must do what their new names do.
func TestFormerNamesStillWork(t *testing.T) {
	var _ *fctest.User = (*fctest.Visitor)(nil)
	var _ fctest.Client = fctest.Registration{}
	var _ fctest.Identity = fctest.Person{}
	e := newEnv(t, fctest.Options{}, nil)
	ctx := context.Background()

	cb, err := e.srv.Login(ctx, e.authURL(), "camille")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(cb, callbackURL+"?code="), cb)
	b := e.srv.NewBrowser()
	cb, err = b.Login(ctx, e.authURL(), "camille")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(cb, callbackURL+"?code="), cb)
	cb, err = b.LoginPost(ctx, e.params(), "camille")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(cb, callbackURL+"?code="), cb)
	assert.Same(t, b.HTTPClient(), b.Client())
	assert.Same(t, e.srv.HTTPClient(), e.srv.Client())

	other := e.client
	other.ID = "former-names"
	require.NoError(t, e.srv.RegisterClient(other))
	_, err = e.srv.NewBrowser().SignIn(ctx, e.authURL("client_id", other.ID), "camille")
	require.NoError(t, err, "RegisterClient registered the client")

	regs, err := fctest.ParseClients([]byte(`[{"client_id": "c", "client_secret": "` + secret + `", "redirect_uris": ["` + callbackURL + `"]}]`))
	require.NoError(t, err)
	assert.Equal(t, "c", regs[0].ID)
	data, err := json.Marshal(fctest.DemoPeople()[:1])
	require.NoError(t, err)
	people, err := fctest.ParseIdentities(data)
	require.NoError(t, err)
	assert.Equal(t, fctest.DemoPeople()[:1], people)
	assert.Equal(t, fctest.DemoPeople(), fctest.DemoIdentities())
	assert.Equal(t, e.srv.People(), e.srv.Identities())
}

// TestFormerVisitorNames drives the in-process fake service provider with
// the former names of NewHandlerVisitor, SignIn and HTTPClient.
func TestFormerVisitorNames(t *testing.T) {
	e, fs, _ := newFakeVisitor(t)
	u, err := e.srv.NewHandlerUser(fs, fs.base)
	require.NoError(t, err)
	assert.Same(t, u.HTTPClient(), u.Client())
	cb, err := u.Login(context.Background(), "/", "camille")
	require.NoError(t, err)
	assert.Contains(t, cb.Body, "<p>callback</p>")
	assert.NotEmpty(t, cb.URL.Query().Get("code"))
	_, err = e.srv.NewUser("fs.example.fr")
	require.ErrorContains(t, err, "not an absolute http(s) URL")
}

// TestOptionsIdentities checks the former name of Options.People: read
// when People is nil, refused beside it, refused on ProConnect like People.
func TestOptionsIdentities(t *testing.T) {
	two := fctest.DemoPeople()[:2]
	s, err := fctest.NewServer(fctest.Options{Identities: two})
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	assert.Equal(t, two, s.People())

	for _, o := range []fctest.Options{
		{People: two, Identities: two},
		{People: []fctest.Person{}, Identities: two},
		{People: two, Identities: []fctest.Person{}},
	} {
		_, err = fctest.NewServer(o)
		require.ErrorContains(t, err, "Options.Identities is the former name of Options.People: set People only")
	}
	_, err = fctest.NewServer(fctest.Options{Platform: fctest.ProConnect, Identities: two})
	require.ErrorContains(t, err, "ProConnect takes Agents, not People")
	_, err = fctest.NewServer(fctest.Options{Identities: append(two, two[0])})
	require.ErrorContains(t, err, "appears twice", "the former field's people are validated too")
}

// TestFSConfigClient checks the former name of FSConfig.Registration.
func TestFSConfigClient(t *testing.T) {
	emu := fctest.New(t, fctest.Options{})
	cfg := emu.RegisterFS(t, fctest.FS{Site: "https://fs.example.fr"})
	assert.Equal(t, cfg.Registration, cfg.Client)
	assert.NotEmpty(t, cfg.Client.ID)
}

// formerNames matches the deprecated names of this package in Go code,
// comments and Markdown: staticcheck (make lint) reports their uses in Go
// code but neither comments, documentation nor a composite literal's
// field key (Options{Identities: …}). No method named Login remains but
// the deprecated ones; neither franceconnect.Client nor fchttp.User has
// the fields and methods named after Client. and User. here.
var formerNames = regexp.MustCompile(`fctest\.(User|Client|Identity)\b|` +
	`\b(NewUser|NewHandlerUser|RegisterClient|ParseClients|DemoIdentities|ParseIdentities|LoginPost)\b|` +
	`Options\.Identities\b|\bIdentities:|\.Identities\(\)|\.Login\(|\b(Server|Browser|User|Visitor)\.(Login|Client)\b|` +
	`(^|[^.\w])Client\.(ID|Secret|Scopes|JWKS|JWKSURL|RedirectURIs|SignedResponseAlg|UserinfoSignedResponseAlg)\b|` +
	`(^|[^.\w])User\.(StartLogin|ChooseIdentity|LoginPath|LogoutPath|Open|Follow|Submit)\b`)

// TestNoFormerNames checks that no code, comment, example or document of
// the repository uses a former name, but the files that keep them and the
// changelog that lists them.
func TestNoFormerNames(t *testing.T) {
	keep := map[string]bool{"fctest/deprecated.go": true, "fctest/deprecated_test.go": true, "CHANGELOG.md": true}
	scanned := 0
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		rel, _ := filepath.Rel("..", path)
		switch {
		case err != nil:
			return err
		case d.IsDir() && (strings.HasPrefix(d.Name(), ".") && rel != "." || d.Name() == "node_modules" || d.Name() == "build"):
			return filepath.SkipDir
		case d.IsDir() || keep[filepath.ToSlash(rel)] || !(strings.HasSuffix(path, ".go") || strings.HasSuffix(path, ".md")):
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		scanned++
		for i, line := range strings.Split(string(b), "\n") {
			if m := formerNames.FindString(line); m != "" {
				t.Errorf("%s:%d: former name %q: %s", rel, i+1, m, strings.TrimSpace(line))
			}
		}
		return nil
	})
	require.NoError(t, err)
	require.Greater(t, scanned, 300, "the walk reached the repository's files")
}
