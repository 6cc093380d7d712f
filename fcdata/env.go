package fcdata

import (
	"os"
	"strings"

	"github.com/go-franceconnect/franceconnect"
)

// Environment variables read by ConfigFromEnv.
const (
	EnvEnvironment  = "FD_ENVIRONMENT"   // preset, e.g. fcplus-production; exclusive with FD_ISSUER
	EnvIssuer       = "FD_ISSUER"        // custom issuer (local emulator)
	EnvPlatform     = "FD_PLATFORM"      // with FD_ISSUER: fcplus (default), fc or proconnect
	EnvClientID     = "FD_CLIENT_ID"     // the data provider's client_id
	EnvClientSecret = "FD_CLIENT_SECRET" // its client_secret
	EnvKeys         = "FD_KEYS"          // path to a JWK Set of its private decryption keys
	EnvSigningAlg   = "FD_SIGNING_ALG"   // registered signature algorithm of the answers
	EnvScopes       = "FD_SCOPES"        // space-separated scopes every request must carry
	EnvClients      = "FD_CLIENTS"       // space-separated client_ids of the service providers served
)

// ConfigFromEnv builds a Config from environment variables, and checks it
// as New does, reporting every problem at once (the error wraps ErrConfig
// and names each field with its variable). The variables are:
//
//	FD_ENVIRONMENT    preset of the franceconnect package: fcplus-integration,
//	                  fcplus-production, fc-integration, fc-sandbox, fc-production,
//	                  pc-integration, pc-production, pc-integration-rie,
//	                  pc-production-rie
//	FD_ISSUER         custom issuer URL instead (https, or http on loopback)
//	FD_PLATFORM       with FD_ISSUER: fcplus (default), fc or proconnect
//	FD_CLIENT_ID      the data provider's client_id
//	FD_CLIENT_SECRET  its client_secret
//	FD_KEYS           FranceConnect and FranceConnect+: path to a JWK Set of its
//	                  private decryption keys (kid, use enc, alg)
//	FD_SIGNING_ALG    the algorithm registered for the answers' signature
//	                  (default ES256 on FranceConnect and FranceConnect+);
//	                  on ProConnect empty means plain JSON answers
//	FD_SCOPES         space-separated scopes every request must carry
//	FD_CLIENTS        space-separated client_ids of the service providers
//	                  served (default: all)
func ConfigFromEnv() (Config, error) {
	cfg := Config{
		Environment:  franceconnect.Environment(os.Getenv(EnvEnvironment)),
		Issuer:       os.Getenv(EnvIssuer),
		ClientID:     os.Getenv(EnvClientID),
		ClientSecret: franceconnect.Secret(os.Getenv(EnvClientSecret)),
		SigningAlg:   os.Getenv(EnvSigningAlg),
		Scopes:       strings.Fields(os.Getenv(EnvScopes)),
		Clients:      strings.Fields(os.Getenv(EnvClients)),
		env:          envFields,
	}
	p := &problems{env: envFields}
	switch name := strings.ToLower(os.Getenv(EnvPlatform)); name {
	case "", "fcplus", "fc+":
	case "fc":
		cfg.Platform = franceconnect.FranceConnect
	case "proconnect", "pc":
		cfg.Platform = franceconnect.ProConnect
	default:
		p.add("Platform", "unknown platform %q (want fcplus, fc or proconnect)", name)
	}
	for _, v := range []string{EnvScopes, EnvClients} {
		if strings.Contains(os.Getenv(v), ",") {
			p.add(map[string]string{EnvScopes: "Scopes", EnvClients: "Clients"}[v], "%s holds commas: separate the values with spaces", v)
		}
	}
	if path := os.Getenv(EnvKeys); path != "" {
		keys, err := franceconnect.LoadKeys(path)
		if err != nil {
			p.add("DecryptionKeys", "%q: %s", path, strings.TrimPrefix(err.Error(), "franceconnect: invalid configuration: "))
		}
		cfg.DecryptionKeys = keys
	}
	validate(cfg, p)
	return cfg, p.err()
}

var envFields = map[string]string{
	"Environment": EnvEnvironment, "Issuer": EnvIssuer, "Platform": EnvPlatform, "ClientID": EnvClientID,
	"ClientSecret": EnvClientSecret, "DecryptionKeys": EnvKeys, "SigningAlg": EnvSigningAlg, "Scopes": EnvScopes,
	"Clients": EnvClients,
}
