package fcdata

import (
	"fmt"
	"slices"
	"strings"

	"github.com/go-franceconnect/franceconnect"
)

// SettingError is an Introspect failure whose likely cause is the data
// provider's configuration rather than the platform or an attacker, as
// franceconnect.SettingError is for a service provider: an answer signed
// with an algorithm of the platform that SigningAlg does not name, a
// ProConnect answer in the other form (JSON or JWT) than SigningAlg says, a
// checktoken answer encrypted to a key DecryptionKeys does not hold, a
// client_id or secret the platform does not know. The answer is refused
// all the same. Its message names the Config fields and their FD_
// variables; use errors.As to read them. It wraps the error as classified,
// so that errors.Is sees every category.
type SettingError struct {
	// Fields are the Config fields to check, e.g. ["SigningAlg"].
	Fields []string
	// Variables are the environment variables that set them, e.g.
	// ["FD_SIGNING_ALG"].
	Variables []string
	// Hint says what to compare them with.
	Hint string

	err error
}

// Error returns the failure's message followed by the settings to check.
func (e *SettingError) Error() string {
	names := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		names[i] = f + " (" + e.Variables[i] + ")"
	}
	return e.err.Error() + "; check " + strings.Join(names, " and ") + ": " + e.Hint
}

// Unwrap returns the failure as classified.
func (e *SettingError) Unwrap() error { return e.err }

// checkSetting wraps err with the Config fields to check and why.
func checkSetting(err error, hint string, fields ...string) error {
	e := &SettingError{Fields: fields, Hint: hint, err: err}
	for _, f := range fields {
		e.Variables = append(e.Variables, envFields[f])
	}
	return e
}

// signingAlgs are the algorithms platform p signs answers with, one per
// registration: ES256 alone on FranceConnect+, HS256 (keyed by the client
// secret) on ProConnect only.
func signingAlgs(p franceconnect.Platform) []string {
	switch p {
	case franceconnect.FranceConnect:
		return []string{"ES256", "RS256"}
	case franceconnect.ProConnect:
		return []string{"ES256", "RS256", "HS256"}
	}
	return []string{"ES256"}
}

// signingMember is the registration member of the answer's algorithm.
func (s *settings) signingMember() string {
	if s.platform == franceconnect.ProConnect {
		return "introspection_signed_response_alg"
	}
	return "checktoken_signed_response_alg"
}

// signingSetting names SigningAlg when err refuses an answer signed with
// alg, another algorithm of the platform than the configured one: the
// platform signs with the registered algorithm, so that the configuration
// names the wrong one, or the platform does not sign as registered. Other
// algorithms (none, HS256 off ProConnect, RS256 on FranceConnect+) are
// refused as attacks, without advice.
func (s *settings) signingSetting(err error, alg string) error {
	if !slices.Contains(signingAlgs(s.platform), alg) || alg == s.sigAlg {
		return err
	}
	hint := fmt.Sprintf("the answer is signed %s, this data provider accepts %s only: a data provider registers one "+
		"signature algorithm (%s); if yours is %s, set %s=%s, otherwise the platform does not sign as registered",
		alg, s.sigAlg, s.signingMember(), alg, EnvSigningAlg, alg)
	return checkSetting(err, hint, "SigningAlg")
}

// formSetting names SigningAlg for a ProConnect answer of media type mt in
// the other form: ProConnect answers JSON to a resource server registered
// without a signing algorithm, a JWT to one registered with one (that asks
// for it).
func (s *settings) formSetting(err error, mt string) error {
	if s.platform != franceconnect.ProConnect || mt != "application/json" && mt != ctJWT {
		return err
	}
	return checkSetting(err, "empty when the data provider registered no introspection_signed_response_alg, "+
		"the registered algorithm otherwise", "SigningAlg")
}

// keysSetting names DecryptionKeys for a checktoken answer our keys do not
// open.
func keysSetting(err error) error {
	return checkSetting(err, "they must be the private keys whose public part is published at the registered jwks_uri",
		"DecryptionKeys")
}

// providerSetting names the credentials for the platform's invalid_client.
func providerSetting(err error, e *franceconnect.ProviderError) error {
	if e.Code != "invalid_client" && e.Code != "unauthorized_client" {
		return err
	}
	return checkSetting(err, "use the client_id and secret of the data provider on this platform and environment",
		"ClientID", "ClientSecret")
}
