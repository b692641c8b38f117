package opendata

import (
	"fmt"
	"time"

	"github.com/xuri/excelize/v2"
)

// sheet is one table of a workbook: a bold, frozen heading row with a filter,
// wrapped text, dates as real dates shown dd/mm/yyyy.
type sheet struct {
	Name     string
	Headings []string
	Widths   []float64 // per column; 0: default
	Rows     [][]any   // string, int, int64, float64, time.Time (a date), nil
}

// newWorkbook writes sheets into a new workbook, the first one active.
func newWorkbook(sheets ...sheet) (*excelize.File, error) {
	f := excelize.NewFile()
	head, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
		Alignment: &excelize.Alignment{WrapText: true, Vertical: "center"}})
	if err != nil {
		return nil, err
	}
	wrap, err := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	if err != nil {
		return nil, err
	}
	dateFmt := "dd/mm/yyyy"
	date, err := f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt, Alignment: &excelize.Alignment{Vertical: "top"}})
	if err != nil {
		return nil, err
	}
	for i, s := range sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", s.Name); err != nil {
				return nil, err
			}
		} else if _, err := f.NewSheet(s.Name); err != nil {
			return nil, err
		}
		if err := writeSheet(f, s, head, wrap, date); err != nil {
			return nil, fmt.Errorf("sheet %s: %w", s.Name, err)
		}
	}
	f.SetActiveSheet(0)
	return f, nil
}

func writeSheet(f *excelize.File, s sheet, head, wrap, date int) error {
	last, err := excelize.ColumnNumberToName(len(s.Headings))
	if err != nil {
		return err
	}
	if err := f.SetSheetRow(s.Name, "A1", &s.Headings); err != nil {
		return err
	}
	if err := f.SetCellStyle(s.Name, "A1", last+"1", head); err != nil {
		return err
	}
	for r, row := range s.Rows {
		for c, v := range row {
			cell, err := excelize.CoordinatesToCellName(c+1, r+2)
			if err != nil {
				return err
			}
			style := wrap
			if _, isDate := v.(time.Time); isDate {
				style = date
			}
			if v != nil {
				if err := f.SetCellValue(s.Name, cell, v); err != nil {
					return err
				}
			}
			if err := f.SetCellStyle(s.Name, cell, cell, style); err != nil {
				return err
			}
		}
	}
	for c, w := range s.Widths {
		if w == 0 {
			continue
		}
		col, _ := excelize.ColumnNumberToName(c + 1)
		if err := f.SetColWidth(s.Name, col, col, w); err != nil {
			return err
		}
	}
	if err := f.SetPanes(s.Name, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	if len(s.Rows) == 0 {
		return nil
	}
	return f.AutoFilter(s.Name, fmt.Sprintf("A1:%s%d", last, len(s.Rows)+1), nil)
}
