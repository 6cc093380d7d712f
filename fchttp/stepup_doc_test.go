package fchttp_test

import (
	"context"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect"
	"github.com/go-franceconnect/franceconnect/fchttp"
	"github.com/go-franceconnect/franceconnect/fctest"
)

// The code of docs/step-up.md and of the fchttp part of docs/levels.md:
// each declaration below appears there as it is written here
// (TestStepUpDocShowsThisCode), and TestStepUpDocCode runs it against the
// emulator.

// citizenPages mounts the citizen pages of a FranceConnect+ door (eidas2):
// the account at the door's level, the bank details at eidas3 (the form
// and its POST), and the closing of the account, which needs an
// authentication of less than five minutes. The guard does not protect
// the site's own forms from other sites: the standard library does.
func citizenPages(mux *http.ServeMux, fc *fchttp.Handler, account, bank, closing http.Handler) error {
	signedIn, err := fc.Require(fchttp.Requirement{})
	if err != nil {
		return err
	}
	high, err := fc.RequireLevel(franceconnect.EIDAS3)
	if err != nil {
		return err // on FranceConnect: no level above eidas1
	}
	fresh, err := fc.Require(fchttp.Requirement{MaxAge: 5 * time.Minute, ReturnPath: "/compte"})
	if err != nil {
		return err
	}
	csrf := http.NewCrossOriginProtection()
	mux.Handle("GET /compte", signedIn(account))
	mux.Handle("GET /compte/banque", high(bank))
	mux.Handle("POST /compte/banque", csrf.Handler(high(bank)))
	mux.Handle("POST /compte/cloture", csrf.Handler(fresh(closing)))
	return nil
}

// agentPages mounts the pages of a ProConnect door: agents read at any
// level the door accepts and administer with two factors.
func agentPages(mux *http.ServeMux, fc *fchttp.Handler, read, administer http.Handler) error {
	signedIn, err := fc.Require(fchttp.Requirement{})
	if err != nil {
		return err
	}
	twoFactors, err := fc.RequireLevel(franceconnect.ProConnectWithMFA()...)
	if err != nil {
		return err // the door accepts no level with two factors
	}
	mux.Handle("GET /dossiers", signedIn(read))
	mux.Handle("GET /administration", twoFactors(administer))
	return nil
}

// sessionLine is what a page says of the session: its level and when the
// person last authenticated, both updated by a step-up.
func sessionLine(u *fchttp.User) string {
	return fmt.Sprintf("Niveau %s, authentification à %s", u.ACR, u.AuthTime.Format("15 h 04"))
}

// ministryDoor is a ProConnect door for the agents of the Ministry of the
// Interior only: its addresses, and its identity provider on the Internet
// and on the RIE (the Client requests the email and idp_id scopes). Any
// other agent gets a 403 page that states the rule, and nobody is signed
// in.
func ministryDoor(client *franceconnect.Client, keys [][]byte) (*fchttp.Handler, error) {
	return fchttp.New(fchttp.Config{
		Client:      client,
		SessionKeys: keys,
		AgentPolicy: &franceconnect.AgentPolicy{
			EmailDomains: []string{"interieur.gouv.fr", "*.interieur.gouv.fr"},
			IDPIDs:       []string{"fi-interieur-internet", "fi-interieur-rie"},
		},
		AgentHelp: "Pour demander un accès, écrivez à habilitations@interieur.exemple.gouv.fr.",
	})
}

// docDecls are the declarations each page shows, in its order.
var docDecls = map[string][]string{
	"../docs/step-up.md": {"citizenPages", "agentPages", "sessionLine"},
	"../docs/levels.md":  {"ministryDoor"},
}

func TestStepUpDocShowsThisCode(t *testing.T) {
	src, err := os.ReadFile("stepup_doc_test.go")
	require.NoError(t, err)
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "stepup_doc_test.go", src, parser.ParseComments)
	require.NoError(t, err)
	shown := map[string]string{}
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Doc != nil {
			shown[fd.Name.Name] = string(src[fset.Position(fd.Doc.Pos()).Offset:fset.Position(fd.End()).Offset])
		}
	}
	for page, names := range docDecls {
		doc, err := os.ReadFile(page)
		require.NoError(t, err)
		last := 0
		for _, name := range names {
			i := strings.Index(string(doc), "```go\n"+shown[name]+"\n```\n")
			require.True(t, i >= 0, "%s must show %s exactly, in a go code block", page, name)
			require.Greater(t, i, last, "%s shows %s after the one before", page, name)
			last = i
		}
	}
}

func TestStepUpDocCode(t *testing.T) {
	ctx := context.Background()
	t.Run("citizen pages", func(t *testing.T) {
		e := ssoEnv(t)
		s := newStepSite(t, e, fchttp.Requirement{}, nil)
		page := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			u, _ := s.fc.User(w, r)
			fmt.Fprintf(w, "<p>%s %s : %s</p>", r.Method, r.URL.Path, sessionLine(u))
		})
		s.mux = http.NewServeMux()
		s.fc.Register(s.mux)
		s.mux.HandleFunc("GET /{$}", s.page)
		require.NoError(t, citizenPages(s.mux, s.fc, page, page, page))
		u := e.user(s)
		start := mustOpen(t, u, "/compte")
		require.True(t, e.isAuthorize(start), "nobody: a login")
		cb, err := u.ChooseIdentity(ctx, start, "camille")
		require.NoError(t, err)
		require.Equal(t, "/compte", cb.Header.Get("Location"))
		assert.Contains(t, mustOpen(t, u, "/compte").Body, "GET /compte : Niveau eidas3, authentification à ")
		u = e.user(s) // another browser, at eidas2
		browseAtEidas2(t, s, u)
		step := mustOpen(t, u, "/compte/banque")
		require.True(t, e.isAuthorize(step))
		assert.Equal(t, "login", query(t, step).Get("prompt"))
		cb, err = u.ChooseIdentity(ctx, step, "camille")
		require.NoError(t, err)
		require.Equal(t, "/compte/banque", cb.Header.Get("Location"))
		assert.Contains(t, mustOpen(t, u, "/compte/banque").Body, "Niveau eidas3")

		_, client := platformEnv(t, fctest.FranceConnect)
		fc, err := fchttp.New(fchttp.Config{Client: client, SessionKeys: [][]byte{newKey()}})
		require.NoError(t, err)
		err = citizenPages(http.NewServeMux(), fc, page, page, page)
		require.ErrorIs(t, err, franceconnect.ErrConfig)
		assert.Contains(t, err.Error(), "FranceConnect has one level, eidas1, and none above it")
	})
	t.Run("agent pages", func(t *testing.T) {
		emu, s, u := pcStepSite(t, fctest.Options{}, nil, fchttp.Requirement{}, nil)
		s.mux = http.NewServeMux()
		s.fc.Register(s.mux)
		require.NoError(t, agentPages(s.mux, s.fc, http.HandlerFunc(s.bank), http.HandlerFunc(s.bank)))
		cb, err := u.ChooseIdentity(ctx, mustOpen(t, u, "/dossiers"), "agent_sans_mfa")
		require.NoError(t, err)
		require.Equal(t, "/dossiers", cb.Header.Get("Location"))
		assert.Contains(t, mustOpen(t, u, "/dossiers").Body, "GET /banque eidas1")
		step := mustOpen(t, u, "/administration")
		require.True(t, isAuthorizeOf(emu, step))
		assert.Equal(t, []string{"eidas0-mfa", "eidas1-mfa", "eidas2", "eidas3"}, requestedLevels(t, step))

		_, one, _ := pcStepSite(t, fctest.Options{}, []franceconnect.ACR{franceconnect.EIDAS1}, fchttp.Requirement{}, nil)
		err = agentPages(http.NewServeMux(), one.fc, http.HandlerFunc(s.bank), http.HandlerFunc(s.bank))
		require.ErrorIs(t, err, franceconnect.ErrConfig)
		require.ErrorIs(t, err, franceconnect.ErrLevelOutsidePolicy)
	})
	t.Run("ministry door", func(t *testing.T) {
		emu, client := platformEnv(t, fctest.ProConnect)
		fc, err := ministryDoor(client, [][]byte{newKey()})
		require.NoError(t, err)
		u, err := emu.NewHandlerVisitor(mount(fc), site)
		require.NoError(t, err)
		page, err := u.ChooseIdentity(ctx, mustOpen(t, u, "/login"), "agent_mfa")
		require.NoError(t, err)
		requireProblem(t, page, http.StatusForbidden, "ErrAgentRefused")
		assert.Contains(t, page.Body, "habilitations@interieur.exemple.gouv.fr")
		assert.Contains(t, mustOpen(t, u, "/").Body, "Anonyme")
	})
}
