package franceconnect

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect/internal/jsonscan"
)

// claimsPayloads are payloads on which decodeIDClaims and
// decodeUserInfoClaims must agree with decodeClaims; fast tells whether they
// should read them in one pass, without decodeClaims.
var claimsPayloads = []struct {
	name    string
	payload string
	fast    bool
}{
	{"id_token", mustJSON(idClaimsAt(fixNow)), true},
	{"userinfo", mustJSON(userinfoClaimsAt(fixNow)), true},
	{"spaces", " {\n\t\"iss\" : \"a\" ,\r\n \"aud\":[ \"b\" , \"c\" ] , \"amr\" : [ ] , \"x\" : { \"y\" : [ 1 , { } ] } }\n", true},
	{"escaped values", `{"iss":"a\"b\\c\u00e9\ud83d\ude00","sub":"\u003c\/x\u003e","amr":["\n","\u0000"]}`, true},
	{"escaped names", `{"\u0069ss":"a","n\u006fnce":"b","\u0041ud":"c"}`, true},
	{"invalid UTF-8", "{\"iss\":\"a\xffb\",\"sub\":\"\xed\xa0\x80\",\"\xff\":1}", true},
	{"lone surrogate", `{"iss":"\ud800","sub":"\udc00x"}`, true},
	{"numbers", `{"exp":1.7684712e9,"iat":0,"auth_time":1768471195.999,"x":-0.5e-3}`, true},
	{"case variants", `{"ISS":"a","Aud":"b","Nonce":"c","sub":"d","Exp":"not a date"}`, true},
	{"nulls", `{"iss":null,"amr":null,"given_name_array":null,"email":null}`, true},
	{"empty", `{}`, true},
	{"unicode", `{"given_name":"Éloïse Maëlle","family_name":"D'HÉRICOURT","preferred_username":"CŒURDEROY"}`, true},
	{"repeated", `{"acr":"x","acr":"eidas2","sub":"s"}`, false},
	{"repeated unknown", `{"x":1,"x":2}`, false},
	{"repeated, first mistyped", `{"exp":"x","exp":1768471260}`, false},
	{"null date", `{"exp":null}`, false},
	{"null aud", `{"aud":null}`, false},
	{"null nonce", `{"nonce":null}`, false},
	{"mistyped", `{"sub":1}`, false},
	{"mistyped array", `{"amr":["a",1]}`, false},
	{"mistyped aud", `{"aud":{"a":1}}`, false},
	{"date out of range", `{"iat":-1}`, false},
	{"huge date", `{"iat":1e400}`, false},
	{"string date", `{"iat":"1768471200"}`, false},
	{"boolean date", `{"iat":true}`, false},
	{"top-level null", `null`, false},
	{"top-level array", `[{"iss":"a"}]`, false},
	{"top-level string", `"iss"`, false},
	{"invalid JSON", `{"iss":"a",}`, false},
	{"truncated", `{"iss":"a"`, false},
	{"trailing data", `{"iss":"a"} {}`, false},
	{"deep", `{"x":` + strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + `}`, false},
	{"nested as deep as handled", `{"x":` + strings.Repeat(`[{"y":`, jsonscan.MaxDepth/2) + "1" + strings.Repeat("}]", jsonscan.MaxDepth/2) + `,"iss":"a"}`, true},
	{"nested deeper", `{"x":` + strings.Repeat("[", jsonscan.MaxDepth+1) + strings.Repeat("]", jsonscan.MaxDepth+1) + `}`, false},
	{"many members", manyMembers(maxFastMembers + 1), false},
	{"as many members as handled", manyMembers(maxFastMembers), true},
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func manyMembers(n int) string {
	parts := []string{`"iss":"a"`}
	for i := 1; i < n; i++ {
		parts = append(parts, fmt.Sprintf(`"c%d":%d`, i, i))
	}
	return "{" + strings.Join(parts, ",") + "}"
}

// compareClaimsReaders checks that the id_token and userinfo decoders give
// what decodeClaims (and json.Unmarshal for Identity.Claims) gives.
func compareClaimsReaders(t *testing.T, payload []byte) {
	var got, want idClaims
	err := decodeIDClaims(payload, &got)
	wantErr := decodeClaims(payload, &want)
	require.Equal(t, fmt.Sprint(wantErr), fmt.Sprint(err), "id_token error")
	if wantErr == nil {
		require.Equal(t, want, got, "id_token claims")
	}

	var gotUI, wantUI userinfoClaims
	all, err := decodeUserInfoClaims(payload, &gotUI)
	wantErr = decodeClaims(payload, &wantUI)
	require.Equal(t, fmt.Sprint(wantErr), fmt.Sprint(err), "userinfo error")
	if wantErr != nil {
		return
	}
	var wantAll map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(payload, &wantAll))
	require.Equal(t, wantAll, all, "Identity.Claims")
	require.Equal(t, wantUI.Nonce != nil, gotUI.Nonce != nil, "nonce presence")
	gotUI.Nonce, wantUI.Nonce = nil, nil
	require.Equal(t, wantUI, gotUI, "userinfo claims")
}

// claimSetter is a claims struct that the one-pass reader fills.
type claimSetter interface {
	setClaim(name string, v claimValue) bool
}

// readInOnePass reports whether payload is read without decodeClaims.
func readInOnePass(payload []byte, cl claimSetter) bool {
	text, members, ok := splitClaims(payload, nil)
	for i := 0; ok && i < len(members); i++ {
		ok = cl.setClaim(members[i].name, members[i].value(text))
	}
	return ok
}

func TestClaimsReadersAgree(t *testing.T) {
	for _, tt := range claimsPayloads {
		t.Run(tt.name, func(t *testing.T) {
			compareClaimsReaders(t, []byte(tt.payload))
			var id idClaims
			var ui userinfoClaims
			okID, okUI := readInOnePass([]byte(tt.payload), &id), readInOnePass([]byte(tt.payload), &ui)
			assert.Equal(t, tt.fast, okID && okUI, "read in one pass")
		})
	}
}

// TestReadClaimsKnowsEveryField gives every json-tagged field of the claims
// structs a value, so that a field added to a struct without its case in
// setClaim fails here.
func TestReadClaimsKnowsEveryField(t *testing.T) {
	for _, v := range []claimSetter{&idClaims{}, &userinfoClaims{}} {
		members := map[string]any{}
		for _, name := range claimNames(reflect.TypeOf(v).Elem()) {
			switch name {
			case "exp", "iat", "auth_time":
				members[name] = fixNow.Unix()
			case "amr", "given_name_array", "rnipp_given_name_array":
				members[name] = []string{name + "-1", name + "-2"}
			default:
				members[name] = "value of " + name
			}
		}
		payload := []byte(mustJSON(members))
		require.True(t, readInOnePass(payload, v), "%T read in one pass", v)
		compareClaimsReaders(t, payload)
	}
}

func FuzzClaimsReaders(f *testing.F) {
	for _, tt := range claimsPayloads {
		if len(tt.payload) < 1000 {
			f.Add([]byte(tt.payload))
		}
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		compareClaimsReaders(t, payload)
	})
}

func TestSplitClaimsRefusesInvalidJSON(t *testing.T) {
	for _, payload := range []string{
		``, ` `, `{`, `}`, `{"a"}`, `{"a":}`, `{"a" 1}`, `{a:1}`, `{'a':1}`, `{"a":1,}`, `{,"a":1}`, `{"a":1 "b":2}`,
		`{"a":01}`, `{"a":1.}`, `{"a":.5}`, `{"a":-}`, `{"a":1e}`, `{"a":1e+}`, `{"a":+1}`, `{"a":0x1}`, `{"a":NaN}`,
		`{"a":tru}`, `{"a":nul}`, `{"a":True}`, `{"a":"\x"}`, `{"a":"\u12"}`, `{"a":"\u12G4"}`, "{\"a\":\"\x01\"}",
		`{"a":"b}`, `{"a":[1,]}`, `{"a":[,1]}`, `{"a":[1 2]}`, `{"a":{"b"}}`, `{"a":{"b":1,}}`, `{"a":1}x`,
		"{\"a\":1}\x00", "\v{}", `{"a":1}}`, `{"a":[}`, `{"a":{]}`,
	} {
		var members []claimMember
		_, _, ok := splitClaims([]byte(payload), members)
		assert.False(t, ok, "%q", payload)
		assert.False(t, json.Valid([]byte(payload)), "%q is valid JSON: the test is wrong", payload)
	}
}
