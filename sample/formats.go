package sample

import (
	"archive/zip"
	"bufio"
	"encoding/csv"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/paulmach/orb"
	"github.com/xuri/excelize/v2"
)

// KMLPlacemark is one placemark to write: a point with its name, description
// and extended data, inside a folder.
type KMLPlacemark struct {
	Folder      string
	ID          string
	Name        string
	Description string
	Point       orb.Point
	Data        []kv
}

// writeKML writes a KML 2.2 document with one Folder per distinct folder name,
// in order of first appearance.
func writeKML(path, docName string, placemarks []KMLPlacemark) error {
	return writeFileBuffered(path, func(w *bufio.Writer) error {
		esc := func(s string) string {
			var b []byte
			buf := &byteWriter{&b}
			xml.EscapeText(buf, []byte(s))
			return string(b)
		}
		w.WriteString("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<kml xmlns=\"http://www.opengis.net/kml/2.2\">\n<Document>\n")
		fmt.Fprintf(w, "<name>%s</name>\n", esc(docName))
		var folders []string
		byFolder := map[string][]KMLPlacemark{}
		for _, p := range placemarks {
			if _, ok := byFolder[p.Folder]; !ok {
				folders = append(folders, p.Folder)
			}
			byFolder[p.Folder] = append(byFolder[p.Folder], p)
		}
		for _, f := range folders {
			fmt.Fprintf(w, "<Folder>\n<name>%s</name>\n", esc(f))
			for _, p := range byFolder[f] {
				fmt.Fprintf(w, "<Placemark id=\"%s\">\n<name>%s</name>\n", esc(p.ID), esc(p.Name))
				if p.Description != "" {
					fmt.Fprintf(w, "<description><![CDATA[%s]]></description>\n", p.Description)
				}
				w.WriteString("<ExtendedData>\n")
				for _, d := range p.Data {
					fmt.Fprintf(w, "<Data name=\"%s\"><value>%s</value></Data>\n", esc(d.Key), esc(fmt.Sprint(d.Value)))
				}
				w.WriteString("</ExtendedData>\n")
				fmt.Fprintf(w, "<Point><coordinates>%s,%s</coordinates></Point>\n</Placemark>\n", ftoa(p.Point[0]), ftoa(p.Point[1]))
			}
			w.WriteString("</Folder>\n")
		}
		_, err := w.WriteString("</Document>\n</kml>\n")
		return err
	})
}

type byteWriter struct{ b *[]byte }

func (w *byteWriter) Write(p []byte) (int, error) { *w.b = append(*w.b, p...); return len(p), nil }

// writeCSVEncoded writes a CSV in a legacy encoding (no byte-order mark), as
// old desktop software exports it.
func writeCSVEncoded(path string, header []string, rows [][]string, encode func(string) ([]byte, error)) error {
	return writeFileBuffered(path, func(w *bufio.Writer) error {
		pr, pw := io.Pipe()
		go func() {
			cw := csv.NewWriter(pw)
			cw.UseCRLF = true
			cw.Write(header)
			cw.WriteAll(rows)
			pw.CloseWithError(cw.Error())
		}()
		text, err := io.ReadAll(pr)
		if err != nil {
			return err
		}
		b, err := encode(string(text))
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	})
}

// SheetCell is a typed spreadsheet value: string, int, float64 or time.Time (a date).
type SheetCell = any

// Workbook is one sheet to write: a title block above the header, rows of
// cells, and the columns whose runs of equal values are merged (as officials
// merge the district column of a list sorted by district).
type Workbook struct {
	Sheet       string
	Title       []string // lines above the header, each merged across the table
	Header      []string
	Rows        [][]SheetCell
	MergeColumn int // 1-based column to merge runs of; 0: none
}

// WriteXLSX writes the workbook with dates formatted dd/mm/yyyy, as Vietnamese
// offices show them.
func WriteXLSX(path string, wb Workbook) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", wb.Sheet); err != nil {
		return err
	}
	dateStyle, err := f.NewStyle(&excelize.Style{CustomNumFmt: strPtr("dd/mm/yyyy")})
	if err != nil {
		return err
	}
	lastCol, _ := excelize.ColumnNumberToName(len(wb.Header))
	row := 1
	for _, t := range wb.Title {
		cell := "A" + strconv.Itoa(row)
		f.SetCellValue(wb.Sheet, cell, t)
		if err := f.MergeCell(wb.Sheet, cell, lastCol+strconv.Itoa(row)); err != nil {
			return err
		}
		row++
	}
	if len(wb.Title) > 0 {
		row++ // a blank row between the title and the table
	}
	headerRow := row
	if err := f.SetSheetRow(wb.Sheet, "A"+strconv.Itoa(headerRow), &wb.Header); err != nil {
		return err
	}
	for i, r := range wb.Rows {
		n := headerRow + 1 + i
		for c, v := range r {
			cell, _ := excelize.CoordinatesToCellName(c+1, n)
			if err := f.SetCellValue(wb.Sheet, cell, v); err != nil {
				return err
			}
			if _, ok := v.(time.Time); ok {
				f.SetCellStyle(wb.Sheet, cell, cell, dateStyle)
			}
		}
	}
	if wb.MergeColumn > 0 {
		if err := mergeRuns(f, wb, headerRow+1); err != nil {
			return err
		}
	}
	return f.SaveAs(path)
}

// mergeRuns merges each run of equal values of the merge column, leaving the
// value in the first cell only (as Excel does).
func mergeRuns(f *excelize.File, wb Workbook, firstRow int) error {
	c := wb.MergeColumn - 1
	start := 0
	for i := 1; i <= len(wb.Rows); i++ {
		if i < len(wb.Rows) && wb.Rows[i][c] == wb.Rows[start][c] {
			continue
		}
		if i-start > 1 {
			top, _ := excelize.CoordinatesToCellName(wb.MergeColumn, firstRow+start)
			bottom, _ := excelize.CoordinatesToCellName(wb.MergeColumn, firstRow+i-1)
			if err := f.MergeCell(wb.Sheet, top, bottom); err != nil {
				return err
			}
		}
		start = i
	}
	return nil
}

func strPtr(s string) *string { return &s }

// writeZip writes a zip archive of the named files, in the given order.
func writeZip(path string, names []string, files map[string][]byte) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	zw := zip.NewWriter(f)
	for _, name := range names {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			f.Close()
			return err
		}
		if _, err := w.Write(files[name]); err != nil {
			f.Close()
			return err
		}
	}
	if err := zw.Close(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
