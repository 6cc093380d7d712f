package franceconnect_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// markdownLink matches the target of an inline link or image.
var markdownLink = regexp.MustCompile(`\]\(([^)\s]+)\)`)

// inlineCode matches a code span, whose text is no link.
var inlineCode = regexp.MustCompile("`[^`]*`")

// TestDocsLinks checks every relative link of the README and of docs/: the
// file exists, and the anchor, if any, is a heading of the page it names.
func TestDocsLinks(t *testing.T) {
	anchors := map[string]map[string]bool{}
	for _, page := range docPages(t) {
		text, err := os.ReadFile(page)
		require.NoError(t, err)
		for n, line := range proseLines(string(text)) {
			for _, m := range markdownLink.FindAllStringSubmatch(inlineCode.ReplaceAllString(line, ""), -1) {
				target := m[1]
				if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
					continue
				}
				path, anchor, _ := strings.Cut(target, "#")
				file := page
				if path != "" {
					file = filepath.Join(filepath.Dir(page), path)
				}
				if _, err := os.Stat(file); err != nil {
					t.Errorf("%s:%d: link to %s: no file %s", page, n, target, file)
					continue
				}
				if anchor == "" {
					continue
				}
				if anchors[file] == nil {
					anchors[file] = headingAnchors(t, file)
				}
				assert.True(t, anchors[file][anchor], "%s:%d: link to %s: %s has no heading with the anchor %q",
					page, n, target, file, anchor)
			}
		}
	}
}

// proseLines returns the lines of a Markdown page outside its fenced code
// blocks, by line number (from 1).
func proseLines(page string) map[int]string {
	lines := map[int]string{}
	inFence := false
	for i, line := range strings.Split(page, "\n") {
		if strings.HasPrefix(strings.TrimLeft(line, " "), "```") {
			inFence = !inFence
			continue
		}
		if !inFence {
			lines[i+1] = line
		}
	}
	return lines
}

// headingAnchors returns the anchors GitHub gives the headings of a page:
// lower case, punctuation dropped, spaces as hyphens, "-1", "-2"… after a
// repeated one.
func headingAnchors(t *testing.T, file string) map[string]bool {
	t.Helper()
	text, err := os.ReadFile(file)
	require.NoError(t, err)
	anchors := map[string]bool{}
	seen := map[string]int{}
	for _, line := range proseLines(string(text)) {
		heading, ok := strings.CutPrefix(strings.TrimLeft(line, "#"), " ")
		if !ok || !strings.HasPrefix(line, "#") {
			continue
		}
		slug := slugOf(heading)
		if n := seen[slug]; n > 0 {
			anchors[slug+"-"+strconv.Itoa(n)] = true
		} else {
			anchors[slug] = true
		}
		seen[slug]++
	}
	return anchors
}

// slugOf is GitHub's anchor of a heading's text.
func slugOf(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(heading)) {
		switch {
		case unicode.IsLetter(r), unicode.IsDigit(r), r == '-', r == '_':
			b.WriteRune(r)
		case r == ' ':
			b.WriteByte('-')
		}
	}
	return b.String()
}
