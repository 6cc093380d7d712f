// Command minimal is a complete FranceConnect+ integration on fchttp: login,
// identity, logout, sessions in a sealed cookie, configured by environment
// variables (the FC_* ones of franceconnect.ConfigFromEnv, and FS_SESSION_KEYS).
package main

import (
	"cmp"
	"context"
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

func newSite(ctx context.Context) (http.Handler, error) {
	fc, err := fchttp.NewFromEnv(ctx, fchttp.Config{ // the same variables on every instance
		KeysPath: "/client/keys", // the "Client keys URL": the public part of FC_KEYS
		OnLogin: func(w http.ResponseWriter, r *http.Request, l *franceconnect.Login) (any, error) {
			return l.Identity.GivenName, nil // what the session keeps, in JSON: User.Decode reads it
		},
	})
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	fc.Register(mux) // /login, POST /logout, and the paths of FC_REDIRECT_URL and FC_POST_LOGOUT_REDIRECT_URL
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		var name string
		if user, _ := fc.User(w, r); user != nil && user.Decode(&name) == nil { // also: no-store, idle timeout
			fmt.Fprintf(w, `Bonjour %s <form method="post" action="/logout"><button>Se déconnecter</button></form>`,
				html.EscapeString(name))
			return
		}
		button, err := fc.Button().HTML() // the official button: a form posting to /login
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		fmt.Fprint(w, button)
	})
	return mux, nil
}
