package franceconnect

import (
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The claims of every token are read in one pass over the payload, without
// reflection: json.Valid checks the payload as encoding/json would, then
// readClaims walks its members and hands each value to the claims struct,
// whose strings are substrings of one copy of the payload. It gives up on
// anything unusual (a repeated member, a null or mistyped claim, more than
// maxFastMembers members), and the caller then decodes with decodeClaims,
// the reference, which also produces the error: both give the same result
// (FuzzClaimsReaders checks it).

// maxFastMembers bounds the members of a payload read by readClaims; its
// duplicate check is quadratic.
const maxFastMembers = 64

// claimMember is a member of a claims set: its name, unescaped, and where
// its value lies in the payload.
type claimMember struct {
	name       string
	start, end int
}

// claimSetter is a claims struct that readClaims fills member by member.
// setClaim decodes v into the field whose json name is name and reports
// false when v does not have the simple form readClaims handles. Unknown
// names are ignored.
type claimSetter interface {
	setClaim(name string, v claimValue) bool
}

// readClaims decodes payload into cl, appending its members to members.
// ok is false when the payload must be decoded by decodeClaims instead:
// cl is then partly filled and must be reset.
func readClaims(payload []byte, cl claimSetter, members []claimMember) (_ []claimMember, ok bool) {
	if !json.Valid(payload) {
		return members, false
	}
	s := string(payload)
	i := skipSpace(s, 0)
	if s[i] != '{' {
		return members, false
	}
	for i = skipSpace(s, i+1); s[i] != '}'; {
		end := stringEnd(s, i)
		name := unquote(s[i:end])
		if len(members) == maxFastMembers || hasMember(members, name) {
			return members, false
		}
		start := skipSpace(s, skipSpace(s, end)+1) // after the colon
		i = valueEnd(s, start)
		if !cl.setClaim(name, claimValue(s[start:i])) {
			return members, false
		}
		members = append(members, claimMember{name, start, i})
		if i = skipSpace(s, i); s[i] == ',' {
			i = skipSpace(s, i+1)
		}
	}
	return members, true
}

func hasMember(members []claimMember, name string) bool {
	for _, m := range members {
		if m.name == name {
			return true
		}
	}
	return false
}

// claimsMap returns the members of payload as Identity.Claims: the values
// share one copy of the payload, each capped so that appending to one
// cannot overwrite the next.
func claimsMap(payload []byte, members []claimMember) map[string]json.RawMessage {
	text := []byte(string(payload))
	m := make(map[string]json.RawMessage, len(members))
	for _, mem := range members {
		m[mem.name] = text[mem.start:mem.end:mem.end]
	}
	return m
}

// The scanning helpers below only see text that json.Valid accepted.

func skipSpace(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	return i
}

// stringEnd returns the index just past the string that starts at s[i].
func stringEnd(s string, i int) int {
	for i++; ; {
		q := strings.IndexByte(s[i:], '"')
		if q < 0 {
			return len(s)
		}
		b := strings.IndexByte(s[i:i+q], '\\')
		if b < 0 {
			return i + q + 1
		}
		i += b + 2 // past the escaped character
	}
}

// valueEnd returns the index just past the value that starts at s[i].
func valueEnd(s string, i int) int {
	switch s[i] {
	case '"':
		return stringEnd(s, i)
	case '{', '[':
		for depth := 0; i < len(s); i++ {
			switch s[i] {
			case '"':
				i = stringEnd(s, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
		}
		return i
	}
	for i < len(s) && s[i] != ',' && s[i] != '}' && s[i] != ']' && s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r' {
		i++
	}
	return i
}

// unquote returns the string a JSON string literal stands for: a substring
// of q when it holds neither escapes nor invalid UTF-8, else what
// encoding/json makes of it.
func unquote(q string) string {
	inner := q[1 : len(q)-1]
	if strings.IndexByte(inner, '\\') < 0 && utf8.ValidString(inner) {
		return inner
	}
	var s string
	_ = json.Unmarshal([]byte(q), &s) // q is a valid string literal
	return s
}

// claimValue is the JSON text of a claim's value.
type claimValue string

// str decodes a string; null leaves dst alone, as encoding/json does.
func (v claimValue) str(dst *string) bool {
	switch v[0] {
	case '"':
		*dst = unquote(string(v))
		return true
	case 'n':
		return true
	}
	return false
}

// strs decodes an array of strings; null leaves dst nil.
func (v claimValue) strs(dst *[]string) bool {
	if v[0] == 'n' {
		return true
	}
	n, ok := v.eachString(nil)
	if !ok {
		return false
	}
	out := make([]string, 0, n) // [] gives an empty slice, not nil, as with encoding/json
	v.eachString(func(s string) { out = append(out, s) })
	*dst = out
	return true
}

// eachString calls f (when not nil) on each element of an array of strings
// and returns their number; ok is false when v is not such an array.
func (v claimValue) eachString(f func(string)) (n int, ok bool) {
	s := string(v)
	if s[0] != '[' {
		return 0, false
	}
	for i := skipSpace(s, 1); s[i] != ']'; n++ {
		if s[i] != '"' {
			return 0, false
		}
		end := stringEnd(s, i)
		if f != nil {
			f(unquote(s[i:end]))
		}
		if i = skipSpace(s, end); s[i] == ',' {
			i = skipSpace(s, i+1)
		}
	}
	return n, true
}

// aud decodes a string or an array of strings.
func (v claimValue) aud(dst *audience) bool {
	if v[0] == '"' {
		*dst = audience{unquote(string(v))}
		return true
	}
	return v[0] == '[' && v.strs((*[]string)(dst))
}

// date decodes a number of seconds within numericDate's range.
func (v claimValue) date(dst *numericDate) bool {
	if v[0] != '-' && (v[0] < '0' || v[0] > '9') {
		return false
	}
	f, err := strconv.ParseFloat(string(v), 64)
	return err == nil && dst.set(f) == nil
}

// present records a member that is only checked for presence.
func (v claimValue) present(dst **json.RawMessage) bool {
	if v[0] == 'n' {
		return false
	}
	raw := json.RawMessage(v)
	*dst = &raw
	return true
}

func (cl *commonClaims) setClaim(name string, v claimValue) bool {
	switch name {
	case "iss":
		return v.str(&cl.Issuer)
	case "sub":
		return v.str(&cl.Subject)
	case "aud":
		return v.aud(&cl.Audience)
	case "exp":
		return v.date(&cl.Expiry)
	case "iat":
		return v.date(&cl.IssuedAt)
	}
	return true
}

func (cl *idClaims) setClaim(name string, v claimValue) bool {
	switch name {
	case "nonce":
		return v.str(&cl.Nonce)
	case "acr":
		return v.str(&cl.ACR)
	case "amr":
		return v.strs(&cl.AMR)
	case "auth_time":
		return v.date(&cl.AuthTime)
	}
	return cl.commonClaims.setClaim(name, v)
}

func (cl *userinfoClaims) setClaim(name string, v claimValue) bool {
	if s := cl.stringField(name); s != nil {
		return v.str(s)
	}
	switch name {
	case "given_name_array":
		return v.strs(&cl.GivenNameArray)
	case "rnipp_given_name_array":
		return v.strs(&cl.RNIPPGivenNames)
	case "nonce":
		return v.present(&cl.Nonce)
	}
	return cl.commonClaims.setClaim(name, v)
}

// stringField returns the string field named name, or nil.
func (cl *userinfoClaims) stringField(name string) *string {
	switch name {
	case "given_name":
		return &cl.GivenName
	case "family_name":
		return &cl.FamilyName
	case "preferred_username":
		return &cl.PreferredUsername
	case "birthdate":
		return &cl.Birthdate
	case "gender":
		return &cl.Gender
	case "birthplace":
		return &cl.Birthplace
	case "birthcountry":
		return &cl.Birthcountry
	case "email":
		return &cl.Email
	case "rnipp_given_name":
		return &cl.RNIPPGivenName
	case "rnipp_family_name":
		return &cl.RNIPPFamilyName
	case "rnipp_gender":
		return &cl.RNIPPGender
	case "rnipp_birthdate":
		return &cl.RNIPPBirthdate
	case "rnipp_birthplace":
		return &cl.RNIPPBirthplace
	case "rnipp_birthcountry":
		return &cl.RNIPPBirthcountry
	}
	return nil
}

// decodeIDClaims decodes an id_token payload.
func decodeIDClaims(payload []byte, cl *idClaims) error {
	var buf [16]claimMember
	if _, ok := readClaims(payload, cl, buf[:0]); ok {
		return nil
	}
	*cl = idClaims{}
	return decodeClaims(payload, cl)
}

// decodeUserInfoClaims decodes a userinfo payload and returns every claim
// as received, for Identity.Claims.
func decodeUserInfoClaims(payload []byte, cl *userinfoClaims) (map[string]json.RawMessage, error) {
	var buf [32]claimMember
	if members, ok := readClaims(payload, cl, buf[:0]); ok {
		return claimsMap(payload, members), nil
	}
	*cl = userinfoClaims{}
	if err := decodeClaims(payload, cl); err != nil {
		return nil, err
	}
	var all map[string]json.RawMessage
	return all, json.Unmarshal(payload, &all)
}
