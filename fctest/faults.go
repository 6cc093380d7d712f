package fctest

import "fmt"

// Fault is a deviation from the protocol the emulator can be told to commit,
// to check that a service provider rejects it. Catalogue describes each one
// (platforms, step, what a correct relying party does); Inject aims faults
// at a client, a person or several flows. Faults are queued by Inject or
// InjectFault; each one applies once, at the next flow that reaches the
// point where it applies: the callback (when an identity is picked on the
// interaction page, or a silent login answers prompt=none), the token
// response (from a code or a refresh token), the refresh response, the
// userinfo response, the discovery document, the redirect back from
// logout, or a data provider's checktoken or introspection answer. Faults for
// different points do not interfere; faults for the same point apply in
// queue order, one per flow.
type Fault int

const (
	// FaultNone does nothing; InjectFault ignores it.
	FaultNone Fault = iota

	// Callback faults (applied when an identity is picked).

	// FaultAccessDenied redirects with error=access_denied, "User auth aborted".
	FaultAccessDenied
	// FaultServerError redirects with error=server_error.
	FaultServerError
	// FaultTemporarilyUnavailable redirects with error=temporarily_unavailable.
	FaultTemporarilyUnavailable
	// FaultCallbackWrongState returns a code with a state different from the
	// one sent to authorize (CSRF).
	FaultCallbackWrongState
	// FaultCallbackWrongIssuer returns a code with an iss parameter naming
	// another issuer (RFC 9207 mix-up).
	FaultCallbackWrongIssuer
	// FaultCallbackMissingState returns a code without the state parameter.
	FaultCallbackMissingState

	// Token faults (applied to the next successful token response; the
	// id_token ones change the id_token only).

	// FaultACRLower puts an acr one level below the requested one in the
	// id_token: eidas2 for eidas3, eidas1 for eidas2, "" for eidas1. On
	// ProConnect it puts eidas0, the lowest level.
	FaultACRLower
	// FaultACRHigher puts an acr one level above the requested one (eidas3
	// for eidas2); it has no effect on an eidas3 request. On ProConnect it
	// puts eidas3.
	FaultACRHigher
	// FaultUnknownACR puts an acr that is not an eIDAS level of
	// FranceConnect (the eIDAS LoA URI of "substantial").
	FaultUnknownACR
	// FaultMissingACR omits the acr claim.
	FaultMissingACR
	// FaultUnknownSigningKey signs the id_token with a key absent from the
	// JWKS (unknown kid); with HS256, with another secret.
	FaultUnknownSigningKey
	// FaultBadSignature corrupts the id_token signature (known kid).
	FaultBadSignature
	// FaultAlgNone sends an unsigned id_token with alg "none".
	FaultAlgNone
	// FaultAlgHS256 signs the id_token with HS256 keyed by the client secret
	// and the kid of the real key (algorithm confusion); for a ProConnect
	// client registered HS256 the signature is the genuine one, with a kid.
	FaultAlgHS256
	// FaultAlgRS256 signs the id_token with RS256, using a fresh RSA key and
	// the kid of the real key: RS256 where only ES256 is allowed.
	FaultAlgRS256
	// FaultMissingKid signs the id_token with the real key but leaves kid out
	// of the JWS header (no effect on HS256, which never has a kid).
	FaultMissingKid
	// FaultExpiredToken issues an id_token with iat = now-120, exp = now-60.
	FaultExpiredToken
	// FaultIssuedInFuture issues an id_token with iat = now+600.
	FaultIssuedInFuture
	// FaultWrongAudience sets aud to another client id.
	FaultWrongAudience
	// FaultExtraAudience sets aud to an array of the client id and another
	// client id.
	FaultExtraAudience
	// FaultWrongIssuer sets iss to another issuer.
	FaultWrongIssuer
	// FaultWrongNonce sets a nonce different from the one sent to authorize.
	FaultWrongNonce
	// FaultMissingNonce omits the nonce claim.
	FaultMissingNonce
	// FaultMissingSub omits the sub claim.
	FaultMissingSub
	// FaultMissingIssuedAt omits the iat claim.
	FaultMissingIssuedAt
	// FaultUnencrypted sends the id_token as a bare JWS to a client that
	// expects a JWE (no effect on a signed-only FranceConnect client).
	FaultUnencrypted
	// FaultEncryptionAlgMismatch encrypts the id_token with another key
	// management algorithm than the registered one (RSA-OAEP instead of
	// RSA-OAEP-256 and back, ECDH-ES+A256KW instead of ECDH-ES).
	FaultEncryptionAlgMismatch
	// FaultEncryptionEncMismatch encrypts the id_token with A128GCM instead
	// of A256GCM.
	FaultEncryptionEncMismatch
	// FaultEncryptionDir encrypts the id_token with alg "dir" and a key
	// derived from the client secret (SHA-256), under the client's kid.
	FaultEncryptionDir
	// FaultEncryptionRSA15 encrypts the id_token with RSA1_5 to the client's
	// RSA key, or to a fresh RSA key under the client's kid when the client
	// has an EC key.
	FaultEncryptionRSA15
	// FaultJWEPayloadNotJWS encrypts the id_token claims themselves: the JWE
	// carries JSON instead of a signed JWT.
	FaultJWEPayloadNotJWS
	// FaultNestedJWE encrypts the id_token JWE once more: a JWE inside a JWE.
	FaultNestedJWE
	// FaultWrongEncryptionKey encrypts the id_token to a key that is not the
	// client's, under the client's kid: decryption fails.
	FaultWrongEncryptionKey
	// FaultTokenServerError answers the token request with HTTP 500
	// server_error; the code is consumed all the same.
	FaultTokenServerError
	// FaultTokenMissingIDToken leaves id_token out of the token response.
	FaultTokenMissingIDToken

	// Userinfo faults (applied to the next successful userinfo response).

	// FaultUserinfoSubMismatch returns a sub that differs from the
	// id_token's.
	FaultUserinfoSubMismatch
	// FaultUserinfoUnsigned returns plain JSON (application/json), to a
	// client that expects a signed userinfo.
	FaultUserinfoUnsigned
	// FaultUserinfoUnencrypted returns a bare JWS to a client that expects a
	// JWE (no effect on a signed-only FranceConnect client).
	FaultUserinfoUnencrypted
	// FaultUserinfoWrongIssuer sets iss to another issuer.
	FaultUserinfoWrongIssuer
	// FaultUserinfoWrongAudience sets aud to another client id.
	FaultUserinfoWrongAudience
	// FaultUserinfoBadSignature corrupts the userinfo signature.
	FaultUserinfoBadSignature
	// FaultUserinfoUnknownSigningKey signs the userinfo with a key absent
	// from the JWKS.
	FaultUserinfoUnknownSigningKey
	// FaultUserinfoServerError answers with HTTP 500 server_error.
	FaultUserinfoServerError
	// FaultUserinfoWrongContentType returns the genuine token with
	// Content-Type text/plain instead of application/jwt.
	FaultUserinfoWrongContentType

	// Discovery faults (applied to the next discovery document served).

	// FaultDiscoveryWrongIssuer advertises another issuer.
	FaultDiscoveryWrongIssuer
	// FaultDiscoveryJWKSUnreachable advertises a jwks_uri on a loopback port
	// where nothing listens.
	FaultDiscoveryJWKSUnreachable
	// FaultDiscoveryUnsupportedAlgs advertises only algorithms that
	// FranceConnect never uses: HS256 signatures, RSA1_5 key encryption and
	// A128CBC-HS256 content encryption; on ProConnect, HS512 and PS256
	// signatures.
	FaultDiscoveryUnsupportedAlgs

	// Logout faults (applied to the next redirect back from session/end).

	// FaultLogoutWrongState returns to post_logout_redirect_uri with a state
	// different from the one sent.
	FaultLogoutWrongState

	// Callback faults for the checks ProConnect adds (also usable on the
	// FranceConnect platforms).

	// FaultCallbackMissingIssuer returns a code without the iss parameter,
	// although discovery advertises authorization_response_iss_parameter_supported
	// (RFC 9207).
	FaultCallbackMissingIssuer
	// FaultLoginRequired redirects with error=login_required, whether or not
	// the request carried prompt=none.
	FaultLoginRequired
	// FaultConsentRequired redirects with error=consent_required.
	FaultConsentRequired
	// FaultInteractionRequired redirects with error=interaction_required.
	FaultInteractionRequired
	// FaultACRNotSatisfied redirects with error=access_denied, "requested
	// ACRs could not be satisfied" and an error_uri carrying ProConnect's
	// Y020032, whatever the agent's level.
	FaultACRNotSatisfied

	// Token faults for the checks ProConnect adds (they apply like the token
	// faults above, to a code or a refresh token response).

	// FaultSigningAlgMismatch signs the id_token with a published key of
	// another algorithm than the client's: RS256 for an ES256 client, ES256
	// for an RS256 or HS256 client (a fresh key under an unpublished kid when
	// the server does not publish that algorithm). The signature is valid,
	// the algorithm is not the registered one.
	FaultSigningAlgMismatch
	// FaultACRNotRequested puts an acr of the platform that the request did
	// not ask for: the first of acr_values_supported neither requested nor
	// genuine, on ProConnect a value outside the required set. No effect when
	// every level of the platform is requested or genuine.
	FaultACRNotRequested
	// FaultACRHigherUnlisted puts eidas3, or eidas2 when eidas3 is requested
	// or genuine: a level higher than the requested ones but not in the set,
	// which a membership check must refuse. No effect when neither is left.
	FaultACRHigherUnlisted
	// FaultEncrypted sends the id_token as a JWE (ECDH-ES, A256GCM, to a key
	// the client does not have) to a client that expects a bare JWS, such as
	// every ProConnect client (no effect on clients that encrypt).
	FaultEncrypted

	// Refresh faults (applied to the next refresh token response only; a
	// refresh response takes a token fault when no refresh fault is queued).

	// FaultRefreshOtherSub answers a refresh with an id_token whose sub is
	// another person's.
	FaultRefreshOtherSub

	// Userinfo faults for the checks ProConnect adds.

	// FaultUserinfoSigned returns the userinfo as an application/jwt signed
	// with the id_token's algorithm to a ProConnect client registered for
	// plain JSON (no effect on the others).
	FaultUserinfoSigned
	// FaultUserinfoSigningAlgMismatch signs the userinfo like
	// FaultSigningAlgMismatch signs the id_token.
	FaultUserinfoSigningAlgMismatch
	// FaultUserinfoEncrypted returns the userinfo as a JWE like
	// FaultEncrypted.
	FaultUserinfoEncrypted

	// Faults of the emulator's operations: an expired access token, slow,
	// silent and stalled endpoints, revocation errors and a key rotation.
	// Each has its entry in Catalogue.

	// FaultUserinfoExpiredToken answers the userinfo request with HTTP 401
	// invalid_token, "invalid token provided (access token not found)"
	// (Y040001) and a WWW-Authenticate header, as for an access token that
	// expired or was revoked. Platforms: all. Step: userinfo. A correct
	// relying party signs nobody in and starts a new login.
	FaultUserinfoExpiredToken

	// Latency, timeout and hang faults of the endpoints a relying party calls
	// itself. A latency fault answers normally after Injection.Delay (zero:
	// DefaultFaultDelay) of real time. A timeout fault never answers: the
	// request is held until the client gives up, or for MaxFaultHold, after
	// which the connection is dropped. A hang fault answers the status line,
	// the headers (announcing a longer body) and its first bytes, then
	// nothing more until the client gives up (or MaxFaultHold). On the
	// token, userinfo and revocation endpoints they apply once the client
	// (or the access token) is known, before the request is processed: a
	// code held by a timeout is not consumed. Platforms: all. A correct relying party waits out a
	// latency within its timeout, and gives up by itself on a timeout or a
	// hang, then signs nobody in (at logout, it ends the local session all
	// the same).

	// FaultDiscoveryLatency delays the discovery document. Step: discovery.
	FaultDiscoveryLatency
	// FaultDiscoveryTimeout never answers the discovery request. Step:
	// discovery.
	FaultDiscoveryTimeout
	// FaultDiscoveryHang stalls in the middle of the discovery document.
	// Step: discovery.
	FaultDiscoveryHang
	// FaultJWKSLatency delays the JWKS. Step: keys.
	FaultJWKSLatency
	// FaultJWKSTimeout never answers the JWKS request. Step: keys.
	FaultJWKSTimeout
	// FaultJWKSHang stalls in the middle of the JWKS. Step: keys.
	FaultJWKSHang
	// FaultTokenLatency delays the token response. Step: token.
	FaultTokenLatency
	// FaultTokenTimeout never answers the token request. Step: token.
	FaultTokenTimeout
	// FaultTokenHang stalls in the middle of the token response. Step:
	// token.
	FaultTokenHang
	// FaultUserinfoLatency delays the userinfo response. Step: userinfo.
	FaultUserinfoLatency
	// FaultUserinfoTimeout never answers the userinfo request. Step:
	// userinfo.
	FaultUserinfoTimeout
	// FaultUserinfoHang stalls in the middle of the userinfo response. Step:
	// userinfo.
	FaultUserinfoHang
	// FaultRevocationLatency delays the revocation response. Step:
	// revocation.
	FaultRevocationLatency
	// FaultRevocationTimeout never answers the revocation request. Step:
	// revocation.
	FaultRevocationTimeout
	// FaultRevocationHang stalls in the middle of the revocation response,
	// whose status is 200 and whose body is a JSON object. Step: revocation.
	FaultRevocationHang

	// FaultRevocationServerError answers the revocation request with HTTP
	// 500 server_error; the token is not revoked. Platforms: all. Step:
	// revocation. A correct relying party ends its local session all the
	// same (the access token expires by itself within its lifetime).
	FaultRevocationServerError
	// FaultRevocationUnavailable answers the revocation request with HTTP
	// 503 temporarily_unavailable and Retry-After: 1 (RFC 7009 §2.2.1); the
	// token is not revoked. Platforms: all. Step: revocation. A correct
	// relying party ends its local session all the same.
	FaultRevocationUnavailable

	// FaultSigningKeyRotated rotates the provider signing key of the
	// client's algorithm just before the next id_token is signed: the token
	// carries a kid the relying party has not cached yet; the previous key
	// stays published. Platforms: all (not for HS256 clients, which use no
	// provider key). Step: keys. A correct relying party fetches the JWKS
	// again once for the unknown kid and accepts the token.
	FaultSigningKeyRotated

	// Faults of levels and fresh authentication.

	// FaultPromptLoginIgnored answers as a provider that ignores
	// prompt=login and reuses the browser's earlier session: the code
	// carries the earlier login of the browser, with that session's
	// auth_time and level (eidas2 on FranceConnect+, which is what its single
	// sign-on answers; eidas1 on FranceConnect); when the browser had no
	// earlier login, the identity picked, authenticated an hour ago.
	// Platforms: all three. Step: authorize (the callback, when an identity
	// is picked). A correct relying party that asked for a new
	// authentication (prompt=login, a step-up, a maximum age) refuses the
	// login: auth_time is older than the start of the login (or the level is
	// below the one asked for, or the person is not the one stepping up).
	FaultPromptLoginIgnored
	// FaultMissingAuthTime omits auth_time from the id_token. Platforms: all
	// three. Step: token. A correct relying party refuses the login when it
	// asked for a new authentication or has a maximum authentication age;
	// otherwise it may accept it.
	FaultMissingAuthTime
	// FaultAZPOtherClient adds an azp (authorized party) claim naming
	// another client to the id_token. Platforms: all three. Step: token. A
	// correct relying party refuses the id_token (OIDC Core 3.1.3.7: azp,
	// when present, is its own client_id).
	FaultAZPOtherClient
	// FaultPublicAgentsOnly redirects with error=access_denied and an
	// error_uri carrying ProConnect's Y500015: the service is registered for
	// public agents only and the agent belongs to a private organisation.
	// (Whether ProConnect redirects or shows its own page is not documented;
	// the emulator redirects, as for Y020032.) Platforms: ProConnect. Step:
	// authorize (the callback). A correct relying party tells the agent the
	// service is for public agents and does not take it for a cancelled
	// login.
	FaultPublicAgentsOnly

	// Data-provider faults (applied to the next checktoken or token
	// introspection answer, DATA-PROVIDERS.md). Each names the platforms it
	// applies to and what a correct data provider does.

	// FaultIntrospectionInactive answers that a live token is inactive ({"active": false}), as for an
	// unknown, expired or revoked one. FranceConnect, FranceConnect+ and ProConnect;
	// checktoken/introspection. A data provider answers 401 invalid_token.
	FaultIntrospectionInactive

	// FaultIntrospectionExpired answers active with an exp 60 seconds in the past. All platforms;
	// checktoken/introspection. A data provider treats the token as inactive (401 invalid_token).
	FaultIntrospectionExpired

	// FaultIntrospectionOtherClient describes a token issued to another service provider (aud on
	// FranceConnect, client_id on ProConnect). All platforms; checktoken/introspection. A data
	// provider that serves a list of service providers refuses it (401 invalid_token).
	FaultIntrospectionOtherClient

	// FaultIntrospectionScopeMissing leaves the last of the data provider's scopes out of scope. All
	// platforms; checktoken/introspection. A data provider answers 403 insufficient_scope naming it.
	FaultIntrospectionScopeMissing

	// FaultIntrospectionBadSignature corrupts the signature of the answer. All platforms (ProConnect
	// when signed); checktoken/introspection. A data provider refuses the answer (ErrSignature) and
	// serves nothing.
	FaultIntrospectionBadSignature

	// FaultIntrospectionUnknownKey signs the answer with a key absent from the JWKS (with HS256,
	// another secret). All platforms; checktoken/introspection. A data provider refuses it after one
	// refresh of the keys (ErrUnknownKey).
	FaultIntrospectionUnknownKey

	// FaultIntrospectionAlgNone sends the answer unsigned, alg "none". All platforms;
	// checktoken/introspection. A data provider refuses it (ErrAlgorithm).
	FaultIntrospectionAlgNone

	// FaultIntrospectionAlgHS256 signs the answer with HS256 keyed by the data provider's secret,
	// under the kid of the real key (algorithm confusion). All platforms; checktoken/introspection. A
	// data provider registered for ES256 or RS256 refuses it (ErrAlgorithm).
	FaultIntrospectionAlgHS256

	// FaultIntrospectionSigningAlgMismatch signs the answer with a key of another algorithm than the
	// registered one (RS256 for ES256, ES256 otherwise). All platforms; checktoken/introspection. A
	// data provider refuses it (ErrAlgorithm).
	FaultIntrospectionSigningAlgMismatch

	// FaultIntrospectionWrongIssuer sets iss of the answer to another issuer. All platforms;
	// checktoken/introspection. A data provider refuses it (ErrIssuerMismatch).
	FaultIntrospectionWrongIssuer

	// FaultIntrospectionWrongAudience sets aud of the answer to another data provider's client_id. All
	// platforms; checktoken/introspection. A data provider refuses it (ErrInvalidAudience).
	FaultIntrospectionWrongAudience

	// FaultIntrospectionIssuedInFuture sets iat of the answer 10 minutes ahead. All platforms;
	// checktoken/introspection. A data provider refuses it (ErrIssuedInFuture).
	FaultIntrospectionIssuedInFuture

	// FaultIntrospectionMissingIssuedAt leaves iat out of the answer. All platforms;
	// checktoken/introspection. A data provider refuses it (ErrMissingClaim).
	FaultIntrospectionMissingIssuedAt

	// FaultIntrospectionRepeatedMember repeats token_introspection in the answer, first inactive then
	// active. All platforms; checktoken/introspection. A data provider refuses it (ErrMalformedToken):
	// a reader keeping the last member would see an active token.
	FaultIntrospectionRepeatedMember

	// FaultIntrospectionMemberCase names the audience "Aud" instead of "aud". All platforms;
	// checktoken/introspection. A data provider reads member names exactly and refuses it
	// (ErrInvalidAudience).
	FaultIntrospectionMemberCase

	// FaultIntrospectionUnencrypted sends the checktoken answer as a bare JWS. FranceConnect,
	// FranceConnect+; checktoken. A data provider refuses it (ErrUnencrypted).
	FaultIntrospectionUnencrypted

	// FaultIntrospectionEncryptionAlgMismatch encrypts the checktoken answer with another key
	// management algorithm than the registered one (RSA-OAEP and RSA-OAEP-256 swapped, ECDH-ES+A256KW
	// for ECDH-ES). FranceConnect, FranceConnect+; checktoken. A data provider refuses it
	// (ErrAlgorithm).
	FaultIntrospectionEncryptionAlgMismatch

	// FaultIntrospectionEncryptionEnc encrypts the checktoken answer with A128GCM. FranceConnect,
	// FranceConnect+; checktoken. A data provider refuses it (ErrAlgorithm).
	FaultIntrospectionEncryptionEnc

	// FaultIntrospectionWrongEncryptionKey encrypts the checktoken answer to a key that is not the
	// data provider's. FranceConnect, FranceConnect+; checktoken. A data provider refuses it
	// (ErrDecryption).
	FaultIntrospectionWrongEncryptionKey

	// FaultIntrospectionNotJWS encrypts the claims themselves: the JWE carries JSON instead of a
	// signed JWT. FranceConnect, FranceConnect+; checktoken. A data provider refuses it
	// (ErrMalformedToken).
	FaultIntrospectionNotJWS

	// FaultIntrospectionEncrypted sends the introspection answer as a JWE to a resource server
	// (ProConnect no longer encrypts them). ProConnect; introspection. A data provider refuses it
	// (ErrAlgorithm).
	FaultIntrospectionEncrypted

	// FaultIntrospectionUnsigned answers plain JSON to a data provider that registered a signing
	// algorithm (on FranceConnect, to every data provider). All platforms; checktoken/introspection. A
	// data provider refuses it (ErrContentType): no downgrade.
	FaultIntrospectionUnsigned

	// FaultIntrospectionContentType sends the genuine signed answer with Content-Type
	// application/json. All platforms; checktoken/introspection. A data provider refuses it
	// (ErrContentType).
	FaultIntrospectionContentType

	// FaultIntrospectionServerError answers HTTP 500 server_error. All platforms;
	// checktoken/introspection. A data provider answers 503 and keeps nothing in its cache.
	FaultIntrospectionServerError

	faultCount // sentinel
)

var faultNames = [faultCount]string{
	"FaultNone", "FaultAccessDenied", "FaultServerError", "FaultTemporarilyUnavailable",
	"FaultCallbackWrongState", "FaultCallbackWrongIssuer", "FaultCallbackMissingState",
	"FaultACRLower", "FaultACRHigher", "FaultUnknownACR", "FaultMissingACR",
	"FaultUnknownSigningKey", "FaultBadSignature", "FaultAlgNone", "FaultAlgHS256", "FaultAlgRS256",
	"FaultMissingKid", "FaultExpiredToken", "FaultIssuedInFuture", "FaultWrongAudience",
	"FaultExtraAudience", "FaultWrongIssuer", "FaultWrongNonce", "FaultMissingNonce", "FaultMissingSub",
	"FaultMissingIssuedAt", "FaultUnencrypted", "FaultEncryptionAlgMismatch", "FaultEncryptionEncMismatch",
	"FaultEncryptionDir", "FaultEncryptionRSA15", "FaultJWEPayloadNotJWS", "FaultNestedJWE",
	"FaultWrongEncryptionKey", "FaultTokenServerError", "FaultTokenMissingIDToken",
	"FaultUserinfoSubMismatch", "FaultUserinfoUnsigned", "FaultUserinfoUnencrypted",
	"FaultUserinfoWrongIssuer", "FaultUserinfoWrongAudience", "FaultUserinfoBadSignature",
	"FaultUserinfoUnknownSigningKey", "FaultUserinfoServerError", "FaultUserinfoWrongContentType",
	"FaultDiscoveryWrongIssuer", "FaultDiscoveryJWKSUnreachable", "FaultDiscoveryUnsupportedAlgs",
	"FaultLogoutWrongState",
	"FaultCallbackMissingIssuer", "FaultLoginRequired", "FaultConsentRequired", "FaultInteractionRequired",
	"FaultACRNotSatisfied", "FaultSigningAlgMismatch", "FaultACRNotRequested", "FaultACRHigherUnlisted",
	"FaultEncrypted", "FaultRefreshOtherSub", "FaultUserinfoSigned", "FaultUserinfoSigningAlgMismatch",
	"FaultUserinfoEncrypted",
	"FaultUserinfoExpiredToken",
	"FaultDiscoveryLatency", "FaultDiscoveryTimeout", "FaultDiscoveryHang",
	"FaultJWKSLatency", "FaultJWKSTimeout", "FaultJWKSHang",
	"FaultTokenLatency", "FaultTokenTimeout", "FaultTokenHang",
	"FaultUserinfoLatency", "FaultUserinfoTimeout", "FaultUserinfoHang",
	"FaultRevocationLatency", "FaultRevocationTimeout", "FaultRevocationHang",
	"FaultRevocationServerError", "FaultRevocationUnavailable", "FaultSigningKeyRotated",
	"FaultPromptLoginIgnored", "FaultMissingAuthTime", "FaultAZPOtherClient", "FaultPublicAgentsOnly",
	"FaultIntrospectionInactive", "FaultIntrospectionExpired", "FaultIntrospectionOtherClient",
	"FaultIntrospectionScopeMissing", "FaultIntrospectionBadSignature", "FaultIntrospectionUnknownKey",
	"FaultIntrospectionAlgNone", "FaultIntrospectionAlgHS256", "FaultIntrospectionSigningAlgMismatch",
	"FaultIntrospectionWrongIssuer", "FaultIntrospectionWrongAudience", "FaultIntrospectionIssuedInFuture",
	"FaultIntrospectionMissingIssuedAt", "FaultIntrospectionRepeatedMember", "FaultIntrospectionMemberCase",
	"FaultIntrospectionUnencrypted", "FaultIntrospectionEncryptionAlgMismatch", "FaultIntrospectionEncryptionEnc",
	"FaultIntrospectionWrongEncryptionKey", "FaultIntrospectionNotJWS", "FaultIntrospectionEncrypted",
	"FaultIntrospectionUnsigned", "FaultIntrospectionContentType", "FaultIntrospectionServerError",
}

// String returns the constant's name.
func (f Fault) String() string {
	if f >= 0 && f < faultCount {
		return faultNames[f]
	}
	return fmt.Sprintf("Fault(%d)", int(f))
}

// ParseFault returns the fault whose String is name, e.g.
// ParseFault("FaultWrongNonce"); FaultNone and unknown names are errors, so
// that a fault asked for by name is never silently ignored.
func ParseFault(name string) (Fault, error) {
	for f := FaultNone + 1; f < faultCount; f++ {
		if faultNames[f] == name {
			return f, nil
		}
	}
	return FaultNone, fmt.Errorf("fctest: unknown fault %q (see AllFaults for the names)", name)
}

// faultPoint is where in a flow a fault applies.
type faultPoint int

const (
	pointCallback faultPoint = iota + 1
	pointToken
	pointUserinfo
	pointDiscovery
	pointLogout
	pointRefresh
	pointNet           // latency, timeout and hang: see netFaults
	pointRevocation    // revocation errors
	pointKeys          // key rotation, before the id_token is signed
	pointIntrospection // checktoken and token introspection answers
)

func (f Fault) point() faultPoint {
	if p, ok := operationPoints[f]; ok {
		return p
	}
	switch {
	case f >= FaultAccessDenied && f <= FaultCallbackMissingState,
		f >= FaultCallbackMissingIssuer && f <= FaultACRNotSatisfied,
		f == FaultPromptLoginIgnored, f == FaultPublicAgentsOnly:
		return pointCallback
	case f >= FaultACRLower && f <= FaultTokenMissingIDToken,
		f >= FaultSigningAlgMismatch && f <= FaultEncrypted,
		f == FaultMissingAuthTime, f == FaultAZPOtherClient:
		return pointToken
	case f == FaultRefreshOtherSub:
		return pointRefresh
	case f >= FaultUserinfoSubMismatch && f <= FaultUserinfoWrongContentType,
		f >= FaultUserinfoSigned && f <= FaultUserinfoEncrypted:
		return pointUserinfo
	case f >= FaultDiscoveryWrongIssuer && f <= FaultDiscoveryUnsupportedAlgs:
		return pointDiscovery
	case f == FaultLogoutWrongState:
		return pointLogout
	case f >= FaultIntrospectionInactive && f <= FaultIntrospectionServerError:
		return pointIntrospection
	}
	return 0
}

// AllFaults returns every fault but FaultNone, in declaration order.
func AllFaults() []Fault {
	out := make([]Fault, 0, faultCount-1)
	for f := FaultNone + 1; f < faultCount; f++ {
		out = append(out, f)
	}
	return out
}
