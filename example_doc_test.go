package franceconnect_test

import (
	"context"
	"log"
	"os"

	"github.com/go-franceconnect/franceconnect"
)

// One Client serves one FS registration on one platform and environment:
// here FranceConnect+'s integration platform, with the private decryption
// keys whose public part is published at the registered "Client keys URL".
// New validates the configuration, fetches the discovery document and the
// provider keys, and caches both. ConfigFromEnv builds the same Config from
// the FC_* variables.
func ExampleNew() {
	keys, err := franceconnect.LoadKeys("fc-keys.json") // private decryption keys
	if err != nil {
		log.Fatal(err)
	}
	client, err := franceconnect.New(context.Background(), franceconnect.Config{
		Environment:           franceconnect.FCPlusIntegration,
		ClientID:              os.Getenv("FC_CLIENT_ID"),
		ClientSecret:          franceconnect.Secret(os.Getenv("FC_CLIENT_SECRET")),
		RedirectURL:           "https://fs.example.fr/callback",
		PostLogoutRedirectURL: "https://fs.example.fr/logout-callback",
		Scopes:                []string{"openid", "identite_pivot", "email"},
		ACR:                   franceconnect.EIDAS2,
		DecryptionKeys:        keys,
	})
	if err != nil {
		log.Fatal(err)
	}
	_ = client // Authorize, Callback, Logout: see Example
}
