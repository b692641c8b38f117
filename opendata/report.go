package opendata

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/vn-opendata/geodata/catalog"
	"github.com/vn-opendata/geodata/store"
)

// ReportInput is what the yearly report is made of, read from the database.
type ReportInput struct {
	Year        int
	Region      *catalog.Region
	Collections []store.Collection
	Versions    []store.VersionRecord // every version up to the end of the year
	Feedback    []store.Feedback      // created or answered during the year
	Usage       map[string]map[string]int64
	Vocab       store.Vocabularies
	Now         time.Time
}

// Report is the yearly open-data report the plan asks for before 30 December.
type Report struct {
	Year      int
	Region    string
	Generated time.Time
	Coverage  catalog.YearCoverage
	Names     map[string]string // agency and dataset names by id
	Published []ReportDataset   // first provided during the year
	Updated   []ReportDataset   // with a new version during the year
	Feedback  FeedbackSummary
	Usage     []UsageRow
}

// ReportDataset is a dataset in the report.
type ReportDataset struct {
	ID, Title, Agency string
	FirstPublished    string // YYYY-MM-DD
	Updates           int    // versions created during the year
	LastUpdate        string // YYYY-MM-DD, the last one on or before the reference day
	Stale             bool   // on the reference day
}

// FeedbackSummary counts the year's feedback.
type FeedbackSummary struct {
	Received, Answered, StillOpen int
	ByKind                        map[string]int
	ByAgency                      []FeedbackRow
	TopRequests                   []store.Feedback
}

// FeedbackRow is one agency's feedback of the year.
type FeedbackRow struct {
	Agency                        string
	Received, Answered, StillOpen int
}

// UsageRow is a dataset's requests during the year.
type UsageRow struct {
	ID, Title               string
	Items, Downloads, Tiles int64
}

// BuildReport computes the report of in.Year.
func BuildReport(in ReportInput) Report {
	ag := in.Region.AgencyHistory()
	today := catalog.Day(in.Now)
	facts := catalog.Facts(in.Collections, in.Versions, in.Vocab.Frequencies)
	r := Report{Year: in.Year, Region: in.Region.Name, Generated: in.Now,
		Coverage: catalog.Coverage(ag, facts, in.Year, today, in.Region.CoverageTargets), Names: map[string]string{}}
	asOf, _ := catalog.ParseDay(r.Coverage.AsOf)
	for _, a := range ag.List() {
		r.Names[a.ID] = a.Name
	}
	updates := map[string]int{}
	for _, v := range in.Versions {
		if catalog.Day(v.CreatedAt).Year() == in.Year {
			updates[v.Collection]++
		}
	}
	for i, c := range in.Collections {
		r.Names[c.ID] = c.Title
		f := facts[i]
		who, ok := ag.ResponsibleOn(c.AgencyID, asOf)
		if !ok {
			who = c.AgencyID
		}
		d := ReportDataset{ID: c.ID, Title: c.Title, Agency: ag.Name(who), FirstPublished: c.FirstPublished,
			Updates: updates[c.ID], Stale: f.StaleOn(asOf)}
		if last, ok := f.LastUpdateOn(asOf); ok {
			d.LastUpdate = last.Format(time.DateOnly)
		}
		if !f.Published.IsZero() && f.Published.Year() == in.Year {
			r.Published = append(r.Published, d)
		}
		if d.Updates > 0 {
			r.Updated = append(r.Updated, d)
		}
		if u := in.Usage[c.ID]; len(u) > 0 {
			r.Usage = append(r.Usage, UsageRow{ID: c.ID, Title: c.Title, Items: u[store.UsageItems],
				Downloads: u[store.UsageDownload], Tiles: u[store.UsageTiles]})
		}
	}
	sort.Slice(r.Usage, func(i, j int) bool {
		a, b := r.Usage[i], r.Usage[j]
		return a.Items+a.Downloads+a.Tiles > b.Items+b.Downloads+b.Tiles
	})
	r.Feedback = summarizeFeedback(in.Feedback, in.Year, ag, asOf)
	return r
}

func summarizeFeedback(list []store.Feedback, year int, ag *catalog.Agencies, asOf time.Time) FeedbackSummary {
	s := FeedbackSummary{ByKind: map[string]int{}}
	rows := map[string]*FeedbackRow{}
	row := func(f store.Feedback) *FeedbackRow {
		id := f.AgencyID
		if id == "" {
			id = f.CollectionAgency
		}
		name := "Sở phụ trách dữ liệu mở (chưa giao đơn vị)"
		if who, ok := ag.ResponsibleOn(id, asOf); ok {
			name = ag.Name(who)
		}
		if rows[name] == nil {
			rows[name] = &FeedbackRow{Agency: name}
		}
		return rows[name]
	}
	for _, f := range list {
		received := catalog.Day(f.CreatedAt).Year() == year
		answered := f.AnsweredAt != nil && catalog.Day(*f.AnsweredAt).Year() == year
		if received {
			s.Received++
			s.ByKind[f.Kind]++
			row(f).Received++
			if f.Status == store.FeedbackOpen {
				s.StillOpen++
				row(f).StillOpen++
			}
			if f.Kind == store.FeedbackRequest {
				s.TopRequests = append(s.TopRequests, f)
			}
		}
		if answered {
			s.Answered++
			row(f).Answered++
		}
	}
	for _, r := range rows {
		s.ByAgency = append(s.ByAgency, *r)
	}
	sort.Slice(s.ByAgency, func(i, j int) bool { return s.ByAgency[i].Agency < s.ByAgency[j].Agency })
	sort.SliceStable(s.TopRequests, func(i, j int) bool { return s.TopRequests[i].Votes > s.TopRequests[j].Votes })
	if len(s.TopRequests) > 10 {
		s.TopRequests = s.TopRequests[:10]
	}
	return s
}

// coverageRows are the report's coverage table: per agency existing on the
// reference day, its open, up-to-date and stale datasets.
func (r Report) coverageRows() [][]any {
	var rows [][]any
	for i, a := range r.Coverage.Agencies {
		rows = append(rows, []any{i + 1, a.Agency.Name, len(a.Datasets), len(a.UpToDate), r.titles(a.Stale), yesNo(a.Open())})
	}
	return rows
}

func (r Report) titles(ids []string) string {
	var out []string
	for _, id := range ids {
		out = append(out, r.Names[id])
	}
	return strings.Join(out, ", ")
}

func yesNo(b bool) string {
	if b {
		return "có"
	}
	return "chưa"
}

// summary is the report's headline numbers as sentences.
func (r Report) summary() []string {
	c := r.Coverage
	lines := []string{
		fmt.Sprintf("Số liệu tính đến ngày %s%s.", DayText(c.AsOf), map[bool]string{true: " (hết năm)", false: " (năm chưa kết thúc)"}[c.Final]),
		fmt.Sprintf("Đơn vị có ít nhất một tập dữ liệu mở: %d/%d (%s).", c.Open, c.Total, PercentText(c.Percent)),
		fmt.Sprintf("Đơn vị có dữ liệu cập nhật đúng tần suất: %d/%d (%s).", c.UpToDate, c.Total, PercentText(c.PercentUpToDate)),
	}
	if c.Target != nil {
		verdict := "chưa đạt"
		if c.Met != nil && *c.Met {
			verdict = "đạt"
		}
		lines = append(lines, fmt.Sprintf("Chỉ tiêu năm %d của Kế hoạch: %s — %s.", r.Year, c.Target.Label(), verdict))
	}
	lines = append(lines,
		fmt.Sprintf("Tập dữ liệu công bố mới trong năm: %d; được cập nhật trong năm: %d.", len(r.Published), len(r.Updated)),
		fmt.Sprintf("Góp ý nhận được trong năm: %d; đã trả lời trong năm: %d; còn chờ trả lời: %d.", r.Feedback.Received, r.Feedback.Answered, r.Feedback.StillOpen))
	return lines
}

var kindNames = map[string]string{
	store.FeedbackDataset: "về tập dữ liệu", store.FeedbackFeature: "về một đối tượng", store.FeedbackRequest: "đề nghị dữ liệu mới",
}

// WriteReportMarkdown writes the report as Markdown, in Vietnamese.
func WriteReportMarkdown(w io.Writer, r Report) error {
	bw := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(bw, format+"\n", args...) }
	table := func(headings []string, rows [][]any) {
		p("| %s |", strings.Join(headings, " | "))
		p("|%s", strings.Repeat("---|", len(headings)))
		for _, row := range rows {
			cells := make([]string, len(row))
			for i, c := range row {
				cells[i] = mdCell(c)
			}
			p("| %s |", strings.Join(cells, " | "))
		}
		if len(rows) == 0 {
			p("| %s |", strings.Join(append([]string{"(không có)"}, make([]string, len(headings)-1)...), " | "))
		}
		p("")
	}
	p("# Báo cáo kết quả cung cấp dữ liệu mở năm %d — %s", r.Year, r.Region)
	p("")
	p("Lập ngày %s bởi geodata.", r.Generated.In(catalog.Zone).Format("02/01/2006"))
	p("")
	for _, line := range r.summary() {
		p("- %s", line)
	}
	p("")
	p("## 1. Tỉ lệ đơn vị cung cấp dữ liệu mở")
	p("")
	p("Tính theo các đơn vị còn hoạt động ngày %s; dữ liệu của đơn vị đã hợp nhất hoặc đổi tên được tính cho đơn vị kế thừa.", DayText(r.Coverage.AsOf))
	p("")
	table([]string{"TT", "Đơn vị", "Số tập dữ liệu mở", "Cập nhật đúng hạn", "Quá hạn cập nhật", "Có dữ liệu mở"}, r.coverageRows())
	if len(r.Coverage.Ended) > 0 {
		p("Đơn vị kết thúc hoạt động trong năm:")
		p("")
		for _, e := range r.Coverage.Ended {
			succ := "không có đơn vị kế thừa"
			if e.Successor != "" {
				succ = "dữ liệu chuyển cho " + r.Names[e.Successor]
			}
			p("- %s — đến %s, %s.", e.Agency.Name, DayText(e.Ended), succ)
		}
		p("")
	}
	if len(r.Coverage.Orphans) > 0 {
		p("Tập dữ liệu chưa có đơn vị phụ trách: %s.", r.titles(r.Coverage.Orphans))
		p("")
	}
	p("## 2. Dữ liệu công bố mới trong năm")
	p("")
	var rows [][]any
	for i, d := range r.Published {
		rows = append(rows, []any{i + 1, d.Title, d.Agency, DayText(d.FirstPublished)})
	}
	table([]string{"TT", "Tên tập dữ liệu", "Đơn vị chủ trì cung cấp", "Ngày cung cấp lần đầu"}, rows)
	p("## 3. Dữ liệu được cập nhật trong năm")
	p("")
	rows = nil
	for i, d := range r.Updated {
		state := "đúng hạn"
		if d.Stale {
			state = "quá hạn"
		}
		rows = append(rows, []any{i + 1, d.Title, d.Agency, d.Updates, DayText(d.LastUpdate), state})
	}
	table([]string{"TT", "Tên tập dữ liệu", "Đơn vị", "Số lần cập nhật", "Cập nhật lần cuối", "Tình trạng cuối kỳ"}, rows)
	p("## 4. Góp ý của người dân")
	p("")
	p("Nhận %d góp ý (%s); đã trả lời %d; còn chờ trả lời %d.", r.Feedback.Received, kindCounts(r.Feedback.ByKind), r.Feedback.Answered, r.Feedback.StillOpen)
	p("")
	rows = nil
	for _, f := range r.Feedback.ByAgency {
		rows = append(rows, []any{f.Agency, f.Received, f.Answered, f.StillOpen})
	}
	table([]string{"Đơn vị", "Nhận trong năm", "Trả lời trong năm", "Còn chờ trả lời"}, rows)
	if len(r.Feedback.TopRequests) > 0 {
		p("Đề nghị mở dữ liệu mới được ủng hộ nhiều nhất:")
		p("")
		for _, f := range r.Feedback.TopRequests {
			p("- %s (%d lượt ủng hộ, %s)", mdCell(cmpTitle(f)), f.Votes, statusVI(f.Status))
		}
		p("")
	}
	p("## 5. Lượt sử dụng")
	p("")
	rows = nil
	var ti, td, tt int64
	for _, u := range r.Usage {
		rows = append(rows, []any{u.Title, u.Items, u.Downloads, u.Tiles})
		ti, td, tt = ti+u.Items, td+u.Downloads, tt+u.Tiles
	}
	if len(rows) > 0 {
		rows = append(rows, []any{"Tổng cộng", ti, td, tt})
	}
	table([]string{"Tập dữ liệu", "Lượt truy vấn API", "Lượt tải về", "Lượt tải ô bản đồ"}, rows)
	return bw.Flush()
}

func kindCounts(m map[string]int) string {
	var parts []string
	for _, k := range []string{store.FeedbackDataset, store.FeedbackFeature, store.FeedbackRequest} {
		parts = append(parts, fmt.Sprintf("%d %s", m[k], kindNames[k]))
	}
	return strings.Join(parts, ", ")
}

func statusVI(s string) string {
	return map[string]string{store.FeedbackOpen: "chưa trả lời", store.FeedbackAnswered: "đã trả lời", store.FeedbackClosed: "đã đóng"}[s]
}

func cmpTitle(f store.Feedback) string {
	if f.Title != "" {
		return f.Title
	}
	return f.Message
}

// mdCell writes a value for a Markdown table cell: one line, pipes escaped.
func mdCell(v any) string {
	s := fmt.Sprint(v)
	s = strings.NewReplacer("\r\n", " ", "\n", " ", "|", `\|`).Replace(s)
	return strings.TrimSpace(s)
}

// WriteReportXLSX writes the report as a workbook, one sheet per section.
func WriteReportXLSX(w io.Writer, r Report) error {
	var summary [][]any
	for _, line := range r.summary() {
		summary = append(summary, []any{line})
	}
	var published, updated, feedback, usage, requests [][]any
	for i, d := range r.Published {
		var first any
		if t, err := time.Parse(time.DateOnly, d.FirstPublished); err == nil {
			first = t
		}
		published = append(published, []any{i + 1, d.Title, d.Agency, first})
	}
	for i, d := range r.Updated {
		state := "đúng hạn"
		if d.Stale {
			state = "quá hạn"
		}
		var last any
		if t, err := time.Parse(time.DateOnly, d.LastUpdate); err == nil {
			last = t
		}
		updated = append(updated, []any{i + 1, d.Title, d.Agency, d.Updates, last, state})
	}
	for _, f := range r.Feedback.ByAgency {
		feedback = append(feedback, []any{f.Agency, f.Received, f.Answered, f.StillOpen})
	}
	for _, f := range r.Feedback.TopRequests {
		requests = append(requests, []any{f.ID, cmpTitle(f), f.Message, f.Votes, statusVI(f.Status), f.Answer})
	}
	for _, u := range r.Usage {
		usage = append(usage, []any{u.Title, u.Items, u.Downloads, u.Tiles})
	}
	f, err := newWorkbook(
		sheet{Name: "Tổng hợp", Headings: []string{fmt.Sprintf("Báo cáo dữ liệu mở năm %d — %s", r.Year, r.Region)}, Widths: []float64{110}, Rows: summary},
		sheet{Name: "Tỉ lệ đơn vị", Headings: []string{"TT", "Đơn vị", "Số tập dữ liệu mở", "Cập nhật đúng hạn", "Quá hạn cập nhật", "Có dữ liệu mở"},
			Widths: []float64{6, 44, 16, 16, 40, 12}, Rows: r.coverageRows()},
		sheet{Name: "Dữ liệu mới", Headings: []string{"TT", "Tên tập dữ liệu", "Đơn vị chủ trì cung cấp", "Ngày cung cấp lần đầu"},
			Widths: []float64{6, 40, 44, 16}, Rows: published},
		sheet{Name: "Dữ liệu cập nhật", Headings: []string{"TT", "Tên tập dữ liệu", "Đơn vị", "Số lần cập nhật", "Cập nhật lần cuối", "Tình trạng cuối kỳ"},
			Widths: []float64{6, 40, 44, 14, 16, 16}, Rows: updated},
		sheet{Name: "Góp ý", Headings: []string{"Đơn vị", "Nhận trong năm", "Trả lời trong năm", "Còn chờ trả lời"},
			Widths: []float64{44, 14, 16, 16}, Rows: feedback},
		sheet{Name: "Đề nghị dữ liệu mới", Headings: []string{"Số", "Dữ liệu đề nghị", "Nội dung", "Lượt ủng hộ", "Tình trạng", "Trả lời"},
			Widths: []float64{8, 30, 60, 12, 14, 60}, Rows: requests},
		sheet{Name: "Lượt sử dụng", Headings: []string{"Tập dữ liệu", "Lượt truy vấn API", "Lượt tải về", "Lượt tải ô bản đồ"},
			Widths: []float64{40, 18, 14, 18}, Rows: usage},
	)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Write(w)
}
