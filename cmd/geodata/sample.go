package main

import (
	"context"
	"flag"
	"fmt"
	"path/filepath"

	"github.com/vn-opendata/geodata/catalog"
	"github.com/vn-opendata/geodata/sample"
)

// cmdSample writes the demo datasets (or the benchmark data) and a manifest that
// `geodata import --manifest` loads.
func cmdSample(_ context.Context, args []string) error {
	cfg := defaultConfig()
	fs := flag.NewFlagSet("sample", flag.ContinueOnError)
	cfg.commonFlags(fs)
	out := fs.String("out", "", "folder to write the files to (default: DATA_DIR/sample); with --points, the CSV file")
	points := fs.Int("points", 0, "write only a CSV of this many synthetic points (a large file for import benchmarks)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := cfg.validate(); err != nil {
		return err
	}
	region, err := catalog.LoadRegion(cfg.Region)
	if err != nil {
		return err
	}
	if *points > 0 {
		if *out == "" {
			return fmt.Errorf("sample: --points needs --out FILE.csv")
		}
		if err := sample.WritePoints(*out, region, *points); err != nil {
			return err
		}
		fmt.Printf("wrote %d points to %s\n", *points, *out)
		return nil
	}
	dir := *out
	if dir == "" {
		dir = filepath.Join(cfg.DataDir, "sample")
	}
	st, err := sample.WriteDemo(dir, region, cfg.Region)
	if err != nil {
		return err
	}
	fmt.Printf("wrote %d files, %d features, manifest %s\n", st.Files, st.Features, filepath.Join(dir, sample.ManifestName))
	return nil
}
