package bench

import (
	"fmt"
	"io"
	"slices"
	"strings"
)

// WriteTable prints the report as one table: a row per workload, then the
// causes of errors and the server's memory.
func (r *Report) WriteTable(w io.Writer) error {
	const row = "%-16s %10s %8s %8s %8s %8s %7s %9s %9s %7s %10s\n"
	fmt.Fprintf(w, row, "workload", "req/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "MB/s", "median B", "max B", "errors", "× ceiling")
	var skipped, failed []string
	for _, res := range r.Workloads {
		if res.Skipped != "" {
			fmt.Fprintf(w, row, res.Workload, "—", "—", "—", "—", "—", "—", "—", "—", "—", "skipped")
			skipped = append(skipped, fmt.Sprintf("  %s: %s", res.Workload, res.Skipped))
			continue
		}
		ratio := "—"
		switch {
		case res.Ceiling >= 0.01:
			ratio = fmt.Sprintf("%.3f", res.Ceiling)
		case res.Ceiling > 0:
			ratio = fmt.Sprintf("%.6f", res.Ceiling)
		}
		rps := fmt.Sprintf("%.0f", res.PerSecond)
		switch {
		case res.Once:
			rps = fmt.Sprintf("%d once", res.Requests)
		case res.PerSecond < 10:
			rps = fmt.Sprintf("%.2f", res.PerSecond)
		}
		fmt.Fprintf(w, row, res.Workload, rps, msText(res.Latency.P50), msText(res.Latency.P90), msText(res.Latency.P99),
			msText(res.Latency.Max), fmt.Sprintf("%.1f", res.BytesPerSec/1e6), fmt.Sprint(res.Body.Median), fmt.Sprint(res.Body.Max),
			fmt.Sprint(res.Errors), ratio)
		if res.Errors > 0 {
			failed = append(failed, fmt.Sprintf("  %s: %s", res.Workload, errorCounts(res)))
		}
	}
	for _, line := range append(failed, skipped...) {
		fmt.Fprintln(w, line)
	}
	if r.RSSBeforeKB > 0 {
		fmt.Fprintf(w, "server RSS: %.0f MB after loading, %.0f MB after the run\n", float64(r.RSSBeforeKB)/1024, float64(r.RSSAfterKB)/1024)
	}
	_, err := fmt.Fprintf(w, "machine: %d CPUs, %s, %s; load average %s before, %s after\n",
		r.Machine.CPUs, r.Machine.OS, r.Machine.Go, r.Machine.LoadAverage, r.LoadAfter)
	return err
}

// errorCounts lists the non-2xx statuses and transport errors of a result.
func errorCounts(res *Result) string {
	var parts []string
	for code, n := range res.Statuses {
		if !strings.HasPrefix(code, "2") {
			parts = append(parts, fmt.Sprintf("%s ×%d", code, n))
		}
	}
	for kind, n := range res.TransportErrors {
		parts = append(parts, fmt.Sprintf("%s ×%d", kind, n))
	}
	slices.Sort(parts)
	return strings.Join(parts, ", ")
}

// msText writes a latency with three significant digits or more.
func msText(ms float64) string {
	switch {
	case ms < 10:
		return fmt.Sprintf("%.2f", ms)
	case ms < 100:
		return fmt.Sprintf("%.1f", ms)
	}
	return fmt.Sprintf("%.0f", ms)
}
