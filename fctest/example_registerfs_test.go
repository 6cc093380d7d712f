package fctest_test

import (
	"context"
	"net/url"
	"testing"

	"github.com/go-franceconnect/franceconnect"
	"github.com/go-franceconnect/franceconnect/fctest"
)

// A test of a service provider configured by its environment is complete
// with one call of RegisterFS: it registers the FS with a fresh secret and
// key, and Setenv gives the code under test the FC_* variables (and
// FS_SESSION_KEYS) of that registration. examples/minimal's test drives a
// whole site that way.
func ExampleServer_RegisterFS() {
	testLogin := func(t *testing.T) {
		emu := fctest.New(t, fctest.Options{})                                // FranceConnect+ on a loopback port
		emu.RegisterFS(t, fctest.FS{Site: "https://fs.example.fr"}).Setenv(t) // keys, secret, FC_* variables

		cfg, err := franceconnect.ConfigFromEnv() // what the service provider does at start-up
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		client, err := franceconnect.New(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		auth, err := client.Authorize(ctx, franceconnect.AuthRequest{})
		if err != nil {
			t.Fatal(err)
		}
		callback, err := emu.Login(ctx, auth.URL, "camille") // plays the browser, picks an identity
		if err != nil {
			t.Fatal(err)
		}
		u, _ := url.Parse(callback)
		login, err := client.Callback(ctx, u.Query(), auth.AuthState)
		if err != nil {
			t.Fatal(err)
		}
		if login.Identity.GivenName != "Camille Hélène" {
			t.Errorf("given_name %q", login.Identity.GivenName)
		}
	}
	_ = testLogin // a func TestLogin(t *testing.T) in your package
}
