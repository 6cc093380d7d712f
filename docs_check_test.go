package franceconnect_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// docPages are the pages whose code blocks and links the tests below
// check: the README and every page of docs/.
func docPages(t *testing.T) []string {
	t.Helper()
	pages, err := filepath.Glob("docs/*.md")
	require.NoError(t, err)
	require.NotEmpty(t, pages)
	return append([]string{"README.md"}, pages...)
}

// fence is a fenced code block of a Markdown page.
type fence struct {
	lang, code string
	line       int
}

// fences returns the fenced code blocks of a page, each with the
// indentation of its opening fence removed (a block inside a list item).
func fences(page string) []fence {
	var out []fence
	var cur *fence
	var indent string
	for i, line := range strings.Split(page, "\n") {
		trimmed := strings.TrimLeft(line, " ")
		switch {
		case cur == nil && strings.HasPrefix(trimmed, "```"):
			indent = line[:len(line)-len(trimmed)]
			cur = &fence{lang: strings.TrimPrefix(trimmed, "```"), line: i + 1}
		case cur != nil && strings.TrimSpace(line) == "```":
			out = append(out, *cur)
			cur = nil
		case cur != nil:
			cur.code += strings.TrimPrefix(line, indent) + "\n"
		}
	}
	return out
}

// compiledCode returns every piece of Go a page may show, from every .go
// file of the repository: the whole file, each top-level declaration (with
// and without its doc comment), and each function's body without its
// first level of indentation.
func compiledCode(t *testing.T) map[string]bool {
	t.Helper()
	code := map[string]bool{}
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "build" || d.Name() == "node_modules" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		addDeclarations(code, src)
		return nil
	})
	require.NoError(t, err)
	return code
}

// addDeclarations adds the pieces of one Go file to code.
func addDeclarations(code map[string]bool, src []byte) {
	code[string(src)] = true
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", src, parser.ParseComments)
	if err != nil {
		return
	}
	offset := func(p token.Pos) int { return fset.Position(p).Offset }
	for _, d := range f.Decls {
		code[string(src[offset(d.Pos()):offset(d.End())])+"\n"] = true
		var doc *ast.CommentGroup
		switch d := d.(type) {
		case *ast.FuncDecl:
			doc = d.Doc
			if d.Body != nil && len(d.Body.List) > 0 {
				code[functionBody(src, offset(d.Body.List[0].Pos()), offset(d.Body.Rbrace))] = true
			}
		case *ast.GenDecl:
			doc = d.Doc
		}
		if doc != nil {
			code[string(src[offset(doc.Pos()):offset(d.End())])+"\n"] = true
		}
	}
}

// functionBody returns the whole lines from start up to the closing brace
// at end, without their first tab.
func functionBody(src []byte, start, end int) string {
	start = strings.LastIndexByte(string(src[:start]), '\n') + 1
	end = strings.LastIndexByte(string(src[:end]), '\n') + 1
	var b strings.Builder
	for _, line := range strings.SplitAfter(string(src[start:end]), "\n") {
		b.WriteString(strings.TrimPrefix(line, "\t"))
	}
	return b.String()
}

// TestDocsShowCompiledCode checks that every Go block of the README and of
// docs/ is compiled code of this repository, as it is written there: a
// whole file, a declaration, or a function's body. The tests of each
// example run that code.
func TestDocsShowCompiledCode(t *testing.T) {
	code := compiledCode(t)
	makefile, err := os.ReadFile("Makefile")
	require.NoError(t, err)
	for _, page := range docPages(t) {
		text, err := os.ReadFile(page)
		require.NoError(t, err)
		for _, f := range fences(string(text)) {
			switch f.lang {
			case "go":
				assert.True(t, code[f.code], "%s:%d: this go block is not the text of a file, a declaration or a "+
					"function body of the repository: show compiled code, copied exactly", page, f.line)
			case "sh":
				for _, target := range makeTargets(f.code) {
					assert.Regexp(t, "(?m)^"+regexp.QuoteMeta(target)+":", string(makefile),
						"%s:%d: make %s is not a target of the Makefile", page, f.line, target)
				}
			}
		}
	}
}

// makeTargets returns the targets of the make commands of a shell block:
// "make" first on a line, after variable assignments or after "&&".
func makeTargets(sh string) []string {
	var targets []string
	for _, line := range strings.Split(sh, "\n") {
		line, _, _ = strings.Cut(line, "#")
		words := strings.Fields(line)
		for i, w := range words {
			if w != "make" || (i > 0 && words[i-1] != "&&" && !strings.Contains(words[i-1], "=")) {
				continue
			}
			for _, arg := range words[i+1:] {
				if arg == "&&" || arg == "|" || arg == ";" {
					break
				}
				if !strings.Contains(arg, "=") && !strings.HasPrefix(arg, "-") {
					targets = append(targets, arg)
				}
			}
		}
	}
	return targets
}
