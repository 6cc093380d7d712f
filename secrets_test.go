package franceconnect_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	gojose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect"
)

// The error messages of the package name what failed, never a token nor
// the person: fchttp logs them as they are. TestConformance checks every
// failing case with checkNoSecrets; TestErrorMessagesHoldNoSecrets drives
// the sentinels those cases do not reach, and checks that together they
// reach every sentinel of errors.go.

// remember keeps values that went through the network: tokens, answers,
// code, state and nonce.
func (m *mitm) remember(values ...string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.seen = append(m.seen, values...)
}

// secretsOf lists what no error message may hold in e: every token and
// answer seen (whole, each of their segments, and the strings of a JSON
// answer), the client secret, the sub and the values of the identity (or
// agent) that logged in.
func secretsOf(e *confEnv) []string {
	e.mitm.mu.Lock()
	seen := slices.Clone(e.mitm.seen)
	e.mitm.mu.Unlock()
	out := []string{string(confSecret), string(e.cfg.ClientSecret)}
	keys := append(slices.Clone(e.cfg.DecryptionKeys), confKeys[franceconnect.ECDHES](),
		confKeys[franceconnect.RSAOAEP256](), confKeys[franceconnect.RSAOAEP]())
	for _, v := range seen {
		out = append(out, pieces(v, keys)...)
	}
	if e.who != "" {
		out = append(out, e.srv.Subject(e.reg.ID, e.who))
	}
	for _, id := range e.srv.People() {
		if id.Login == e.who {
			out = append(out, id.GivenName, id.FamilyName, id.PreferredUsername, id.Birthdate, id.Email, id.Birthplace)
		}
	}
	for _, ag := range e.srv.Agents() {
		if ag.Login == e.who {
			out = append(out, ag.GivenName, ag.UsualName, ag.Email, ag.UID, ag.SIRET, ag.Sub, ag.OrganizationLabel)
		}
	}
	return slices.DeleteFunc(out, func(s string) bool { return len(s) < 5 })
}

// pieces is a value seen on the network and what a message could quote of
// it: the tokens of a token answer, each dot-separated segment of a
// compact token, and the personal claims of a userinfo in JSON or of a
// token (decrypted with keys when it is a JWE).
func pieces(v string, keys []franceconnect.Key) []string {
	var obj map[string]any
	if json.Unmarshal([]byte(v), &obj) == nil {
		out := personalClaims(obj)
		for _, k := range []string{"access_token", "id_token", "refresh_token"} {
			if s, ok := obj[k].(string); ok {
				out = append(out, pieces(s, keys)...)
			}
		}
		return out
	}
	out := []string{v}
	for _, seg := range strings.Split(v, ".") {
		if len(seg) >= 16 {
			out = append(out, seg)
		}
	}
	if jws := openJWE(v, keys); jws != "" {
		out = append(out, pieces(jws, keys)...)
	}
	if parts := strings.Split(v, "."); len(parts) == 3 {
		if raw, err := base64.RawURLEncoding.DecodeString(parts[1]); err == nil && json.Unmarshal(raw, &obj) == nil {
			out = append(out, personalClaims(obj)...)
		}
	}
	return out
}

// personalClaims are the values of the claims about the person, and the
// nonce.
func personalClaims(claims map[string]any) []string {
	var out []string
	for _, k := range []string{"sub", "nonce", "given_name", "family_name", "preferred_username", "birthdate",
		"email", "birthplace", "usual_name", "uid", "siret", "rnipp_given_name", "rnipp_family_name", "rnipp_birthdate"} {
		if s, ok := claims[k].(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// openJWE returns the JWS a compact JWE carries when one of keys opens it.
func openJWE(v string, keys []franceconnect.Key) string {
	if strings.Count(v, ".") != 4 {
		return ""
	}
	algs := []gojose.KeyAlgorithm{gojose.ECDH_ES, gojose.RSA_OAEP_256, gojose.RSA_OAEP}
	jwe, err := gojose.ParseEncryptedCompact(v, algs, []gojose.ContentEncryption{gojose.A256GCM})
	if err != nil {
		return ""
	}
	for _, k := range keys {
		if plain, err := jwe.Decrypt(k.Private); err == nil {
			return string(plain)
		}
	}
	return ""
}

// checkNoSecrets fails when err's message quotes a secret of e.
func checkNoSecrets(t *testing.T, e *confEnv, err error) {
	t.Helper()
	msg := err.Error()
	for _, s := range secretsOf(e) {
		require.NotContains(t, msg, s, "an error message quotes a token, a secret or the person")
	}
	require.NotContains(t, msg, "eyJ", "an error message quotes a token")
}

// rewrite is a transport that changes the answers of one path.
type rewrite struct {
	next http.RoundTripper
	path string
	f    func(*http.Response, []byte) (int, []byte)
}

func (rw *rewrite) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := rw.next.RoundTrip(req)
	if err != nil || !strings.HasSuffix(req.URL.Path, rw.path) {
		return resp, err
	}
	b, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.StatusCode, b = rw.f(resp, b)
	resp.Body, resp.ContentLength = io.NopCloser(bytes.NewReader(b)), int64(len(b))
	resp.Header.Del("Content-Length")
	return resp, nil
}

// through makes e's Client use rw in front of the mitm.
func (e *confEnv) through(path string, f func(*http.Response, []byte) (int, []byte)) {
	e.cfg.HTTPClient.Transport = &rewrite{next: e.mitm, path: path, f: f}
}

// quoting is an OAuth error answer whose description and URI quote values
// of the request, as a careless provider's could.
func quoting(code string, values ...string) func(*http.Response, []byte) (int, []byte) {
	return func(resp *http.Response, _ []byte) (int, []byte) {
		resp.Header.Set("Content-Type", "application/json")
		quoted := strings.Join(values, " ")
		b, _ := json.Marshal(map[string]string{"error": code, "error_description": "refused: " + quoted,
			"error_uri": "https://provider.example/error?code=Y000000&request=" + url.QueryEscape(quoted)})
		return http.StatusBadRequest, b
	}
}

// setKid sets the kid of a compact token's protected header.
func setKid(kid string) func(string) string {
	return func(tok string) string {
		parts := strings.Split(tok, ".")
		raw, _ := base64.RawURLEncoding.DecodeString(parts[0])
		var h map[string]any
		_ = json.Unmarshal(raw, &h)
		h["kid"] = kid
		b, _ := json.Marshal(h)
		parts[0] = base64.RawURLEncoding.EncodeToString(b)
		return strings.Join(parts, ".")
	}
}

// sentinels are the package's exported errors, by name; the test checks
// that errors.go declares no other.
var sentinels = map[string]error{
	"ErrConfig": franceconnect.ErrConfig, "ErrDiscovery": franceconnect.ErrDiscovery,
	"ErrProviderKeys": franceconnect.ErrProviderKeys, "ErrHTTP": franceconnect.ErrHTTP,
	"ErrResponseTooLarge": franceconnect.ErrResponseTooLarge, "ErrContentType": franceconnect.ErrContentType,
	"ErrInvalidRequest": franceconnect.ErrInvalidRequest, "ErrInvalidCallback": franceconnect.ErrInvalidCallback,
	"ErrStateMismatch": franceconnect.ErrStateMismatch, "ErrIssuerMismatch": franceconnect.ErrIssuerMismatch,
	"ErrExchange": franceconnect.ErrExchange, "ErrRevocation": franceconnect.ErrRevocation,
	"ErrProvider": franceconnect.ErrProvider, "ErrInvalidIDToken": franceconnect.ErrInvalidIDToken,
	"ErrInvalidUserInfo": franceconnect.ErrInvalidUserInfo, "ErrMalformedToken": franceconnect.ErrMalformedToken,
	"ErrAlgorithm": franceconnect.ErrAlgorithm, "ErrDecryption": franceconnect.ErrDecryption,
	"ErrSignature": franceconnect.ErrSignature, "ErrKeyMismatch": franceconnect.ErrKeyMismatch,
	"ErrUnencrypted": franceconnect.ErrUnencrypted, "ErrUnknownKey": franceconnect.ErrUnknownKey,
	"ErrInvalidAudience": franceconnect.ErrInvalidAudience, "ErrExpired": franceconnect.ErrExpired,
	"ErrIssuedInFuture": franceconnect.ErrIssuedInFuture, "ErrNonceMismatch": franceconnect.ErrNonceMismatch,
	"ErrACRTooLow": franceconnect.ErrACRTooLow, "ErrACRNotAccepted": franceconnect.ErrACRNotAccepted,
	"ErrUnknownACR": franceconnect.ErrUnknownACR, "ErrMissingClaim": franceconnect.ErrMissingClaim,
	"ErrSubjectMismatch": franceconnect.ErrSubjectMismatch, "ErrInteractionRequired": franceconnect.ErrInteractionRequired,
	"ErrLevelOutsidePolicy": franceconnect.ErrLevelOutsidePolicy, "ErrStaleAuthentication": franceconnect.ErrStaleAuthentication,
	"ErrLevelUnreachable": franceconnect.ErrLevelUnreachable, "ErrPublicAgentsOnly": franceconnect.ErrPublicAgentsOnly,
	"ErrProviderSessionLost": franceconnect.ErrProviderSessionLost, "ErrServiceMisconfigured": franceconnect.ErrServiceMisconfigured,
	"ErrAgentRefused": franceconnect.ErrAgentRefused, "ErrAccessTokenExpired": franceconnect.ErrAccessTokenExpired,
}

// declaredSentinels are the exported Err… variables of the package's
// source.
func declaredSentinels(t *testing.T) []string {
	t.Helper()
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, ".", func(fi os.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }, 0)
	require.NoError(t, err)
	var names []string
	for _, f := range pkgs["franceconnect"].Files {
		for name, obj := range f.Scope.Objects {
			if obj.Kind == ast.Var && strings.HasPrefix(name, "Err") && ast.IsExported(name) {
				names = append(names, name)
			}
		}
	}
	slices.Sort(names)
	return names
}

func TestErrorMessagesHoldNoSecrets(t *testing.T) {
	var names []string
	for n := range sentinels {
		names = append(names, n)
	}
	slices.Sort(names)
	require.Equal(t, declaredSentinels(t), names, "a new sentinel needs a line in sentinels and a failure that reaches it")

	direct := []struct {
		name  string
		setup confSetup
		run   func(e *confEnv) error
	}{
		{"a short client secret", fcPlus, func(e *confEnv) error {
			e.cfg.ClientSecret = "MARQUEUR-secret-trop-court"
			_, err := franceconnect.New(context.Background(), e.cfg)
			return err
		}},
		{"a userinfo above the size limit", fcPlus, func(e *confEnv) error {
			tamperUserinfo(func(b string) string { return strings.Repeat(b+".", 2<<20/len(b)) })(e)
			_, err := defaultLogin(e)
			return err
		}},
		{"a repeated callback parameter", fcPlus, func(e *confEnv) error {
			q, st := e.callback(franceconnect.AuthRequest{}, "camille", nil)
			q.Add("code", q.Get("code"))
			_, err := e.client().Callback(context.Background(), q, st)
			return err
		}},
		{"a token answer without access_token", fcPlus, func(e *confEnv) error {
			e.through("/token", func(_ *http.Response, b []byte) (int, []byte) {
				var body map[string]any
				_ = json.Unmarshal(b, &body)
				delete(body, "access_token")
				b, _ = json.Marshal(body)
				return http.StatusOK, b
			})
			_, err := defaultLogin(e)
			return err
		}},
		{"a revocation endpoint that echoes the token in an error page", fcPlus, func(e *confEnv) error {
			login, err := e.login(franceconnect.AuthRequest{}, "camille")
			require.NoError(t, err)
			e.mitm.remember(string(login.AccessToken))
			e.c = nil
			e.through("/revocation", func(_ *http.Response, _ []byte) (int, []byte) {
				return http.StatusInternalServerError, []byte("<html>" + string(login.AccessToken) + "</html>")
			})
			c, err := franceconnect.New(context.Background(), e.cfg)
			require.NoError(t, err)
			return c.Revoke(context.Background(), login.AccessToken)
		}},
		{"a revocation endpoint that quotes the token and the secret in its OAuth error", fcPlus, func(e *confEnv) error {
			login, err := e.login(franceconnect.AuthRequest{}, "camille")
			require.NoError(t, err)
			e.mitm.remember(string(login.AccessToken))
			e.c = nil
			e.through("/revocation", quoting("invalid_request", string(login.AccessToken), string(e.cfg.ClientSecret)))
			c, err := franceconnect.New(context.Background(), e.cfg)
			require.NoError(t, err)
			return c.Revoke(context.Background(), login.AccessToken)
		}},
		{"a token endpoint that quotes the code and the secret in its OAuth error", fcPlus, func(e *confEnv) error {
			q, st := e.callback(franceconnect.AuthRequest{}, "camille", nil)
			e.c = nil
			e.through("/token", quoting("invalid_grant", q.Get("code"), string(e.cfg.ClientSecret)))
			_, err := e.client().Callback(context.Background(), q, st)
			return err
		}},
		{"an agent refused by each rule of an AgentPolicy", pcES256JWT, func(e *confEnv) error {
			login, err := agentLogin(e)
			require.NoError(t, err)
			agent := login.(*franceconnect.Login).Identity.Agent
			var errs []error
			for _, p := range []franceconnect.AgentPolicy{{EmailDomains: []string{"interieur.gouv.fr"}},
				{IDPIDs: []string{"fi-interieur"}}, {SIRETs: []string{"13002526500013"}}, {SIRENs: []string{"130025265"}},
				{Roles: []string{"agent_public_territorial"}}} {
				err := p.Check(agent)
				require.ErrorIs(t, err, franceconnect.ErrAgentRefused, "%+v", p)
				errs = append(errs, err)
			}
			return errors.Join(errs...)
		}},
		{"a data call with an access token past its 60 s", fcPlus, func(e *confEnv) error {
			login, err := e.login(franceconnect.AuthRequest{}, "camille")
			require.NoError(t, err)
			e.mitm.remember(string(login.AccessToken))
			e.advance(2 * time.Minute)
			hc, err := e.client().DataClient(&login.Tokens, franceconnect.DataProvider{URL: "http://127.0.0.1:9/api/"})
			require.NoError(t, err)
			req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, "http://127.0.0.1:9/api/v1/me", nil)
			require.NoError(t, err)
			resp, err := hc.Do(req)
			if err == nil {
				_ = resp.Body.Close()
			}
			return err
		}},
		{"our RSA-OAEP-256 key named for an RSA-OAEP token", fcPlusOAEP1, func(e *confEnv) error {
			e.cfg.DecryptionKeys = append(e.cfg.DecryptionKeys, confKeys[franceconnect.RSAOAEP256]())
			tamperIDToken(setKid(confKeys[franceconnect.RSAOAEP256]().ID))(e)
			_, err := defaultLogin(e)
			return err
		}},
	}
	reached := map[error]bool{}
	for _, tc := range conformanceCases() {
		for _, w := range tc.want {
			reached[w] = true
		}
	}
	for _, tc := range direct {
		t.Run(tc.name, func(t *testing.T) {
			e := newConfEnv(t, tc.setup)
			err := tc.run(e)
			require.Error(t, err)
			checkNoSecrets(t, e, err)
			assert.NotContains(t, err.Error(), "MARQUEUR")
			for _, s := range sentinels {
				if errors.Is(err, s) {
					reached[s] = true
				}
			}
		})
	}
	for _, n := range names {
		assert.True(t, reached[sentinels[n]], "no failure checked here or in TestConformance reaches %s", n)
	}
}
