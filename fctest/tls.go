package fctest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"net"
	"time"
)

// selfSignedValidity is how long a generated TLS certificate is valid.
const selfSignedValidity = 365 * 24 * time.Hour

// tlsConfig returns a copy of conf ready to serve clients that reach the
// server by host, with a generated self-signed certificate when conf has
// none, and the leaf certificate (nil when conf only has GetCertificate).
func tlsConfig(conf *tls.Config, host string) (*tls.Config, *x509.Certificate, error) {
	conf = conf.Clone()
	switch {
	case len(conf.Certificates) > 0:
		leaf, err := leafOf(conf.Certificates[0], host)
		return conf, leaf, err
	case conf.GetCertificate != nil:
		return conf, nil, nil
	}
	cert, err := selfSignedCertificate(time.Now(), host)
	if err != nil {
		return nil, nil, err
	}
	conf.Certificates = []tls.Certificate{cert}
	return conf, cert.Leaf, nil
}

// leafOf parses the leaf of cert and checks that clients reaching the
// server by host will accept it.
func leafOf(cert tls.Certificate, host string) (*x509.Certificate, error) {
	leaf := cert.Leaf
	if leaf == nil {
		if len(cert.Certificate) == 0 {
			return nil, fmt.Errorf("fctest: TLS: Certificates[0] holds no certificate")
		}
		var err error
		if leaf, err = x509.ParseCertificate(cert.Certificate[0]); err != nil {
			return nil, fmt.Errorf("fctest: TLS: Certificates[0]: %w", err)
		}
	}
	if err := leaf.VerifyHostname(host); err != nil {
		return nil, fmt.Errorf("fctest: TLS: the certificate cannot serve the issuer's host: %w", err)
	}
	return leaf, nil
}

// GenerateCertificate returns a self-signed ECDSA P-256 certificate and its
// key for 127.0.0.1, ::1, localhost and hosts (names or IP addresses),
// valid for a year. It is its own CA, so that clients can trust it as it
// is. Give it to Options.TLS.Certificates, for instance after storing it so
// that a restarted server keeps the certificate its clients trust.
func GenerateCertificate(hosts ...string) (tls.Certificate, error) {
	return selfSignedCertificate(time.Now(), hosts...)
}

// selfSignedCertificate generates an ECDSA P-256 certificate for 127.0.0.1,
// ::1, localhost and hosts, valid from an hour before now for
// selfSignedValidity. It is its own CA (basic constraints CA:TRUE) so that
// clients can add it to their trusted roots as it is. It uses the real
// time, not Options.Now, because clients check it against theirs.
func selfSignedCertificate(now time.Time, hosts ...string) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{Organization: []string{"fctest"}, CommonName: "fctest FranceConnect emulator"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(selfSignedValidity),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	for _, h := range hosts {
		switch ip := net.ParseIP(h); {
		case ip != nil && !ip.IsLoopback() && !ip.IsUnspecified():
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		case ip == nil && h != "" && h != "localhost":
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, nil
}
