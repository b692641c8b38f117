package bench

import (
	"math"
	"slices"
	"strconv"
	"time"
)

// Result is the measurement of one workload.
type Result struct {
	Workload    string  `json:"workload"`
	Description string  `json:"description,omitempty"`
	Skipped     string  `json:"skipped,omitempty"` // why the workload did not run
	Requests    int64   `json:"requests"`          // measured requests
	Seconds     float64 `json:"seconds"`           // from the first measured start to the last measured end
	PerSecond   float64 `json:"requests_per_s"`
	Latency     Latency `json:"latency_ms"`
	Bytes       int64   `json:"bytes"` // response bodies as sent (compressed when the server compressed)
	BytesPerSec float64 `json:"bytes_per_s"`
	Body        Sizes   `json:"body_bytes"` // sizes of the 2xx bodies as sent

	// Statuses counts the answers by HTTP status, 2xx included.
	Statuses map[string]int64 `json:"statuses"`
	// TransportErrors counts requests that got no answer, by cause.
	TransportErrors map[string]int64 `json:"transport_errors,omitempty"`
	Errors          int64            `json:"errors"`                     // non-2xx answers plus transport errors
	Ceiling         float64          `json:"ratio_to_ceiling,omitempty"` // requests/s over the ceiling's requests/s
	Once            bool             `json:"once,omitempty"`             // each request sent once (cold cache)
}

// Sizes is the distribution of response body sizes in bytes.
type Sizes struct {
	Median int64 `json:"median"`
	Max    int64 `json:"max"`
}

// sizesOf summarizes body sizes; it sorts n.
func sizesOf(n []int64) Sizes {
	if len(n) == 0 {
		return Sizes{}
	}
	slices.Sort(n)
	return Sizes{Median: n[(len(n)-1)/2], Max: n[len(n)-1]}
}

// Latency is a latency distribution in milliseconds (nearest-rank percentiles).
type Latency struct {
	P50  float64 `json:"p50"`
	P90  float64 `json:"p90"`
	P99  float64 `json:"p99"`
	Max  float64 `json:"max"`
	Mean float64 `json:"mean"`
}

// Latencies summarizes a sample of durations; it sorts d.
func Latencies(d []time.Duration) Latency {
	if len(d) == 0 {
		return Latency{}
	}
	slices.Sort(d)
	var sum time.Duration
	for _, v := range d {
		sum += v
	}
	return Latency{
		P50:  ms(Percentile(d, 50)),
		P90:  ms(Percentile(d, 90)),
		P99:  ms(Percentile(d, 99)),
		Max:  ms(d[len(d)-1]),
		Mean: ms(sum / time.Duration(len(d))),
	}
}

// Percentile is the nearest-rank p-th percentile of sorted: the smallest value
// that at least p % of the values do not exceed.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	return sorted[min(max(rank, 1), len(sorted))-1]
}

func ms(d time.Duration) float64 { return math.Round(float64(d)/1e3) / 1e3 }

// tally gathers the measurements of one connection, so connections never share a lock.
type tally struct {
	latencies []time.Duration
	statuses  map[int]int64
	errors    map[string]int64
	bytes     int64
	sizes     []int64 // of the 2xx bodies
	lastEnd   time.Time
}

func newTally() *tally {
	return &tally{statuses: map[int]int64{}, errors: map[string]int64{}}
}

func (t *tally) add(began time.Time, took time.Duration, status int, n int64, err error) {
	t.latencies = append(t.latencies, took)
	t.bytes += n
	if end := began.Add(took); end.After(t.lastEnd) {
		t.lastEnd = end
	}
	if err != nil {
		t.errors[errorKind(err)]++
		return
	}
	t.statuses[status]++
	if status >= 200 && status <= 299 {
		t.sizes = append(t.sizes, n)
	}
}

// merge adds up the connections' tallies of a run whose measured time began at start.
func merge(tallies []*tally, start time.Time) *Result {
	r := &Result{Statuses: map[string]int64{}, TransportErrors: map[string]int64{}}
	var all []time.Duration
	var sizes []int64
	var end time.Time
	for _, t := range tallies {
		all = append(all, t.latencies...)
		sizes = append(sizes, t.sizes...)
		r.Bytes += t.bytes
		if t.lastEnd.After(end) {
			end = t.lastEnd
		}
		for code, n := range t.statuses {
			r.Statuses[strconv.Itoa(code)] += n
			if code < 200 || code > 299 {
				r.Errors += n
			}
		}
		for kind, n := range t.errors {
			r.TransportErrors[kind] += n
			r.Errors += n
		}
	}
	r.Requests = int64(len(all))
	r.Latency = Latencies(all)
	r.Body = sizesOf(sizes)
	if r.Requests > 0 {
		r.Seconds = end.Sub(start).Seconds()
		r.PerSecond = float64(r.Requests) / r.Seconds
		r.BytesPerSec = float64(r.Bytes) / r.Seconds
	}
	return r
}
