package bench

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"
)

// Suite runs workloads one after the other against one target and relates each
// result to the ceiling measured in the same run.
type Suite struct {
	Target   Target
	Client   *http.Client
	Load     Load   // Once and Connections are overridden for cold workloads
	Seed     uint64 // of the request lists
	Requests int    // length of each request list
	Log      io.Writer
}

// Run runs the workloads in order. A workload the server cannot run yet is
// reported as skipped with the reason; a server that does not answer is an error.
func (s Suite) Run(ctx context.Context, workloads []Workload) ([]*Result, error) {
	var results []*Result
	var ceiling *Result
	for _, w := range workloads {
		res, err := s.runOne(ctx, w)
		if err != nil {
			return results, fmt.Errorf("workload %s: %w", w.Name, err)
		}
		res.Workload, res.Description, res.Once = w.Name, w.Description, w.Once
		if res.Skipped != "" {
			fmt.Fprintf(s.Log, "%-16s skipped: %s\n", w.Name, res.Skipped)
		} else {
			fmt.Fprintf(s.Log, "%-16s %9.0f req/s  p50 %7.2f ms  p99 %7.2f ms  %d errors\n",
				w.Name, res.PerSecond, res.Latency.P50, res.Latency.P99, res.Errors)
		}
		if w.ceiling && res.Skipped == "" {
			ceiling = res
		}
		results = append(results, res)
	}
	if ceiling != nil && ceiling.PerSecond > 0 {
		for _, r := range results {
			if r.Skipped == "" && !r.Once {
				r.Ceiling = r.PerSecond / ceiling.PerSecond
			}
		}
	}
	return results, nil
}

func (s Suite) runOne(ctx context.Context, w Workload) (*Result, error) {
	base := s.Target.BaseURL
	if w.ceiling {
		if s.Target.CeilingURL == "" {
			return &Result{Skipped: "no ceiling server"}, nil
		}
		base = s.Target.CeilingURL
	}
	paths := w.Paths(s.Target, s.Seed, s.Requests)
	if w.probe != nil {
		why, err := w.probe(ctx, s.Client, s.Target, paths[0])
		if err != nil {
			return nil, err
		}
		if why != "" {
			return &Result{Skipped: why}, nil
		}
	}
	load := s.Load
	if w.Once {
		load.Once, load.Connections = true, 1
	}
	fmt.Fprintf(s.Log, "%-16s %d distinct requests, %s\n", w.Name, distinct(paths), describeLoad(load))
	return Run(ctx, s.Client, base, paths, load)
}

func describeLoad(l Load) string {
	if l.Once {
		return "each once over 1 connection"
	}
	return fmt.Sprintf("%d connections, %v warm-up, %v measured", l.Connections, l.Warmup, l.Duration)
}

func distinct(paths []string) int {
	seen := make(map[string]bool, len(paths))
	for _, p := range paths {
		seen[p] = true
	}
	return len(seen)
}

// Report is the record of one benchmark run, written as JSON.
type Report struct {
	Started     time.Time `json:"started"`
	Machine     Machine   `json:"machine"`
	BaseURL     string    `json:"base_url"`
	Points      string    `json:"points_collection"`
	Lines       string    `json:"lines_collection"`
	Connections int       `json:"connections"`
	Warmup      string    `json:"warmup"`
	Duration    string    `json:"duration"`
	Seed        uint64    `json:"seed"`
	Requests    int       `json:"requests_per_list"`
	// Server memory (VmRSS, kB) when the run began (data loaded) and when it ended.
	RSSBeforeKB int64     `json:"server_rss_before_kb,omitempty"`
	RSSAfterKB  int64     `json:"server_rss_after_kb,omitempty"`
	LoadAfter   string    `json:"load_average_after"`
	Workloads   []*Result `json:"workloads"`
}
