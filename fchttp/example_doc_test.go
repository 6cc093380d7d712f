package fchttp_test

import (
	"context"
	"fmt"
	"html/template"
	"log"
	"net/http"
	"os"

	"github.com/go-franceconnect/franceconnect"
	"github.com/go-franceconnect/franceconnect/fchttp"
	"github.com/go-franceconnect/franceconnect/fctest"
)

// A service provider configured by its environment, the same on every
// instance: the FC_* variables of franceconnect.ConfigFromEnv and
// FS_SESSION_KEYS. Every problem with them is reported at once.
func ExampleNewFromEnv() {
	fc, err := fchttp.NewFromEnv(context.Background(), fchttp.Config{
		KeysPath: "/client/keys", // the "Client keys URL": the public part of FC_KEYS
		OnLogin: func(w http.ResponseWriter, r *http.Request, l *franceconnect.Login) (any, error) {
			return l.Identity.GivenName, nil // kept in the session, in JSON: User.Decode reads it
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	fc.Register(mux) // GET and POST /login, the callbacks, POST /logout, /client/keys
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		user, err := fc.User(w, r) // nil when nobody is signed in
		var name string
		if err != nil || user == nil || user.Decode(&name) != nil {
			http.Redirect(w, r, "/login", http.StatusSeeOther)
			return
		}
		fmt.Fprintf(w, "Bonjour %s", template.HTMLEscapeString(name))
	})
	log.Fatal(http.ListenAndServe("127.0.0.1:8080", mux))
}

// Handler.Button is the official button of the Client's platform, posting
// to the login route; a page's template renders it with {{.Button.HTML}}.
func ExampleHandler_Button() {
	emu, err := fctest.NewServer(fctest.Options{}) // FranceConnect+
	if err != nil {
		log.Fatal(err)
	}
	defer emu.Close()
	keys, err := fchttp.ParseSessionKeys("boPkeGZjOsWWatSmPHTEWHphpG0cZx7mq3yGesEugJM=") // made for this example only
	if err != nil {
		log.Fatal(err)
	}
	fc, err := fchttp.New(fchttp.Config{Client: exampleClient(emu), SessionKeys: keys})
	if err != nil {
		log.Fatal(err)
	}
	page := template.Must(template.New("home").Parse(`<h1>Connexion</h1>{{"\n"}}{{.Button.HTML}}`))

	b := fc.Button()   // FranceConnect+, FranceConnect or ProConnect, after the Client
	b.Next = "/compte" // optional: acr (AcceptedACRs on ProConnect), next, the "ou" separator
	if err := page.Execute(os.Stdout, struct{ Button fchttp.Button }{b}); err != nil {
		log.Fatal(err)
	}
	// Output:
	// <h1>Connexion</h1>
	// <form method="post" action="/login">
	// <input type="hidden" name="next" value="/compte">
	// <div class="fr-connect-group">
	// <p>FranceConnect+ est la solution proposée par l’État, pour renforcer la sécurité de vos services en ligne les plus sensibles</p>
	// <button class="fr-connect fr-connect--plus" type="submit" aria-label="S’identifier avec FranceConnect+">
	// <span class="fr-connect__login">S’identifier avec</span>
	// <span class="fr-connect__brand">FranceConnect<span class="fr-sr-only">+</span></span>
	// </button>
	// <p><a href="https://franceconnect.gouv.fr/france-connect-plus" target="_blank" rel="noopener" title="Qu’est-ce que FranceConnect+ ? - nouvelle fenêtre">Qu’est-ce que FranceConnect+ ?</a></p>
	// </div>
	// </form>
}
