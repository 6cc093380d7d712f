package franceconnect

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/go-franceconnect/franceconnect/internal/wire"
)

// Identity is a verified userinfo (spec §7, §9). Absent claims are zero.
type Identity struct {
	// Subject is sub, equal to the id_token's.
	Subject string
	// GivenName holds the first names separated by spaces.
	GivenName string
	// GivenNameArray holds the first names one by one (FranceConnect v2).
	GivenNameArray []string
	// FamilyName is the birth name.
	FamilyName string
	// PreferredUsername is the usage name; often empty.
	PreferredUsername string
	// Birthdate is the date of birth, possibly presumed (see Birthdate).
	Birthdate Birthdate
	// Gender is "male" or "female" ("unspecified" for some EU identities).
	Gender string
	// Birthplace is the INSEE COG code of the commune of birth (Corsica:
	// 2A…/2B…); empty when born abroad; free text for EU identities.
	Birthplace string
	// Birthcountry is the INSEE country code, "99100" for France.
	Birthcountry string
	// Email is the address verified by the identity provider.
	Email string
	// RNIPP holds the rnipp_* claims (FranceConnect+), for reconciliation.
	RNIPP RNIPPIdentity
	// Claims holds every claim as received, including data-provider claims.
	Claims map[string]json.RawMessage
	// Agent is the agent's identity on ProConnect, nil on FranceConnect.
	// Subject, GivenName, Email and Claims are filled on ProConnect too.
	Agent *AgentIdentity
}

// RNIPPIdentity holds the identity from the national register (RNIPP)
// returned by FranceConnect+ for the rnipp_* scopes.
type RNIPPIdentity struct {
	GivenName      string
	GivenNameArray []string
	FamilyName     string
	Gender         string
	Birthdate      Birthdate
	Birthplace     string
	Birthcountry   string
}

// UserInfoFormat is the form of a userinfo answer (Config.UserInfo).
type UserInfoFormat string

// Userinfo forms.
const (
	UserInfoJWT  UserInfoFormat = "jwt"  // a signed (on FranceConnect+ also encrypted) JWT: application/jwt
	UserInfoJSON UserInfoFormat = "json" // plain JSON, ProConnect only: application/json
)

// BornInFrance reports whether the birth country is France (99100).
func (i *Identity) BornInFrance() bool { return i.Birthcountry == "99100" }

// userinfoClaims are the claims decoded from the userinfo payload.
type userinfoClaims struct {
	commonClaims
	GivenName         string   `json:"given_name"`
	GivenNameArray    []string `json:"given_name_array"`
	FamilyName        string   `json:"family_name"`
	PreferredUsername string   `json:"preferred_username"`
	Birthdate         string   `json:"birthdate"`
	Gender            string   `json:"gender"`
	Birthplace        string   `json:"birthplace"`
	Birthcountry      string   `json:"birthcountry"`
	Email             string   `json:"email"`
	RNIPPGivenName    string   `json:"rnipp_given_name"`
	RNIPPGivenNames   []string `json:"rnipp_given_name_array"`
	RNIPPFamilyName   string   `json:"rnipp_family_name"`
	RNIPPGender       string   `json:"rnipp_gender"`
	RNIPPBirthdate    string   `json:"rnipp_birthdate"`
	RNIPPBirthplace   string   `json:"rnipp_birthplace"`
	RNIPPBirthcountry string   `json:"rnipp_birthcountry"`
}

// UserInfo fetches the identity with the access token, right after the
// exchange (the token lives 60 s), and verifies it like the id_token: the
// answer must be application/jwt, decrypted and verified by the same path,
// with iss, aud, exp, iat and a sub equal to the id_token's. On ProConnect
// configured for UserInfoJSON the answer must be plain application/json
// instead, with the same sub; a signed userinfo is never downgraded to JSON.
// Failures wrap ErrInvalidUserInfo; error answers are a *ProviderError.
func (c *Client) UserInfo(ctx context.Context, t *Tokens) (*Identity, error) {
	if t == nil || t.IDToken == nil || t.AccessToken == "" {
		return nil, wrap(ErrInvalidRequest, "UserInfo needs the Tokens of a verified exchange")
	}
	disc := c.discovery.get(ctx)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, disc.UserinfoEndpoint, nil)
	if err != nil {
		return nil, wrap(ErrInvalidUserInfo, "%w: %v", ErrHTTP, err)
	}
	want := "application/jwt"
	if c.jsonInfo {
		want = "application/json"
	}
	req.Header.Set("Authorization", "Bearer "+string(t.AccessToken))
	req.Header.Set("Accept", want)
	resp, body, err := c.do(req, ErrInvalidUserInfo)
	if err != nil {
		return nil, err
	}
	mt := wire.MediaType(resp)
	if resp.StatusCode != http.StatusOK {
		if e, ok := wire.ParseOAuthError(body); ok && wire.IsJSON(mt) {
			return nil, c.providerError(e.Code, e.Description, e.URI, resp.StatusCode, string(t.AccessToken))
		}
		return nil, statusError(resp.StatusCode, ErrInvalidUserInfo, "%w: GET %s: status %d", ErrHTTP, endpoint(req.URL), resp.StatusCode)
	}
	if mt != want {
		return nil, c.userinfoSetting(wrap(ErrInvalidUserInfo, "%w: %q, want %s", ErrContentType, mt, want), mt)
	}
	if c.jsonInfo {
		return c.userinfoClaims(body, t.IDToken.Subject, false)
	}
	// A trailing newline after the compact token is harmless; anything else
	// is left to the policy, which accepts base64url characters and dots only.
	raw := strings.TrimRight(string(body), " \t\r\n")
	return c.verifyUserInfo(ctx, raw, t.IDToken.Subject)
}

// verifyUserInfo decodes and checks a userinfo JWT against the id_token sub.
func (c *Client) verifyUserInfo(ctx context.Context, raw, sub string) (*Identity, error) {
	payload, _, err := c.decode(ctx, raw, ErrInvalidUserInfo)
	if err != nil {
		return nil, err
	}
	return c.userinfoClaims(payload, sub, true)
}

// userinfoPayload is the claims of a userinfo: a citizen's or an agent's.
type userinfoPayload interface {
	common() *commonClaims
	identity() (*Identity, error)
}

func (cl *commonClaims) common() *commonClaims { return cl }

// userinfoClaims reads and checks the claims of a userinfo; signed tells
// whether they come from a verified JWT, whose iss, aud, exp and iat are
// checked (exp and iat are required on FranceConnect and FranceConnect+,
// which always send them).
func (c *Client) userinfoClaims(payload []byte, sub string, signed bool) (*Identity, error) {
	var cl userinfoPayload = &userinfoClaims{}
	if c.platform == ProConnect {
		cl = &agentClaims{}
	}
	all, err := readAllClaims(payload, cl)
	if err != nil {
		return nil, joinCategory(ErrInvalidUserInfo, err)
	}
	if signed {
		if err := cl.common().check(c, ErrInvalidUserInfo, c.platform != ProConnect); err != nil {
			return nil, err
		}
	}
	if _, ok := all["nonce"]; ok {
		// Only the id_token carries the nonce (spec §7): the same issuer,
		// audience and sub would otherwise let an id_token pass as the
		// userinfo (cross-JWT confusion, RFC 8725 §2.8).
		return nil, tokenError(ErrInvalidUserInfo, ErrMalformedToken, "a userinfo has no nonce: this is an id_token")
	}
	if !equal(cl.common().Subject, sub) {
		return nil, tokenError(ErrInvalidUserInfo, ErrSubjectMismatch, "the userinfo is about someone else")
	}
	id, err := cl.identity()
	if err != nil {
		return nil, err
	}
	id.Claims = all
	return id, nil
}

// identity is the verified citizen.
func (cl *userinfoClaims) identity() (*Identity, error) {
	id := &Identity{
		Subject: cl.Subject, GivenName: cl.GivenName, GivenNameArray: cl.GivenNameArray,
		FamilyName: cl.FamilyName, PreferredUsername: cl.PreferredUsername, Gender: cl.Gender,
		Birthplace: cl.Birthplace, Birthcountry: cl.Birthcountry, Email: cl.Email,
		RNIPP: RNIPPIdentity{
			GivenName: cl.RNIPPGivenName, GivenNameArray: cl.RNIPPGivenNames, FamilyName: cl.RNIPPFamilyName,
			Gender: cl.RNIPPGender, Birthplace: cl.RNIPPBirthplace, Birthcountry: cl.RNIPPBirthcountry,
		},
	}
	for _, d := range []struct {
		raw string
		out *Birthdate
	}{{cl.Birthdate, &id.Birthdate}, {cl.RNIPPBirthdate, &id.RNIPP.Birthdate}} {
		if d.raw == "" {
			continue
		}
		var err error
		if *d.out, err = ParseBirthdate(d.raw); err != nil {
			return nil, tokenError(ErrInvalidUserInfo, ErrMissingClaim, "%v", err)
		}
	}
	return id, nil
}
