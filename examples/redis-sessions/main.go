// Command redis-sessions is a service provider on fchttp whose sessions live
// in Redis instead of a sealed cookie: every instance shares one Redis, and
// a logout ends the session on the server. It reads its FranceConnect
// registration with franceconnect.ConfigFromEnv, REDIS_ADDR (default
// 127.0.0.1:6379) and ADDR (default 127.0.0.1:8080).
package main

import (
	"cmp"
	"context"
	"fmt"
	"html"
	"log"
	"net/http"
	"os"

	"github.com/redis/go-redis/v9"

	"github.com/go-franceconnect/franceconnect"
	"github.com/go-franceconnect/franceconnect/fchttp"
)

func main() {
	cfg, err := franceconnect.ConfigFromEnv()
	if err != nil {
		log.Fatal(err)
	}
	rdb := redis.NewClient(&redis.Options{Addr: cmp.Or(os.Getenv("REDIS_ADDR"), "127.0.0.1:6379")})
	site, err := newSite(context.Background(), cfg, newRedisStore(rdb, "fs:session:"))
	if err != nil {
		log.Fatal(err)
	}
	log.Fatal(http.ListenAndServe(cmp.Or(os.Getenv("ADDR"), "127.0.0.1:8080"), site))
}

// newSite is the site: fchttp's routes with store, and a home page.
func newSite(ctx context.Context, cfg franceconnect.Config, store fchttp.Store) (http.Handler, error) {
	client, err := franceconnect.New(ctx, cfg)
	if err != nil {
		return nil, err
	}
	fc, err := fchttp.New(fchttp.Config{
		Client: client, Store: store,
		OnLogin: func(w http.ResponseWriter, r *http.Request, l *franceconnect.Login) (string, error) {
			return l.Identity.GivenName + " " + l.Identity.FamilyName, nil
		},
	})
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	fc.Register(mux)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		user, err := fc.User(r)
		if err != nil { // Redis is down: say so rather than show a signed-out page
			http.Error(w, "Service momentanément indisponible", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if user == nil {
			fmt.Fprint(w, `<p>Session : aucune.</p><a href="/login">S'identifier avec FranceConnect+</a>`)
			return
		}
		fmt.Fprintf(w, `<p>Session (Redis) : %s.</p><form method="post" action="/logout"><button>Se déconnecter</button></form>`,
			html.EscapeString(user.Data))
	})
	return mux, nil
}
