package franceconnect_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-franceconnect/franceconnect"
	"github.com/go-franceconnect/franceconnect/fctest"
)

const plainSecret = "a-client-secret-of-forty-characters-0123"

// TestSecretTypesRedactThemselves checks the two Secret types, the
// library's and the emulator's, alone and inside other values: with every
// fmt verb, encoding/json, and slog's text and JSON handlers, they show
// "[redacted]" (or "" when empty) and never their value; string(s) still
// gives it.
func TestSecretTypesRedactThemselves(t *testing.T) {
	lib, emu := franceconnect.Secret(plainSecret), fctest.Secret(plainSecret)
	require.Equal(t, plainSecret, string(lib))
	require.Equal(t, plainSecret, string(emu))
	require.Equal(t, lib, franceconnect.Secret(emu), "a registration's secret converts to the client's")

	for name, v := range map[string]any{
		"franceconnect.Secret": lib, "*franceconnect.Secret": &lib,
		"fctest.Secret": emu, "*fctest.Secret": &emu,
		"struct": struct {
			Lib franceconnect.Secret
			Emu fctest.Secret
		}{lib, emu},
		"map":                 map[string]any{"lib": lib, "emu": emu},
		"fctest.Registration": fctest.Registration{ID: "fs", Secret: emu},
		"fctest.DataProvider": fctest.DataProvider{ID: "dp", Secret: emu},
	} {
		t.Run(name, func(t *testing.T) {
			outs := renderings(t, v)
			for _, out := range outs {
				assert.NotContains(t, out, plainSecret[:16], "leaks the secret")
				assert.Contains(t, out, "[redacted]")
			}
		})
	}
}

// TestSecretTypesExactForms pins what each Secret prints as, and that an
// empty one prints as nothing, so that a missing secret still shows.
func TestSecretTypesExactForms(t *testing.T) {
	type form struct{ in, out any }
	for _, s := range []struct {
		secret, empty any
	}{
		{franceconnect.Secret(plainSecret), franceconnect.Secret("")},
		{fctest.Secret(plainSecret), fctest.Secret("")},
	} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
			assert.Equal(t, "[redacted]", fmt.Sprintf(verb, s.secret), "%T %s", s.secret, verb)
			assert.Empty(t, fmt.Sprintf(verb, s.empty), "%T %s", s.empty, verb)
		}
		assert.Equal(t, "[redacted]", fmt.Sprint(s.secret))
		for _, f := range []form{{s.secret, `"[redacted]"`}, {s.empty, `""`}} {
			b, err := json.Marshal(f.in)
			require.NoError(t, err)
			assert.Equal(t, f.out, string(b), "%T in JSON", f.in)
		}
		var text, js bytes.Buffer
		slog.New(slog.NewTextHandler(&text, nil)).Info("m", "secret", s.secret)
		slog.New(slog.NewJSONHandler(&js, nil)).Info("m", "secret", s.secret)
		assert.Contains(t, text.String(), "secret=[redacted]\n", "%T in slog text", s.secret)
		assert.Contains(t, js.String(), `"secret":"[redacted]"}`, "%T in slog JSON", s.secret)
	}
}

// renderings prints v with every fmt verb, marshals it and logs it with
// slog's text and JSON handlers.
func renderings(t *testing.T, v any) []string {
	var outs []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d"} {
		outs = append(outs, fmt.Sprintf(verb, v))
	}
	b, err := json.Marshal(v)
	require.NoError(t, err)
	outs = append(outs, string(b))
	for _, h := range []func(*bytes.Buffer) slog.Handler{
		func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
		func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
	} {
		var buf bytes.Buffer
		slog.New(h(&buf)).Info("m", "value", v)
		outs = append(outs, strings.TrimSpace(buf.String()))
	}
	return outs
}
