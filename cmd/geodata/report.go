package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/vn-opendata/geodata/catalog"
	"github.com/vn-opendata/geodata/opendata"
	"github.com/vn-opendata/geodata/store"
)

// cmdReport writes the yearly open-data report as Markdown and XLSX.
func cmdReport(ctx context.Context, args []string) error {
	cfg := defaultConfig()
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	cfg.commonFlags(fs)
	year := fs.Int("year", time.Now().In(catalog.Zone).Year(), "the year to report on")
	out := fs.String("out", ".", "folder to write bao-cao-du-lieu-mo-YEAR.md and .xlsx into")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := cfg.validate(); err != nil {
		return err
	}
	now := time.Now()
	if *year < 2000 || *year > now.In(catalog.Zone).Year() {
		return fmt.Errorf("report: --year %d: give a year from 2000 to this year", *year)
	}
	region, db, err := cfg.openMigrated(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	in, err := reportInput(ctx, db, region, *year, now)
	if err != nil {
		return err
	}
	r := opendata.BuildReport(in)
	base := filepath.Join(*out, fmt.Sprintf("bao-cao-du-lieu-mo-%d", *year))
	var md, xlsx bytes.Buffer
	if err := opendata.WriteReportMarkdown(&md, r); err != nil {
		return err
	}
	if err := opendata.WriteReportXLSX(&xlsx, r); err != nil {
		return err
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	for path, b := range map[string][]byte{base + ".md": md.Bytes(), base + ".xlsx": xlsx.Bytes()} {
		if err := os.WriteFile(path, b, 0o644); err != nil {
			return err
		}
		fmt.Println(path)
	}
	return nil
}

// reportInput reads what the report of year needs: the collections, their
// versions up to the end of the year, the year's feedback and usage.
func reportInput(ctx context.Context, db *store.DB, region *catalog.Region, year int, now time.Time) (opendata.ReportInput, error) {
	start := time.Date(year, 1, 1, 0, 0, 0, 0, catalog.Zone)
	end := start.AddDate(1, 0, 0)
	in := opendata.ReportInput{Year: year, Region: region, Now: now}
	var err error
	if in.Collections, err = db.Collections(ctx); err != nil {
		return in, fmt.Errorf("report: collections: %w", err)
	}
	if in.Versions, err = db.VersionHistory(ctx, end); err != nil {
		return in, fmt.Errorf("report: versions: %w", err)
	}
	if in.Feedback, _, err = db.ListFeedback(ctx, store.FeedbackQuery{Since: start, Until: end, Limit: 1_000_000}); err != nil {
		return in, fmt.Errorf("report: feedback: %w", err)
	}
	lastDay := time.Date(year, 12, 31, 0, 0, 0, 0, time.UTC)
	if in.Usage, err = db.UsageSums(ctx, time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC), lastDay); err != nil {
		return in, fmt.Errorf("report: usage: %w", err)
	}
	if in.Vocab, err = db.Vocabularies(ctx); err != nil {
		return in, fmt.Errorf("report: vocabularies: %w", err)
	}
	if len(in.Collections) == 0 {
		return in, errors.New("report: no collections in the database; import some first")
	}
	return in, nil
}
