// Package fctest is an in-process FranceConnect+ (and FranceConnect v2, and
// ProConnect) emulator for tests, in the spirit of net/http/httptest.
//
// A Server listens on a loopback port and serves the platform's endpoints
// under /api/v2 — discovery, JWKS, authorize (GET and POST), the
// identity-choice page, token, userinfo, session/end and token/revocation —
// with the rules of the real platform as recorded in the project's
// specification: the authorize parameter whitelist and its Y030007 error
// page, acr selection, 303 redirects carrying state and iss, 30-second
// single-use codes, client_secret_post, five-member token responses,
// id_tokens of exactly eight claims (nine with amr), ES256 signatures nested
// in a JWE (ECDH-ES, RSA-OAEP-256 or RSA-OAEP with A256GCM) on
// FranceConnect+, userinfo as application/jwt, logout that requires the
// fc_session_id cookie and a JWS id_token_hint, and JSON errors with
// FranceConnect's error_uri.
//
// Tokens are signed and encrypted with go-jose, independently of any client
// library under test.
//
// # Usage
//
// Example runs a whole FranceConnect+ login against a Server with plain
// net/http and go-jose: Register registers the service provider
// (Registration, the platform's registration form), SignIn plays the
// browser and picks an identity, and the code comes back to the service
// provider's callback. In a test, New starts a Server that the test's
// cleanup closes, and RegisterFS registers a service provider in one call:
// a fresh secret and key, and the FC_* variables its deployment would be
// given (FSConfig), which FSConfig.Setenv sets for the test
// (ExampleServer_RegisterFS).
//
// SignIn and Logout play the browser: they keep cookies, follow the
// emulator's redirects and click the identity's button on the
// identity-choice page, which a human can also use in a real browser (each
// button has the id "login-<Login>", the cancel link the id "cancel"). HTML
// error pages come back as *PageError values carrying the FranceConnect Y
// code.
//
// # Demo identities
//
// The identities of DemoPeople, on FranceConnect+ and FranceConnect, each
// covering an edge case a service provider meets in production
// (docs/identities.md has them as a table; FranceConnect answers eidas1 for
// all of them):
//
//   - camille: Camille Hélène ARNAUD, born 1984-05-23 in Paris 12e (75112),
//     eidas3. Identité de référence, née à Paris 12e.
//   - nom_usage: Sophie Anne MOREAU (usage name ROUSSEL), born 1979-09-30 in
//     Lyon 3e (69383), eidas3. Nom d'usage (ROUSSEL) différent du nom de
//     naissance.
//   - ne_algerie: Karim Youssef BENHADDOU, born 1971-02-17 abroad, Algérie
//     (99352), no birthplace, eidas3. Né à l'étranger (Algérie) : lieu de
//     naissance vide.
//   - nee_japon_presumee: Aiko Marguerite NAKAMURA, born 1990-01-01 (day and
//     month may be presumed) abroad, Japon (99217), no birthplace, eidas3. Née
//     au Japon, date présumée (jour et mois inconnus).
//   - jour_presume: Gaston Émile PELLETIER, born 1956-07-01 (day may be
//     presumed) in Bordeaux (33063), eidas3. Jour de naissance inconnu (date
//     présumée AAAA-MM-01).
//   - corse_sud: Jean-Baptiste Ange PIETRI, born 1962-11-03 in Ajaccio
//     (2A004), eidas3. Né en Corse-du-Sud (Ajaccio, code 2A004).
//   - haute_corse: Maria Ghjulia ALBERTINI, born 1995-08-14 in Bastia (2B033),
//     eidas3. Née en Haute-Corse (Bastia, code 2B033).
//   - sans_email: Lucien ROBIN, born 1948-04-20 in Nantes (44109), eidas3, no
//     email. Aucune adresse électronique transmise.
//   - accents: Éloïse Maëlle D'HÉRICOURT (usage name CŒURDEROY), born
//     1988-12-09 in Dijon (21231), eidas3. Accents, apostrophe et ligature Œ.
//   - mineur: Léo Martin FONTAINE, born (this year − 12)-06-15 in Rennes
//     (35238), eidas3. Mineur (12 ans).
//   - nom_compose: Anne-Sophie Juliette LEBRUN-DESCHAMPS, born 1981-03-08 in
//     Lille (59350), eidas3. Nom de famille composé.
//   - substantiel: Thomas Henri PERRIN, born 1993-12-24 in Toulouse (31555),
//     eidas2. Compte de niveau substantiel uniquement (eidas2).
//   - citoyenne_ue: Greta Johanna WEBER, born 1986-10-02 in "Hamburg",
//     Allemagne (99109), eidas3. Ressortissante européenne via le nœud eIDAS
//     (lieu de naissance libre).
//
// The agents of DemoAgents, on ProConnect:
//
//   - agent_mfa: Claire Lefèvre, Ministère de la Démonstration
//     (11000012200017), eidas1-mfa, amr pwd otp mfa. Agente de l'État, double
//     authentification (eidas1-mfa).
//   - agent_sans_mfa: Mathieu Garnier, Ministère de la Démonstration
//     (11000012200017), eidas1, amr pwd. Même ministère, mot de passe seul
//     (eidas1).
//   - agent_eidas2: Sophie Anne Marchand, Préfecture de la région Exemple
//     (12000987300015), eidas2, amr pwd otp mfa. Identité vérifiée, niveau
//     substantiel (eidas2).
//   - agent_eidas3: Bruno Tessier, Agence nationale des essais
//     (13001234700014), eidas3, amr hwk pin mfa. Carte agent à puce, niveau
//     élevé (eidas3).
//   - agent_territorial: Nadia Benali, Mairie de Villeneuve-Exemple
//     (21750567600015), eidas1, amr mail. Agente territoriale connectée par un
//     lien envoyé par courriel (amr mail).
//   - agent_hospitalier: Hugo Perrin, SIRET 26590012600011 without label,
//     eidas1 (idp_acr urn:fi-chu:niveau:basique), amr pwd. Fournisseur
//     d'identité qui ne dépasse pas eidas1 : il renvoie un niveau inconnu,
//     ramené à eidas1.
//   - dirigeant: Isabelle Roux, Exemple Conseil SAS (83412345700014),
//     https://proconnect.gouv.fr/assurance/certification-dirigeant, amr pwd
//     mail mfa. Dirigeante d'entreprise certifiée (certification-dirigeant).
//   - salarie_prive: Thomas Nguyen, SIRET 90123456700013 without label,
//     eidas0, amr pwd, no role. Salarié du privé, identité déclarative
//     (eidas0), sans rôle ni libellé d'organisation.
//
// # Testing a web app
//
// A Visitor drives a whole web app, an http.Handler served in-process
// (NewHandlerVisitor) or a base URL (NewVisitor), together with the emulator:
// open a page, start the login from its link or form, pick an identity,
// come back to the app's callback, log out through session/end. Each step
// returns the app's Response for the test to assert on, and faults injected
// with InjectFault show in those answers.
//
// # ProConnect
//
// Options.Platform = ProConnect plays ProConnect, the State's sign-in for
// public agents, which runs a fork of FranceConnect's core: the same routes
// under /api/v2, Y-code error pages, 303 redirects with state and iss,
// client_secret_post and browser logout with state. What differs:
//
//   - People are Agents (DemoAgents, or Options.Agents; ParseAgents reads
//     them from JSON) and the claims are an agent's: given_name, usual_name,
//     email, uid, siret, siren, organization_label, idp_id, idp_acr, roles,
//     phone_number, belonging_population, organizational_unit, groups,
//     custom, amr (with ProConnect's "mail"), by ProConnect's scopes. The sub
//     is the agent's account id, the same at every client (Agent.Sub).
//   - Authorize takes ProConnect's whitelist (client_id, response_type,
//     redirect_uri, scope, state, nonce, claims, acr_values, prompt,
//     idp_hint, login_hint, siret_hint, code_challenge,
//     code_challenge_method, response_mode); any other parameter, a
//     malformed nonce (1 to 512 ASCII characters), login_hint (an e-mail) or
//     siret_hint (14 digits) is the Y000400 page. nonce is optional.
//   - Levels are a set: an essential acr request in claims,
//     {"id_token":{"acr":{"essential":true,"values":[…]}}}, must contain the
//     agent's level, else the FS gets error=access_denied, "requested ACRs
//     could not be satisfied" and an error_uri carrying Y020032; a higher
//     level outside the set is refused too. acr_values and non-essential
//     requests are soft. The seven values are eidas0, eidas0-mfa, eidas1,
//     eidas1-mfa, eidas2, eidas3 and
//     https://proconnect.gouv.fr/assurance/certification-dirigeant; an
//     identity provider level outside them is returned as eidas1.
//   - prompt takes login, consent and none. After a login the browser holds
//     a ProConnect session (12 hours): prompt=none answers with a code
//     without the agent page when the session's level satisfies the
//     request, and with error=login_required otherwise.
//   - PKCE S256: a code issued with code_challenge needs the matching
//     code_verifier (invalid_grant otherwise); the plain method is refused.
//   - Each client registers its id_token algorithm, ES256, RS256 (keys of
//     both in one JWKS, told apart by kid and alg) or HS256 keyed by the
//     client secret, and its userinfo algorithm: a signed application/jwt,
//     or plain application/json when it registered none. Nothing is
//     encrypted: a client registered with encryption keys is refused.
//   - The token response adds a refresh_token; grant_type=refresh_token
//     redeems it for a new access token, a new refresh token and an id_token
//     of the same agent without nonce. Each refresh token works once; using
//     it again revokes every token of the login. Revocation takes refresh
//     tokens too.
//
// Where ProConnect's documentation and code disagree or are silent, the
// emulator chooses: access tokens live 60 seconds (the expires_in the
// platform answers, not the hour its documentation states), codes 60
// seconds and refresh tokens two hours (its documentation);
// authorization_response_iss_parameter_supported is true and every callback
// carries iss; response_mode is query only; without prompt, a live session
// still shows the agent page, so that a test picks its agent every time
// (prompt=none is the silent path), unless Options.SingleSignOn plays the
// platform's reuse of its session (July 2026: below eidas2 only); the
// e-mail one-time code that ProConnect adds for identity providers without
// MFA is not played; the codes of the
// pages ProConnect documents are used (Y000400, Y030031 for an unknown
// redirect_uri, Y030111 for an unknown post_logout_redirect_uri, Y030110
// without session), the others are FranceConnect's, and JSON error_uri
// values use FranceConnect's base.
//
// # Faults
//
// InjectFault queues protocol violations (wrong audience, expired token,
// unknown signing key, unencrypted id_token, userinfo sub mismatch, callback
// errors, a discovery document naming another issuer, a logout returning
// another state, and for ProConnect an id_token signed with another
// algorithm than the client's, a JWE, an acr outside the requested set,
// JSON userinfo to a client registered for a signed one, a refreshed
// id_token of another person, a callback without iss or with
// login_required, …) so that a service provider's test suite can check it
// rejects each of them; for levels and fresh authentication, a provider
// that ignores prompt=login and answers from its earlier session, an
// id_token without auth_time or with the azp of another client, and
// ProConnect's refusal of a private-sector agent (Y500015); and what
// operations throw at a service: a userinfo 401, latency, timeouts and
// stalled answers on each endpoint the service calls, revocation errors, a
// key rotation. See Fault for the list and Catalogue for each one's
// platforms, step and what a correct relying party does. Inject aims faults
// at a client, a person or several flows (so that parallel suites do not
// take each other's) and refuses those that cannot apply, saying why.
//
// # Data providers
//
// RegisterDataProvider registers a data provider next to the service
// providers: on FranceConnect and FranceConnect+ it calls checktoken and
// gets a JWE wrapping a JWS, on ProConnect token introspection (JSON, or a
// signed JWT), each answer filtered down to its scopes. The faults of
// StepCheckToken (FaultIntrospection…) alter those answers; they concern a
// data provider, never a service provider: Inject aims them at a data
// provider's client_id, and a conformance run of a service provider does
// not meet them.
//
// # Clock and records
//
// AdvanceClock moves the server clock so that codes, tokens, sessions and
// retired keys expire without sleeping; RotateSigningKeys rotates the
// provider keys, keeping the old ones for a while or not. Options.OnRequest
// receives a RequestRecord per request: endpoint, status, client, error and
// code, faults applied, never a token or personal data.
//
// # Options for other setups
//
// Options.TLS serves HTTPS (with a generated self-signed certificate unless
// one is given; Server.Certificate returns it for clients to trust),
// Options.ConnState observes client connections, Options.SigningKeys keeps
// the provider keys across restarts, Options.AutoLogin replaces the
// identity-choice page by a redirect, and Options.Middleware wraps the
// handler. ParseRegistrations and ParsePeople read service providers and
// identities from JSON files, and ParseFault reads a fault's name. The
// command fcemulator (cmd/fcemulator) builds on them to run the emulator as
// a program for service providers written in any language.
//
// # Simplifications
//
// The emulator has one identity provider and no consent page: picking an
// identity completes the login. Single sign-on is off unless
// Options.SingleSignOn is set (every authorize shows the identity-choice
// page, unless Options.AutoLogin is set); there is no
// sector_identifier_uri check, no HS256 clients and no request objects or
// PKCE on the FranceConnect platforms, and ProConnect's private-sector restriction
// (Y500015) is only the fault FaultPublicAgentsOnly. Error codes the
// specification does not record are derived by the emulator and will not
// match the platform's.
package fctest
