package main

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestProConnectProgramSingleSignOn plays ProConnect's reuse of its session
// with -sso: a second login below eidas2 comes back without the agent page,
// prompt=login or an eidas2 session shows it again; the faults of levels
// and fresh authentication are injected by name.
func TestProConnectProgramSingleSignOn(t *testing.T) {
	emu := startEmulator(t, "-platform", "proconnect", "-clients", pcClientsFile(t), "-keys-dir", sharedKeysDir,
		"-sso", "-admin")
	require.Contains(t, emu.summary, "  sso         ")
	rp := newPCRP(t, emu, pcClients[0])
	b := newBrowser(t, emu)
	login := func(claims, extra, agent string) bool {
		authURL, _ := rp.authURL(random(), random(), claims)
		cb, sawPage := b.login(t, authURL+extra, agent)
		require.NotEmpty(t, cb.Query().Get("code"), cb.String())
		return sawPage
	}
	require.True(t, login(mfaClaims, "", "agent_mfa"), "first login: the agent page")
	require.False(t, login(mfaClaims, "", "agent_mfa"), "eidas1-mfa session: reused")
	require.True(t, login(mfaClaims, "&prompt=login", "agent_mfa"), "prompt=login: the agent page")
	require.True(t, login(mfaClaims, "&prompt=login", "agent_eidas2"), "prompt=login: now an eidas2 session")
	require.True(t, login(mfaClaims, "", "agent_eidas2"), "an eidas2 session is never reused")

	status, body := adminCall(t, emu, http.MethodPost, "faults/inject", "application/json",
		`{"faults": ["FaultPromptLoginIgnored", "FaultMissingAuthTime", "FaultAZPOtherClient", "FaultPublicAgentsOnly"]}`)
	require.Equal(t, http.StatusOK, status, body)
	require.Contains(t, body, "FaultPublicAgentsOnly")
}

func TestSingleSignOnFlagOff(t *testing.T) {
	emu := startEmulator(t, "-platform", "proconnect", "-clients", pcClientsFile(t), "-keys-dir", sharedKeysDir)
	require.NotContains(t, emu.summary, "  sso ")
	rp := newPCRP(t, emu, pcClients[0])
	b := newBrowser(t, emu)
	for range 2 {
		authURL, _ := rp.authURL(random(), random(), mfaClaims)
		_, sawPage := b.login(t, authURL, "agent_mfa")
		require.True(t, sawPage, "without -sso every login shows the agent page")
	}
}
