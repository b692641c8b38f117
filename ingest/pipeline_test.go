package ingest_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/vn-opendata/geodata/importers"
	"github.com/vn-opendata/geodata/ingest"
	"github.com/vn-opendata/geodata/store"
)

const goodCSV = `Mã,Tên,Số học sinh,Diện tích,Ngày thành lập,Công lập,Kinh độ,Vĩ độ
T1,Trường Tiểu học Tân Mỹ,420,1250.5,1998-09-05,true,106.2001,21.2702
T2,"Trường THCS Song Khê
(cơ sở 2)",615,980,05/09/2001,false,106.1502,21.3003
T3,Trường Mầm non Dĩnh Trì,,1100.25,,true,106.2503,21.2504
`

func TestImportGoodCSV(t *testing.T) {
	f := newFixture(t)
	res, err := f.importFile(t, writeFile(t, "truong.csv", goodCSV), "good-csv", func(r *ingest.Request) {
		r.Metadata = store.Metadata{Title: "Trường học", AgencyID: "so-gddt", Theme: "EDUC", Frequency: "ANNUAL"}
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Version != 1 || res.Report.Accepted != 3 || res.Report.Rejected != 0 {
		t.Fatalf("result %+v, report %+v", res, res.Report)
	}
	if got := f.ids(t, "good-csv"); !slices.Equal(got, []string{"T1", "T2", "T3"}) {
		t.Fatalf("ids %v: want the Mã column, in file order", got)
	}
	c, err := f.db.Collection(context.Background(), "good-csv")
	if err != nil {
		t.Fatal(err)
	}
	want := []store.Property{{Name: "Mã", Type: "string"}, {Name: "Tên", Type: "string"}, {Name: "Số học sinh", Type: "integer"},
		{Name: "Diện tích", Type: "number"}, {Name: "Ngày thành lập", Type: "date"}, {Name: "Công lập", Type: "boolean"}}
	if !slices.Equal(c.Schema, want) {
		t.Fatalf("schema %v, want %v", c.Schema, want)
	}
	if c.GeometryType != "Point" || c.FeatureCount != 3 || c.AgencyID != "so-gddt" || c.Title != "Trường học" {
		t.Fatalf("collection %+v", c)
	}
	var props string
	f.db.Pool.QueryRow(context.Background(), "SELECT properties::text FROM features WHERE collection_id = 'good-csv' AND id = 'T2'").Scan(&props)
	for _, want := range []string{`"Ngày thành lập": "2001-09-05"`, `"Số học sinh": 615`, `"Diện tích": 980`, `"Công lập": false`, "(cơ sở 2)"} {
		if !strings.Contains(props, want) {
			t.Errorf("T2 properties %s lack %s", props, want)
		}
	}
}

// Every bad row is named by its physical line (header included, a quoted newline
// counts) and column, and nothing is written.
func TestImportBadCSVNamesLinesAndWritesNothing(t *testing.T) {
	f := newFixture(t)
	if _, err := f.importFile(t, writeFile(t, "v1.csv", goodCSV), "bad-csv"); err != nil {
		t.Fatal(err)
	}
	bad := `id,name,lon,lat
a1,"quoted
over two lines",106.2,21.3
a2,no latitude,106.2,
a3,bad longitude,106°x,21.3
a4,outside the region,105.0,21.3
a5,too many fields,106.2,21.3,extra
a1,duplicate id,106.3,21.3
a6,fine,106.4,21.4
`
	res, err := f.importFile(t, writeFile(t, "bad.csv", bad), "bad-csv")
	if !errors.Is(err, ingest.ErrRejected) {
		t.Fatalf("err %v, want ErrRejected", err)
	}
	type key struct {
		line   int
		column string
	}
	got := map[key]string{}
	for _, p := range res.Report.Problems {
		got[key{p.Line, p.Column}] = p.Reason
		if p.Severity != importers.SeverityError {
			t.Errorf("line %d: severity %s", p.Line, p.Severity)
		}
	}
	want := []key{{4, "lat"}, {5, "lon"}, {6, "geometry"}, {7, ""}, {8, "id"}}
	for _, k := range want {
		if _, ok := got[k]; !ok {
			t.Errorf("no problem reported for line %d column %q; got %v", k.line, k.column, got)
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d problems, want %d: %v", len(got), len(want), got)
	}
	if res.Report.Read != 7 || res.Report.Rejected != 5 || res.Report.Accepted != 2 {
		t.Errorf("counts read %d rejected %d accepted %d", res.Report.Read, res.Report.Rejected, res.Report.Accepted)
	}
	if v := f.version(t, "bad-csv"); v != 1 {
		t.Fatalf("version %d after a refused import, want 1", v)
	}
	if ids := f.ids(t, "bad-csv"); !slices.Equal(ids, []string{"T1", "T2", "T3"}) {
		t.Fatalf("previous version changed: %v", ids)
	}

	// With --max-errors the bad rows are left out and the rest is imported.
	res, err = f.importFile(t, writeFile(t, "bad.csv", bad), "bad-csv", func(r *ingest.Request) { r.MaxErrors = 5 })
	if err != nil {
		t.Fatal(err)
	}
	if ids := f.ids(t, "bad-csv"); !slices.Equal(ids, []string{"a1", "a6"}) {
		t.Fatalf("ids %v, want the two good rows", ids)
	}
}

func TestImportDryRunWritesNothing(t *testing.T) {
	f := newFixture(t)
	res, err := f.importFile(t, writeFile(t, "d.csv", goodCSV), "dry-run", func(r *ingest.Request) { r.DryRun = true })
	if err != nil || res.Report.Accepted != 3 {
		t.Fatalf("dry run: %v %+v", err, res.Report)
	}
	if _, err := f.db.Collection(context.Background(), "dry-run"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("dry run created the collection: %v", err)
	}
}

func TestImportGeoJSONProblemsAndPromotion(t *testing.T) {
	f := newFixture(t)
	gj := `{"type":"FeatureCollection","name":"x","features":[
{"type":"Feature","id":1,"geometry":{"type":"Point","coordinates":[106.2,21.3]},"properties":{"ten":"A","n":1}},
{"type":"Feature","id":2,"geometry":{"type":"MultiPoint","coordinates":[[106.2,21.3],[106.3,21.31]]},"properties":{"ten":"B","n":2.5}},
{"type":"Feature","id":3,"geometry":{"type":"Polygon","coordinates":[[[106.2,21.3],[106.3,21.3],[106.3,21.4]]]},"properties":{"ten":"C"}},
{"type":"Feature","id":4,"geometry":null,"properties":{"ten":"D"}}
]}`
	res, err := f.importFile(t, writeFile(t, "x.geojson", gj), "gj-bad")
	if !errors.Is(err, ingest.ErrRejected) {
		t.Fatalf("err %v", err)
	}
	lines := map[int]string{}
	for _, p := range res.Report.Problems {
		lines[p.Line] = p.Reason
	}
	if !strings.Contains(lines[4], "ring") || !strings.Contains(lines[5], "missing geometry") || len(lines) != 2 {
		t.Fatalf("problems by line: %v", lines)
	}
	res, err = f.importFile(t, writeFile(t, "x.geojson", gj), "gj-bad", func(r *ingest.Request) { r.MaxErrors = 2 })
	if err != nil {
		t.Fatal(err)
	}
	c, _ := f.db.Collection(context.Background(), "gj-bad")
	if c.GeometryType != "MultiPoint" {
		t.Fatalf("Point + MultiPoint stored as %s, want MultiPoint", c.GeometryType)
	}
	if !slices.Equal(c.Schema, []store.Property{{Name: "ten", Type: "string"}, {Name: "n", Type: "number"}}) {
		t.Fatalf("schema %v", c.Schema)
	}
	var types []string
	rows, _ := f.db.Pool.Query(context.Background(), "SELECT DISTINCT GeometryType(geom) FROM features WHERE generation = $1", c.Generation)
	for rows.Next() {
		var s string
		rows.Scan(&s)
		types = append(types, s)
	}
	if !slices.Equal(types, []string{"MULTIPOINT"}) {
		t.Fatalf("stored geometry types %v", types)
	}
}

func TestImportModes(t *testing.T) {
	f := newFixture(t)
	csv := func(rows ...string) string {
		return "id,name,lon,lat\n" + strings.Join(rows, "\n") + "\n"
	}
	if _, err := f.importFile(t, writeFile(t, "a.csv", csv("p1,one,106.1,21.3", "p2,two,106.2,21.3")), "modes"); err != nil {
		t.Fatal(err)
	}
	_, err := f.importFile(t, writeFile(t, "b.csv", csv("p2,again,106.2,21.3", "p3,three,106.3,21.3")), "modes",
		func(r *ingest.Request) { r.Mode = ingest.Append })
	if !errors.Is(err, store.ErrConflict) {
		t.Fatalf("append of an existing id: %v, want a conflict", err)
	}
	if _, err := f.importFile(t, writeFile(t, "c.csv", csv("p3,three,106.3,21.3")), "modes",
		func(r *ingest.Request) { r.Mode = ingest.Append }); err != nil {
		t.Fatal(err)
	}
	if ids := f.ids(t, "modes"); !slices.Equal(ids, []string{"p1", "p2", "p3"}) {
		t.Fatalf("after append: %v", ids)
	}
	if _, err := f.importFile(t, writeFile(t, "d.csv", csv("p2,TWO,106.25,21.3", "p4,four,106.4,21.3")), "modes",
		func(r *ingest.Request) { r.Mode = ingest.Upsert }); err != nil {
		t.Fatal(err)
	}
	if ids := f.ids(t, "modes"); !slices.Equal(ids, []string{"p1", "p3", "p2", "p4"}) {
		t.Fatalf("after upsert: %v", ids)
	}
	var name string
	f.db.Pool.QueryRow(context.Background(), `SELECT f.properties->>'name' FROM features f JOIN collections c
		ON c.generation = f.generation WHERE c.id = 'modes' AND f.id = 'p2'`).Scan(&name)
	if name != "TWO" {
		t.Fatalf("upserted p2 has name %q", name)
	}
	if v := f.version(t, "modes"); v != 3 {
		t.Fatalf("version %d after three successful imports", v)
	}
}

// The same file with the same settings is not imported twice; --force does.
func TestImportSkipsUnchangedFile(t *testing.T) {
	f := newFixture(t)
	p := writeFile(t, "s.csv", goodCSV)
	if _, err := f.importFile(t, p, "same"); err != nil {
		t.Fatal(err)
	}
	res, err := f.importFile(t, p, "same")
	if err != nil || !res.Skipped || f.version(t, "same") != 1 {
		t.Fatalf("second import: %v skipped=%v version=%d", err, res.Skipped, f.version(t, "same"))
	}
	res, err = f.importFile(t, p, "same", func(r *ingest.Request) { r.Force = true })
	if err != nil || res.Skipped || f.version(t, "same") != 2 {
		t.Fatalf("forced import: %v skipped=%v version=%d", err, res.Skipped, f.version(t, "same"))
	}
}

// Rows without an id get a stable id: the hash of their content, the same in
// every import; identical rows are kept apart with a warning.
func TestImportHashIDsAreStable(t *testing.T) {
	f := newFixture(t)
	content := "ten,lon,lat\nA,106.1,21.3\nB,106.2,21.3\nA,106.1,21.3\n"
	res, err := f.importFile(t, writeFile(t, "h.csv", content), "hash-ids")
	if err != nil {
		t.Fatal(err)
	}
	first := f.ids(t, "hash-ids")
	if len(first) != 3 || first[2] != first[0]+"-2" || res.Report.Warnings != 1 {
		t.Fatalf("ids %v warnings %d", first, res.Report.Warnings)
	}
	if _, err := f.importFile(t, writeFile(t, "h2.csv", "ten,lon,lat\nB,106.2,21.3\nA,106.1,21.3\n"), "hash-ids"); err != nil {
		t.Fatal(err)
	}
	second := f.ids(t, "hash-ids")
	if second[0] != first[1] || second[1] != first[0] {
		t.Fatalf("ids changed across imports: %v then %v", first, second)
	}
}

func TestImportRefusesBadMetadata(t *testing.T) {
	f := newFixture(t)
	_, err := f.importFile(t, writeFile(t, "m.csv", goodCSV), "bad-meta", func(r *ingest.Request) {
		r.Metadata.AgencyID = "no-such-agency"
	})
	if !errors.Is(err, store.ErrInvalid) || !strings.Contains(err.Error(), "no-such-agency") {
		t.Fatalf("unknown agency: %v", err)
	}
	if _, err := f.db.Collection(context.Background(), "bad-meta"); !errors.Is(err, store.ErrNotFound) {
		t.Fatal("a refused import left a collection behind")
	}
}

func TestImportEmptyAndHeaderOnly(t *testing.T) {
	f := newFixture(t)
	for name, content := range map[string]string{"empty.csv": "", "header.csv": "id,lon,lat\n", "nocoords.csv": "a,b\n1,2\n"} {
		_, err := f.importFile(t, writeFile(t, name, content), "empty")
		if err == nil || errors.Is(err, ingest.ErrRejected) && name != "header.csv" {
			t.Errorf("%s: err %v", name, err)
		}
		if !errors.Is(err, importers.ErrFormat) {
			t.Errorf("%s: %v is not a format error", name, err)
		}
	}
}

// Concurrent imports of one collection are serialized: each becomes a version
// of its own, none is lost, and the last one committed is what the collection holds.
func TestConcurrentImportsAreSerialized(t *testing.T) {
	f := newFixture(t)
	const n = 6
	paths := make([]string, n)
	for i := range paths {
		var b strings.Builder
		b.WriteString("id,lon,lat,run\n")
		for j := 0; j < 2000; j++ {
			b.WriteString("c" + strconv.Itoa(j) + ",106." + strconv.Itoa(1000+j) + ",21.3," + strconv.Itoa(i) + "\n")
		}
		paths[i] = writeFile(t, "run.csv", b.String())
	}
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range paths {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = f.importFile(t, paths[i], "concurrent")
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("import %d: %v", i, err)
		}
	}
	if v := f.version(t, "concurrent"); v != n {
		t.Fatalf("version %d after %d imports", v, n)
	}
	var runs, count int
	f.db.Pool.QueryRow(context.Background(), `SELECT count(DISTINCT f.properties->>'run'), count(*) FROM features f
		JOIN collections c ON c.generation = f.generation WHERE c.id = 'concurrent'`).Scan(&runs, &count)
	if runs != 1 || count != 2000 {
		t.Fatalf("current version mixes %d imports with %d rows, want 1 import of 2000", runs, count)
	}
	var versions []int64
	rows, _ := f.db.Pool.Query(context.Background(), "SELECT version FROM collection_versions WHERE collection_id = 'concurrent' ORDER BY version")
	for rows.Next() {
		var v int64
		rows.Scan(&v)
		versions = append(versions, v)
	}
	if !slices.Equal(versions, []int64{1, 2, 3, 4, 5, 6}) {
		t.Fatalf("recorded versions %v", versions)
	}
}
