package main

import (
	"fmt"
	"strings"

	"github.com/go-franceconnect/franceconnect"
)

// identityView is the verified identity as shown on the identity page.
type identityView struct {
	GivenName, FamilyName, UsageName string
	Birthdate, BirthdateNote         string
	Gender, Birthplace, Birthcountry string
	BornAbroad                       bool
	Email, Subject                   string
	ACR, ACRLevel, AMR               string
}

func newIdentityView(l *franceconnect.Login) *identityView {
	id := l.Identity
	v := &identityView{
		GivenName: id.GivenName, FamilyName: id.FamilyName, UsageName: id.PreferredUsername,
		Birthdate: frenchDate(id.Birthdate), BirthdateNote: presumptionNote(id.Birthdate),
		Gender: genderLabel(id.Gender), Birthplace: id.Birthplace, Birthcountry: id.Birthcountry,
		BornAbroad: id.Birthplace == "" && !id.BornInFrance(),
		Email:      id.Email, Subject: l.IDToken.Subject,
		ACR: string(l.IDToken.ACR), ACRLevel: levelLabel(l.IDToken.ACR),
		AMR: strings.Join(l.IDToken.AMR, ", "),
	}
	if id.BornInFrance() {
		v.Birthcountry += " (France)"
	}
	return v
}

// displayName is the short name kept in the session: first given name and
// usage name, or birth name.
func displayName(id *franceconnect.Identity) string {
	first, _, _ := strings.Cut(id.GivenName, " ")
	last := id.PreferredUsername
	if last == "" {
		last = id.FamilyName
	}
	return strings.TrimSpace(first + " " + last)
}

var months = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
	"septembre", "octobre", "novembre", "décembre"}

// frenchDate formats a birthdate as "23 mai 1984", leaving out unknown parts.
func frenchDate(b franceconnect.Birthdate) string {
	switch {
	case b.IsZero():
		return ""
	case b.Month < 1 || b.Month > 12:
		return fmt.Sprint(b.Year)
	case b.Day == 0:
		return fmt.Sprintf("%s %d", months[b.Month-1], b.Year)
	case b.Day == 1:
		return fmt.Sprintf("1er %s %d", months[b.Month-1], b.Year)
	}
	return fmt.Sprintf("%d %s %d", b.Day, months[b.Month-1], b.Year)
}

func presumptionNote(b franceconnect.Birthdate) string {
	if b.IsZero() {
		return ""
	}
	switch b.Presumption() {
	case franceconnect.DayMaybePresumed:
		return "Le jour peut être présumé : l'état civil transmet le 1er du mois quand le jour est inconnu."
	case franceconnect.MonthMaybePresumed:
		return "Le jour et le mois peuvent être présumés : l'état civil transmet le 1er janvier quand ils sont inconnus."
	case franceconnect.DayUnknown:
		return "Le jour de naissance est inconnu."
	case franceconnect.MonthUnknown:
		return "Le jour et le mois de naissance sont inconnus."
	}
	return ""
}

func genderLabel(g string) string {
	switch g {
	case "female":
		return "Féminin"
	case "male":
		return "Masculin"
	}
	return "Non précisé"
}

func levelLabel(acr franceconnect.ACR) string {
	return [...]string{"inconnu", "faible", "substantiel", "élevé"}[acr.Level()]
}
