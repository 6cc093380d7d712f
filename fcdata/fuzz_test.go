package fcdata

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/go-franceconnect/franceconnect"
)

// FuzzIntrospectionAnswer feeds arbitrary answers to the JSON path of
// ProConnect and to the members check of a signed answer: they never
// panic, every failure wraps ErrIntrospection, and an active verdict always
// has a subject, a service provider and an expiry not yet past.
func FuzzIntrospectionAnswer(f *testing.F) {
	for _, s := range []string{
		`{"active":true,"client_id":"fs","sub":"s","exp":1900000000,"iat":1800000000,"scope":"a b","acr":"eidas1"}`,
		`{"active":false}`, `{"active":true,"active":false}`, `{"Active":true}`, `{"active":"true"}`,
		`{"iss":"https://p.example/api/v2","aud":"dp","iat":1800000000,"token_introspection":{"active":false}}`,
		`{"active":true,"client_id":"fs","sub":"s","exp":1900000000,"birthdate":"1990-00-00","given_name":"A"}`,
	} {
		f.Add([]byte(s))
	}
	now := time.Unix(1800000000, 0)
	v := &Verifier{s: &settings{platform: franceconnect.ProConnect, issuer: "https://p.example/api/v2", clientID: "dp",
		leeway: franceconnect.DefaultLeeway, now: func() time.Time { return now }}}
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := v.answer(context.Background(), "application/json", data)
		checkVerdict(t, now, res, err)
		if inner, err := v.claims(data); err == nil {
			res, err := v.verdict(inner)
			checkVerdict(t, now, res, err)
		} else if !errors.Is(err, ErrIntrospection) {
			t.Fatalf("claims: %v is not an ErrIntrospection", err)
		}
	})
}

func checkVerdict(t *testing.T, now time.Time, res *Introspection, err error) {
	switch {
	case err != nil && !errors.Is(err, ErrIntrospection):
		t.Fatalf("%v is not an ErrIntrospection", err)
	case err != nil && res != nil:
		t.Fatal("a result with an error")
	case err == nil && res.Active && (res.Subject == "" || res.ClientID == "" || !now.Before(res.Expiry.Add(franceconnect.DefaultLeeway))):
		t.Fatalf("an active verdict without subject, service provider or live expiry: %+v", res)
	}
}
