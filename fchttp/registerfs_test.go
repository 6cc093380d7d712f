package fchttp_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect"
	"github.com/go-franceconnect/franceconnect/fchttp"
	"github.com/go-franceconnect/franceconnect/fctest"
)

// TestRegisterFSFeedsNewFromEnv checks that the environment of
// fctest.Server.RegisterFS, which cannot import this package, holds the
// session key ring under EnvSessionKeys and builds a Handler.
func TestRegisterFSFeedsNewFromEnv(t *testing.T) {
	emu := fctest.New(t, fctest.Options{})
	env := emu.RegisterFS(t, fctest.FS{Site: "https://fs.example.fr"}).Setenv(t)
	assert.Contains(t, env, fchttp.EnvSessionKeys)
	_, err := fchttp.NewFromEnv(context.Background(), fchttp.Config{})
	require.NoError(t, err)
}

// TestNewFromEnvCountsEveryProblem checks that the problems of the FC_*
// variables and of FS_SESSION_KEYS make one error: its count is the number
// of problems it lists, and the category is said once.
func TestNewFromEnvCountsEveryProblem(t *testing.T) {
	emu := fctest.New(t, fctest.Options{})
	emu.RegisterFS(t, fctest.FS{Site: "https://fs.example.fr"}).Setenv(t)
	t.Setenv(franceconnect.EnvClientSecret, "short")
	t.Setenv(franceconnect.EnvScopes, "openid,email")
	t.Setenv(fchttp.EnvSessionKeys, "")
	_, err := fchttp.NewFromEnv(context.Background(), fchttp.Config{})
	require.ErrorIs(t, err, franceconnect.ErrConfig)
	var ce *franceconnect.ConfigError
	require.ErrorAs(t, err, &ce)
	assert.Len(t, ce.Problems, 3)
	lines := strings.Split(err.Error(), "\n")
	assert.Equal(t, "franceconnect: invalid configuration: 3 problems:", lines[0])
	assert.Len(t, lines, 4, err.Error())
	assert.Equal(t, 1, strings.Count(err.Error(), "invalid configuration"), err.Error())
	assert.Contains(t, lines[3], "fchttp: FS_SESSION_KEYS is not set")

	t.Setenv(franceconnect.EnvClientSecret, "a-secret-of-at-least-thirty-two-characters")
	t.Setenv(franceconnect.EnvScopes, "openid")
	_, err = fchttp.NewFromEnv(context.Background(), fchttp.Config{})
	require.ErrorIs(t, err, franceconnect.ErrConfig)
	assert.Equal(t, "franceconnect: invalid configuration: fchttp: FS_SESSION_KEYS is not set: give every instance "+
		"the same session key ring, made with `head -c 32 /dev/urandom | base64`", err.Error())
}
