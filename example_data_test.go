package franceconnect_test

import (
	"context"
	"fmt"
	"io"
	"net/http"

	"github.com/go-franceconnect/franceconnect"
)

// callDataProvider calls a data provider right after a login: on
// FranceConnect the access token lives 60 seconds and cannot be refreshed.
func callDataProvider(ctx context.Context, client *franceconnect.Client, login *franceconnect.Login) ([]byte, error) {
	api, err := client.DataClient(&login.Tokens, franceconnect.DataProvider{URL: "https://data.example.gouv.fr/api/"})
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "https://data.example.gouv.fr/api/v1/me", nil)
	if err != nil {
		return nil, err
	}
	resp, err := api.Do(req) // Authorization: Bearer …, never in the URL
	if err != nil {
		return nil, err // ErrAccessTokenExpired when the 60 seconds are over
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("data provider: %s (%s)", resp.Status, resp.Header.Get("WWW-Authenticate"))
	}
	return io.ReadAll(resp.Body)
}

var _ = callDataProvider
