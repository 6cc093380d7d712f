package main

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect/fctest"
)

// TestConformance runs the conformance run against the site: a clean login
// and logout, then every fault that applies to its registration, each in a
// fresh browser; the site must refuse each fault a correct relying party
// refuses and pass every qualification item the emulator can observe.
func TestConformance(t *testing.T) {
	emu := fctest.New(t, fctest.Options{})
	registerFS(t, emu, "https://fs.example.fr")
	site, err := newSite(context.Background())
	require.NoError(t, err)
	report := fctest.RunConformanceTests(t, emu, fctest.Conformance{ClientID: "minimal-fs",
		StartURL: "https://fs.example.fr/", Handler: site})
	require.NotNil(t, report)
	require.False(t, report.Failed())
}
