package fchttp

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/go-franceconnect/franceconnect"
)

// EnvSessionKeys is the variable NewFromEnv reads the session key ring from:
// comma-separated standard base64 keys of KeySize bytes each, the newest
// first (ParseSessionKeys). Make a key with `head -c 32 /dev/urandom | base64`.
// The doors of one site share it: NewFromEnvPrefix reads it unprefixed.
const EnvSessionKeys = "FS_SESSION_KEYS"

// NewFromEnv is New for a service provider configured by its environment,
// the same on every instance. What cfg leaves zero comes from there:
//   - the Client, from franceconnect.ConfigFromEnv (the FC_* variables) and
//     franceconnect.New; with KeysPath set, the keys served there are that
//     configuration's DecryptionKeys (FC_KEYS), and on a platform that
//     encrypts nothing to the FS (FranceConnect, ProConnect) KeysPath is
//     left unserved;
//   - the session key ring, from FS_SESSION_KEYS.
//
// Every configuration problem is reported at once, each naming its variable,
// and errors.Is(err, franceconnect.ErrConfig) holds for them. Like
// franceconnect.New, it fetches the provider's discovery document and keys
// with ctx.
func NewFromEnv(ctx context.Context, cfg Config) (*Handler, error) {
	return NewFromEnvPrefix(ctx, "", cfg)
}

// NewFromEnvPrefix is NewFromEnv for one door of a site with several: the
// Client comes from the FC_* variables under prefix
// (franceconnect.ConfigFromEnvPrefix: AGENT_FC_ISSUER, AGENT_FC_CLIENT_ID…),
// the key ring from FS_SESSION_KEYS, which the doors share. Give each door
// its own CookieName and paths (see RegisterDoors).
func NewFromEnvPrefix(ctx context.Context, prefix string, cfg Config) (*Handler, error) {
	var fc franceconnect.Config
	var problems []error
	if cfg.Client == nil {
		var err error
		fc, err = franceconnect.ConfigFromEnvPrefix(prefix)
		problems = append(problems, err)
	}
	if len(cfg.SessionKeys) == 0 {
		keys, err := sessionKeysFromEnv()
		problems = append(problems, err)
		cfg.SessionKeys = keys
	}
	if err := joinConfigErrors(problems); err != nil {
		return nil, err
	}
	if cfg.Client == nil {
		client, err := franceconnect.New(ctx, fc)
		if err != nil {
			return nil, err
		}
		cfg.Client = client
		if cfg.KeysPath != "" && cfg.DecryptionKeys == nil {
			cfg.DecryptionKeys = fc.DecryptionKeys
		}
		if cfg.KeysPath != "" && len(cfg.DecryptionKeys) == 0 && client.Platform() != franceconnect.FranceConnectPlus {
			cfg.KeysPath = "" // nothing to publish: the platform does not encrypt
		}
	}
	return New(cfg)
}

// sessionKeysFromEnv reads the key ring from EnvSessionKeys.
func sessionKeysFromEnv() ([][]byte, error) {
	s := os.Getenv(EnvSessionKeys)
	if strings.TrimSpace(s) == "" {
		return nil, configError("%s is not set: give every instance the same session key ring, "+
			"made with `head -c 32 /dev/urandom | base64`", EnvSessionKeys)
	}
	keys, err := ParseSessionKeys(s)
	if err != nil {
		return nil, fmt.Errorf("%w (from %s)", err, EnvSessionKeys)
	}
	return keys, nil
}

// joinConfigErrors returns nil, or one *franceconnect.ConfigError holding
// every problem of errs, so that the count it prints is the number of
// problems it lists and the category is said once.
func joinConfigErrors(errs []error) error {
	var all []error
	for _, err := range errs {
		var ce *franceconnect.ConfigError
		switch {
		case errors.As(err, &ce):
			all = append(all, ce.Problems...)
		case err != nil:
			all = append(all, err)
		}
	}
	if len(all) == 0 {
		return nil
	}
	return &franceconnect.ConfigError{Problems: all}
}
