package franceconnect

import (
	"fmt"
	"os"
	"strings"
	"time"
)

// Platform is the FranceConnect platform an issuer belongs to. It decides the
// rules: eIDAS levels, signature algorithms and whether tokens are encrypted.
type Platform int

const (
	// FranceConnectPlus is FranceConnect+ ("core-fcp-high"): acr eidas2 or
	// eidas3, id_token and userinfo are JWE (ECDH-ES, RSA-OAEP-256 or RSA-OAEP
	// with A256GCM) wrapping a JWS signed ES256. The zero value.
	FranceConnectPlus Platform = iota
	// FranceConnect is FranceConnect v2 ("core-fcp-low"): acr eidas1, tokens
	// signed ES256 or RS256 and not encrypted.
	FranceConnect
	// ProConnect is the State's sign-in for public agents and professionals
	// (formerly AgentConnect), a fork of the FranceConnect core: a set of
	// acceptable levels requested through claims, tokens signed with the
	// algorithm the FS registered (ES256, RS256, or HS256 keyed by the client
	// secret when configured) and never encrypted, userinfo signed or plain
	// JSON as registered, PKCE and refresh tokens.
	ProConnect
)

// String returns "FranceConnect+", "FranceConnect" or "ProConnect".
func (p Platform) String() string {
	switch p {
	case FranceConnectPlus:
		return "FranceConnect+"
	case FranceConnect:
		return "FranceConnect"
	case ProConnect:
		return "ProConnect"
	}
	return fmt.Sprintf("Platform(%d)", int(p))
}

// Environment names a FranceConnect deployment preset (spec §1).
type Environment string

// Presets. Keys are per platform and per environment: integration keys never
// work in production.
const (
	// FCPlusIntegration is the FranceConnect+ integration sandbox.
	FCPlusIntegration Environment = "fcplus-integration"
	// FCPlusProduction is FranceConnect+ production.
	FCPlusProduction Environment = "fcplus-production"
	// FCIntegration is the FranceConnect v2 integration platform.
	FCIntegration Environment = "fc-integration"
	// FCSandbox is the FranceConnect v2 sandbox created from the partner portal.
	FCSandbox Environment = "fc-sandbox"
	// FCProduction is FranceConnect v2 production.
	FCProduction Environment = "fc-production"
	// PCIntegration is ProConnect's integration platform on the Internet.
	PCIntegration Environment = "pc-integration"
	// PCProduction is ProConnect production on the Internet.
	PCProduction Environment = "pc-production"
	// PCIntegrationRIE is ProConnect's integration platform on the State
	// intranet (RIE); its client registration is separate.
	PCIntegrationRIE Environment = "pc-integration-rie"
	// PCProductionRIE is ProConnect production on the State intranet (RIE).
	PCProductionRIE Environment = "pc-production-rie"
)

type preset struct {
	issuer   string
	platform Platform
}

func (e Environment) preset() (preset, bool) {
	switch e {
	case FCPlusIntegration:
		return preset{"https://auth.integ01.dev-franceconnect.fr/api/v2", FranceConnectPlus}, true
	case FCPlusProduction:
		return preset{"https://auth.franceconnect.gouv.fr/api/v2", FranceConnectPlus}, true
	case FCIntegration:
		return preset{"https://fcp-low.integ01.dev-franceconnect.fr/api/v2", FranceConnect}, true
	case FCSandbox:
		return preset{"https://fcp-low.sbx.dev-franceconnect.fr/api/v2", FranceConnect}, true
	case FCProduction:
		return preset{"https://oidc.franceconnect.gouv.fr/api/v2", FranceConnect}, true
	case PCIntegration:
		return preset{"https://fca.integ01.dev-agentconnect.fr/api/v2", ProConnect}, true
	case PCProduction:
		return preset{"https://auth.agentconnect.gouv.fr/api/v2", ProConnect}, true
	case PCIntegrationRIE:
		return preset{"https://fca.integ02.agentconnect.rie.gouv.fr/api/v2", ProConnect}, true
	case PCProductionRIE:
		return preset{"https://auth.agentconnect.rie.gouv.fr/api/v2", ProConnect}, true
	}
	return preset{}, false
}

// Issuer returns the preset's issuer URL, or "" for an unknown name.
func (e Environment) Issuer() string { p, _ := e.preset(); return p.issuer }

// Platform returns the preset's platform (FranceConnectPlus for an unknown name).
func (e Environment) Platform() Platform { p, _ := e.preset(); return p.platform }

// Environment variables read by ConfigFromEnv.
const (
	EnvEnvironment           = "FC_ENVIRONMENT"              // preset name, e.g. fcplus-integration
	EnvIssuer                = "FC_ISSUER"                   // custom issuer (local emulator); exclusive with FC_ENVIRONMENT
	EnvPlatform              = "FC_PLATFORM"                 // with FC_ISSUER: "fcplus" (default), "fc" or "proconnect"
	EnvClientID              = "FC_CLIENT_ID"                // client_id
	EnvClientSecret          = "FC_CLIENT_SECRET"            // client_secret
	EnvRedirectURL           = "FC_REDIRECT_URL"             // registered redirect_uri
	EnvPostLogoutRedirectURL = "FC_POST_LOGOUT_REDIRECT_URL" // registered post_logout_redirect_uri
	EnvKeys                  = "FC_KEYS"                     // path to a JWK Set (or PEM) file of private decryption keys
	EnvACR                   = "FC_ACR"                      // eidas1, eidas2 or eidas3; on ProConnect, space-separated accepted levels
	EnvScopes                = "FC_SCOPES"                   // space-separated scopes, including openid
	EnvSigningAlg            = "FC_SIGNING_ALG"              // the registered signature algorithm: ES256, RS256 (or HS256 on ProConnect)
	EnvUserInfo              = "FC_USERINFO"                 // ProConnect: jwt (default) or json, as registered
	EnvPreferredACR          = "FC_ACR_PREFERRED"            // ProConnect: space-separated levels preferred, not required
	EnvMaxAuthAge            = "FC_MAX_AUTH_AGE"             // maximum authentication age, a Go duration such as 30m
)

// ConfigFromEnv builds a Config from environment variables. It only reads
// and parses them; New validates the result. The variables are:
//
//	FC_ENVIRONMENT               preset: fcplus-integration, fcplus-production,
//	                             fc-integration, fc-sandbox, fc-production,
//	                             pc-integration, pc-production,
//	                             pc-integration-rie, pc-production-rie
//	FC_ISSUER                    custom issuer URL instead of a preset (local emulator)
//	FC_PLATFORM                  with FC_ISSUER: fcplus (default), fc or proconnect
//	FC_CLIENT_ID                 client_id
//	FC_CLIENT_SECRET             client_secret
//	FC_REDIRECT_URL              redirect_uri registered for the callback
//	FC_POST_LOGOUT_REDIRECT_URL  post_logout_redirect_uri registered for logout
//	FC_KEYS                      path to a file of private decryption keys: a JWK
//	                             Set, or PEM private keys (FranceConnect+ only)
//	FC_ACR                       eidas1, eidas2 or eidas3 (default per platform);
//	                             on ProConnect the space-separated accepted levels
//	FC_SCOPES                    space-separated scopes, e.g. "openid identite_pivot email"
//	FC_SIGNING_ALG               the signature algorithm registered: ES256 or RS256,
//	                             HS256 on ProConnect (default: the platform's default
//	                             registration, ES256 on FranceConnect+ and
//	                             FranceConnect, RS256 on ProConnect)
//	FC_USERINFO                  ProConnect: jwt (default) if a userinfo signing
//	                             algorithm is registered, json otherwise
//	FC_ACR_PREFERRED             ProConnect: the space-separated levels logins
//	                             prefer without requiring them (FC_ACR stays the
//	                             levels accepted), e.g. "eidas0-mfa eidas1-mfa
//	                             eidas2 eidas3" to prefer two factors
//	FC_MAX_AUTH_AGE              maximum authentication age, e.g. 30m (default:
//	                             none)
//
// It also checks the result as New does, and reports every problem at
// once: the error wraps ErrConfig and names, for each problem, the Config
// field and its variable. A comma in FC_SCOPES is explained (scopes are
// separated by spaces).
func ConfigFromEnv() (Config, error) { return ConfigFromEnvPrefix("") }

// ConfigFromEnvPrefix is ConfigFromEnv reading every variable under prefix:
// with "AGENT_", AGENT_FC_ISSUER, AGENT_FC_CLIENT_ID and so on, so that one
// site configures several clients (a FranceConnect+ door for citizens and a
// ProConnect door for agents, say) from one environment. Errors name the
// prefixed variables. A prefix is upper-case letters, digits and
// underscores, starting with a letter and ending with "_"; "" is
// ConfigFromEnv.
func ConfigFromEnvPrefix(prefix string) (Config, error) {
	if !validEnvPrefix(prefix) {
		return Config{}, errorf("%w: environment prefix %q: want upper-case letters, digits and underscores, "+
			"starting with a letter and ending with \"_\", e.g. \"AGENT_\"", ErrConfig, prefix)
	}
	get := func(name string) string { return os.Getenv(prefix + name) }
	fields := make(map[string]string, len(envFields))
	for f, v := range envFields {
		fields[f] = prefix + v
	}
	cfg := Config{
		Environment:           Environment(get(EnvEnvironment)),
		Issuer:                get(EnvIssuer),
		ClientID:              get(EnvClientID),
		ClientSecret:          Secret(get(EnvClientSecret)),
		RedirectURL:           get(EnvRedirectURL),
		PostLogoutRedirectURL: get(EnvPostLogoutRedirectURL),
		ACR:                   ACR(get(EnvACR)),
		Scopes:                strings.Fields(get(EnvScopes)),
		env:                   fields,
	}
	p := &problems{env: fields}
	switch name := strings.ToLower(get(EnvPlatform)); name {
	case "", "fcplus", "fc+", "franceconnect+":
	case "fc", "franceconnect":
		cfg.Platform = FranceConnect
	case "proconnect", "pc":
		cfg.Platform = ProConnect
	default:
		p.add("Platform", "unknown platform %q (want fcplus, fc or proconnect)", name)
	}
	if cfg.Platform == ProConnect || cfg.Environment.Platform() == ProConnect && cfg.Environment != "" {
		for _, a := range strings.Fields(get(EnvACR)) {
			cfg.AcceptedACRs = append(cfg.AcceptedACRs, ACR(a))
		}
		cfg.ACR = ""
	}
	if alg := get(EnvSigningAlg); alg != "" {
		cfg.SigningAlgs = []string{alg}
	}
	cfg.UserInfo = UserInfoFormat(strings.ToLower(get(EnvUserInfo)))
	for _, a := range strings.Fields(get(EnvPreferredACR)) {
		cfg.PreferredACRs = append(cfg.PreferredACRs, ACR(a))
	}
	if v := get(EnvMaxAuthAge); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			p.add("MaxAuthAge", "%q is not a duration such as 30m or 1h", v)
		}
		cfg.MaxAuthAge = d
	}
	if strings.Contains(get(EnvScopes), ",") {
		p.add("Scopes", "%s holds commas: separate the scopes with spaces, e.g. \"openid identite_pivot email\"", prefix+EnvScopes)
		cfg.Scopes = strings.Fields(strings.ReplaceAll(get(EnvScopes), ",", " "))
	}
	if path := get(EnvKeys); path != "" {
		keys, err := LoadKeys(path)
		if err != nil {
			p.addAll("DecryptionKeys", err, "%q: ", path)
		}
		cfg.DecryptionKeys = keys
	}
	validate(cfg, p)
	return cfg, p.err()
}

// validEnvPrefix reports whether prefix is "" or like "AGENT_".
func validEnvPrefix(prefix string) bool {
	if prefix == "" {
		return true
	}
	if prefix[0] < 'A' || prefix[0] > 'Z' || !strings.HasSuffix(prefix, "_") {
		return false
	}
	return strings.Trim(prefix, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") == ""
}

// envFields maps the Config fields ConfigFromEnv sets to their variables.
var envFields = map[string]string{
	"Environment": EnvEnvironment, "Issuer": EnvIssuer, "Platform": EnvPlatform,
	"ClientID": EnvClientID, "ClientSecret": EnvClientSecret, "RedirectURL": EnvRedirectURL,
	"PostLogoutRedirectURL": EnvPostLogoutRedirectURL, "DecryptionKeys": EnvKeys, "ACR": EnvACR,
	"AcceptedACRs": EnvACR, "Scopes": EnvScopes, "SigningAlgs": EnvSigningAlg, "UserInfo": EnvUserInfo,
	"PreferredACRs": EnvPreferredACR, "MaxAuthAge": EnvMaxAuthAge,
}

// environmentNames lists the presets.
func environmentNames() []string {
	return []string{string(FCPlusIntegration), string(FCPlusProduction), string(FCIntegration), string(FCSandbox),
		string(FCProduction), string(PCIntegration), string(PCProduction), string(PCIntegrationRIE), string(PCProductionRIE)}
}

// refusesLoopback reports whether the preset refuses http and loopback
// redirect URLs: every FranceConnect+ deployment and the productions; the
// FranceConnect v2 integration platforms accept localhost (spec §3.1), and
// ProConnect's integrations are left to the platform to judge.
func (e Environment) refusesLoopback() bool {
	p, ok := e.preset()
	return ok && (p.platform == FranceConnectPlus || e == FCProduction || e == PCProduction || e == PCProductionRIE)
}
