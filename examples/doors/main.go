// Command doors is a site with two doors: citizens sign in with
// FranceConnect+ under /citoyen/, agents with ProConnect under /agent/.
// Each door reads its registration from its own variables, those of
// franceconnect.ConfigFromEnv under a prefix (CITOYEN_FC_ISSUER,
// AGENT_FC_CLIENT_ID…); both share FS_SESSION_KEYS. A session opened at one
// door is nobody at the other.
package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"html"
	"log"
	"net/http"
	"os"

	"github.com/go-franceconnect/franceconnect"
	"github.com/go-franceconnect/franceconnect/fchttp"
)

func main() {
	site, err := newSite(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	log.Fatal(http.ListenAndServe(cmp.Or(os.Getenv("ADDR"), "127.0.0.1:8080"), site))
}

// citizen is what the citizen door's session keeps, in JSON.
type citizen struct {
	Name      string                  `json:"name"`
	Birthdate franceconnect.Birthdate `json:"birthdate"`
}

func newSite(ctx context.Context) (http.Handler, error) {
	citizens, agents, err := newDoors(ctx)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	if err := fchttp.RegisterDoors(mux, citizens, agents); err != nil { // distinct cookies and routes
		return nil, err
	}
	mux.HandleFunc("GET /citoyen/{$}", func(w http.ResponseWriter, r *http.Request) {
		var c citizen
		if user, err := citizens.User(w, r); err != nil { // an agent is nobody here
			http.Error(w, "Service momentanément indisponible", http.StatusServiceUnavailable)
		} else if user == nil || user.Decode(&c) != nil {
			fmt.Fprint(w, `<a href="/citoyen/login">S'identifier avec FranceConnect+</a>`)
		} else {
			fmt.Fprintf(w, `Bonjour %s (date de naissance : %s) <form method="post" action="/citoyen/logout"><button>Se déconnecter</button></form>`,
				html.EscapeString(c.Name), c.Birthdate)
		}
	})
	mux.HandleFunc("GET /agent/{$}", func(w http.ResponseWriter, r *http.Request) {
		var name string
		if user, err := agents.User(w, r); err != nil { // a citizen is nobody here
			http.Error(w, "Service momentanément indisponible", http.StatusServiceUnavailable)
		} else if user == nil || user.Decode(&name) != nil {
			fmt.Fprint(w, `<a href="/agent/login">S'identifier avec ProConnect</a>`)
		} else {
			fmt.Fprintf(w, `Bonjour %s <form method="post" action="/agent/logout"><button>Se déconnecter</button></form>`,
				html.EscapeString(name))
		}
	})
	return mux, nil
}

// newDoors builds the site's two doors, each from its own prefixed
// variables, with its own cookie and routes.
func newDoors(ctx context.Context) (citizens, agents *fchttp.Handler, err error) {
	citizens, err1 := fchttp.NewFromEnvPrefix(ctx, "CITOYEN_", fchttp.Config{
		CookieName: "citoyen", LoginPath: "/citoyen/login", LogoutPath: "/citoyen/logout", HomePath: "/citoyen/",
		KeysPath: "/citoyen/keys", // the "Client keys URL" of the FranceConnect+ registration
		OnLogin: func(w http.ResponseWriter, r *http.Request, l *franceconnect.Login) (any, error) {
			return citizen{Name: l.Identity.GivenName, Birthdate: l.Identity.Birthdate}, nil
		},
	})
	agents, err2 := fchttp.NewFromEnvPrefix(ctx, "AGENT_", fchttp.Config{
		CookieName: "agent", LoginPath: "/agent/login", LogoutPath: "/agent/logout", HomePath: "/agent/",
		OnLogin: func(w http.ResponseWriter, r *http.Request, l *franceconnect.Login) (any, error) {
			return l.Identity.Agent.GivenName + " " + l.Identity.Agent.UsualName, nil
		},
	})
	return citizens, agents, errors.Join(err1, err2) // every problem of both doors at once
}
