package fctest

import (
	"fmt"
	"net/mail"
	"regexp"
	"slices"
	"time"
)

var (
	inseeCountry = regexp.MustCompile(`^99[0-9]{3}$`)
	inseeCommune = regexp.MustCompile(`^([0-9]{5}|2[AB][0-9]{3})$`)
)

// ParsePeople reads identities from a JSON array of objects of the shape
// of Identity (members named after the claims: login, given_name,
// family_name, preferred_username, gender, birthdate, birthplace,
// birthcountry, email, acr, amr, description), for Options.People. It
// is stricter than NewServer: unknown members are refused, given_name,
// family_name, gender, birthdate and birthcountry are required and checked
// (gender male, female or unspecified; birthdate a real YYYY-MM-DD date;
// birthcountry a 99xxx INSEE code; birthplace an INSEE commune code when
// born in France, 99100), email must be an address. Errors name the
// identity and the member at fault.
func ParsePeople(data []byte) ([]Person, error) {
	entries, err := decodeArray(data, "identities")
	if err != nil {
		return nil, err
	}
	out := make([]Person, 0, len(entries))
	for i, raw := range entries {
		label := entryLabel("identity", i, raw, "login")
		var id Person
		if member, err := decodeStrict(raw, &id); err != nil {
			return nil, &entryError{entry: label, field: member, msg: err.Error()}
		}
		if field, msg := checkIdentity(id); field != "" {
			return nil, &entryError{entry: label, field: field, msg: msg}
		}
		out = append(out, id)
	}
	return validateIdentities(out)
}

// checkIdentity returns the first field of id that breaks ParsePeople'
// rules and what is wrong with it, or "".
func checkIdentity(id Person) (field, msg string) {
	_, dateErr := time.Parse(time.DateOnly, id.Birthdate)
	_, mailErr := mail.ParseAddress(id.Email)
	switch {
	case !loginPattern.MatchString(id.Login):
		return "login", "must match " + loginPattern.String()
	case id.GivenName == "":
		return "given_name", "is required (first names separated by spaces)"
	case id.FamilyName == "":
		return "family_name", "is required (the birth name)"
	case !slices.Contains([]string{"male", "female", "unspecified"}, id.Gender):
		return "gender", fmt.Sprintf("%q is not male, female or unspecified", id.Gender)
	case dateErr != nil:
		return "birthdate", fmt.Sprintf("%q is not a date YYYY-MM-DD", id.Birthdate)
	case !inseeCountry.MatchString(id.Birthcountry):
		return "birthcountry", fmt.Sprintf("%q is not an INSEE country code 99xxx (99100: France)", id.Birthcountry)
	case id.Birthcountry == "99100" && !inseeCommune.MatchString(id.Birthplace):
		return "birthplace", fmt.Sprintf("%q is not an INSEE commune code, required when born in France", id.Birthplace)
	case id.Email != "" && mailErr != nil:
		return "email", fmt.Sprintf("%q is not an e-mail address", id.Email)
	case slices.Contains(id.AMR, ""):
		return "amr", "holds an empty method"
	}
	return "", ""
}
