package main

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestQualificationDocShowsThisCode keeps docs/qualification.md equal to
// the files it shows, which the tests run.
func TestQualificationDocShowsThisCode(t *testing.T) {
	doc, err := os.ReadFile("../../docs/qualification.md")
	require.NoError(t, err)
	for file, lang := range map[string]string{"../../examples/nodejs/conformance.sh": "sh",
		"../../examples/minimal/conformance_test.go": "go"} {
		code, err := os.ReadFile(file)
		require.NoError(t, err)
		require.Contains(t, string(doc), "```"+lang+"\n"+string(code)+"```\n",
			"docs/qualification.md must show %s exactly, in a %s code block", file, lang)
	}
}

// TestConformanceScript runs the script the documentation shows, with the
// program built by TestMain, against the Node.js service provider.
func TestConformanceScript(t *testing.T) {
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node is not installed (Debian: apt-get install nodejs): the documented script is not run")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := ln.Addr().(*net.TCPAddr).Port
	require.NoError(t, ln.Close())
	reports := t.TempDir()
	cmd := exec.Command("../../examples/nodejs/conformance.sh")
	cmd.Env = append(os.Environ(), "FCEMULATOR="+binary, "REPORTS="+reports, "PORT="+strconv.Itoa(port))
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	require.Contains(t, string(out), "PASS: ")
	for _, f := range []string{"conformance.xml", "conformance.html"} {
		info, err := os.Stat(filepath.Join(reports, f))
		require.NoError(t, err)
		require.Positive(t, info.Size())
	}
}
