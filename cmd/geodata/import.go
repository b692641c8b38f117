package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strings"

	"github.com/vn-opendata/geodata/catalog"
	"github.com/vn-opendata/geodata/importers"
	"github.com/vn-opendata/geodata/ingest"
	"github.com/vn-opendata/geodata/sample"
	"github.com/vn-opendata/geodata/store"
)

// importFlags are the flags of `geodata import`.
type importFlags struct {
	collection, format, lonCol, latCol, idCol, mode, report, manifest, metaFile string
	encoding, sheet, layer, prefix, mapping                                     string
	dryRun, allowOutside, force, quiet                                          bool
	maxErrors                                                                   int64
	meta                                                                        store.Metadata
	keywords                                                                    string
	crs                                                                         string
}

func (f *importFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.collection, "collection", "", "collection id (lower case, digits, - and _)")
	fs.StringVar(&f.format, "format", "", "file format: "+strings.Join(importers.Formats, ", ")+" (default: from the name and content)")
	fs.StringVar(&f.encoding, "encoding", "", "text encoding of CSV and dBase files: utf-8, utf-16, windows-1258, tcvn3, vni (default: detected)")
	fs.StringVar(&f.sheet, "sheet", "", "Excel sheet to read (default: the first)")
	fs.StringVar(&f.layer, "layer", "", "layer of a file with several: stops or routes of a GTFS feed, the Shapefile of a folder or zip")
	fs.StringVar(&f.prefix, "collection-prefix", "bus-", "GTFS: the feed's layers become PREFIX+stops and PREFIX+routes")
	fs.StringVar(&f.mapping, "mapping", "", "JSON file that renames, types and drops columns")
	fs.StringVar(&f.lonCol, "lon-col", "", "longitude column (default: detected: kinh độ, lon, lng, x…)")
	fs.StringVar(&f.latCol, "lat-col", "", "latitude column (default: detected: vĩ độ, lat, y…)")
	fs.StringVar(&f.crs, "crs", "", "coordinate system of the file: EPSG:9214, urn:ogc:def:crs:EPSG::3405, an OGC URI… (default: from a .prj, else WGS 84)")
	fs.StringVar(&f.idCol, "id-column", "", "column with a stable feature id (default: detected: id, mã…; else a hash of the row)")
	fs.StringVar(&f.mode, "mode", "replace", "replace, append or upsert")
	fs.BoolVar(&f.dryRun, "dry-run", false, "validate and report only; write nothing")
	fs.Int64Var(&f.maxErrors, "max-errors", 0, "rejected rows tolerated (they are left out); more aborts the import")
	fs.BoolVar(&f.allowOutside, "allow-outside", false, "accept features outside the region (as warnings)")
	fs.BoolVar(&f.force, "force", false, "import even when the same file and settings were imported last")
	fs.StringVar(&f.report, "report", "", "write the validation report as JSON to this file")
	fs.BoolVar(&f.quiet, "quiet", false, "print only errors (no progress bar either; it shows only when stdout is a terminal)")
	fs.StringVar(&f.manifest, "manifest", "", "import every file listed in this manifest (from geodata sample)")
	fs.StringVar(&f.metaFile, "meta", "", "sidecar JSON with the catalogue metadata (same names as the flags)")
	fs.StringVar(&f.meta.Title, "title", "", "dataset name (Tên tập dữ liệu)")
	fs.StringVar(&f.meta.TitleEn, "title-en", "", "dataset name in English")
	fs.StringVar(&f.meta.Description, "description", "", "description (Mô tả)")
	fs.StringVar(&f.meta.AgencyID, "agency", "", "providing agency id (Đơn vị chủ trì cung cấp)")
	fs.StringVar(&f.meta.FirstPublished, "first-published", "", "date first provided, YYYY-MM-DD (Ngày cung cấp lần đầu)")
	fs.StringVar(&f.meta.Frequency, "frequency", "", "update frequency code: DAILY, WEEKLY, MONTHLY, QUARTERLY, ANNUAL, IRREG… (Tần suất cung cấp)")
	fs.StringVar(&f.meta.Notes, "notes", "", "notes (Ghi chú)")
	fs.StringVar(&f.meta.Theme, "theme", "", "theme code: TRAN, EDUC, TECH, GOVE… (Nhóm chủ đề)")
	fs.StringVar(&f.meta.LicenseURI, "license", "", "licence URI (default CC BY 4.0)")
	fs.StringVar(&f.meta.LicenseAttribution, "attribution", "", "attribution text required by the licence")
	fs.StringVar(&f.keywords, "keywords", "", "comma-separated keywords")
	fs.StringVar(&f.meta.Contact, "contact", "", "contact point: person or office")
	fs.StringVar(&f.meta.ContactEmail, "contact-email", "", "contact e-mail address")
	fs.StringVar(&f.meta.ContactPhone, "contact-phone", "", "contact phone number")
	fs.StringVar(&f.meta.TemporalStart, "temporal-start", "", "first day the data describes, YYYY-MM-DD")
	fs.StringVar(&f.meta.TemporalEnd, "temporal-end", "", "last day the data describes, YYYY-MM-DD")
	fs.StringVar(&f.meta.TemporalProperty, "temporal-property", "", "property holding each feature's date")
	fs.IntVar(&f.meta.CatalogNo, "catalog-no", 0, "number in the catalogue (TT)")
}

// cmdImport imports one file, or every file of a manifest.
func cmdImport(ctx context.Context, args []string) error {
	cfg := defaultConfig()
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	cfg.commonFlags(fs)
	var f importFlags
	f.register(fs)
	files, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if err := cfg.validate(); err != nil {
		return err
	}
	if f.manifest == "" && len(files) != 1 {
		return errors.New("import: give one FILE (or --manifest FILE)")
	}
	region, db, err := cfg.openMigrated(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	reqs, err := f.requests(files, region)
	if err != nil {
		return err
	}
	if len(reqs) > 1 && f.manifest == "" && !f.dryRun {
		// the layers of one feed: validate all before writing any
		for _, req := range reqs {
			req.DryRun = true
			res, err := ingest.Import(ctx, db, req)
			if err != nil {
				f.printReport(res, err)
				return fmt.Errorf("import %s into %s: %w; nothing was written", req.SourceName, req.Collection, err)
			}
		}
	}
	for _, req := range reqs {
		if err := runImport(ctx, db, req, f); err != nil {
			return err
		}
	}
	return nil
}

func (f *importFlags) printReport(res *ingest.Result, err error) {
	if res != nil && (!f.quiet || err != nil) {
		fmt.Print(res.Report.Summary())
	}
}

// requests builds the import requests of the command line or of the manifest.
func (f *importFlags) requests(files []string, region *catalog.Region) ([]ingest.Request, error) {
	mode, err := ingest.ParseMode(f.mode)
	if err != nil {
		return nil, err
	}
	base := ingest.Request{Mode: mode, DryRun: f.dryRun, MaxErrors: f.maxErrors, AllowOutside: f.allowOutside,
		Force: f.force, Actor: actor(), Region: region}
	if f.manifest != "" {
		m, err := sample.ReadManifest(f.manifest)
		if err != nil {
			return nil, err
		}
		var out []ingest.Request
		for _, e := range m.Entries {
			req := base
			req.Path, req.Collection, req.Options, req.Metadata = e.File, e.Collection, e.Options, e.Metadata
			req.SourceName = filepath.Base(e.File)
			out = append(out, req)
		}
		return out, nil
	}
	meta := f.meta
	if f.metaFile != "" {
		b, err := os.ReadFile(f.metaFile)
		if err != nil {
			return nil, err
		}
		var side store.Metadata
		if err := json.Unmarshal(b, &side); err != nil {
			return nil, fmt.Errorf("--meta %s: %w", f.metaFile, err)
		}
		meta = mergeMetadata(side, meta)
	}
	if f.keywords != "" {
		meta.Keywords = nil
		for _, k := range strings.Split(f.keywords, ",") {
			if k = strings.TrimSpace(k); k != "" {
				meta.Keywords = append(meta.Keywords, k)
			}
		}
	}
	enc, err := importers.ParseEncoding(f.encoding)
	if err != nil {
		return nil, err
	}
	req := base
	req.Path, req.Collection, req.Metadata = files[0], f.collection, meta
	req.SourceName = filepath.Base(files[0])
	req.Options = importers.Options{Format: f.format, LonColumn: f.lonCol, LatColumn: f.latCol, IDColumn: f.idCol,
		Encoding: enc, Sheet: f.sheet, Layer: f.layer, CRS: f.crs}
	if f.mapping != "" {
		if req.Mapping, err = importers.LoadMapping(f.mapping); err != nil {
			return nil, err
		}
	}
	format := f.format
	if format == "" {
		if format, err = importers.SniffFormat(req.Path); err != nil {
			return nil, err
		}
	}
	if format != "gtfs" || f.layer != "" {
		return []ingest.Request{req}, nil
	}
	if f.collection != "" {
		return nil, errors.New("import: a GTFS feed makes two collections: name them with --collection-prefix (not --collection), or pick one with --layer")
	}
	var out []ingest.Request
	for _, layer := range []string{importers.LayerRoutes, importers.LayerStops} {
		r := req
		r.Collection = f.prefix + layer
		r.Options.Layer = layer
		out = append(out, r)
	}
	return out, nil
}

func runImport(ctx context.Context, db *store.DB, req ingest.Request, f importFlags) error {
	bar := newProgress(f.quiet, req.Collection)
	req.Progress = bar.update
	res, err := ingest.Import(ctx, db, req)
	bar.finish()
	if res != nil && f.report != "" {
		if werr := writeJSONFile(f.report, res); werr != nil {
			return werr
		}
	}
	f.printReport(res, err)
	if errors.Is(err, ingest.ErrRejected) {
		fmt.Fprintln(os.Stderr, "geodata:", err)
		return exitCode(2)
	}
	if err != nil {
		return fmt.Errorf("import %s into %s: %w", req.SourceName, req.Collection, err)
	}
	switch {
	case res.Skipped:
		if !f.quiet {
			fmt.Printf("%s: unchanged, not imported again\n", req.Collection)
		}
	case req.DryRun:
		fmt.Printf("%s: dry run, nothing written\n", req.Collection)
	default:
		if !f.quiet {
			fmt.Printf("%s: version %d, %d features in %.1fs (%.0f rows/s)\n", req.Collection, res.Version,
				res.Report.Accepted, res.Duration.Seconds(), float64(res.Report.Read)/res.Duration.Seconds())
		}
	}
	return nil
}

// mergeMetadata fills the empty fields of over from base.
func mergeMetadata(base, over store.Metadata) store.Metadata {
	b, _ := json.Marshal(over)
	out := base
	json.Unmarshal(b, &out) // only non-empty fields of over are in b (omitempty)
	return out
}

func actor() string {
	if u, err := user.Current(); err == nil {
		return "cli:" + u.Username
	}
	return "cli"
}

func writeJSONFile(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// parseInterspersed parses flags placed before or after positional arguments.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}
