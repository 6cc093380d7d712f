package fctest_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect/fctest"
)

const dpID = "data-provider"

// The checktoken faults concern a data provider's check of a token: they
// apply to data providers, never to a service provider, so that a
// conformance run of an FS (every fault that applies to it) meets none;
// the faults of a login apply to service providers only.
func TestChecktokenFaultsApplyToDataProvidersOnly(t *testing.T) {
	e := newEnv(t, fctest.Options{}, nil)
	require.NoError(t, e.srv.RegisterDataProvider(fctest.DataProvider{ID: dpID, Secret: secret + "-dp",
		Scopes: []string{"dgfip_rfr"}, JWKS: fsKeys["ECDH-ES"]().pub}))

	for _, f := range e.srv.ConformanceFaults(clientID) {
		fi, _ := f.Info()
		require.NotEqual(t, fctest.StepCheckToken, fi.Step, "%v in an FS's conformance run", f)
	}
	require.ErrorContains(t, e.srv.FaultApplies(fctest.FaultIntrospectionInactive, clientID),
		`concerns a data provider's check of a token: no data provider "`+clientID+`" is registered`)
	_, err := e.srv.RunConformance(context.Background(), fctest.Conformance{ClientID: clientID,
		StartURL: "http://127.0.0.1:1/", Faults: []fctest.Fault{fctest.FaultIntrospectionInactive}})
	require.ErrorContains(t, err, "concerns a data provider")

	require.NoError(t, e.srv.FaultApplies(fctest.FaultIntrospectionInactive, dpID))
	require.ErrorContains(t, e.srv.FaultApplies(fctest.FaultWrongNonce, dpID), `"`+dpID+`" is a data provider`)
	require.ErrorContains(t, e.srv.FaultApplies(fctest.FaultIntrospectionEncrypted, dpID), "cannot apply on FranceConnect+")
	applicable := e.srv.ApplicableFaults(dpID)
	require.Contains(t, applicable, fctest.FaultIntrospectionNotJWS)
	for _, f := range applicable {
		fi, _ := f.Info()
		require.Equal(t, fctest.StepCheckToken, fi.Step, f.String())
	}
	require.NoError(t, e.srv.Inject(fctest.Injection{Fault: fctest.FaultIntrospectionServerError, ClientID: dpID, Login: "camille"}))
	require.Error(t, e.srv.Inject(fctest.Injection{Fault: fctest.FaultIntrospectionServerError, ClientID: clientID}))

	pc := newPCEnv(t, fctest.Options{}, nil)
	require.NoError(t, pc.srv.RegisterDataProvider(fctest.DataProvider{ID: dpID, Secret: secret + "-dp",
		Scopes: []string{"siret"}}))
	require.ErrorContains(t, pc.srv.FaultApplies(fctest.FaultIntrospectionBadSignature, dpID), "plain JSON")
	require.NoError(t, pc.srv.FaultApplies(fctest.FaultIntrospectionInactive, dpID))
	require.NoError(t, pc.srv.RegisterDataProvider(fctest.DataProvider{ID: dpID, Secret: secret + "-dp",
		Scopes: []string{"siret"}, SignedResponseAlg: "HS256"}))
	require.NoError(t, pc.srv.FaultApplies(fctest.FaultIntrospectionBadSignature, dpID))
	require.ErrorContains(t, pc.srv.FaultApplies(fctest.FaultIntrospectionAlgHS256, dpID), "registered HS256 already")
}
