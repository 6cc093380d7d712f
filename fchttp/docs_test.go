package fchttp_test

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestSessionsDocShowsTheAccount keeps the account type of
// docs/sessions.md equal to the one TestTypedData logs in with.
func TestSessionsDocShowsTheAccount(t *testing.T) {
	doc, err := os.ReadFile("../docs/sessions.md")
	require.NoError(t, err)
	src, err := os.ReadFile("hooks_test.go")
	require.NoError(t, err)
	_, decl, ok := strings.Cut(string(src), "\ntype account struct {\n")
	require.True(t, ok)
	decl, _, _ = strings.Cut(decl, "\n}\n")
	require.Contains(t, string(doc), "```go\ntype account struct {\n"+decl+"\n}\n```\n")
}
