package franceconnect

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/rsa"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/big"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// secretForms returns the ways s could appear in output: as is, in
// hexadecimal and in base64.
func secretForms(s string) []string {
	b := []byte(s)
	return []string{s, hex.EncodeToString(b), strings.ToUpper(hex.EncodeToString(b)),
		base64.StdEncoding.EncodeToString(b), base64.RawURLEncoding.EncodeToString(b)}
}

// bigForms returns the ways a private key integer could appear: decimal
// (fmt's %v of a big.Int), hexadecimal, and base64 of its bytes (a JWK).
func bigForms(n *big.Int) []string {
	b := n.Bytes()
	return []string{n.String(), n.Text(16), strings.ToUpper(n.Text(16)),
		base64.RawURLEncoding.EncodeToString(b), base64.StdEncoding.EncodeToString(b)[:20]}
}

// privateMaterial lists the private parts of every test key.
func privateMaterial(keys []Key) []string {
	var out []string
	for _, k := range keys {
		switch p := k.Private.(type) {
		case *ecdsa.PrivateKey:
			out = append(out, bigForms(p.D)...)
		case *rsa.PrivateKey:
			for _, n := range append([]*big.Int{p.D, p.Precomputed.Dp, p.Precomputed.Dq, p.Precomputed.Qinv}, p.Primes...) {
				if n != nil {
					out = append(out, bigForms(n)...)
				}
			}
		}
	}
	return out
}

// TestNothingSecretLeaks prints every exported type that holds a token, a
// secret or a private key with each fmt verb, marshals it with
// encoding/json, and logs it with slog's text and JSON handlers, then
// searches the output for the secret material.
func TestNothingSecretLeaks(t *testing.T) {
	p := newProvider(t, FranceConnectPlus)
	cfg := p.config()
	c := p.client(t)
	serveLogin(t, p, nil, nil, nil)
	login, err := c.Callback(context.Background(), callbackQuery("code", "the-code"), fixState0())
	require.NoError(t, err)
	hint := login.IDToken.Hint()
	lr, err := c.Logout(context.Background(), hint)
	require.NoError(t, err)
	require.Contains(t, lr.URL, string(hint), "the logout URL carries the hint")

	secrets := append(secretForms(fixSecret), secretForms(string(hint))...)
	secrets = append(secrets, secretForms(string(login.AccessToken))...)
	secrets = append(secrets, strings.Split(string(hint), ".")[2]) // the signature alone
	secrets = append(secrets, privateMaterial(cfg.DecryptionKeys)...)

	values := map[string]any{
		"Secret": cfg.ClientSecret, "Token": login.AccessToken, "hint": hint,
		"Key": cfg.DecryptionKeys[0], "RSA Key": cfg.DecryptionKeys[1], "[]Key": cfg.DecryptionKeys,
		"Config": cfg, "*Config": &cfg, "*Client": c,
		"IDToken": *login.IDToken, "*IDToken": login.IDToken, "Tokens": login.Tokens, "*Tokens": &login.Tokens,
		"Login": *login, "*Login": login, "LogoutRequest": *lr, "*LogoutRequest": lr,
	}
	for name, v := range values {
		t.Run(name, func(t *testing.T) {
			var outputs []string
			for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d"} {
				outputs = append(outputs, verb+" "+fmt.Sprintf(verb, v))
			}
			if b, err := json.Marshal(v); err == nil {
				outputs = append(outputs, "json "+string(b))
			}
			for hname, h := range map[string]func(*bytes.Buffer) slog.Handler{
				"text": func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
				"json": func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
			} {
				var buf bytes.Buffer
				slog.New(h(&buf)).Info("login", "value", v)
				outputs = append(outputs, "slog "+hname+" "+buf.String())
			}
			for _, out := range outputs {
				for _, s := range secrets {
					if len(s) >= 16 && strings.Contains(out, s) {
						t.Fatalf("output leaks secret material %.12q…: %.200s", s, out)
					}
				}
			}
		})
	}
}

func TestRedactedFormsStayUseful(t *testing.T) {
	k := loadTestKeys(t).fsKey(ECDHES)
	b, err := json.Marshal(k)
	require.NoError(t, err)
	assert.JSONEq(t, `{"kid":"`+k.ID+`","alg":"ECDH-ES","kty":"EC","private":"[redacted]"}`, string(b))
	assert.Equal(t, `Key{ID:"`+k.ID+`" Algorithm:"ECDH-ES" Type:"EC" Private:[redacted]}`, fmt.Sprintf("%#v", k))

	cfg := newProvider(t, FranceConnectPlus).config()
	b, err = json.Marshal(cfg)
	require.NoError(t, err, "Config marshals although it holds funcs and clients")
	assert.Contains(t, string(b), `"client_id":"`+fixClientID+`"`)
	assert.Contains(t, string(b), `"client_secret":"[redacted]"`)

	lr := LogoutRequest{URL: "https://fc.example/api/v2/session/end?id_token_hint=a.b.c&state=s", State: "s"}
	assert.Equal(t, "{URL:https://fc.example/api/v2/session/end?id_token_hint=%5Bredacted%5D&state=s State:s}", fmt.Sprint(lr))
	idt := IDToken{Subject: "sub-1", ACR: EIDAS2, hint: "h.e.llo"}
	assert.Contains(t, fmt.Sprintf("%+v", idt), "Subject:sub-1")
	assert.Contains(t, fmt.Sprintf("%+v", idt), "Hint:[redacted]")
	assert.Equal(t, Token("h.e.llo"), idt.Hint(), "Hint still returns the token")
}
