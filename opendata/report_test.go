package opendata_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/vn-opendata/geodata/catalog"
	"github.com/vn-opendata/geodata/opendata"
	"github.com/vn-opendata/geodata/store"
)

func at(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// The 2025 report of a hand-made year: the coverage on 31 December 2025 (the
// six departments of the new Bắc Ninh; schools and BTS/postal data passed to
// two of them: 2 of 6), the datasets published and updated in 2025, and the
// feedback of 2025 in Vietnam's time — a request sent at 20:00 UTC on 31
// December is 1 January in Vietnam and belongs to 2026.
func TestReport2025(t *testing.T) {
	region, err := catalog.LoadRegion(catalog.DefaultRegion)
	if err != nil {
		t.Fatal(err)
	}
	cols := []store.Collection{
		{ID: "schools", Metadata: store.Metadata{Title: "Trường học các cấp", AgencyID: "so-gddt", FirstPublished: "2025-03-10", Frequency: "ANNUAL"}},
		{ID: "bts-sites", Metadata: store.Metadata{Title: "Trạm BTS", AgencyID: "so-tttt", FirstPublished: "2023-06-30", Frequency: "QUARTERLY"}},
		{ID: "postal", Metadata: store.Metadata{Title: "Bưu cục", AgencyID: "so-tttt", FirstPublished: "2023-06-30", Frequency: "ANNUAL"}},
	}
	versions := []store.VersionRecord{
		{Collection: "schools", Version: 1, CreatedAt: at(t, "2025-03-10T02:00:00Z")},
		{Collection: "bts-sites", Version: 1, CreatedAt: at(t, "2023-06-30T02:00:00Z")},
		{Collection: "bts-sites", Version: 2, CreatedAt: at(t, "2025-02-01T02:00:00Z")},
		{Collection: "bts-sites", Version: 3, CreatedAt: at(t, "2025-08-01T02:00:00Z")},
		{Collection: "postal", Version: 1, CreatedAt: at(t, "2024-05-01T02:00:00Z")},
	}
	answered1, answered4 := at(t, "2025-05-03T01:00:00Z"), at(t, "2025-01-05T01:00:00Z")
	feedback := []store.Feedback{
		{ID: 1, Kind: "feature", Collection: "schools", CollectionAgency: "so-gddt", Status: "answered", CreatedAt: at(t, "2025-05-01T01:00:00Z"), AnsweredAt: &answered1},
		{ID: 2, Kind: "request", Title: "Nhà thuốc", Status: "open", CreatedAt: at(t, "2025-12-31T20:00:00Z")},
		{ID: 3, Kind: "request", Title: "Trạm sạc xe điện", AgencyID: "bn-so-khcn", Status: "open", Votes: 4, CreatedAt: at(t, "2025-12-31T10:00:00Z")},
		{ID: 4, Kind: "dataset", Collection: "postal", CollectionAgency: "so-tttt", Status: "answered", CreatedAt: at(t, "2024-12-20T01:00:00Z"), AnsweredAt: &answered4},
	}
	r := opendata.BuildReport(opendata.ReportInput{Year: 2025, Region: region, Collections: cols, Versions: versions, Feedback: feedback,
		Usage: map[string]map[string]int64{"schools": {store.UsageItems: 10, store.UsageDownload: 2}}, Vocab: vocab,
		Now: at(t, "2026-01-15T03:00:00Z")})
	if r.Coverage.Total != 6 || r.Coverage.Open != 2 || !r.Coverage.Final {
		t.Errorf("coverage %d of %d", r.Coverage.Open, r.Coverage.Total)
	}
	if len(r.Published) != 1 || r.Published[0].ID != "schools" || len(r.Updated) != 2 {
		t.Errorf("published %+v updated %+v", r.Published, r.Updated)
	}
	for _, d := range r.Updated {
		if d.ID == "bts-sites" && (d.Updates != 2 || d.LastUpdate != "2025-08-01" || !d.Stale || d.Agency != "Sở Khoa học và Công nghệ tỉnh Bắc Ninh") {
			t.Errorf("bts %+v (quarterly, last 1 August: stale on 31 December)", d)
		}
	}
	fb := r.Feedback
	if fb.Received != 2 || fb.Answered != 2 || fb.StillOpen != 1 || fb.ByKind["request"] != 1 || fb.ByKind["feature"] != 1 {
		t.Errorf("feedback %+v", fb)
	}
	if len(fb.TopRequests) != 1 || fb.TopRequests[0].ID != 3 {
		t.Errorf("top requests %+v", fb.TopRequests)
	}
	var md bytes.Buffer
	if err := opendata.WriteReportMarkdown(&md, r); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"# Báo cáo kết quả cung cấp dữ liệu mở năm 2025 — Bắc Giang",
		"- Số liệu tính đến ngày 31/12/2025 (hết năm).",
		"- Đơn vị có ít nhất một tập dữ liệu mở: 2/6 (33,3 %).",
		"- Chỉ tiêu năm 2025 của Kế hoạch: 100 % — chưa đạt.",
		"| 1 | Trường học các cấp | Sở Giáo dục và Đào tạo tỉnh Bắc Ninh | 10/03/2025 |",
		"Nhận 2 góp ý (0 về tập dữ liệu, 1 về một đối tượng, 1 đề nghị dữ liệu mới); đã trả lời 2; còn chờ trả lời 1.",
		"- Sở Thông tin và Truyền thông — đến 28/02/2025, dữ liệu chuyển cho Sở Khoa học và Công nghệ tỉnh Bắc Ninh.",
		"- Trạm sạc xe điện (4 lượt ủng hộ, chưa trả lời)",
		"| Trường học các cấp | 10 | 2 | 0 |",
	} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("markdown lacks %q:\n%s", want, md.String())
		}
	}
	var xb bytes.Buffer
	if err := opendata.WriteReportXLSX(&xb, r); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&xb)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("Tỉ lệ đơn vị")
	if err != nil || len(rows) != 7 || rows[0][1] != "Đơn vị" {
		t.Errorf("coverage sheet %q %v", rows, err)
	}
	usage, err := f.GetRows("Lượt sử dụng")
	if err != nil || len(usage) != 2 || usage[1][0] != "Trường học các cấp" || usage[1][1] != "10" {
		t.Errorf("usage sheet %q %v", usage, err)
	}
}
