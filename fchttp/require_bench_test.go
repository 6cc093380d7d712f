package fchttp_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/go-franceconnect/franceconnect"
	"github.com/go-franceconnect/franceconnect/fchttp"
	"github.com/go-franceconnect/franceconnect/fctest"
)

// BenchmarkGuardedPage compares, in one run, a request to a page that
// reads the session itself (Handler.User) with the same page behind the
// guard (Handler.RequireLevel), for a person signed in at the level, with
// the session in the sealed cookie and in a Store; store-calls/op counts
// the Store's operations per request. Run it with
// go test -run '^$' -bench GuardedPage ./fchttp.
func BenchmarkGuardedPage(b *testing.B) {
	for _, state := range []string{"sealed", "store"} {
		fc, store, cookie := benchSession(b, state == "store")
		page := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if u, err := fc.User(w, r); err != nil || u == nil {
				http.Error(w, "nobody", http.StatusInternalServerError)
				return
			}
			fmt.Fprint(w, "<p>page</p>")
		})
		guard, err := fc.RequireLevel(franceconnect.EIDAS3)
		if err != nil {
			b.Fatal(err)
		}
		for _, h := range []struct {
			name string
			h    http.Handler
		}{{"page", page}, {"guarded", guard(page)}} {
			b.Run("state="+state+"/"+h.name, func(b *testing.B) {
				req := httptest.NewRequest(http.MethodGet, site+"/banque", nil)
				req.AddCookie(cookie)
				before := store.calls.Load()
				b.ReportAllocs()
				for b.Loop() {
					rec := httptest.NewRecorder()
					h.h.ServeHTTP(rec, req)
					if rec.Code != http.StatusOK {
						b.Fatalf("HTTP %d %s", rec.Code, rec.Body)
					}
				}
				b.ReportMetric(float64(store.calls.Load()-before)/float64(b.N), "store-calls/op")
			})
		}
	}
}

// benchSession signs camille in (eidas3) at a FranceConnect+ door, with
// its sessions in store when stored is set, and returns the Handler, the
// store and the session cookie.
func benchSession(b *testing.B, stored bool) (*fchttp.Handler, *memStore, *http.Cookie) {
	b.Helper()
	emu := fctest.New(b, fctest.Options{})
	key, err := franceconnect.GenerateKey(franceconnect.ECDHES, "")
	if err != nil {
		b.Fatal(err)
	}
	jwks, err := franceconnect.PublicJWKS([]franceconnect.Key{key})
	if err != nil {
		b.Fatal(err)
	}
	if err := emu.Register(fctest.Registration{ID: clientID, Secret: secret, JWKS: jwks,
		RedirectURIs: []string{site + "/callback"}, PostLogoutRedirectURIs: []string{site + "/logout-callback"}}); err != nil {
		b.Fatal(err)
	}
	client, err := franceconnect.New(context.Background(), franceconnect.Config{Issuer: emu.Issuer(), ClientID: clientID,
		ClientSecret: secret, RedirectURL: site + "/callback", PostLogoutRedirectURL: site + "/logout-callback",
		Scopes: []string{"openid", "given_name"}, DecryptionKeys: []franceconnect.Key{key}})
	if err != nil {
		b.Fatal(err)
	}
	store := newMemStore()
	cfg := fchttp.Config{Client: client, SessionKeys: [][]byte{newKey()}}
	if stored {
		cfg.Store = store
	}
	fc, err := fchttp.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	mux := http.NewServeMux()
	fc.Register(mux)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<a href="/login">Se connecter</a>`)
	})
	u, err := emu.NewHandlerVisitor(mux, site)
	if err != nil {
		b.Fatal(err)
	}
	if cb, err := u.SignIn(context.Background(), "/", "camille"); err != nil || cb.Status != http.StatusSeeOther {
		b.Fatalf("login: %v", err)
	}
	base := httptest.NewRequest(http.MethodGet, site, nil).URL
	for _, c := range u.HTTPClient().Jar.Cookies(base) {
		if c.Name == "__Host-fs_session" {
			return fc, store, &http.Cookie{Name: c.Name, Value: c.Value}
		}
	}
	b.Fatal("no session cookie")
	return nil, nil, nil
}
