package fctest_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/go-franceconnect/franceconnect/fctest"
)

// newSite stands for the constructor of the service provider under test,
// which reads its configuration from the environment: the FC_* variables
// (franceconnect.ConfigFromEnv) and FS_SESSION_KEYS (fchttp.NewFromEnv),
// like examples/minimal's.
var newSite func(ctx context.Context) (http.Handler, error)

// A test of a service provider configured by its environment is complete
// with one call of RegisterFS: it registers the FS with a fresh secret and
// key, and Setenv gives the code under test the variables of that
// registration. examples/minimal's test is this one, run.
func ExampleServer_RegisterFS() {
	testLogin := func(t *testing.T) {
		emu := fctest.New(t, fctest.Options{})                                // FranceConnect+ on a loopback port
		emu.RegisterFS(t, fctest.FS{Site: "https://fs.example.fr"}).Setenv(t) // keys, secret, FC_* variables

		ctx := context.Background()
		site, err := newSite(ctx)
		if err != nil {
			t.Fatal(err)
		}
		user, err := emu.NewHandlerVisitor(site, "https://fs.example.fr") // the site, in-process
		if err != nil {
			t.Fatal(err)
		}
		callback, err := user.SignIn(ctx, "/", "camille") // the site's login link, the emulator, back
		if err != nil {
			t.Fatal(err)
		}
		home, err := user.Follow(ctx, callback)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(home.Body, "Camille") {
			t.Errorf("home page: %s", home.Body)
		}
	}
	_ = testLogin // func TestLogin(t *testing.T) in your package
}
