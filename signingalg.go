package franceconnect

import (
	"fmt"
	"slices"
	"strings"

	"github.com/go-franceconnect/franceconnect/internal/jose"
)

// signingAlgs are the algorithms p's provider signs with, one per
// registration: RS256 is refused on FranceConnect+ (spec §21), HS256
// (keyed by the client secret) is ProConnect's alone, "not recommended".
func (p Platform) signingAlgs() []string {
	switch p {
	case FranceConnect:
		return []string{jose.ES256, jose.RS256}
	case ProConnect:
		return []string{jose.ES256, jose.RS256, jose.HS256}
	}
	return []string{jose.ES256}
}

// defaultSigningAlg is the algorithm a registration gets on p unless it
// chooses another: ES256, the recommended one, on the FranceConnect
// platforms (the only one on FranceConnect+); RS256 on ProConnect, which
// gives it to new services (PROCONNECT.md, "Default alg for new apps").
// An FS registers one algorithm: accepting a second lets a token signed
// with it through, which qualification refuses.
func (p Platform) defaultSigningAlg() string {
	if p == ProConnect {
		return jose.RS256
	}
	return jose.ES256
}

// signingSetting names SigningAlgs when err refuses a token signed with
// alg, another algorithm of the platform than the configured one: the
// provider signs with the registered algorithm, so that the configuration
// names the wrong one, or the provider does not sign as registered. Other
// algorithms (none, HS256 off ProConnect, RS256 on FranceConnect+, …) are
// refused as attacks, without advice. The token stays refused either way.
func (c *Client) signingSetting(err error, alg string) error {
	if !slices.Contains(c.platform.signingAlgs(), alg) || slices.Contains(c.sigAlgs, alg) {
		return err
	}
	hint := fmt.Sprintf("the token is signed %s, this client accepts %s only: an FS registers one signature algorithm "+
		"(id_token_signed_response_alg); if yours is %s, set %s=%s, otherwise the provider does not sign as registered",
		alg, strings.Join(c.sigAlgs, " and "), alg, c.variable("SigningAlgs"), alg)
	return c.checkSetting(err, hint, "SigningAlgs")
}
