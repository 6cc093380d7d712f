package fchttp_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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
