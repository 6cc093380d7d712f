package franceconnect

import (
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Birthdate is a date of birth as FranceConnect sends it: YYYY-MM-DD. When
// the civil registry does not know the day (or the month and day),
// FranceConnect sends the 1st (or 1 January): YYYY-MM-01, YYYY-01-01. Raw
// identity-provider forms with 00 (YYYY-MM-00, YYYY-00-00) are accepted
// too, and give Month or Day 0.
type Birthdate struct {
	Year, Month, Day int
}

// errBirthdate does not quote the value, which is personal data.
var errBirthdate = errors.New("birthdate is not YYYY-MM-DD")

// ParseBirthdate parses YYYY-MM-DD, allowing 00 for an unknown month or day.
func ParseBirthdate(s string) (Birthdate, error) {
	bad := errBirthdate
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return Birthdate{}, bad
	}
	y, err1 := strconv.Atoi(s[:4])
	m, err2 := strconv.Atoi(s[5:7])
	d, err3 := strconv.Atoi(s[8:])
	if err1 != nil || err2 != nil || err3 != nil || y < 1000 || s[0] == '+' || s[5] == '+' || s[8] == '+' {
		return Birthdate{}, bad
	}
	b := Birthdate{y, m, d}
	if m == 0 && d != 0 || m > 12 || d > 31 || m < 0 || d < 0 {
		return Birthdate{}, bad
	}
	if m != 0 && d != 0 && time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC).Day() != d {
		return Birthdate{}, bad
	}
	return b, nil
}

// Presumption says how much of a birthdate may be presumed.
type Presumption int

const (
	// NotPresumed: a full date that is not the 1st of a month.
	NotPresumed Presumption = iota
	// DayMaybePresumed: YYYY-MM-01, the day may be unknown.
	DayMaybePresumed
	// MonthMaybePresumed: YYYY-01-01, the month and day may be unknown.
	MonthMaybePresumed
	// DayUnknown: YYYY-MM-00, the day is unknown.
	DayUnknown
	// MonthUnknown: YYYY-00-00, the month and day are unknown.
	MonthUnknown
	// BirthdateAbsent: no birthdate at all, as when the birthdate scope
	// was not requested (the zero Birthdate).
	BirthdateAbsent
)

// String describes the presumption in words: "not presumed", "day may be
// presumed", "day and month may be presumed", "day unknown", "day and
// month unknown" or "absent".
func (p Presumption) String() string {
	switch p {
	case NotPresumed:
		return "not presumed"
	case DayMaybePresumed:
		return "day may be presumed"
	case MonthMaybePresumed:
		return "day and month may be presumed"
	case DayUnknown:
		return "day unknown"
	case MonthUnknown:
		return "day and month unknown"
	case BirthdateAbsent:
		return "absent"
	}
	return fmt.Sprintf("Presumption(%d)", int(p))
}

// Presumption reports whether the date may be, or is, presumed, and
// BirthdateAbsent for the zero Birthdate. A real birth on the 1st cannot be
// told apart from a presumed day: FranceConnect sends the same value;
// treat "maybe" as a hint, not a fact.
func (b Birthdate) Presumption() Presumption {
	switch {
	case b.IsZero():
		return BirthdateAbsent
	case b.Month == 0:
		return MonthUnknown
	case b.Day == 0:
		return DayUnknown
	case b.Month == 1 && b.Day == 1:
		return MonthMaybePresumed
	case b.Day == 1:
		return DayMaybePresumed
	}
	return NotPresumed
}

// IsZero reports whether the birthdate is absent.
func (b Birthdate) IsZero() bool { return b == Birthdate{} }

// String formats the date as YYYY-MM-DD (00 for unknown parts).
func (b Birthdate) String() string {
	if b.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", b.Year, b.Month, b.Day)
}

// Time returns the date at midnight UTC, unknown parts taken as 1.
func (b Birthdate) Time() time.Time {
	return time.Date(b.Year, time.Month(max(b.Month, 1)), max(b.Day, 1), 0, 0, 0, 0, time.UTC)
}

// AgeAt returns the age in whole years at t (unknown parts taken as 1).
func (b Birthdate) AgeAt(t time.Time) int {
	born := b.Time()
	age := t.Year() - born.Year()
	if t.Month() < born.Month() || t.Month() == born.Month() && t.Day() < born.Day() {
		age--
	}
	return age
}
