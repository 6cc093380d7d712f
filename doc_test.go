package franceconnect_test

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPackageDocsShowNoCode keeps code out of the package documentation of
// the library's packages: code is shown in Example functions, which the
// build compiles and go test runs. A preformatted block of a doc comment
// is a line starting with a tab after "//".
func TestPackageDocsShowNoCode(t *testing.T) {
	for _, file := range []string{"doc.go", "fchttp/doc.go", "fctest/doc.go"} {
		b, err := os.ReadFile(file)
		require.NoError(t, err)
		for i, line := range strings.Split(string(b), "\n") {
			assert.False(t, strings.HasPrefix(line, "//\t") || strings.HasPrefix(line, "//  \t"),
				"%s:%d shows code in the package documentation: move it to an Example function", file, i+1)
		}
	}
}
