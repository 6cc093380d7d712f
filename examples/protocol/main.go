// Command protocol signs people in with FranceConnect+ with the
// franceconnect package alone: Authorize, Callback, Logout and
// LogoutCallback, the session kept on the server (in memory: one instance).
package main

import (
	"cmp"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"html"
	"log"
	"net/http"
	"net/url"
	"os"
	"sync"

	"github.com/go-franceconnect/franceconnect"
)

func main() {
	cfg, err := franceconnect.ConfigFromEnv() // FC_ENVIRONMENT, FC_CLIENT_ID, FC_KEYS, … every problem at once
	if err != nil {
		log.Fatal(err)
	}
	site, err := newSite(context.Background(), cfg)
	if err != nil {
		log.Fatal(err)
	}
	log.Fatal(http.ListenAndServe(cmp.Or(os.Getenv("ADDR"), "127.0.0.1:8080"), site))
}

// session is what the site keeps for one browser between requests.
type session struct {
	auth        franceconnect.AuthState // between Authorize and Callback
	hint        string                  // string(login.IDToken.Hint()), for Logout
	logoutState string                  // between Logout and LogoutCallback
	name        string
}

type site struct {
	client   *franceconnect.Client
	mu       sync.Mutex
	sessions map[string]*session // by the value of the "sid" cookie
}

func newSite(ctx context.Context, cfg franceconnect.Config) (http.Handler, error) {
	client, err := franceconnect.New(ctx, cfg)
	if err != nil {
		return nil, err
	}
	s := &site{client: client, sessions: map[string]*session{}}
	callback, _ := url.Parse(cfg.RedirectURL)
	loggedOut, _ := url.Parse(cfg.PostLogoutRedirectURL)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.home)
	mux.HandleFunc("POST /login", s.login)
	mux.HandleFunc("GET "+callback.Path, s.callback)
	mux.HandleFunc("POST /logout", s.logout)
	mux.HandleFunc("GET "+loggedOut.Path, s.logoutCallback)
	return http.NewCrossOriginProtection().Handler(mux), nil // CSRF on the two forms
}

func (s *site) login(w http.ResponseWriter, r *http.Request) {
	auth, err := s.client.Authorize(r.Context(), franceconnect.AuthRequest{}) // fresh state and nonce
	if err != nil {
		http.Error(w, "FranceConnect est indisponible, réessayez plus tard.", http.StatusServiceUnavailable)
		return
	}
	s.session(w, r).auth = auth.AuthState
	http.Redirect(w, r, auth.URL, http.StatusSeeOther)
}

func (s *site) callback(w http.ResponseWriter, r *http.Request) {
	sess := s.session(w, r)
	st := sess.auth
	sess.auth = franceconnect.AuthState{} // single use, whatever happens
	login, err := s.client.Callback(r.Context(), r.URL.Query(), st)
	var pe *franceconnect.ProviderError
	switch {
	case errors.As(err, &pe):
		http.Error(w, pe.UserMessage(), http.StatusBadRequest)
		return
	case errors.Is(err, franceconnect.ErrStateMismatch):
		http.Error(w, "Session expirée : recommencez la connexion.", http.StatusBadRequest)
		return
	case err != nil: // a check failed: never use any part of the answer
		log.Printf("FranceConnect login refused: %v", err)
		http.Error(w, "Connexion impossible avec FranceConnect+.", http.StatusBadGateway)
		return
	}
	sess.hint, sess.name = string(login.IDToken.Hint()), login.Identity.GivenName
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (s *site) logout(w http.ResponseWriter, r *http.Request) {
	sess := s.session(w, r)
	if sess.hint == "" {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	lr, err := s.client.Logout(r.Context(), franceconnect.Token(sess.hint))
	if err != nil {
		http.Error(w, "Déconnexion impossible, réessayez plus tard.", http.StatusServiceUnavailable)
		return
	}
	*sess = session{logoutState: lr.State} // the FS session ends here; FranceConnect's in the browser
	http.Redirect(w, r, lr.URL, http.StatusSeeOther)
}

func (s *site) logoutCallback(w http.ResponseWriter, r *http.Request) {
	sess := s.session(w, r)
	err := s.client.LogoutCallback(r.URL.Query(), sess.logoutState)
	sess.logoutState = ""
	if err != nil {
		http.Error(w, "Déconnexion non confirmée.", http.StatusBadRequest)
		return
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (s *site) home(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if name := s.session(w, r).name; name != "" {
		fmt.Fprintf(w, `Bonjour %s <form method="post" action="/logout"><button>Se déconnecter</button></form>`, html.EscapeString(name))
		return
	}
	fmt.Fprint(w, `<form method="post" action="/login"><button>S'identifier avec FranceConnect+</button></form>`)
}

// session returns the browser's session, starting one (and its cookie) if
// it has none.
func (s *site) session(w http.ResponseWriter, r *http.Request) *session {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, err := r.Cookie("sid"); err == nil && s.sessions[c.Value] != nil {
		return s.sessions[c.Value]
	}
	id := rand.Text()
	s.sessions[id] = &session{}
	http.SetCookie(w, &http.Cookie{Name: "sid", Value: id, Path: "/", HttpOnly: true,
		Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode})
	return s.sessions[id]
}
