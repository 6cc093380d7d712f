package franceconnect

import (
	"encoding/json"
	"reflect"
	"strings"
)

// decodeClaims decodes a JWT claims set into v, a pointer to a struct of
// json-tagged fields, matching member names exactly: claim names are case
// sensitive (RFC 7519 §4), while encoding/json alone would fill Audience
// from "Aud" or Issuer from "ISS". Other members are ignored; of repeated
// members the last one wins, as RFC 7519 §4 allows.
func decodeClaims(payload []byte, v any) error {
	var members map[string]json.RawMessage
	if err := json.Unmarshal(payload, &members); err != nil {
		return err
	}
	exact := make(map[string]json.RawMessage, len(members))
	for _, name := range claimNames(reflect.TypeOf(v).Elem()) {
		if raw, ok := members[name]; ok {
			exact[name] = raw
		}
	}
	b, err := json.Marshal(exact)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// claimNames returns the json names of the fields of struct type t,
// including those of embedded structs.
func claimNames(t reflect.Type) []string {
	var names []string
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			names = append(names, claimNames(f.Type)...)
			continue
		}
		if name, _, _ := strings.Cut(f.Tag.Get("json"), ","); name != "" && name != "-" {
			names = append(names, name)
		}
	}
	return names
}
