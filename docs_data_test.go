package franceconnect_test

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestDataProvidersDocShowsThisCode keeps docs/data-providers.md equal to
// the compiled files it shows.
func TestDataProvidersDocShowsThisCode(t *testing.T) {
	doc, err := os.ReadFile("docs/data-providers.md")
	require.NoError(t, err)
	for _, file := range []string{"example_data_test.go", "fchttp/example_data_test.go", "examples/dataprovider/main.go"} {
		code, err := os.ReadFile(file)
		require.NoError(t, err)
		require.True(t, strings.Contains(string(doc), "```go\n"+string(code)+"```\n"), "docs/data-providers.md must show %s exactly", file)
	}
}
