package fctest

// The catalogue of faults: one entry per Fault, checked complete by
// TestCatalogueIsComplete. The doc comment of each Fault is the reference;
// an entry says it in one sentence, with the platforms, the step and what a
// correct relying party does.

var (
	allPlatforms  = []Platform{FranceConnectPlus, FranceConnect, ProConnect}
	encPlatforms  = []Platform{FranceConnectPlus, FranceConnect}
	jwsPlatforms  = []Platform{FranceConnect, ProConnect}
	pcPlatform    = []Platform{ProConnect}
	fcPlusOnly    = []Platform{FranceConnectPlus}
	neverEncrypts = "ProConnect never encrypts tokens"
	alwaysJWE     = "every FranceConnect+ token is already encrypted"
)

// Reasons a fault makes no difference to a client.
func signedOnly(s *Server, rc *registeredClient) string {
	if !s.encrypts(rc) {
		return "it receives signed-only tokens (no id_token_encrypted_response_alg)"
	}
	return ""
}

func alreadyEncrypted(s *Server, rc *registeredClient) string {
	if s.encrypts(rc) {
		return "its tokens are already encrypted"
	}
	return ""
}

func hmacClient(_ *Server, rc *registeredClient) string {
	if rc.SignedResponseAlg == algHS256 {
		return "it registered HS256, keyed by its secret: no provider key or kid is involved"
	}
	return ""
}

func jsonUserinfo(s *Server, rc *registeredClient) string {
	if s.userinfoAlg(rc) == "" {
		return "its userinfo is plain JSON (no userinfo_signed_response_alg)"
	}
	return ""
}

func signedUserinfo(s *Server, rc *registeredClient) string {
	if s.userinfoAlg(rc) != "" {
		return "its userinfo is already signed"
	}
	return ""
}

// both returns a check that fails when either check fails.
func both(a, b func(*Server, *registeredClient) string) func(*Server, *registeredClient) string {
	return func(s *Server, rc *registeredClient) string {
		if why := a(s, rc); why != "" {
			return why
		}
		return b(s, rc)
	}
}

// What correct relying parties do, said once.
const (
	expectCallbackError = "Sign nobody in and do not redeem anything: show the platform's error in the user's terms " +
		"and offer to try again or to sign in another way."
	expectIDToken  = "Refuse the id_token: sign nobody in and show an error; never fall back to unchecked claims."
	expectUserinfo = "Refuse the userinfo: sign nobody in and show an error; never use claims that failed a check."
	expectSlow     = "Wait: an answer that comes within the relying party's own timeout (a few seconds) completes " +
		"the step normally."
	expectGiveUp = "Give up after its own timeout (a few seconds, covering the whole body), sign nobody in and say " +
		"that the platform is unavailable; never wait without limit."
	expectRevocation = "End the local session all the same and log the failure: the access token expires by itself."
	expectFreshAuth  = "After a login that asked for a new authentication (prompt=login, a step-up), refuse the " +
		"id_token: auth_time must be present and not before the login started. Otherwise accept it, unless the " +
		"relying party's own maximum authentication age refuses it."
)

var faultCatalogue = map[Fault]faultMeta{
	// Callback.
	FaultAccessDenied: {step: StepAuthorize, platforms: allPlatforms, outcome: OutcomeRefuse,
		desc:   "The callback carries error=access_denied, \"User auth aborted\", as when the person goes back to the service.",
		expect: expectCallbackError},
	FaultServerError: {step: StepAuthorize, platforms: allPlatforms, outcome: OutcomeRefuse,
		desc: "The callback carries error=server_error.", expect: expectCallbackError},
	FaultTemporarilyUnavailable: {step: StepAuthorize, platforms: allPlatforms, outcome: OutcomeRefuse,
		desc: "The callback carries error=temporarily_unavailable.", expect: expectCallbackError},
	FaultCallbackWrongState: {step: StepAuthorize, platforms: allPlatforms, outcome: OutcomeRefuse,
		desc: "The callback carries a code with a state other than the one sent to authorize (CSRF).",
		expect: "Compare state with the value bound to the browser's session and refuse the callback without " +
			"redeeming the code."},
	FaultCallbackWrongIssuer: {step: StepAuthorize, platforms: allPlatforms, outcome: OutcomeRefuse,
		desc:   "The callback carries a code with an iss naming another issuer (RFC 9207 mix-up).",
		expect: "Compare iss with the configured issuer and refuse the callback without redeeming the code."},
	FaultCallbackMissingState: {step: StepAuthorize, platforms: allPlatforms, outcome: OutcomeRefuse,
		desc: "The callback carries a code without state.", expect: "Refuse a callback without state."},
	FaultCallbackMissingIssuer: {step: StepAuthorize, platforms: allPlatforms, outcome: OutcomeRefuse,
		desc: "The callback carries a code without iss, although discovery advertises " +
			"authorization_response_iss_parameter_supported.",
		expect: "Refuse the callback: the platform always sends iss (RFC 9207)."},
	FaultLoginRequired: {step: StepAuthorize, platforms: allPlatforms, outcome: OutcomeRefuse,
		desc:   "The callback carries error=login_required, whether or not the request had prompt=none.",
		expect: expectCallbackError + " After a silent login, start an interactive one instead."},
	FaultConsentRequired: {step: StepAuthorize, platforms: allPlatforms, outcome: OutcomeRefuse,
		desc: "The callback carries error=consent_required.", expect: expectCallbackError},
	FaultInteractionRequired: {step: StepAuthorize, platforms: allPlatforms, outcome: OutcomeRefuse,
		desc: "The callback carries error=interaction_required.", expect: expectCallbackError},
	FaultACRNotSatisfied: {step: StepAuthorize, platforms: allPlatforms, outcome: OutcomeRefuse,
		desc: "The callback carries error=access_denied, \"requested ACRs could not be satisfied\", with Y020032 " +
			"in error_uri.",
		expect: "Sign nobody in and explain that the required level of authentication could not be reached."},

	// id_token.
	FaultACRLower: {step: StepToken, platforms: allPlatforms, outcome: OutcomeRefuse,
		desc:   "The id_token's acr is one level below the requested one (eidas0 on ProConnect).",
		expect: "Check acr against the requested level and refuse a lower one. " + expectIDToken},
	FaultACRHigher: {step: StepToken, platforms: fcPlusOnly, outcome: OutcomeContinue,
		desc: "The id_token's acr is eidas3 for an eidas2 request.",
		expect: "Accept: on FranceConnect+ a higher level satisfies the request (keep the level returned, not the " +
			"one asked for).",
		notOn: "FranceConnect has a single level, and ProConnect's levels are a set (see FaultACRHigherUnlisted)"},
	FaultUnknownACR: {step: StepToken, platforms: allPlatforms, outcome: OutcomeRefuse,
		desc:   "The id_token's acr is not a level of the platform (the eIDAS URI of \"substantial\").",
		expect: expectIDToken},
	FaultMissingACR: {step: StepToken, platforms: allPlatforms, outcome: OutcomeRefuse,
		desc: "The id_token has no acr.", expect: expectIDToken},
	FaultUnknownSigningKey: {step: StepToken, platforms: allPlatforms, outcome: OutcomeRefuse,
		desc:   "The id_token is signed by a key absent from the JWKS (with HS256, by another secret).",
		expect: "Fetch the JWKS again once (rate limited) for the unknown kid, then refuse the id_token."},
	FaultBadSignature: {step: StepToken, platforms: allPlatforms, outcome: OutcomeRefuse,
		desc: "The id_token's signature is corrupted (known kid).", expect: expectIDToken},
	FaultAlgNone: {step: StepToken, platforms: allPlatforms, outcome: OutcomeRefuse,
		desc: "The id_token is unsigned, with alg none.", expect: expectIDToken},
	FaultAlgHS256: {step: StepToken, platforms: allPlatforms, outcome: OutcomeRefuse,
		desc:   "The id_token is signed HS256 with the client secret under the kid of the real key (algorithm confusion).",
		expect: "Accept only the registered algorithm. " + expectIDToken, notFor: hmacClient},
	FaultAlgRS256: {step: StepToken, platforms: allPlatforms, outcome: OutcomeRefuse,
		desc:   "The id_token is signed RS256 with a fresh key under the kid of the real key.",
		expect: "Accept only the registered algorithm and key. " + expectIDToken},
	FaultMissingKid: {step: StepToken, platforms: allPlatforms, outcome: OutcomeContinue,
		desc: "The id_token is signed by the real key without kid in its header.",
		expect: "Verify with the only published key of the token's algorithm (OpenID Connect Core §10.1); " +
			"after a rotation that leaves two such keys, refuse rather than guess.",
		notFor: hmacClient},
	FaultExpiredToken: {step: StepToken, platforms: allPlatforms, outcome: OutcomeRefuse,
		desc: "The id_token expired a minute ago (iat now-120, exp now-60).", expect: expectIDToken},
	FaultIssuedInFuture: {step: StepToken, platforms: allPlatforms, outcome: OutcomeRefuse,
		desc: "The id_token is issued ten minutes in the future.", expect: expectIDToken},
	FaultWrongAudience: {step: StepToken, platforms: allPlatforms, outcome: OutcomeRefuse,
		desc: "The id_token's aud is another client.", expect: expectIDToken},
	FaultExtraAudience: {step: StepToken, platforms: allPlatforms, outcome: OutcomeRefuse,
		desc: "The id_token's aud is an array of the client and another client.", expect: expectIDToken},
	FaultWrongIssuer: {step: StepToken, platforms: allPlatforms, outcome: OutcomeRefuse,
		desc: "The id_token's iss is another issuer.", expect: expectIDToken},
	FaultWrongNonce: {step: StepToken, platforms: allPlatforms, outcome: OutcomeRefuse,
		desc: "The id_token's nonce is not the one sent to authorize.", expect: expectIDToken},
	FaultMissingNonce: {step: StepToken, platforms: allPlatforms, outcome: OutcomeRefuse,
		desc: "The id_token has no nonce.", expect: expectIDToken},
	FaultMissingSub: {step: StepToken, platforms: allPlatforms, outcome: OutcomeRefuse,
		desc: "The id_token has no sub.", expect: expectIDToken},
	FaultMissingIssuedAt: {step: StepToken, platforms: allPlatforms, outcome: OutcomeRefuse,
		desc: "The id_token has no iat.", expect: expectIDToken},
	FaultUnencrypted: {step: StepToken, platforms: encPlatforms, outcome: OutcomeRefuse,
		desc: "The id_token is a bare JWS to a client that expects a JWE.", expect: expectIDToken,
		notOn: neverEncrypts, notFor: signedOnly},
	FaultEncryptionAlgMismatch: {step: StepToken, platforms: encPlatforms, outcome: OutcomeRefuse,
		desc:   "The id_token is encrypted with another key management algorithm than the registered one.",
		expect: expectIDToken, notOn: neverEncrypts, notFor: signedOnly},
	FaultEncryptionEncMismatch: {step: StepToken, platforms: encPlatforms, outcome: OutcomeRefuse,
		desc: "The id_token is encrypted with A128GCM instead of A256GCM.", expect: expectIDToken,
		notOn: neverEncrypts, notFor: signedOnly},
	FaultEncryptionDir: {step: StepToken, platforms: encPlatforms, outcome: OutcomeRefuse,
		desc: "The id_token is encrypted with alg dir and a key derived from the client secret.", expect: expectIDToken,
		notOn: neverEncrypts, notFor: signedOnly},
	FaultEncryptionRSA15: {step: StepToken, platforms: encPlatforms, outcome: OutcomeRefuse,
		desc: "The id_token is encrypted with RSA1_5.", expect: expectIDToken, notOn: neverEncrypts, notFor: signedOnly},
	FaultJWEPayloadNotJWS: {step: StepToken, platforms: encPlatforms, outcome: OutcomeRefuse,
		desc: "The id_token JWE carries the claims as JSON instead of a signed JWT.", expect: expectIDToken,
		notOn: neverEncrypts, notFor: signedOnly},
	FaultNestedJWE: {step: StepToken, platforms: encPlatforms, outcome: OutcomeRefuse,
		desc: "The id_token is a JWE inside a JWE.", expect: expectIDToken, notOn: neverEncrypts, notFor: signedOnly},
	FaultWrongEncryptionKey: {step: StepToken, platforms: encPlatforms, outcome: OutcomeRefuse,
		desc: "The id_token is encrypted to a key that is not the client's, under its kid.", expect: expectIDToken,
		notOn: neverEncrypts, notFor: signedOnly},
	FaultTokenServerError: {step: StepToken, platforms: allPlatforms, outcome: OutcomeRefuse,
		desc:   "The token request is answered HTTP 500 server_error; the code is consumed all the same.",
		expect: "Sign nobody in, say the platform had a technical problem, and do not redeem the code again."},
	FaultTokenMissingIDToken: {step: StepToken, platforms: allPlatforms, outcome: OutcomeRefuse,
		desc: "The token response has no id_token.", expect: expectIDToken},
	FaultSigningAlgMismatch: {step: StepToken, platforms: allPlatforms, outcome: OutcomeRefuse,
		desc:   "The id_token is validly signed with another algorithm than the client's (RS256 for ES256, ES256 otherwise).",
		expect: "Accept only the registered algorithm. " + expectIDToken},
	FaultACRNotRequested: {step: StepToken, platforms: pcPlatform, outcome: OutcomeRefuse,
		desc:   "The id_token's acr is a level of the platform outside the requested set.",
		expect: "Check that acr is one of the requested levels (membership, not order). " + expectIDToken,
		notOn:  "FranceConnect has a single level, and FranceConnect+'s levels are ordered: a higher one is accepted"},
	FaultACRHigherUnlisted: {step: StepToken, platforms: pcPlatform, outcome: OutcomeRefuse,
		desc:   "The id_token's acr is higher than the requested levels but outside the set.",
		expect: "Check that acr is one of the requested levels (membership, not order). " + expectIDToken,
		notOn:  "FranceConnect+'s levels are ordered (a higher one is accepted) and FranceConnect has a single level"},
	FaultEncrypted: {step: StepToken, platforms: jwsPlatforms, outcome: OutcomeRefuse,
		desc: "The id_token is a JWE, to a client that expects a bare JWS.", expect: expectIDToken,
		notOn: alwaysJWE, notFor: alreadyEncrypted},
	FaultRefreshOtherSub: {step: StepToken, platforms: pcPlatform, outcome: OutcomeRefuse,
		desc:   "The id_token answered to a refresh is about another person (another sub).",
		expect: "Compare the refreshed id_token's sub with the session's and end the session when they differ.",
		notOn:  "only ProConnect issues refresh tokens"},

	// Userinfo.
	FaultUserinfoSubMismatch: {step: StepUserinfo, platforms: allPlatforms, outcome: OutcomeRefuse,
		desc: "The userinfo's sub differs from the id_token's.", expect: expectUserinfo},
	FaultUserinfoUnsigned: {step: StepUserinfo, platforms: allPlatforms, outcome: OutcomeRefuse,
		desc:   "The userinfo is plain JSON to a client that expects a signed one.",
		expect: "Accept only the registered format. " + expectUserinfo, notFor: jsonUserinfo},
	FaultUserinfoUnencrypted: {step: StepUserinfo, platforms: encPlatforms, outcome: OutcomeRefuse,
		desc: "The userinfo is a bare JWS to a client that expects a JWE.", expect: expectUserinfo,
		notOn: neverEncrypts, notFor: signedOnly},
	FaultUserinfoWrongIssuer: {step: StepUserinfo, platforms: allPlatforms, outcome: OutcomeRefuse,
		desc: "The userinfo's iss is another issuer.", expect: expectUserinfo, notFor: jsonUserinfo},
	FaultUserinfoWrongAudience: {step: StepUserinfo, platforms: allPlatforms, outcome: OutcomeRefuse,
		desc: "The userinfo's aud is another client.", expect: expectUserinfo, notFor: jsonUserinfo},
	FaultUserinfoBadSignature: {step: StepUserinfo, platforms: allPlatforms, outcome: OutcomeRefuse,
		desc: "The userinfo's signature is corrupted.", expect: expectUserinfo, notFor: jsonUserinfo},
	FaultUserinfoUnknownSigningKey: {step: StepUserinfo, platforms: allPlatforms, outcome: OutcomeRefuse,
		desc:   "The userinfo is signed by a key absent from the JWKS.",
		expect: "Fetch the JWKS again once for the unknown kid, then refuse the userinfo.", notFor: jsonUserinfo},
	FaultUserinfoServerError: {step: StepUserinfo, platforms: allPlatforms, outcome: OutcomeRefuse,
		desc:   "The userinfo request is answered HTTP 500 server_error.",
		expect: "Sign nobody in and say the platform had a technical problem."},
	FaultUserinfoWrongContentType: {step: StepUserinfo, platforms: allPlatforms, outcome: OutcomeRefuse,
		desc:   "The genuine userinfo token is served as text/plain instead of application/jwt.",
		expect: "Check the content type before decoding. " + expectUserinfo, notFor: jsonUserinfo},
	FaultUserinfoSigned: {step: StepUserinfo, platforms: pcPlatform, outcome: OutcomeRefuse,
		desc:   "The userinfo is a signed application/jwt to a client registered for plain JSON.",
		expect: "Accept only the registered format. " + expectUserinfo,
		notOn:  "the FranceConnect platforms always sign the userinfo", notFor: signedUserinfo},
	FaultUserinfoSigningAlgMismatch: {step: StepUserinfo, platforms: allPlatforms, outcome: OutcomeRefuse,
		desc:   "The userinfo is validly signed with another algorithm than the client's.",
		expect: "Accept only the registered algorithm. " + expectUserinfo, notFor: jsonUserinfo},
	FaultUserinfoEncrypted: {step: StepUserinfo, platforms: jwsPlatforms, outcome: OutcomeRefuse,
		desc: "The userinfo is a JWE, to a client that expects a bare JWS.", expect: expectUserinfo,
		notOn: alwaysJWE, notFor: both(alreadyEncrypted, jsonUserinfo)},
	FaultUserinfoExpiredToken: {step: StepUserinfo, platforms: allPlatforms, outcome: OutcomeRefuse,
		desc: "The userinfo request is answered HTTP 401 invalid_token (Y040001), as for an expired or revoked " +
			"access token.",
		expect: "Sign nobody in and start a new login; do not retry with the same token."},

	// Discovery.
	FaultDiscoveryWrongIssuer: {step: StepDiscovery, platforms: allPlatforms, outcome: OutcomeRefuse,
		desc:   "The discovery document names another issuer.",
		expect: "Refuse the document: start no login with it and report a configuration error."},
	FaultDiscoveryJWKSUnreachable: {step: StepDiscovery, platforms: allPlatforms, outcome: OutcomeRefuse,
		desc:   "The discovery document's jwks_uri points where nothing listens.",
		expect: "Fail with a clear error when the keys cannot be fetched; never accept tokens unverified."},
	FaultDiscoveryUnsupportedAlgs: {step: StepDiscovery, platforms: allPlatforms, outcome: OutcomeRefuse,
		desc:   "The discovery document advertises only algorithms the platform never uses (HS256, RSA1_5, A128CBC-HS256).",
		expect: "Refuse a provider that offers none of the algorithms the relying party accepts."},

	// Logout.
	FaultLogoutWrongState: {step: StepLogout, platforms: allPlatforms, outcome: OutcomeRefuse,
		desc: "The redirect back from logout carries another state.",
		expect: "Compare state on the logout callback and do not take the return as genuine (the local session " +
			"is already gone)."},

	// Latency, timeouts and hangs.
	FaultDiscoveryLatency:  {step: StepDiscovery, platforms: allPlatforms, outcome: OutcomeContinue, desc: descLatency, expect: expectSlow},
	FaultDiscoveryTimeout:  {step: StepDiscovery, platforms: allPlatforms, outcome: OutcomeRefuse, desc: descTimeout, expect: expectGiveUp},
	FaultDiscoveryHang:     {step: StepDiscovery, platforms: allPlatforms, outcome: OutcomeRefuse, desc: descHang, expect: expectGiveUp},
	FaultJWKSLatency:       {step: StepKeys, platforms: allPlatforms, outcome: OutcomeContinue, desc: descLatency, expect: expectSlow},
	FaultJWKSTimeout:       {step: StepKeys, platforms: allPlatforms, outcome: OutcomeRefuse, desc: descTimeout, expect: expectGiveUp},
	FaultJWKSHang:          {step: StepKeys, platforms: allPlatforms, outcome: OutcomeRefuse, desc: descHang, expect: expectGiveUp},
	FaultTokenLatency:      {step: StepToken, platforms: allPlatforms, outcome: OutcomeContinue, desc: descLatency, expect: expectSlow},
	FaultTokenTimeout:      {step: StepToken, platforms: allPlatforms, outcome: OutcomeRefuse, desc: descTimeout, expect: expectGiveUp},
	FaultTokenHang:         {step: StepToken, platforms: allPlatforms, outcome: OutcomeRefuse, desc: descHang, expect: expectGiveUp},
	FaultUserinfoLatency:   {step: StepUserinfo, platforms: allPlatforms, outcome: OutcomeContinue, desc: descLatency, expect: expectSlow},
	FaultUserinfoTimeout:   {step: StepUserinfo, platforms: allPlatforms, outcome: OutcomeRefuse, desc: descTimeout, expect: expectGiveUp},
	FaultUserinfoHang:      {step: StepUserinfo, platforms: allPlatforms, outcome: OutcomeRefuse, desc: descHang, expect: expectGiveUp},
	FaultRevocationLatency: {step: StepRevocation, platforms: allPlatforms, outcome: OutcomeContinue, desc: descLatency, expect: expectSlow},
	FaultRevocationTimeout: {step: StepRevocation, platforms: allPlatforms, outcome: OutcomeContinue, desc: descTimeout,
		expect: "Give up after its own timeout and end the local session all the same."},
	FaultRevocationHang: {step: StepRevocation, platforms: allPlatforms, outcome: OutcomeContinue, desc: descHang,
		expect: "Give up after its own timeout and end the local session all the same."},

	// Revocation errors and keys.
	FaultRevocationServerError: {step: StepRevocation, platforms: allPlatforms, outcome: OutcomeContinue,
		desc: "The revocation request is answered HTTP 500 server_error; the token is not revoked.", expect: expectRevocation},
	FaultRevocationUnavailable: {step: StepRevocation, platforms: allPlatforms, outcome: OutcomeContinue,
		desc:   "The revocation request is answered HTTP 503 temporarily_unavailable with Retry-After; the token is not revoked.",
		expect: expectRevocation},
	FaultSigningKeyRotated: {step: StepKeys, platforms: allPlatforms, outcome: OutcomeContinue,
		desc: "The signing key of the client's algorithm is replaced just before the id_token is signed; the " +
			"previous key stays published.",
		expect: "Fetch the JWKS again once for the unknown kid and accept the token.", notFor: hmacClient},

	// Levels and fresh authentication. A conformance run expects a refusal
	// of the two auth_time faults when the login that met them sent
	// prompt=login (see freshAuthFaults).
	FaultPromptLoginIgnored: {step: StepAuthorize, platforms: allPlatforms, outcome: OutcomeContinue,
		desc: "The code carries the browser's earlier login, as from a provider that ignores prompt=login: that " +
			"session's auth_time and level (eidas2 on FranceConnect+, eidas1 on FranceConnect), or without an " +
			"earlier login the identity picked, authenticated an hour ago.",
		expect: expectFreshAuth},
	FaultMissingAuthTime: {step: StepToken, platforms: allPlatforms, outcome: OutcomeContinue,
		desc: "The id_token has no auth_time.", expect: expectFreshAuth},
	FaultAZPOtherClient: {step: StepToken, platforms: allPlatforms, outcome: OutcomeRefuse,
		desc:   "The id_token carries an azp (authorized party) naming another client.",
		expect: "Refuse an azp other than the relying party's own client_id (OpenID Connect Core §3.1.3.7). " + expectIDToken},
	FaultPublicAgentsOnly: {step: StepAuthorize, platforms: pcPlatform, outcome: OutcomeRefuse,
		desc: "The callback carries error=access_denied with Y500015 in error_uri: the service is registered for " +
			"public agents only and the agent works for a private organisation.",
		expect: "Sign nobody in and tell the agent that the service is for public agents; do not take it for a " +
			"cancelled login.",
		notOn: "Y500015, a service restricted to public agents, is ProConnect's"},
}

// Descriptions shared by the endpoint faults.
const (
	descLatency = "The endpoint answers normally after a delay (Injection.Delay, 2 s by default)."
	descTimeout = "The endpoint never answers: the request is held until the client gives up (at most two minutes)."
	descHang    = "The endpoint sends the status, the headers and the first bytes of the body, then stalls until the client " +
		"gives up (at most two minutes)."
)
