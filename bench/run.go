// Package bench measures geodata under load: it drives a list of requests
// against a base URL with N connections for T seconds after a warm-up, or sends
// each request once (cold caches), and reports requests/s, latency percentiles,
// bytes/s and every non-2xx status. It defines the named workloads of `make
// bench`, generated from a fixed seed over the region's towns, and the hello-world
// server that gives the machine's HTTP ceiling. It talks to the service over HTTP
// only and imports no package of geodata.
//
//	client := bench.NewClient(16)
//	res, err := bench.Run(ctx, client, "http://127.0.0.1:18080", paths,
//		bench.Load{Connections: 16, Warmup: 3 * time.Second, Duration: 10 * time.Second})
package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"
)

// Load says how a request list is driven.
type Load struct {
	Connections int           // concurrent connections, each sending its next request when the last one ends
	Warmup      time.Duration // requests before this are sent but not measured
	Duration    time.Duration // the measured time
	// Once sends each request of the list exactly once, without warm-up (a cold
	// cache is only cold once); Warmup and Duration are ignored.
	Once bool
	// OnMeasure, when set, is called when the warm-up ends, before any measured
	// request starts.
	OnMeasure func()
}

// requestTimeout bounds one request, so a stuck server ends as errors, not a hang.
const requestTimeout = 30 * time.Second

// NewClient returns an HTTP client for conns concurrent connections to one host:
// every connection is kept alive and reused, none is opened beyond conns.
func NewClient(conns int) *http.Client {
	dialer := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}
	return &http.Client{
		Timeout: requestTimeout,
		Transport: &http.Transport{
			Proxy:                 nil, // always straight to the server under test
			DialContext:           dialer.DialContext,
			MaxIdleConns:          conns,
			MaxIdleConnsPerHost:   conns,
			MaxConnsPerHost:       conns,
			IdleConnTimeout:       90 * time.Second,
			ResponseHeaderTimeout: requestTimeout,
			DisableKeepAlives:     false,
			ForceAttemptHTTP2:     false,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// Phases of a timed run.
const (
	warmingUp int32 = iota
	measuring
	finished
)

// Run sends the requests of paths (relative to base, in order, cycling) and
// measures the answers. Only requests that start after the warm-up and before
// the end of the measured time count; their latency runs from the start of the
// request to the last byte of the body.
func Run(ctx context.Context, client *http.Client, base string, paths []string, load Load) (*Result, error) {
	if len(paths) == 0 {
		return nil, errors.New("no requests to send")
	}
	if load.Connections < 1 {
		return nil, fmt.Errorf("connections %d: want at least 1", load.Connections)
	}
	if !load.Once && load.Duration <= 0 {
		return nil, fmt.Errorf("duration %v: want a positive measured time", load.Duration)
	}
	var (
		phase atomic.Int32
		next  atomic.Int64
		start time.Time // when measuring began; written before phase becomes measuring
	)
	take := func() (string, bool) {
		i := next.Add(1) - 1
		if load.Once {
			return paths[min(i, int64(len(paths)-1))], i < int64(len(paths))
		}
		return paths[i%int64(len(paths))], true
	}
	if load.Once {
		start = time.Now()
		phase.Store(measuring)
	}
	tallies := make([]*tally, load.Connections)
	var wg sync.WaitGroup
	for c := range tallies {
		t := newTally()
		tallies[c] = t
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				p := phase.Load()
				if p == finished {
					return
				}
				path, ok := take()
				if !ok {
					return
				}
				began := time.Now()
				status, n, err := fetch(ctx, client, base+path)
				if p == measuring {
					t.add(began, time.Since(began), status, n, err)
				}
			}
		}()
	}
	if !load.Once {
		runPhases(ctx, load, &phase, &start)
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return merge(tallies, start), nil
}

// runPhases ends the warm-up and then the measured time of a timed run.
func runPhases(ctx context.Context, load Load, phase *atomic.Int32, start *time.Time) {
	defer phase.Store(finished)
	if !sleep(ctx, load.Warmup) {
		return
	}
	if load.OnMeasure != nil {
		load.OnMeasure()
	}
	*start = time.Now()
	phase.Store(measuring)
	sleep(ctx, load.Duration)
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// fetch sends one GET and reads the whole body. It asks for gzip itself, so
// the transport does not decompress: the bytes counted are the bytes sent.
func fetch(ctx context.Context, client *http.Client, u string) (status int, n int64, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, 0, err
	}
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := client.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	n, err = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, n, err
}

// errorKind names a transport error without the URL, so equal failures group.
func errorKind(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		if ue.Timeout() {
			return "timeout"
		}
		err = ue.Err
	}
	return err.Error()
}
