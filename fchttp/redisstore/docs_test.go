package redisstore_test

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestDocShowsTheExample keeps docs/sessions.md equal to example_test.go,
// which the build compiles.
func TestDocShowsTheExample(t *testing.T) {
	doc, err := os.ReadFile("../../docs/sessions.md")
	require.NoError(t, err)
	code, err := os.ReadFile("example_test.go")
	require.NoError(t, err)
	require.True(t, strings.Contains(string(doc), "```go\n"+string(code)+"```\n"),
		"docs/sessions.md must show example_test.go exactly, in a go code block")
}
