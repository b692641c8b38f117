package main_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/vn-opendata/geodata/catalog"
	"github.com/vn-opendata/geodata/internal/shareddata"
	"github.com/vn-opendata/geodata/sample"
	"github.com/vn-opendata/geodata/store"
	"github.com/vn-opendata/geodata/store/storetest"
)

// run runs the binary against the package's test database and returns its
// output (stdout and stderr together) and exit code.
func run(t *testing.T, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(build(t), args...)
	cmd.Env = append(os.Environ(), "DATABASE_URL="+storetest.URL(t))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return out.String(), ee.ExitCode()
	}
	if err != nil {
		t.Fatal(err)
	}
	return out.String(), 0
}

func collection(t *testing.T, db *store.DB, id string) (store.Collection, bool) {
	t.Helper()
	c, err := db.Collection(context.Background(), id)
	if errors.Is(err, store.ErrNotFound) {
		return c, false
	}
	if err != nil {
		t.Fatal(err)
	}
	return c, true
}

// storedCount counts the rows of a collection's current generation.
func storedCount(t *testing.T, db *store.DB, id string) int64 {
	t.Helper()
	var n int64
	err := db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM features f JOIN collections c
		ON c.id = f.collection_id AND c.generation = f.generation WHERE c.id = $1`, id).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestImportReportDryRunMaxErrors(t *testing.T) {
	db := storetest.Open(t)
	csv := "ma,ten,kinh_do,vi_do\nA1,Một,106.1,21.2\nA2,Hai,abc,21.2\nA3,Ba,106.3,21.3\nA4,Bốn,106.4,\nA5,Năm,106.5,21.5\n"
	p := writeFile(t, "diem.csv", csv)
	report := filepath.Join(t.TempDir(), "report.json")
	out, code := run(t, "import", p, "--collection", "cli-errors", "--report", report)
	if code != 2 || !strings.Contains(out, "nothing was written") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	var res struct {
		Report struct {
			Read, Accepted, Rejected int
			Problems                 []struct {
				File, Column, Reason string
				Line                 int
			}
		}
	}
	b, _ := os.ReadFile(report)
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatal(err)
	}
	r := res.Report
	if r.Read != 5 || r.Accepted != 3 || r.Rejected != 2 || len(r.Problems) != 2 ||
		r.Problems[0].Line != 3 || r.Problems[0].Column != "kinh_do" || r.Problems[1].Line != 5 || r.Problems[1].Column != "vi_do" ||
		r.Problems[0].File != "diem.csv" {
		t.Errorf("report %+v", r)
	}
	if _, ok := collection(t, db, "cli-errors"); ok {
		t.Fatal("a rejected import created the collection")
	}
	out, code = run(t, "import", p, "--collection", "cli-errors", "--dry-run", "--max-errors", "5")
	if code != 0 || !strings.Contains(out, "dry run, nothing written") {
		t.Fatalf("dry run: exit %d\n%s", code, out)
	}
	if _, ok := collection(t, db, "cli-errors"); ok {
		t.Fatal("a dry run wrote")
	}
	if _, code = run(t, "import", p, "--collection", "cli-errors", "--max-errors", "1"); code != 2 {
		t.Errorf("2 bad rows with --max-errors 1: exit %d", code)
	}
	out, code = run(t, "import", p, "--collection", "cli-errors", "--max-errors", "2")
	if code != 0 || storedCount(t, db, "cli-errors") != 3 {
		t.Fatalf("--max-errors 2: exit %d, %d stored\n%s", code, storedCount(t, db, "cli-errors"), out)
	}
	if strings.Contains(out, "\r") || strings.Contains(out, "rows/s]") {
		t.Errorf("progress bar drawn although stdout is not a terminal:\n%q", out)
	}
}

func TestImportModes(t *testing.T) {
	db := storetest.Open(t)
	imp := func(content string, args ...string) (string, int) {
		return run(t, append([]string{"import", writeFile(t, "d.csv", content), "--collection", "cli-modes", "--quiet"}, args...)...)
	}
	if out, code := imp("id,ten,lon,lat\n1,a,106.1,21.2\n2,b,106.2,21.3\n"); code != 0 {
		t.Fatal(out)
	}
	if out, code := imp("id,ten,lon,lat\n3,c,106.3,21.4\n", "--mode", "append"); code != 0 || storedCount(t, db, "cli-modes") != 3 {
		t.Fatalf("append: %d stored\n%s", storedCount(t, db, "cli-modes"), out)
	}
	before, _ := collection(t, db, "cli-modes")
	if out, code := imp("id,ten,lon,lat\n3,c2,106.3,21.4\n", "--mode", "append"); code == 0 || !strings.Contains(out, "duplicate") {
		t.Fatalf("append of an existing id: exit %d\n%s", code, out)
	}
	if after, _ := collection(t, db, "cli-modes"); after.Version != before.Version || storedCount(t, db, "cli-modes") != 3 {
		t.Fatalf("failed append changed the collection: version %d → %d", before.Version, after.Version)
	}
	if out, code := imp("id,ten,lon,lat\n2,b2,106.25,21.35\n4,d,106.4,21.5\n", "--mode", "upsert", "--id-column", "id"); code != 0 {
		t.Fatal(out)
	}
	var name string
	db.Pool.QueryRow(context.Background(), `SELECT f.properties->>'ten' FROM features f JOIN collections c ON c.id = f.collection_id
		AND c.generation = f.generation WHERE c.id = 'cli-modes' AND f.id = '2'`).Scan(&name)
	if n := storedCount(t, db, "cli-modes"); n != 4 || name != "b2" {
		t.Errorf("upsert: %d features, feature 2 named %q", n, name)
	}
	if out, code := imp("id,ten,lon,lat\n9,z,106.9,21.6\n"); code != 0 || storedCount(t, db, "cli-modes") != 1 {
		t.Errorf("replace: %d stored\n%s", storedCount(t, db, "cli-modes"), out)
	}
}

func TestImportMetadataAndMapping(t *testing.T) {
	db := storetest.Open(t)
	meta := writeFile(t, "meta.json", `{"title": "Điểm thu gom rác", "description": "Mô tả từ tệp", "theme": "ENVI", "frequency": "ANNUAL", "keywords": ["rác"]}`)
	mapping := writeFile(t, "mapping.json", `{"columns": {"Tên điểm": {"name": "ten"}, "Sức chứa (tấn)": {"name": "suc_chua", "type": "number"},
		"Mã bưu chính": {"type": "string"}, "Ghi chú": {"drop": true}}}`)
	csv := "Mã,Tên điểm,Sức chứa (tấn),Mã bưu chính,Ghi chú,Kinh độ,Vĩ độ\nR1,Điểm 1,12,230000,x,106.1,21.2\nR2,Điểm 2,nhiều,230001,y,106.2,21.3\n"
	p := writeFile(t, "rac.csv", csv)
	out, code := run(t, "import", p, "--collection", "cli-meta", "--meta", meta, "--title", "Điểm tập kết rác", "--mapping", mapping)
	if code != 2 || !strings.Contains(out, "type mismatch") || !strings.Contains(out, ":3") {
		t.Fatalf("type mismatch not reported on line 3: exit %d\n%s", code, out)
	}
	out, code = run(t, "import", p, "--collection", "cli-meta", "--meta", meta, "--title", "Điểm tập kết rác", "--mapping", mapping, "--max-errors", "1")
	if code != 0 {
		t.Fatal(out)
	}
	c, _ := collection(t, db, "cli-meta")
	if c.Title != "Điểm tập kết rác" || c.Description != "Mô tả từ tệp" || c.Theme != "ENVI" || len(c.Keywords) != 1 {
		t.Errorf("metadata %+v", c.Metadata)
	}
	types := map[string]string{}
	for _, p := range c.Schema {
		types[p.Name] = p.Type
	}
	if types["ten"] != "string" || types["suc_chua"] != "number" || types["Mã bưu chính"] != "string" || types["Ghi chú"] != "" || types["Tên điểm"] != "" {
		t.Errorf("schema after mapping: %v", types)
	}
}

func TestImportHanoiGTFS(t *testing.T) {
	db := storetest.Open(t)
	feed := shareddata.Path(t, "real", "hanoi_gtfs_md.zip")
	out, code := run(t, "import", feed, "--collection-prefix", "hn-")
	if code == 0 {
		t.Fatalf("a feed outside the region imported without --allow-outside\n%s", out)
	}
	if _, ok := collection(t, db, "hn-stops"); ok {
		t.Fatal("stops written although the routes were refused")
	}
	out, code = run(t, "import", feed, "--collection-prefix", "hn-", "--allow-outside")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	for id, n := range map[string]int64{"hn-routes": 224, "hn-stops": 7670} {
		if got := storedCount(t, db, id); got != n {
			t.Errorf("%s: %d features, want %d", id, got, n)
		}
	}
	for _, w := range []string{"no agency.txt", "no shapes.txt"} {
		if !strings.Contains(out, w) {
			t.Errorf("no warning %q in\n%s", w, out)
		}
	}
}

// Every broken file is refused with a clear message, and nothing is written.
func TestImportBrokenFilesWriteNothing(t *testing.T) {
	db := storetest.Open(t)
	dir := t.TempDir()
	shp := filepath.Join(dir, "shp")
	os.MkdirAll(shp, 0o755)
	layer := sample.ShapeLayer{Fields: []sample.ShapeField{{Name: "TEN", Type: 'C', Length: 10}},
		Features: []sample.ShapeFeature{{Geometry: orb.Polygon{{{106, 21}, {106.1, 21}, {106.1, 21.1}, {106, 21.05}}}, Values: []any{"a"}}}}
	sample.WriteShapefile(filepath.Join(shp, "open"), layer)
	noShx := filepath.Join(dir, "noshx")
	os.MkdirAll(noShx, 0o755)
	layer.Features[0].Geometry = orb.Point{106.1, 21.2}
	sample.WriteShapefile(filepath.Join(noShx, "p"), layer)
	os.Remove(filepath.Join(noShx, "p.shx"))
	cp, _ := sample.EncodeWindows1258("id,tên,lon,lat\n1,Trường,106.1,21.2\n")
	gtfs, _ := os.ReadFile(shareddata.Path(t, "real", "hanoi_gtfs_md.zip"))
	empty := filepath.Join(dir, "empty.xlsx")
	sample.WriteXLSX(empty, sample.Workbook{Sheet: "Trống"})
	files := []struct {
		path, want string
		args       []string
	}{
		{filepath.Join(shp, "open.shp"), "not closed", nil},
		{filepath.Join(noShx, "p.shp"), "no .shx file", nil},
		{writeFile(t, "cut.zip", string(gtfs[:len(gtfs)/3])), "zip", nil},
		{writeFile(t, "cp.csv", string(cp)), "not UTF-8", []string{"--encoding", "utf-8"}},
		{writeFile(t, "header.csv", "id,lon,lat\n"), "no rows", nil},
		{writeFile(t, "long.csv", strings.Repeat("x", 10<<20)), "longer than", nil},
		{empty, "empty", nil},
	}
	for i, f := range files {
		id := fmt.Sprintf("broken-%d", i)
		out, code := run(t, append([]string{"import", f.path, "--collection", id}, f.args...)...)
		if code == 0 || !strings.Contains(out, f.want) || strings.Contains(out, "panic") {
			t.Errorf("%s: exit %d, want an error saying %q:\n%s", filepath.Base(f.path), code, f.want, out)
		}
		if _, ok := collection(t, db, id); ok {
			t.Errorf("%s: collection written", filepath.Base(f.path))
		}
	}
}

// Killing a real import process at any moment leaves the previous version
// whole; the next import succeeds.
func TestImportSurvivesSIGKILL(t *testing.T) {
	db := storetest.Open(t)
	region, err := catalog.LoadRegion(catalog.DefaultRegion)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	first, second := filepath.Join(dir, "a.csv"), filepath.Join(dir, "b.csv")
	if err := sample.WritePoints(first, region, 100_000); err != nil {
		t.Fatal(err)
	}
	if err := sample.WritePoints(second, region, 120_000); err != nil {
		t.Fatal(err)
	}
	if out, code := run(t, "import", first, "--collection", "killed", "--quiet"); code != 0 {
		t.Fatal(out)
	}
	start := time.Now()
	if out, code := run(t, "import", second, "--collection", "killed-timing", "--quiet"); code != 0 {
		t.Fatal(out)
	}
	full := time.Since(start)
	rng := rand.New(rand.NewPCG(4, 2))
	const kills = 15
	for i := 0; i < kills; i++ {
		before, _ := collection(t, db, "killed")
		cmd := exec.Command(build(t), "import", second, "--collection", "killed", "--quiet", "--force")
		cmd.Env = append(os.Environ(), "DATABASE_URL="+storetest.URL(t))
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(rng.Int64N(int64(full))))
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		after, _ := collection(t, db, "killed")
		n := storedCount(t, db, "killed")
		switch after.Version {
		case before.Version:
			if n != before.FeatureCount {
				t.Fatalf("kill %d: version %d kept but %d features, want %d", i, after.Version, n, before.FeatureCount)
			}
		case before.Version + 1: // killed after the commit: the new version, whole
			if n != 120_000 || after.FeatureCount != 120_000 {
				t.Fatalf("kill %d: new version with %d features", i, n)
			}
		default:
			t.Fatalf("kill %d: version %d → %d", i, before.Version, after.Version)
		}
	}
	var stray int
	db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM pg_class c WHERE c.relname LIKE 'features_g%' AND c.relkind = 'r'
		AND NOT c.relispartition`).Scan(&stray)
	if stray != 0 {
		t.Errorf("%d generation tables left behind unattached", stray)
	}
	if out, code := run(t, "import", first, "--collection", "killed", "--quiet", "--force"); code != 0 || storedCount(t, db, "killed") != 100_000 {
		t.Fatalf("import after the kills: exit %d\n%s", code, out)
	}
}
