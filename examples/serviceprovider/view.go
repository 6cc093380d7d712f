package main

import (
	"errors"
	"fmt"
	"net/http"
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

// errorView is what the error page shows: the error's categories, never its
// message.
type errorView struct {
	Status     int
	Heading    string // the page's title
	Headline   string // what happened, for the user
	Categories []category
	Provider   *franceconnect.ProviderError
	UserMsg    string
}

// category is an error category of the franceconnect package and its
// explanation.
type category struct {
	err        error
	Name, Text string
}

// categories lists the sentinels shown on the error page, most specific first.
var categories = []category{
	{franceconnect.ErrStateMismatch, "ErrStateMismatch", "l'état de la requête ne correspond pas à celui de votre session"},
	{franceconnect.ErrIssuerMismatch, "ErrIssuerMismatch", "la réponse ne vient pas du fournisseur attendu"},
	{franceconnect.ErrInvalidCallback, "ErrInvalidCallback", "la réponse du fournisseur est incomplète"},
	{franceconnect.ErrInvalidRequest, "ErrInvalidRequest", "la requête préparée par le service est invalide"},
	{franceconnect.ErrSubjectMismatch, "ErrSubjectMismatch", "le userinfo ne décrit pas la personne de l'id_token"},
	{franceconnect.ErrNonceMismatch, "ErrNonceMismatch", "le nonce du jeton ne correspond pas à celui de votre session"},
	{franceconnect.ErrACRTooLow, "ErrACRTooLow", "niveau eIDAS inférieur au niveau demandé"},
	{franceconnect.ErrUnknownACR, "ErrUnknownACR", "niveau eIDAS absent ou inconnu"},
	{franceconnect.ErrInvalidAudience, "ErrInvalidAudience", "le jeton est destiné à un autre service"},
	{franceconnect.ErrExpired, "ErrExpired", "le jeton a expiré"},
	{franceconnect.ErrIssuedInFuture, "ErrIssuedInFuture", "le jeton est daté du futur"},
	{franceconnect.ErrMissingClaim, "ErrMissingClaim", "une donnée obligatoire manque"},
	{franceconnect.ErrUnencrypted, "ErrUnencrypted", "le jeton n'est pas chiffré"},
	{franceconnect.ErrDecryption, "ErrDecryption", "le jeton ne peut pas être déchiffré"},
	{franceconnect.ErrSignature, "ErrSignature", "la signature du jeton est invalide"},
	{franceconnect.ErrAlgorithm, "ErrAlgorithm", "algorithme cryptographique refusé"},
	{franceconnect.ErrUnknownKey, "ErrUnknownKey", "clé inconnue"},
	{franceconnect.ErrKeyMismatch, "ErrKeyMismatch", "clé inadaptée à l'algorithme"},
	{franceconnect.ErrMalformedToken, "ErrMalformedToken", "jeton mal formé"},
	{franceconnect.ErrInvalidIDToken, "ErrInvalidIDToken", "l'id_token a été refusé"},
	{franceconnect.ErrInvalidUserInfo, "ErrInvalidUserInfo", "le userinfo a été refusé"},
	{franceconnect.ErrExchange, "ErrExchange", "l'échange du code d'autorisation a échoué"},
	{franceconnect.ErrRevocation, "ErrRevocation", "la révocation du jeton a échoué"},
	{franceconnect.ErrProviderKeys, "ErrProviderKeys", "les clés du fournisseur sont indisponibles"},
	{franceconnect.ErrDiscovery, "ErrDiscovery", "le document de découverte est indisponible"},
	{franceconnect.ErrContentType, "ErrContentType", "type de contenu inattendu"},
	{franceconnect.ErrResponseTooLarge, "ErrResponseTooLarge", "réponse trop volumineuse"},
	{franceconnect.ErrHTTP, "ErrHTTP", "la requête HTTP vers le fournisseur a échoué"},
	{franceconnect.ErrConfig, "ErrConfig", "configuration invalide"},
}

// newErrorView classifies err with errors.Is and errors.As only. Problems
// with the request or the user's answer are 4xx; anything the provider got
// wrong or that could not be verified is 502 Bad Gateway.
func newErrorView(err error, brand string) *errorView {
	v := &errorView{Status: http.StatusBadGateway,
		Headline: brand + " n'a pas pu confirmer votre identité. Réessayez plus tard ou utilisez un autre moyen de connexion."}
	for _, c := range categories {
		if errors.Is(err, c.err) {
			v.Categories = append(v.Categories, c)
		}
	}
	var pe *franceconnect.ProviderError
	switch {
	case errors.As(err, &pe):
		v.Provider, v.UserMsg = pe, pe.UserMessage()
		v.Headline = brand + " a interrompu la connexion."
		if pe.HTTPStatus == 0 && !pe.Retryable() {
			v.Status = http.StatusBadRequest
		}
	case errors.Is(err, franceconnect.ErrStateMismatch), errors.Is(err, franceconnect.ErrIssuerMismatch),
		errors.Is(err, franceconnect.ErrInvalidCallback), errors.Is(err, franceconnect.ErrInvalidRequest):
		v.Status = http.StatusBadRequest
		v.Headline = "Cette demande de connexion n'est pas valide ou a déjà été utilisée. Recommencez depuis l'accueil."
	}
	return v
}

// names lists the category names, for the logs.
func (v *errorView) names() []string {
	var names []string
	for _, c := range v.Categories {
		names = append(names, c.Name)
	}
	return names
}
