package fctest

import (
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/go-franceconnect/franceconnect/internal/credential"
)

// Secret is a client secret as the emulator registers it
// (Registration.Secret, DataProvider.Secret). Its String, GoString, Format
// (every verb), MarshalJSON and LogValue give "[redacted]" (or "" when
// empty), so that it cannot leak through a test's logs, failures or JSON;
// convert with string(s) to use it, and with franceconnect.Secret(s) to
// configure the client library with it.
type Secret string

// String returns "[redacted]" (or "" when empty).
func (s Secret) String() string { return credential.Redact(string(s)) }

// GoString returns the redacted form.
func (s Secret) GoString() string { return s.String() }

// Format prints the redacted form for every verb.
func (s Secret) Format(f fmt.State, _ rune) { fmt.Fprint(f, s.String()) }

// MarshalJSON encodes the redacted form.
func (s Secret) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// LogValue logs the redacted form.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }
