package fctest_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect/fctest"
)

// freshRP is the credulous relying party sending prompt on every login;
// with checkAge it refuses an id_token whose auth_time is missing or
// before the login started, before calling userinfo.
type freshRP struct {
	*credulous
	prompt   string
	checkAge bool
	mu       sync.Mutex
	started  map[string]time.Time // by state
}

func (f *freshRP) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/login":
		f.login(w, r)
	case r.URL.Path == "/callback" && f.checkAge:
		f.callback(w, r)
	default:
		f.credulous.ServeHTTP(w, r)
	}
}

// login is the credulous login with prompt, noting when it started.
func (f *freshRP) login(w http.ResponseWriter, r *http.Request) {
	rec := httptest.NewRecorder()
	f.credulous.ServeHTTP(rec, r)
	to, err := url.Parse(rec.Header().Get("Location"))
	if err != nil {
		http.Error(w, "login", http.StatusInternalServerError)
		return
	}
	q := to.Query()
	if f.prompt != "" {
		q.Set("prompt", f.prompt)
	}
	to.RawQuery = q.Encode()
	f.mu.Lock()
	f.started[q.Get("state")] = time.Now().Truncate(time.Second)
	f.mu.Unlock()
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	http.Redirect(w, r, to.String(), http.StatusSeeOther)
}

// callback redeems the code, checks auth_time, then lets the credulous
// relying party call userinfo and sign the person in.
func (f *freshRP) callback(w http.ResponseWriter, r *http.Request) {
	s := f.session(w, r)
	q := r.URL.Query()
	f.mu.Lock()
	started, ok := f.started[q.Get("state")]
	f.mu.Unlock()
	resp, err := http.PostForm(f.emu.Issuer()+"/token", url.Values{"grant_type": {"authorization_code"},
		"code": {q.Get("code")}, "redirect_uri": {f.site + "/callback"}, "client_id": {"credulous"},
		"client_secret": {secret}})
	if !ok || err != nil {
		http.Error(w, "refusé", http.StatusBadRequest)
		return
	}
	var tokens struct {
		AccessToken string `json:"access_token"`
		IDToken     string `json:"id_token"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&tokens)
	resp.Body.Close()
	if !freshAuthTime(tokens.IDToken, started) {
		http.Error(w, "authentification trop ancienne", http.StatusBadGateway)
		return
	}
	req, _ := http.NewRequest(http.MethodGet, f.emu.Issuer()+"/userinfo", nil)
	req.Header.Set("Authorization", "Bearer "+tokens.AccessToken)
	if resp, err = http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusOK {
		http.Error(w, "userinfo", http.StatusBadGateway)
		return
	}
	resp.Body.Close()
	f.credulous.mu.Lock()
	s.user, s.hint = "someone", tokens.IDToken
	f.credulous.mu.Unlock()
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// freshAuthTime reports whether the id_token (a JWS, not verified: the
// relying party trusts it) has an auth_time not before started.
func freshAuthTime(idToken string, started time.Time) bool {
	parts := strings.Split(idToken, ".")
	if len(parts) != 3 {
		return false
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	var claims struct {
		AuthTime *int64 `json:"auth_time"`
	}
	if err != nil || json.Unmarshal(payload, &claims) != nil || claims.AuthTime == nil {
		return false
	}
	return !time.Unix(*claims.AuthTime, 0).Before(started)
}

// The auth_time faults are judged by the login that met them: after
// prompt=login the service must refuse them, without it a login that goes
// on is right, and a refusal (a maximum authentication age the emulator
// cannot see) is not judged.
func TestConformanceFreshAuthentication(t *testing.T) {
	fresh := []fctest.Fault{fctest.FaultPromptLoginIgnored, fctest.FaultMissingAuthTime}
	for _, tc := range []struct {
		name     string
		prompt   string
		checkAge bool
		passed   bool
		skipped  bool
		expected fctest.Outcome
		outcome  string
		detail   string
		item5    fctest.Verdict
	}{
		{"prompt=login, auth_time unchecked", "login", false, false, false, fctest.OutcomeRefuse, "accepted",
			"the service called userinfo after a token answer under ", fctest.VerdictFail},
		{"prompt=login, auth_time checked", "login", true, true, false, fctest.OutcomeRefuse, "refused",
			"nobody signed in: HTTP 502 at /callback", fctest.VerdictPass},
		{"no prompt, auth_time unchecked", "", false, true, false, fctest.OutcomeContinue, "signed in",
			"HTTP 200 at /", fctest.VerdictPass},
		{"no prompt, a maximum age", "", true, false, true, fctest.OutcomeContinue, "not run",
			"asked for no new authentication (no prompt=login)", fctest.VerdictNotObserved},
	} {
		t.Run(tc.name, func(t *testing.T) {
			emu := fctest.New(t, fctest.Options{Platform: fctest.FranceConnect})
			const site = "https://credule.example.fr"
			require.NoError(t, emu.Register(fctest.Registration{ID: "credulous", Secret: secret,
				RedirectURIs: []string{site + "/callback"}, PostLogoutRedirectURIs: []string{site + "/bye"}}))
			rp := &freshRP{credulous: newCredulous(emu, site), prompt: tc.prompt, checkAge: tc.checkAge,
				started: map[string]time.Time{}}
			r, err := emu.RunConformance(context.Background(), fctest.Conformance{ClientID: "credulous",
				StartURL: site + "/", Handler: rp, Faults: fresh})
			require.NoError(t, err)
			requireCase(t, r, "clean login", true, "signed in", "HTTP 200 at /")
			for _, f := range fresh {
				c, ok := r.Case(f.String())
				require.True(t, ok)
				require.Equal(t, tc.expected, c.Expected, "%+v", c)
				require.Equal(t, tc.skipped, c.Skipped, "%+v", c)
				requireCase(t, r, f.String(), tc.passed, tc.outcome, tc.detail)
			}
			it, _ := r.Qualification.Item(5)
			i := slices.IndexFunc(it.Checks, func(c fctest.QualificationCheck) bool { return c.ID == "auth-time-checked" })
			require.GreaterOrEqual(t, i, 0, "item 5 checks auth_time")
			require.Equal(t, tc.item5, it.Checks[i].Verdict, "%+v", it.Checks[i])
		})
	}
}

// FaultPublicAgentsOnly is ProConnect's: the other platforms refuse it.
func TestPublicAgentsOnlyIsProConnects(t *testing.T) {
	for _, p := range []fctest.Platform{fctest.FranceConnectPlus, fctest.FranceConnect} {
		require.False(t, fctest.FaultPublicAgentsOnly.AppliesOn(p))
		emu := fctest.New(t, fctest.Options{Platform: p})
		require.ErrorContains(t, emu.FaultApplies(fctest.FaultPublicAgentsOnly, ""), "is ProConnect's")
	}
	require.True(t, fctest.FaultPublicAgentsOnly.AppliesOn(fctest.ProConnect))
	for _, f := range []fctest.Fault{fctest.FaultPromptLoginIgnored, fctest.FaultMissingAuthTime, fctest.FaultAZPOtherClient} {
		for _, p := range []fctest.Platform{fctest.FranceConnectPlus, fctest.FranceConnect, fctest.ProConnect} {
			require.True(t, f.AppliesOn(p), "%v on %v", f, p)
		}
	}
}
