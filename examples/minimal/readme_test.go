package main

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestREADMEShowsThisCode keeps the README's "Integrate" and "Test your
// app" sections equal to the files they show, which the build compiles
// and this package's tests run.
func TestREADMEShowsThisCode(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	for _, file := range []string{"main.go", "main_test.go"} {
		code, err := os.ReadFile(file)
		require.NoError(t, err)
		require.True(t, strings.Contains(string(readme), "```go\n"+string(code)+"```\n"),
			"README.md must show %s exactly, in a go code block", file)
	}
}
