package fchttp_test

import (
	"context"
	"fmt"
	"html"
	"log"
	"net/http"

	"github.com/go-franceconnect/franceconnect"
	"github.com/go-franceconnect/franceconnect/fchttp"
	"github.com/go-franceconnect/franceconnect/fctest"
)

// This example mounts fchttp on a ServeMux next to a home page and signs a
// scripted user in and out through the fctest emulator. In a real service
// the Client comes from franceconnect.ConfigFromEnv and the key ring from
// fchttp.ParseSessionKeys(os.Getenv("FS_SESSION_KEYS")).
func Example() {
	emu, err := fctest.NewServer(fctest.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer emu.Close()
	client := exampleClient(emu)

	keys, err := fchttp.ParseSessionKeys("boPkeGZjOsWWatSmPHTEWHphpG0cZx7mq3yGesEugJM=") // made for this example only
	if err != nil {
		log.Fatal(err)
	}
	fc, err := fchttp.New(fchttp.Config{
		Client:      client,
		SessionKeys: keys,
		OnLogin: func(w http.ResponseWriter, r *http.Request, l *franceconnect.Login) (any, error) {
			return l.Identity.GivenName, nil // kept in the session: User.Decode reads it
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	fc.Register(mux)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		var name string
		if user, _ := fc.User(w, r); user != nil && user.Decode(&name) == nil {
			fmt.Fprintf(w, `Bonjour %s <form method="post" action="/logout"><button>Sortir</button></form>`, html.EscapeString(name))
			return
		}
		fmt.Fprint(w, `<a href="/login">S'identifier avec FranceConnect+</a>`)
	})

	user, err := emu.NewHandlerVisitor(mux, "https://fs.example.fr")
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	callback, err := user.SignIn(ctx, "/", "camille")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(callback.Status, callback.Header.Get("Location"))
	home, err := user.Follow(ctx, callback)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(home.Body[:len("Bonjour Camille Hélène")])
	bye, err := user.Logout(ctx, home)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(bye.Status, bye.Header.Get("Location"), emu.Requests("session/end"))
	// Output:
	// 303 /
	// Bonjour Camille Hélène
	// 303 / 1
}

// exampleClient registers an FS at https://fs.example.fr on emu and returns
// its client.
func exampleClient(emu *fctest.Server) *franceconnect.Client {
	key, err := franceconnect.GenerateKey(franceconnect.ECDHES, "")
	if err != nil {
		log.Fatal(err)
	}
	jwks, err := franceconnect.PublicJWKS([]franceconnect.Key{key})
	if err != nil {
		log.Fatal(err)
	}
	const secret = "example-secret-0123456789abcdef0123"
	err = emu.Register(fctest.Registration{ID: "example-fs", Secret: secret, JWKS: jwks,
		RedirectURIs:           []string{"https://fs.example.fr/callback"},
		PostLogoutRedirectURIs: []string{"https://fs.example.fr/logout-callback"}})
	if err != nil {
		log.Fatal(err)
	}
	client, err := franceconnect.New(context.Background(), franceconnect.Config{
		Issuer: emu.Issuer(), ClientID: "example-fs", ClientSecret: secret,
		RedirectURL: "https://fs.example.fr/callback", PostLogoutRedirectURL: "https://fs.example.fr/logout-callback",
		Scopes: []string{"openid", "given_name"}, DecryptionKeys: []franceconnect.Key{key},
	})
	if err != nil {
		log.Fatal(err)
	}
	return client
}
