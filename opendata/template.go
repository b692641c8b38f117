package opendata

import (
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/vn-opendata/geodata/catalog"
)

// TemplateHeadings are the columns of the province's official open-data
// catalogue template, exactly as it writes them.
var TemplateHeadings = []string{
	"TT", "Tên tập dữ liệu", "Mô tả", "Đơn vị chủ trì cung cấp", "Ngày cung cấp lần đầu",
	"Tần suất cung cấp", "Ghi chú", "Nhóm chủ đề",
}

// templateValues is an entry in the template's columns; the date is a
// time.Time (zero when unknown).
func templateValues(e Entry) (no int, title, desc, agency string, first time.Time, freq, notes, theme string) {
	first, _ = time.Parse(time.DateOnly, e.FirstPublished)
	if e.Theme != nil {
		theme = e.Theme.NameVi
	}
	return e.No, e.Title, e.Description, e.Agency.Name, first, e.Frequency.NameVi, e.Notes, theme
}

// WriteTemplateCSV writes entries in the template's columns as CSV, UTF-8 with
// a byte-order mark (so that Excel, which officers open it with, reads the
// Vietnamese right) and dates as dd/mm/yyyy.
func WriteTemplateCSV(w io.Writer, entries []Entry) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true // what Excel writes
	if err := cw.Write(TemplateHeadings); err != nil {
		return err
	}
	for _, e := range entries {
		no, title, desc, agency, first, freq, notes, theme := templateValues(e)
		date := ""
		if !first.IsZero() {
			date = first.Format("02/01/2006")
		}
		if err := cw.Write([]string{fmt.Sprint(no), title, desc, agency, date, freq, notes, theme}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// Sheet names of the catalogue workbook.
const (
	TemplateSheet = "Danh mục dữ liệu mở"
	DetailSheet   = "Chi tiết"
)

// WriteTemplateXLSX writes the catalogue as a workbook: the template's columns
// on the first sheet, every other field (licence, contact, extent, downloads with
// size and checksum, usage) on a second.
func WriteTemplateXLSX(w io.Writer, c Catalog) error {
	tmpl := sheet{Name: TemplateSheet, Headings: TemplateHeadings, Widths: []float64{6, 34, 70, 32, 14, 16, 40, 28}}
	for _, e := range c.Entries {
		no, title, desc, agency, first, freq, notes, theme := templateValues(e)
		var date any
		if !first.IsZero() {
			date = first
		}
		tmpl.Rows = append(tmpl.Rows, []any{no, title, desc, agency, date, freq, notes, theme})
	}
	detail := sheet{Name: DetailSheet, Headings: []string{"TT", "Mã", "Tên tập dữ liệu", "Tên tiếng Anh",
		"Đơn vị chủ trì cung cấp", "Đơn vị công bố ban đầu", "Giấy phép", "Từ khóa", "Đầu mối liên hệ", "Thư điện tử",
		"Điện thoại", "Phạm vi không gian (kinh độ, vĩ độ)", "Thời gian", "Số đối tượng", "Phiên bản", "Cập nhật lần cuối",
		"Quá hạn cập nhật", "Định dạng tải về", "Trang dữ liệu", "Lượt truy cập API", "Lượt tải về"},
		Widths: []float64{6, 16, 34, 28, 32, 32, 30, 30, 26, 26, 16, 30, 24, 12, 10, 18, 12, 70, 40, 14, 14}}
	for _, e := range c.Entries {
		detail.Rows = append(detail.Rows, detailRow(e))
	}
	f, err := newWorkbook(tmpl, detail)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Write(w)
}

func detailRow(e Entry) []any {
	published := ""
	if e.PublishedBy != nil {
		published = e.PublishedBy.Name
	}
	extent := ""
	if len(e.BBox) == 4 {
		b := e.BBox
		extent = fmt.Sprintf("%.5f, %.5f – %.5f, %.5f", b[0], b[1], b[2], b[3])
	}
	period := strings.Trim(e.TemporalStart+" – "+e.TemporalEnd, " –")
	var files []string
	for _, d := range e.Distributions {
		if d.Size > 0 {
			files = append(files, fmt.Sprintf("%s (%s, SHA-256 %s): %s", d.Title, SizeText(d.Size), d.SHA256, d.DownloadURL))
		}
	}
	stale := "không"
	if e.Stale {
		stale = "có"
	}
	var items, downloads int64
	if e.Usage != nil {
		items, downloads = e.Usage.All.Items, e.Usage.All.Downloads
	}
	return []any{e.No, e.ID, e.Title, e.TitleEn, e.Agency.Name, published, e.License.NameVi, strings.Join(e.Keywords, ", "),
		e.Contact.Name, e.Contact.Email, e.Contact.Phone, extent, period, e.FeatureCount, e.Version,
		e.Modified.In(catalog.Zone).Format("02/01/2006 15:04"), stale, strings.Join(files, "\n"),
		e.LandingPage, items, downloads}
}
