package fctest

import (
	"encoding/json"
	"fmt"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/go-franceconnect/franceconnect/internal/credential"
)

// GenerateClientKey creates an FS encryption key pair for alg ("ECDH-ES":
// P-256; "RSA-OAEP-256" or "RSA-OAEP": RSA 2048) with the given kid. It
// returns the private key and the public key, each as a JWK Set JSON
// document whose key carries kid, use "enc" and alg. Pass the public set to
// Registration.JWKS (or serve it at Registration.JWKSURL) and the private
// one to the client library under test.
func GenerateClientKey(alg, kid string) (privateJWKS, publicJWKS []byte, err error) {
	priv, err := credential.NewEncryptionKey(alg)
	if err != nil {
		return nil, nil, fmt.Errorf("fctest: %w", err)
	}
	k := jose.JSONWebKey{Key: priv, KeyID: kid, Algorithm: alg, Use: "enc"}
	if privateJWKS, err = json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{k}}); err != nil {
		return nil, nil, err
	}
	publicJWKS, err = json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{k.Public()}})
	return privateJWKS, publicJWKS, err
}
