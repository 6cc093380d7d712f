package fctest_test

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect/fctest"
)

func TestAdvanceClock(t *testing.T) {
	e := newEnv(t, fctest.Options{}, nil)
	start := e.srv.Now()
	require.Equal(t, e.clock.Now(), start)
	_, err := e.srv.AdvanceClock(-time.Second)
	require.ErrorContains(t, err, "the clock only moves forward")

	code := e.code("camille")
	now, err := e.srv.AdvanceClock(31 * time.Second)
	require.NoError(t, err)
	require.Equal(t, start.Add(31*time.Second), now)
	require.Equal(t, 31*time.Second, e.srv.ClockOffset())
	resp, body := e.post("/token", e.tokenForm(code))
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	require.Contains(t, string(body), "authorization code is expired", "codes live 30 s of the server clock")

	tokens := e.exchange(e.code("camille"))
	_, claims := e.open(tokens["id_token"].(string))
	require.EqualValues(t, now.Unix(), claims["iat"], "tokens carry the moved time")
	require.EqualValues(t, now.Unix(), claims["auth_time"])
	_, err = e.srv.AdvanceClock(61 * time.Second)
	require.NoError(t, err)
	resp, _ = e.get(e.srv.Issuer()+"/userinfo", tokens["access_token"].(string))
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode, "access tokens live 60 s")

	e.login("camille")
	_, err = e.srv.AdvanceClock(11 * time.Minute)
	require.NoError(t, err)
	hint, _ := e.open(e.exchange(e.code("camille"))["id_token"].(string))
	_, err = e.srv.AdvanceClock(11 * time.Minute)
	require.NoError(t, err)
	_, err = e.srv.Logout(t.Context(), e.logoutURL("id_token_hint", hint, "state", "s",
		"post_logout_redirect_uri", logoutURL))
	requirePageError(t, err, http.StatusBadRequest, "Y100019") // the FranceConnect+ session lasted 10 minutes
}

func TestRotateSigningKeys(t *testing.T) {
	e := newEnv(t, fctest.Options{}, nil)
	first := e.srv.KeyIDs()
	hint, _ := e.open(e.exchange(e.code("camille"))["id_token"].(string))

	rot, err := e.srv.RotateSigningKeys(10 * time.Minute)
	require.NoError(t, err)
	require.Len(t, rot, 1)
	require.Equal(t, "ES256", rot[0].Alg)
	require.Equal(t, first[0], rot[0].OldKID)
	require.Equal(t, e.clock.Now().Add(10*time.Minute), rot[0].Retired)
	require.Equal(t, []string{rot[0].OldKID, rot[0].NewKID}, e.srv.KeyIDs(), "the old key kept for a while")
	jws, _ := e.open(e.exchange(e.code("camille"))["id_token"].(string))
	require.Equal(t, rot[0].NewKID, header(t, jws)["kid"])

	_, err = e.srv.AdvanceClock(10 * time.Minute)
	require.NoError(t, err)
	require.Equal(t, []string{rot[0].NewKID}, e.srv.KeyIDs(), "retired when the server clock reaches it")
	_, err = e.srv.Logout(t.Context(), e.logoutURL("id_token_hint", hint, "state", "s"))
	require.Error(t, err, "a hint signed by the retired key is refused")

	rot, err = e.srv.RotateSigningKeys(0)
	require.NoError(t, err)
	require.Equal(t, []string{rot[0].NewKID}, e.srv.KeyIDs(), "withdrawn at once")
	rot, err = e.srv.RotateSigningKeys(-1)
	require.NoError(t, err)
	require.True(t, rot[0].Retired.IsZero())
	_, err = e.srv.AdvanceClock(1000 * time.Hour)
	require.NoError(t, err)
	require.Len(t, e.srv.KeyIDs(), 2, "kept until RemoveKey")
}

func TestClientsFileFaults(t *testing.T) {
	clients, err := fctest.ParseRegistrations([]byte(`[{"client_id": "fs", "client_secret": "` + secret + `",
		"redirect_uris": ["` + callbackURL + `"],
		"faults": ["FaultWrongNonce", {"fault": "FaultTokenLatency", "login": "camille", "count": 2, "delay": "10ms"}]}]`))
	require.NoError(t, err)
	require.Equal(t, []fctest.Injection{{Fault: fctest.FaultWrongNonce},
		{Fault: fctest.FaultTokenLatency, Login: "camille", Count: 2, Delay: 10 * time.Millisecond}}, clients[0].Faults)

	e := newEnv(t, fctest.Options{}, nil)
	c := e.client
	c.ID, c.Faults = "fs", clients[0].Faults
	require.NoError(t, e.srv.Register(c))
	require.Equal(t, []fctest.Injection{{Fault: fctest.FaultWrongNonce, ClientID: "fs", Count: 1},
		{Fault: fctest.FaultTokenLatency, ClientID: "fs", Login: "camille", Count: 2, Delay: 10 * time.Millisecond}},
		e.srv.Pending())
	data, err := json.Marshal(e.srv.Pending()[1])
	require.NoError(t, err)
	require.JSONEq(t, `{"fault": "FaultTokenLatency", "client_id": "fs", "login": "camille", "count": 2, "delay": "10ms"}`,
		string(data))

	for _, tc := range []struct{ faults, want string }{
		{`["FaultNope"]`, `client "fs": faults: unknown fault "FaultNope"`},
		{`[{"fault": "FaultWrongNonce", "when": 1}]`, `client "fs": faults: a fault is a name or an object`},
		{`[{"count": 2}]`, `needs "fault"`},
		{`[{"fault": "FaultTokenLatency", "delay": "soon"}]`, `delay "soon": want a duration`},
	} {
		_, err := fctest.ParseRegistrations([]byte(`[{"client_id": "fs", "faults": ` + tc.faults + `}]`))
		require.ErrorContains(t, err, tc.want)
	}
	c.ID, c.Faults = "fs2", []fctest.Injection{{Fault: fctest.FaultRefreshOtherSub}}
	err = e.srv.Register(c)
	require.ErrorContains(t, err, `client "fs2": faults: FaultRefreshOtherSub cannot apply on FranceConnect+`)
	require.ErrorContains(t, e.srv.FaultApplies(fctest.FaultWrongNonce, "fs2"), "no client", "not registered")
	c.Faults = []fctest.Injection{{Fault: fctest.FaultWrongNonce, ClientID: "another"}}
	require.ErrorContains(t, e.srv.Register(c), `FaultWrongNonce is aimed at client "another"`)
}

func TestBaseURLAndNonLoopback(t *testing.T) {
	ln, err := net.Listen("tcp", "0.0.0.0:0")
	require.NoError(t, err)
	_, err = fctest.NewServer(fctest.Options{Listener: ln})
	require.ErrorContains(t, err, "is not a loopback TCP address")

	ln, err = net.Listen("tcp", "0.0.0.0:0")
	require.NoError(t, err)
	port := ln.Addr().(*net.TCPAddr).Port
	srv := fctest.New(t, fctest.Options{Listener: ln, InsecureNonLoopback: true})
	require.Equal(t, "http://127.0.0.1:"+strconv.Itoa(port)+"/api/v2", srv.Issuer(), "reached on loopback by default")

	ln, err = net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv = fctest.New(t, fctest.Options{Listener: ln, TLS: &tls.Config{}, BaseURL: "https://fcemulator:8443"})
	require.Equal(t, "https://fcemulator:8443/api/v2", srv.Issuer())
	require.NoError(t, srv.Certificate().VerifyHostname("fcemulator"), "the generated certificate covers the base URL's host")
	require.NoError(t, srv.Certificate().VerifyHostname("127.0.0.1"))

	for _, bad := range []string{"http://fcemulator:8443", "https://x/api", "https://", "https://h?q=1"} {
		_, err := fctest.NewServer(fctest.Options{TLS: &tls.Config{}, BaseURL: bad})
		require.ErrorContains(t, err, "BaseURL", bad)
	}
}

func TestGenerateCertificate(t *testing.T) {
	cert, err := fctest.GenerateCertificate("fcemulator", "10.0.0.7")
	require.NoError(t, err)
	leaf, err := x509.ParseCertificate(cert.Certificate[0])
	require.NoError(t, err)
	for _, host := range []string{"fcemulator", "10.0.0.7", "localhost", "127.0.0.1", "::1"} {
		require.NoError(t, leaf.VerifyHostname(host), host)
	}
	require.True(t, leaf.IsCA)
	require.True(t, strings.HasPrefix(leaf.Subject.CommonName, "fctest"))
}
