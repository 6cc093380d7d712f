package fcdata

import (
	"context"
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"errors"
	"slices"
	"strings"
	"time"

	gojose "github.com/go-jose/go-jose/v4"
	gojson "github.com/go-jose/go-jose/v4/json"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/go-franceconnect/franceconnect"
	"github.com/go-franceconnect/franceconnect/internal/jose"
)

// ctJWT is the media type of a signed answer (RFC 9701 §4).
const ctJWT = "application/token-introspection+jwt"

// maxMembers bounds the members of an answer.
const maxMembers = 256

// answer checks a 200 answer of the platform and returns its verdict. The
// pipeline reads top to bottom: media type → JWE (FranceConnect,
// FranceConnect+: required, decrypted with our key of its alg) → JWS
// (the registered algorithm only, the platform's key by kid and alg, or
// HS256 keyed by our secret on ProConnect) → the JWT's members (exact
// names, none repeated; iss, aud exactly our client_id, iat) →
// token_introspection. On ProConnect without SigningAlg the answer is the
// JSON of token_introspection itself, and a JWT is refused.
func (v *Verifier) answer(ctx context.Context, mediaType string, body []byte) (*Introspection, error) {
	jsonOnly := v.s.platform == franceconnect.ProConnect && v.s.sigAlg == ""
	switch {
	case jsonOnly && mediaType == "application/json":
		return v.verdict(body)
	case jsonOnly:
		return nil, v.s.formSetting(fail(franceconnect.ErrContentType,
			"%q, want application/json (no signing algorithm configured)", mediaType), mediaType)
	case mediaType != ctJWT:
		return nil, v.s.formSetting(fail(franceconnect.ErrContentType,
			"%q, want %s: a signed answer is never downgraded", mediaType, ctJWT), mediaType)
	}
	raw := strings.TrimRight(string(body), " \t\r\n")
	signed, err := v.open(raw)
	if err != nil {
		return nil, err
	}
	payload, err := v.verify(ctx, signed)
	if err != nil {
		return nil, err
	}
	inner, err := v.claims(payload)
	if err != nil {
		return nil, err
	}
	return v.verdict(inner)
}

// open decrypts the JWE of FranceConnect and FranceConnect+ and returns the
// JWS it carries; on ProConnect, which never encrypts, a JWE is refused.
func (v *Verifier) open(raw string) (string, error) {
	switch segs := jose.Segments(raw); {
	case segs == 3 && v.s.platform == franceconnect.ProConnect:
		return raw, nil
	case segs == 3:
		return "", fail(franceconnect.ErrUnencrypted, "%v encrypts every checktoken answer: a bare JWS is refused", v.s.platform)
	case segs != 5:
		return "", fail(franceconnect.ErrMalformedToken, "neither a compact JWE nor a JWS")
	}
	// On ProConnect, which never encrypts, a data provider has no keys:
	// CheckJWE refuses every alg (ErrAlgorithm).
	h, err := jose.CheckJWE(raw, v.s.encAlgs)
	if err != nil {
		err = errorf("%w: %w", ErrIntrospection, err)
		if errors.Is(err, franceconnect.ErrAlgorithm) && slices.Contains([]string{franceconnect.ECDHES,
			franceconnect.RSAOAEP256, franceconnect.RSAOAEP}, h.Alg) {
			return "", keysSetting(fail(franceconnect.ErrAlgorithm, "the answer is encrypted %s, which no key of ours is for", h.Alg))
		}
		return "", err
	}
	switch {
	case h.Cty != "" && !strings.EqualFold(h.Cty, "JWT"):
		return "", fail(franceconnect.ErrMalformedToken, "JWE cty %q, want JWT", h.Cty)
	case h.Iss != "" && h.Iss != v.s.issuer:
		return "", fail(franceconnect.ErrIssuerMismatch, "JWE header iss %q", h.Iss)
	case h.Aud != nil && (len(h.Aud) != 1 || h.Aud[0] != v.s.clientID):
		return "", fail(franceconnect.ErrInvalidAudience, "JWE header aud is not our client_id")
	}
	plain, err := v.decrypt(raw, h)
	if err != nil {
		return "", err
	}
	if err := h.Unlisted(); err != nil {
		return "", errorf("%w: %w", ErrIntrospection, err)
	}
	return plain, nil // verify refuses anything but a compact JWS (ErrMalformedToken)
}

// decrypt opens the JWE with our keys of its alg: the one named by kid, or,
// as FranceConnect names none (it picks the data provider's first key of
// the registered alg), each key of that alg in turn. A key is bound to its
// algorithm. Every failure reads the same: no oracle.
func (v *Verifier) decrypt(raw string, h jose.Header) (string, error) {
	keyAlgs := make([]gojose.KeyAlgorithm, len(v.s.encAlgs))
	for i, a := range v.s.encAlgs {
		keyAlgs[i] = gojose.KeyAlgorithm(a)
	}
	jwe, err := gojose.ParseEncryptedCompact(raw, keyAlgs, []gojose.ContentEncryption{gojose.A256GCM})
	if err != nil {
		return "", fail(franceconnect.ErrMalformedToken, "%v", err)
	}
	for _, k := range v.s.keys {
		if k.Algorithm != h.Alg || h.Kid != "" && k.ID != h.Kid {
			continue
		}
		if plain, err := jwe.Decrypt(k.Private); err == nil {
			return string(plain), nil
		}
	}
	return "", keysSetting(errorf("%w: %w", ErrIntrospection, franceconnect.ErrDecryption))
}

// decryptionKey is k's private key as go-jose takes it: an
// *ecdh.PrivateKey becomes the *ecdsa.PrivateKey it is (keys checked by
// New, converted once there).
func decryptionKey(k franceconnect.Key) crypto.PrivateKey {
	if p, ok := k.Private.(*ecdh.PrivateKey); ok {
		if e, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), p.Bytes()); err == nil {
			return e
		}
	}
	return k.Private
}

// verify checks the JWS and returns its payload. On FranceConnect+ with
// InsecureAcceptUnverifiedCheckToken, a signature that does not verify
// under a genuine platform key is accepted, and logged.
func (v *Verifier) verify(ctx context.Context, signed string) ([]byte, error) {
	h, err := jose.CheckJWS(signed, []string{v.s.sigAlg})
	if errors.Is(err, franceconnect.ErrAlgorithm) {
		return nil, v.s.signingSetting(errorf("%w: %w", ErrIntrospection, err), h.Alg)
	}
	if err != nil {
		return nil, errorf("%w: %w", ErrIntrospection, err)
	}
	jws, err := gojose.ParseSignedCompact(signed, []gojose.SignatureAlgorithm{gojose.SignatureAlgorithm(v.s.sigAlg)})
	if err != nil {
		return nil, fail(franceconnect.ErrMalformedToken, "%v", err)
	}
	var key any = []byte(v.s.secret)
	if h.Alg != "HS256" {
		pub, err := v.keys.lookup(ctx, h.Kid, h.Alg)
		if err != nil {
			return nil, err
		}
		key = pub.Key
	}
	payload, err := jws.Verify(key)
	if err != nil {
		if !v.s.insecure {
			return nil, errorf("%w: %w", ErrIntrospection, franceconnect.ErrSignature)
		}
		v.s.log.WarnContext(ctx, "fcdata: accepting a checktoken answer whose signature does not verify (InsecureAcceptUnverifiedCheckToken)", "kid", h.Kid)
		payload = jws.UnsafePayloadWithoutVerification()
	}
	if err := h.Unlisted(); err != nil {
		return nil, errorf("%w: %w", ErrIntrospection, err)
	}
	return payload, nil
}

// claims checks the JWT members (exact names, none repeated at any depth):
// iss the issuer, aud exactly our client_id, iat present and not in the
// future; it returns token_introspection, which must be an object.
func (v *Verifier) claims(payload []byte) ([]byte, error) {
	members, err := jose.Object(payload, maxMembers)
	if err != nil {
		return nil, errorf("%w: %w", ErrIntrospection, err)
	}
	var cl struct {
		Issuer   string           `json:"iss"`
		Audience jwt.Audience     `json:"aud"`
		IssuedAt *jwt.NumericDate `json:"iat"`
	}
	if err := gojson.Unmarshal(payload, &cl); err != nil {
		return nil, fail(franceconnect.ErrMalformedToken, "claims: %v", err)
	}
	now := v.s.now()
	ti := members["token_introspection"]
	switch {
	case cl.Issuer != v.s.issuer:
		return nil, fail(franceconnect.ErrIssuerMismatch, "iss %q, want %q", cl.Issuer, v.s.issuer)
	case len(cl.Audience) != 1 || cl.Audience[0] != v.s.clientID:
		return nil, fail(franceconnect.ErrInvalidAudience, "aud %q is not exactly our client_id", []string(cl.Audience))
	case cl.IssuedAt == nil:
		return nil, fail(franceconnect.ErrMissingClaim, "iat is missing")
	case cl.IssuedAt.Time().After(now.Add(v.s.leeway)):
		return nil, fail(franceconnect.ErrIssuedInFuture, "iat %s is in the future", cl.IssuedAt.Time().UTC().Format(time.RFC3339))
	case len(ti) == 0 || ti[0] != '{':
		return nil, fail(franceconnect.ErrMissingClaim, "token_introspection is missing or not an object")
	}
	return ti, nil
}

// answerClaims are the members of token_introspection.
type answerClaims struct {
	Active            *bool            `json:"active"`
	Scope             string           `json:"scope"`
	ClientID          string           `json:"client_id"`
	Audience          jwt.Audience     `json:"aud"`
	Subject           string           `json:"sub"`
	Expiry            *jwt.NumericDate `json:"exp"`
	IssuedAt          *jwt.NumericDate `json:"iat"`
	ACR               string           `json:"acr"`
	JTI               string           `json:"jti"`
	GivenName         string           `json:"given_name"`
	GivenNameArray    []string         `json:"given_name_array"`
	FamilyName        string           `json:"family_name"`
	PreferredUsername string           `json:"preferred_username"`
	Birthdate         string           `json:"birthdate"`
	Gender            string           `json:"gender"`
	Birthplace        string           `json:"birthplace"`
	Birthcountry      string           `json:"birthcountry"`
	Email             string           `json:"email"`
}

// verdict reads token_introspection (or ProConnect's JSON answer)
// into a verdict: inactive when the platform says so, when exp has passed,
// or when the service provider is not among Config.Clients.
func (v *Verifier) verdict(data []byte) (*Introspection, error) {
	members, err := jose.Object(data, maxMembers)
	if err != nil {
		return nil, errorf("%w: %w", ErrIntrospection, err)
	}
	var cl answerClaims
	if err := gojson.Unmarshal(data, &cl); err != nil {
		return nil, fail(franceconnect.ErrMalformedToken, "token_introspection: %v", err)
	}
	switch {
	case cl.Active == nil:
		return nil, fail(franceconnect.ErrMissingClaim, "active is missing")
	case !*cl.Active:
		return &Introspection{}, nil
	case cl.Subject == "" || cl.Expiry == nil:
		return nil, fail(franceconnect.ErrMissingClaim, "an active token needs sub and exp")
	case !v.s.now().Before(cl.Expiry.Time().Add(v.s.leeway)):
		return &Introspection{}, nil // expired, whatever the platform says
	}
	res := &Introspection{Active: true, Subject: cl.Subject, Scopes: strings.Fields(cl.Scope), ACR: franceconnect.ACR(cl.ACR),
		Expiry: cl.Expiry.Time(), TokenID: cl.JTI, ClientID: cl.ClientID}
	if cl.IssuedAt != nil {
		res.IssuedAt = cl.IssuedAt.Time()
	}
	if v.s.platform != franceconnect.ProConnect {
		if len(cl.Audience) != 1 {
			return nil, fail(franceconnect.ErrMissingClaim, "aud, the service provider, must be one client_id")
		}
		res.ClientID = cl.Audience[0]
	}
	if res.ClientID == "" {
		return nil, fail(franceconnect.ErrMissingClaim, "the service provider the token was issued to is missing")
	}
	if len(v.s.clients) > 0 && !slices.Contains(v.s.clients, res.ClientID) {
		return &Introspection{}, nil
	}
	if res.Identity, err = identityOf(cl.Subject, members, &cl); err != nil {
		return nil, err
	}
	return res, nil
}
