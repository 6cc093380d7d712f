package franceconnect

import (
	"context"
	"crypto"
	"errors"
	"slices"
	"strings"

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
//  3. the JWS must pass jose.CheckJWS (ES256; RS256 on FranceConnect and
//     ProConnect; HS256 on ProConnect when configured), its key is found by
//     kid and alg in the provider keys (one refresh on an unknown kid) or, for
//     HS256, is the client secret, and go-jose verifies the signature.
//
// ProConnect never encrypts: a JWE is refused there.
//
// It returns the payload and the signed JWS (the logout hint). category is
// ErrInvalidIDToken or ErrInvalidUserInfo.
func (c *Client) decode(ctx context.Context, raw string, category error) ([]byte, string, error) {
	signed := raw
	switch jose.Segments(raw) {
	case 5:
		if c.platform == ProConnect {
			return nil, "", tokenError(category, ErrAlgorithm, "ProConnect never encrypts tokens to the FS: a JWE is refused")
		}
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
	if errors.Is(err, ErrAlgorithm) {
		return nil, c.signingSetting(err, h.Alg)
	}
	if err != nil {
		return nil, err
	}
	jws, err := gojose.ParseSignedCompact(signed, c.joseSigAlgs)
	if err != nil {
		return nil, errorf("%w: %v", ErrMalformedToken, err)
	}
	var key any = []byte(c.secret) // HS256: keyed by the client secret, when configured
	if h.Alg != jose.HS256 {
		pub, err := c.keys.lookup(ctx, h.Kid, h.Alg)
		if err != nil {
			return nil, err
		}
		key = pub.Key
	}
	payload, err := jws.Verify(key)
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
		return "", c.keysSetting(tokenError(category, ErrDecryption, "encrypted token but no DecryptionKeys configured"))
	}
	h, err := jose.CheckJWE(raw, c.encAlgs)
	if err != nil {
		if errors.Is(err, ErrAlgorithm) && slices.Contains([]string{ECDHES, RSAOAEP256, RSAOAEP}, h.Alg) {
			return "", c.keysSetting(tokenError(category, err, "the token is encrypted %s, which no key of ours is for", h.Alg))
		}
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
		return "", c.keysSetting(joinCategory(category, err))
	}
	jwe, err := gojose.ParseEncryptedCompact(raw, c.joseKeyAlgs, []gojose.ContentEncryption{gojose.A256GCM})
	if err != nil {
		return "", tokenError(category, ErrMalformedToken, "%v", err)
	}
	plain, err := jwe.Decrypt(key.key)
	if err != nil { // whatever go-jose says, one text: no oracle
		if h.Kid == "" {
			return "", c.keysSetting(joinCategory(category, ErrDecryption))
		}
		return "", c.keysSetting(tokenError(category, ErrDecryption, "the token names our key %q but does not open with it", h.Kid))
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
			return nil, errorf("%w: %w: our key %q is registered for %s, the token uses %s", ErrUnknownKey, ErrKeyMismatch, kid, k.alg, alg)
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
	return errorf("%w: %w", category, err)
}
