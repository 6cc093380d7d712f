package franceconnect

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestTwoFactors(t *testing.T) {
	tests := []struct {
		acr  ACR
		amr  []string
		want bool
	}{
		// ProConnect's typical answers (2026).
		{EIDAS1, []string{"pwd"}, false},
		{EIDAS1, []string{"mail"}, false},
		{EIDAS2, []string{"pwd", "otp", "mfa"}, true},
		{EIDAS2, []string{"pop", "mfa"}, true},
		{EIDAS3, []string{"pop", "pin", "mfa"}, true},
		{EIDAS1MFA, []string{"pwd", "mail"}, true},
		{EIDAS0MFA, nil, true},
		// From the amr alone, when the level says nothing.
		{EIDAS1, []string{"pwd", "mail"}, true},
		{EIDAS1, []string{"pwd", "otp"}, true},
		{EIDAS0, []string{"pop", "pin"}, true},
		{EIDAS1, []string{"swk", "fpt"}, true},
		{EIDAS1, []string{"mfa"}, true},
		{EIDAS1, []string{"pwd", "pin"}, false},
		{EIDAS1, []string{"otp", "mail", "hwk"}, false},
		{EIDAS1, []string{"pwd", "pwd"}, false},
		{EIDAS1, []string{"pwd", "geo"}, false},
		{EIDAS1, []string{"pwd", "MFA"}, false},
		{EIDAS1, []string{"pwd", "fr"}, false},
		{EIDAS0, nil, false},
		{CertificationDirigeant, []string{"pwd"}, false},
		{"", nil, false},
		{"eidas2-mfa", nil, false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, TwoFactors(tt.acr, tt.amr), "%s %q", tt.acr, tt.amr)
		assert.Equal(t, tt.want, (&IDToken{ACR: tt.acr, AMR: tt.amr}).TwoFactors())
	}
}
