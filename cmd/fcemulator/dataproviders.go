package main

import (
	"fmt"
	"os"

	"github.com/go-franceconnect/franceconnect/fctest"
)

// registerDataProviders registers the data providers of the -clients file
// (entries with "type": "data_provider", see fctest.ParseDataProviders),
// which then call checktoken or, on ProConnect, token introspection.
func registerDataProviders(cfg *config, srv *fctest.Server) error {
	if cfg.clientsFile == "" {
		return nil
	}
	data, err := os.ReadFile(cfg.clientsFile)
	if err != nil {
		return fmt.Errorf("-clients: %w", err)
	}
	dps, err := fctest.ParseDataProviders(data)
	if err != nil {
		return fmt.Errorf("-clients %s: %w", cfg.clientsFile, err)
	}
	for _, dp := range dps {
		if err := srv.RegisterDataProvider(dp); err != nil {
			return fmt.Errorf("-clients %s: %w", cfg.clientsFile, err)
		}
	}
	return nil
}
