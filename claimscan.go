package franceconnect

import (
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-franceconnect/franceconnect/internal/jsonscan"
)

// The claims of every token are read in one pass over the payload, without
// reflection: splitClaims checks the JSON and cuts it into members, then
// setClaim decodes each value into the claims struct, whose strings are
// substrings of one copy of the payload. Anything unusual (a repeated
// member, a mistyped claim, a null date, aud or nonce, more than
// maxFastMembers members) is left to decodeClaims, the reference, which
// also produces the error: both give the same result (FuzzClaimsReaders
// checks it).

// maxFastMembers bounds the members of a payload read by splitClaims; its
// duplicate check is quadratic.
const maxFastMembers = 64

// decodeIDClaims decodes an id_token payload.
func decodeIDClaims(payload []byte, cl *idClaims) error {
	var buf [16]claimMember
	text, members, ok := splitClaims(payload, buf[:0])
	for i := 0; ok && i < len(members); i++ {
		ok = cl.setClaim(members[i].name, members[i].value(text))
	}
	if ok {
		return nil
	}
	ref := new(idClaims) // a fresh struct, so that cl does not escape
	err := decodeClaims(payload, ref)
	*cl = *ref
	return err
}

// decodeUserInfoClaims decodes a userinfo payload and returns every claim
// as received, for Identity.Claims, which may share payload's memory.
func decodeUserInfoClaims(payload []byte, cl *userinfoClaims) (map[string]json.RawMessage, error) {
	var buf [32]claimMember
	text, members, ok := splitClaims(payload, buf[:0])
	for i := 0; ok && i < len(members); i++ {
		ok = cl.setClaim(members[i].name, members[i].value(text))
	}
	if ok {
		return claimsMap(payload, members), nil
	}
	ref := new(userinfoClaims) // a fresh struct, so that cl does not escape
	err := decodeClaims(payload, ref)
	if *cl = *ref; err != nil {
		return nil, err
	}
	var all map[string]json.RawMessage
	return all, json.Unmarshal(payload, &all)
}

// claimsMap returns the members of payload as Identity.Claims. The values
// are slices of payload, each capped so that appending to one cannot
// overwrite the next: payload must be a buffer nothing else uses, as the
// payload of a JWS that is then dropped.
func claimsMap(payload []byte, members []claimMember) map[string]json.RawMessage {
	m := make(map[string]json.RawMessage, len(members))
	for _, mem := range members {
		m[mem.name] = payload[mem.start:mem.end:mem.end]
	}
	return m
}

// claimMember is a member of a claims set: its name, unescaped, and where
// its value lies in the payload.
type claimMember struct {
	name       string
	start, end int
}

// value returns the JSON text of the member's value.
func (m claimMember) value(text string) claimValue { return claimValue(text[m.start:m.end]) }

// splitClaims checks payload against the JSON grammar and cuts it into
// members in a single pass, with a lax jsonscan.Scanner: what it accepts,
// encoding/json accepts too, strings with invalid UTF-8 included. It
// returns payload as a string and its members, appended to members. ok is
// false when payload is not a valid JSON object, or when it is one with a
// repeated member name, more than maxFastMembers members or values nested
// more than jsonscan.MaxDepth deep (the top-level object is not counted):
// decodeClaims must then decode it.
func splitClaims(payload []byte, members []claimMember) (text string, _ []claimMember, ok bool) {
	sc := jsonscan.NewLax(payload)
	if !sc.Consume('{') {
		return "", members, false
	}
	text = string(payload)
	for !sc.Consume('}') {
		if len(members) > 0 && !sc.Consume(',') || sc.Peek() != '"' {
			return "", members, false
		}
		start := sc.Pos()
		if sc.Skip() != nil {
			return "", members, false
		}
		name := unquote(text[start:sc.Pos()])
		if len(members) == maxFastMembers || hasMember(members, name) || !sc.Consume(':') {
			return "", members, false
		}
		sc.Peek() // skips the whitespace before the value
		start = sc.Pos()
		if sc.Skip() != nil {
			return "", members, false
		}
		members = append(members, claimMember{name, start, sc.Pos()})
	}
	return text, members, sc.End() == nil
}

func hasMember(members []claimMember, name string) bool {
	for _, m := range members {
		if m.name == name {
			return true
		}
	}
	return false
}

// The helpers below only see text that splitClaims accepted.

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

// unquote returns the string a JSON string literal stands for: a substring
// of q when it holds neither escapes nor other bytes than printable ASCII,
// else what encoding/json makes of it.
func unquote(q string) string {
	inner := q[1 : len(q)-1]
	for i := 0; i < len(inner); i++ {
		if c := inner[i]; c == '\\' || c >= utf8.RuneSelf {
			return unquoteSlow(q, inner)
		}
	}
	return inner
}

func unquoteSlow(q, inner string) string {
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
