package main

// jose is the policy package, whose own tests run beside the root's.
var jose = []string{"./internal/jose", "."}

// mutants are the checks the test suite must notice missing: each
// strictness rule of the policy layer, the protocol checks of the
// verification pipeline, the key rules and the redactions.
var mutants = []mutant{
	// Framing.
	{"compact: base64url characters only", "internal/jose/compact.go", [][2]string{
		{`if strings.Trim(s, b64url) != "" {`, "if false {"}}, jose},
	{"compact: canonical encodings (unused bits zero)", "internal/jose/compact.go", [][2]string{
		{"_, err := strictB64.DecodeString(tail)", "err := error(nil)"}}, jose},
	{"compact: token size limit", "internal/jose/compact.go", [][2]string{
		{"case len(token) > MaxTokenSize:", "case false:"}}, jose},
	{"compact: protected header size limit", "internal/jose/compact.go", [][2]string{
		{"DecodedLen(len(segs[0])) > MaxHeaderSize", "DecodedLen(len(segs[0])) < 0"}}, jose},
	// Headers.
	{"header: repeated members refused (go-jose's JSON)", "internal/jose/json.go", [][2]string{
		{"gojson.Unmarshal(data, &raw)", "json.Unmarshal(data, &raw)"}}, jose},
	{"header: at most 32 members", "internal/jose/json.go", [][2]string{
		{"case len(raw) > maxMembers:", "case false:"}}, jose},
	{"header: crit, zip, jku, jwk, x5u refused", "internal/jose/compact.go", [][2]string{
		{"for _, name := range refused {", "for _, name := range []string{} {"}}, jose},
	{"header: b64 only when true", "internal/jose/compact.go", [][2]string{
		{`ok && string(b64) != "true"`, "ok && len(b64) < 0"}}, jose},
	{"header: JWE members from the allow-list", "jwe.go", [][2]string{
		{"if err := h.Unlisted(); err != nil {\n\t\treturn \"\", joinCategory(category, err)", "if err := error(nil); err != nil {\n\t\treturn \"\", joinCategory(category, err)"}}, nil},
	{"header: JWS members from the allow-list", "jwe.go", [][2]string{
		{"if err := h.Unlisted(); err != nil {\n\t\treturn nil, err", "if err := error(nil); err != nil {\n\t\treturn nil, err"}}, nil},
	{"header: JWE alg among our keys' algorithms", "internal/jose/token.go", [][2]string{
		{"case !slices.Contains(keyAlgs, h.Alg) || !slices.Contains(allowedAlgs, h.Alg):", "case !slices.Contains(keyAlgs, h.Alg):"}}, jose},
	{"header: JWS alg allow-list of the platform", "internal/jose/token.go", [][2]string{
		{"case !slices.Contains(sigAlgs, h.Alg) || !slices.Contains(allowedAlgs, h.Alg):", "case !slices.Contains(sigAlgs, h.Alg):"}}, jose},
	// JWE shape and binding.
	{"JWE: encrypted key empty exactly for ECDH-ES", "internal/jose/token.go", [][2]string{
		{`case ecdh != (segs[1] == ""):`, "case false:"}}, jose},
	{"JWE: apu and apv canonical", "internal/jose/token.go", [][2]string{
		{"case !canonical(apu) || !canonical(apv):", "case false:"}}, jose},
	{"JWE: header iss", "jwe.go", [][2]string{
		{`case h.Iss != "" && h.Iss != c.issuer:`, "case false:"}}, nil},
	{"JWE: header aud", "jwe.go", [][2]string{
		{"case h.Aud != nil && (len(h.Aud) != 1 || h.Aud[0] != c.clientID):", "case false:"}}, nil},
	{"JWE: cty", "jwe.go", [][2]string{
		{`case h.Cty != "" && !strings.EqualFold(h.Cty, "JWT")`, `case false && !strings.EqualFold(h.Cty, "JWT")`}}, nil},
	{"JWE: our key bound to one algorithm", "jwe.go", [][2]string{
		{`if kid != "" && k.id == kid && k.alg != alg {`, "if false {"},
		{`if k.alg != alg || (kid != "" && k.id != kid) {`, `if kid != "" && k.id != kid {`}}, nil},
	{"JWE required on FranceConnect+", "jwe.go", [][2]string{
		{"if c.encrypted {", "if false {"}}, nil},
	// Provider keys.
	{"JWS: without a kid, only when exactly one key fits", "jwks.go", [][2]string{
		{"if found != nil {\n\t\t\t\treturn nil\n\t\t\t}", ""}}, nil},
	{"JWS: refresh on unknown kid within the cooldown", "jwks.go", [][2]string{
		{"!k.forcedAt.IsZero() && now.Sub(k.forcedAt) < k.cooldown", "false"}}, nil},
	// Claims.
	{"claims: exact names", "claims.go", [][2]string{
		{"gojson.Unmarshal(payload, claims)", "json.Unmarshal(payload, claims)"},
		{`gojson "github.com/go-jose/go-jose/v4/json"`, `_ "github.com/go-jose/go-jose/v4/json"`}}, nil},
	{"claims: iss", "claims.go", [][2]string{{"case cl.Issuer != c.issuer:", "case false:"}}, nil},
	{"claims: aud exactly our client_id", "claims.go", [][2]string{
		{"case len(cl.Audience) != 1 || cl.Audience[0] != c.clientID:", "case !cl.Audience.Contains(c.clientID):"}}, nil},
	{"claims: exp", "claims.go", [][2]string{
		{"case cl.Expiry.ok && !now.Before(cl.Expiry.t.Add(c.leeway)):", "case false:"}}, nil},
	{"claims: iat required", "claims.go", [][2]string{{"case required && !cl.IssuedAt.ok:", "case false:"}}, nil},
	{"claims: sub required", "claims.go", [][2]string{{`case cl.Subject == "":`, "case false:"}}, nil},
	{"id_token: nonce", "token.go", [][2]string{
		{`if st.Nonce == "" || !equal(cl.Nonce, st.Nonce) {`, "if false {"}}, nil},
	{"id_token: acr at least the requested level", "token.go", [][2]string{
		{"if !acr.Satisfies(want) {", "if false {"}}, nil},
	{"callback: state", "token.go", [][2]string{
		{`if st.State == "" || state == "" || !equal(state, st.State) {`, `if st.State == "" || state == "" {`}}, nil},
	{"userinfo: sub equal to the id_token's", "userinfo.go", [][2]string{
		{"if !equal(cl.common().Subject, sub) {", "if false {"}}, nil},
	{"userinfo: exp and iat required", "userinfo.go", [][2]string{
		{"check(c, ErrInvalidUserInfo, c.platform != ProConnect)", "check(c, ErrInvalidUserInfo, false)"}}, nil},
	{"userinfo: no nonce", "userinfo.go", [][2]string{
		{`if _, ok := all["nonce"]; ok {`, "if false {"}}, nil},
	// ProConnect.
	{"ProConnect: acr among the accepted levels", "token.go", [][2]string{
		{"case len(accepted) > 0 && !slices.Contains(accepted, acr):", "case false:"}}, nil},
	{"ProConnect: HS256 only when configured", "config.go", [][2]string{
		{"c.sigAlgs = []string{c.platform.defaultSigningAlg()}",
			`c.sigAlgs = []string{c.platform.defaultSigningAlg(), "HS256"}`}}, nil},
	{"ProConnect: a JWE is refused", "jwe.go", [][2]string{
		{"		if c.platform == ProConnect {\n\t\t\treturn nil, \"\", tokenError(category, ErrAlgorithm",
			"		if false {\n\t\t\treturn nil, \"\", tokenError(category, ErrAlgorithm"}}, nil},
	{"ProConnect: a signed userinfo is never downgraded to JSON", "userinfo.go", [][2]string{
		{"if mt != want {", `if mt != want && mt != "application/json" {`}}, nil},
	{"ProConnect: a refreshed id_token is about the same agent", "token.go", [][2]string{
		{"if !equal(cl.Subject, subject) {", "if false {"}}, nil},
	{"ProConnect: siret_hint of 14 digits", "proconnect.go", [][2]string{
		{`if len(req.SiretHint) != 14 || strings.Trim(req.SiretHint, "0123456789") != "" {`, "if false {"}}, nil},
	// Redactions.
	{"redaction: Key in JSON and slog", "redact.go", [][2]string{
		{"func (k Key) MarshalJSON() ([]byte, error) { return json.Marshal(k.facts()) }",
			"func (k Key) MarshalJSON() ([]byte, error) { type plain Key; return json.Marshal(plain(k)) }"}}, nil},
	{"redaction: Config in JSON and slog", "redact.go", [][2]string{
		{"func (c Config) MarshalJSON() ([]byte, error) { return json.Marshal(c.view()) }",
			"func (c Config) MarshalJSON() ([]byte, error) { type plain Config; v := plain(c); v.HTTPClient, v.Now, v.Logger = nil, nil, nil; return json.Marshal(v) }"}}, nil},
	{"redaction: IDToken hint in fmt", "redact.go", [][2]string{
		{"func (t IDToken) Format(", "func (t IDToken) format("}}, nil},
	{"redaction: Client in fmt", "redact.go", [][2]string{
		{"func (c *Client) Format(", "func (c *Client) format("}}, nil},
	{"redaction: LogoutRequest hint", "redact.go", [][2]string{
		{"func (r LogoutRequest) view() logoutView { return logoutView{redactHint(r.URL), r.State} }",
			"func (r LogoutRequest) view() logoutView { return logoutView{r.URL, r.State} }"}}, nil},
}
