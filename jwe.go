package franceconnect

import (
	"bytes"
	"context"
	"crypto"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	gojose "github.com/go-jose/go-jose/v4"

	"github.com/go-franceconnect/franceconnect/internal/jose"
)

// decode is the one path that turns a token from FranceConnect (id_token or
// userinfo) into a verified payload (spec §5.1, §6, §7). go-jose decrypts
// and verifies; the policy of internal/jose runs first on each layer:
//
//  1. a JWE (5 segments) must pass jose.CheckJWE (framing, header
//     allow-list, alg among our keys' algorithms, A256GCM); its optional iss
//     and aud headers must be ours; it is decrypted with our key chosen by
//     kid and bound to the header's alg; it must contain a JWS, not another
//     JWE;
//  2. a bare JWS (3 segments) is refused when the platform encrypts;
//  3. the JWS must pass jose.CheckJWS (ES256; RS256 on FranceConnect), its
//     key is found by kid and alg in the provider keys (one refresh on an
//     unknown kid), and go-jose verifies the signature.
//
// It returns the payload and the signed JWS (the logout hint). category is
// ErrInvalidIDToken or ErrInvalidUserInfo.
func (c *Client) decode(ctx context.Context, raw string, category error) ([]byte, string, error) {
	signed := raw
	switch jose.Segments(raw) {
	case 5:
		inner, err := c.decrypt(raw, category)
		if err != nil {
			return nil, "", err
		}
		signed = inner
	case 3:
		if c.encrypted {
			return nil, "", tokenError(category, ErrUnencrypted, "%v requires a JWE, got a bare JWS", c.platform)
		}
	default:
		return nil, "", tokenError(category, ErrMalformedToken, "neither a compact JWE nor a JWS")
	}
	payload, err := c.verify(ctx, signed)
	if err != nil {
		return nil, "", joinCategory(category, err)
	}
	return payload, signed, nil
}

// verify checks a compact JWS and returns its payload.
func (c *Client) verify(ctx context.Context, signed string) ([]byte, error) {
	h, err := jose.CheckJWS(signed, c.sigAlgs)
	if err != nil {
		return nil, err
	}
	jws, err := gojose.ParseSignedCompact(signed, c.joseSigAlgs)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformedToken, err)
	}
	key, err := c.keys.lookup(ctx, h.Kid, h.Alg)
	if err != nil {
		return nil, err
	}
	payload, err := jws.Verify(key.Key)
	if err != nil {
		return nil, ErrSignature
	}
	if err := h.Unlisted(); err != nil {
		return nil, err
	}
	return payload, nil
}

// decrypt opens a JWE and returns the JWS it carries.
func (c *Client) decrypt(raw string, category error) (string, error) {
	if len(c.decKeys) == 0 {
		return "", tokenError(category, ErrDecryption, "encrypted token but no DecryptionKeys configured")
	}
	h, err := jose.CheckJWE(raw, c.encAlgs)
	if err != nil {
		return "", joinCategory(category, err)
	}
	switch {
	case h.Cty != "" && !strings.EqualFold(h.Cty, "JWT") && !strings.EqualFold(h.Cty, "application/jwt"):
		return "", tokenError(category, ErrMalformedToken, "JWE cty %q, want JWT", h.Cty)
	case h.Iss != "" && h.Iss != c.issuer:
		return "", tokenError(category, ErrIssuerMismatch, "JWE header iss %q", h.Iss)
	case h.Aud != nil && (len(h.Aud) != 1 || h.Aud[0] != c.clientID):
		return "", tokenError(category, ErrInvalidAudience, "JWE header aud is not our client_id")
	}
	key, err := c.decryptionKey(h.Kid, h.Alg)
	if err != nil {
		return "", joinCategory(category, err)
	}
	jwe, err := gojose.ParseEncryptedCompact(raw, c.joseKeyAlgs, []gojose.ContentEncryption{gojose.A256GCM})
	if err != nil {
		return "", tokenError(category, ErrMalformedToken, "%v", err)
	}
	plain, err := jwe.Decrypt(key.key)
	if err != nil {
		return "", joinCategory(category, ErrDecryption) // whatever go-jose says: no oracle
	}
	if err := h.Unlisted(); err != nil {
		return "", joinCategory(category, err)
	}
	inner := string(plain)
	if jose.Segments(inner) != 3 {
		return "", tokenError(category, ErrMalformedToken, "the JWE does not contain a JWS")
	}
	return inner, nil
}

// decKey is one of our decryption keys, ready for go-jose.
type decKey struct {
	id, alg string
	key     crypto.PrivateKey // *ecdsa.PrivateKey on P-256, or *rsa.PrivateKey
}

// decryptionKey selects our key by kid and alg; without a kid, the only key
// of alg. A key is bound to one algorithm: a key registered for
// RSA-OAEP-256 never decrypts an RSA-OAEP token.
func (c *Client) decryptionKey(kid, alg string) (*decKey, error) {
	var found *decKey
	for i := range c.decKeys {
		k := &c.decKeys[i]
		if kid != "" && k.id == kid && k.alg != alg {
			return nil, fmt.Errorf("%w: %w: our key %q is registered for %s, the token uses %s", ErrUnknownKey, ErrKeyMismatch, kid, k.alg, alg)
		}
		if k.alg != alg || (kid != "" && k.id != kid) {
			continue
		}
		if found != nil {
			return nil, wrap(ErrUnknownKey, "several decryption keys fit %s without a kid", alg)
		}
		found = k
	}
	if found == nil {
		return nil, wrap(ErrUnknownKey, "no decryption key with kid %q for %s", kid, alg)
	}
	return found, nil
}

// joinCategory puts a token error from the jose or key layer in its category.
func joinCategory(category, err error) error {
	if errors.Is(err, category) {
		return err
	}
	return fmt.Errorf("%w: %w", category, err)
}

// numericDate is a JWT NumericDate; ok is false when the claim was absent.
type numericDate struct {
	t  time.Time
	ok bool
}

func (d *numericDate) UnmarshalJSON(b []byte) error {
	if string(b) == "null" { // json.Unmarshal would leave f at 0: 1970, "present"
		return errors.New("date is null")
	}
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	return d.set(f)
}

// set stores f seconds after the epoch, within the range of FranceConnect dates.
func (d *numericDate) set(f float64) error {
	if math.IsNaN(f) || math.IsInf(f, 0) || f < 0 || f > 1<<40 {
		return errors.New("date out of range")
	}
	d.t, d.ok = time.Unix(int64(f), 0), true
	return nil
}

// audience accepts a string or an array of strings.
type audience []string

func (a *audience) UnmarshalJSON(b []byte) error {
	if b = bytes.TrimSpace(b); len(b) > 0 && b[0] == '[' {
		return json.Unmarshal(b, (*[]string)(a))
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	*a = audience{s}
	return nil
}

// commonClaims are checked on both the id_token and the userinfo.
type commonClaims struct {
	Issuer   string
	Subject  string
	Audience audience
	Expiry   numericDate
	IssuedAt numericDate
}

// fields lists the common claims for readClaims, followed by more.
func (cl *commonClaims) fields(more ...claimField) []claimField {
	return append([]claimField{
		{"iss", &cl.Issuer}, {"sub", &cl.Subject}, {"aud", &cl.Audience},
		{"exp", &cl.Expiry}, {"iat", &cl.IssuedAt},
	}, more...)
}

// check verifies iss, aud, exp, iat and sub, in that order. exp and iat
// are mandatory when required is true, and checked when present otherwise.
func (cl *commonClaims) check(c *Client, category error, required bool) error {
	now := c.now()
	switch {
	case cl.Issuer != c.issuer:
		return tokenError(category, ErrIssuerMismatch, "iss %q, want %q", cl.Issuer, c.issuer)
	case len(cl.Audience) != 1 || cl.Audience[0] != c.clientID:
		// FranceConnect sends one audience, our client_id; an extra audience
		// means the token was also issued to someone else.
		return tokenError(category, ErrInvalidAudience, "aud %q is not exactly our client_id", []string(cl.Audience))
	case required && !cl.Expiry.ok:
		return tokenError(category, ErrMissingClaim, "exp is missing")
	case cl.Expiry.ok && !now.Before(cl.Expiry.t.Add(c.leeway)):
		return tokenError(category, ErrExpired, "expired at %s", cl.Expiry.t.UTC().Format(time.RFC3339))
	case required && !cl.IssuedAt.ok:
		return tokenError(category, ErrMissingClaim, "iat is missing")
	case cl.IssuedAt.ok && cl.IssuedAt.t.After(now.Add(c.leeway)):
		return tokenError(category, ErrIssuedInFuture, "iat %s is in the future", cl.IssuedAt.t.UTC().Format(time.RFC3339))
	case cl.Subject == "":
		return tokenError(category, ErrMissingClaim, "sub is missing")
	}
	return nil
}

// equalConstantTime compares two secrets in constant time, as
// subtle.ConstantTimeCompare does, without copying them to byte slices.
func equalConstantTime(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	var v byte
	for i := range len(a) {
		v |= a[i] ^ b[i]
	}
	return subtle.ConstantTimeByteEq(v, 0) == 1
}
