package ingest_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/vn-opendata/geodata/catalog"
	"github.com/vn-opendata/geodata/ingest"
	"github.com/vn-opendata/geodata/store"
	"github.com/vn-opendata/geodata/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// fixture is the package's database with the region's agencies loaded.
type fixture struct {
	db     *store.DB
	region *catalog.Region
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	db := storetest.Open(t)
	region, err := catalog.LoadRegion(catalog.DefaultRegion)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SyncAgencies(context.Background(), region.Agencies); err != nil {
		t.Fatal(err)
	}
	return fixture{db: db, region: region}
}

// writeFile writes content to a file named name in a fresh folder.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func (f fixture) importFile(t *testing.T, path, collection string, mod ...func(*ingest.Request)) (*ingest.Result, error) {
	t.Helper()
	req := ingest.Request{Path: path, Collection: collection, Actor: "test", Region: f.region}
	for _, m := range mod {
		m(&req)
	}
	return ingest.Import(context.Background(), f.db, req)
}

// ids lists the feature ids of the collection's current version, in source order.
func (f fixture) ids(t *testing.T, collection string) []string {
	t.Helper()
	rows, err := f.db.Pool.Query(context.Background(), `SELECT f.id FROM features f JOIN collections c
		ON c.id = f.collection_id AND c.generation = f.generation WHERE c.id = $1 ORDER BY f.ord`, collection)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		out = append(out, id)
	}
	return out
}

func (f fixture) version(t *testing.T, collection string) int64 {
	t.Helper()
	c, err := f.db.Collection(context.Background(), collection)
	if err != nil {
		return 0
	}
	return c.Version
}
