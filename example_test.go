package franceconnect_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/url"
	"os"

	"github.com/go-franceconnect/franceconnect"
	"github.com/go-franceconnect/franceconnect/fctest"
)

// newExampleClient starts an emulator and registers an FS on it; in a real
// service, the Config comes from ConfigFromEnv or a preset Environment.
func newExampleClient(srv *fctest.Server) *franceconnect.Client {
	key, err := franceconnect.GenerateKey(franceconnect.ECDHES, "fs-key-1")
	if err != nil {
		log.Fatal(err)
	}
	jwks, err := franceconnect.PublicJWKS([]franceconnect.Key{key})
	if err != nil {
		log.Fatal(err)
	}
	err = srv.Register(fctest.Registration{
		ID: "example-fs", Secret: "example-secret-0123456789abcdef0123",
		RedirectURIs:           []string{"https://fs.example.fr/callback"},
		PostLogoutRedirectURIs: []string{"https://fs.example.fr/logout-callback"},
		JWKS:                   jwks, AllowAMR: true,
	})
	if err != nil {
		log.Fatal(err)
	}
	client, err := franceconnect.New(context.Background(), franceconnect.Config{
		Issuer:                srv.Issuer(), // or Environment: franceconnect.FCPlusIntegration
		ClientID:              "example-fs",
		ClientSecret:          "example-secret-0123456789abcdef0123",
		RedirectURL:           "https://fs.example.fr/callback",
		PostLogoutRedirectURL: "https://fs.example.fr/logout-callback",
		Scopes:                []string{"openid", "identite_pivot", "email"},
		ACR:                   franceconnect.EIDAS2,
		DecryptionKeys:        []franceconnect.Key{key},
	})
	if err != nil {
		log.Fatal(err)
	}
	return client
}

// The whole login: Authorize, the user at FranceConnect+ (played here by the
// emulator), Callback, then logout.
func Example() {
	ctx := context.Background()
	srv, err := fctest.NewServer(fctest.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client := newExampleClient(srv)

	// GET /login: keep auth.AuthState in the session, redirect to auth.URL.
	auth, err := client.Authorize(ctx, franceconnect.AuthRequest{Claims: franceconnect.RequestAMR()})
	if err != nil {
		log.Fatal(err)
	}
	callback, err := srv.SignIn(ctx, auth.URL, "camille") // the browser's part
	if err != nil {
		log.Fatal(err)
	}

	// GET /callback: everything is checked before an identity is returned.
	u, _ := url.Parse(callback)
	login, err := client.Callback(ctx, u.Query(), auth.AuthState)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(login.Identity.GivenName, login.Identity.FamilyName, login.IDToken.ACR)

	// POST /logout: redirect to lr.URL, keep lr.State, check it on return.
	lr, err := client.Logout(ctx, login.IDToken.Hint())
	if err != nil {
		log.Fatal(err)
	}
	back, err := srv.Logout(ctx, lr.URL)
	if err != nil {
		log.Fatal(err)
	}
	u, _ = url.Parse(back)
	fmt.Println(client.LogoutCallback(u.Query(), lr.State))
	// Output:
	// Camille Hélène ARNAUD eidas3
	// <nil>
}

// Errors are categories to test with errors.Is, and provider answers a
// *ProviderError that says what to show the user.
func ExampleClient_Callback_errors() {
	ctx := context.Background()
	srv, err := fctest.NewServer(fctest.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client := newExampleClient(srv)

	auth, _ := client.Authorize(ctx, franceconnect.AuthRequest{})
	callback, _ := srv.Cancel(ctx, auth.URL) // the user clicks "back to the service"
	u, _ := url.Parse(callback)
	_, err = client.Callback(ctx, u.Query(), auth.AuthState)

	var pe *franceconnect.ProviderError
	switch {
	case errors.As(err, &pe):
		fmt.Println(pe.Code, "→", pe.UserMessage())
	case errors.Is(err, franceconnect.ErrStateMismatch):
		fmt.Println("restart the login")
	case errors.Is(err, franceconnect.ErrACRTooLow):
		fmt.Println("ask for a stronger identity")
	}
	// Output:
	// access_denied → La connexion avec FranceConnect+ a été annulée ou refusée. Vous pouvez réessayer ou choisir un autre moyen de connexion.
}

// Generate the FS decryption key once, store the private JWK Set as a
// secret (FC_KEYS), and serve the public part at the "Client keys URL".
func ExampleGenerateKey() {
	key, err := franceconnect.GenerateKey(franceconnect.ECDHES, "fs-2026-01")
	if err != nil {
		log.Fatal(err)
	}
	private, _ := franceconnect.MarshalKeys([]franceconnect.Key{key})
	_ = os.WriteFile(os.DevNull, private, 0o600) // a secret store in real life

	keys, _ := franceconnect.ParseKeys(private)
	handler, _ := franceconnect.KeysHandler(keys)
	http.Handle("GET /client/.well-known/keys", handler)
	fmt.Println(keys[0].ID, keys[0].Algorithm)
	// Output: fs-2026-01 ECDH-ES
}

// ConfigFromEnv reads the FC_* variables and reports every problem at once,
// naming the Config field and its variable.
func ExampleConfigFromEnv() {
	for name, value := range map[string]string{
		"FC_ENVIRONMENT": "fcplus-integration", "FC_ISSUER": "", "FC_PLATFORM": "",
		"FC_CLIENT_ID":     "6925fb8143c76eded44d32b40c0cb1006065f7f003de52712b78985704f39950",
		"FC_CLIENT_SECRET": "too-short", "FC_KEYS": "", "FC_ACR": "eidas2",
		"FC_REDIRECT_URL": "http://localhost:8080/callback", "FC_POST_LOGOUT_REDIRECT_URL": "https://fs.example.fr/logged-out",
		"FC_SCOPES": "openid,identite_pivot",
	} {
		os.Setenv(name, value)
		defer os.Unsetenv(name)
	}
	_, err := franceconnect.ConfigFromEnv()
	fmt.Println(err)
	// Output:
	// franceconnect: invalid configuration: 4 problems:
	// Scopes (FC_SCOPES): FC_SCOPES holds commas: separate the scopes with spaces, e.g. "openid identite_pivot email"
	// ClientSecret (FC_CLIENT_SECRET): 9 characters: FranceConnect issues secrets of at least 32 printable ASCII characters; check that the whole secret was copied
	// RedirectURL (FC_REDIRECT_URL): "http://localhost:8080/callback": fcplus-integration refuses http and loopback hosts such as localhost; register a public https URL (or use fctest locally, with Issuer)
	// DecryptionKeys: FC_KEYS is not set: FranceConnect+ encrypts every token to your keys: give the private keys whose public part is published at your registered Client keys URL
}
