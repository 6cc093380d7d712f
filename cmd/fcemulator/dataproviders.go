package main

import (
	"fmt"
	"os"

	"github.com/go-franceconnect/franceconnect/fctest"
)

// registerDataProviders registers the data providers of the -clients file
// (entries with "type": "data_provider", see fctest.ParseDataProviders),
// which then call checktoken or, on ProConnect, token introspection, and
// returns their client_ids.
func registerDataProviders(cfg *config, srv *fctest.Server) ([]string, error) {
	if cfg.clientsFile == "" {
		return nil, nil
	}
	data, err := os.ReadFile(cfg.clientsFile)
	if err != nil {
		return nil, fmt.Errorf("-clients: %w", err)
	}
	dps, err := fctest.ParseDataProviders(data)
	if err != nil {
		return nil, fmt.Errorf("-clients %s: %w", cfg.clientsFile, err)
	}
	ids := make([]string, 0, len(dps))
	for _, dp := range dps {
		if err := srv.RegisterDataProvider(dp); err != nil {
			return nil, fmt.Errorf("-clients %s: %w", cfg.clientsFile, err)
		}
		ids = append(ids, dp.ID)
	}
	return ids, nil
}
