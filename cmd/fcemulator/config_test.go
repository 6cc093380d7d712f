package main

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect"
)

func TestBadClientsFileNamesClientAndField(t *testing.T) {
	const secret = `"client_secret": "0123456789abcdef0123456789abcdef"`
	const redirect = `"redirect_uris": ["` + callbackURL + `"]`
	jwks := string(pairs[0].publicJWKS(t))
	for _, tc := range []struct {
		name, file, platform, msg string
	}{
		{"not an array", `{"client_id": "fs-a"}`, "fcplus", "clients: want a JSON array"},
		{"unknown member", `[{"client_id": "fs-a", ` + secret + `, ` + redirect + `, "redirect_uri": "x"}]`, "fcplus",
			`client "fs-a": redirect_uri: unknown member`},
		{"wrong type", `[{"client_id": "fs-a", ` + secret + `, "redirect_uris": "` + callbackURL + `"}]`, "fcplus",
			`client "fs-a": redirect_uris: wrong type: want an array of strings`},
		{"no client_id", `[{` + secret + `, ` + redirect + `}]`, "fcplus", "client #1: client_id: is required"},
		{"duplicate", `[{"client_id": "fs-a", ` + secret + `, ` + redirect + `, "jwks": ` + jwks + `},` +
			`{"client_id": "fs-a", ` + secret + `, ` + redirect + `}]`, "fcplus", `client "fs-a": client_id: appears twice`},
		{"short secret", `[{"client_id": "fs-a", "client_secret": "short", ` + redirect + `}]`, "fc",
			`client "fs-a": client_secret: must be at least 32 characters`},
		{"fragment", `[{"client_id": "fs-a", ` + secret + `, "redirect_uris": ["` + callbackURL + `#x"]}]`, "fc",
			`client "fs-a": redirect_uris: URI "` + callbackURL + `#x" must not contain a fragment`},
		{"RS256 on FranceConnect+", `[{"client_id": "fs-a", ` + secret + `, ` + redirect + `, "jwks": ` + jwks +
			`, "id_token_signed_response_alg": "RS256"}]`, "fcplus",
			`client "fs-a": id_token_signed_response_alg: FranceConnect+ only signs with ES256`},
		{"no keys on FranceConnect+", `[{"client_id": "fs-a", ` + secret + `, ` + redirect + `}]`, "fcplus",
			`client "fs-a": jwks_uri: encrypted responses need the FS public keys`},
		{"EC key for RSA-OAEP", `[{"client_id": "fs-a", ` + secret + `, ` + redirect + `, "jwks": ` + jwks +
			`, "id_token_encrypted_response_alg": "RSA-OAEP"}]`, "fcplus",
			`client "fs-a": jwks: no usable encryption key for "RSA-OAEP"`},
		{"A128GCM", `[{"client_id": "fs-a", ` + secret + `, ` + redirect + `, "id_token_encrypted_response_enc": "A128GCM"}]`,
			"fc", `client "fs-a": id_token_encrypted_response_enc: "A128GCM" is not A256GCM`},
		{"unknown scope", `[{"client_id": "fs-a", ` + secret + `, ` + redirect + `, "scopes": ["openid", "rnipp_birth"]}]`,
			"fc", `client "fs-a": scopes: scope "rnipp_birth" is unknown on FranceConnect`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, "clients.json", tc.file)
			status, stderr := runFailing(t, "-platform", tc.platform, "-clients", path)
			require.Equal(t, 1, status)
			require.Contains(t, stderr, "fcemulator: -clients "+path+": ")
			require.Contains(t, stderr, tc.msg)
			require.NotContains(t, stderr, "0123456789abcdef0123456789abcdef", "never the secret")
		})
	}
}

func TestBadCommandLines(t *testing.T) {
	clients := clientsFile(t, "fcplus")
	wrongKeys := t.TempDir()
	der, err := x509.MarshalPKCS8PrivateKey(rsaKey())
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(wrongKeys, "signing-es256.pem"),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600))
	badIdentity := writeFile(t, "identities.json", `[{"login": "jeanne", "given_name": "Jeanne", "family_name": "T",`+
		` "gender": "female", "birthdate": "1990-13-01", "birthplace": "75056", "birthcountry": "99100"}]`)
	for _, tc := range []struct {
		name   string
		args   []string
		status int
		msg    string
	}{
		{"no client", nil, 2, "no service provider: give -clients FILE"},
		{"file and flags", []string{"-clients", clients, "-client-id", "x"}, 2, "either -clients or the -client-* flags"},
		{"unknown platform", []string{"-clients", clients, "-platform", "agentconnect"}, 2,
			`unknown -platform "agentconnect": want fcplus (FranceConnect+), fc (FranceConnect), proconnect (ProConnect)`},
		{"unknown flag", []string{"-clients", clients, "-verbose"}, 2, "flag provided but not defined: -verbose"},
		{"argument", []string{"-clients", clients, "extra"}, 2, `unexpected argument "extra"`},
		{"cert without key", []string{"-clients", clients, "-tls-cert", "c.pem"}, 2, "-tls-cert and -tls-key go together"},
		{"two TLS modes", []string{"-clients", clients, "-tls-cert", "c.pem", "-tls-key", "k.pem",
			"-tls-self-signed", "s.pem"}, 2, "not both"},
		{"missing clients file", []string{"-clients", filepath.Join(t.TempDir(), "none.json")}, 1, "-clients: open"},
		{"not loopback", []string{"-clients", clients, "-addr", "0.0.0.0:0"}, 2,
			"-addr 0.0.0.0:0 is not a loopback address: whoever reaches the emulator can sign in"},
		{"another host", []string{"-clients", clients, "-addr", "192.0.2.1:0"}, 2, "add -container"},
		{"bad address", []string{"-clients", clients, "-addr", "8090"}, 2, `-addr "8090": want host:port`},
		{"log format", []string{"-clients", clients, "-log-format", "xml"}, 2, `-log-format "xml": want text or json`},
		{"admin token without admin", []string{"-clients", clients, "-admin-token", strings.Repeat("t", 16)}, 2,
			"needs -admin"},
		{"short admin token", []string{"-clients", clients, "-admin", "-admin-token", "secret"}, 2,
			"at least 16 characters"},
		{"public URL scheme", []string{"-clients", clients, "-public-url", "https://fcemulator:8090"}, 2,
			`-public-url "https://fcemulator:8090": want http://host:port`},
		{"public URL path", []string{"-clients", clients, "-public-url", "http://fcemulator:8090/x"}, 1,
			"no path, query or fragment"},
		{"unknown auto-login", []string{"-clients", clients, "-auto-login", "nobody"}, 1, `AutoLogin: no identity "nobody"`},
		{"bad identity", []string{"-clients", clients, "-identities", badIdentity}, 1,
			`-identities ` + badIdentity + `: fctest: identity "jeanne": birthdate: "1990-13-01" is not a date`},
		{"wrong key file", []string{"-clients", clients, "-keys-dir", wrongKeys}, 1,
			"signing-es256.pem: holds a *rsa.PrivateKey, not an ES256 key"},
		{"flags client without keys", []string{"-client-id", "fs", "-client-secret", strings.Repeat("s", 32),
			"-redirect-uri", callbackURL}, 1, `-client-* flags: fctest: client "fs": jwks_uri:`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, stderr := runFailing(t, tc.args...)
			require.Equal(t, tc.status, status, stderr)
			require.Contains(t, stderr, tc.msg)
		})
	}
}

func TestIdentitiesFile(t *testing.T) {
	file := writeFile(t, "identities.json", `[
	  {"login": "camille", "given_name": "Camille Hélène", "family_name": "ARNAUD", "gender": "female",
	   "birthdate": "1984-05-23", "birthplace": "75112", "birthcountry": "99100", "email": "camille.arnaud@exemple.fr"},
	  {"login": "jeanne", "given_name": "Jeanne Marie", "family_name": "TESTEUSE", "gender": "female",
	   "birthdate": "2000-02-29", "birthplace": "", "birthcountry": "99134", "acr": "eidas2"}
	]`)
	emu := startEmulator(t, "-clients", clientsFile(t, "fcplus"), "-identities", file, "-auto-login", "jeanne")
	require.Contains(t, emu.summary, "identities  camille jeanne\n")
	require.Contains(t, emu.summary, "automatic, as jeanne")
	client := newGoClient(t, emu, pairs[0])
	ctx := context.Background()
	auth, err := client.Authorize(ctx, franceconnect.AuthRequest{})
	require.NoError(t, err)
	cb, sawPage := newBrowser(t, emu).login(t, auth.URL, "")
	require.False(t, sawPage)
	login, err := client.Callback(ctx, cb.Query(), auth.AuthState)
	require.NoError(t, err)
	require.Equal(t, "Jeanne Marie", login.Identity.GivenName)
	require.Equal(t, "TESTEUSE", login.Identity.FamilyName)
	require.Equal(t, franceconnect.EIDAS2, login.IDToken.ACR)
}

// docPage returns docs/other-languages.md and its first JSON block, the
// clients file.
func docPage(t *testing.T) (page, block string) {
	t.Helper()
	data, err := os.ReadFile("../../docs/other-languages.md")
	require.NoError(t, err)
	page = string(data)
	_, rest, ok := strings.Cut(page, "```json\n")
	require.True(t, ok)
	block, _, ok = strings.Cut(rest, "```")
	require.True(t, ok)
	return page, block
}

// TestDocClientsFileAndFlags starts the program with the clients file of
// docs/other-languages.md and checks that the page mentions every flag and
// every admin endpoint, so that the documentation cannot drift.
func TestDocClientsFileAndFlags(t *testing.T) {
	page, file := docPage(t)
	emu := startEmulator(t, "-clients", writeFile(t, "clients.json", file), "-keys-dir", t.TempDir(), "-admin")
	require.Contains(t, emu.summary, "client my-fs\n")
	usage, _ := exec.Command(binary, "-h").CombinedOutput()
	flags := regexp.MustCompile(`(?m)^  (-[a-z-]+)`).FindAllStringSubmatch(string(usage), -1)
	require.Greater(t, len(flags), 20, "%s", usage)
	for _, m := range flags {
		mentioned := regexp.MustCompile("[\\s`(]" + regexp.QuoteMeta(m[1]) + "[\\s`),]").MatchString(page)
		require.True(t, mentioned, "docs/other-languages.md mentions %s", m[1])
	}
	for _, route := range strings.Split(adminRoutes, ", ") {
		path := route[strings.LastIndex(route, " ")+1:]
		require.True(t, strings.Contains(page, "/_emulator/"+path), "the page shows %s", route)
	}
}

// TestDocShowsTheCIScript checks that the CI example of the page is
// examples/python-rp/ci.sh, which TestPythonRelyingPartyCI runs.
func TestDocShowsTheCIScript(t *testing.T) {
	page, _ := docPage(t)
	script, err := os.ReadFile("../../examples/python-rp/ci.sh")
	require.NoError(t, err)
	require.Contains(t, page, "```sh\n"+string(script)+"```\n", "docs/other-languages.md shows ci.sh as it is")
	containerfile, err := os.ReadFile("../../Containerfile")
	require.NoError(t, err)
	require.Contains(t, string(containerfile), `"-container", "-addr", "0.0.0.0:8090"`)
	require.Contains(t, page, "-container")
}
