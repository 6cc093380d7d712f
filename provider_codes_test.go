package franceconnect

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestProConnectCodes(t *testing.T) {
	c := newProvider(t, ProConnect).client(t)
	uri := func(code string) string {
		return "https://fca.integ01.dev-agentconnect.fr/api/v2/error?code=" + code + "&id=1"
	}
	sentinels := []error{ErrLevelUnreachable, ErrPublicAgentsOnly, ErrProviderSessionLost, ErrServiceMisconfigured}
	tests := []struct {
		code, oauth string
		want        error
		message     string
	}{
		{"Y020032", "access_denied", ErrLevelUnreachable, "niveau de sécurité"},
		{"Y500015", "access_denied", ErrPublicAgentsOnly, "réservé aux agents publics"},
		{"Y030110", "invalid_request", ErrProviderSessionLost, "cookies"},
		{"Y000400", "invalid_request", ErrServiceMisconfigured, "configuration de ce service"},
		{"Y000404", "invalid_request", ErrServiceMisconfigured, "configuration de ce service"},
		{"Y030031", "invalid_request", ErrServiceMisconfigured, "configuration de ce service"},
		{"Y030111", "invalid_request", ErrServiceMisconfigured, "configuration de ce service"},
		{"Y04A586", "invalid_client", ErrServiceMisconfigured, "configuration de ce service"},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			_, err := c.ParseCallback(callbackQuery("error", tt.oauth, "error_uri", uri(tt.code)), fixState0())
			require.ErrorIs(t, err, ErrProvider)
			require.ErrorIs(t, err, tt.want)
			for _, s := range sentinels {
				if s != tt.want {
					assert.NotErrorIs(t, err, s)
				}
			}
			var pe *ProviderError
			require.ErrorAs(t, err, &pe)
			assert.Contains(t, pe.UserMessage(), tt.message)
			assert.Contains(t, pe.UserMessage(), "ProConnect")
			assert.False(t, pe.UserCancelled(), "a refusal is not a cancellation")
		})
	}
	_, err := c.ParseCallback(callbackQuery("error", "access_denied", "error_uri", uri("Y999999")), fixState0())
	for _, s := range sentinels {
		assert.NotErrorIs(t, err, s)
	}
	var pe *ProviderError
	require.ErrorAs(t, err, &pe)
	assert.True(t, pe.UserCancelled())
}

func TestProConnectCodesOnOtherPlatforms(t *testing.T) {
	// FranceConnect's core shares the Y-code family, not ProConnect's
	// meanings: only Y020032 keeps its sentinel (LevelUnreachable).
	for _, code := range []string{"Y500015", "Y030110", "Y000400", "Y04A586"} {
		pe := &ProviderError{Code: "access_denied", FCCode: code, Platform: FranceConnectPlus}
		for _, s := range []error{ErrPublicAgentsOnly, ErrProviderSessionLost, ErrServiceMisconfigured} {
			assert.False(t, errors.Is(pe, s), "%s on FranceConnect+", code)
		}
	}
	assert.ErrorIs(t, &ProviderError{FCCode: "Y020032"}, ErrLevelUnreachable)
}
