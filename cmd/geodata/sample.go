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
	out := fs.String("out", "", "folder to write the files to (default: DATA_DIR/sample, or DATA_DIR/bench with --bench); with --points, the CSV file")
	points := fs.Int("points", 0, "write only a CSV of this many synthetic points (a large file for import benchmarks)")
	bench := fs.Bool("bench", false, "write the benchmark data of `make bench` (1,000,000 points, 2,000 lines) instead of the demo datasets")
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
		dir = filepath.Join(cfg.DataDir, map[bool]string{false: "sample", true: "bench"}[*bench])
	}
	write := sample.WriteDemo
	if *bench {
		write = func(dir string, region *catalog.Region, name string) (sample.Stats, error) {
			return sample.WriteBench(dir, region, name, sample.DefaultBenchSize)
		}
	}
	st, err := write(dir, region, cfg.Region)
	if err != nil {
		return err
	}
	fmt.Printf("wrote %d files, %d features, manifest %s\n", st.Files, st.Features, filepath.Join(dir, sample.ManifestName))
	return nil
}
