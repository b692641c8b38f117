// Package importers reads the files departments really have (CSV, GeoJSON, …)
// into one stream of Records, infers the property schema and reports every bad
// row. Each format is one reader; all of them call the same emit function per
// feature, so memory does not grow with the file. It may import geo only.
//
//	err := importers.Read(ctx, "schools.csv", importers.Options{}, func(r *importers.Record) error {
//		fmt.Println(r.Line, r.Geometry, r.Problems)
//		return nil
//	})
package importers

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/paulmach/orb"
)

// Prop is one property of a record as read: Value is a string for text formats
// (CSV, spreadsheets; typed later by inference) or a decoded JSON value (nil,
// bool, json.Number, string, []any, map[string]any).
type Prop struct {
	Name  string
	Value any
}

// Record is one feature read from a file.
type Record struct {
	Sheet    string // sheet or layer name, when the format has several
	Line     int    // 1-based physical line of the record's start (header included)
	ID       string // from the id column or the feature's id; "" when none
	IDColumn string // where ID came from, for reports
	Geometry orb.Geometry
	Props    []Prop
	Text     bool      // values are raw text, to be typed by inference
	Problems []Problem // row-level problems found by the reader; the record is rejected if any is an error
}

// Rejected reports whether a problem of the record is an error.
func (r *Record) Rejected() bool {
	for _, p := range r.Problems {
		if p.Severity == SeverityError {
			return true
		}
	}
	return false
}

func (r *Record) reject(column, reason string) {
	r.Problems = append(r.Problems, Problem{Sheet: r.Sheet, Line: r.Line, Column: column, Reason: reason, Severity: SeverityError})
}

// Options are the reader settings shared by the CLI and the upload API.
type Options struct {
	Format    string `json:"format,omitempty"`     // see Formats; empty: from the file name and content
	LonColumn string `json:"lon_column,omitempty"` // coordinate columns; empty: detected from the header
	LatColumn string `json:"lat_column,omitempty"`
	IDColumn  string `json:"id_column,omitempty"` // column holding a stable feature id; empty: detected (id, ma, fid…)
	Delimiter rune   `json:"delimiter,omitempty"` // CSV delimiter; 0: detected
	Encoding  string `json:"encoding,omitempty"`  // text encoding (see ParseEncoding); empty: detected
	Sheet     string `json:"sheet,omitempty"`     // spreadsheet sheet; empty: the first
	// Layer picks what to read from a file holding several: the GTFS layer
	// (LayerStops or LayerRoutes), or the Shapefile of a folder or zip.
	Layer string `json:"layer,omitempty"`
	// Notify, when set, receives what a reader learns about the whole file: notes
	// (SeverityNote: the encoding detected, the sheet read…) and file-level
	// warnings (a GTFS feed without shapes.txt…).
	Notify func(Problem) `json:"-"`
	// CRS is the coordinates' reference system (--crs: "EPSG:9214", an OGC
	// URI…); empty: from a .prj beside the file or inside it, else WGS 84 —
	// or, for coordinates in metres, the region's one VN-2000 system.
	CRS    string  `json:"crs,omitempty"`
	Region *Region `json:"-"` // where the features belong; set by ingest

	coords *coordinates // this file's coordinate handling, set by Read for the readers
}

// note sends a file-level note or warning to opts.Notify.
func (o Options) note(sev Severity, sheet, format string, args ...any) {
	if o.Notify != nil {
		o.Notify(Problem{Sheet: sheet, Reason: fmt.Sprintf(format, args...), Severity: sev})
	}
}

// ErrFormat marks a file that cannot be read at all (wrong format, truncated…).
var ErrFormat = errors.New("unreadable file")

// Formats are the format names Options.Format accepts.
var Formats = []string{"csv", "tsv", "geojson", "ndjson", "xlsx", "shapefile", "kml", "kmz", "gtfs"}

// Read reads the file at path and calls emit for every record, in file order.
// path is a file, or for a Shapefile also a folder.
func Read(ctx context.Context, path string, opts Options, emit func(*Record) error) error {
	format := opts.Format
	if format == "" {
		f, err := SniffFormat(path)
		if err != nil {
			return err
		}
		format = f
	}
	var err error
	if opts.coords, err = newCoordinates(path, opts); err != nil {
		return err
	}
	emit = opts.coords.wrap(emit)
	switch format {
	case "shapefile", "shp":
		return readShapefile(ctx, path, opts, emit)
	case "xlsx":
		return readXLSX(ctx, path, opts, emit)
	case "kmz":
		return readKMZ(ctx, path, opts, emit)
	case "gtfs":
		return readGTFS(ctx, path, opts, emit)
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	switch format {
	case "csv", "tsv":
		return readCSV(ctx, f, opts, emit)
	case "geojson", "ndjson":
		return readGeoJSON(ctx, f, opts, emit)
	case "kml":
		return readKML(ctx, f, opts, emit)
	}
	if format == "xls" {
		// The served .xls reader hangs on a cyclic sector chain and allocates
		// what a broken header declares (found by fuzzing): not for uploads.
		return fmt.Errorf("%w: %s is a legacy Excel 97–2003 workbook (.xls), which geodata does not read: open it in Excel or LibreOffice and save it as .xlsx", ErrFormat, filepath.Base(path))
	}
	return fmt.Errorf("%w: format %q of %s is not supported (%s)", ErrFormat, format, filepath.Base(path), strings.Join(Formats, ", "))
}

// DetectFormat names the format of a file from its name alone ("zip" when only
// the content can tell: see SniffFormat).
func DetectFormat(path string) string {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv", ".txt":
		return "csv"
	case ".tsv", ".tab":
		return "tsv"
	case ".geojson", ".json":
		return "geojson"
	case ".ndjson", ".geojsonl", ".geojsons", ".jsonl":
		return "ndjson"
	case ".xlsx", ".xlsm":
		return "xlsx"
	case ".shp":
		return "shapefile"
	}
	return strings.TrimPrefix(strings.ToLower(filepath.Ext(path)), ".")
}

// SniffFormat names the format of the file or folder at path, looking inside
// zip archives and folders when the name does not tell.
func SniffFormat(path string) (string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	if st.IsDir() {
		return "shapefile", nil
	}
	format := DetectFormat(path)
	if format != "zip" {
		return format, nil
	}
	zr, err := zip.OpenReader(path)
	if err != nil {
		return "", fmt.Errorf("%w: %s is not a readable zip archive (truncated or damaged?): %v", ErrFormat, filepath.Base(path), err)
	}
	defer zr.Close()
	var names []string
	for _, f := range zr.File {
		name := strings.ToLower(f.Name)
		names = append(names, f.Name)
		switch {
		case strings.HasSuffix(name, ".shp"):
			return "shapefile", nil
		case path2base(name) == "stops.txt":
			return "gtfs", nil
		case strings.HasSuffix(name, ".kml"):
			return "kmz", nil
		}
	}
	return "", fmt.Errorf("%w: the zip archive %s holds no Shapefile, GTFS feed or KML (it has: %s)", ErrFormat, filepath.Base(path), strings.Join(names, ", "))
}

func path2base(name string) string {
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		return name[i+1:]
	}
	return name
}
