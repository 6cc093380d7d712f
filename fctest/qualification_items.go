package fctest

// The 13 items of FranceConnect's qualification checklist (spec §17), the
// checks the emulator makes of each, and what remains to check by hand, in
// English for programs and in French for the page.

// itemDef is an item of the checklist.
type itemDef struct {
	n                  int
	en, fr             string
	checks             []checkDef
	byHandEN, byHandFR string
}

// checkDef is a check: eval turns observations into evidence, and the
// faults' conformance verdicts and applications add theirs.
type checkDef struct {
	id     string
	en, fr string
	eval   func(*qualView) []Evidence
	faults []Fault
}

var itemDefs = []itemDef{
	{n: 1, en: "Authorization code flow only; server-side token exchange; secret never in the browser",
		fr: "Flux « code d'autorisation » uniquement ; échange du code côté serveur ; secret jamais dans le navigateur",
		checks: []checkDef{
			{id: "response-type-code", en: "Every authorization request asks for response_type=code.",
				fr: "Chaque demande d'autorisation porte response_type=code.", eval: evalResponseType},
			{id: "server-side-exchange", en: "The code is redeemed by a server with client_secret_post, not by a browser.",
				fr:   "Le code est échangé par un serveur, avec client_secret_post, et non par un navigateur.",
				eval: evalServerSide},
		},
		byHandEN: "The client secret appears in no page, script, mobile app or repository, and is read from the server's configuration.",
		byHandFR: "Le secret client n'apparaît dans aucune page, aucun script, aucune application mobile ni aucun dépôt de code ; " +
			"le serveur le lit dans sa configuration."},
	{n: 2, en: "state random, bound to the browser session, checked on the callback and on the return from logout",
		fr: "state aléatoire, lié à la session du navigateur, vérifié au retour de connexion et au retour de déconnexion",
		checks: []checkDef{
			{id: "state-present", en: "Every authorization and logout request carries a state.",
				fr: "Chaque demande d'autorisation et de déconnexion porte un state.", eval: evalStatePresent},
			{id: "state-length", en: "Every state has 32 characters or more.",
				fr: "Chaque state compte au moins 32 caractères.", eval: evalStateLength},
			{id: "state-unique", en: "No state is ever sent twice.",
				fr: "Aucun state n'est envoyé deux fois.", eval: evalStateUnique},
			{id: "state-checked", en: "A callback or a return from logout with another state, or without one, is refused.",
				fr:     "Un retour de connexion ou de déconnexion avec un autre state, ou sans state, est refusé.",
				faults: []Fault{FaultCallbackWrongState, FaultCallbackMissingState, FaultLogoutWrongState}},
		},
		byHandEN: "state is drawn from a cryptographic random generator and kept server side or in a sealed cookie, for one use.",
		byHandFR: "Le state est tiré d'un générateur aléatoire cryptographique et conservé côté serveur ou dans un cookie " +
			"scellé, pour un seul usage."},
	{n: 3, en: "nonce random, bound to the session, checked in the id_token",
		fr: "nonce aléatoire, lié à la session, vérifié dans l'id_token",
		checks: []checkDef{
			{id: "nonce-present", en: "Every authorization request carries a nonce.",
				fr: "Chaque demande d'autorisation porte un nonce.", eval: evalNoncePresent},
			{id: "nonce-length", en: "Every nonce has 32 characters or more.",
				fr: "Chaque nonce compte au moins 32 caractères.", eval: evalNonceLength},
			{id: "nonce-unique", en: "No nonce is ever sent twice.",
				fr: "Aucun nonce n'est envoyé deux fois.", eval: evalNonceUnique},
			{id: "nonce-checked", en: "An id_token with another nonce, or without one, is refused.",
				fr:     "Un id_token portant un autre nonce, ou aucun, est refusé.",
				faults: []Fault{FaultWrongNonce, FaultMissingNonce}},
		},
		byHandEN: "nonce is drawn from a cryptographic random generator and kept with the state.",
		byHandFR: "Le nonce est tiré d'un générateur aléatoire cryptographique et conservé avec le state."},
	{n: 4, en: "id_token signature (FranceConnect's keys, fetched again for an unknown kid), iss, aud, exp; JWE decrypted with your key",
		fr: "Signature de l'id_token (clés de FranceConnect, rechargées pour un kid inconnu), iss, aud, exp ; JWE déchiffré avec votre clé",
		checks: []checkDef{
			{id: "id-token-checked", en: "A forged or altered id_token, or a callback from another issuer, is refused.",
				fr: "Un id_token forgé ou altéré, ou un retour d'un autre émetteur, est refusé.", faults: idTokenFaults()},
			{id: "key-rotation", en: "A token signed by a new key, or without kid, is accepted once the keys are fetched again.",
				fr:     "Un jeton signé par une nouvelle clé, ou sans kid, est accepté après un nouveau chargement des clés.",
				faults: []Fault{FaultSigningKeyRotated, FaultMissingKid}},
		}},
	{n: 5, en: "acr at least the requested level",
		fr: "acr au moins égal au niveau demandé",
		checks: []checkDef{
			{id: "acr-requested", en: "Every authorization request asks for a level the platform offers.",
				fr: "Chaque demande d'autorisation demande un niveau proposé par la plateforme.", eval: evalACRRequested},
			{id: "acr-checked", en: "An id_token below the requested level, or outside it, is refused; a higher one is accepted on FranceConnect+.",
				fr: "Un id_token de niveau inférieur à celui demandé, ou hors de l'ensemble demandé, est refusé ; un niveau supérieur est accepté sur FranceConnect+.",
				faults: []Fault{FaultACRLower, FaultUnknownACR, FaultMissingACR, FaultACRNotRequested, FaultACRHigherUnlisted,
					FaultACRHigher}},
			{id: "auth-time-checked", en: "After prompt=login, an id_token without auth_time, or with an earlier session's, is refused; without prompt=login it may be accepted.",
				fr:     "Après prompt=login, un id_token sans auth_time, ou avec celui d'une session antérieure, est refusé ; sans prompt=login, il peut être accepté.",
				faults: freshAuthFaults},
		}},
	{n: 6, en: "userinfo signature (and decryption on FranceConnect+), sub equal to the id_token's",
		fr: "Signature du userinfo (et déchiffrement sur FranceConnect+), sub égal à celui de l'id_token",
		checks: []checkDef{
			{id: "userinfo-checked", en: "A forged or altered userinfo answer is refused.",
				fr: "Une réponse userinfo forgée ou altérée est refusée.", faults: userinfoFaults()},
		}},
	{n: 7, en: "Error callback handled gracefully, another way to sign in offered",
		fr: "Retour en erreur traité proprement, autre moyen de connexion proposé",
		checks: []checkDef{
			{id: "callback-errors", en: "A callback with error signs nobody in.",
				fr: "Un retour de connexion en erreur ne connecte personne.",
				faults: []Fault{FaultAccessDenied, FaultServerError, FaultTemporarilyUnavailable, FaultLoginRequired,
					FaultConsentRequired, FaultInteractionRequired, FaultACRNotSatisfied, FaultPublicAgentsOnly}},
			{id: "platform-failures", en: "A failing, slow or silent token or userinfo endpoint signs nobody in, or completes within the service's own timeout.",
				fr: "Un point d'accès token ou userinfo en panne, lent ou muet ne connecte personne, ou aboutit dans le délai du service.",
				faults: []Fault{FaultTokenServerError, FaultUserinfoServerError, FaultTokenLatency, FaultTokenTimeout,
					FaultTokenHang, FaultUserinfoLatency, FaultUserinfoTimeout, FaultUserinfoHang}},
		},
		byHandEN: "The error page says what happened in plain French and offers the service's other ways to sign in.",
		byHandFR: "La page d'erreur dit ce qui s'est passé en français clair et propose les autres moyens de connexion du service."},
	{n: 8, en: "Code redeemed and userinfo called right away (30 s code, 60 s token)",
		fr: "Code échangé et userinfo appelé aussitôt (code valable 30 s, jeton 60 s)",
		checks: []checkDef{
			{id: "code-prompt", en: "Each code is redeemed once, within 10 seconds of the callback.",
				fr: "Chaque code est échangé une seule fois, dans les 10 secondes qui suivent le retour.", eval: evalCodePrompt},
			{id: "userinfo-prompt", en: "userinfo is called within 10 seconds of the exchange, with the token in the Authorization header.",
				fr:   "userinfo est appelé dans les 10 secondes qui suivent l'échange, avec le jeton dans l'en-tête Authorization.",
				eval: evalUserinfoPrompt},
		}},
	{n: 9, en: "Logout through the browser with id_token_hint (inner JWS), state and a registered post_logout_redirect_uri; returned state checked",
		fr: "Déconnexion par le navigateur avec id_token_hint (JWS interne), state et post_logout_redirect_uri déclarée ; state vérifié au retour",
		checks: []checkDef{
			{id: "logout-browser", en: "session/end is reached through the browser, with FranceConnect's session cookie.",
				fr: "session/end est atteint par le navigateur, avec le cookie de session de FranceConnect.", eval: evalLogoutBrowser},
			{id: "logout-hint", en: "id_token_hint is the signed id_token (JWS) the emulator issued to this client.",
				fr: "id_token_hint est l'id_token signé (JWS) que l'émulateur a délivré à ce client.", eval: evalLogoutHint},
			{id: "logout-state", en: "The logout carries a state of 32 characters or more.",
				fr: "La déconnexion porte un state d'au moins 32 caractères.", eval: evalLogoutState},
			{id: "logout-redirect", en: "The logout names a registered post_logout_redirect_uri.",
				fr: "La déconnexion indique une post_logout_redirect_uri déclarée.", eval: evalLogoutRedirect},
			{id: "logout-state-checked", en: "A return from logout with another state is not taken as genuine.",
				fr:     "Un retour de déconnexion avec un autre state n'est pas pris pour authentique.",
				faults: []Fault{FaultLogoutWrongState}},
			{id: "revocation", en: "(Optional) The access token is revoked at logout; a failing revocation still ends the session.",
				fr:   "(Facultatif) Le jeton d'accès est révoqué à la déconnexion ; une révocation en échec met fin à la session malgré tout.",
				eval: evalRevocation, faults: []Fault{FaultRevocationServerError, FaultRevocationUnavailable,
					FaultRevocationLatency, FaultRevocationTimeout, FaultRevocationHang}},
		}},
	{n: 10, en: "Only the scopes granted (Datapass) and the claims allowed",
		fr: "Uniquement les scopes accordés (Datapass) et les claims autorisés",
		checks: []checkDef{
			{id: "scopes-granted", en: "Every scope requested is granted to the client, openid included.",
				fr: "Chaque scope demandé est accordé au client, openid compris.", eval: evalScopes},
			{id: "claims-allowed", en: "The claims parameter is valid JSON and asks only for what the client may ask (amr).",
				fr:   "Le paramètre claims est un JSON valide et ne demande que ce que le client peut demander (amr).",
				eval: evalClaims},
		},
		byHandEN: "The scopes match the data your Datapass grants, and you use each of them.",
		byHandFR: "Les scopes correspondent aux données accordées par votre Datapass, et chacune sert au service."},
	{n: 11, en: "Official button, hover state, explanatory text and \"Qu'est-ce que FranceConnect ?\" link, \"OU\" separator, first position",
		fr: "Bouton officiel, état de survol, texte explicatif et lien « Qu'est-ce que FranceConnect ? », séparateur « OU », première position",
		byHandEN: "The official button (DSFR component or FranceConnect's images) with its hover state, the sentence and the " +
			"\"Qu'est-ce que FranceConnect ?\" link 12 px below, an \"OU\" separating it from the other methods, in first " +
			"position on public services, on the sign-up pages too.",
		byHandFR: "Le bouton officiel (composant du DSFR ou images de FranceConnect) avec son état de survol, la phrase et le lien " +
			"« Qu'est-ce que FranceConnect ? » 12 px en dessous, un « OU » le séparant des autres moyens, en première position " +
			"sur les services publics, sur les pages d'inscription aussi."},
	{n: 12, en: "No integration keys in production; redirect URIs without #, all declared (sector identifier for several hosts)",
		fr: "Pas de clés d'intégration en production ; URL de retour sans #, toutes déclarées (identifiant de secteur pour plusieurs hôtes)",
		checks: []checkDef{
			{id: "redirect-registered", en: "Every redirect_uri and post_logout_redirect_uri sent is registered, exactly.",
				fr: "Chaque redirect_uri et post_logout_redirect_uri envoyée est déclarée, à l'identique.", eval: evalRedirects},
		},
		byHandEN: "Production uses its own client_id, secret and key pair; every URL is https and declared; a " +
			"sector_identifier_uri lists them when they span several hosts.",
		byHandFR: "La production a ses propres client_id, secret et paire de clés ; chaque URL est en https et déclarée ; un " +
			"sector_identifier_uri les liste quand elles couvrent plusieurs hôtes."},
	{n: 13, en: "Production keys requested at least 3 weeks before going live, after qualification",
		fr:       "Clés de production demandées au moins 3 semaines avant la mise en ligne, après la qualification",
		byHandEN: "Plan the request of the production keys three weeks or more before going live.",
		byHandFR: "Prévoir la demande des clés de production au moins trois semaines avant la mise en ligne."},
}

// idTokenFaults are the faults of item 4: every forged token answer but
// those of the nonce and acr items, the callback's issuer, the provider's
// documents.
func idTokenFaults() []Fault {
	out := []Fault{FaultCallbackWrongIssuer, FaultCallbackMissingIssuer, FaultDiscoveryWrongIssuer,
		FaultDiscoveryJWKSUnreachable, FaultDiscoveryUnsupportedAlgs}
	for _, f := range AllFaults() {
		if forged(f, StepToken) && !isNonceOrACR(f) && f != FaultTokenServerError {
			out = append(out, f)
		}
	}
	return out
}

func isNonceOrACR(f Fault) bool {
	switch f {
	case FaultWrongNonce, FaultMissingNonce, FaultACRLower, FaultUnknownACR, FaultMissingACR,
		FaultACRNotRequested, FaultACRHigherUnlisted:
		return true
	}
	return false
}

// userinfoFaults are the faults of item 6.
func userinfoFaults() []Fault {
	var out []Fault
	for _, f := range AllFaults() {
		if forged(f, StepUserinfo) && f != FaultUserinfoServerError {
			out = append(out, f)
		}
	}
	return out
}
