// Package shareddata finds the project's shared public test data (shared/data
// beside the checkout; see its SOURCES.md) for the tests of every package. It
// imports only the standard library.
package shareddata

import (
	"os"
	"path/filepath"
	"testing"
)

// Path is the path of elem (a file or folder) in the shared test data: under
// $GEODATA_SHARED_DATA when set, else under the first shared/data folder above
// the working directory. The test fails when there is none.
func Path(t testing.TB, elem ...string) string {
	t.Helper()
	if dir := os.Getenv("GEODATA_SHARED_DATA"); dir != "" {
		return filepath.Join(append([]string{dir}, elem...)...)
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		data := filepath.Join(dir, "shared", "data")
		if st, err := os.Stat(data); err == nil && st.IsDir() {
			return filepath.Join(append([]string{data}, elem...)...)
		}
		if filepath.Dir(dir) == dir {
			t.Fatalf("shared test data not found above %s; set GEODATA_SHARED_DATA", wd)
			return ""
		}
	}
}
