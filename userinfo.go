package franceconnect

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-franceconnect/franceconnect/internal/wire"
)

// Identity is a verified userinfo (spec §7, §9). Absent claims are zero.
type Identity struct {
	// Subject is sub, equal to the id_token's.
	Subject string
	// GivenName holds the first names separated by spaces.
	GivenName string
	// GivenNameArray holds the first names one by one (FranceConnect v2).
	GivenNameArray []string
	// FamilyName is the birth name.
	FamilyName string
	// PreferredUsername is the usage name; often empty.
	PreferredUsername string
	// Birthdate is the date of birth, possibly presumed (see Birthdate).
	Birthdate Birthdate
	// Gender is "male" or "female" ("unspecified" for some EU identities).
	Gender string
	// Birthplace is the INSEE COG code of the commune of birth (Corsica:
	// 2A…/2B…); empty when born abroad; free text for EU identities.
	Birthplace string
	// Birthcountry is the INSEE country code, "99100" for France.
	Birthcountry string
	// Email is the address verified by the identity provider.
	Email string
	// RNIPP holds the rnipp_* claims (FranceConnect+), for reconciliation.
	RNIPP RNIPPIdentity
	// Claims holds every claim as received, including data-provider claims.
	Claims map[string]json.RawMessage
}

// RNIPPIdentity holds the identity from the national register (RNIPP)
// returned by FranceConnect+ for the rnipp_* scopes.
type RNIPPIdentity struct {
	GivenName      string
	GivenNameArray []string
	FamilyName     string
	Gender         string
	Birthdate      Birthdate
	Birthplace     string
	Birthcountry   string
}

// BornInFrance reports whether the birth country is France (99100).
func (i *Identity) BornInFrance() bool { return i.Birthcountry == "99100" }

// userinfoClaims are the claims decoded from the userinfo payload.
type userinfoClaims struct {
	commonClaims
	GivenName         string   `json:"given_name"`
	GivenNameArray    []string `json:"given_name_array"`
	FamilyName        string   `json:"family_name"`
	PreferredUsername string   `json:"preferred_username"`
	Birthdate         string   `json:"birthdate"`
	Gender            string   `json:"gender"`
	Birthplace        string   `json:"birthplace"`
	Birthcountry      string   `json:"birthcountry"`
	Email             string   `json:"email"`
	RNIPPGivenName    string   `json:"rnipp_given_name"`
	RNIPPGivenNames   []string `json:"rnipp_given_name_array"`
	RNIPPFamilyName   string   `json:"rnipp_family_name"`
	RNIPPGender       string   `json:"rnipp_gender"`
	RNIPPBirthdate    string   `json:"rnipp_birthdate"`
	RNIPPBirthplace   string   `json:"rnipp_birthplace"`
	RNIPPBirthcountry string   `json:"rnipp_birthcountry"`
}

// UserInfo fetches the identity with the access token, right after the
// exchange (the token lives 60 s), and verifies it like the id_token: the
// answer must be application/jwt, decrypted and verified by the same path,
// with iss, aud, exp and a sub equal to the id_token's. Failures wrap
// ErrInvalidUserInfo; error answers are a *ProviderError.
func (c *Client) UserInfo(ctx context.Context, t *Tokens) (*Identity, error) {
	if t == nil || t.IDToken == nil || t.AccessToken == "" {
		return nil, wrap(ErrInvalidRequest, "UserInfo needs the Tokens of a verified exchange")
	}
	disc := c.discovery.get(ctx)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, disc.UserinfoEndpoint, nil)
	if err != nil {
		return nil, wrap(ErrInvalidUserInfo, "%w: %v", ErrHTTP, err)
	}
	req.Header.Set("Authorization", "Bearer "+string(t.AccessToken))
	req.Header.Set("Accept", "application/jwt")
	resp, body, err := c.do(req, ErrInvalidUserInfo)
	if err != nil {
		return nil, err
	}
	mt := wire.MediaType(resp)
	if resp.StatusCode != http.StatusOK {
		if e, ok := wire.ParseOAuthError(body); ok && wire.IsJSON(mt) {
			return nil, newProviderError(e.Code, e.Description, e.URI, resp.StatusCode)
		}
		return nil, statusError(resp.StatusCode, ErrInvalidUserInfo, "%w: status %d", ErrHTTP, resp.StatusCode)
	}
	if mt != "application/jwt" {
		return nil, wrap(ErrInvalidUserInfo, "%w: %q, want application/jwt", ErrContentType, mt)
	}
	// A trailing newline after the compact token is harmless; anything else
	// is left to the policy, which accepts base64url characters and dots only.
	raw := strings.TrimRight(string(body), " \t\r\n")
	return c.verifyUserInfo(ctx, raw, t.IDToken.Subject)
}

// verifyUserInfo decodes and checks a userinfo JWT against the id_token sub.
func (c *Client) verifyUserInfo(ctx context.Context, raw, sub string) (*Identity, error) {
	payload, _, err := c.decode(ctx, raw, ErrInvalidUserInfo)
	if err != nil {
		return nil, err
	}
	var cl userinfoClaims
	all, err := readClaims(payload, &cl)
	if err != nil {
		return nil, joinCategory(ErrInvalidUserInfo, err)
	}
	if err := cl.check(c, ErrInvalidUserInfo, true); err != nil {
		return nil, err
	}
	if _, ok := all["nonce"]; ok {
		// Only the id_token carries the nonce (spec §7): the same issuer,
		// audience and sub would otherwise let an id_token pass as the
		// userinfo (cross-JWT confusion, RFC 8725 §2.8).
		return nil, tokenError(ErrInvalidUserInfo, ErrMalformedToken, "a userinfo has no nonce: this is an id_token")
	}
	if !equal(cl.Subject, sub) {
		return nil, tokenError(ErrInvalidUserInfo, ErrSubjectMismatch, "the userinfo is about someone else")
	}
	id := &Identity{
		Subject: cl.Subject, GivenName: cl.GivenName, GivenNameArray: cl.GivenNameArray,
		FamilyName: cl.FamilyName, PreferredUsername: cl.PreferredUsername, Gender: cl.Gender,
		Birthplace: cl.Birthplace, Birthcountry: cl.Birthcountry, Email: cl.Email,
		RNIPP: RNIPPIdentity{
			GivenName: cl.RNIPPGivenName, GivenNameArray: cl.RNIPPGivenNames, FamilyName: cl.RNIPPFamilyName,
			Gender: cl.RNIPPGender, Birthplace: cl.RNIPPBirthplace, Birthcountry: cl.RNIPPBirthcountry,
		},
	}
	for _, d := range []struct {
		raw string
		out *Birthdate
	}{{cl.Birthdate, &id.Birthdate}, {cl.RNIPPBirthdate, &id.RNIPP.Birthdate}} {
		if d.raw == "" {
			continue
		}
		if *d.out, err = ParseBirthdate(d.raw); err != nil {
			return nil, tokenError(ErrInvalidUserInfo, ErrMissingClaim, "%v", err)
		}
	}
	id.Claims = all
	return id, nil
}

// Birthdate is a date of birth as FranceConnect sends it: YYYY-MM-DD. When
// the civil registry does not know the day (or the month and day),
// FranceConnect sends the 1st (or 1 January): YYYY-MM-01, YYYY-01-01. Raw
// identity-provider forms with 00 (YYYY-MM-00, YYYY-00-00) are accepted
// too, and give Month or Day 0.
type Birthdate struct {
	Year, Month, Day int
}

// errBirthdate does not quote the value, which is personal data.
var errBirthdate = errors.New("birthdate is not YYYY-MM-DD")

// ParseBirthdate parses YYYY-MM-DD, allowing 00 for an unknown month or day.
func ParseBirthdate(s string) (Birthdate, error) {
	bad := errBirthdate
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return Birthdate{}, bad
	}
	y, err1 := strconv.Atoi(s[:4])
	m, err2 := strconv.Atoi(s[5:7])
	d, err3 := strconv.Atoi(s[8:])
	if err1 != nil || err2 != nil || err3 != nil || y < 1000 || s[0] == '+' || s[5] == '+' || s[8] == '+' {
		return Birthdate{}, bad
	}
	b := Birthdate{y, m, d}
	if m == 0 && d != 0 || m > 12 || d > 31 || m < 0 || d < 0 {
		return Birthdate{}, bad
	}
	if m != 0 && d != 0 && time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC).Day() != d {
		return Birthdate{}, bad
	}
	return b, nil
}

// Presumption says how much of a birthdate may be presumed.
type Presumption int

const (
	// NotPresumed: a full date that is not the 1st of a month.
	NotPresumed Presumption = iota
	// DayMaybePresumed: YYYY-MM-01, the day may be unknown.
	DayMaybePresumed
	// MonthMaybePresumed: YYYY-01-01, the month and day may be unknown.
	MonthMaybePresumed
	// DayUnknown: YYYY-MM-00, the day is unknown.
	DayUnknown
	// MonthUnknown: YYYY-00-00, the month and day are unknown.
	MonthUnknown
)

// Presumption reports whether the date may be, or is, presumed. A real
// birth on the 1st cannot be told apart from a presumed day: FranceConnect
// sends the same value; treat "maybe" as a hint, not a fact.
func (b Birthdate) Presumption() Presumption {
	switch {
	case b.Month == 0:
		return MonthUnknown
	case b.Day == 0:
		return DayUnknown
	case b.Month == 1 && b.Day == 1:
		return MonthMaybePresumed
	case b.Day == 1:
		return DayMaybePresumed
	}
	return NotPresumed
}

// IsZero reports whether the birthdate is absent.
func (b Birthdate) IsZero() bool { return b == Birthdate{} }

// String formats the date as YYYY-MM-DD (00 for unknown parts).
func (b Birthdate) String() string {
	if b.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", b.Year, b.Month, b.Day)
}

// Time returns the date at midnight UTC, unknown parts taken as 1.
func (b Birthdate) Time() time.Time {
	return time.Date(b.Year, time.Month(max(b.Month, 1)), max(b.Day, 1), 0, 0, 0, 0, time.UTC)
}

// AgeAt returns the age in whole years at t (unknown parts taken as 1).
func (b Birthdate) AgeAt(t time.Time) int {
	born := b.Time()
	age := t.Year() - born.Year()
	if t.Month() < born.Month() || t.Month() == born.Month() && t.Day() < born.Day() {
		age--
	}
	return age
}
