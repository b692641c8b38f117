package filter

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// atsCase is one predicate of the CQL2 abstract test suite with its expected count.
type atsCase struct {
	file       string
	line       int
	collection string
	filter     string
	want       int
}

func readATS(t *testing.T, file string) []atsCase {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "ats", file))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []atsCase
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		text := sc.Text()
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		fields := strings.Split(text, " | ")
		n, err := strconv.Atoi(fields[len(fields)-1])
		if err != nil {
			t.Fatalf("%s:%d: %v", file, line, err)
		}
		c := atsCase{file: file, line: line, want: n}
		if len(fields) == 3 {
			c.collection, c.filter = fields[0], fields[1]
		} else { // the logical combinations of Basic CQL2
			p := fields[:4]
			c.collection = "ne_110m_populated_places_simple"
			c.filter = fmt.Sprintf("(NOT (%s) AND %s) OR (%s and %s) or not (%s OR %s)", p[1], p[0], p[2], p[3], p[0], p[3])
		}
		out = append(out, c)
	}
	return out
}

// TestATS runs the test-data tests of every conformance class this package
// claims: each predicate gives the standard's count, in memory and in
// PostGIS, from CQL2 text and from its CQL2 JSON.
func TestATS(t *testing.T) {
	d := loadTestData(t)
	files := []string{"basic-cql2.txt", "basic-cql2-logical.txt", "advanced-comparison-operators.txt",
		"case-insensitive-comparison.txt", "accent-insensitive-comparison.txt", "basic-spatial-functions.txt",
		"spatial-functions.txt", "temporal-functions.txt", "arithmetic.txt"}
	for _, file := range files {
		for _, c := range readATS(t, file) {
			t.Run(fmt.Sprintf("%s:%d", strings.TrimSuffix(file, ".txt"), c.line), func(t *testing.T) {
				s := d.snapshot(t, c.collection)
				q := queryablesOf(s)
				e, err := Parse(c.filter, LangText, q)
				if err != nil {
					t.Fatalf("%s: %v", c.filter, err)
				}
				mem, sql := d.memIDs(s, e), d.sqlIDs(t, s, e)
				if !slices.Equal(mem, sql) {
					t.Errorf("%s: in memory %v, in SQL %v", c.filter, mem, sql)
				}
				if len(mem) != c.want {
					t.Errorf("%s: %d features, the standard expects %d", c.filter, len(mem), c.want)
				}
				js, _ := e.MarshalJSON()
				ej, err := Parse(string(js), LangJSON, q)
				if err != nil {
					t.Fatalf("%s: its JSON %s: %v", c.filter, js, err)
				}
				if got := d.memIDs(s, ej); !slices.Equal(got, mem) {
					t.Errorf("%s: its JSON %s selects %v", c.filter, js, got)
				}
			})
		}
	}
}
