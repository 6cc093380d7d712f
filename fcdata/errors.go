package fcdata

import (
	"errors"
	"fmt"
	"strings"
)

// Error categories of the package; test with errors.Is. An error of
// Introspect also wraps the sentinel of the franceconnect package that
// names the failed check (franceconnect.ErrSignature, ErrDecryption,
// ErrAlgorithm, ErrMalformedToken, ErrIssuerMismatch, ErrInvalidAudience,
// ErrIssuedInFuture, ErrMissingClaim, ErrUnknownKey, ErrUnencrypted,
// ErrContentType, ErrHTTP, or a *franceconnect.ProviderError for an error
// the platform answered). Messages never hold a token or a secret.
var (
	// ErrConfig reports an invalid Config; the message names every field
	// at fault and, from ConfigFromEnv, its variable.
	ErrConfig = errors.New("fcdata: invalid configuration")
	// ErrIntrospection is the category of every failure of Introspect that
	// is no verdict on the token: the platform unreachable, misbehaving, or
	// answering something that fails a check. The token's status is then
	// unknown: the middleware answers 503, never 401.
	ErrIntrospection = errors.New("fcdata: token introspection failed")
	// ErrDiscovery reports a platform whose discovery document or keys could
	// not be fetched or do not match the configuration (New).
	ErrDiscovery = errors.New("fcdata: platform discovery failed")
)

// errorf formats an error of the package: "fcdata: " once, the prefixes of
// wrapped errors (fcdata:, franceconnect:) dropped from the message.
func errorf(format string, args ...any) error {
	err := fmt.Errorf(format, args...)
	msg := strings.ReplaceAll(strings.ReplaceAll(err.Error(), "franceconnect: ", ""), "fcdata: ", "")
	return &prefixed{msg: "fcdata: " + msg, err: err}
}

type prefixed struct {
	msg string
	err error
}

func (e *prefixed) Error() string { return e.msg }
func (e *prefixed) Unwrap() error { return e.err }

// fail is an Introspect failure: ErrIntrospection, the check's sentinel,
// and a detail.
func fail(check error, detail string, args ...any) error {
	return errorf("%w: %w: "+detail, append([]any{ErrIntrospection, check}, args...)...)
}
