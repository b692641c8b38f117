package filter

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/paulmach/orb"

	"github.com/vn-opendata/geodata/catalog"
	"github.com/vn-opendata/geodata/ingest"
	"github.com/vn-opendata/geodata/internal/demodata"
	"github.com/vn-opendata/geodata/internal/shareddata"
	"github.com/vn-opendata/geodata/store"
)

// cql2Collections are the three collections of the CQL2 test suite.
var cql2Collections = []string{"ne_110m_admin_0_countries", "ne_110m_populated_places_simple", "ne_110m_rivers_lake_centerlines"}

// world is a region profile covering the whole earth, for data from anywhere.
var world = &catalog.Region{ID: "world", Name: "Thế giới", NameEn: "World", BBox: [4]float64{-180, -90, 180, 90}}

// testData is the database and the in-memory catalog of the CQL2 test data and
// of the demo collections, imported once per test process.
type testData struct {
	db  *store.DB
	cat *catalog.Catalog
}

var (
	dataOnce sync.Once
	data     *testData
	dataErr  error
)

func loadTestData(t testing.TB) *testData {
	t.Helper()
	db := testDB(t)                    // opens the test database first, in this goroutine
	cql2 := shareddata.Path(t, "cql2") // the test data of the CQL2 abstract test suite
	dataOnce.Do(func() { data, dataErr = importTestData(db, cql2) })
	if dataErr != nil {
		t.Fatal(dataErr)
	}
	return data
}

func importTestData(db *store.DB, cql2 string) (*testData, error) {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "geodata-filter-data-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	for _, c := range cql2Collections {
		path, err := withinRange(filepath.Join(cql2, c+".geojson"), dir)
		if err != nil {
			return nil, err
		}
		_, err = ingest.Import(ctx, db, ingest.Request{Path: path, SourceName: c + ".geojson", Collection: c,
			Actor: "test", Region: world, AllowOutside: true})
		if err != nil {
			return nil, err
		}
	}
	examples, err := writeExamplesData(dir)
	if err != nil {
		return nil, err
	}
	_, err = ingest.Import(ctx, db, ingest.Request{Path: examples, Collection: examplesCollection,
		Actor: "test", Region: world, AllowOutside: true})
	if err != nil {
		return nil, err
	}
	region, err := demodata.Import(ctx, db, dir)
	if err != nil {
		return nil, err
	}
	cat := catalog.New(db, region, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := cat.LoadAll(ctx); err != nil {
		return nil, err
	}
	return &testData{db: db, cat: cat}, nil
}

// withinRange copies a file of the CQL2 test data into dir, with the two
// longitudes of Russia that Natural Earth writes as 180.00000000000006 set to
// 180: the importer refuses longitudes beyond 180, and nothing the test suite
// counts depends on the 6·10⁻¹⁴ degrees.
func withinRange(path, dir string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	out := filepath.Join(dir, filepath.Base(path))
	return out, os.WriteFile(out, bytes.ReplaceAll(b, []byte("180.00000000000006"), []byte("180.0")), 0o644)
}

func (d *testData) snapshot(t testing.TB, collection string) *catalog.Snapshot {
	t.Helper()
	s, ok := d.cat.Snapshot(collection)
	if !ok {
		t.Fatalf("no collection %s", collection)
	}
	return s
}

// queryablesOf are the queryables of a collection as the service will offer
// them: its schema, and the geometry as "geom" (CQL2's tests) and "geometry".
func queryablesOf(s *catalog.Snapshot) Queryables {
	q := Queryables{Geometry: []string{"geom", "geometry"}}
	for _, p := range s.Collection.Schema {
		q.Properties = append(q.Properties, Queryable{Name: p.Name, Type: Type(p.Type)})
	}
	return q
}

// snapFeature shows a snapshot's feature to the filter, as the service will.
type snapFeature struct{ f *catalog.Feature }

func (f snapFeature) Property(i int) any     { return f.f.Props[i] }
func (f snapFeature) Geometry() orb.Geometry { return f.f.Geom }

// memIDs evaluates e on every feature in memory; sqlIDs in PostGIS. Both sorted.
func (d *testData) memIDs(s *catalog.Snapshot, e *Expr) []string {
	var ids []string
	for i := range s.Features {
		if e.Match(snapFeature{&s.Features[i]}) {
			ids = append(ids, s.Features[i].ID)
		}
	}
	slices.Sort(ids)
	return ids
}

func (d *testData) sqlIDs(t testing.TB, s *catalog.Snapshot, e *Expr) []string {
	t.Helper()
	args := []any{s.Collection.ID, s.Collection.Generation}
	q := "SELECT id FROM features WHERE collection_id = $1 AND generation = $2 AND " + e.SQL(&args) + " ORDER BY id"
	rows, err := d.db.Pool.Query(context.Background(), q, args...)
	if err != nil {
		t.Fatalf("%s: %v\n%s", e, err, q)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%s: %v\n%s", e, err, q)
	}
	slices.Sort(ids) // Go's order, not the database collation's
	return ids
}
