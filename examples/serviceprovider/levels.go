package main

import (
	"errors"
	"math/big"
	"net/http"
	"strings"

	"github.com/go-franceconnect/franceconnect"
	"github.com/go-franceconnect/franceconnect/fchttp"
)

// A door's sensitive page needs more than the door's own level: on the
// citizen door (FranceConnect+, eidas2) the bank details need eidas3, on
// the agent door (ProConnect, any level) the administration needs two
// factors. fchttp's guard wraps each (Handler.RequireLevel): a person
// signed in below it confirms their identity at that level and comes back
// to the page; a form posted below it gets a page with the button.

// sensitive is a door's page that needs more than the door's level.
type sensitive struct {
	path, title string
	levels      []franceconnect.ACR // what the page needs, within the door's levels
	guard       func(http.Handler) http.Handler
}

// openSensitive gives d its sensitive page when its platform has a level
// above the door's: not on FranceConnect (eidas1 only), nor at a
// ProConnect door that accepts no level with two factors.
func (a *app) openSensitive(d *door) {
	s := &sensitive{path: d.path("/banque"), title: "Coordonnées bancaires", levels: []franceconnect.ACR{franceconnect.EIDAS3}}
	if d.agents() {
		s = &sensitive{path: d.path("/administration"), title: "Administration du service",
			levels: withinLevels(franceconnect.ProConnectWithMFA(), d.levels)}
	}
	guard, err := d.fc.RequireLevel(s.levels...)
	if err == nil && len(s.levels) == 0 {
		err = errors.New("the door accepts no level with two factors")
	}
	if err != nil {
		a.log.Info("no page above the door's level", "door", d.key, "reason", err)
		return
	}
	s.guard, d.sensitive = guard, s
}

// routeSensitive mounts the sensitive pages: the bank details' form and
// its POST, the administration page; each behind the guard, and the POST
// behind the standard library's cross-origin check as well.
func (a *app) routeSensitive(mux *http.ServeMux) {
	for _, d := range a.doors {
		s := d.sensitive
		switch {
		case s == nil:
		case d.agents():
			mux.Handle("GET "+s.path, s.guard(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { a.adminPage(w, r, d) })))
		default:
			mux.Handle("GET "+s.path, s.guard(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { a.bankPage(w, r, d, nil) })))
			mux.Handle("POST "+s.path, http.NewCrossOriginProtection().Handler(s.guard(http.HandlerFunc(
				func(w http.ResponseWriter, r *http.Request) { a.bankChange(w, r, d) }))))
		}
	}
}

// sensitiveView is the sensitive page as the templates show it: its link,
// the level it requires, the form's state.
type sensitiveView struct {
	Path, Title, Required string
	Error, IBAN, Saved    string // the bank details' form
}

func (d *door) sensitiveView() *sensitiveView {
	if d.sensitive == nil {
		return nil
	}
	return &sensitiveView{Path: d.sensitive.path, Title: d.sensitive.title, Required: levelsLabel(d.agents(), d.sensitive.levels)}
}

// sensitivePage is the page data of d's sensitive page, nil when the
// session cannot be read (the answer is written).
func (a *app) sensitivePage(w http.ResponseWriter, r *http.Request, d *door) *page {
	p, ok := a.page(w, r, d.sensitive.title)
	if !ok {
		return nil
	}
	for i := range p.Doors {
		if p.Doors[i].door == d {
			p.Area = &p.Doors[i]
		}
	}
	p.Sensitive = d.sensitiveView()
	return &p
}

// bankPage shows the bank details' form, with what a POST found wrong
// (status 400) or saved.
func (a *app) bankPage(w http.ResponseWriter, r *http.Request, d *door, form *sensitiveView) {
	p := a.sensitivePage(w, r, d)
	if p == nil {
		return
	}
	status := http.StatusOK
	if form != nil {
		p.Sensitive.Error, p.Sensitive.IBAN, p.Sensitive.Saved = form.Error, form.IBAN, form.Saved
		if form.Error != "" {
			status = http.StatusBadRequest
		}
	}
	a.render(w, status, "bank", *p)
}

// bankChange takes the new bank details: a valid IBAN is acknowledged,
// masked (a real service would store it in its database); anything else
// shows the form again with what is wrong.
func (a *app) bankChange(w http.ResponseWriter, r *http.Request, d *door) {
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "Formulaire illisible", http.StatusBadRequest)
		return
	}
	form := &sensitiveView{IBAN: r.PostForm.Get("iban")}
	iban, problem := parseIBAN(form.IBAN)
	if problem != "" {
		form.Error = problem
	} else {
		form.IBAN, form.Saved = "", iban[:4]+" •••• "+iban[len(iban)-4:]
		a.log.Info("bank details changed", "door", d.key)
	}
	a.bankPage(w, r, d, form)
}

// adminPage is the agent door's administration: who is signed in, at
// which level, and since when.
func (a *app) adminPage(w http.ResponseWriter, r *http.Request, d *door) {
	if p := a.sensitivePage(w, r, d); p != nil {
		a.render(w, http.StatusOK, "admin", *p)
	}
}

// onStepUpPage shows fchttp's page of a form posted below the level its
// action needs, in the site's layout.
func (a *app) onStepUpPage(w http.ResponseWriter, r *http.Request, su *fchttp.StepUpPage) {
	p, ok := a.page(w, r, su.Title)
	if !ok {
		return
	}
	p.StepUp = su
	a.render(w, su.Status, "stepup", p)
}

// parseIBAN checks an IBAN (ISO 13616): letters and digits, spaces
// allowed, a country code, check digits that pass modulo 97. It returns
// the IBAN without spaces, in capitals, or else the French message the
// form shows.
func parseIBAN(s string) (iban, problem string) {
	iban = strings.ToUpper(strings.Join(strings.Fields(s), ""))
	if len(iban) < 15 || len(iban) > 34 || strings.Trim(iban, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != "" ||
		strings.Trim(iban[:2], "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" || strings.Trim(iban[2:4], "0123456789") != "" {
		return "", "Saisissez un IBAN de 15 à 34 caractères, commençant par le code du pays, par exemple FR76 3000 6000 0112 3456 7890 189."
	}
	var digits strings.Builder
	for _, c := range iban[4:] + iban[:4] {
		if c >= 'A' {
			digits.WriteString(big.NewInt(int64(c - 'A' + 10)).String())
		} else {
			digits.WriteRune(c)
		}
	}
	n, _ := new(big.Int).SetString(digits.String(), 10)
	if new(big.Int).Mod(n, big.NewInt(97)).Int64() != 1 {
		return "", "Cet IBAN n'est pas valide : vérifiez chacun de ses caractères."
	}
	return iban, ""
}

// levelsLabel names levels for a person, in French: "élevé (eidas3)", or
// on ProConnect "double authentification (eidas1-mfa, eidas2)" when each
// level has two factors, the list of levels otherwise, "tout niveau" for
// none.
func levelsLabel(agents bool, levels []franceconnect.ACR) string {
	switch {
	case len(levels) == 0 || agents && sameLevels(levels, franceconnect.ProConnectAnyLevel()):
		return "tout niveau"
	case !agents:
		return levelLabel(levels[0]) + " (" + string(levels[0]) + ")"
	}
	for _, l := range levels {
		if !franceconnect.TwoFactors(l, nil) {
			return listLevels(levels)
		}
	}
	return "double authentification (" + listLevels(levels) + ")"
}
