package main

// fcdata is the data provider's package.
var fcdata = []string{"./fcdata"}

// The checks of the data provider's side (fcdata) and of the FS's calls to
// data providers (DataClient).
func init() {
	mutants = append(mutants, []mutant{
		{"data: JWE required on FranceConnect", "fcdata/answer.go", [][2]string{
			{`return "", fail(franceconnect.ErrUnencrypted,`, `return raw, nil; _ = fail(franceconnect.ErrUnencrypted,`}}, fcdata},
		{"data: JWE alg among our keys' algorithms", "fcdata/answer.go", [][2]string{
			{"h, err := jose.CheckJWE(raw, v.s.encAlgs)", `h, err := jose.CheckJWE(raw, []string{"ECDH-ES", "RSA-OAEP-256", "RSA-OAEP"})`}}, fcdata},
		{"data: our key bound to its algorithm", "fcdata/answer.go", [][2]string{
			{`if k.Algorithm != h.Alg || h.Kid != "" && k.ID != h.Kid {`, `if h.Kid != "" && k.ID != h.Kid {`}}, fcdata},
		{"data: JWS alg is the registered one", "fcdata/answer.go", [][2]string{
			{"h, err := jose.CheckJWS(signed, []string{v.s.sigAlg})", `h, err := jose.CheckJWS(signed, []string{"ES256", "RS256", "HS256"})`},
			{"jws, err := gojose.ParseSignedCompact(signed, []gojose.SignatureAlgorithm{gojose.SignatureAlgorithm(v.s.sigAlg)})", "jws, err := gojose.ParseSignedCompact(signed, []gojose.SignatureAlgorithm{gojose.ES256, gojose.RS256, gojose.HS256})"}}, fcdata},
		{"data: signature verified", "fcdata/answer.go", [][2]string{
			{"if !v.s.insecure {", "if false {"}}, fcdata},
		{"data: JWS header members from the allow-list", "fcdata/answer.go", [][2]string{
			{"if err := h.Unlisted(); err != nil {\n\t\treturn nil, errorf(", "if err := error(nil); err != nil {\n\t\treturn nil, errorf("}}, fcdata},
		{"data: repeated members refused (go-jose's JSON)", "fcdata/answer.go", [][2]string{
			{"members, err := jose.Object(payload, maxMembers)\n\tif err != nil {", "members, err := jose.Object(payload, maxMembers)\n\tif err != nil && false {"},
			{"if err := gojson.Unmarshal(payload, &cl); err != nil {", "if err := json.Unmarshal(payload, &cl); err != nil {"},
			{"\tgojson \"github.com/go-jose/go-jose/v4/json\"", "\tgojson \"github.com/go-jose/go-jose/v4/json\"\n\t\"encoding/json\""}}, fcdata},
		{"data: the verdict's members read exactly, none repeated", "fcdata/answer.go", [][2]string{
			{"members, err := jose.Object(data, maxMembers)\n\tif err != nil {", "members, err := jose.Object(data, maxMembers)\n\tif err != nil && false {"},
			{"if err := gojson.Unmarshal(data, &cl); err != nil {", "if err := json.Unmarshal(data, &cl); err != nil {"},
			{"\tgojson \"github.com/go-jose/go-jose/v4/json\"", "\tgojson \"github.com/go-jose/go-jose/v4/json\"\n\t\"encoding/json\""}}, fcdata},
		{"data: iss", "fcdata/answer.go", [][2]string{{"case cl.Issuer != v.s.issuer:", "case false:"}}, fcdata},
		{"data: aud exactly our client_id", "fcdata/answer.go", [][2]string{
			{"case len(cl.Audience) != 1 || cl.Audience[0] != v.s.clientID:", "case false:"}}, fcdata},
		{"data: iat required", "fcdata/answer.go", [][2]string{{"case cl.IssuedAt == nil:", "case false:"}}, fcdata},
		{"data: iat not in the future", "fcdata/answer.go", [][2]string{{"case cl.IssuedAt.Time().After(now.Add(v.s.leeway)):", "case now.IsZero():"}}, fcdata},
		{"data: inactive is inactive", "fcdata/answer.go", [][2]string{{"case !*cl.Active:", "case false:"}}, fcdata},
		{"data: expired is inactive", "fcdata/answer.go", [][2]string{
			{"case !v.s.now().Before(cl.Expiry.Time().Add(v.s.leeway)):", "case false:"}}, fcdata},
		{"data: service providers served", "fcdata/answer.go", [][2]string{
			{"if len(v.s.clients) > 0 && !slices.Contains(v.s.clients, res.ClientID) {", "if slices.Contains(v.s.clients, \"\\x00\") {"}}, fcdata},
		{"data: content type of a signed answer", "fcdata/answer.go", [][2]string{{"case mediaType != ctJWT:", "case false:"}}, fcdata},
		{"data: middleware requires the scopes", "fcdata/middleware.go", [][2]string{
			{`if missing := res.MissingScope(required...); missing != "" {`, `if missing := ""; missing != "" {`}}, fcdata},
		{"data: middleware refuses inactive tokens", "fcdata/middleware.go", [][2]string{{"case !res.Active:", "case false:"}}, fcdata},
		{"data: middleware reads the header only, Bearer scheme", "fcdata/middleware.go", [][2]string{
			{`if !strings.EqualFold(scheme, "Bearer") {`, `if scheme == "\x00" {`}}, fcdata},
		{"data: cache never past the token's expiry", "fcdata/verifier.go", [][2]string{
			{"return min(v.s.cacheTTL, res.Expiry.Sub(v.s.now()))", "return v.s.cacheTTL"}}, fcdata},
		{"data: cache bounded", "fcdata/cache.go", [][2]string{{"for c.order.Len() >= c.size {", "for false {"}}, fcdata},
		{"data: concurrent checks de-duplicated", "fcdata/cache.go", [][2]string{
			{"cl, ok := c.inflight[k]", "cl, ok := (*call)(nil), false"}}, fcdata},
		{"data: a fetched verdict is the caller's own", "fcdata/verifier.go", [][2]string{
			{"\treturn res.copy(), nil\n}", "\treturn res, nil\n}"}}, fcdata},
		{"data: a cached verdict is the caller's own", "fcdata/verifier.go", [][2]string{
			{"\t\treturn res.copy(), nil\n\t}\n\tres, err :=", "\t\treturn res, nil\n\t}\n\tres, err :="}}, fcdata},
		{"data: a stale key set that fails to fetch is kept", "fcdata/platform.go", [][2]string{
			{"k.until = now.Add(keyCooldown)", "k.until = now"}}, fcdata},
		{"data: middleware route scopes are scope tokens", "fcdata/middleware.go", [][2]string{
			{"if !wire.IsScopeToken(sc) {", "if !wire.IsScopeToken(sc) && sc == \"\\x00\" {"}}, fcdata},
		{"DataClient: token only to the provider's origin", "data.go", [][2]string{
			{"case !strings.EqualFold(u.Scheme, b.base.Scheme) || !strings.EqualFold(u.Host, b.base.Host):", "case false:"}}, nil},
		{"DataClient: token only under the provider's path", "data.go", [][2]string{
			{`case !strings.HasPrefix(path.Clean("/"+u.Path)+"/", b.base.Path):`, `case path.Clean("/") == "":`}}, nil},
		{"DataClient: the Host header is the provider's", "data.go", [][2]string{
			{`case req.Host != "" && !strings.EqualFold(req.Host, b.base.Host):`, "case false:"}}, nil},
		{"DataClient: no segment a server may read as . or ..", "data.go", [][2]string{
			{"case ambiguousPath(u.Path):", "case false:"}}, nil},
		{"DataClient: refreshed tokens stored before use", "data.go", [][2]string{
			{"if b.unstored {", "if false {"}}, nil},
		{"DataClient: expired token not sent", "data.go", [][2]string{
			{"if !b.c.now().Add(AccessTokenMargin).Before(b.tokens.Expiry) {", "if false {"}}, nil},
		{"scopes: published by the provider", "scopes.go", [][2]string{
			{"if !slices.Contains(published, s) {", "if false {"}}, nil},
		{"scopes: identity scope of another platform", "scopes.go", [][2]string{
			{"if other != p && slices.Contains(other.identityScopes(), s) {", "if false {"}}, nil},
	}...)
}
