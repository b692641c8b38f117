// Command loadgen runs the named workloads of package bench against a geodata
// server and a hello-world ceiling server it starts itself, prints one table and
// writes the results as JSON. `make bench` runs it through bench/run.sh.
//
//	loadgen -url http://127.0.0.1:18080 -server-pid 1234 -out bench/out/results.json
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/vn-opendata/geodata/bench"
	"github.com/vn-opendata/geodata/catalog"
	"github.com/vn-opendata/geodata/sample"
)

// ceilingEnv makes the executable serve the ceiling instead of generating load:
// loadgen starts itself with it, so the ceiling is a separate process like geodata.
const ceilingEnv = "GEODATA_LOADGEN_CEILING"

func main() {
	if os.Getenv(ceilingEnv) == "1" {
		if err := serveCeiling(os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "loadgen ceiling:", err)
			os.Exit(1)
		}
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

// options are the command-line settings of a run.
type options struct {
	url, points, lines, intProp, region, workloads, out string
	connections, requests, serverPID                    int
	warmup, duration, waitReady                         time.Duration
	seed                                                uint64
	ceiling                                             bool
}

func parseOptions(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.url, "url", "", "base URL of the geodata server under test (required; 127.0.0.1 only in tests)")
	fs.StringVar(&o.points, "points", sample.BenchPoints, "point collection of the items, nearby and tiles workloads")
	fs.StringVar(&o.lines, "lines", sample.BenchLines, "line collection of tiles-lines-z10")
	fs.StringVar(&o.intProp, "int-property", "so_hoc_sinh", "integer property of the points compared by items-filter")
	fs.StringVar(&o.region, "region", catalog.DefaultRegion, "region profile the requests are drawn in: a built-in id or a JSON file")
	fs.StringVar(&o.workloads, "workloads", "all", "comma-separated workloads to run, or all")
	fs.IntVar(&o.connections, "connections", 16, "concurrent connections")
	fs.DurationVar(&o.warmup, "warmup", 3*time.Second, "warm-up before each workload is measured")
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "measured time of each workload")
	fs.Uint64Var(&o.seed, "seed", 1, "seed of the request lists")
	fs.IntVar(&o.requests, "requests", 10000, "length of each request list (cycled)")
	fs.IntVar(&o.serverPID, "server-pid", 0, "process id of the server, to report its memory (VmRSS) before and after")
	fs.DurationVar(&o.waitReady, "wait-ready", 0, "first wait up to this long for GET /readyz to answer 200 (the server loading its data)")
	fs.BoolVar(&o.ceiling, "ceiling", true, "start the hello-world ceiling server and measure it")
	fs.StringVar(&o.out, "out", "", "write the results as JSON to this file")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if o.url == "" {
		return o, errors.New("-url is required")
	}
	if o.connections < 1 || o.requests < 1 {
		return o, errors.New("-connections and -requests must be at least 1")
	}
	o.url = strings.TrimRight(o.url, "/")
	return o, nil
}

// run is the whole command: it returns when every workload has run.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseOptions(args, stderr)
	if err != nil {
		return err
	}
	workloads, err := bench.Select(o.workloads)
	if err != nil {
		return err
	}
	region, err := catalog.LoadRegion(o.region)
	if err != nil {
		return err
	}
	client := bench.NewClient(o.connections)
	if o.waitReady > 0 {
		if err := waitReady(ctx, client, o.url, o.serverPID, o.waitReady, stderr); err != nil {
			return err
		}
	}
	target := bench.Target{BaseURL: o.url, Points: o.points, Lines: o.lines, IntProperty: o.intProp, Area: area(region)}
	if o.ceiling {
		ceilingURL, stopCeiling, err := startCeiling(ctx)
		if err != nil {
			return fmt.Errorf("start the ceiling server: %w", err)
		}
		defer stopCeiling()
		target.CeilingURL = ceilingURL
	}
	rep := &bench.Report{Started: time.Now().UTC(), Machine: bench.ThisMachine(), BaseURL: o.url,
		Points: o.points, Lines: o.lines, Connections: o.connections, Warmup: o.warmup.String(),
		Duration: o.duration.String(), Seed: o.seed, Requests: o.requests}
	if o.serverPID > 0 {
		if rep.RSSBeforeKB, err = bench.RSS(o.serverPID); err != nil {
			return err
		}
	}
	suite := bench.Suite{Target: target, Client: client, Seed: o.seed, Requests: o.requests, Log: stderr,
		Load: bench.Load{Connections: o.connections, Warmup: o.warmup, Duration: o.duration}}
	rep.Workloads, err = suite.Run(ctx, workloads)
	if err != nil {
		return err
	}
	rep.LoadAfter = bench.LoadAverage()
	if o.serverPID > 0 {
		if rep.RSSAfterKB, err = bench.RSS(o.serverPID); err != nil {
			return err
		}
	}
	if err := rep.WriteTable(stdout); err != nil {
		return err
	}
	if o.out != "" {
		return writeJSON(o.out, rep)
	}
	return nil
}

// waitReady polls /readyz until it answers 200, the server process (when pid is
// set) exits, or timeout passes.
func waitReady(ctx context.Context, client *http.Client, base string, pid int, timeout time.Duration, log io.Writer) error {
	start := time.Now()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/readyz", nil)
		if err != nil {
			return err
		}
		if resp, err := client.Do(req); err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				fmt.Fprintf(log, "server ready after %.1f s\n", time.Since(start).Seconds())
				return nil
			}
		}
		if pid > 0 {
			if _, err := bench.RSS(pid); err != nil {
				return fmt.Errorf("the server (process %d) exited before it was ready", pid)
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s/readyz did not answer 200 within %v", base, timeout)
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// area is the part of the region profile the workloads draw requests in.
func area(r *catalog.Region) bench.Area {
	a := bench.Area{BBox: r.BBox}
	for _, p := range r.Places {
		a.Towns = append(a.Towns, bench.Town{Lon: p.Lon, Lat: p.Lat, Weight: p.Weight})
	}
	return a
}

// startCeiling starts this executable again as the ceiling server and returns its URL.
func startCeiling(ctx context.Context) (string, func(), error) {
	exe, err := os.Executable()
	if err != nil {
		return "", nil, err
	}
	cmd := exec.CommandContext(ctx, exe)
	cmd.Env = append(os.Environ(), ceilingEnv+"=1")
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe() // the child ends when this closes, even if we are killed
	if err != nil {
		return "", nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return "", nil, err
	}
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	stop := func() {
		stdin.Close()
		cmd.Process.Kill()
		cmd.Wait()
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		stop()
		return "", nil, fmt.Errorf("no address from the ceiling server: %w", err)
	}
	return strings.TrimSpace(line), stop, nil
}

// serveCeiling is the child process: it serves on a free loopback port, prints
// its URL, and exits when its standard input closes.
func serveCeiling(stdout io.Writer) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "http://%s\n", ln.Addr())
	go func() {
		io.Copy(io.Discard, os.Stdin)
		os.Exit(0)
	}()
	return bench.ServeCeiling(ln)
}

func writeJSON(path string, v any) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}
