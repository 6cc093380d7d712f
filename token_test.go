package franceconnect

import (
	"context"
	"encoding/base64"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	gojose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func callbackQuery(kv ...string) url.Values {
	q := url.Values{"state": {fixState}, "iss": {fixIssuer}}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			q.Del(kv[i])
			continue
		}
		q.Set(kv[i], kv[i+1])
	}
	return q
}

func TestParseCallback(t *testing.T) {
	c := newProvider(t, FranceConnectPlus).client(t)
	code, err := c.ParseCallback(callbackQuery("code", "abc"), fixState0())
	require.NoError(t, err)
	assert.Equal(t, "abc", code)

	tests := []struct {
		name  string
		query url.Values
		st    AuthState
		want  error
	}{
		{"state mismatch", callbackQuery("code", "abc", "state", strings.Repeat("x", 64)), fixState0(), ErrStateMismatch},
		{"state missing", callbackQuery("code", "abc", "state", ""), fixState0(), ErrStateMismatch},
		{"session lost its state", callbackQuery("code", "abc"), AuthState{}, ErrStateMismatch},
		{"state prefix", callbackQuery("code", "abc", "state", fixState[:40]), fixState0(), ErrStateMismatch},
		{"iss mismatch", callbackQuery("code", "abc", "iss", "https://evil.example/api/v2"), fixState0(), ErrIssuerMismatch},
		{"iss missing while advertised", callbackQuery("code", "abc", "iss", ""), fixState0(), ErrIssuerMismatch},
		{"repeated code", url.Values{"state": {fixState}, "iss": {fixIssuer}, "code": {"a", "b"}}, fixState0(), ErrInvalidCallback},
		{"no code", callbackQuery(), fixState0(), ErrInvalidCallback},
		{"error with bad state", callbackQuery("error", "access_denied", "state", "undefined"), fixState0(), ErrStateMismatch},
		{"error answer", callbackQuery("error", "access_denied", "error_description", "User auth aborted"), fixState0(), ErrProvider},
		{"invalid_acr", callbackQuery("error", "invalid_acr", "error_description", "acr_value is not valid"), fixState0(), ErrProvider},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, err := c.ParseCallback(tt.query, tt.st)
			require.ErrorIs(t, err, tt.want)
			assert.Empty(t, code)
		})
	}

	_, err = c.ParseCallback(callbackQuery("error", "server_error", "error_description", "technical error",
		"error_uri", "https://docs.partenaires.franceconnect.gouv.fr/fs/fs-technique/fs-technique-erreurs/?code=Y000001&id=42"), fixState0())
	var pe *ProviderError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "server_error", pe.Code)
	assert.Equal(t, "technical error", pe.Description)
	assert.Equal(t, "Y000001", pe.FCCode)
	assert.True(t, pe.Retryable())
	assert.False(t, pe.UserCancelled())
	assert.NotEmpty(t, pe.UserMessage())
}

// tokenCase mints an id_token with edited claims and header choices.
type tokenCase struct {
	claims  func(map[string]any)
	sigAlg  gojose.SignatureAlgorithm
	sigKey  func(testKeys) gojose.JSONWebKey
	encKey  func(testKeys) (Key, bool) // false: no encryption
	jweHdr  map[gojose.HeaderKey]any
	rawEdit func(string) string
}

func (tc tokenCase) mint(t *testing.T, k testKeys) string {
	claims := idClaimsAt(fixNow)
	if tc.claims != nil {
		tc.claims(claims)
	}
	alg, key := gojose.ES256, k.providerES256
	if tc.sigAlg != "" {
		alg = tc.sigAlg
	}
	if tc.sigKey != nil {
		key = tc.sigKey(k)
	}
	tok := signJWS(t, claims, alg, key)
	enc, encrypt := k.fsKey(ECDHES), true
	if tc.encKey != nil {
		enc, encrypt = tc.encKey(k)
	}
	if encrypt {
		tok = encryptJWE(t, tok, enc, tc.jweHdr)
	}
	if tc.rawEdit != nil {
		tok = tc.rawEdit(tok)
	}
	return tok
}

func noEncryption(testKeys) (Key, bool) { return Key{}, false }

// unsignedJWS builds an alg "none" token.
func unsignedJWS(claims string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"none","kid":"fc-es256"}`)) + "." + enc([]byte(claims)) + "."
}

func TestVerifyIDTokenRefusesTampering(t *testing.T) {
	p := newProvider(t, FranceConnectPlus)
	c := p.client(t)
	k := loadTestKeys(t)
	otherFS, err := GenerateKey(ECDHES, "fs-ecdh")
	require.NoError(t, err)
	hmacKey := gojose.JSONWebKey{Key: []byte(fixSecret + fixSecret), KeyID: "fc-es256", Algorithm: "HS256"}
	wrongKid := k.other
	wrongKid.KeyID = "fc-es256"

	tests := []struct {
		name string
		tc   tokenCase
		want error
	}{
		{"encrypted to another key", tokenCase{encKey: func(testKeys) (Key, bool) { return otherFS, true }}, ErrDecryption},
		{"unknown FS kid", tokenCase{encKey: func(testKeys) (Key, bool) { o := otherFS; o.ID = "nope"; return o, true }}, ErrUnknownKey},
		{"bare JWS on FC+", tokenCase{encKey: noEncryption}, ErrUnencrypted},
		{"alg none", tokenCase{rawEdit: func(string) string {
			return encryptJWE(t, unsignedJWS(`{"iss":"`+fixIssuer+`"}`), k.fsKey(ECDHES), nil)
		}}, ErrAlgorithm},
		{"HS256 with the client secret", tokenCase{sigAlg: gojose.HS256, sigKey: func(testKeys) gojose.JSONWebKey { return hmacKey }}, ErrAlgorithm},
		{"RS256 on FC+", tokenCase{sigAlg: gojose.RS256, sigKey: func(k testKeys) gojose.JSONWebKey { return k.providerRS256 }}, ErrAlgorithm},
		{"signed by an unknown key", tokenCase{sigKey: func(k testKeys) gojose.JSONWebKey { return k.other }}, ErrUnknownKey},
		{"signed by another key under a known kid", tokenCase{sigKey: func(testKeys) gojose.JSONWebKey { return wrongKid }}, ErrSignature},
		{"wrong iss", tokenCase{claims: func(c map[string]any) { c["iss"] = "https://evil.example/api/v2" }}, ErrIssuerMismatch},
		{"iss with trailing slash", tokenCase{claims: func(c map[string]any) { c["iss"] = fixIssuer + "/" }}, ErrIssuerMismatch},
		{"wrong aud", tokenCase{claims: func(c map[string]any) { c["aud"] = "someone-else" }}, ErrInvalidAudience},
		{"aud with an extra audience", tokenCase{claims: func(c map[string]any) { c["aud"] = []string{fixClientID, "someone-else"} }}, ErrInvalidAudience},
		{"aud missing", tokenCase{claims: func(c map[string]any) { delete(c, "aud") }}, ErrInvalidAudience},
		{"expired", tokenCase{claims: func(c map[string]any) { c["exp"] = fixNow.Unix() - 11 }}, ErrExpired},
		{"exp missing", tokenCase{claims: func(c map[string]any) { delete(c, "exp") }}, ErrMissingClaim},
		{"iat in the future", tokenCase{claims: func(c map[string]any) { c["iat"] = fixNow.Unix() + 3600; c["exp"] = fixNow.Unix() + 3660 }}, ErrIssuedInFuture},
		{"iat missing", tokenCase{claims: func(c map[string]any) { delete(c, "iat") }}, ErrMissingClaim},
		{"exp not a number", tokenCase{claims: func(c map[string]any) { c["exp"] = "tomorrow" }}, ErrMalformedToken},
		{"exp null", tokenCase{claims: func(c map[string]any) { c["exp"] = nil }}, ErrMalformedToken},
		{"iat null", tokenCase{claims: func(c map[string]any) { c["iat"] = nil }}, ErrMalformedToken},
		{"sub missing", tokenCase{claims: func(c map[string]any) { delete(c, "sub") }}, ErrMissingClaim},
		{"wrong nonce", tokenCase{claims: func(c map[string]any) { c["nonce"] = strings.Repeat("0", 64) }}, ErrNonceMismatch},
		{"nonce missing", tokenCase{claims: func(c map[string]any) { delete(c, "nonce") }}, ErrNonceMismatch},
		{"acr too low", tokenCase{claims: func(c map[string]any) { c["acr"] = "eidas1" }}, ErrACRTooLow},
		{"acr unknown", tokenCase{claims: func(c map[string]any) { c["acr"] = "eidas-substantial" }}, ErrUnknownACR},
		{"acr missing", tokenCase{claims: func(c map[string]any) { delete(c, "acr") }}, ErrUnknownACR},
		{"JWE header iss", tokenCase{jweHdr: map[gojose.HeaderKey]any{"iss": "https://evil.example"}}, ErrIssuerMismatch},
		{"JWE header aud", tokenCase{jweHdr: map[gojose.HeaderKey]any{"aud": "someone-else"}}, ErrInvalidAudience},
		{"JWE payload is not a JWS", tokenCase{rawEdit: func(string) string { return encryptJWE(t, `{"sub":"x"}`, k.fsKey(ECDHES), nil) }}, ErrMalformedToken},
		{"nested JWE", tokenCase{rawEdit: func(s string) string { return encryptJWE(t, s, k.fsKey(ECDHES), nil) }}, ErrMalformedToken},
		{"tampered ciphertext", tokenCase{rawEdit: func(s string) string { return flipSegment(s, 3) }}, ErrDecryption},
		{"tampered tag", tokenCase{rawEdit: func(s string) string { return flipSegment(s, 4) }}, ErrDecryption},
		{"tampered IV", tokenCase{rawEdit: func(s string) string { return flipSegment(s, 2) }}, ErrDecryption},
		{"four segments", tokenCase{rawEdit: func(s string) string { return s[:strings.LastIndex(s, ".")] }}, ErrMalformedToken},
		{"oversized", tokenCase{rawEdit: func(s string) string { return s + strings.Repeat("A", 70<<10) }}, ErrMalformedToken},
		{"empty", tokenCase{rawEdit: func(string) string { return "" }}, ErrMalformedToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := tt.tc.mint(t, k)
			idt, err := c.VerifyIDToken(context.Background(), raw, fixState0())
			require.ErrorIs(t, err, tt.want)
			require.ErrorIs(t, err, ErrInvalidIDToken)
			assert.Nil(t, idt)
			if len(raw) > 20 {
				assert.NotContains(t, err.Error(), raw[:20], "the error must not echo the token")
			}
		})
	}
}

// flipSegment changes one character in the middle of segment i.
func flipSegment(tok string, i int) string {
	parts := strings.Split(tok, ".")
	s := []byte(parts[i])
	j := len(s) / 2
	if s[j] == 'A' {
		s[j] = 'B'
	} else {
		s[j] = 'A'
	}
	parts[i] = string(s)
	return strings.Join(parts, ".")
}

func TestVerifyIDTokenAccepts(t *testing.T) {
	p := newProvider(t, FranceConnectPlus)
	c := p.client(t)
	k := loadTestKeys(t)
	raw := tokenCase{}.mint(t, k)
	idt, err := c.VerifyIDToken(context.Background(), raw, fixState0())
	require.NoError(t, err)
	assert.Equal(t, fixSub, idt.Subject)
	assert.Equal(t, EIDAS2, idt.ACR)
	assert.Equal(t, []string{"pwd", "mfa", "fr"}, idt.AMR)
	assert.Equal(t, fixNow.Add(-5*time.Second), idt.AuthTime.UTC())
	assert.Equal(t, 3, strings.Count(string(idt.Hint()), ".")+1, "the hint is the inner JWS")

	higher := tokenCase{claims: func(c map[string]any) { c["acr"] = "eidas3" }}.mint(t, k)
	idt, err = c.VerifyIDToken(context.Background(), higher, fixState0())
	require.NoError(t, err, "eidas3 satisfies an eidas2 request")
	assert.Equal(t, EIDAS3, idt.ACR)

	_, err = c.VerifyIDToken(context.Background(), tokenCase{}.mint(t, k), AuthState{State: fixState, Nonce: fixNonce, ACR: EIDAS3})
	require.ErrorIs(t, err, ErrACRTooLow, "eidas2 does not satisfy an eidas3 request")

	inLeeway := tokenCase{claims: func(c map[string]any) { c["exp"] = fixNow.Unix() - 9; c["iat"] = fixNow.Unix() + 9 }}.mint(t, k)
	_, err = c.VerifyIDToken(context.Background(), inLeeway, fixState0())
	require.NoError(t, err, "within the default 10 s leeway")

	one := tokenCase{claims: func(c map[string]any) { c["aud"] = []string{fixClientID} }}.mint(t, k)
	_, err = c.VerifyIDToken(context.Background(), one, fixState0())
	require.NoError(t, err, "a one-element aud array is our client_id")
}

func TestRecordedTokens(t *testing.T) {
	for _, pair := range recordedPairs {
		t.Run(pair.file("idtoken"), func(t *testing.T) {
			p := newProvider(t, pair.platform)
			c := p.client(t, func(cfg *Config) {
				if pair.enc != "" {
					cfg.DecryptionKeys = []Key{loadTestKeys(t).fsKey(pair.enc)}
				}
				cfg.SigningAlgs = []string{pair.sig} // as registered
			})
			st := fixState0()
			if pair.platform == FranceConnect {
				st.ACR = EIDAS1
			}
			idt, err := c.VerifyIDToken(context.Background(), readFixture(t, pair.file("idtoken")), st)
			require.NoError(t, err)
			assert.Equal(t, fixSub, idt.Subject)
			id, err := c.verifyUserInfo(context.Background(), readFixture(t, pair.file("userinfo")), idt.Subject)
			require.NoError(t, err)
			assert.Equal(t, "D'ARGENSON", id.FamilyName)

			_, err = c.VerifyIDToken(context.Background(), readFixture(t, pair.file("idtoken")), AuthState{State: fixState, Nonce: strings.Repeat("f", 64), ACR: st.ACR})
			require.ErrorIs(t, err, ErrNonceMismatch)
			c.now = func() time.Time { return fixNow.Add(71 * time.Second) }
			_, err = c.VerifyIDToken(context.Background(), readFixture(t, pair.file("idtoken")), st)
			require.ErrorIs(t, err, ErrExpired)
		})
	}
}

func TestFCPlatformTokens(t *testing.T) {
	p := newProvider(t, FranceConnect)
	c := p.client(t)
	k := loadTestKeys(t)
	st := AuthState{State: fixState, Nonce: fixNonce, ACR: EIDAS1}
	for _, alg := range []struct {
		alg gojose.SignatureAlgorithm
		key gojose.JSONWebKey
	}{{gojose.ES256, k.providerES256}, {gojose.RS256, k.providerRS256}} {
		claims := idClaimsAt(fixNow)
		claims["acr"] = "eidas1"
		registered := p.client(t, func(cfg *Config) { cfg.SigningAlgs = []string{string(alg.alg)} })
		_, err := registered.VerifyIDToken(context.Background(), signJWS(t, claims, alg.alg, alg.key), st)
		require.NoError(t, err, alg.alg)
	}
	claims := idClaimsAt(fixNow)
	claims["acr"] = "eidas1"
	_, err := c.VerifyIDToken(context.Background(), encryptJWE(t, signJWS(t, claims, gojose.ES256, k.providerES256), k.fsKey(ECDHES), nil), st)
	require.ErrorIs(t, err, ErrDecryption, "a JWE without configured keys cannot be opened")

	onlyES := p.client(t, func(c *Config) { c.SigningAlgs = []string{"ES256"} })
	_, err = onlyES.VerifyIDToken(context.Background(), signJWS(t, claims, gojose.RS256, k.providerRS256), st)
	require.ErrorIs(t, err, ErrAlgorithm, "RS256 refused when only ES256 is registered")
	require.True(t, errors.Is(err, ErrInvalidIDToken))
}
