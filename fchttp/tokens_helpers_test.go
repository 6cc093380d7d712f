package fchttp_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect"
	"github.com/go-franceconnect/franceconnect/fcdata"
	"github.com/go-franceconnect/franceconnect/fchttp"
	"github.com/go-franceconnect/franceconnect/fctest"
)

const dpSecret = "fchttp-data-provider-secret-0123456789"

// dataSite is an FS that keeps its logins' tokens in a Store, on an
// emulator where a data provider, served by fcdata, is registered: every
// clock (emulator, Client, Handler, data provider) moves together.
type dataSite struct {
	t     *testing.T
	emu   *fctest.Server
	wire  *wire
	clock *clock
	store *orderedStore
	fc    *fchttp.Handler
	cfg   fchttp.Config
	mux   *http.ServeMux // the site: fc's routes and a home page
	api   string         // the data provider's base URL
	hits  *sync.Map
}

// newDataSite builds the site on platform (FranceConnect+ or ProConnect),
// its Config changed by edit.
func newDataSite(t *testing.T, platform fctest.Platform, edit func(*fchttp.Config, *dataSite)) *dataSite {
	t.Helper()
	d := &dataSite{t: t, wire: &wire{}, clock: &clock{}, store: &orderedStore{memStore: newMemStore()}, hits: &sync.Map{}}
	d.emu = fctest.New(t, fctest.Options{Platform: platform, Middleware: d.wire.middleware})
	cfg := franceconnect.Config{Issuer: d.emu.Issuer(), ClientID: clientID, ClientSecret: secret, Now: d.clock.Now,
		RedirectURL: site + "/callback", PostLogoutRedirectURL: site + "/logout-callback",
		Scopes: []string{"openid", "given_name", "family_name", "birthdate"}}
	reg := fctest.Registration{ID: clientID, Secret: secret, RedirectURIs: []string{cfg.RedirectURL},
		PostLogoutRedirectURIs: []string{cfg.PostLogoutRedirectURL}}
	dp := fctest.DataProvider{ID: "fchttp-dp", Secret: dpSecret, Scopes: []string{"given_name", "family_name"}}
	dcfg := fcdata.Config{Issuer: d.emu.Issuer(), ClientID: dp.ID, ClientSecret: dpSecret, CacheSize: -1, Now: d.clock.Now}
	if platform == fctest.ProConnect {
		reg.UserinfoSignedResponseAlg = "RS256"
		cfg.Platform, cfg.Scopes = franceconnect.ProConnect, []string{"openid", "given_name", "usual_name", "siret"}
		dp.Scopes, dcfg.Platform = []string{"siret"}, franceconnect.ProConnect
	} else {
		fsKey, dpKey := genKey(t), genKey(t)
		cfg.DecryptionKeys, dcfg.DecryptionKeys = []franceconnect.Key{fsKey}, []franceconnect.Key{dpKey}
		reg.JWKS, dp.JWKS = publicKeys(t, fsKey), publicKeys(t, dpKey)
	}
	require.NoError(t, d.emu.Register(reg))
	require.NoError(t, d.emu.RegisterDataProvider(dp))
	client, err := franceconnect.New(context.Background(), cfg)
	require.NoError(t, err)
	d.api = d.serveAPI(dcfg)
	fcfg := fchttp.Config{Client: client, SessionKeys: [][]byte{newKey()}, Store: d.store, KeepTokens: true, Now: d.clock.Now}
	if edit != nil {
		edit(&fcfg, d)
	}
	d.cfg = fcfg
	d.fc, err = fchttp.New(fcfg)
	d.mux = http.NewServeMux()
	d.fc.Register(d.mux)
	d.mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<a href="/login">Se connecter</a><form method="post" action="/logout"><button>Se déconnecter</button></form>`)
	})
	require.NoError(t, err)
	return d
}

func genKey(t *testing.T) franceconnect.Key {
	k, err := franceconnect.GenerateKey(franceconnect.ECDHES, "")
	require.NoError(t, err)
	return k
}

func publicKeys(t *testing.T, k franceconnect.Key) []byte {
	b, err := franceconnect.PublicJWKS([]franceconnect.Key{k})
	require.NoError(t, err)
	return b
}

// serveAPI serves GET /api/v1/me behind fcdata's middleware, answering the
// token's sub and FS, and counting the requests by token.
func (d *dataSite) serveAPI(cfg fcdata.Config) string {
	v, err := fcdata.New(context.Background(), cfg)
	require.NoError(d.t, err)
	mux := http.NewServeMux()
	mux.Handle("GET /api/v1/me", v.Middleware()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		res, _ := fcdata.FromContext(r.Context())
		n, _ := d.hits.LoadOrStore(r.Header.Get("Authorization"), new(atomic.Int64))
		n.(*atomic.Int64).Add(1)
		_ = json.NewEncoder(w).Encode(map[string]string{"sub": res.Subject, "client_id": res.ClientID})
	})))
	srv := httptest.NewServer(mux)
	d.t.Cleanup(srv.Close)
	return srv.URL + "/api/"
}

// advance moves every clock by dt.
func (d *dataSite) advance(dt time.Duration) {
	d.clock.Advance(dt)
	_, err := d.emu.AdvanceClock(dt)
	require.NoError(d.t, err)
}

// signIn signs login in with a new browser and returns it.
func (d *dataSite) signIn(login string) *fctest.Visitor {
	d.t.Helper()
	u, err := d.emu.NewHandlerVisitor(d.mux, site)
	require.NoError(d.t, err)
	cb, err := u.SignIn(context.Background(), "/", login)
	require.NoError(d.t, err)
	require.Equal(d.t, http.StatusSeeOther, cb.Status, cb.Body)
	return u
}

// request is a request of u's browser to the site.
func (d *dataSite) request(u *fctest.Visitor) *http.Request {
	req := httptest.NewRequest(http.MethodGet, site+"/donnees", nil)
	base, _ := url.Parse(site)
	for _, c := range u.HTTPClient().Jar.Cookies(base) {
		req.AddCookie(c)
	}
	return req
}

// call asks the data provider, with the tokens of u's session, whom the
// token is about.
func (d *dataSite) call(u *fctest.Visitor) (string, error) {
	hc, err := d.fc.DataClient(d.request(u), franceconnect.DataProvider{URL: d.api})
	if err != nil {
		return "", err
	}
	return d.get(hc)
}

func (d *dataSite) get(hc *http.Client) (string, error) {
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, d.api+"v1/me", nil)
	require.NoError(d.t, err)
	resp, err := hc.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(d.t, err)
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("data provider: %s %s", resp.Status, resp.Header.Get("WWW-Authenticate"))
	}
	var a struct {
		Sub      string `json:"sub"`
		ClientID string `json:"client_id"`
	}
	require.NoError(d.t, json.Unmarshal(b, &a))
	require.Equal(d.t, clientID, a.ClientID, "the token was issued to this FS")
	return a.Sub, nil
}

// orderedStore is a memStore that remembers the keys it created, in
// order: a login creates its tokens, then its session.
type orderedStore struct {
	*memStore
	mu      sync.Mutex
	created []string
}

func (o *orderedStore) Create(ctx context.Context, id, subject string, data []byte, expiry time.Time) error {
	o.mu.Lock()
	o.created = append(o.created, id)
	o.mu.Unlock()
	return o.memStore.Create(ctx, id, subject, data, expiry)
}

// records returns the data the Store holds.
func (o *orderedStore) records() [][]byte {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out [][]byte
	o.memStore.mu.Lock()
	defer o.memStore.mu.Unlock()
	for _, id := range o.created {
		if s, ok := o.memStore.sessions[id]; ok {
			out = append(out, slices.Clone(s.data))
		}
	}
	return out
}

// failingCreate is a Store whose Create fails: a login that keeps its
// tokens fails before its session exists.
type failingCreate struct{ *memStore }

func (failingCreate) Create(context.Context, string, string, []byte, time.Time) error { return errDown }
