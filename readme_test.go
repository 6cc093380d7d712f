package franceconnect_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestREADMEListsEverySentinel compares the error table of the README with
// the exported Err… variables of the package.
func TestREADMEListsEverySentinel(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	_, section, ok := strings.Cut(string(readme), "\n## Errors\n")
	require.True(t, ok, "README.md has an Errors section")
	section, _, _ = strings.Cut(section, "\n## ")
	var table []string
	for _, line := range strings.Split(section, "\n") {
		if strings.HasPrefix(line, "| ") {
			cell, _, _ := strings.Cut(strings.TrimPrefix(line, "| "), " | ")
			table = append(table, regexp.MustCompile("`(Err[A-Za-z]+)`").FindAllString(cell, -1)...)
		}
	}
	for i := range table {
		table[i] = strings.Trim(table[i], "`")
	}
	var declared []string
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, ".", func(fi os.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }, 0)
	require.NoError(t, err)
	for _, f := range pkgs["franceconnect"].Files {
		for name, obj := range f.Scope.Objects {
			if obj.Kind == ast.Var && strings.HasPrefix(name, "Err") && ast.IsExported(name) {
				declared = append(declared, name)
			}
		}
	}
	require.NotEmpty(t, declared)
	slices.Sort(declared)
	table = slices.Compact(slices.Sorted(slices.Values(table)))
	assert.Equal(t, declared, table, "the README's error table and errors.go list the same sentinels")
}
