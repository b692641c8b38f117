package main_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vn-opendata/geodata/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

var binary string

// build compiles the geodata binary once per test process.
func build(t *testing.T) string {
	t.Helper()
	if binary != "" {
		return binary
	}
	dir, err := os.MkdirTemp("", "geodata-bin-")
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "geodata")
	cmd := exec.Command("go", "build", "-o", out, ".")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}
	binary = out
	return out
}

// geodata runs the binary against the package's test database (through
// DATABASE_URL, as an operator would) and returns stdout, stderr and the exit code.
func geodata(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(build(t), args...)
	cmd.Env = append(os.Environ(), "DATABASE_URL="+storetest.URL(t), "GEODATA_DATA_DIR="+t.TempDir())
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return stdout.String(), stderr.String(), code
}

func TestImportCommandReportsAndExitStatus(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("id,lon,lat\nx1,106.2,21.3\nx2,abc,21.3\n"), 0o644)
	report := filepath.Join(dir, "report.json")
	stdout, stderr, code := geodata(t, "import", bad, "--collection", "cli-bad", "--report", report)
	if code != 2 {
		t.Fatalf("exit %d, want 2 (rejected)\n%s\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stderr, "database: DATABASE_URL") {
		t.Errorf("the command does not say which database it uses:\n%s", stderr)
	}
	if !strings.Contains(stdout, "bad.csv:3 column \"lon\"") {
		t.Errorf("summary does not name line 3, column lon:\n%s", stdout)
	}
	var rep struct {
		Report struct {
			Rejected int
			Problems []struct {
				Line   int
				Column string
			}
		}
	}
	b, err := os.ReadFile(report)
	if err != nil || json.Unmarshal(b, &rep) != nil {
		t.Fatalf("report file: %v %s", err, b)
	}
	if rep.Report.Rejected != 1 || len(rep.Report.Problems) != 1 || rep.Report.Problems[0].Line != 3 {
		t.Fatalf("report %+v", rep.Report)
	}

	good := filepath.Join(dir, "good.csv")
	os.WriteFile(good, []byte("id,lon,lat\nx1,106.2,21.3\n"), 0o644)
	stdout, stderr, code = geodata(t, "import", "--collection", "cli-good", good, "--title", "Thử nghiệm", "--agency", "so-gddt")
	if code != 0 || !strings.Contains(stdout, "cli-good: version 1, 1 features") {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	if _, _, code := geodata(t, "import", good, "--collection", "cli-good", "--mode", "sideways"); code == 0 {
		t.Fatal("an unknown mode was accepted")
	}
}

// sample + import --manifest + serve: the path of `make run`, on a free port.
func TestSampleImportServe(t *testing.T) {
	dir := t.TempDir()
	if out, errOut, code := geodata(t, "sample", "--out", dir); code != 0 {
		t.Fatalf("sample: %s %s", out, errOut)
	}
	if out, errOut, code := geodata(t, "import", "--manifest", filepath.Join(dir, "manifest.json"), "--quiet"); code != 0 {
		t.Fatalf("import: %s %s", out, errOut)
	}
	out, _, _ := geodata(t, "import", "--manifest", filepath.Join(dir, "manifest.json"))
	if strings.Count(out, "unchanged, not imported again") != 9 {
		t.Errorf("a second import of the same sample re-imported something:\n%s", out)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cmd := exec.CommandContext(ctx, build(t), "serve", "--listen", addr)
	cmd.Env = append(os.Environ(), "DATABASE_URL="+storetest.URL(t), "GEODATA_DATA_DIR="+t.TempDir())
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer cmd.Process.Signal(os.Interrupt)
	line, _ := bufio.NewReader(stdout).ReadString('\n')
	if !strings.Contains(line, "serving on http://"+addr) {
		t.Fatalf("serve printed %q", line)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/readyz")
		if err == nil {
			var body struct {
				Status      string
				Collections map[string]int64
			}
			json.NewDecoder(resp.Body).Decode(&body)
			resp.Body.Close()
			if body.Status == "ready" && len(body.Collections) >= 9 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("server not ready: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	resp, err := http.Get(fmt.Sprintf("http://%s/collections/schools/items?limit=1", addr))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("items: %v %v", err, resp)
	}
	resp.Body.Close()
}
