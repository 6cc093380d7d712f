package franceconnect

import "strings"

// SettingError is a failure whose likely cause is the FS's configuration
// rather than the provider or the user: a userinfo in the other form than
// Config.UserInfo says, a token signed with an algorithm the FS registered
// but did not configure, a token encrypted to a key that DecryptionKeys
// does not hold, scopes or a level the platform refuses for this FS, a
// client_id or secret it does not know. Its message names the Config
// fields and their environment variables (with the prefix of
// ConfigFromEnvPrefix when the Config came from it); use errors.As to read
// them, e.g. to log them apart. It wraps the error as classified, so that
// errors.Is and errors.As see every category.
type SettingError struct {
	// Fields are the Config fields to check, e.g. ["UserInfo"].
	Fields []string
	// Variables are the environment variables that set them, e.g.
	// ["FC_USERINFO"], or ["AGENT_FC_USERINFO"] for a Config read by
	// ConfigFromEnvPrefix("AGENT_").
	Variables []string
	// Hint says what to compare them with.
	Hint string

	err error
}

// Error returns the failure's message followed by the settings to check.
func (e *SettingError) Error() string {
	names := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		names[i] = f + " (" + e.Variables[i] + ")"
	}
	return e.err.Error() + "; check " + strings.Join(names, " and ") + ": " + e.Hint
}

// Unwrap returns the failure as classified.
func (e *SettingError) Unwrap() error { return e.err }

// checkSetting wraps err with the Config fields to check and why.
func (c *Client) checkSetting(err error, hint string, fields ...string) error {
	e := &SettingError{Fields: fields, Hint: hint, err: err}
	for _, f := range fields {
		e.Variables = append(e.Variables, c.variable(f))
	}
	return e
}

// variable is the environment variable that sets the Config field f, with
// the prefix of ConfigFromEnvPrefix when the Config came from it.
func (c *Client) variable(f string) string {
	if v := c.env[f]; v != "" {
		return v
	}
	return envFields[f]
}

// providerSetting names the settings an error answer of the platform
// points to (spec §4.3, §14.3), if any.
func (c *Client) providerSetting(e *ProviderError) error {
	switch e.Code {
	case "invalid_scope":
		return c.checkSetting(e, "request only the scopes granted to the FS (Datapass)", "Scopes")
	case "invalid_acr":
		return c.checkSetting(e, "request a level the platform offers to the FS", levelField(c.platform))
	case "invalid_client", "unauthorized_client":
		return c.checkSetting(e, "use the client_id and secret of this platform and environment", "ClientID", "ClientSecret")
	}
	return e
}

// levelField is the Config field of the requested levels.
func levelField(p Platform) string {
	if p == ProConnect {
		return "AcceptedACRs"
	}
	return "ACR"
}

// keysSetting names DecryptionKeys for a token the FS keys do not open.
func (c *Client) keysSetting(err error) error {
	return c.checkSetting(err, "they must be the private keys whose public part is published at the registered Client keys URL",
		"DecryptionKeys")
}

// userinfoSetting names UserInfo for a ProConnect userinfo in the other
// form, of media type mt: ProConnect sends JSON to an FS registered
// without a userinfo signing algorithm, a JWT otherwise.
func (c *Client) userinfoSetting(err error, mt string) error {
	if c.platform != ProConnect || mt != "application/json" && mt != "application/jwt" {
		return err
	}
	return c.checkSetting(err, "\"json\" when the FS registered no userinfo signing algorithm, \"jwt\" when it did", "UserInfo")
}
