package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/vn-opendata/geodata/store/storetest"
)

// geodata report --year 2025 reads the database and writes both files; the
// dataset published in 2025 by the Department of Transport is counted for the
// Department of Construction of the new Bắc Ninh.
func TestReportCommand(t *testing.T) {
	ctx := context.Background()
	t.Setenv("DATABASE_URL", storetest.URL(t))
	if err := run(ctx, "migrate", nil); err != nil {
		t.Fatal(err)
	}
	db := storetest.Open(t)
	_, err := db.Pool.Exec(ctx, `INSERT INTO collections (id, title, agency_id, first_published, frequency, version)
		VALUES ('report-parking', 'Điểm đỗ xe', 'so-gtvt', '2025-02-01', 'ANNUAL', 1);
		INSERT INTO collection_versions (collection_id, version, generation, action, created_at, actor)
		VALUES ('report-parking', 1, 0, 'import-replace', '2025-02-01T03:00:00Z', 'test');
		INSERT INTO feedback (kind, collection_id, message, created_at) VALUES ('dataset', 'report-parking', 'Thiếu bãi xe ở Neo', '2025-06-01T03:00:00Z')`)
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	if err := run(ctx, "report", []string{"--year", "2025", "--out", out}); err != nil {
		t.Fatal(err)
	}
	md, err := os.ReadFile(filepath.Join(out, "bao-cao-du-lieu-mo-2025.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"| 1 | Điểm đỗ xe | Sở Xây dựng tỉnh Bắc Ninh | 01/02/2025 |", "Góp ý nhận được trong năm: 1;"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}
	f, err := excelize.OpenFile(filepath.Join(out, "bao-cao-du-lieu-mo-2025.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if rows, err := f.GetRows("Dữ liệu mới"); err != nil || len(rows) != 2 || rows[1][1] != "Điểm đỗ xe" {
		t.Errorf("sheet Dữ liệu mới: %q %v", rows, err)
	}
	if err := run(ctx, "report", []string{"--year", "1999"}); err == nil {
		t.Error("year 1999 accepted")
	}
}
