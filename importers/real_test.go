package importers

import (
	"context"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/vn-opendata/geodata/internal/shareddata"
)

func realFile(t *testing.T, name string) string {
	t.Helper()
	return shareddata.Path(t, name)
}

// readResult is everything a reader produced for one file.
type readResult struct {
	records []*Record
	notes   []Problem // file-level notes and warnings
}

func (r readResult) accepted() int {
	n := 0
	for _, rec := range r.records {
		if !rec.Rejected() {
			n++
		}
	}
	return n
}

func (r readResult) noted(substr string) bool {
	for _, p := range r.notes {
		if strings.Contains(p.Reason, substr) {
			return true
		}
	}
	return false
}

func readAll(t *testing.T, path string, opts Options) (readResult, error) {
	t.Helper()
	var res readResult
	opts.Notify = func(p Problem) { res.notes = append(res.notes, p) }
	err := Read(context.Background(), path, opts, func(r *Record) error {
		res.records = append(res.records, r)
		return nil
	})
	return res, err
}

func mustReadAll(t *testing.T, path string, opts Options) readResult {
	t.Helper()
	res, err := readAll(t, path, opts)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	return res
}

func TestRealGeoJSON(t *testing.T) {
	for _, tc := range []struct {
		file string
		n    int
		typ  string
	}{
		{"real/admin_communes_2025_bacninh_centroids.geojson", 99, "Point"},
		{"real/admin_provinces_2025_osm.geojson", 6, "Polygon"},
		{"real/hanoi_bus_stops_osm.geojson", 3326, "Point"},
		{"real/hanoi_gtfs_routes_derived.geojson", 224, "LineString"},
		{"real/ports_vietnam_osm.geojson", 639, "Point"},
		{"real/railways_bacgiang_bbox_osm.geojson", 232, "LineString"},
		{"cql2/ne_110m_admin_0_countries.geojson", 177, "MultiPolygon"},
	} {
		res := mustReadAll(t, realFile(t, tc.file), Options{})
		if len(res.records) != tc.n || res.accepted() != tc.n {
			t.Errorf("%s: %d records, %d accepted; want %d", tc.file, len(res.records), res.accepted(), tc.n)
			continue
		}
		types := GeometryTypes{}
		for _, r := range res.records {
			if err := ValidateGeometry(r.Geometry); err != nil {
				t.Errorf("%s line %d: %v", tc.file, r.Line, err)
			}
			types.Add(r.Geometry)
		}
		if !types[tc.typ] {
			t.Errorf("%s: geometry types %v, want %s among them", tc.file, types, tc.typ)
		}
	}
}

func TestRealGTFSStops(t *testing.T) {
	res := mustReadAll(t, realFile(t, "real/hanoi_gtfs_md.zip"), Options{Layer: LayerStops})
	if len(res.records) != 7670 || res.accepted() != 7670 {
		t.Fatalf("%d stops, %d accepted; want 7670", len(res.records), res.accepted())
	}
	first := res.records[0]
	if first.ID != "01_1_S1" || first.Line != 2 || first.Sheet != "stops.txt" {
		t.Errorf("first stop: id %q line %d sheet %q", first.ID, first.Line, first.Sheet)
	}
	if p := first.Geometry.(orb.Point); p != (orb.Point{105.878335, 21.048408}) {
		t.Errorf("first stop at %v", p)
	}
}

func TestRealGTFSRoutes(t *testing.T) {
	res := mustReadAll(t, realFile(t, "real/hanoi_gtfs_md.zip"), Options{Layer: LayerRoutes})
	if len(res.records) != 224 || res.accepted() != 224 {
		t.Fatalf("%d route lines, %d accepted; want 224 (one per route: the feed has no direction_id)", len(res.records), res.accepted())
	}
	if !res.noted("no agency.txt") || !res.noted("no shapes.txt") {
		t.Errorf("missing agency.txt and shapes.txt not warned about: %v", res.notes)
	}
	props := map[string]any{}
	r := res.records[0]
	for _, p := range r.Props {
		props[p.Name] = p.Value
	}
	if r.ID != "01_1" || props["geometry_source"] != "stop sequence" || props["first_departure"] == "" || props["headway_min"] == "" {
		t.Errorf("first route: id %q, props %v", r.ID, props)
	}
	if l, ok := r.Geometry.(orb.LineString); !ok || len(l) < 2 {
		t.Errorf("first route geometry %v", r.Geometry)
	}
}
