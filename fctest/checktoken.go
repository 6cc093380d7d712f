package fctest

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// Content types of the answers to data providers (DATA-PROVIDERS.md §2, §3).
const (
	ctIntrospectionJWT = "application/token-introspection+jwt"
	ctJSON             = "application/json; charset=utf-8"
)

// handleChecktoken serves POST /checktoken (FranceConnect, FranceConnect+):
// exactly token, client_id and client_secret; the answer is a JWE (alg,
// enc, epk; no kid) to the data provider's key wrapping a JWS signed with
// its registered algorithm, whose payload is exactly iss, aud, iat and
// token_introspection (DATA-PROVIDERS.md §2).
func (s *Server) handleChecktoken(w http.ResponseWriter, r *http.Request) {
	if s.platform == ProConnect {
		http.NotFound(w, r)
		return
	}
	dp, form, te := s.dataProviderRequest(r, []string{"token", "client_id", "client_secret"})
	if te != nil {
		te.write(w)
		return
	}
	f := s.introspectionFault(r, dp, form.Get("token"))
	if f == FaultIntrospectionServerError {
		jsonError(w, http.StatusInternalServerError, "server_error", "The authorization server encountered an unexpected condition that prevented it from fulfilling the request.", "", "")
		return
	}
	claims := s.tokenIntrospection(dp, form.Get("token"), f)
	if f == FaultIntrospectionUnsigned {
		writeIntrospectionJSON(w, claims)
		return
	}
	body, err := s.introspectionJWT(r.Context(), dp, claims, f)
	if err != nil {
		jsonError(w, http.StatusInternalServerError, "server_error", "oops! something went wrong", err.Error(), "")
		return
	}
	writeIntrospection(w, body, f)
}

// handleIntrospection serves POST /token/introspection (ProConnect, RFC
// 7662 with client_secret_post): JSON, or with Accept
// application/token-introspection+jwt and a registered signing algorithm a
// signed JWT (RFC 9701), never encrypted (DATA-PROVIDERS.md §3).
func (s *Server) handleIntrospection(w http.ResponseWriter, r *http.Request) {
	if s.platform != ProConnect {
		http.NotFound(w, r)
		return
	}
	dp, form, te := s.dataProviderRequest(r, []string{"token", "client_id", "client_secret", "token_type_hint"})
	if te != nil {
		te.write(w)
		return
	}
	f := s.introspectionFault(r, dp, form.Get("token"))
	if f == FaultIntrospectionServerError {
		jsonError(w, http.StatusInternalServerError, "server_error", "oops! something went wrong", "", "")
		return
	}
	claims := s.tokenIntrospection(dp, form.Get("token"), f)
	wantJWT := dp.SignedResponseAlg != "" && strings.Contains(r.Header.Get("Accept"), ctIntrospectionJWT)
	if !wantJWT || f == FaultIntrospectionUnsigned {
		writeIntrospectionJSON(w, claims)
		return
	}
	body, err := s.introspectionJWT(r.Context(), dp, claims, f)
	if err != nil {
		jsonError(w, http.StatusInternalServerError, "server_error", "oops! something went wrong", err.Error(), "")
		return
	}
	writeIntrospection(w, body, f)
}

// introspectionFault takes the fault for dp's check of tok: a flow of the
// data provider (what Injection.ClientID aims at) about the person the token
// was issued for (Injection.Login), if the token is known.
func (s *Server) introspectionFault(r *http.Request, dp *registeredDP, tok string) Fault {
	s.mu.Lock()
	var login string
	if at := s.tokens[tok]; at != nil {
		login = at.login
	}
	s.mu.Unlock()
	return s.takeFault(pointIntrospection, flowOf(r, dp.ID, login))
}

// writeIntrospectionJSON answers the claims as plain JSON (RFC 7662).
func writeIntrospectionJSON(w http.ResponseWriter, claims map[string]any) {
	w.Header().Set("Content-Type", ctJSON)
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(claims)
}

// writeIntrospection answers a signed (and maybe encrypted) answer.
func writeIntrospection(w http.ResponseWriter, body string, f Fault) {
	ct := ctIntrospectionJWT
	if f == FaultIntrospectionContentType {
		ct = ctJSON
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte(body))
}

// dataProviderRequest reads the form, whose members must be among allowed
// (token required), and authenticates the data provider: 400
// invalid_request or 401 invalid_client, with FranceConnect's texts.
func (s *Server) dataProviderRequest(r *http.Request, allowed []string) (*registeredDP, url.Values, *tokenErr) {
	form, te := readForm(r)
	if te != nil {
		return nil, nil, te
	}
	bad := &tokenErr{status: http.StatusBadRequest, oauthErr: "invalid_request", desc: "Required parameter missing or invalid."}
	for k := range form {
		if !slices.Contains(allowed, k) {
			return nil, nil, bad
		}
	}
	if form.Get("token") == "" || form.Get("client_id") == "" || form.Get("client_secret") == "" {
		return nil, nil, bad
	}
	dp := s.dataProvider(form.Get("client_id"))
	if dp == nil || subtle.ConstantTimeCompare([]byte(form.Get("client_secret")), []byte(dp.Secret)) != 1 {
		return nil, nil, &tokenErr{status: http.StatusUnauthorized, oauthErr: "invalid_client", desc: "Client authentication failed."}
	}
	return dp, form, nil
}

// tokenIntrospection is the token_introspection member for tok as dp sees
// it (DATA-PROVIDERS.md §2, §3), altered by f: {"active": false} for an
// unknown, expired or revoked token; otherwise the service provider it was
// issued to, a sub for the data provider (ProConnect's own on ProConnect),
// iat, exp, acr, jti, the scopes filtered down to dp's and, on the
// FranceConnect platforms, the pivot identity (an empty birthplace for a
// person born abroad, as the platform sends it).
func (s *Server) tokenIntrospection(dp *registeredDP, tok string, f Fault) map[string]any {
	now := s.clock()
	s.mu.Lock()
	at := s.tokens[tok]
	s.mu.Unlock()
	if at == nil || !now.Before(at.expires) || f == FaultIntrospectionInactive {
		return map[string]any{"active": false}
	}
	scopes := slices.DeleteFunc(slices.Clone(at.scopes), func(sc string) bool { return !slices.Contains(dp.Scopes, sc) })
	if f == FaultIntrospectionScopeMissing && len(scopes) > 0 {
		scopes = scopes[:len(scopes)-1]
	}
	ti := map[string]any{"active": true, "iat": at.expires.Add(-accessTokenTTL).Unix(), "exp": at.expires.Unix(),
		"acr": at.acr, "jti": randomHex(16), "scope": strings.Join(scopes, " ")}
	client := at.clientID
	if f == FaultIntrospectionOtherClient {
		client = "another-client-" + randomHex(8)
	}
	if f == FaultIntrospectionExpired {
		ti["iat"], ti["exp"] = now.Add(-2*accessTokenTTL).Unix(), now.Add(-accessTokenTTL).Unix()
	}
	if s.platform == ProConnect {
		ti["client_id"], ti["sub"], ti["iss"], ti["token_type"] = client, s.agentSub(at.login), s.issuer, "Bearer"
		return ti
	}
	ti["aud"], ti["sub"] = client, computeSub(dp.ID, at.login, s.opts.SubjectSecret)
	id, _ := s.identity(at.login)
	for _, c := range []string{"given_name", "given_name_array", "family_name", "birthdate", "gender", "birthplace", "birthcountry"} {
		ti[c], _ = identityClaim(id, c, s.platform)
	}
	return ti
}

// introspectionJWT signs (and on the FranceConnect platforms encrypts) the
// answer: exactly iss, aud, iat and token_introspection, altered by f.
func (s *Server) introspectionJWT(ctx context.Context, dp *registeredDP, ti map[string]any, f Fault) (string, error) {
	payload, err := introspectionPayload(s.issuer, dp.ID, s.clock(), ti, f)
	if err != nil {
		return "", err
	}
	jws, err := s.signJWT(dp.rc, dp.SignedResponseAlg, payload, signingFault(f))
	switch {
	case err != nil:
		return "", err
	case s.platform == ProConnect && f == FaultIntrospectionEncrypted:
		return s.encryptToStranger(dp.rc, jws)
	case s.platform == ProConnect || f == FaultIntrospectionUnencrypted:
		return jws, nil
	case f == FaultIntrospectionNotJWS:
		return s.encryptForDataProvider(ctx, dp, string(payload), f)
	}
	return s.encryptForDataProvider(ctx, dp, jws, f)
}

// introspectionPayload encodes the JWT claims of an answer, written by hand
// for the faults that break JSON's usual shape (repeated or renamed
// members).
func introspectionPayload(issuer, aud string, now time.Time, ti map[string]any, f Fault) ([]byte, error) {
	inner, err := json.Marshal(ti)
	if err != nil {
		return nil, err
	}
	iat := now.Unix()
	claims := map[string]any{"iss": issuer, "aud": aud, "iat": iat}
	switch f {
	case FaultIntrospectionWrongIssuer:
		claims["iss"] = wrongIssuer
	case FaultIntrospectionWrongAudience:
		claims["aud"] = "another-data-provider-" + randomHex(8)
	case FaultIntrospectionIssuedInFuture:
		claims["iat"] = iat + 600
	case FaultIntrospectionMissingIssuedAt:
		delete(claims, "iat")
	case FaultIntrospectionMemberCase:
		claims["Aud"] = claims["aud"]
		delete(claims, "aud")
	}
	head, err := json.Marshal(claims)
	if err != nil {
		return nil, err
	}
	out := string(head[:len(head)-1]) + `,"token_introspection":` + string(inner) + "}"
	if f == FaultIntrospectionRepeatedMember {
		out = string(head[:len(head)-1]) + `,"token_introspection":{"active":false},"token_introspection":` + string(inner) + "}"
	}
	return []byte(out), nil
}

// signingFault maps an introspection fault to the signing fault of the
// service providers' tokens that does the same damage.
func signingFault(f Fault) Fault {
	return map[Fault]Fault{
		FaultIntrospectionBadSignature: FaultBadSignature, FaultIntrospectionUnknownKey: FaultUnknownSigningKey,
		FaultIntrospectionAlgNone: FaultAlgNone, FaultIntrospectionAlgHS256: FaultAlgHS256,
		FaultIntrospectionSigningAlgMismatch: FaultSigningAlgMismatch,
	}[f]
}

// encryptForDataProvider wraps plaintext in a JWE to the first key of the
// data provider fitting its algorithm, with a protected header of only alg,
// enc and, for ECDH-ES, epk (DATA-PROVIDERS.md §2: no kid), altered by f.
func (s *Server) encryptForDataProvider(ctx context.Context, dp *registeredDP, plaintext string, f Fault) (string, error) {
	set, err := s.dpKeySet(dp, func(u string) (*jose.JSONWebKeySet, error) {
		set, _, err := fetchJWKS(ctx, u)
		return set, err
	})
	if err != nil {
		return "", err
	}
	key, alg, err := selectEncryptionKey(set, dp.EncryptedResponseAlg)
	if err != nil {
		return "", err
	}
	enc, pub := jose.A256GCM, key.Key
	switch f {
	case FaultIntrospectionEncryptionAlgMismatch:
		alg = map[string]string{algRSAOAEP256: algRSAOAEP, algRSAOAEP: algRSAOAEP256, algECDHES: string(jose.ECDH_ES_A256KW)}[alg]
	case FaultIntrospectionEncryptionEnc:
		enc = jose.A128GCM
	case FaultIntrospectionWrongEncryptionKey:
		if pub, err = strangerKey(pub); err != nil {
			return "", err
		}
	}
	e, err := jose.NewEncrypter(enc, jose.Recipient{Algorithm: jose.KeyAlgorithm(alg), Key: pub}, nil)
	if err != nil {
		return "", err
	}
	obj, err := e.Encrypt([]byte(plaintext))
	if err != nil {
		return "", err
	}
	return obj.CompactSerialize()
}
