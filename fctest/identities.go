package fctest

// The tables of the demo people in doc.go and docs/identities.md.
//go:generate go test . -run ^TestIdentitiesDoc$ -update

import (
	"fmt"
	"regexp"
	"slices"
	"time"
)

// Person is a person known to the emulator's demonstration identity
// provider. Claims are given in the format FranceConnect sends them
// (spec §9.3): family names in upper case, birthplace as an INSEE COG code
// (empty when born abroad), birthcountry as a 99xxx INSEE country code. The
// JSON form, read by ParsePeople, names the fields after the claims.
type Person struct {
	// Login is the unique handle used by tests (Server.SignIn) and shown on the
	// identity-choice page. It must match [A-Za-z0-9_.@-]{1,64}.
	Login string `json:"login"`
	// GivenName holds the first names separated by spaces.
	GivenName string `json:"given_name"`
	// FamilyName is the birth name.
	FamilyName string `json:"family_name"`
	// PreferredUsername is the usage name; zero: none (the claim is omitted).
	PreferredUsername string `json:"preferred_username,omitempty"`
	// Gender is "male" or "female" ("unspecified" for some EU identities).
	Gender string `json:"gender"`
	// Birthdate is YYYY-MM-DD; presumed dates are YYYY-01-01 or YYYY-MM-01.
	Birthdate string `json:"birthdate"`
	// Birthplace is the INSEE COG commune code; zero: born abroad.
	Birthplace string `json:"birthplace"`
	// Birthcountry is the INSEE country code, 99100 for France.
	Birthcountry string `json:"birthcountry"`
	// Email is the address verified by the identity provider; zero: none (the
	// claim is omitted).
	Email string `json:"email,omitempty"`
	// ACR is the level at which the identity provider authenticates this
	// person: "eidas2" or "eidas3" on FranceConnect+ (zero: "eidas3"). On
	// FranceConnect the returned acr is always "eidas1" (spec §10) and this
	// field only matters for the requested-level check.
	ACR string `json:"acr,omitempty"`
	// AMR lists the authentication methods returned in the amr claim.
	// Zero: ["pwd", "fr"] on FranceConnect+ (method plus French origin,
	// spec §6) and ["pwd"] on FranceConnect.
	AMR []string `json:"amr,omitempty"`
	// Description is a short French text shown on the identity-choice page,
	// for example "Nom d'usage" or "Née à l'étranger".
	Description string `json:"description,omitempty"`
}

var loginPattern = regexp.MustCompile(`^[A-Za-z0-9_.@-]{1,64}$`)

// DemoPeople returns the emulator's default people: invented identities
// covering the edge cases a service provider meets in production (usage
// name, born abroad, Corsica, presumed birth dates, no email, accents and
// apostrophes, a minor, a compound family name, an eidas2-only account, an
// EU citizen authenticated through the eIDAS node). The slice is new on every
// call. The minor's birth year is computed from the current date so that the
// person stays twelve years old.
func DemoPeople() []Person {
	minorYear := time.Now().Year() - 12
	return []Person{
		{Login: "camille", GivenName: "Camille Hélène", FamilyName: "ARNAUD", Gender: "female",
			Birthdate: "1984-05-23", Birthplace: "75112", Birthcountry: "99100",
			Email: "camille.arnaud@exemple.fr", Description: "Identité de référence, née à Paris 12e"},
		{Login: "nom_usage", GivenName: "Sophie Anne", FamilyName: "MOREAU", PreferredUsername: "ROUSSEL",
			Gender: "female", Birthdate: "1979-09-30", Birthplace: "69383", Birthcountry: "99100",
			Email: "sophie.roussel@exemple.fr", Description: "Nom d'usage (ROUSSEL) différent du nom de naissance"},
		{Login: "ne_algerie", GivenName: "Karim Youssef", FamilyName: "BENHADDOU", Gender: "male",
			Birthdate: "1971-02-17", Birthplace: "", Birthcountry: "99352",
			Email: "karim.benhaddou@exemple.fr", Description: "Né à l'étranger (Algérie) : lieu de naissance vide"},
		{Login: "nee_japon_presumee", GivenName: "Aiko Marguerite", FamilyName: "NAKAMURA", Gender: "female",
			Birthdate: "1990-01-01", Birthplace: "", Birthcountry: "99217",
			Email: "aiko.nakamura@exemple.fr", Description: "Née au Japon, date présumée (jour et mois inconnus)"},
		{Login: "jour_presume", GivenName: "Gaston Émile", FamilyName: "PELLETIER", Gender: "male",
			Birthdate: "1956-07-01", Birthplace: "33063", Birthcountry: "99100",
			Email: "gaston.pelletier@exemple.fr", Description: "Jour de naissance inconnu (date présumée AAAA-MM-01)"},
		{Login: "corse_sud", GivenName: "Jean-Baptiste Ange", FamilyName: "PIETRI", Gender: "male",
			Birthdate: "1962-11-03", Birthplace: "2A004", Birthcountry: "99100",
			Email: "jb.pietri@exemple.fr", Description: "Né en Corse-du-Sud (Ajaccio, code 2A004)"},
		{Login: "haute_corse", GivenName: "Maria Ghjulia", FamilyName: "ALBERTINI", Gender: "female",
			Birthdate: "1995-08-14", Birthplace: "2B033", Birthcountry: "99100",
			Email: "maria.albertini@exemple.fr", Description: "Née en Haute-Corse (Bastia, code 2B033)"},
		{Login: "sans_email", GivenName: "Lucien", FamilyName: "ROBIN", Gender: "male",
			Birthdate: "1948-04-20", Birthplace: "44109", Birthcountry: "99100",
			Description: "Aucune adresse électronique transmise"},
		{Login: "accents", GivenName: "Éloïse Maëlle", FamilyName: "D'HÉRICOURT", PreferredUsername: "CŒURDEROY",
			Gender: "female", Birthdate: "1988-12-09", Birthplace: "21231", Birthcountry: "99100",
			Email: "eloise.dhericourt@exemple.fr", Description: "Accents, apostrophe et ligature Œ"},
		{Login: "mineur", GivenName: "Léo Martin", FamilyName: "FONTAINE", Gender: "male",
			Birthdate: fmt.Sprintf("%d-06-15", minorYear), Birthplace: "35238", Birthcountry: "99100",
			Email: "leo.fontaine@exemple.fr", Description: "Mineur (12 ans)"},
		{Login: "nom_compose", GivenName: "Anne-Sophie Juliette", FamilyName: "LEBRUN-DESCHAMPS", Gender: "female",
			Birthdate: "1981-03-08", Birthplace: "59350", Birthcountry: "99100",
			Email: "as.lebrun-deschamps@exemple.fr", Description: "Nom de famille composé"},
		{Login: "substantiel", GivenName: "Thomas Henri", FamilyName: "PERRIN", Gender: "male",
			Birthdate: "1993-12-24", Birthplace: "31555", Birthcountry: "99100",
			Email: "thomas.perrin@exemple.fr", ACR: "eidas2", AMR: []string{"pwd", "fr"},
			Description: "Compte de niveau substantiel uniquement (eidas2)"},
		{Login: "citoyenne_ue", GivenName: "Greta Johanna", FamilyName: "WEBER", Gender: "female",
			Birthdate: "1986-10-02", Birthplace: "Hamburg", Birthcountry: "99109",
			Email: "greta.weber@beispiel.de", AMR: []string{"pwd", "mfa", "eidas"},
			Description: "Ressortissante européenne via le nœud eIDAS (lieu de naissance libre)"},
	}
}

// identityACR returns the level the identity provider authenticates id at.
func identityACR(id Person) string {
	if id.ACR == "" {
		return acrEidas3
	}
	return id.ACR
}

// identityAMR returns the amr values for id on platform p.
func identityAMR(id Person, p Platform) []string {
	if len(id.AMR) > 0 {
		return slices.Clone(id.AMR)
	}
	if p == FranceConnect {
		return []string{"pwd"}
	}
	return []string{"pwd", "fr"}
}

// validateIdentities checks logins and levels and returns a copy of ids.
func validateIdentities(ids []Person) ([]Person, error) {
	out := make([]Person, 0, len(ids))
	seen := make(map[string]bool, len(ids))
	for i, id := range ids {
		label := fmt.Sprintf("identity %q", id.Login)
		switch {
		case !loginPattern.MatchString(id.Login):
			return nil, &entryError{entry: fmt.Sprintf("identity #%d", i+1), field: "login",
				msg: fmt.Sprintf("%q must match %s", id.Login, loginPattern)}
		case seen[id.Login]:
			return nil, &entryError{entry: label, field: "login", msg: "appears twice"}
		case id.ACR != "" && acrRank(id.ACR) == 0:
			return nil, &entryError{entry: label, field: "acr", msg: fmt.Sprintf("unknown level %q (eidas1, eidas2 or eidas3)", id.ACR)}
		}
		seen[id.Login] = true
		id.AMR = slices.Clone(id.AMR)
		out = append(out, id)
	}
	return out, nil
}
