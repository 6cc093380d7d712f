package franceconnect

import "slices"

// twoFactorLevels are the levels whose authentication used two factors:
// ProConnect's "-mfa" levels, and eidas2 and eidas3, which require two
// factors on every platform (eIDAS substantial and high).
var twoFactorLevels = []ACR{EIDAS0MFA, EIDAS1MFA, EIDAS2, EIDAS3}

// factor is the category of an authentication method: two factors of the
// same category are not two factors (a password and a PIN are both known).
type factor int

const (
	knowledge factor = iota + 1
	possession
	inherence
)

// amrFactors maps amr values (RFC 8176, and ProConnect's "mail", a secret
// sent by e-mail) to their category. Values that prove no factor of their
// own (geo, rba, mca, user, wia) are absent; mfa is handled apart.
var amrFactors = map[string]factor{
	"pwd": knowledge, "pin": knowledge, "kba": knowledge,
	"otp": possession, "sms": possession, "tel": possession, "mail": possession,
	"hwk": possession, "swk": possession, "sc": possession, "pop": possession,
	"fpt": inherence, "face": inherence, "iris": inherence, "retina": inherence, "vbm": inherence,
}

// TwoFactors reports whether a login used two authentication factors, from
// its acr and its amr (request amr with RequestAMR on FranceConnect, the
// amr scope on ProConnect). Either is enough:
//   - acr eidas0-mfa, eidas1-mfa, eidas2 or eidas3: the level itself
//     requires two factors;
//   - amr holding "mfa", or methods of two categories among knowledge
//     (pwd, pin), possession (otp, mail, hwk, swk, pop, sms…) and inherence
//     (fpt, face…): ["pwd", "otp"], ["pwd", "mail"] (ProConnect's e-mail
//     code after a password) or ["pop", "pin"] are two factors; ["pwd"],
//     ["mail"] or ["otp", "mail"] are not.
//
// Unknown values count for nothing. Decide per page what to do with the
// answer: ask for a step-up, or show a warning while two factors are only
// preferred.
func TwoFactors(acr ACR, amr []string) bool {
	if slices.Contains(twoFactorLevels, acr) || slices.Contains(amr, "mfa") {
		return true
	}
	var seen factor
	for _, m := range amr {
		f, ok := amrFactors[m]
		switch {
		case !ok:
		case seen == 0:
			seen = f
		case f != seen:
			return true
		}
	}
	return false
}

// TwoFactors reports whether the login used two authentication factors:
// TwoFactors(t.ACR, t.AMR).
func (t *IDToken) TwoFactors() bool { return TwoFactors(t.ACR, t.AMR) }
