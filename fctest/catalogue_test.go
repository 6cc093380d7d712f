package fctest_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect/fctest"
)

// TestCatalogueIsComplete checks that every Fault has its entry: a fault
// added to the list without one fails here, naming it.
func TestCatalogueIsComplete(t *testing.T) {
	steps := []fctest.Step{fctest.StepAuthorize, fctest.StepToken, fctest.StepUserinfo, fctest.StepLogout,
		fctest.StepDiscovery, fctest.StepKeys, fctest.StepRevocation, fctest.StepCheckToken}
	for _, f := range fctest.AllFaults() {
		fi, ok := f.Info()
		require.True(t, ok, "%v has no entry in the fault catalogue (catalogue_data.go)", f)
		require.Equal(t, f, fi.Fault)
		require.NotEmpty(t, fi.Platforms, "%v: platforms", f)
		require.Contains(t, steps, fi.Step, "%v: step", f)
		require.Contains(t, []fctest.Outcome{fctest.OutcomeRefuse, fctest.OutcomeContinue}, fi.Outcome, "%v", f)
		for what, text := range map[string]string{"description": fi.Description, "expected": fi.Expected} {
			require.True(t, strings.HasSuffix(text, "."), "%v: the %s is a sentence: %q", f, what, text)
			require.Greater(t, len(text), 20, "%v: %s", f, what)
		}
	}
	require.Len(t, fctest.Catalogue(), len(fctest.AllFaults()))
	_, ok := fctest.FaultNone.Info()
	require.False(t, ok)
	_, ok = fctest.Fault(999).Info()
	require.False(t, ok)
}

func TestCatalogueJSON(t *testing.T) {
	fi, _ := fctest.FaultUnencrypted.Info()
	data, err := json.Marshal(fi)
	require.NoError(t, err)
	require.JSONEq(t, `{"name": "FaultUnencrypted",
		"description": "The id_token is a bare JWS to a client that expects a JWE.",
		"platforms": ["FranceConnect+", "FranceConnect"], "step": "token", "outcome": "refuse",
		"expected": "Refuse the id_token: sign nobody in and show an error; never fall back to unchecked claims."}`,
		string(data))
	fi.Platforms[0] = fctest.ProConnect
	again, _ := fctest.FaultUnencrypted.Info()
	require.Equal(t, fctest.FranceConnectPlus, again.Platforms[0], "Info returns a copy")
}

func TestFaultAppliesByPlatformAndClient(t *testing.T) {
	fcPlus := newEnv(t, fctest.Options{}, nil)
	require.NoError(t, fcPlus.srv.FaultApplies(fctest.FaultUnencrypted, clientID))
	require.ErrorContains(t, fcPlus.srv.FaultApplies(fctest.FaultRefreshOtherSub, ""),
		"FaultRefreshOtherSub cannot apply on FranceConnect+: only ProConnect issues refresh tokens")
	require.ErrorContains(t, fcPlus.srv.FaultApplies(fctest.FaultEncrypted, ""), "already encrypted")
	require.ErrorContains(t, fcPlus.srv.FaultApplies(fctest.FaultWrongNonce, "nobody"), `no client "nobody" is registered`)
	require.ErrorContains(t, fcPlus.srv.FaultApplies(fctest.FaultNone, ""), "unknown fault")

	fc := newEnv(t, fctest.Options{Platform: fctest.FranceConnect}, nil) // signed-only client
	require.ErrorContains(t, fc.srv.FaultApplies(fctest.FaultUnencrypted, clientID),
		"cannot apply to client \""+clientID+"\": it receives signed-only tokens")
	require.NoError(t, fc.srv.FaultApplies(fctest.FaultUnencrypted, ""), "an FC client may encrypt")
	require.NoError(t, fc.srv.FaultApplies(fctest.FaultEncrypted, clientID))

	pc := newPCEnv(t, fctest.Options{}, func(c *fctest.Registration) {
		c.SignedResponseAlg, c.UserinfoSignedResponseAlg = "HS256", ""
	})
	require.ErrorContains(t, pc.srv.FaultApplies(fctest.FaultUnencrypted, ""), "ProConnect never encrypts tokens")
	require.ErrorContains(t, pc.srv.FaultApplies(fctest.FaultAlgHS256, pcClientID), "it registered HS256")
	require.ErrorContains(t, pc.srv.FaultApplies(fctest.FaultUserinfoBadSignature, pcClientID), "plain JSON")
	require.NoError(t, pc.srv.FaultApplies(fctest.FaultUserinfoSigned, pcClientID))

	applicable := pc.srv.ApplicableFaults(pcClientID)
	require.Contains(t, applicable, fctest.FaultRefreshOtherSub)
	require.Contains(t, applicable, fctest.FaultDiscoveryWrongIssuer, "discovery faults apply to every client")
	require.NotContains(t, applicable, fctest.FaultAlgHS256)
	require.NotContains(t, applicable, fctest.FaultSigningKeyRotated)
	for _, f := range applicable {
		require.True(t, f.AppliesOn(fctest.ProConnect), f.String())
	}
	require.False(t, fctest.FaultACRHigher.AppliesOn(fctest.ProConnect))
}

func TestInjectAimsAtClientLoginAndCount(t *testing.T) {
	e := newEnv(t, fctest.Options{}, nil)
	other := e.client
	other.ID = "another-fs"
	require.NoError(t, e.srv.Register(other))

	require.NoError(t, e.srv.Inject(fctest.Injection{Fault: fctest.FaultAccessDenied, ClientID: "another-fs"}))
	require.Empty(t, e.login("camille").Get("error"), "aimed at another client: not taken")
	require.Equal(t, "access_denied", e.login("camille", "client_id", "another-fs").Get("error"))
	require.Empty(t, e.srv.Pending())

	require.NoError(t, e.srv.Inject(fctest.Injection{Fault: fctest.FaultAccessDenied, Login: "substantiel", Count: 2}))
	require.Empty(t, e.login("camille").Get("error"), "aimed at another person")
	require.Equal(t, []fctest.Injection{{Fault: fctest.FaultAccessDenied, Login: "substantiel", Count: 2}}, e.srv.Pending())
	require.Equal(t, "access_denied", e.login("substantiel").Get("error"))
	require.Equal(t, 1, e.srv.Pending()[0].Count)
	require.Equal(t, "access_denied", e.login("substantiel").Get("error"))
	require.Empty(t, e.srv.Pending(), "applied twice, then gone")
	require.Empty(t, e.login("substantiel").Get("error"))

	require.NoError(t, e.srv.Inject(
		fctest.Injection{Fault: fctest.FaultWrongNonce, ClientID: clientID},
		fctest.Injection{Fault: fctest.FaultAccessDenied, ClientID: "another-fs"}))
	e.srv.ClearClientFaults("another-fs")
	require.Equal(t, []fctest.Fault{fctest.FaultWrongNonce}, e.srv.PendingFaults())
}

func TestInjectRefusals(t *testing.T) {
	e := newEnv(t, fctest.Options{}, nil)
	for _, tc := range []struct {
		in   fctest.Injection
		want string
	}{
		{fctest.Injection{}, "unknown fault FaultNone"},
		{fctest.Injection{Fault: fctest.FaultRefreshOtherSub}, "cannot apply on FranceConnect+"},
		{fctest.Injection{Fault: fctest.FaultWrongNonce, ClientID: "nobody"}, `no client "nobody"`},
		{fctest.Injection{Fault: fctest.FaultWrongNonce, Login: "nobody"}, `no identity "nobody"`},
		{fctest.Injection{Fault: fctest.FaultDiscoveryWrongIssuer, ClientID: clientID},
			"whose requests do not say which client or person they serve"},
		{fctest.Injection{Fault: fctest.FaultJWKSTimeout, Login: "camille"}, "cannot be aimed"},
		{fctest.Injection{Fault: fctest.FaultWrongNonce, Count: -1}, "count -1 is out of 0..1000"},
		{fctest.Injection{Fault: fctest.FaultWrongNonce, Count: 1001}, "out of 0..1000"},
		{fctest.Injection{Fault: fctest.FaultWrongNonce, Delay: 1}, "only latency faults take a delay"},
		{fctest.Injection{Fault: fctest.FaultTokenLatency, Delay: -1}, "delay -1ns is out of"},
		{fctest.Injection{Fault: fctest.FaultTokenLatency, Delay: fctest.MaxFaultHold + 1}, "out of"},
	} {
		err := e.srv.Inject(fctest.Injection{Fault: fctest.FaultAccessDenied}, tc.in)
		require.ErrorContains(t, err, tc.want, "%+v", tc.in)
		require.True(t, strings.HasPrefix(err.Error(), "fctest: "), err.Error())
	}
	require.Empty(t, e.srv.Pending(), "all or nothing")
	require.NoError(t, e.srv.Inject(fctest.Injection{Fault: fctest.FaultSigningKeyRotated, ClientID: clientID}),
		"a key rotation is triggered by one client's token")
	require.True(t, slices.Equal([]fctest.Fault{fctest.FaultSigningKeyRotated}, e.srv.PendingFaults()))
}
