package main

import (
	"net/http"

	"github.com/go-franceconnect/franceconnect"
	"github.com/go-franceconnect/franceconnect/fchttp"
)

// page is the data of every template.
type page struct {
	Title, Nonce string
	Subtitle     string   // under the site's name: the platforms
	Banner       string   // the emulator's notice, "" against real providers
	Who          []string // the names signed in, for the header
	Lobby        bool     // the two-door home page
	Doors        []doorView
	Area         *doorView // the area page's door
	Elsewhere    string    // the area page: the other door where the user is signed in
	Flash        string
	Name, Brand  string // the identity pages
	Identity     *identityView
	Agent        *agentView
	Data         *dataView // the data provider's answer, on the identity page
	Logout       logout    // the identity pages' logout form
	Back         string    // the identity pages' link back
	BackLabel    string    // its text, one per destination
	Error        *fchttp.Problem
	Sensitive    *sensitiveView     // the page that needs more than its door's level
	StepUp       *fchttp.StepUpPage // a form posted below its level
}

// doorView is a door as the pages show it.
type doorView struct {
	door              *door
	Key, Brand, Title string
	Plus, ProConnect  bool
	Lobby             bool   // shown on the two-door home page
	Area              string // the door's area, on the two-door site
	SignedIn          bool
	User              *fchttp.User
	Account           account
	Birthdate         string // the account's, in French
	Button            fchttp.Button
	FormID            string
	Levels            []levelChoice
	Logout            logout
	Required          string         // the level the door's area requires
	Sensitive         *sensitiveView // the door's page that needs more
}

// logout is a door's logout form.
type logout struct{ Action, ID string }

func logoutForm(d *door) logout {
	if d.key == "" {
		return logout{Action: d.path("/logout"), ID: "logout"}
	}
	return logout{Action: d.path("/logout"), ID: "logout-" + d.key}
}

// page returns the data of a page for r's sessions at every door; it
// answers 503 itself when a session cannot be read.
func (a *app) page(w http.ResponseWriter, r *http.Request, title string) (page, bool) {
	p := a.pageFor(title)
	for _, d := range a.doors {
		u, err := d.fc.User(w, r)
		if err != nil {
			a.log.Error("cannot read the session", "door", d.key, "err", err)
			http.Error(w, "Service momentanément indisponible", http.StatusServiceUnavailable)
			return page{}, false
		}
		v := a.doorView(d, u)
		if v.SignedIn {
			p.Who = append(p.Who, v.Account.Name)
		}
		p.Doors = append(p.Doors, v)
	}
	return p, true
}

func (a *app) pageFor(title string) page {
	p := page{Title: title, Lobby: len(a.doors) > 1, Subtitle: "Exemple de fournisseur de service " + a.doors[0].client.Platform().String()}
	if p.Lobby {
		p.Subtitle = "Exemple de fournisseur de service FranceConnect+ et ProConnect"
	}
	switch {
	case a.emulated() && p.Lobby:
		p.Banner = "Démonstration : la connexion passe par les émulateurs FranceConnect+ et ProConnect locaux, avec des identités et des agents fictifs."
	case a.emulated() && a.doors[0].agents():
		p.Banner = "Démonstration : la connexion passe par l'émulateur ProConnect local, avec des agents fictifs."
	case a.emulated():
		p.Banner = "Démonstration : la connexion passe par l'émulateur " + a.doors[0].client.Platform().String() +
			" local, avec des identités fictives."
	}
	return p
}

// doorView shows door d to the user u signed in there, nil when nobody is.
func (a *app) doorView(d *door, u *fchttp.User) doorView {
	platform := d.client.Platform()
	v := doorView{door: d, Key: d.key, Brand: platform.String(), Plus: platform == franceconnect.FranceConnectPlus,
		ProConnect: platform == franceconnect.ProConnect, Lobby: len(a.doors) > 1, Logout: logoutForm(d),
		Title: "Espace citoyen", Button: d.fc.Button(), FormID: "fc-login"}
	if v.ProConnect {
		v.Title = "Espace agent"
	}
	if d.key != "" {
		v.Area, v.FormID = d.area(), d.key+"-login"
		v.Button.Next = d.area()
	}
	v.Button.ID = v.FormID // the level radios name this form
	v.Required, v.Sensitive = levelsLabel(v.ProConnect, d.levels), d.sensitiveView()
	if !v.ProConnect {
		v.Required = levelsLabel(false, []franceconnect.ACR{d.client.ACR()})
	}
	switch {
	case v.ProConnect:
		v.Levels = levelChoices(d.levels)
	case v.Plus:
		v.Levels = plusLevels(d.client.ACR())
	}
	for i := range v.Levels {
		if d.key != "" {
			v.Levels[i].ID = d.key + "-" + v.Levels[i].ID
		}
	}
	if u != nil && u.Decode(&v.Account) == nil {
		v.SignedIn, v.User = true, u
		if b := v.Account.Birthdate; b != nil {
			v.Birthdate = frenchDate(*b)
		}
	}
	return v
}
