package filter

import (
	"slices"
	"testing"

	"github.com/vn-opendata/geodata/filter/filtertest"
)

// TestGeneratedFilters checks hundreds of random filters over the demo data
// and the CQL2 test data: each selects the same features in memory and in
// PostGIS, and its CQL2 JSON selects them too.
func TestGeneratedFilters(t *testing.T) {
	d := loadTestData(t)
	collections := append(slices.Clone(cql2Collections), "schools", "bts-sites", "postal-points", "parking",
		"traffic-signals", "bus-routes", "bus-stops", "bus-stations", "ports")
	total, nonEmpty, partial := 0, 0, 0
	for ci, c := range collections {
		s := d.snapshot(t, c)
		q := queryablesOf(s)
		g := filtertest.New(s, uint64(ci+1))
		for range 60 {
			src := g.Next()
			e, err := Parse(src, LangText, q)
			if err != nil {
				t.Errorf("%s: %s: %v", c, src, err)
				continue
			}
			total++
			mem, sql := d.memIDs(s, e), d.sqlIDs(t, s, e)
			if !slices.Equal(mem, sql) {
				t.Errorf("%s: %s\nin memory %d %v\nin SQL    %d %v", c, src, len(mem), clip(mem), len(sql), clip(sql))
				continue
			}
			if len(mem) > 0 {
				nonEmpty++
				if len(mem) < len(s.Features) {
					partial++
				}
			}
			js, _ := e.MarshalJSON()
			ej, err := Parse(string(js), LangJSON, q)
			if err != nil {
				t.Errorf("%s: %s: its JSON %s: %v", c, src, js, err)
				continue
			}
			if got := d.memIDs(s, ej); !slices.Equal(got, mem) {
				t.Errorf("%s: %s: its JSON selects %d features, not %d", c, src, len(got), len(mem))
			}
		}
	}
	t.Logf("%d generated filters: %d select something, %d select some but not all", total, nonEmpty, partial)
	if partial < total/3 {
		t.Errorf("only %d of %d filters select some but not all features: the generator is too weak", partial, total)
	}
}

func clip(ids []string) []string {
	if len(ids) > 12 {
		return append(ids[:12:12], "…")
	}
	return ids
}
