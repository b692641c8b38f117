package bench_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vn-opendata/geodata/bench"
)

func TestPercentile(t *testing.T) {
	ms := func(v ...int) []time.Duration {
		out := make([]time.Duration, len(v))
		for i, x := range v {
			out[i] = time.Duration(x) * time.Millisecond
		}
		return out
	}
	hundred := make([]int, 100)
	for i := range hundred {
		hundred[i] = i + 1
	}
	cases := []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"empty", nil, 50, 0},
		{"one value", ms(7), 99, 7 * time.Millisecond},
		{"median of two is the lower", ms(1, 2), 50, time.Millisecond},
		{"p90 of two is the upper", ms(1, 2), 90, 2 * time.Millisecond},
		{"p50 of 1..100", ms(hundred...), 50, 50 * time.Millisecond},
		{"p90 of 1..100", ms(hundred...), 90, 90 * time.Millisecond},
		{"p99 of 1..100", ms(hundred...), 99, 99 * time.Millisecond},
		{"p100 is the maximum", ms(hundred...), 100, 100 * time.Millisecond},
		{"p0 is the minimum", ms(3, 4, 5), 0, 3 * time.Millisecond},
		{"p99 of ten is the maximum", ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 99, 10 * time.Millisecond},
	}
	for _, c := range cases {
		if got := bench.Percentile(c.sorted, c.p); got != c.want {
			t.Errorf("%s: p%g = %v, want %v", c.name, c.p, got, c.want)
		}
	}
}

func TestLatencies(t *testing.T) {
	d := []time.Duration{4 * time.Millisecond, 1 * time.Millisecond, 3 * time.Millisecond, 2 * time.Millisecond}
	got := bench.Latencies(d)
	want := bench.Latency{P50: 2, P90: 4, P99: 4, Max: 4, Mean: 2.5}
	if got != want {
		t.Errorf("Latencies = %+v, want %+v", got, want)
	}
}

// statusServer answers /ok with 200 and a 100-byte body, /missing with 404 and
// 10 bytes, /fail with 500 and 20 bytes, and drops the connection on /drop.
// It counts the requests per path.
type statusServer struct {
	*httptest.Server
	mu     sync.Mutex
	counts map[string]int
}

func newStatusServer(t *testing.T) *statusServer {
	s := &statusServer{counts: map[string]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.counts[r.URL.Path]++
		s.mu.Unlock()
		switch r.URL.Path {
		case "/ok":
			w.Write([]byte(strings.Repeat("o", 100)))
		case "/missing":
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(strings.Repeat("m", 10)))
		case "/fail":
			w.WriteHeader(http.StatusInternalServerError)
			w.Write([]byte(strings.Repeat("f", 20)))
		case "/drop":
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
		}
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *statusServer) count(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[path]
}

func TestRunOnceCountsEveryRequestAndError(t *testing.T) {
	srv := newStatusServer(t)
	var paths []string
	for i := 0; i < 10; i++ {
		paths = append(paths, "/ok", "/missing", "/fail", "/drop")
	}
	res, err := bench.Run(context.Background(), bench.NewClient(4), srv.URL, paths, bench.Load{Connections: 4, Once: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests != 40 {
		t.Errorf("measured %d requests, want each of the 40 once", res.Requests)
	}
	for path, status := range map[string]string{"/ok": "200", "/missing": "404", "/fail": "500"} {
		if res.Statuses[status] != 10 || srv.count(path) != 10 {
			t.Errorf("%s: %d answers with status %s counted, the server got %d requests; want 10 and 10",
				path, res.Statuses[status], status, srv.count(path))
		}
	}
	if len(res.Statuses) != 3 {
		t.Errorf("statuses %v, want only 200, 404 and 500", res.Statuses)
	}
	dropped := int64(0)
	for _, n := range res.TransportErrors {
		dropped += n
	}
	if dropped != 10 {
		t.Errorf("transport errors %v, want 10 in all (the dropped connections)", res.TransportErrors)
	}
	if res.Errors != 30 {
		t.Errorf("errors = %d, want 30 (10 × 404, 10 × 500, 10 dropped)", res.Errors)
	}
	if want := int64(10*100 + 10*10 + 10*20); res.Bytes != want {
		t.Errorf("bytes = %d, want %d", res.Bytes, want)
	}
	if res.Body != (bench.Sizes{Median: 100, Max: 100}) {
		t.Errorf("body sizes %+v, want those of the 2xx answers only (100 bytes)", res.Body)
	}
	if res.Latency.Max <= 0 || res.PerSecond <= 0 {
		t.Errorf("latency %+v, %g req/s: want positive measurements", res.Latency, res.PerSecond)
	}
}

// The server answers 503 until the warm-up ends: a measured 503 would mean a
// warm-up request was counted.
func TestRunExcludesWarmup(t *testing.T) {
	var ready atomic.Bool
	var served, refused atomic.Int64
	const body = "ready"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !ready.Load() {
			refused.Add(1)
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		served.Add(1)
		w.Write([]byte(body))
	}))
	defer srv.Close()
	load := bench.Load{Connections: 4, Warmup: 300 * time.Millisecond, Duration: 400 * time.Millisecond,
		OnMeasure: func() { ready.Store(true) }}
	res, err := bench.Run(context.Background(), bench.NewClient(4), srv.URL, []string{"/a", "/b", "/c"}, load)
	if err != nil {
		t.Fatal(err)
	}
	if refused.Load() == 0 {
		t.Fatal("no request was sent during the warm-up")
	}
	if res.Requests == 0 || res.Statuses["200"] != res.Requests || len(res.Statuses) != 1 || res.Errors != 0 {
		t.Errorf("measured %d requests with statuses %v and %d errors; want only 200s (the 503s of the warm-up excluded)",
			res.Requests, res.Statuses, res.Errors)
	}
	if res.Requests > served.Load() {
		t.Errorf("measured %d requests, more than the %d the server answered after the warm-up", res.Requests, served.Load())
	}
	if res.Bytes != res.Requests*int64(len(body)) {
		t.Errorf("bytes = %d, want %d × %d", res.Bytes, res.Requests, len(body))
	}
	if res.Seconds <= 0 || res.PerSecond <= 0 || res.BytesPerSec <= 0 {
		t.Errorf("seconds %g, %g req/s, %g bytes/s: want positive rates", res.Seconds, res.PerSecond, res.BytesPerSec)
	}
}

// Two requests in twenty sleep 30 ms: the 99th percentile and the maximum are
// slow ones, and the percentiles are ordered.
func TestRunPercentilesSeeSlowRequests(t *testing.T) {
	const slow = 30 * time.Millisecond
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			time.Sleep(slow)
		}
	}))
	defer srv.Close()
	paths := make([]string, 20)
	for i := range paths {
		paths[i] = "/fast"
	}
	paths[5], paths[15] = "/slow", "/slow"
	res, err := bench.Run(context.Background(), bench.NewClient(1), srv.URL, paths, bench.Load{Connections: 1, Once: true})
	if err != nil {
		t.Fatal(err)
	}
	l := res.Latency
	if l.P99 < ms(slow) || l.Max < ms(slow) {
		t.Errorf("latency %+v: want p99 and max of at least %v", l, slow)
	}
	if !(l.P50 <= l.P90 && l.P90 <= l.P99 && l.P99 <= l.Max) {
		t.Errorf("latency %+v: percentiles out of order", l)
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func TestRunRefusesBadLoads(t *testing.T) {
	client := bench.NewClient(1)
	cases := map[string]struct {
		paths []string
		load  bench.Load
	}{
		"no requests":    {nil, bench.Load{Connections: 1, Duration: time.Second}},
		"no connections": {[]string{"/"}, bench.Load{Duration: time.Second}},
		"no duration":    {[]string{"/"}, bench.Load{Connections: 1}},
	}
	for name, c := range cases {
		if _, err := bench.Run(context.Background(), client, "http://127.0.0.1:1", c.paths, c.load); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestRunStopsWhenCancelled(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := bench.Run(ctx, bench.NewClient(2), srv.URL, []string{"/"}, bench.Load{Connections: 2, Duration: time.Hour})
	if err == nil {
		t.Fatal("a cancelled run returned no error")
	}
}
