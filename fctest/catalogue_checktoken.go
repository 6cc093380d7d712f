package fctest

import "maps"

// The catalogue of the data-provider faults: they apply to a data
// provider's check of an access token (StepCheckToken), never to a service
// provider, and are aimed at a data provider's client_id.

func init() { maps.Copy(faultCatalogue, checktokenCatalogue) }

// Reasons a fault makes no difference to a data provider.
func jsonAnswers(_ *Server, dp *registeredDP) string {
	if dp.SignedResponseAlg == "" {
		return "its introspection answers are plain JSON (no introspection_signed_response_alg)"
	}
	return ""
}

func hmacDataProvider(s *Server, dp *registeredDP) string {
	if why := jsonAnswers(s, dp); why != "" {
		return why
	}
	if dp.SignedResponseAlg == algHS256 {
		return "it registered HS256 already"
	}
	return ""
}

// What correct data providers do, said once.
const (
	expectInvalidToken = "Serve no data: answer 401 with WWW-Authenticate: Bearer error=\"invalid_token\"."
	expectBadAnswer    = "Refuse the platform's answer and serve no data: the token's status is unknown, so answer 503 " +
		"(never 401) and keep nothing in a cache."
)

var checktokenCatalogue = map[Fault]faultMeta{
	FaultIntrospectionInactive: {step: StepCheckToken, platforms: allPlatforms, outcome: OutcomeRefuse,
		desc:   "The platform answers {\"active\": false} for a live token, as for an unknown, expired or revoked one.",
		expect: expectInvalidToken},
	FaultIntrospectionExpired: {step: StepCheckToken, platforms: allPlatforms, outcome: OutcomeRefuse,
		desc:   "The platform answers active with an exp 60 seconds in the past.",
		expect: "Treat the token as inactive whatever active says. " + expectInvalidToken},
	FaultIntrospectionOtherClient: {step: StepCheckToken, platforms: allPlatforms, outcome: OutcomeContinue,
		desc: "The token is described as issued to another service provider (aud on the FranceConnect platforms, " +
			"client_id on ProConnect).",
		expect: "Serve the data when the data provider serves every service provider the platform lets through; one " +
			"that serves a list of service providers answers 401 invalid_token."},
	FaultIntrospectionScopeMissing: {step: StepCheckToken, platforms: allPlatforms, outcome: OutcomeRefuse,
		desc: "The answer's scope leaves out the last of the data provider's scopes.",
		expect: "Serve no data: answer 403 with WWW-Authenticate: Bearer error=\"insufficient_scope\" naming the " +
			"missing scope."},
	FaultIntrospectionBadSignature: {step: StepCheckToken, platforms: allPlatforms, outcome: OutcomeRefuse,
		desc: "The signature of the answer is corrupted.", expect: expectBadAnswer, notForDP: jsonAnswers},
	FaultIntrospectionUnknownKey: {step: StepCheckToken, platforms: allPlatforms, outcome: OutcomeRefuse,
		desc:   "The answer is signed with a key absent from the platform's JWKS (with HS256, another secret).",
		expect: "Fetch the platform's keys again once, then refuse the answer. " + expectBadAnswer, notForDP: jsonAnswers},
	FaultIntrospectionAlgNone: {step: StepCheckToken, platforms: allPlatforms, outcome: OutcomeRefuse,
		desc: "The answer is unsigned, with alg \"none\".", expect: expectBadAnswer, notForDP: jsonAnswers},
	FaultIntrospectionAlgHS256: {step: StepCheckToken, platforms: allPlatforms, outcome: OutcomeRefuse,
		desc: "The answer is signed HS256 keyed by the data provider's secret, under the kid of the platform's key " +
			"(algorithm confusion).",
		expect: "Accept the registered algorithm only. " + expectBadAnswer, notForDP: hmacDataProvider},
	FaultIntrospectionSigningAlgMismatch: {step: StepCheckToken, platforms: allPlatforms, outcome: OutcomeRefuse,
		desc:   "The answer is signed with a platform key of another algorithm than the registered one.",
		expect: "Accept the registered algorithm only. " + expectBadAnswer, notForDP: jsonAnswers},
	FaultIntrospectionWrongIssuer: {step: StepCheckToken, platforms: allPlatforms, outcome: OutcomeRefuse,
		desc: "The answer's iss names another issuer.", expect: expectBadAnswer, notForDP: jsonAnswers},
	FaultIntrospectionWrongAudience: {step: StepCheckToken, platforms: allPlatforms, outcome: OutcomeRefuse,
		desc:   "The answer's aud is another data provider's client_id.",
		expect: "Require aud to be exactly its own client_id. " + expectBadAnswer, notForDP: jsonAnswers},
	FaultIntrospectionIssuedInFuture: {step: StepCheckToken, platforms: allPlatforms, outcome: OutcomeRefuse,
		desc: "The answer's iat is 10 minutes ahead.", expect: expectBadAnswer, notForDP: jsonAnswers},
	FaultIntrospectionMissingIssuedAt: {step: StepCheckToken, platforms: allPlatforms, outcome: OutcomeRefuse,
		desc: "The answer has no iat.", expect: expectBadAnswer, notForDP: jsonAnswers},
	FaultIntrospectionRepeatedMember: {step: StepCheckToken, platforms: allPlatforms, outcome: OutcomeRefuse,
		desc:     "The answer repeats token_introspection, first inactive then active.",
		expect:   "Refuse repeated members: a reader keeping the last one would see an active token. " + expectBadAnswer,
		notForDP: jsonAnswers},
	FaultIntrospectionMemberCase: {step: StepCheckToken, platforms: allPlatforms, outcome: OutcomeRefuse,
		desc:   "The answer names its audience \"Aud\" instead of \"aud\".",
		expect: "Read member names exactly. " + expectBadAnswer, notForDP: jsonAnswers},
	FaultIntrospectionUnencrypted: {step: StepCheckToken, platforms: encPlatforms, outcome: OutcomeRefuse,
		desc: "The checktoken answer is a bare JWS.", expect: expectBadAnswer,
		notOn: "ProConnect never encrypts introspection answers"},
	FaultIntrospectionEncryptionAlgMismatch: {step: StepCheckToken, platforms: encPlatforms, outcome: OutcomeRefuse,
		desc: "The checktoken answer is encrypted with another key management algorithm than the registered one " +
			"(RSA-OAEP and RSA-OAEP-256 swapped, ECDH-ES+A256KW for ECDH-ES).",
		expect: "Bind each key to its algorithm. " + expectBadAnswer, notOn: "ProConnect never encrypts introspection answers"},
	FaultIntrospectionEncryptionEnc: {step: StepCheckToken, platforms: encPlatforms, outcome: OutcomeRefuse,
		desc: "The checktoken answer is encrypted with A128GCM.", expect: "Accept A256GCM only. " + expectBadAnswer,
		notOn: "ProConnect never encrypts introspection answers"},
	FaultIntrospectionWrongEncryptionKey: {step: StepCheckToken, platforms: encPlatforms, outcome: OutcomeRefuse,
		desc: "The checktoken answer is encrypted to a key that is not the data provider's.", expect: expectBadAnswer,
		notOn: "ProConnect never encrypts introspection answers"},
	FaultIntrospectionNotJWS: {step: StepCheckToken, platforms: encPlatforms, outcome: OutcomeRefuse,
		desc:   "The checktoken JWE carries the claims as JSON instead of a signed JWT.",
		expect: "Require a JWS inside the JWE. " + expectBadAnswer, notOn: "ProConnect never encrypts introspection answers"},
	FaultIntrospectionEncrypted: {step: StepCheckToken, platforms: pcPlatform, outcome: OutcomeRefuse,
		desc:   "The introspection answer is a JWE, which ProConnect no longer sends to resource servers.",
		expect: expectBadAnswer, notForDP: jsonAnswers, notOn: "every checktoken answer is already encrypted"},
	FaultIntrospectionUnsigned: {step: StepCheckToken, platforms: allPlatforms, outcome: OutcomeRefuse,
		desc:   "The answer is plain JSON to a data provider that registered a signing algorithm.",
		expect: "Never take a downgrade to JSON. " + expectBadAnswer, notForDP: jsonAnswers},
	FaultIntrospectionContentType: {step: StepCheckToken, platforms: allPlatforms, outcome: OutcomeRefuse,
		desc:   "The genuine signed answer comes with Content-Type application/json.",
		expect: "Check the media type (application/token-introspection+jwt). " + expectBadAnswer, notForDP: jsonAnswers},
	FaultIntrospectionServerError: {step: StepCheckToken, platforms: allPlatforms, outcome: OutcomeRefuse,
		desc: "The platform answers HTTP 500 server_error.", expect: expectBadAnswer},
}
