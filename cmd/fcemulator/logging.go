package main

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/go-franceconnect/franceconnect/fctest"
)

// newLogger returns the logger of -log-format, writing to w.
func newLogger(format string, w io.Writer) *slog.Logger {
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, nil))
	}
	return slog.New(slog.NewTextHandler(w, nil))
}

// logRecord writes one line for a request the emulator answered, from its
// record: method, path without the query, status, duration, and what says
// why it failed: endpoint, client_id, OAuth error, platform code, detail,
// the faults applied. Never a query, a header or a body: they carry codes,
// tokens, secrets and personal data. Failures are warnings.
func logRecord(log *slog.Logger, rec fctest.RequestRecord) {
	attrs := []slog.Attr{slog.String("method", rec.Method), slog.String("path", rec.Path),
		slog.Int("status", rec.Status), slog.Duration("duration", rec.Duration.Round(time.Microsecond))}
	for _, a := range []struct{ key, value string }{
		{"endpoint", rec.Endpoint}, {"client_id", rec.ClientID}, {"error", rec.Error}, {"code", rec.Code},
		{"detail", rec.Detail}, {"faults", faultList(rec.Faults)},
	} {
		if a.value != "" {
			attrs = append(attrs, slog.String(a.key, a.value))
		}
	}
	if rec.ClientGaveUp {
		attrs = append(attrs, slog.Bool("client_gave_up", true))
	}
	level := slog.LevelInfo
	if rec.Failed() {
		level = slog.LevelWarn
	}
	log.LogAttrs(context.Background(), level, "request", attrs...)
}

// faultList joins the names of faults with commas.
func faultList(faults []fctest.Fault) string {
	names := make([]string, 0, len(faults))
	for _, f := range faults {
		names = append(names, f.String())
	}
	return strings.Join(names, ",")
}
