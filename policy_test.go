package franceconnect

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	gojose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The policy of internal/jose on the whole verification path: each rule
// refuses a token that go-jose alone would accept (or that it would read
// differently), and lets FranceConnect's own forms through.

// signRaw signs payload as it is, so that it may hold repeated members.
func signRaw(t *testing.T, payload string, headers map[gojose.HeaderKey]any) string {
	t.Helper()
	opts := &gojose.SignerOptions{}
	for k, v := range headers {
		opts = opts.WithHeader(k, v)
	}
	signer, err := gojose.NewSigner(gojose.SigningKey{Algorithm: gojose.ES256, Key: loadTestKeys(t).providerES256}, opts)
	require.NoError(t, err)
	obj, err := signer.Sign([]byte(payload))
	require.NoError(t, err)
	s, err := obj.CompactSerialize()
	require.NoError(t, err)
	return s
}

// idPayload is a genuine id_token payload followed by extra members.
func idPayload(t *testing.T, extra string) string {
	return strings.TrimSuffix(mustMarshal(t, idClaimsAt(fixNow)), "}") + extra + "}"
}

func TestPolicyOnTheVerifyPath(t *testing.T) {
	c := newProvider(t, FranceConnectPlus).client(t)
	k := loadTestKeys(t)
	enc := func(jws string, hdr map[gojose.HeaderKey]any) string { return encryptJWE(t, jws, k.fsKey(ECDHES), hdr) }
	genuine := signJWS(t, idClaimsAt(fixNow), gojose.ES256, k.providerES256)
	for _, tt := range []struct {
		name  string
		token string
		want  error // nil: accepted
	}{
		{"FranceConnect+'s own form", enc(genuine, nil), nil},
		{"cty application/jwt", enc(genuine, map[gojose.HeaderKey]any{"cty": "application/jwt"}), nil},
		{"cty jwt in lower case", enc(genuine, map[gojose.HeaderKey]any{"cty": "jwt"}), nil},
		{"cty json", enc(genuine, map[gojose.HeaderKey]any{"cty": "json"}), ErrMalformedToken},
		{"JWE aud as a one-element array", enc(genuine, map[gojose.HeaderKey]any{"aud": []string{fixClientID}}), nil},
		{"JWE aud with two audiences", enc(genuine, map[gojose.HeaderKey]any{"aud": []string{fixClientID, "other"}}), ErrInvalidAudience},
		{"JWE header member outside the allow-list", enc(genuine, map[gojose.HeaderKey]any{"x-extra": true}), ErrMalformedToken},
		{"JWE zip", enc(genuine, map[gojose.HeaderKey]any{"zip": "DEF"}), ErrAlgorithm},
		{"JWE crit, even empty", enc(genuine, map[gojose.HeaderKey]any{"crit": []string{}}), ErrAlgorithm},
		{"JWE jku", enc(genuine, map[gojose.HeaderKey]any{"jku": "https://evil.example/jwks"}), ErrAlgorithm},
		{"JWS header member outside the allow-list", enc(signRaw(t, idPayload(t, ""), map[gojose.HeaderKey]any{"x-extra": 1}), nil), ErrMalformedToken},
		{"JWS x5u", enc(signRaw(t, idPayload(t, ""), map[gojose.HeaderKey]any{"x5u": "https://evil.example/cert"}), nil), ErrAlgorithm},
		{"JWS b64 false", enc(signRaw(t, idPayload(t, ""), map[gojose.HeaderKey]any{"b64": false}), nil), ErrAlgorithm},
		{"JWS b64 true", enc(signRaw(t, idPayload(t, ""), map[gojose.HeaderKey]any{"b64": true}), nil), nil},
		{"repeated claim", enc(signRaw(t, idPayload(t, `,"acr":"eidas3"`), nil), nil), ErrMalformedToken},
		{"repeated claim written with an escape", enc(signRaw(t, idPayload(t, `,"\u0061cr":"eidas3"`), nil), nil), ErrMalformedToken},
		{"case variant of a claim beside it", enc(signRaw(t, idPayload(t, `,"ACR":"eidas3"`), nil), nil), nil},
		{"whitespace inside the JWE", strings.Replace(enc(genuine, nil), ".", ".\n", 2), ErrMalformedToken},
		{"padding on the JWS inside", enc(genuine+"=", nil), ErrMalformedToken},
	} {
		t.Run(tt.name, func(t *testing.T) {
			idt, err := c.VerifyIDToken(context.Background(), tt.token, fixState0())
			if tt.want == nil {
				require.NoError(t, err)
				require.NotNil(t, idt)
				return
			}
			require.ErrorIs(t, err, tt.want)
			require.ErrorIs(t, err, ErrInvalidIDToken)
			assert.Nil(t, idt)
		})
	}
}

// A key registered for RSA-OAEP-256 never decrypts an RSA-OAEP token, even
// under its own kid and with an RSA-OAEP key configured beside it.
func TestDecryptionKeyBoundToOneAlgorithm(t *testing.T) {
	k := loadTestKeys(t)
	oaep256, oaep := k.fsKey(RSAOAEP256), k.fsKey(RSAOAEP)
	c := newProvider(t, FranceConnectPlus).client(t, func(cfg *Config) { cfg.DecryptionKeys = []Key{oaep256, oaep} })
	jws := signJWS(t, idClaimsAt(fixNow), gojose.ES256, k.providerES256)
	_, err := c.VerifyIDToken(context.Background(), encryptJWE(t, jws, oaep256, nil), fixState0())
	require.NoError(t, err)
	wrongAlg := oaep256
	wrongAlg.Algorithm = RSAOAEP
	_, err = c.VerifyIDToken(context.Background(), encryptJWE(t, jws, wrongAlg, nil), fixState0())
	require.ErrorIs(t, err, ErrKeyMismatch)
	require.ErrorIs(t, err, ErrUnknownKey)
}

func TestUserInfoPolicy(t *testing.T) {
	for _, tt := range []struct {
		name  string
		edit  func(map[string]any)
		uiRaw func(string) string
		want  error
	}{
		{"exp missing", func(c map[string]any) { delete(c, "exp") }, nil, ErrMissingClaim},
		{"iat missing", func(c map[string]any) { delete(c, "iat") }, nil, ErrMissingClaim},
		{"nonce present", func(c map[string]any) { c["nonce"] = fixNonce }, nil, ErrMalformedToken},
		{"trailing newline", nil, func(s string) string { return s + "\r\n" }, nil},
		{"leading space", nil, func(s string) string { return " " + s }, ErrMalformedToken},
		{"repeated member", nil, func(string) string {
			k := loadTestKeys(t)
			payload := strings.TrimSuffix(mustMarshal(t, userinfoClaimsAt(fixNow)), "}") + `,"sub":"` + fixOtherSub + `"}`
			return encryptJWE(t, signRaw(t, payload, nil), k.fsKey(ECDHES), nil)
		}, ErrMalformedToken},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := newProvider(t, FranceConnectPlus)
			c := p.client(t)
			serveLogin(t, p, nil, tt.edit, tt.uiRaw)
			login, err := c.Callback(context.Background(), callbackQuery("code", "the-code"), fixState0())
			if tt.want == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tt.want)
			require.ErrorIs(t, err, ErrInvalidUserInfo)
			assert.Nil(t, login)
		})
	}
}

func mustMarshal(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

// Every cryptographic failure of a JWE gives the same error text, whatever
// go-jose reports: no padding or key oracle.
func TestDecryptionFailuresLookAlike(t *testing.T) {
	c := newProvider(t, FranceConnectPlus).client(t)
	k := loadTestKeys(t)
	otherFS, err := GenerateKey(ECDHES, k.fsKey(ECDHES).ID) // same kid, another key
	require.NoError(t, err)
	genuine := tokenCase{}.mint(t, k)
	var messages []string
	for _, raw := range []string{
		tokenCase{encKey: func(testKeys) (Key, bool) { return otherFS, true }}.mint(t, k),
		flipSegment(genuine, 2), flipSegment(genuine, 3), flipSegment(genuine, 4),
		reencode(t, genuine, func(h map[string]any) { h["epk"].(map[string]any)["x"] = "AAAA" }),
	} {
		_, err := c.VerifyIDToken(context.Background(), raw, fixState0())
		require.ErrorIs(t, err, ErrDecryption)
		messages = append(messages, err.Error())
	}
	for _, m := range messages[1:] {
		assert.Equal(t, messages[0], m)
	}
	assert.Contains(t, messages[0], "check DecryptionKeys (FC_KEYS): they must be the private keys whose public part is published", "a hint for the FS")
}

// reencode rewrites the protected header of a compact token.
func reencode(t *testing.T, tok string, edit func(map[string]any)) string {
	parts := strings.Split(tok, ".")
	b, err := base64.RawURLEncoding.DecodeString(parts[0])
	require.NoError(t, err)
	var h map[string]any
	require.NoError(t, json.Unmarshal(b, &h))
	edit(h)
	b, err = json.Marshal(h)
	require.NoError(t, err)
	parts[0] = base64.RawURLEncoding.EncodeToString(b)
	return strings.Join(parts, ".")
}
