// Package demodata loads the demo datasets of package sample into a database,
// as `geodata sample` and `geodata import --manifest` do, for the tests of the
// packages that serve or query them. It may import sample, ingest, catalog and
// store.
package demodata

import (
	"context"
	"path/filepath"

	"github.com/vn-opendata/geodata/catalog"
	"github.com/vn-opendata/geodata/ingest"
	"github.com/vn-opendata/geodata/sample"
	"github.com/vn-opendata/geodata/store"
)

// Import writes the demo datasets of the default region into dir, syncs the
// region's agencies into db and imports every dataset of the manifest. It
// returns the region.
func Import(ctx context.Context, db *store.DB, dir string) (*catalog.Region, error) {
	region, err := catalog.LoadRegion(catalog.DefaultRegion)
	if err != nil {
		return nil, err
	}
	if err := db.SyncAgencies(ctx, region.Agencies); err != nil {
		return nil, err
	}
	if _, err := sample.WriteDemo(dir, region, region.ID); err != nil {
		return nil, err
	}
	m, err := sample.ReadManifest(filepath.Join(dir, sample.ManifestName))
	if err != nil {
		return nil, err
	}
	for _, e := range m.Entries {
		_, err := ingest.Import(ctx, db, ingest.Request{Path: e.File, Collection: e.Collection, Options: e.Options,
			Metadata: e.Metadata, Actor: "test", Region: region})
		if err != nil {
			return nil, err
		}
	}
	return region, nil
}
