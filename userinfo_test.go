package franceconnect

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	gojose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// serveLogin makes the provider answer the token and userinfo endpoints
// like FranceConnect+ for one login, with optional edits of the answers.
func serveLogin(t *testing.T, p *provider, editID, editUI func(map[string]any), uiRaw func(string) string) {
	k := p.keys
	p.set(func(p *provider) {
		p.token = func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") != "" {
				http.Error(w, "basic auth not allowed", http.StatusBadRequest)
				return
			}
			require.NoError(t, r.ParseForm())
			want := url.Values{"grant_type": {"authorization_code"}, "code": {"the-code"}, "redirect_uri": {fixRedirect},
				"client_id": {fixClientID}, "client_secret": {fixSecret}}
			if fmt.Sprint(r.PostForm) != fmt.Sprint(want) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusBadRequest)
				_, _ = w.Write([]byte(`{"error":"invalid_grant","error_description":"grant request is invalid (authorization code not found)","error_uri":"https://docs.example/?code=Y049E20B&id=7"}`))
				return
			}
			claims := idClaimsAt(fixNow)
			if editID != nil {
				editID(claims)
			}
			tok := tokenCase{claims: func(c map[string]any) {
				for k := range c {
					delete(c, k)
				}
				for k, v := range claims {
					c[k] = v
				}
			}}
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(map[string]any{"access_token": strings.Repeat("a", 43), "expires_in": 60,
				"id_token": tok.mint(t, k), "scope": "openid identite_pivot email", "token_type": "Bearer"})
		}
		p.userinfo = func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") != "Bearer "+strings.Repeat("a", 43) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusUnauthorized)
				_, _ = w.Write([]byte(`{"error":"invalid_token","error_description":"invalid token provided (access token not found)","error_uri":"https://docs.example/?code=Y040001&id=8"}`))
				return
			}
			claims := userinfoClaimsAt(fixNow)
			if editUI != nil {
				editUI(claims)
			}
			raw := encryptJWE(t, signJWS(t, claims, gojose.ES256, k.providerES256), k.fsKey(ECDHES), nil)
			if uiRaw != nil {
				raw = uiRaw(raw)
			}
			w.Header().Set("Content-Type", "application/jwt; charset=utf-8")
			_, _ = w.Write([]byte(raw))
		}
	})
}

func TestCallbackFullLogin(t *testing.T) {
	p := newProvider(t, FranceConnectPlus)
	c := p.client(t)
	serveLogin(t, p, nil, nil, nil)
	login, err := c.Callback(context.Background(), callbackQuery("code", "the-code"), fixState0())
	require.NoError(t, err)
	assert.Equal(t, fixSub, login.IDToken.Subject)
	assert.Equal(t, fixSub, login.Identity.Subject)
	assert.Equal(t, "Éloïse Marie", login.Identity.GivenName)
	assert.Equal(t, "D'ARGENSON", login.Identity.FamilyName)
	assert.Equal(t, Birthdate{1984, 3, 1}, login.Identity.Birthdate)
	assert.Equal(t, DayMaybePresumed, login.Identity.Birthdate.Presumption())
	assert.Equal(t, "2A004", login.Identity.Birthplace)
	assert.True(t, login.Identity.BornInFrance())
	assert.Equal(t, []string{"openid", "identite_pivot", "email"}, login.Scopes)
	assert.Equal(t, fixNow.Add(60*time.Second), login.Expiry)
	assert.JSONEq(t, `"eloise.dargenson@example.org"`, string(login.Identity.Claims["email"]))
	assert.Equal(t, int64(1), p.count("/api/v2/token"))
	assert.Equal(t, int64(1), p.count("/api/v2/userinfo"))
	assert.Equal(t, int64(1), p.count("/api/v2/.well-known/openid-configuration"))
	assert.Equal(t, int64(1), p.count("/api/v2/jwks"))
}

func TestCallbackRefusals(t *testing.T) {
	tests := []struct {
		name           string
		code           string
		editID, editUI func(map[string]any)
		uiRaw          func(string) string
		want           []error
	}{
		{"unknown code", "other-code", nil, nil, nil, []error{ErrProvider}},
		{"userinfo about someone else", "the-code", nil, func(c map[string]any) { c["sub"] = fixOtherSub }, nil, []error{ErrInvalidUserInfo, ErrSubjectMismatch}},
		{"userinfo wrong iss", "the-code", nil, func(c map[string]any) { c["iss"] = "https://evil.example" }, nil, []error{ErrInvalidUserInfo, ErrIssuerMismatch}},
		{"userinfo wrong aud", "the-code", nil, func(c map[string]any) { c["aud"] = "other" }, nil, []error{ErrInvalidUserInfo, ErrInvalidAudience}},
		{"userinfo expired", "the-code", nil, func(c map[string]any) { c["exp"] = fixNow.Unix() - 30 }, nil, []error{ErrInvalidUserInfo, ErrExpired}},
		{"userinfo bad birthdate", "the-code", nil, func(c map[string]any) { c["birthdate"] = "15/03/1984" }, nil, []error{ErrInvalidUserInfo, ErrMissingClaim}},
		{"userinfo bare JWS", "the-code", nil, nil, func(string) string {
			return signJWS(t, userinfoClaimsAt(fixNow), gojose.ES256, loadTestKeys(t).providerES256)
		}, []error{ErrInvalidUserInfo, ErrUnencrypted}},
		{"userinfo tampered", "the-code", nil, nil, func(s string) string { return flipSegment(s, 3) }, []error{ErrInvalidUserInfo, ErrDecryption}},
		{"id_token nonce", "the-code", func(c map[string]any) { c["nonce"] = strings.Repeat("b", 64) }, nil, nil, []error{ErrInvalidIDToken, ErrNonceMismatch}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newProvider(t, FranceConnectPlus)
			c := p.client(t)
			serveLogin(t, p, tt.editID, tt.editUI, tt.uiRaw)
			login, err := c.Callback(context.Background(), callbackQuery("code", tt.code), fixState0())
			for _, want := range tt.want {
				require.ErrorIs(t, err, want)
			}
			assert.Nil(t, login, "no identity on failure")
		})
	}
}

func TestUserInfoAnswers(t *testing.T) {
	p := newProvider(t, FranceConnectPlus)
	c := p.client(t)
	serveLogin(t, p, nil, nil, nil)
	tokens, err := c.Exchange(context.Background(), "the-code", fixState0())
	require.NoError(t, err)

	answer := func(status int, ctype, body string) {
		p.set(func(p *provider) {
			p.userinfo = func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", ctype)
				w.WriteHeader(status)
				_, _ = w.Write([]byte(body))
			}
		})
	}
	answer(200, "application/json", `{"sub":"`+fixSub+`","given_name":"X"}`)
	_, err = c.UserInfo(context.Background(), tokens)
	require.ErrorIs(t, err, ErrContentType, "unsigned JSON is refused")

	answer(200, "text/html", `<html>`)
	_, err = c.UserInfo(context.Background(), tokens)
	require.ErrorIs(t, err, ErrContentType)

	answer(401, "application/json", `{"error":"invalid_token","error_description":"invalid token provided (access token not found)","error_uri":"https://docs.example/?code=Y040001&id=1"}`)
	_, err = c.UserInfo(context.Background(), tokens)
	var pe *ProviderError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "Y040001", pe.FCCode)
	assert.Equal(t, 401, pe.HTTPStatus)

	answer(502, "text/html", `bad gateway`)
	_, err = c.UserInfo(context.Background(), tokens)
	require.ErrorIs(t, err, ErrHTTP)

	answer(200, "application/jwt", strings.Repeat("A", 2<<20))
	_, err = c.UserInfo(context.Background(), tokens)
	require.ErrorIs(t, err, ErrResponseTooLarge)

	_, err = c.UserInfo(context.Background(), &Tokens{})
	require.ErrorIs(t, err, ErrInvalidRequest)
}

func TestExchangeErrors(t *testing.T) {
	p := newProvider(t, FranceConnectPlus)
	c := p.client(t)
	serveLogin(t, p, nil, nil, nil)
	_, err := c.Exchange(context.Background(), "expired-code", fixState0())
	var pe *ProviderError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "invalid_grant", pe.Code)
	assert.Equal(t, "Y049E20B", pe.FCCode)
	assert.Equal(t, 400, pe.HTTPStatus)
	assert.NotContains(t, err.Error(), fixSecret)

	for name, h := range map[string]http.HandlerFunc{
		"no id_token": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"access_token":"x","token_type":"Bearer","expires_in":60}`))
		},
		"not bearer": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"access_token":"x","token_type":"DPoP","expires_in":60,"id_token":"a.b.c"}`))
		},
		"no access_token": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"token_type":"Bearer"}`))
		},
		"html 500": func(w http.ResponseWriter, r *http.Request) { http.Error(w, "boom", 500) },
		"huge":     func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(strings.Repeat(" ", 3<<20))) },
	} {
		p.set(func(p *provider) { p.token = h })
		tok, err := c.Exchange(context.Background(), "the-code", fixState0())
		require.Error(t, err, name)
		assert.Nil(t, tok, name)
		assert.True(t, errorsIsAny(err, ErrExchange, ErrInvalidIDToken), "%s: %v", name, err)
	}
	_, err = c.Exchange(context.Background(), "", fixState0())
	require.ErrorIs(t, err, ErrInvalidRequest)

	p.set(func(p *provider) {
		p.token = func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/x-www-form-urlencoded")
			_, _ = w.Write([]byte("access_token=x&token_type=Bearer&id_token=a.b.c"))
		}
	})
	_, err = c.Exchange(context.Background(), "the-code", fixState0())
	require.ErrorIs(t, err, ErrContentType, "FranceConnect answers JSON; another encoding is refused")
	require.ErrorIs(t, err, ErrExchange)
}

func errorsIsAny(err error, targets ...error) bool {
	for _, t := range targets {
		if errors.Is(err, t) {
			return true
		}
	}
	return false
}

func TestParseBirthdate(t *testing.T) {
	good := map[string]struct {
		b Birthdate
		p Presumption
	}{
		"1984-03-15": {Birthdate{1984, 3, 15}, NotPresumed},
		"1984-03-01": {Birthdate{1984, 3, 1}, DayMaybePresumed},
		"1984-01-01": {Birthdate{1984, 1, 1}, MonthMaybePresumed},
		"1992-11-00": {Birthdate{1992, 11, 0}, DayUnknown},
		"1992-00-00": {Birthdate{1992, 0, 0}, MonthUnknown},
		"2000-02-29": {Birthdate{2000, 2, 29}, NotPresumed},
	}
	for s, want := range good {
		b, err := ParseBirthdate(s)
		require.NoError(t, err, s)
		assert.Equal(t, want.b, b, s)
		assert.Equal(t, want.p, b.Presumption(), s)
		assert.Equal(t, s, b.String())
	}
	for _, s := range []string{"", "1984-3-15", "15/03/1984", "1984-13-01", "1984-00-05", "1999-02-29", "1984-04-31", "+984-01-01", "1984-0a-01", "0000-01-01"} {
		_, err := ParseBirthdate(s)
		require.Error(t, err, s)
	}
	b := Birthdate{2010, 11, 2}
	assert.Equal(t, 15, b.AgeAt(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)))
	assert.Equal(t, 16, b.AgeAt(time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)))
	assert.True(t, Birthdate{}.IsZero())
}
