package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/vn-opendata/geodata/catalog"
	"github.com/vn-opendata/geodata/store"
)

// cmdMigrate applies the migrations and loads the region's agencies.
func cmdMigrate(ctx context.Context, args []string) error {
	cfg := defaultConfig()
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	cfg.commonFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := cfg.validate(); err != nil {
		return err
	}
	db, err := cfg.openDB(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	region, err := catalog.LoadRegion(cfg.Region)
	if err != nil {
		return err
	}
	return migrate(ctx, db, region)
}

// migrate brings the schema up to date and syncs the region's agencies.
func migrate(ctx context.Context, db *store.DB, region *catalog.Region) error {
	done, err := db.Migrate(ctx)
	if err != nil {
		return err
	}
	for _, name := range done {
		fmt.Fprintln(os.Stderr, "geodata: applied migration", name)
	}
	return db.SyncAgencies(ctx, region.Agencies)
}
