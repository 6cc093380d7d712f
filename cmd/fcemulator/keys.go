package main

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-franceconnect/franceconnect/fctest"
)

// signingKeys returns the provider signing keys of the algorithms algs kept
// in dir, one PKCS #8 PEM file per algorithm (signing-es256.pem, …),
// generating and saving those that are missing.
func signingKeys(dir string, algs []string) ([]crypto.Signer, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	keys := make([]crypto.Signer, 0, len(algs))
	for _, alg := range algs {
		path := filepath.Join(dir, "signing-"+strings.ToLower(alg)+".pem")
		key, err := readSigningKey(path, alg)
		if errors.Is(err, fs.ErrNotExist) {
			key, err = newSigningKeyFile(path, alg)
		}
		if err != nil {
			return nil, err
		}
		keys = append(keys, key)
	}
	return keys, nil
}

// readSigningKey reads the alg key saved at path.
func readSigningKey(path, alg string) (crypto.Signer, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("%s: want a PEM PRIVATE KEY block (PKCS #8)", path)
	}
	parsed, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	key, _ := parsed.(crypto.Signer)
	switch key.(type) {
	case *ecdsa.PrivateKey:
		if alg == "ES256" {
			return key, nil
		}
	case *rsa.PrivateKey:
		if alg == "RS256" {
			return key, nil
		}
	}
	return nil, fmt.Errorf("%s: holds a %T, not an %s key", path, parsed, alg)
}

// newSigningKeyFile generates an alg key and saves it at path, readable by
// its owner only.
func newSigningKeyFile(path, alg string) (crypto.Signer, error) {
	key, err := fctest.GenerateSigningKey(alg)
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, err
	}
	if err := pem.Encode(f, &pem.Block{Type: "PRIVATE KEY", Bytes: der}); err != nil {
		f.Close()
		return nil, err
	}
	return key, f.Close()
}

// tlsConfig returns the TLS configuration the flags ask for, or nil for
// plain HTTP. A configuration without certificate makes fctest generate a
// self-signed one.
func (cfg *config) tlsConfig() (*tls.Config, error) {
	switch {
	case cfg.tlsCert != "":
		cert, err := tls.LoadX509KeyPair(cfg.tlsCert, cfg.tlsKey)
		if err != nil {
			return nil, fmt.Errorf("-tls-cert, -tls-key: %w", err)
		}
		return &tls.Config{Certificates: []tls.Certificate{cert}}, nil
	case cfg.tlsSelfSigned != "" && cfg.keysDir != "":
		cert, err := keptCertificate(cfg.keysDir, publicHost(cfg.publicURL))
		if err != nil {
			return nil, fmt.Errorf("-keys-dir: %w", err)
		}
		return &tls.Config{Certificates: []tls.Certificate{cert}}, nil
	case cfg.tlsSelfSigned != "":
		return &tls.Config{}, nil
	}
	return nil, nil
}

// Files of the TLS certificate kept in -keys-dir.
const (
	tlsCertFile = "tls-cert.pem"
	tlsKeyFile  = "tls-key.pem"
)

// certificateMargin is how long before its expiry a kept certificate is
// replaced.
const certificateMargin = 30 * 24 * time.Hour

// keptCertificate returns the self-signed certificate kept in dir, so that
// the clients that trust it keep trusting the emulator after a restart. It
// generates and saves one when there is none, when it expires within 30
// days, or when it does not cover host (the -public-url host, "" for none).
func keptCertificate(dir, host string) (tls.Certificate, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return tls.Certificate{}, err
	}
	certPath, keyPath := filepath.Join(dir, tlsCertFile), filepath.Join(dir, tlsKeyFile)
	cert, err := tls.LoadX509KeyPair(certPath, keyPath)
	switch {
	case err == nil && certificateFits(cert.Leaf, host):
		return cert, nil
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return tls.Certificate{}, fmt.Errorf("%s, %s: %w", certPath, keyPath, err)
	}
	if cert, err = fctest.GenerateCertificate(host); err != nil {
		return tls.Certificate{}, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(cert.PrivateKey)
	if err != nil {
		return tls.Certificate{}, err
	}
	if err := os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		return tls.Certificate{}, err
	}
	return cert, writeCertificate(certPath, cert.Leaf)
}

// certificateFits reports whether leaf serves the emulator for a while yet,
// at host.
func certificateFits(leaf *x509.Certificate, host string) bool {
	if leaf == nil || time.Now().Add(certificateMargin).After(leaf.NotAfter) {
		return false
	}
	for _, h := range []string{"127.0.0.1", host} {
		if h != "" && leaf.VerifyHostname(h) != nil {
			return false
		}
	}
	return true
}

// writeCertificate saves cert as PEM at path for clients to trust.
func writeCertificate(path string, cert *x509.Certificate) error {
	data := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})
	return os.WriteFile(path, data, 0o644)
}
