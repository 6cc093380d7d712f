package franceconnect

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"strconv"
	"time"
	"unicode/utf8"

	gojson "github.com/go-jose/go-jose/v4/json"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/go-franceconnect/franceconnect/internal/jose"
)

// maxClaims bounds the members of a userinfo.
const maxClaims = 256

// readClaims decodes a verified payload into claims, a pointer to a struct
// of json-tagged fields, with go-jose's JSON package: it matches claim names
// exactly as RFC 7519 §4 requires ("Aud" or "ISS" are not aud or iss,
// whereas encoding/json would match them) and refuses a repeated member,
// the rule that also applies to headers. Members that no field names are
// skipped unread. Errors wrap ErrMalformedToken.
func readClaims(payload []byte, claims any) error {
	if !utf8.Valid(payload) {
		return errorf("%w: claims are not UTF-8", ErrMalformedToken)
	}
	if err := gojson.Unmarshal(payload, claims); err != nil {
		return errorf("%w: claims: %v", ErrMalformedToken, err)
	}
	return nil
}

// readAllClaims is readClaims that also returns every member, for
// Identity.Claims. readClaims has refused repeated members, so that the
// members map, which encoding/json decodes by exact name, is faithful; the
// objects inside members are checked too (jose.Unrepeated).
func readAllClaims(payload []byte, claims any) (map[string]json.RawMessage, error) {
	if err := readClaims(payload, claims); err != nil {
		return nil, err
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(payload, &members); err != nil || len(members) > maxClaims {
		return nil, errorf("%w: claims: not an object of at most %d members", ErrMalformedToken, maxClaims)
	}
	for _, value := range members {
		if err := jose.Unrepeated(value); err != nil {
			return nil, err
		}
	}
	return members, nil
}

// date is a NumericDate claim (RFC 7519 §2); ok tells whether it was present.
type date struct {
	t  time.Time
	ok bool
}

// maxDate bounds the dates of tokens: 2^40 seconds after 1970, in the year
// 36812. Nothing FranceConnect signs comes near it, and every number below
// it that JSON can write is read as the same second by every decoder,
// float64 holding each whole second exactly (an integer such as 2^53 + 1
// does not survive the decoding). A date beyond it is a broken or forged
// token: an exp that never comes, an iat compared wrongly after overflow.
const maxDate = 1 << 40

var errDate = errors.New("exp, iat and auth_time must be numbers of seconds from 0 to 2^40 (1970 to the year 36812)")

// UnmarshalJSON accepts a number of seconds since the epoch within
// [0, maxDate); null, strings and numbers outside are refused.
func (d *date) UnmarshalJSON(b []byte) error {
	f, err := strconv.ParseFloat(string(b), 64) // the decoder passes a JSON value: no hexadecimal, Inf or NaN
	if err != nil || !(f >= 0 && f < maxDate) {
		return errDate
	}
	d.t, d.ok = time.Unix(int64(f), 0), true
	return nil
}

// commonClaims are checked on both the id_token and the userinfo.
type commonClaims struct {
	Issuer   string       `json:"iss"`
	Subject  string       `json:"sub"`
	Audience jwt.Audience `json:"aud"`
	Expiry   date         `json:"exp"`
	IssuedAt date         `json:"iat"`
}

// check verifies iss, aud, exp, iat and sub, in that order. exp and iat
// are mandatory when required is true, and checked when present otherwise.
func (cl *commonClaims) check(c *Client, category error, required bool) error {
	now := c.now()
	switch {
	case cl.Issuer != c.issuer:
		return tokenError(category, ErrIssuerMismatch, "iss %q, want %q", cl.Issuer, c.issuer)
	case len(cl.Audience) != 1 || cl.Audience[0] != c.clientID:
		// FranceConnect sends one audience, our client_id; an extra audience
		// means the token was also issued to someone else.
		return tokenError(category, ErrInvalidAudience, "aud %q is not exactly our client_id", []string(cl.Audience))
	case required && !cl.Expiry.ok:
		return tokenError(category, ErrMissingClaim, "exp is missing")
	case cl.Expiry.ok && !now.Before(cl.Expiry.t.Add(c.leeway)):
		return tokenError(category, ErrExpired, "expired at %s", cl.Expiry.t.UTC().Format(time.RFC3339))
	case required && !cl.IssuedAt.ok:
		return tokenError(category, ErrMissingClaim, "iat is missing")
	case cl.IssuedAt.ok && cl.IssuedAt.t.After(now.Add(c.leeway)):
		return tokenError(category, ErrIssuedInFuture, "iat %s is in the future", cl.IssuedAt.t.UTC().Format(time.RFC3339))
	case cl.Subject == "":
		return tokenError(category, ErrMissingClaim, "sub is missing")
	}
	return nil
}

// equal compares two secrets (state, nonce, sub) in constant time.
func equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }
