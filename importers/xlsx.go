package importers

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/unicode/norm"
)

// headerSearchRows is how far down a sheet the header row is looked for, below
// the title block ("UBND TỈNH…", "DANH SÁCH…") that official sheets start with.
const headerSearchRows = 50

// readXLSX reads one sheet of an Excel workbook: the first, or opts.Sheet.
// Records are numbered by the row number Excel shows.
func readXLSX(ctx context.Context, path string, opts Options, emit func(*Record) error) error {
	f, err := excelize.OpenFile(path)
	if err != nil {
		return fmt.Errorf("%w: %s is not a readable Excel workbook (.xlsx): %v", ErrFormat, filepath.Base(path), err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	sheet := opts.Sheet
	switch {
	case len(sheets) == 0:
		return fmt.Errorf("%w: the workbook has no sheets", ErrFormat)
	case sheet == "":
		sheet = sheets[0]
		if len(sheets) > 1 {
			opts.note(SeverityNote, sheet, "read the first sheet %q of %d (%s); choose another with --sheet", sheet, len(sheets), strings.Join(sheets, ", "))
		}
	default:
		if idx, _ := f.GetSheetIndex(sheet); idx < 0 {
			return fmt.Errorf("%w: the workbook has no sheet %q (it has: %s)", ErrFormat, sheet, strings.Join(sheets, ", "))
		}
	}
	merged, err := mergedValues(f, sheet)
	if err != nil {
		return fmt.Errorf("%w: sheet %q: %v", ErrFormat, sheet, err)
	}
	x := &sheetReader{f: f, sheet: sheet, merged: merged, dateByID: map[int]bool{}}
	if p, err := f.GetWorkbookProps(); err == nil && p.Date1904 != nil {
		x.date1904 = *p.Date1904
	}
	rows, err := f.Rows(sheet)
	if err != nil {
		return fmt.Errorf("%w: sheet %q: %v", ErrFormat, sheet, err)
	}
	defer rows.Close()
	var header []string
	var cols coordColumns
	var headerErr error
	for n := 1; rows.Next(); n++ {
		if n%1024 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		row, err := x.row(rows, n)
		if err != nil {
			return fmt.Errorf("%w: sheet %q row %d: %v", ErrFormat, sheet, n, err)
		}
		if header == nil {
			if n > headerSearchRows {
				return fmt.Errorf("%w: sheet %q: no header row with coordinate columns in its first %d rows: %v", ErrFormat, sheet, headerSearchRows, headerErr)
			}
			if header, cols, headerErr = sheetHeader(row, opts); header != nil && n > 1 {
				opts.note(SeverityNote, sheet, "header found on row %d; the rows above it (a title block) are not data", n)
			}
			continue
		}
		if blank(row) {
			continue
		}
		rec := sheetRecord(n, header, row, cols)
		rec.Sheet = sheet
		for i := range rec.Problems {
			rec.Problems[i].Sheet = sheet
		}
		if err := emit(rec); err != nil {
			return err
		}
	}
	if err := rows.Error(); err != nil {
		return fmt.Errorf("%w: sheet %q: %v", ErrFormat, sheet, err)
	}
	if header == nil {
		if headerErr == nil {
			return fmt.Errorf("%w: sheet %q is empty", ErrFormat, sheet)
		}
		return fmt.Errorf("%w: sheet %q has no header row with coordinate columns: %v", ErrFormat, sheet, headerErr)
	}
	return nil
}

// sheetHeader takes row as the header when its coordinate columns are found.
func sheetHeader(row []string, opts Options) ([]string, coordColumns, error) {
	if blank(row) {
		return nil, coordColumns{}, nil
	}
	header := make([]string, len(row))
	for i, h := range row {
		header[i] = norm.NFC.String(strings.Join(strings.Fields(h), " ")) // headings often wrap inside the cell
	}
	for len(header) > 0 && header[len(header)-1] == "" {
		header = header[:len(header)-1]
	}
	for i, h := range header {
		if h == "" {
			header[i] = "column_" + excelColumn(i+1)
		}
	}
	cols, err := findColumns(header, opts)
	if err != nil {
		return nil, cols, err
	}
	cols.tell(opts.coords, header)
	return header, cols, nil
}

// sheetRecord builds the record of a data row, as for a CSV row.
func sheetRecord(n int, header, row []string, cols coordColumns) *Record {
	if len(row) > len(header) {
		for i := len(header); i < len(row); i++ {
			if strings.TrimSpace(row[i]) != "" {
				rec := &Record{Line: n}
				rec.reject(excelColumn(i+1), "a value right of the header's last column")
				return rec
			}
		}
		row = row[:len(header)]
	}
	for len(row) < len(header) {
		row = append(row, "")
	}
	return csvRecord(n, header, row, cols)
}

// sheetRow reads the cells of the current row as text: numbers as written
// without their display format, dates (numbers with a date format) as ISO 8601,
// merged cells with the value of the merged range.
func (x *sheetReader) row(rows *excelize.Rows, n int) ([]string, error) {
	row, err := rows.Columns(excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, err
	}
	for i, v := range row {
		serial, err := strconv.ParseFloat(v, 64)
		if err != nil {
			continue
		}
		cell, _ := excelize.CoordinatesToCellName(i+1, n)
		if x.isDate(cell) {
			row[i] = excelDate(serial, x.date1904)
		}
	}
	for col, v := range x.merged[n] {
		for len(row) < col {
			row = append(row, "")
		}
		if row[col-1] == "" {
			row[col-1] = v
		}
	}
	return row, nil
}

// sheetReader reads the cells of one sheet.
type sheetReader struct {
	f        *excelize.File
	sheet    string
	merged   map[int]map[int]string
	date1904 bool
	dateByID map[int]bool // style id → has a date or time number format
}

// isDate reports whether a cell's number format shows a date or time.
func (x *sheetReader) isDate(cell string) bool {
	id, err := x.f.GetCellStyle(x.sheet, cell)
	if err != nil || id == 0 {
		return false
	}
	if d, ok := x.dateByID[id]; ok {
		return d
	}
	st, err := x.f.GetStyle(id)
	d := err == nil && (isDateNumFmt(st.NumFmt) || (st.CustomNumFmt != nil && isDateFormat(*st.CustomNumFmt)))
	x.dateByID[id] = d
	return d
}

// isDateNumFmt reports whether a built-in number format is a date or time.
func isDateNumFmt(id int) bool {
	return (id >= 14 && id <= 22) || (id >= 27 && id <= 36) || (id >= 45 && id <= 47) || (id >= 50 && id <= 58)
}

var formatLiterals = regexp.MustCompile(`"[^"]*"|\\.|\[[^\]]*\]`)

// isDateFormat reports whether a custom number format shows a date or time.
func isDateFormat(f string) bool {
	f = strings.ToLower(formatLiterals.ReplaceAllString(f, ""))
	return strings.ContainsAny(f, "yd") || strings.Contains(f, "h:m") || strings.Contains(f, "m:s")
}

// excelDate turns a date serial into YYYY-MM-DD, or an RFC 3339 date-time when
// it has a time of day.
func excelDate(serial float64, date1904 bool) string {
	t, err := excelize.ExcelDateToTime(serial, date1904)
	if err != nil {
		return strconv.FormatFloat(serial, 'f', -1, 64)
	}
	if serial == math.Trunc(serial) {
		return t.Format("2006-01-02")
	}
	return t.Round(1e9).Format("2006-01-02T15:04:05")
}

// mergedValues maps every cell of a merged range except its top-left one (which
// holds the value) to that value, by row and column (1-based).
func mergedValues(f *excelize.File, sheet string) (map[int]map[int]string, error) {
	ranges, err := f.GetMergeCells(sheet)
	if err != nil {
		return nil, err
	}
	out := map[int]map[int]string{}
	for _, m := range ranges {
		c1, r1, err1 := excelize.CellNameToCoordinates(m.GetStartAxis())
		c2, r2, err2 := excelize.CellNameToCoordinates(m.GetEndAxis())
		if err1 != nil || err2 != nil || (r2-r1+1)*(c2-c1+1) > 1<<20 {
			continue
		}
		v, err := f.GetCellValue(sheet, m.GetStartAxis(), excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, err
		}
		for r := r1; r <= r2; r++ {
			for c := c1; c <= c2; c++ {
				if r == r1 && c == c1 {
					continue
				}
				if out[r] == nil {
					out[r] = map[int]string{}
				}
				out[r][c] = v
			}
		}
	}
	return out, nil
}

// excelColumn is the column letter of a 1-based column number (1 → A, 27 → AA).
func excelColumn(n int) string {
	name, err := excelize.ColumnNumberToName(n)
	if err != nil {
		return strconv.Itoa(n)
	}
	return name
}
