// Package quotient is the data of the example data provider: the family
// quotient ("quotient familial") of the person an access token was issued
// for, from a fictitious register. The program examples/dataprovider
// serves it behind fcdata's middleware; the example service provider
// (examples/serviceprovider) runs it in-process next to its emulator and
// decodes its Answer.
package quotient

import (
	"encoding/json"
	"net/http"

	"github.com/go-franceconnect/franceconnect/fcdata"
)

// Path is the route of the answer, relative to the API's base URL.
const Path = "v1/me"

// Answer is the body of GET /api/v1/me.
type Answer struct {
	Subject          string         `json:"sub"`
	ClientID         string         `json:"client_id"`
	Scopes           []string       `json:"scopes"`
	ACR              string         `json:"acr"`
	Identity         map[string]any `json:"identity,omitempty"`
	QuotientFamilial *int           `json:"quotient_familial"`
}

// Me answers the family quotient of the token's person, null when the
// register has no such person. It runs behind fcdata's middleware, which
// puts the token's Introspection in the request's context.
func Me(w http.ResponseWriter, r *http.Request) {
	res, ok := fcdata.FromContext(r.Context())
	if !ok {
		http.Error(w, "no verified token", http.StatusUnauthorized)
		return
	}
	a := Answer{Subject: res.Subject, ClientID: res.ClientID, Scopes: res.Scopes, ACR: string(res.ACR)}
	if id := res.Identity; id != nil {
		a.Identity = map[string]any{"given_name": id.GivenName, "family_name": id.FamilyName,
			"birthdate": id.Birthdate.String(), "gender": id.Gender, "birthplace": id.Birthplace,
			"birthcountry": id.Birthcountry}
		if q, ok := register[id.FamilyName+" "+id.Birthdate.String()]; ok {
			a.QuotientFamilial = &q
		}
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(a)
}

// register is a fictitious register of family quotients (euros a month),
// matched on birth name and birth date. A real data provider matches more
// strictly: FranceConnect's reference one requires exactly one record with
// the same accent-folded names, birth date and birthplace.
var register = map[string]int{
	"ARNAUD 1984-05-23":    812,
	"MOREAU 1979-09-30":    1240,
	"BENHADDOU 1971-02-17": 455,
	"PIETRI 1962-11-03":    1630,
}
