package main

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestDocShowsThisCode keeps docs/several-doors.md equal to main.go, which
// the build compiles and this package's tests run.
func TestDocShowsThisCode(t *testing.T) {
	doc, err := os.ReadFile("../../docs/several-doors.md")
	require.NoError(t, err)
	code, err := os.ReadFile("main.go")
	require.NoError(t, err)
	require.True(t, strings.Contains(string(doc), "```go\n"+string(code)+"```\n"),
		"docs/several-doors.md must show main.go exactly, in a go code block")
}
