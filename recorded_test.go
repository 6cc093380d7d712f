package franceconnect_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect"
)

// The tests of this file run the package on documents the FranceConnect
// sandbox really published (testdata/recorded/SOURCES), with the clock set
// to the time the tokens were issued.

const (
	recordedNonce   = "YTc3NzZlNjUtNmY3OC00YzExLThmODItMTg0MDg2ZjQ0YzEyLTIwMjUtMTEtMTggMDg6NTI6MzUuNjM1OTYyKzAwOjAw"
	recordedIDAud   = "33fe498cc172fe691778912a2967baa650b24f1ae0ebbe47ae552f37b2d25ead"
	recordedIDSub   = "cff67ebe00792a2f2b5115dcc1a65d115adb3b73653fb3ed1b88ea11a7a2589av1"
	recordedInfoAud = "fb9615294c746145edd857b4edbeb4996e316ae1712ed2bb361150a1e6cd8c6f"
	recordedInfoSub = "4ce4f0ccf5775602a524b3f0696683459a9802d2bc44a34263c8e33fdaf51536v1"
)

var (
	recordedIDIat   = time.Unix(1763455959, 0)
	recordedInfoIat = time.Unix(1763474762, 0)
)

// recorded answers the sandbox's URLs with the recorded documents; other
// paths answer 404.
type recorded struct{ tokenStatus int }

func (rt recorded) RoundTrip(req *http.Request) (*http.Response, error) {
	serve := map[string][2]string{
		"/api/v2/.well-known/openid-configuration": {"openid-configuration.json", "application/json; charset=utf-8"},
		"/api/v2/jwks":     {"jwks.json", "application/jwk-set+json; charset=utf-8"},
		"/api/v2/userinfo": {"userinfo.jwt", "application/jwt; charset=utf-8"},
		"/api/v2/token":    {"token-error-invalid_grant.json", "application/json; charset=utf-8"},
	}
	status := http.StatusOK
	file, ok := serve[req.URL.Path]
	if req.URL.Host != "fcp-low.sbx.dev-franceconnect.fr" || !ok {
		status, file = http.StatusNotFound, [2]string{"", "text/plain"}
	}
	if req.URL.Path == "/api/v2/token" {
		status = rt.tokenStatus
	}
	var body []byte
	if file[0] != "" {
		var err error
		if body, err = os.ReadFile(filepath.Join("testdata", "recorded", "fc-sandbox", file[0])); err != nil {
			return nil, err
		}
	}
	return &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {file[1]}},
		Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body)), Request: req}, nil
}

// dgfipScopes are the DGFiP data-provider scopes the sandbox publishes,
// read from its recorded discovery document.
func dgfipScopes(t *testing.T) []string {
	b, err := os.ReadFile(filepath.Join("testdata", "recorded", "fc-sandbox", "openid-configuration.json"))
	require.NoError(t, err)
	var scopes []string
	for _, line := range strings.Split(string(b), "\n") {
		s := strings.Trim(strings.TrimSpace(line), `",`)
		if strings.HasPrefix(s, "dgfip_") && !contains(scopes, s) {
			scopes = append(scopes, s)
		}
	}
	return scopes
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func recordedClient(t *testing.T, clientID string, now time.Time, scopes ...string) (*franceconnect.Client, error) {
	return franceconnect.New(context.Background(), franceconnect.Config{
		Environment: franceconnect.FCSandbox, ClientID: clientID,
		ClientSecret: "recorded-test-client-secret-0123456789",
		RedirectURL:  "https://fs.example.org/callback", PostLogoutRedirectURL: "https://fs.example.org/logged-out",
		Scopes:     append([]string{"openid", "identite_pivot", "email"}, scopes...),
		HTTPClient: &http.Client{Transport: recorded{tokenStatus: http.StatusBadRequest}},
		Now:        func() time.Time { return now },
	})
}

func TestRecordedSandboxDGFiPScopes(t *testing.T) {
	scopes := dgfipScopes(t)
	require.Len(t, scopes, 44, "the sandbox publishes 44 DGFiP scopes")
	for _, s := range []string{"dgfip_nmUsaDec1", "dgfip_RevDecl_Cat1_Tspr", "dgfip_RevNets_Cat3_PMV", "dgfip_EpargRetrDeduc"} {
		require.Contains(t, scopes, s)
	}
	_, err := recordedClient(t, recordedIDAud, recordedIDIat, scopes...)
	require.NoError(t, err, "every DGFiP scope the platform publishes is accepted")

	_, err = recordedClient(t, recordedIDAud, recordedIDIat, "dgfip_nmUsaDec3")
	require.ErrorIs(t, err, franceconnect.ErrConfig)
	assert.Contains(t, err.Error(), `["dgfip_nmUsaDec3"] not among the scopes FranceConnect publishes`)
	assert.Contains(t, err.Error(), "dgfip_nmUsaDec1", "the published scopes are listed")
	_, err = recordedClient(t, recordedIDAud, recordedIDIat, "rnipp_birth")
	require.ErrorIs(t, err, franceconnect.ErrConfig)
	assert.Contains(t, err.Error(), "identity scope of FranceConnect+, not of FranceConnect", "refused offline")
}

func TestRecordedSandboxIDToken(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "recorded", "fc-sandbox", "idtoken.jwt"))
	require.NoError(t, err)
	st := franceconnect.AuthState{State: "recorded", Nonce: recordedNonce, ACR: franceconnect.EIDAS1}
	c, err := recordedClient(t, recordedIDAud, recordedIDIat.Add(5*time.Second))
	require.NoError(t, err)
	idt, err := c.VerifyIDToken(context.Background(), string(raw), st)
	require.NoError(t, err)
	assert.Equal(t, recordedIDSub, idt.Subject)
	assert.Equal(t, franceconnect.EIDAS1, idt.ACR)
	assert.Equal(t, recordedIDIat, idt.AuthTime)

	tampered := string(raw[:len(raw)-4]) + "AAAA"
	_, err = c.VerifyIDToken(context.Background(), tampered, st)
	require.ErrorIs(t, err, franceconnect.ErrSignature)

	late, err := recordedClient(t, recordedIDAud, recordedIDIat.Add(2*time.Minute))
	require.NoError(t, err)
	_, err = late.VerifyIDToken(context.Background(), string(raw), st)
	require.ErrorIs(t, err, franceconnect.ErrExpired)

	other, err := recordedClient(t, recordedInfoAud, recordedIDIat)
	require.NoError(t, err)
	_, err = other.VerifyIDToken(context.Background(), string(raw), st)
	require.ErrorIs(t, err, franceconnect.ErrInvalidAudience)
}

func TestRecordedSandboxUserInfo(t *testing.T) {
	c, err := recordedClient(t, recordedInfoAud, recordedInfoIat.Add(5*time.Second))
	require.NoError(t, err)
	tokens := &franceconnect.Tokens{AccessToken: "recorded", IDToken: &franceconnect.IDToken{Subject: recordedInfoSub}}
	id, err := c.UserInfo(context.Background(), tokens)
	require.NoError(t, err)
	assert.Equal(t, "Angela Claire Louise", id.GivenName)
	assert.Equal(t, []string{"Angela", "Claire", "Louise"}, id.GivenNameArray)
	assert.Equal(t, "DUBOIS", id.FamilyName)
	assert.Equal(t, "1962-08-24", id.Birthdate.String())
	assert.Equal(t, "75107", id.Birthplace)
	assert.True(t, id.BornInFrance())

	tokens.IDToken.Subject = recordedIDSub
	_, err = c.UserInfo(context.Background(), tokens)
	require.ErrorIs(t, err, franceconnect.ErrSubjectMismatch)
}

func TestRecordedSandboxTokenError(t *testing.T) {
	c, err := recordedClient(t, recordedIDAud, recordedIDIat)
	require.NoError(t, err)
	_, err = c.Exchange(context.Background(), "unknown-code", franceconnect.AuthState{State: "s", Nonce: recordedNonce})
	var pe *franceconnect.ProviderError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "invalid_grant", pe.Code)
	assert.Equal(t, "Y049E20B", pe.FCCode)
	assert.Equal(t, http.StatusBadRequest, pe.HTTPStatus)
}
