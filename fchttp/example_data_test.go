package fchttp_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/go-franceconnect/franceconnect"
	"github.com/go-franceconnect/franceconnect/fchttp"
)

// citizen is what the session keeps of a citizen: a name, and the answer
// of the data provider called at the login.
type citizen struct {
	Name string `json:"name"`
	Data string `json:"data,omitempty"` // empty: the data provider failed
}

// dataDoor is the Config of a door whose logins call the data provider at
// api right away, and whose later requests may call it again.
func dataDoor(client *franceconnect.Client, keys [][]byte, store fchttp.Store, api string) fchttp.Config {
	return fchttp.Config{
		Client: client, SessionKeys: keys,
		// Right away: on FranceConnect and FranceConnect+ the access token
		// lives 60 seconds and cannot be refreshed.
		OnLogin: func(w http.ResponseWriter, r *http.Request, l *franceconnect.Login) (any, error) {
			hc, err := client.DataClient(&l.Tokens, franceconnect.DataProvider{URL: api})
			if err != nil {
				return nil, err
			}
			data, _ := fetch(r.Context(), hc, api+"v1/me") // a failing data provider does not refuse the login
			return citizen{Name: l.Identity.GivenName, Data: data}, nil
		},
		// Later: the tokens stay on the server side, in the Store, never in
		// the cookie; ProConnect's are refreshed and stored back.
		Store: store, KeepTokens: true,
	}
}

// dataPage calls the data provider again from a later request of the
// person signed in at fc.
func dataPage(fc *fchttp.Handler, api string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		hc, err := fc.DataClient(r, franceconnect.DataProvider{URL: api})
		if errors.Is(err, fchttp.ErrNotSignedIn) || errors.Is(err, fchttp.ErrNoTokens) {
			http.Redirect(w, r, "/login?next=/donnees", http.StatusSeeOther)
			return
		} else if err != nil {
			http.Error(w, "Service indisponible, réessayez plus tard.", http.StatusServiceUnavailable)
			return
		}
		data, err := fetch(r.Context(), hc, api+"v1/me")
		if errors.Is(err, franceconnect.ErrAccessTokenExpired) { // FranceConnect: 60 seconds after the login
			fmt.Fprint(w, "Reconnectez-vous pour mettre ces données à jour.")
			return
		} else if err != nil {
			http.Error(w, "Le fournisseur de données est injoignable.", http.StatusBadGateway)
			return
		}
		fmt.Fprint(w, data)
	}
}

// fetch GETs url with the data client hc and returns the answer's body.
func fetch(ctx context.Context, hc *http.Client, url string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", err
	}
	resp, err := hc.Do(req) // Authorization: Bearer …, only to api
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("data provider: %s", resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return string(body), err
}
