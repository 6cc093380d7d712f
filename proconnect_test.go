package franceconnect

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	gojose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pcState is the session of a ProConnect login that accepts levels.
func pcState(levels ...ACR) AuthState {
	return AuthState{State: fixState, Nonce: fixNonce, ACRs: levels}
}

// pcIDToken is a ProConnect id_token signed with key under alg, with acr.
func pcIDToken(t *testing.T, acr string, alg gojose.SignatureAlgorithm, key gojose.JSONWebKey) string {
	claims := idClaimsAt(fixNow)
	claims["acr"] = acr
	delete(claims, "amr")
	return signJWS(t, claims, alg, key)
}

func TestProConnectAuthorize(t *testing.T) {
	c := newProvider(t, ProConnect).client(t, func(cfg *Config) { cfg.AcceptedACRs = ProConnectWithMFA() })
	auth, err := c.Authorize(context.Background(), AuthRequest{LoginHint: "agent@example.gouv.fr", SiretHint: "13002526500013", Prompt: "login"})
	require.NoError(t, err)
	q := auth.Params
	assert.Empty(t, q.Get("acr_values"), "levels go in claims")
	var claims ClaimsRequest
	require.NoError(t, json.Unmarshal([]byte(q.Get("claims")), &claims))
	assert.Equal(t, &ClaimRequest{Essential: true, Values: []string{"eidas0-mfa", "eidas1-mfa", "eidas2", "eidas3"}}, claims.IDToken["acr"])
	assert.Equal(t, ProConnectWithMFA(), auth.ACRs)
	sum := sha256.Sum256([]byte(auth.CodeVerifier))
	assert.Equal(t, base64.RawURLEncoding.EncodeToString(sum[:]), q.Get("code_challenge"))
	assert.Equal(t, "S256", q.Get("code_challenge_method"))
	assert.Equal(t, "agent@example.gouv.fr", q.Get("login_hint"))
	assert.Equal(t, "13002526500013", q.Get("siret_hint"))
	assert.Equal(t, "login", q.Get("prompt"))

	amr, err := c.Authorize(context.Background(), AuthRequest{Claims: RequestAMR(), AcceptedACRs: []ACR{EIDAS3}, Prompt: "none"})
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal([]byte(amr.Params.Get("claims")), &claims))
	assert.Contains(t, claims.IDToken, "amr", "the caller's claims are kept")
	assert.Equal(t, []string{string(EIDAS3)}, claims.IDToken["acr"].Values)
	assert.Equal(t, "none", amr.Params.Get("prompt"))

	for name, req := range map[string]AuthRequest{
		"login_hint not an address": {LoginHint: "agent"},
		"siret_hint of 13 digits":   {SiretHint: "1300252650001"},
		"siret_hint with letters":   {SiretHint: "1300252650001A"},
		"unknown level":             {AcceptedACRs: []ACR{"eidas4"}},
		"a single ACR":              {ACR: EIDAS2},
		"prompt none with login":    {Prompt: "none login"},
		"prompt select_account":     {Prompt: "select_account"},
	} {
		_, err := c.Authorize(context.Background(), req)
		require.ErrorIs(t, err, ErrInvalidRequest, name)
	}
	fc := newProvider(t, FranceConnectPlus).client(t)
	for name, req := range map[string]AuthRequest{
		"prompt none on FranceConnect+": {Prompt: "none"},
		"login_hint on FranceConnect+":  {LoginHint: "a@example.fr"},
		"levels on FranceConnect+":      {AcceptedACRs: []ACR{EIDAS2}},
	} {
		_, err := fc.Authorize(context.Background(), req)
		require.ErrorIs(t, err, ErrInvalidRequest, name)
	}
	plain, err := fc.Authorize(context.Background(), AuthRequest{})
	require.NoError(t, err)
	assert.Empty(t, plain.Params.Get("code_challenge"), "FranceConnect refuses PKCE (Y030007)")
}

func TestProConnectLevels(t *testing.T) {
	c := newProvider(t, ProConnect).client(t)
	k := loadTestKeys(t)
	for _, tt := range []struct {
		name     string
		acr      string
		accepted []ACR
		want     error
	}{
		{"accepted level", "eidas1-mfa", ProConnectWithMFA(), nil},
		{"any level when none requested", "eidas0", nil, nil},
		{"a higher level outside the set", "eidas3", []ACR{EIDAS1}, ErrACRNotAccepted},
		{"no MFA", "eidas1", ProConnectWithMFA(), ErrACRNotAccepted},
		{"director", string(CertificationDirigeant), []ACR{CertificationDirigeant}, nil},
		{"unknown value", "eidas4", nil, ErrUnknownACR},
		{"old value", "https://proconnect.gouv.fr/assurance/self-asserted", nil, ErrUnknownACR},
	} {
		t.Run(tt.name, func(t *testing.T) {
			idt, err := c.VerifyIDToken(context.Background(), pcIDToken(t, tt.acr, gojose.RS256, k.providerRS256), pcState(tt.accepted...))
			if tt.want == nil {
				require.NoError(t, err)
				assert.Equal(t, ACR(tt.acr), idt.ACR)
				return
			}
			require.ErrorIs(t, err, tt.want)
			require.ErrorIs(t, err, ErrInvalidIDToken)
		})
	}
}

func TestProConnectSignatures(t *testing.T) {
	p := newProvider(t, ProConnect)
	k := loadTestKeys(t)
	hmac := gojose.JSONWebKey{Key: []byte(fixSecret), Algorithm: "HS256"}
	otherSecret := gojose.JSONWebKey{Key: []byte(strings.Repeat("o", 40)), Algorithm: "HS256"}
	jwe := encryptJWE(t, pcIDToken(t, "eidas1", gojose.ES256, k.providerES256), k.fsKey(ECDHES), nil)
	for _, tt := range []struct {
		name  string
		algs  []string
		token string
		want  error
	}{
		{"RS256, the default registration", nil, pcIDToken(t, "eidas1", gojose.RS256, k.providerRS256), nil},
		{"ES256 as registered", []string{"ES256"}, pcIDToken(t, "eidas1", gojose.ES256, k.providerES256), nil},
		{"ES256 to an FS of the default registration", nil, pcIDToken(t, "eidas1", gojose.ES256, k.providerES256), ErrAlgorithm},
		{"HS256 not configured", nil, pcIDToken(t, "eidas1", gojose.HS256, hmac), ErrAlgorithm},
		{"HS256 configured", []string{"HS256"}, pcIDToken(t, "eidas1", gojose.HS256, hmac), nil},
		{"HS256 with another secret", []string{"HS256"}, pcIDToken(t, "eidas1", gojose.HS256, otherSecret), ErrSignature},
		{"RS256 to an FS registered for ES256", []string{"ES256"}, pcIDToken(t, "eidas1", gojose.RS256, k.providerRS256), ErrAlgorithm},
		{"ES256 to an FS registered for HS256", []string{"HS256"}, pcIDToken(t, "eidas1", gojose.ES256, k.providerES256), ErrAlgorithm},
		{"a JWE", nil, jwe, ErrAlgorithm},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := p.client(t, func(cfg *Config) { cfg.SigningAlgs = tt.algs })
			_, err := c.VerifyIDToken(context.Background(), tt.token, pcState())
			if tt.want == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tt.want)
		})
	}
}

// servePC answers ProConnect's token and userinfo endpoints for one login,
// the tokens signed RS256 as for a new registration.
func servePC(t *testing.T, p *provider, ctype string, userinfo map[string]any, refresh func(url.Values) map[string]any) {
	k := p.keys
	p.set(func(p *provider) {
		p.token = func(w http.ResponseWriter, r *http.Request) {
			require.NoError(t, r.ParseForm())
			body := map[string]any{"access_token": strings.Repeat("a", 43), "expires_in": 60, "token_type": "Bearer",
				"refresh_token": strings.Repeat("r", 43), "id_token": pcIDToken(t, "eidas1", gojose.RS256, k.providerRS256)}
			if r.PostForm.Get("grant_type") == "refresh_token" {
				body = refresh(r.PostForm)
			}
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(body)
		}
		p.userinfo = func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", ctype)
			if ctype == "application/json" {
				_ = json.NewEncoder(w).Encode(userinfo)
				return
			}
			_, _ = w.Write([]byte(signJWS(t, userinfo, gojose.RS256, k.providerRS256)))
		}
	})
}

func agentClaimsAt() map[string]any {
	return map[string]any{"sub": fixSub, "given_name": "Angela", "usual_name": "DUBOIS", "email": "angela.dubois@example.gouv.fr",
		"uid": "42", "siret": "21340172201787", "siren": "213401722", "organization_label": "Commune de Montpellier",
		"idp_id": "fia1v2", "idp_acr": "eidas1", "roles": []string{"agent_public"}, "custom": map[string]any{"x": 1}}
}

func TestProConnectUserInfo(t *testing.T) {
	signed := agentClaimsAt()
	for k, v := range map[string]any{"iss": fixIssuer, "aud": fixClientID, "iat": fixNow.Unix(), "exp": fixNow.Unix() + 60} {
		signed[k] = v
	}
	for _, tt := range []struct {
		name   string
		format UserInfoFormat
		ctype  string
		claims map[string]any
		want   error
	}{
		{"signed", UserInfoJWT, "application/jwt", signed, nil},
		{"plain JSON as registered", UserInfoJSON, "application/json", agentClaimsAt(), nil},
		{"JSON to an FS registered for a signed userinfo", UserInfoJWT, "application/json", agentClaimsAt(), ErrContentType},
		{"a JWT to an FS registered for JSON", UserInfoJSON, "application/jwt", signed, ErrContentType},
		{"JSON about someone else", UserInfoJSON, "application/json", map[string]any{"sub": fixOtherSub}, ErrSubjectMismatch},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := newProvider(t, ProConnect)
			c := p.client(t, func(cfg *Config) { cfg.UserInfo = tt.format })
			servePC(t, p, tt.ctype, tt.claims, nil)
			login, err := c.Callback(context.Background(), callbackQuery("code", "the-code"), pcState())
			if tt.want != nil {
				require.ErrorIs(t, err, tt.want)
				require.ErrorIs(t, err, ErrInvalidUserInfo)
				return
			}
			require.NoError(t, err)
			a := login.Identity.Agent
			require.NotNil(t, a)
			assert.Equal(t, "21340172201787", a.SIRET)
			assert.Equal(t, "Commune de Montpellier", a.OrganizationLabel)
			assert.Equal(t, []string{"agent_public"}, a.Roles)
			assert.JSONEq(t, `{"x":1}`, string(a.Custom))
			assert.Equal(t, "Angela", login.Identity.GivenName)
			assert.Equal(t, Token(strings.Repeat("r", 43)), login.RefreshToken)
		})
	}
}

func TestProConnectRefresh(t *testing.T) {
	p := newProvider(t, ProConnect)
	c := p.client(t)
	k := p.keys
	var sent url.Values
	answer := map[string]any{"access_token": strings.Repeat("b", 43), "expires_in": 3600, "token_type": "Bearer",
		"refresh_token": strings.Repeat("s", 43), "id_token": pcIDToken(t, "eidas1", gojose.RS256, k.providerRS256)}
	servePC(t, p, "application/jwt", nil, func(form url.Values) map[string]any { sent = form; return answer })
	tokens, err := c.Refresh(context.Background(), Token(strings.Repeat("r", 43)), fixSub)
	require.NoError(t, err)
	assert.Equal(t, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {strings.Repeat("r", 43)},
		"client_id": {fixClientID}, "client_secret": {fixSecret}}, sent)
	assert.Equal(t, fixSub, tokens.IDToken.Subject)
	assert.Equal(t, Token(strings.Repeat("s", 43)), tokens.RefreshToken, "the refresh token rotates")

	other := idClaimsAt(fixNow)
	other["sub"], other["acr"] = fixOtherSub, "eidas1"
	answer["id_token"] = signJWS(t, other, gojose.RS256, k.providerRS256)
	_, err = c.Refresh(context.Background(), Token(strings.Repeat("r", 43)), fixSub)
	require.ErrorIs(t, err, ErrSubjectMismatch)
	require.ErrorIs(t, err, ErrInvalidIDToken)

	delete(answer, "id_token")
	tokens, err = c.Refresh(context.Background(), Token(strings.Repeat("r", 43)), fixSub)
	require.NoError(t, err)
	assert.Nil(t, tokens.IDToken)
	_, err = c.Refresh(context.Background(), "", fixSub)
	require.ErrorIs(t, err, ErrInvalidRequest)
}

func TestProConnectConfig(t *testing.T) {
	p := newProvider(t, ProConnect)
	for name, edit := range map[string]func(*Config){
		"decryption keys":       func(c *Config) { c.DecryptionKeys = loadTestKeys(t).fs },
		"a single ACR":          func(c *Config) { c.ACR = EIDAS2 },
		"an unknown level":      func(c *Config) { c.AcceptedACRs = []ACR{"eidas4"} },
		"a FranceConnect scope": func(c *Config) { c.Scopes = []string{"openid", "identite_pivot"} },
		"an unknown algorithm":  func(c *Config) { c.SigningAlgs = []string{"PS256"} },
	} {
		_, err := newClient(func() Config { cfg := p.config(); edit(&cfg); return cfg }())
		require.ErrorIs(t, err, ErrConfig, name)
	}
	fc := newProvider(t, FranceConnect).config()
	fc.SigningAlgs = []string{"HS256"}
	_, err := newClient(fc)
	require.ErrorIs(t, err, ErrConfig, "HS256 on FranceConnect")
	fc = newProvider(t, FranceConnect).config()
	fc.UserInfo = UserInfoJSON
	_, err = newClient(fc)
	require.ErrorIs(t, err, ErrConfig, "JSON userinfo on FranceConnect")
	for env, issuer := range map[Environment]string{
		PCIntegration: "https://fca.integ01.dev-agentconnect.fr/api/v2", PCProduction: "https://auth.agentconnect.gouv.fr/api/v2",
		PCIntegrationRIE: "https://fca.integ02.agentconnect.rie.gouv.fr/api/v2", PCProductionRIE: "https://auth.agentconnect.rie.gouv.fr/api/v2",
	} {
		assert.Equal(t, issuer, env.Issuer())
		assert.Equal(t, ProConnect, env.Platform())
	}
}

func TestProConnectFromEnv(t *testing.T) {
	for name, value := range map[string]string{
		EnvEnvironment: "", EnvIssuer: "http://127.0.0.1:8090/api/v2", EnvPlatform: "proconnect", EnvClientID: "pc",
		EnvClientSecret: fixSecret, EnvRedirectURL: "http://127.0.0.1:8080/cb", EnvPostLogoutRedirectURL: "http://127.0.0.1:8080/out",
		EnvKeys: "", EnvACR: "eidas1 eidas1-mfa", EnvScopes: "openid given_name usual_name siret", EnvSigningAlg: "HS256", EnvUserInfo: "json",
	} {
		t.Setenv(name, value)
	}
	cfg, err := ConfigFromEnv()
	require.NoError(t, err)
	assert.Equal(t, ProConnect, cfg.Platform)
	assert.Equal(t, []ACR{EIDAS1, EIDAS1MFA}, cfg.AcceptedACRs)
	assert.Empty(t, cfg.ACR)
	assert.Equal(t, []string{"HS256"}, cfg.SigningAlgs)
	assert.Equal(t, UserInfoJSON, cfg.UserInfo)
	t.Setenv(EnvACR, "eidas9")
	_, err = ConfigFromEnv()
	require.ErrorContains(t, err, "AcceptedACRs (FC_ACR): unknown ProConnect level")
}

func TestProConnectProviderErrors(t *testing.T) {
	c := newProvider(t, ProConnect).client(t)
	_, err := c.ParseCallback(callbackQuery("error", "access_denied", "error_description", "requested ACRs could not be satisfied",
		"error_uri", "https://docs.example/?code=Y020032&id=1"), pcState())
	var pe *ProviderError
	require.ErrorAs(t, err, &pe)
	assert.True(t, pe.LevelUnreachable())
	assert.False(t, pe.UserCancelled())
	assert.Contains(t, pe.UserMessage(), "niveau de sécurité")
	_, err = c.ParseCallback(callbackQuery("error", "login_required"), pcState())
	require.ErrorIs(t, err, ErrInteractionRequired)
	require.ErrorIs(t, err, ErrProvider)
	require.ErrorAs(t, err, &pe)
	assert.Contains(t, pe.UserMessage(), "ProConnect")
	_, err = c.ParseCallback(callbackQuery("error", "access_denied"), pcState())
	assert.NotErrorIs(t, err, ErrInteractionRequired)
}

// An AuthState that does not carry the accepted levels (kept by an FS that
// stores only state and nonce) falls back to the Config's policy, and an
// empty set in a request is the Config's too.
func TestProConnectLevelsFallBackToTheConfig(t *testing.T) {
	c := newProvider(t, ProConnect).client(t, func(cfg *Config) { cfg.AcceptedACRs = ProConnectWithMFA() })
	k := loadTestKeys(t)
	_, err := c.VerifyIDToken(context.Background(), pcIDToken(t, "eidas1", gojose.RS256, k.providerRS256), pcState())
	require.ErrorIs(t, err, ErrACRNotAccepted)
	auth, err := c.Authorize(context.Background(), AuthRequest{AcceptedACRs: []ACR{}})
	require.NoError(t, err)
	assert.Equal(t, ProConnectWithMFA(), auth.ACRs)
}
