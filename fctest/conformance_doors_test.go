package fctest_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect/fctest"
)

// doorsSite is a site of two doors, each a relying party on its own
// emulator, whose home page shows both: the run is pointed at one door by
// its login and logout paths.
type doorsSite struct{ doors []*credulous }

func (d *doorsSite) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/" {
		for _, door := range d.doors {
			door.section(w, door.session(w, r))
		}
		return
	}
	for _, door := range d.doors {
		if strings.HasPrefix(r.URL.Path, door.path("/")) {
			door.ServeHTTP(w, r)
			return
		}
	}
	http.NotFound(w, r)
}

// newDoorsSite registers doors "a" and "b" of the site, each on its own
// FranceConnect emulator, b checking the callback's state.
func newDoorsSite(t *testing.T, site string) (*doorsSite, []*fctest.Server) {
	t.Helper()
	d := &doorsSite{}
	var emus []*fctest.Server
	for _, key := range []string{"a", "b"} {
		emu := fctest.New(t, fctest.Options{Platform: fctest.FranceConnect})
		rp := newCredulous(emu, site)
		rp.door, rp.checkSt = key, key == "b"
		require.NoError(t, emu.Register(fctest.Registration{ID: "credulous", Secret: secret,
			RedirectURIs: []string{site + rp.path("/callback")}, PostLogoutRedirectURIs: []string{site + rp.path("/bye")}}))
		d.doors, emus = append(d.doors, rp), append(emus, emu)
	}
	return d, emus
}

// A run at one door of a page that shows two starts that door's login
// (its form, with the field outside it that names it), sees its signed-in
// page by its logout form, and leaves the other door alone; pointed
// nowhere, it finds no login.
func TestConformanceAtOneOfTwoDoors(t *testing.T) {
	const site = "https://portes.example.fr"
	d, emus := newDoorsSite(t, site)
	run := fctest.Conformance{ClientID: "credulous", StartURL: site + "/", Handler: d, LoginPath: "/b/login",
		LogoutPath: "/b/logout", Faults: []fctest.Fault{fctest.FaultCallbackWrongState, fctest.FaultAccessDenied}}
	r, err := emus[1].RunConformance(context.Background(), run)
	require.NoError(t, err)
	requireCase(t, r, "clean login", true, "signed in", "HTTP 200 at /")
	requireCase(t, r, "clean logout", true, "signed out", "HTTP 303 from /b/bye to")
	requireCase(t, r, "FaultCallbackWrongState", true, "refused", "nobody signed in: HTTP 400 at /b/callback")
	requireCase(t, r, "FaultAccessDenied", true, "refused", "nobody signed in: HTTP 400 at /b/callback")
	require.False(t, r.Failed())
	require.Zero(t, emus[0].Requests("authorize"), "the other door was never used")

	run.LoginPath, run.LogoutPath = "", ""
	r, err = emus[1].RunConformance(context.Background(), run)
	require.NoError(t, err)
	requireCase(t, r, "clean login", false, "refused", "no link or form to /login")

	// At door a, the state is not checked: the run names it.
	run.LoginPath, run.LogoutPath = "/a/login", "/a/logout"
	r, err = emus[0].RunConformance(context.Background(), run)
	require.NoError(t, err)
	requireCase(t, r, "clean login", true, "signed in", "HTTP 200 at /")
	requireCase(t, r, "FaultCallbackWrongState", false, "accepted", "redeemed the code")
}
