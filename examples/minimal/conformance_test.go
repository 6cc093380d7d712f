package main

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect/fctest"
)

// TestConformance runs the conformance run against the site (a
// FranceConnect+ integration: it serves its keys, which the other
// platforms do not take) on an emulator that refuses what qualification
// refuses: a clean login and logout, then every fault that applies to its
// registration, each in a fresh browser. The site must refuse each fault a
// correct relying party refuses, accept the others, and pass every
// qualification item the emulator can observe.
func TestConformance(t *testing.T) {
	emu := fctest.New(t, fctest.Options{StrictQualification: true})
	emu.RegisterFS(t, fctest.FS{Site: "https://fs.example.fr", ID: "minimal-fs"}).Setenv(t)
	site, err := newSite(context.Background())
	require.NoError(t, err)
	report := fctest.RunConformanceTests(t, emu, fctest.Conformance{ClientID: "minimal-fs",
		StartURL: "https://fs.example.fr/", Handler: site})
	require.NotNil(t, report)
	require.False(t, report.Failed(), "the site fails the run")
	require.Zero(t, len(report.Cases)-countPassedOrSkipped(report), "every case passes or is skipped")
	item, _ := report.Qualification.Item(9)
	require.Equal(t, fctest.VerdictPass, item.Verdict, "the logout is observed and passes")
}

func countPassedOrSkipped(r *fctest.ConformanceReport) int {
	passed, _, skipped := r.Counts()
	return passed + skipped
}
