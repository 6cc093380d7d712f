package franceconnect

import (
	"fmt"
	"net/url"
	"slices"

	"github.com/go-franceconnect/franceconnect/internal/wire"
)

// ProviderError is an error answered by the platform, either on the callback
// (error=…) or as a JSON body from the token, userinfo or revocation endpoint
// (spec §4, §14.3). It matches ErrProvider with errors.Is, and
// ErrInteractionRequired when a silent sign-in needs the user.
type ProviderError struct {
	// Code is the OAuth error, e.g. "access_denied", "invalid_grant", "invalid_acr".
	Code string
	// Description is error_description, as sent.
	Description string
	// URI is error_uri, as sent.
	URI string
	// FCCode is the platform's Y… code from error_uri's code parameter, if any.
	FCCode string
	// HTTPStatus is the status of a JSON error answer; 0 on the callback.
	HTTPStatus int
	// Platform is the platform that answered; UserMessage names it.
	Platform Platform
}

// providerError makes the ProviderError of an answer of the client's
// platform, in a SettingError when the answer points to the configuration.
// The description and URI lose the values the request sent (sent, and the
// client secret), should the provider quote them.
func (c *Client) providerError(code, desc, uri string, status int, sent ...string) error {
	scrubbed := wire.OAuthError{Code: code, Description: desc, URI: uri}.Scrub(append(sent, string(c.secret))...)
	desc, uri = scrubbed.Description, scrubbed.URI
	e := &ProviderError{Code: code, Description: desc, URI: uri, HTTPStatus: status, Platform: c.platform}
	if u, err := url.Parse(uri); err == nil {
		e.FCCode = u.Query().Get("code")
	}
	return c.providerSetting(e)
}

// Error implements error.
func (e *ProviderError) Error() string {
	s := "franceconnect: provider error " + e.Code
	if e.Description != "" {
		s += ": " + e.Description
	}
	if e.FCCode != "" {
		s += " (" + e.FCCode + ")"
	}
	if e.HTTPStatus != 0 {
		s += fmt.Sprintf(" [HTTP %d]", e.HTTPStatus)
	}
	return s
}

// interactionCodes are the answers of a silent sign-in that needs the user
// (OpenID Connect Core §3.1.2.6).
var interactionCodes = []string{"login_required", "consent_required", "interaction_required", "account_selection_required"}

// proconnectCodes are the ProConnect codes an FS must react to
// (PROCONNECT.md §3.1, troubleshooting-fs), by the sentinel they match.
var proconnectCodes = map[error][]string{
	ErrPublicAgentsOnly:     {"Y500015"},
	ErrProviderSessionLost:  {"Y030110"},
	ErrServiceMisconfigured: {"Y000400", "Y000404", "Y030031", "Y030111", "Y04A586"},
}

// Is makes errors.Is(err, ErrProvider) true, errors.Is(err,
// ErrInteractionRequired) for the answers of a silent sign-in,
// ErrLevelUnreachable for Y020032, and for a ProConnect answer
// ErrPublicAgentsOnly, ErrProviderSessionLost and ErrServiceMisconfigured
// for their codes.
func (e *ProviderError) Is(target error) bool {
	switch target {
	case ErrProvider:
		return true
	case ErrInteractionRequired:
		return slices.Contains(interactionCodes, e.Code)
	case ErrLevelUnreachable:
		return e.LevelUnreachable()
	}
	codes, ok := proconnectCodes[target]
	return ok && e.Platform == ProConnect && slices.Contains(codes, e.FCCode)
}

// UserCancelled reports whether the user chose to go back to the service
// (access_denied, but for ProConnect's refusals Y020032 and Y500015).
func (e *ProviderError) UserCancelled() bool {
	return e.Code == "access_denied" && !e.LevelUnreachable() && !e.Is(ErrPublicAgentsOnly)
}

// LevelUnreachable reports ProConnect's Y020032: none of the accepted levels
// can be reached with the agent's account (an essential acr claim).
func (e *ProviderError) LevelUnreachable() bool { return e.FCCode == "Y020032" }

// Retryable reports whether trying again later may succeed
// (server_error, temporarily_unavailable).
func (e *ProviderError) Retryable() bool {
	return e.Code == "server_error" || e.Code == "temporarily_unavailable"
}

// UserMessage returns a short French text to show the user, following
// FranceConnect's guidance (spec §14.4), naming the platform. It never
// contains provider details.
func (e *ProviderError) UserMessage() string {
	name := e.Platform.String()
	switch {
	case e.LevelUnreachable():
		return "Votre compte " + name + " ne permet pas d'atteindre le niveau de sécurité que demande ce service (une double authentification, par exemple). Contactez votre administrateur ou connectez-vous avec un autre compte."
	case e.Is(ErrPublicAgentsOnly):
		return "Ce service est réservé aux agents publics : votre compte " + name + " est rattaché à une organisation privée. Connectez-vous avec le compte de votre administration, ou contactez le service si vous pensez devoir y accéder."
	case e.Is(ErrProviderSessionLost):
		return "Votre session " + name + " a expiré ou votre navigateur a bloqué ses cookies. Vérifiez que les cookies sont autorisés, puis recommencez la connexion depuis ce service."
	case e.Is(ErrServiceMisconfigured):
		return "La connexion avec " + name + " est impossible en raison d'un problème de configuration de ce service. Réessayez plus tard ou contactez le service."
	case slices.Contains(interactionCodes, e.Code):
		return "Veuillez vous connecter avec " + name + " pour continuer."
	case e.Code == "access_denied":
		return "La connexion avec " + name + " a été annulée ou refusée. Vous pouvez réessayer ou choisir un autre moyen de connexion."
	case e.Retryable():
		return name + " est momentanément indisponible. Veuillez réessayer plus tard."
	}
	return "Connexion impossible avec " + name + ". Veuillez choisir un autre moyen de connexion."
}
