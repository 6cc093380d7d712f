package fctest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// FranceConnect error codes observed on the platform (spec §14). Failures the
// spec does not document get a code from emulatorCode instead.
const (
	codeInvalidParam           = "Y030007" // authorize/logout/revocation parameter validation
	codeUnknownClient          = "Y04EA6EF"
	codeBadRedirectURI         = "Y04C013C"
	codeACRTooLow              = "Y100001"
	codeAMRNotAllowed          = "Y100009"
	codeNoSession              = "Y100019"
	codeSessionExpired         = "Y190001"
	codeBadNavigation          = "Y420001"
	codeLogoutURIUnknown       = "Y04CFAEF"
	codeBadSecret              = "Y0434A7B"
	codeMissingCode            = "Y048017B"
	codeCodeNotFound           = "Y049E20B"
	codeCodeConsumed           = "Y0416228"
	codeCodeExpired            = "Y043F0A8"
	codeRedirectMismatch       = "Y04F8199"
	codeTokenNotFound          = "Y040001"
	codeNoToken                = "Y04146A2"
	errorURIBase               = "https://docs.partenaires.franceconnect.gouv.fr/fs/fs-technique/fs-technique-erreurs/"
	pageErrorCodeMeta          = "fctest-error-code"
	pageErrorMeta              = "fctest-error"
	pageErrorDescMeta          = "fctest-error-description"
	maxFormBytes         int64 = 64 << 10
)

// emulatorCode derives a Y code for failures whose real code the spec does
// not record. It mimics the shape of oidc-provider codes (Y04 + 5 hex digits
// from a hash) but will not match the platform.
func emulatorCode(detail string) string {
	sum := sha256.Sum256([]byte(detail))
	return "Y04" + strings.ToUpper(hex.EncodeToString(sum[:3]))[:5]
}

// PageError is returned by Browser.SignIn, Browser.Logout and Browser.Cancel
// when the emulator answers with an HTML error page instead of redirecting to
// the service provider, as FranceConnect does for malformed requests
// (spec §14.2).
type PageError struct {
	// Status is the HTTP status of the page.
	Status int
	// Code is the FranceConnect error code shown on the page, e.g. "Y030007".
	Code string
	// OAuthError is the OAuth error value behind the page, e.g. "invalid_request".
	OAuthError string
	// Description is the technical description shown on the page.
	Description string
	// URL is the address of the page.
	URL string
}

// Error implements error.
func (e *PageError) Error() string {
	return fmt.Sprintf("fctest: error page %s (HTTP %d, %s): %s", e.Code, e.Status, e.OAuthError, e.Description)
}

// jsonError writes a token/userinfo/revocation error shaped like FC's
// rendered JSON exception filter (spec §14.3).
func jsonError(w http.ResponseWriter, status int, oauthErr, description, detail, code string) {
	desc := description
	if detail != "" {
		desc += " (" + detail + ")"
	}
	if code == "" {
		code = emulatorCode(oauthErr + detail)
	}
	noteError(w, oauthErr, code, desc)
	body := map[string]string{
		"error":             oauthErr,
		"error_description": desc,
		"error_uri":         errorURI(code),
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

// errorURI builds the documentation link carried by JSON errors.
func errorURI(code string) string {
	q := url.Values{"code": {code}, "id": {newUUID()}}
	return errorURIBase + "?" + q.Encode()
}

// pageErr describes an HTML error page.
type pageErr struct {
	status      int
	code        string
	oauthErr    string
	description string
}

func errPage(status int, code, oauthErr, description string) *pageErr {
	if code == "" {
		code = emulatorCode(oauthErr + description)
	}
	return &pageErr{status: status, code: code, oauthErr: oauthErr, description: description}
}

// invalidParam is the Y030007 page for a parameter that fails validation.
func invalidParam(format string, args ...any) *pageErr {
	return errPage(http.StatusBadRequest, codeInvalidParam, "invalid_request", fmt.Sprintf(format, args...))
}
