package fcdata_test

import (
	"context"
	"crypto/ecdsa"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect"
	"github.com/go-franceconnect/franceconnect/fcdata"
	"github.com/go-franceconnect/franceconnect/fctest"
)

// confCase is one check of the data provider's side, driven through the
// emulator by a fault: want nil means an inactive verdict when inactive
// is set, an active one otherwise.
type confCase struct {
	name     string
	setups   []setup
	fault    fctest.Fault
	edit     func(*fcdata.Config)
	want     []error
	inactive bool
}

var (
	fcOnly  = []setup{fcPlus, fcRS256}
	signed  = []setup{fcPlus, fcRS256, pcJWT}
	noFault = fctest.FaultNone
)

func conformanceCases() []confCase {
	intro := fcdata.ErrIntrospection
	return []confCase{
		{name: "active token", setups: allSetups},
		{name: "inactive token", setups: allSetups, fault: fctest.FaultIntrospectionInactive, inactive: true},
		{name: "active but expired", setups: allSetups, fault: fctest.FaultIntrospectionExpired, inactive: true},
		{name: "token of a service provider not served", setups: allSetups, fault: fctest.FaultIntrospectionOtherClient,
			edit: func(c *fcdata.Config) { c.Clients = []string{"fs-test"} }, inactive: true},
		{name: "token of another service provider, any served", setups: allSetups, fault: fctest.FaultIntrospectionOtherClient},
		{name: "bad signature", setups: signed, fault: fctest.FaultIntrospectionBadSignature, want: []error{intro, franceconnect.ErrSignature}},
		{name: "unknown signing key", setups: signed, fault: fctest.FaultIntrospectionUnknownKey, want: []error{intro, franceconnect.ErrUnknownKey}},
		{name: "alg none", setups: signed, fault: fctest.FaultIntrospectionAlgNone, want: []error{intro, franceconnect.ErrAlgorithm}},
		{name: "HS256 keyed by our secret (algorithm confusion)", setups: signed, fault: fctest.FaultIntrospectionAlgHS256, want: []error{intro, franceconnect.ErrAlgorithm}},
		{name: "another signing algorithm than the registered one", setups: signed, fault: fctest.FaultIntrospectionSigningAlgMismatch, want: []error{intro, franceconnect.ErrAlgorithm}},
		{name: "iss of another issuer", setups: signed, fault: fctest.FaultIntrospectionWrongIssuer, want: []error{intro, franceconnect.ErrIssuerMismatch}},
		{name: "aud of another data provider", setups: signed, fault: fctest.FaultIntrospectionWrongAudience, want: []error{intro, franceconnect.ErrInvalidAudience}},
		{name: "iat in the future", setups: signed, fault: fctest.FaultIntrospectionIssuedInFuture, want: []error{intro, franceconnect.ErrIssuedInFuture}},
		{name: "iat missing", setups: signed, fault: fctest.FaultIntrospectionMissingIssuedAt, want: []error{intro, franceconnect.ErrMissingClaim}},
		{name: "token_introspection repeated", setups: signed, fault: fctest.FaultIntrospectionRepeatedMember, want: []error{intro, franceconnect.ErrMalformedToken}},
		{name: "Aud instead of aud", setups: signed, fault: fctest.FaultIntrospectionMemberCase, want: []error{intro, franceconnect.ErrInvalidAudience}},
		{name: "bare JWS", setups: fcOnly, fault: fctest.FaultIntrospectionUnencrypted, want: []error{intro, franceconnect.ErrUnencrypted}},
		{name: "another key management algorithm", setups: fcOnly, fault: fctest.FaultIntrospectionEncryptionAlgMismatch, want: []error{intro, franceconnect.ErrAlgorithm}},
		{name: "our RSA-OAEP-256 key under RSA-OAEP, with an RSA-OAEP key of ours", setups: fcOnly,
			fault: fctest.FaultIntrospectionEncryptionAlgMismatch,
			edit:  func(c *fcdata.Config) { c.DecryptionKeys = append(c.DecryptionKeys, dpKeyOAEP()) },
			want:  []error{intro, franceconnect.ErrDecryption}},
		{name: "A128GCM", setups: fcOnly, fault: fctest.FaultIntrospectionEncryptionEnc, want: []error{intro, franceconnect.ErrAlgorithm}},
		{name: "encrypted to another key", setups: fcOnly, fault: fctest.FaultIntrospectionWrongEncryptionKey, want: []error{intro, franceconnect.ErrDecryption}},
		{name: "JWE of JSON instead of a JWS", setups: fcOnly, fault: fctest.FaultIntrospectionNotJWS, want: []error{intro, franceconnect.ErrMalformedToken}},
		{name: "JWE on ProConnect", setups: []setup{pcJWT}, fault: fctest.FaultIntrospectionEncrypted, want: []error{intro, franceconnect.ErrAlgorithm}},
		{name: "JSON to a data provider registered for JWT", setups: signed, fault: fctest.FaultIntrospectionUnsigned, want: []error{intro, franceconnect.ErrContentType}},
		{name: "signed answer as application/json", setups: signed, fault: fctest.FaultIntrospectionContentType, want: []error{intro, franceconnect.ErrContentType}},
		{name: "platform error 500", setups: allSetups, fault: fctest.FaultIntrospectionServerError, want: []error{intro, franceconnect.ErrProvider}},
		{name: "wrong client secret", setups: allSetups,
			edit: func(c *fcdata.Config) { c.ClientSecret += "x" }, want: []error{intro, franceconnect.ErrProvider}},
		{name: "FranceConnect+ unverifiable signature accepted when told", setups: []setup{fcPlus}, fault: fctest.FaultIntrospectionBadSignature,
			edit: func(c *fcdata.Config) { c.InsecureAcceptUnverifiedCheckToken = true }},
		{name: "FranceConnect+ unverifiable signature: a forged kid is still refused", setups: []setup{fcPlus}, fault: fctest.FaultIntrospectionUnknownKey,
			edit: func(c *fcdata.Config) { c.InsecureAcceptUnverifiedCheckToken = true }, want: []error{intro, franceconnect.ErrUnknownKey}},
	}
}

func TestConformance(t *testing.T) {
	for _, tc := range conformanceCases() {
		for _, s := range tc.setups {
			t.Run(tc.name+"/"+setupName(s), func(t *testing.T) {
				e := newEnv(t, s)
				tok := e.token()
				edits := []func(*fcdata.Config){}
				if tc.edit != nil {
					edits = append(edits, tc.edit)
				}
				v := e.verifier(edits...)
				if tc.fault != noFault {
					e.srv.InjectFault(tc.fault)
				}
				res, err := v.Introspect(context.Background(), tok)
				require.Empty(t, e.srv.PendingFaults(), "the fault applied")
				if tc.want != nil {
					for _, w := range tc.want {
						require.ErrorIs(t, err, w)
					}
					assert.Nil(t, res)
					assert.Equal(t, 1, strings.Count(err.Error(), "fcdata:"), "%q", err)
					assert.NotContains(t, err.Error(), tok)
					return
				}
				require.NoError(t, err)
				if tc.inactive {
					assert.Equal(t, &fcdata.Introspection{}, res)
					return
				}
				requireActive(t, e, res)
			})
		}
	}
}

func setupName(s setup) string {
	name := map[fctest.Platform]string{fctest.FranceConnectPlus: "fcplus", fctest.FranceConnect: "fc", fctest.ProConnect: "proconnect"}[s.platform]
	if s.sigAlg != "" {
		name += "-" + s.sigAlg
	}
	return name
}

// requireActive checks an active verdict for a login of e.person().
func requireActive(t *testing.T, e *env, res *fcdata.Introspection) {
	t.Helper()
	require.True(t, res.Active)
	assert.NotEmpty(t, res.Subject)
	assert.False(t, res.Expiry.IsZero())
	assert.NotEmpty(t, res.ACR)
	if e.s.platform == fctest.ProConnect {
		assert.Equal(t, []string{"siret", "organization_label"}, res.Scopes)
		assert.Equal(t, e.srv.Subject("fs-test", "agent_mfa"), res.Subject, "ProConnect's sub is public")
		assert.Nil(t, res.Identity)
		return
	}
	assert.Equal(t, []string{"dgfip_rfr", "dgfip_nbpart"}, res.Scopes)
	assert.NotEqual(t, e.srv.Subject("fs-test", "camille"), res.Subject, "a sub for the data provider, not the FS's")
	require.NotNil(t, res.Identity)
	assert.Equal(t, "ARNAUD", res.Identity.FamilyName)
	assert.Equal(t, "1984-05-23", res.Identity.Birthdate.String())
}

// An ECDH-ES key of the data provider, whether crypto/ecdh or crypto/ecdsa
// holds it, opens the answers FranceConnect+ encrypts to it.
func TestECDHKeysOfTheDataProvider(t *testing.T) {
	ec := mustKey(franceconnect.ECDHES, "dp-ecdh")
	asECDH, err := ec.Private.(*ecdsa.PrivateKey).ECDH()
	require.NoError(t, err)
	for name, k := range map[string]franceconnect.Key{"ecdsa": ec, "ecdh": {ID: ec.ID, Algorithm: ec.Algorithm, Private: asECDH}} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, fcPlus, func(dp *fctest.DataProvider) { dp.JWKS = publicJWKS(t, k) })
			v := e.verifier(func(c *fcdata.Config) { c.DecryptionKeys = []franceconnect.Key{k} })
			res, err := v.Introspect(context.Background(), e.token())
			require.NoError(t, err)
			requireActive(t, e, res)
		})
	}
}
