package handlers_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// runBrowserScript runs web/e2e/<script> with node against the test server;
// the script drives headless Chromium and exits non-zero on failure.
func runBrowserScript(t *testing.T, script string, args ...string) {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	for _, need := range []string{
		"/usr/bin/chromium",
		filepath.Join(root, "web/node_modules/playwright-core"),
		filepath.Join(root, "web/static/vendor/maplibre-gl-csp.js"),
	} {
		if _, err := os.Stat(need); err != nil {
			t.Skipf("browser test needs %s (make test installs it): %v", need, err)
		}
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("browser test needs node (make test checks it)")
	}
	cmd := exec.Command(node, append([]string{filepath.Join(root, "web/e2e", script)}, args...)...)
	cmd.Dir = filepath.Join(root, "web")
	done := make(chan struct{})
	var out []byte
	go func() { out, err = cmd.CombinedOutput(); close(done) }()
	select {
	case <-done:
	case <-time.After(3 * time.Minute):
		cmd.Process.Kill()
		<-done
		t.Fatalf("%s timed out:\n%s", script, out)
	}
	if err != nil {
		t.Fatalf("%s: %v\n%s", script, err, out)
	}
}

// The home page map opens in headless Chromium with no console errors and shows
// features of every sample collection.
func TestBrowserHomeMap(t *testing.T) {
	e := sampleEnv(t)
	runBrowserScript(t, "map.mjs", e.URL)
}

// The collection, items and feature pages show their maps, switch language and
// page through items in headless Chromium without console errors.
func TestBrowserFeaturePages(t *testing.T) {
	e := sampleEnv(t)
	for _, coll := range []string{"bus-routes", "schools"} {
		snap, _ := e.Cat.Snapshot(coll)
		runBrowserScript(t, "pages.mjs", e.URL, coll, snap.Features[len(snap.Features)/2].ID)
	}
}

// The catalogue page renders in Vietnamese, searches without accents, filters
// by theme and agency, and fits a phone.
func TestBrowserCatalogue(t *testing.T) {
	e := sampleEnv(t)
	runBrowserScript(t, "catalog.mjs", e.URL)
}

// The agencies page draws the coverage chart and tables.
func TestBrowserAgencies(t *testing.T) {
	e := sampleEnv(t)
	runBrowserScript(t, "agencies.mjs", e.URL)
}

// A citizen sends feedback from the pages.
func TestBrowserFeedback(t *testing.T) {
	e := sampleEnv(t)
	runBrowserScript(t, "feedback.mjs", e.URL)
}

// The citizens' page /gan-toi with an emulated geolocation: categories, name
// search and taps on the map list what /nearby answers.
func TestBrowserNearbyPage(t *testing.T) {
	e := sampleEnv(t)
	runBrowserScript(t, "nearby.mjs", e.URL)
}
