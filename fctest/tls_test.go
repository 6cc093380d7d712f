package fctest_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect/fctest"
)

// trustingClient is an HTTP client that trusts only cert and does not
// follow redirects.
func trustingClient(cert *x509.Certificate) *http.Client {
	roots := x509.NewCertPool()
	roots.AddCert(cert)
	return &http.Client{
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}, ForceAttemptHTTP2: true},
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

func TestTLSSelfSigned(t *testing.T) {
	var newConns atomic.Int64
	e := newEnv(t, fctest.Options{TLS: &tls.Config{}, ConnState: func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			newConns.Add(1)
		}
	}}, nil)
	require.True(t, strings.HasPrefix(e.srv.Issuer(), "https://127.0.0.1:"), e.srv.Issuer())
	require.Equal(t, e.srv.URL()+"/api/v2", e.srv.Issuer())

	cert := e.srv.Certificate()
	require.NotNil(t, cert)
	require.True(t, cert.IsCA, "usable as a trust anchor as it is")
	require.NoError(t, cert.VerifyHostname("127.0.0.1"))
	require.NoError(t, cert.VerifyHostname("::1"))
	require.NoError(t, cert.VerifyHostname("localhost"))
	require.Error(t, cert.VerifyHostname("fs.example.fr"))
	require.WithinDuration(t, time.Now().Add(365*24*time.Hour), cert.NotAfter, time.Hour,
		"real time, not the server clock of newEnv")

	// The default browser trusts the certificate and speaks HTTP/2.
	cb, err := e.srv.SignIn(context.Background(), e.authURL(), "camille")
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(cb, callbackURL+"?"), cb)
	u, _ := url.Parse(cb)
	require.Equal(t, e.srv.Issuer(), u.Query().Get("iss"))
	require.EqualValues(t, 1, newConns.Load(), "the browser keeps its connection alive")

	client := trustingClient(cert)
	resp, err := client.PostForm(e.srv.Issuer()+"/token", e.tokenForm(u.Query().Get("code")))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, 2, resp.ProtoMajor, "HTTP/2 over TLS")

	resp, err = client.Get(e.srv.Issuer() + "/.well-known/openid-configuration")
	require.NoError(t, err)
	resp.Body.Close()
	require.EqualValues(t, 2, newConns.Load(), "one new connection for the second client, reused")

	_, err = http.Get(e.srv.Issuer() + "/jwks")
	require.ErrorContains(t, err, "certificate", "a client that does not trust the certificate fails")
}

// issueCertificate makes a certificate for the given hosts, signed by a
// fresh CA, and returns it with the CA.
func issueCertificate(t *testing.T, hosts ...string) (tls.Certificate, *x509.Certificate) {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true,
		BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	require.NoError(t, err)
	ca, err := x509.ParseCertificate(caDER)
	require.NoError(t, err)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "emulator"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, KeyUsage: x509.KeyUsageDigitalSignature}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	require.NoError(t, err)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, ca
}

func TestTLSGivenCertificate(t *testing.T) {
	cert, ca := issueCertificate(t, "127.0.0.1", "localhost")
	srv := fctest.New(t, fctest.Options{TLS: &tls.Config{Certificates: []tls.Certificate{cert}}})
	require.Equal(t, cert.Certificate[0], srv.Certificate().Raw, "the leaf of Certificates[0]")

	resp, err := trustingClient(ca).Get(srv.Issuer() + "/jwks")
	require.NoError(t, err, "a client trusting the CA accepts the server")
	resp.Body.Close()
	resp, err = srv.HTTPClient().Get(srv.Issuer() + "/jwks")
	require.NoError(t, err, "the server's browser trusts the leaf")
	resp.Body.Close()

	wrongHost, _ := issueCertificate(t, "localhost")
	_, err = fctest.NewServer(fctest.Options{TLS: &tls.Config{Certificates: []tls.Certificate{wrongHost}}})
	require.ErrorContains(t, err, "cannot serve the issuer's host")

	_, err = fctest.NewServer(fctest.Options{TLS: &tls.Config{Certificates: []tls.Certificate{{}}}})
	require.ErrorContains(t, err, "holds no certificate")
}

func TestPlainHTTPHasNoCertificate(t *testing.T) {
	srv := fctest.New(t, fctest.Options{})
	require.Nil(t, srv.Certificate())
	require.True(t, strings.HasPrefix(srv.Issuer(), "http://127.0.0.1:"))
}
