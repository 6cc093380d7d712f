package fctest_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect/fctest"
)

// credulous is a relying party that checks nothing but what it must to
// work at all: it redeems any code, trusts any token, calls userinfo and
// signs the person in; it accepts any return from logout. Its checks are
// switched on one by one to see the run follow.
type credulous struct {
	emu      *fctest.Server
	site     string
	door     string // the prefix of its paths and its cookie's name on a site of several doors; "" alone
	checkSt  bool   // compare the callback's state
	mu       sync.Mutex
	sessions map[string]*rpSession
}

type rpSession struct {
	state, user, hint string
}

func newCredulous(emu *fctest.Server, site string) *credulous {
	return &credulous{emu: emu, site: site, sessions: map[string]*rpSession{}}
}

func rnd() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (c *credulous) session(w http.ResponseWriter, r *http.Request) *rpSession {
	c.mu.Lock()
	defer c.mu.Unlock()
	if ck, err := r.Cookie("sid" + c.door); err == nil && c.sessions[ck.Value] != nil {
		return c.sessions[ck.Value]
	}
	id := rnd()
	c.sessions[id] = &rpSession{}
	http.SetCookie(w, &http.Cookie{Name: "sid" + c.door, Value: id, Path: "/"})
	return c.sessions[id]
}

// path is p under the relying party's door.
func (c *credulous) path(p string) string {
	if c.door == "" {
		return p
	}
	return "/" + c.door + p
}

func (c *credulous) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s := c.session(w, r)
	switch r.URL.Path {
	case "/":
		c.section(w, s)
	case c.path("/login"):
		s.state = rnd()
		q := url.Values{"response_type": {"code"}, "client_id": {"credulous"}, "redirect_uri": {c.site + c.path("/callback")},
			"scope": {"openid given_name"}, "acr_values": {"eidas1"}, "state": {s.state}, "nonce": {rnd()}}
		http.Redirect(w, r, c.emu.Issuer()+"/authorize?"+q.Encode(), http.StatusSeeOther)
	case c.path("/callback"):
		c.callback(w, r, s)
	case c.path("/logout"):
		hint := s.hint
		s.user, s.state = "", rnd()
		q := url.Values{"id_token_hint": {hint}, "state": {s.state}, "post_logout_redirect_uri": {c.site + c.path("/bye")}}
		http.Redirect(w, r, c.emu.Issuer()+"/session/end?"+q.Encode(), http.StatusSeeOther)
	case c.path("/bye"):
		http.Redirect(w, r, "/", http.StatusSeeOther)
	}
}

// section is the relying party's part of the home page: its logout form,
// or a way to sign in (a link, or at a door a form with a field outside
// it, as an official button and its level choice).
func (c *credulous) section(w http.ResponseWriter, s *rpSession) {
	switch {
	case s.user != "":
		fmt.Fprintf(w, `<form method="post" action="%s"><button>Se déconnecter</button></form>`, c.path("/logout"))
	case c.door == "":
		fmt.Fprint(w, `<a href="/login">Se connecter</a>`)
	default:
		fmt.Fprintf(w, `<input type="radio" name="acr" value="eidas1" form="%[1]s" checked>
<form id="%[1]s" method="post" action="%[2]s"><button>Se connecter</button></form>`, c.door+"-login", c.path("/login"))
	}
}

func (c *credulous) callback(w http.ResponseWriter, r *http.Request, s *rpSession) {
	q := r.URL.Query()
	if q.Get("code") == "" || c.checkSt && q.Get("state") != s.state {
		http.Error(w, "refusé", http.StatusBadRequest)
		return
	}
	resp, err := http.PostForm(c.emu.Issuer()+"/token", url.Values{"grant_type": {"authorization_code"},
		"code": {q.Get("code")}, "redirect_uri": {c.site + c.path("/callback")}, "client_id": {"credulous"},
		"client_secret": {secret}})
	if err != nil {
		http.Error(w, "token", http.StatusBadGateway)
		return
	}
	var tokens struct{ AccessToken, IDToken string }
	_ = json.NewDecoder(resp.Body).Decode(&struct {
		A *string `json:"access_token"`
		I *string `json:"id_token"`
	}{&tokens.AccessToken, &tokens.IDToken})
	resp.Body.Close()
	req, _ := http.NewRequest(http.MethodGet, c.emu.Issuer()+"/userinfo", nil)
	req.Header.Set("Authorization", "Bearer "+tokens.AccessToken)
	if resp, err = http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusOK {
		http.Error(w, "userinfo", http.StatusBadGateway)
		return
	}
	resp.Body.Close()
	s.user, s.hint = "someone", tokens.IDToken
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// credulousRun registers the credulous relying party on a FranceConnect
// emulator and runs the faults.
func credulousRun(t *testing.T, checkState bool, faults ...fctest.Fault) *fctest.ConformanceReport {
	t.Helper()
	emu := fctest.New(t, fctest.Options{Platform: fctest.FranceConnect})
	const site = "https://credule.example.fr"
	require.NoError(t, emu.Register(fctest.Registration{ID: "credulous", Secret: secret,
		RedirectURIs: []string{site + "/callback"}, PostLogoutRedirectURIs: []string{site + "/bye"}}))
	rp := newCredulous(emu, site)
	rp.checkSt = checkState
	report, err := emu.RunConformance(context.Background(), fctest.Conformance{ClientID: "credulous",
		StartURL: site + "/", Handler: rp, Faults: faults})
	require.NoError(t, err)
	return report
}

func requireCase(t *testing.T, r *fctest.ConformanceReport, name string, passed bool, outcome, detail string) {
	t.Helper()
	c, ok := r.Case(name)
	require.True(t, ok, name)
	require.Equal(t, passed, c.Passed, "%+v", c)
	require.Equal(t, outcome, c.Outcome, "%+v", c)
	require.Contains(t, c.Detail, detail)
}

// The run names each fault a credulous relying party accepts, and the
// way it showed: going on at the platform, or signing the person in.
func TestConformanceCatchesACredulousRelyingParty(t *testing.T) {
	r := credulousRun(t, false, fctest.FaultCallbackWrongState, fctest.FaultWrongNonce, fctest.FaultUserinfoSubMismatch,
		fctest.FaultAccessDenied, fctest.FaultACRLower, fctest.FaultLogoutWrongState, fctest.FaultMissingKid,
		fctest.FaultRevocationServerError)
	requireCase(t, r, "clean login", true, "signed in", "HTTP 200 at /")
	requireCase(t, r, "clean logout", true, "signed out", "HTTP 303 from /bye to")
	requireCase(t, r, "FaultCallbackWrongState", false, "accepted",
		"the service redeemed the code of a callback under FaultCallbackWrongState")
	requireCase(t, r, "FaultWrongNonce", false, "accepted", "called userinfo after a token answer under FaultWrongNonce")
	requireCase(t, r, "FaultUserinfoSubMismatch", false, "accepted", "signed in")
	requireCase(t, r, "FaultAccessDenied", true, "refused", "nobody signed in: HTTP 400 at /callback")
	requireCase(t, r, "FaultLogoutWrongState", false, "accepted", "answered the forged return like a genuine one")
	requireCase(t, r, "FaultMissingKid", true, "signed in", "HTTP 200 at /")
	requireCase(t, r, "FaultACRLower", false, "accepted", "called userinfo after a token answer under FaultACRLower")
	c, _ := r.Case("FaultRevocationServerError")
	require.True(t, c.Skipped)
	require.Contains(t, c.Detail, "never sent the request the fault applies to (revocation)")
	require.True(t, r.Failed())
	passed, failed, skipped := r.Counts()
	require.Equal(t, []int{4, 5, 1}, []int{passed, failed, skipped})
	for n, want := range map[int]fctest.Verdict{2: fctest.VerdictFail, 3: fctest.VerdictFail, 6: fctest.VerdictFail,
		5: fctest.VerdictFail, 7: fctest.VerdictPass, 9: fctest.VerdictFail} {
		it, _ := r.Qualification.Item(n)
		require.Equal(t, want, it.Verdict, "item %d: %+v", n, it)
	}

	r = credulousRun(t, true, fctest.FaultCallbackWrongState)
	requireCase(t, r, "FaultCallbackWrongState", true, "refused", "nobody signed in: HTTP 400 at /callback")
}

// The reports: one line per case and a summary; JUnit XML with a suite of
// cases and one of the qualification items; a French HTML page.
func TestConformanceReports(t *testing.T) {
	r := credulousRun(t, false, fctest.FaultWrongNonce, fctest.FaultAccessDenied)
	var text strings.Builder
	require.NoError(t, r.WriteText(&text))
	require.Contains(t, text.String(), "PASS  clean login ")
	require.Contains(t, text.String(), "FAIL  FaultWrongNonce ")
	require.Contains(t, text.String(), "        nonce-checked: login #")
	require.Regexp(t, `(?m)^FAIL: 4 cases, 3 passed, 1 failed, 0 skipped; qualification items: 1 failed, `, text.String())

	var junit strings.Builder
	require.NoError(t, r.WriteJUnit(&junit))
	var suites struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Suites   []struct {
			Name  string `xml:"name,attr"`
			Cases []struct {
				Name    string `xml:"name,attr"`
				Failure *struct {
					Message string `xml:"message,attr"`
				} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	require.NoError(t, xml.Unmarshal([]byte(junit.String()), &suites))
	require.Equal(t, 4+13, suites.Tests)
	require.Equal(t, 2, suites.Failures) // the case and item 3
	require.Equal(t, "conformance credulous", suites.Suites[0].Name)
	require.Equal(t, "FaultWrongNonce", suites.Suites[0].Cases[2].Name)
	require.Equal(t, "accepted (expected: refuse)", suites.Suites[0].Cases[2].Failure.Message)

	var page strings.Builder
	require.NoError(t, r.WriteHTML(&page))
	for _, want := range []string{`<html lang="fr">`, "<title>Parcours de conformité – credulous", "Aller au contenu",
		`<p lang="en">The id_token&#39;s nonce is not the one sent to authorize.</p>`, `id="cas-clean-login"`, "Échec", "Attendu : refuser. Constaté : accepté"} {
		require.Contains(t, page.String(), want)
	}
}

// A run refuses what cannot start, and says why.
func TestConformanceRefusesBadRuns(t *testing.T) {
	emu := fctest.New(t, fctest.Options{Platform: fctest.FranceConnect})
	require.NoError(t, emu.Register(fctest.Registration{ID: "fs", Secret: secret, RedirectURIs: []string{callbackURL}}))
	for _, tc := range []struct {
		c    fctest.Conformance
		want string
	}{
		{fctest.Conformance{ClientID: "nobody", StartURL: "https://fs.example.fr/"}, `no client "nobody"`},
		{fctest.Conformance{ClientID: "fs", StartURL: "/relative"}, "not an absolute http(s) URL"},
		{fctest.Conformance{ClientID: "fs", StartURL: "https://fs.example.fr/", Identity: "nobody"}, `no identity "nobody"`},
		{fctest.Conformance{ClientID: "fs", StartURL: "https://fs.example.fr/", Faults: []fctest.Fault{fctest.FaultUnencrypted}},
			"cannot apply"},
	} {
		_, err := emu.RunConformance(context.Background(), tc.c)
		require.ErrorContains(t, err, tc.want)
	}
}

// A service that cannot log in fails the clean login, with what the
// emulator refused, and every case is skipped.
func TestConformanceCleanLoginFails(t *testing.T) {
	emu := fctest.New(t, fctest.Options{Platform: fctest.FranceConnect, StrictQualification: true})
	const site = "https://credule.example.fr"
	require.NoError(t, emu.Register(fctest.Registration{ID: "fs", Secret: secret, RedirectURIs: []string{site + "/callback"}}))
	short := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/login" {
			q := url.Values{"response_type": {"code"}, "client_id": {"fs"}, "redirect_uri": {site + "/callback"},
				"scope": {"openid"}, "acr_values": {"eidas1"}, "state": {"1"}, "nonce": {strings.Repeat("n", 22)}}
			http.Redirect(w, r, emu.Issuer()+"/authorize?"+q.Encode(), http.StatusSeeOther)
			return
		}
		fmt.Fprint(w, `<a href="/login">Se connecter</a>`)
	})
	r, err := emu.RunConformance(context.Background(), fctest.Conformance{ClientID: "fs", StartURL: site + "/",
		Handler: short, Faults: []fctest.Fault{fctest.FaultWrongNonce}})
	require.NoError(t, err)
	requireCase(t, r, "clean login", false, "refused",
		"the emulator refused the request: Y030007 (invalid_request): state must be longer than or equal to 32 characters")
	c, _ := r.Case("FaultWrongNonce")
	require.True(t, c.Skipped)
	require.True(t, r.Failed())
	it, _ := r.Qualification.Item(2)
	require.Equal(t, fctest.VerdictFail, it.Verdict)
}
