package fctest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"

	jose "github.com/go-jose/go-jose/v4"
)

// GenerateClientKey creates an FS encryption key pair for alg ("ECDH-ES":
// P-256; "RSA-OAEP-256" or "RSA-OAEP": RSA 2048) with the given kid. It
// returns the private key and the public key, each as a JWK Set JSON
// document whose key carries kid, use "enc" and alg. Pass the public set to
// Client.JWKS (or serve it at Client.JWKSURL) and the private one to the
// client library under test.
func GenerateClientKey(alg, kid string) (privateJWKS, publicJWKS []byte, err error) {
	var priv any
	switch alg {
	case algECDHES:
		priv, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case algRSAOAEP256, algRSAOAEP:
		priv, err = rsa.GenerateKey(rand.Reader, 2048)
	default:
		return nil, nil, fmt.Errorf("fctest: unsupported encryption algorithm %q", alg)
	}
	if err != nil {
		return nil, nil, err
	}
	k := jose.JSONWebKey{Key: priv, KeyID: kid, Algorithm: alg, Use: "enc"}
	if privateJWKS, err = json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{k}}); err != nil {
		return nil, nil, err
	}
	publicJWKS, err = json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{k.Public()}})
	return privateJWKS, publicJWKS, err
}
