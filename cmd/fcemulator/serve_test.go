package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// publishedKids returns the kids of the emulator's JWKS.
func publishedKids(t *testing.T, emu *process) []string {
	t.Helper()
	resp, err := emu.httpClient().Get(emu.issuer + "/jwks")
	require.NoError(t, err)
	var set struct {
		Keys []struct {
			Kid string `json:"kid"`
		} `json:"keys"`
	}
	require.NoError(t, json.Unmarshal([]byte(readBody(t, resp)), &set))
	var kids []string
	for _, k := range set.Keys {
		kids = append(kids, k.Kid)
	}
	return kids
}

// waitForRequest waits for the log line of a request to path: the server
// writes it after sending the response.
func waitForRequest(t *testing.T, emu *process, path string) {
	t.Helper()
	require.Eventually(t, func() bool { return countRequests(emu, path) > 0 }, 5*time.Second, 5*time.Millisecond,
		"no log line for %s", path)
}

// countRequests counts the log lines of requests to path.
func countRequests(emu *process, path string) int {
	n := 0
	for _, line := range emu.requestLog() {
		if strings.Contains(line, " path="+path+" ") {
			n++
		}
	}
	return n
}

func TestSigningKeysSurviveRestart(t *testing.T) {
	keysDir := filepath.Join(t.TempDir(), "keys")
	clients := clientsFile(t, "fc")
	first := startEmulator(t, "-platform", "fc", "-keys-dir", keysDir, "-clients", clients)
	addr := first.addr(t)
	kids := publishedKids(t, first)
	require.Len(t, kids, 2)
	for _, name := range []string{"signing-es256.pem", "signing-rs256.pem"} {
		info, err := os.Stat(filepath.Join(keysDir, name))
		require.NoError(t, err)
		require.Equal(t, os.FileMode(0o600), info.Mode().Perm(), "private keys readable by their owner only")
	}
	rs256 := pairs[4]
	client := newGoClient(t, first, rs256) // fetches discovery and the JWKS once
	_, err := tryLogin(t, first, rs256, client, newBrowser(t, first))
	require.NoError(t, err)
	require.Equal(t, 0, first.stop(t, sigterm), "clean shutdown on SIGTERM")
	require.Contains(t, first.stderr.String(), `msg="shutting down"`)
	require.Contains(t, first.stderr.String(), "msg=stopped")
	_, err = first.httpClient().Get(first.issuer + "/jwks")
	require.Error(t, err, "no longer listening")

	second := startEmulator(t, "-platform", "fc", "-addr", addr, "-keys-dir", keysDir, "-clients", clients)
	require.Equal(t, first.issuer, second.issuer)
	_, err = tryLogin(t, second, rs256, client, newBrowser(t, second))
	require.NoError(t, err, "the client's cached keys still verify")
	waitForRequest(t, second, "/api/v2/userinfo") // the last request of the login
	require.Zero(t, countRequests(second, "/api/v2/jwks"), "no key refresh was needed")
	require.Zero(t, countRequests(second, "/api/v2/.well-known/openid-configuration"))
	require.Equal(t, kids, publishedKids(t, second))
	require.Contains(t, second.summary, "signing keys kept in "+keysDir)
	second.stop(t, os.Interrupt)

	third := startEmulator(t, "-platform", "fc", "-addr", addr, "-clients", clients)
	require.NotEqual(t, kids[0], publishedKids(t, third)[0], "without -keys-dir, new keys at each start")
}

func TestTLSSelfSigned(t *testing.T) {
	certFile := filepath.Join(t.TempDir(), "emulator.pem")
	p := pairs[0]
	p.flags = true
	emu := startEmulator(t, "-tls-self-signed", certFile, "-client-id", p.clientID, "-client-secret", p.secret(),
		"-redirect-uri", callbackURL, "-post-logout-redirect-uri", loggedOut, "-jwks", string(p.publicJWKS(t)))
	require.True(t, strings.HasPrefix(emu.issuer, "https://127.0.0.1:"), emu.issuer)
	require.Contains(t, emu.summary, "self-signed certificate written to "+certFile)

	_, err := http.Get(emu.issuer + "/.well-known/openid-configuration")
	require.ErrorContains(t, err, "certificate", "untrusted until the written certificate is trusted")

	data, err := os.ReadFile(certFile)
	require.NoError(t, err)
	emu.roots = x509.NewCertPool()
	require.True(t, emu.roots.AppendCertsFromPEM(data))
	resp, err := emu.httpClient().Get(emu.issuer + "/.well-known/openid-configuration")
	require.NoError(t, err)
	readBody(t, resp)
	require.Equal(t, 2, resp.ProtoMajor, "HTTP/2 over TLS")
	goRoundTrip(t, emu, p, true)
	rawRoundTrip(t, emu, p, true)
}

// certificateFiles writes a certificate for hosts, signed by a new CA, and
// its key as PEM files; it returns their paths and the CA.
func certificateFiles(t *testing.T, hosts ...string) (certFile, keyFile string, ca *x509.Certificate) {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "FS test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true,
		BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	require.NoError(t, err)
	ca, err = x509.ParseCertificate(caDER)
	require.NoError(t, err)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), NotBefore: time.Now().Add(-time.Hour),
		NotAfter: time.Now().Add(time.Hour), ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	require.NoError(t, err)
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	require.NoError(t, err)
	certFile = writeFile(t, "cert.pem", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})))
	keyFile = writeFile(t, "key.pem", string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})))
	return certFile, keyFile, ca
}

func TestTLSGivenCertificate(t *testing.T) {
	certFile, keyFile, ca := certificateFiles(t, "127.0.0.1")
	emu := startEmulator(t, "-tls-cert", certFile, "-tls-key", keyFile, "-clients", clientsFile(t, "fc"),
		"-platform", "fc", "-keys-dir", sharedKeysDir)
	emu.roots = x509.NewCertPool()
	emu.roots.AddCert(ca)
	conn, err := tls.Dial("tcp", emu.addr(t), &tls.Config{RootCAs: emu.roots})
	require.NoError(t, err)
	served := conn.ConnectionState().PeerCertificates[0]
	conn.Close()
	require.Equal(t, ca.Subject.CommonName, served.Issuer.CommonName, "the given certificate")
	goRoundTrip(t, emu, pairs[3], true)

	certFile, keyFile, _ = certificateFiles(t, "fs.example.fr")
	status, stderr := runFailing(t, "-tls-cert", certFile, "-tls-key", keyFile, "-clients", clientsFile(t, "fc"),
		"-platform", "fc")
	require.Equal(t, 1, status)
	require.Contains(t, stderr, "cannot serve the issuer's host")
}

func TestRequestLogHasNoSecretsNorPersonalData(t *testing.T) {
	p := pairs[0]
	emu := startEmulator(t, "-clients", clientsFile(t, "fcplus"))
	res := goRoundTrip(t, emu, p, true)
	waitForRequest(t, emu, "/api/v2/session/end")
	log := emu.requestLog()
	require.Len(t, log, 8, "discovery, jwks, authorize, page, login, token, userinfo, logout")
	for _, line := range log {
		for _, member := range []string{"method=", "path=", "status=", "duration="} {
			require.Contains(t, line, member)
		}
		require.NotContains(t, line, "?", "no query")
	}
	require.Contains(t, strings.Join(log, "\n"), "method=POST path=/api/v2/token status=200")
	all := emu.stderr.String()
	for name, value := range map[string]string{
		"client secret": p.secret(), "code": res.code, "state": res.state, "logout state": res.logoutSt,
		"access token": string(res.login.AccessToken), "id_token hint": res.hint, "sub": res.login.IDToken.Subject,
		"given name": "Camille", "family name": "ARNAUD", "email": "camille.arnaud", "login": "camille",
	} {
		require.NotEmpty(t, value, name)
		require.NotContains(t, all, value, name)
	}
}
