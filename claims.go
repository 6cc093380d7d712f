package franceconnect

import (
	"encoding/json"
	"fmt"

	"github.com/go-franceconnect/franceconnect/internal/jose"
)

// maxClaims bounds the members of a claims set, and of each object in it.
const maxClaims = 256

// claimField names a claim and where to decode it.
type claimField struct {
	name string
	dst  any
}

// readClaims decodes a verified payload: a JSON object without repeated
// member names (jose.Object, the rule that also applies to headers), whose
// members are decoded with encoding/json into the fields listed, matched
// by exact name. Claim names are case sensitive (RFC 7519 §4): "Aud" or
// "ISS" are not aud or iss, whereas encoding/json alone would match them.
// Other members are left alone; all of them are returned. Errors wrap
// ErrMalformedToken.
func readClaims(payload []byte, fields []claimField) (map[string]json.RawMessage, error) {
	members, err := jose.Object(payload, maxClaims)
	if err != nil {
		return nil, err
	}
	for _, f := range fields {
		raw, ok := members[f.name]
		if !ok {
			continue
		}
		if err := json.Unmarshal(raw, f.dst); err != nil {
			return nil, fmt.Errorf("%w: claim %s: %v", ErrMalformedToken, f.name, err)
		}
	}
	return members, nil
}
