package franceconnect_test

import (
	"context"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect"
)

// The code of docs/levels.md: each declaration below appears there as it
// is written here (TestLevelsDocShowsThisCode), and TestLevelsDocCode runs
// it against the emulator.

// preferTwoFactors lets every agent in and asks ProConnect to offer two
// factors; an authentication older than 12 hours is refused.
func preferTwoFactors(cfg franceconnect.Config) franceconnect.Config {
	cfg.AcceptedACRs = franceconnect.ProConnectAnyLevel() // what the service accepts
	cfg.PreferredACRs = franceconnect.ProConnectWithMFA() // what ProConnect offers first
	cfg.MaxAuthAge = 12 * time.Hour
	return cfg
}

// requireTwoFactors lets in only the agents who used two factors.
func requireTwoFactors(cfg franceconnect.Config) franceconnect.Config {
	cfg.AcceptedACRs = franceconnect.ProConnectWithMFA()
	cfg.PreferredACRs = nil
	return cfg
}

// mayAdminister tells whether the agent signed in may open the
// administration pages, whatever the service preferred at sign-in.
func mayAdminister(id *franceconnect.IDToken) bool { return id.TwoFactors() }

// beginStepUp starts the login that raises the person signed in (sub,
// signed in at acr) to the levels an action needs; nil when acr already
// meets them. Keep the AuthState of the answer in the session, as for any
// login, with the page to come back to.
func beginStepUp(ctx context.Context, c *franceconnect.Client, sub string, acr franceconnect.ACR,
	need ...franceconnect.ACR) (*franceconnect.Authorization, error) {
	if c.Meets(acr, need...) {
		return nil, nil
	}
	req, err := c.StepUp(franceconnect.AuthRequest{}, sub, need...)
	if err != nil {
		return nil, err // FranceConnect, say, has no level above eidas1
	}
	return c.Authorize(ctx, req)
}

// finishStepUp checks the callback of a step-up and says what to show when
// it failed.
func finishStepUp(ctx context.Context, c *franceconnect.Client, query url.Values,
	st franceconnect.AuthState) (*franceconnect.Login, string) {
	login, err := c.Callback(ctx, query, st)
	switch {
	case err == nil:
		return login, ""
	case errors.Is(err, franceconnect.ErrSubjectMismatch):
		return nil, "Cette opération doit être confirmée par la personne connectée."
	case errors.Is(err, franceconnect.ErrStaleAuthentication):
		return nil, "Votre authentification n'a pas été renouvelée. Réessayez."
	}
	return nil, levelMessage(err)
}

// levelMessage is the French text of the errors of levels.
func levelMessage(err error) string {
	var pe *franceconnect.ProviderError
	switch {
	case errors.Is(err, franceconnect.ErrLevelOutsidePolicy):
		return "Ce service demande un niveau de sécurité plus élevé. Recommencez la connexion depuis l'accueil."
	case errors.Is(err, franceconnect.ErrACRTooLow), errors.Is(err, franceconnect.ErrACRNotAccepted):
		return "Votre moyen de connexion n'atteint pas le niveau de sécurité que demande ce service."
	case errors.As(err, &pe):
		return pe.UserMessage() // Y020032, Y500015, Y030110, …
	}
	return "Connexion impossible. Réessayez plus tard."
}

// ministry admits the agents of the Ministry of the Interior: its
// addresses, and its identity provider on the Internet and on the RIE.
var ministry = franceconnect.AgentPolicy{
	EmailDomains: []string{"interieur.gouv.fr", "*.interieur.gouv.fr"},
	IDPIDs:       []string{"fi-interieur-internet", "fi-interieur-rie"},
}

// admit applies the ministry's policy after a ProConnect login; the text
// is the refusal page's.
func admit(login *franceconnect.Login) (string, error) {
	err := ministry.Check(login.Identity.Agent)
	var refused *franceconnect.AgentRefusedError
	if errors.As(err, &refused) {
		return refused.UserMessage() + " Pour demander un accès, écrivez à support@exemple.gouv.fr.", err
	}
	return "", err
}

// levelsDocDecls are the declarations docs/levels.md shows, in its order.
var levelsDocDecls = []string{"beginStepUp", "finishStepUp", "preferTwoFactors", "requireTwoFactors",
	"mayAdminister", "ministry", "admit", "levelMessage"}

func TestLevelsDocShowsThisCode(t *testing.T) {
	doc, err := os.ReadFile("docs/levels.md")
	require.NoError(t, err)
	src, err := os.ReadFile("levels_doc_test.go")
	require.NoError(t, err)
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "levels_doc_test.go", src, parser.ParseComments)
	require.NoError(t, err)
	shown := map[string]string{}
	for _, d := range f.Decls {
		var name string
		var comment *ast.CommentGroup
		switch d := d.(type) {
		case *ast.FuncDecl:
			name, comment = d.Name.Name, d.Doc
		case *ast.GenDecl:
			if vs, ok := d.Specs[0].(*ast.ValueSpec); ok {
				name, comment = vs.Names[0].Name, d.Doc
			}
		}
		if comment != nil {
			shown[name] = string(src[fset.Position(comment.Pos()).Offset:fset.Position(d.End()).Offset])
		}
	}
	last := 0
	for _, name := range levelsDocDecls {
		code, ok := shown[name]
		require.True(t, ok, name)
		i := strings.Index(string(doc), "```go\n"+code+"\n```\n")
		require.True(t, i >= 0, "docs/levels.md must show %s exactly, in a go code block", name)
		require.Greater(t, i, last, "docs/levels.md shows %s after the one before", name)
		last = i
	}
}

func TestLevelsDocCode(t *testing.T) {
	ctx := context.Background()
	t.Run("prefer two factors", func(t *testing.T) {
		e := newConfEnv(t, pcES256JWT)
		e.cfg = preferTwoFactors(e.cfg)
		login, err := e.login(franceconnect.AuthRequest{}, "agent_sans_mfa")
		require.NoError(t, err)
		assert.False(t, mayAdminister(login.IDToken))
		login, err = e.login(franceconnect.AuthRequest{}, "agent_mfa")
		require.NoError(t, err)
		assert.True(t, mayAdminister(login.IDToken))
	})
	t.Run("require two factors", func(t *testing.T) {
		e := newConfEnv(t, pcES256JWT)
		e.cfg = requireTwoFactors(e.cfg)
		_, err := e.login(franceconnect.AuthRequest{}, "agent_sans_mfa")
		require.ErrorIs(t, err, franceconnect.ErrLevelUnreachable)
		assert.Contains(t, levelMessage(err), "ne permet pas d'atteindre le niveau de sécurité")
		_, err = e.client().Authorize(ctx, franceconnect.AuthRequest{AcceptedACRs: []franceconnect.ACR{franceconnect.EIDAS1}})
		assert.Contains(t, levelMessage(err), "niveau de sécurité plus élevé")
	})
	t.Run("step-up", func(t *testing.T) {
		e := newConfEnv(t, fcPlus)
		c := e.client()
		sub := e.srv.Subject(e.reg.ID, "camille")
		none, err := beginStepUp(ctx, c, sub, franceconnect.EIDAS3, franceconnect.EIDAS3)
		require.NoError(t, err)
		assert.Nil(t, none, "eidas3 meets eidas3")
		for who, want := range map[string]string{"camille": "", "nom_usage": "doit être confirmée par la personne connectée"} {
			auth, err := beginStepUp(ctx, c, sub, franceconnect.EIDAS2, franceconnect.EIDAS3)
			require.NoError(t, err)
			cb, err := e.srv.SignIn(ctx, auth.URL, who)
			require.NoError(t, err)
			u, err := url.Parse(cb)
			require.NoError(t, err)
			login, msg := finishStepUp(ctx, c, u.Query(), auth.AuthState)
			assert.Contains(t, msg, want, who)
			if want == "" {
				require.NotNil(t, login)
				assert.Equal(t, franceconnect.EIDAS3, login.IDToken.ACR)
			}
		}
		fc := newConfEnv(t, fcES256)
		_, err = beginStepUp(ctx, fc.client(), sub, franceconnect.EIDAS1, franceconnect.EIDAS2)
		require.ErrorIs(t, err, franceconnect.ErrInvalidRequest, "FranceConnect has no level above eidas1")
	})
	t.Run("the agents of a ministry", func(t *testing.T) {
		in := &franceconnect.Login{Identity: &franceconnect.Identity{Agent: &franceconnect.AgentIdentity{
			Email: "claire.lefevre@interieur.gouv.fr", IDPID: "fi-interieur-rie"}}}
		msg, err := admit(in)
		require.NoError(t, err)
		assert.Empty(t, msg)
		out := &franceconnect.Login{Identity: &franceconnect.Identity{Agent: &franceconnect.AgentIdentity{
			Email: "claire.lefevre@justice.gouv.fr", IDPID: "fi-interieur-rie", OrganizationLabel: "Ministère de la Justice"}}}
		msg, err = admit(out)
		require.ErrorIs(t, err, franceconnect.ErrAgentRefused)
		assert.Contains(t, msg, "interieur.gouv.fr")
		assert.Contains(t, msg, "Ministère de la Justice")
		assert.Contains(t, msg, "support@exemple.gouv.fr")
	})
}
