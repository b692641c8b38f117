package handlers_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The curl examples of the README's API sections work: each runs with the real
// curl against the test server and answers a success status.
func TestREADMEExamples(t *testing.T) {
	e := sampleEnv(t)
	readme, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	comment := regexp.MustCompile(`\s+#\s.*$`)
	var lines []string
	section := ""
	for _, line := range strings.Split(string(readme), "\n") {
		if strings.HasPrefix(line, "## ") {
			section = line
		}
		if (section == "## API examples" || section == "## OGC API – Features" || section == "## Filtering with CQL2") && strings.HasPrefix(line, "curl ") {
			lines = append(lines, comment.ReplaceAllString(line, ""))
		}
	}
	if len(lines) < 20 {
		t.Fatalf("only %d curl examples found in the README", len(lines))
	}
	dir := t.TempDir()
	for _, line := range lines {
		script := "B=" + e.URL + "\n" + strings.ReplaceAll(line, "http://127.0.0.1:8080", e.URL) + ` -w '\n%{http_code}'`
		cmd := exec.Command("bash", "-c", script)
		cmd.Dir = dir
		out, err := cmd.Output()
		if err != nil {
			t.Errorf("%s: %v", line, err)
			continue
		}
		lastLine := string(out[strings.LastIndexByte(strings.TrimRight(string(out), "\n"), '\n')+1:])
		if code := strings.TrimSpace(lastLine); code != "200" && code != "204" {
			t.Errorf("%s: HTTP %s\n%.300s", line, code, out)
		}
	}
}
