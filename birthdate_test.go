package franceconnect

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestPresumptionInWords checks that a Presumption prints in words, and
// that an absent birthdate (the birthdate scope was not requested) is
// "absent", not a date whose month is unknown.
func TestPresumptionInWords(t *testing.T) {
	for b, want := range map[Birthdate]string{
		{1984, 3, 15}: "not presumed",
		{1984, 3, 1}:  "day may be presumed",
		{1984, 1, 1}:  "day and month may be presumed",
		{1992, 11, 0}: "day unknown",
		{1992, 0, 0}:  "day and month unknown",
		{}:            "absent",
	} {
		assert.Equal(t, want, b.Presumption().String(), b)
		assert.Equal(t, want, fmt.Sprint(b.Presumption()), b)
	}
	assert.Equal(t, BirthdateAbsent, Birthdate{}.Presumption())
	assert.Equal(t, "Presumption(42)", Presumption(42).String())
}
