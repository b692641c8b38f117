package catalog_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vn-opendata/geodata/catalog"
	"github.com/vn-opendata/geodata/store"
)

func day(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := catalog.ParseDay(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func days(t *testing.T, list ...string) []time.Time {
	var out []time.Time
	for _, s := range list {
		out = append(out, day(t, s))
	}
	return out
}

// fixtureAgencies: a renamed agency (so-b → so-c on 1 January 2025), one merged
// mid-year (so-d into so-a after 15 June 2025), one created on 1 January 2024,
// one dissolved on 31 December 2023, and one that never publishes.
func fixtureAgencies(t *testing.T) *catalog.Agencies {
	ag, err := catalog.NewAgencies([]store.Agency{
		{ID: "so-a", Name: "Sở A"},
		{ID: "so-b", Name: "Sở B", ValidTo: "2024-12-31", SuccessorID: "so-c", Change: "rename"},
		{ID: "so-c", Name: "Sở C", ValidFrom: "2025-01-01"},
		{ID: "so-d", Name: "Sở D", ValidTo: "2025-06-15", SuccessorID: "so-a", Change: "merge"},
		{ID: "so-e", Name: "Sở E", ValidFrom: "2024-01-01"},
		{ID: "so-f", Name: "Sở F", ValidTo: "2023-12-31", Change: "dissolve"},
		{ID: "so-g", Name: "Sở G"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return ag
}

func fixtureDatasets(t *testing.T) []catalog.DatasetFacts {
	return []catalog.DatasetFacts{
		{ID: "d1", AgencyID: "so-b", Published: day(t, "2023-12-31"), Updates: days(t, "2023-12-31", "2024-12-30"), MaxDays: 366},
		{ID: "d2", AgencyID: "so-d", Published: day(t, "2024-01-01"), Updates: days(t, "2024-01-01", "2024-12-15", "2025-03-01"), MaxDays: 32},
		{ID: "d3", AgencyID: "so-f", Published: day(t, "2023-06-01")},
		{ID: "d4", AgencyID: "so-e", Published: day(t, "2025-12-31")},
		{ID: "d5", AgencyID: "so-c", Published: day(t, "2023-03-01"), MaxDays: 93},
	}
}

// The coverage of each year against hand-computed expectations (see the
// comments): agencies counted are those existing on 31 December; datasets pass to
// successors; a dataset first provided on 31 December counts for that year and
// one provided on 1 January for the next.
func TestCoverageFixture(t *testing.T) {
	ag := fixtureAgencies(t)
	targets := []catalog.CoverageTarget{{Year: 2023, Percent: 70, Strict: true}, {Year: 2024, Percent: 90, Strict: true}, {Year: 2025, Percent: 100}}
	today := day(t, "2026-11-26")
	type want struct {
		asOf           string
		final          bool
		agencies       map[string][]string // agency → datasets
		upToDate       int
		open, total    int
		percent, fresh float64
		ended          map[string]string // agency → successor
		orphans        []string
		met            bool
		target         bool
	}
	cases := map[int]want{
		// Existing on 2023-12-31: a, b, d, f (its last day), g. d1 (first provided that
		// very day) and d5 (by so-c, which did not exist yet: its one predecessor so-b
		// answers) go to so-b; d3 to so-f; d2 (1 January 2024) is not open yet.
		// d5 was last provided on 1 March, 305 days > 93: stale.
		2023: {asOf: "2023-12-31", final: true, total: 5, open: 2, upToDate: 2, percent: 40, fresh: 40,
			agencies: map[string][]string{"so-a": {}, "so-b": {"d1", "d5"}, "so-d": {}, "so-f": {"d3"}, "so-g": {}},
			ended:    map[string]string{}, orphans: []string{}, target: true, met: false},
		// Existing on 2024-12-31: a, b (its last day), d, e (since 1 January), g; so-f
		// ended on the last day of 2023, so it is no agency of 2024 and d3 has nobody.
		2024: {asOf: "2024-12-31", final: true, total: 5, open: 2, upToDate: 2, percent: 40, fresh: 40,
			agencies: map[string][]string{"so-a": {}, "so-b": {"d1", "d5"}, "so-d": {"d2"}, "so-e": {}, "so-g": {}},
			ended:    map[string]string{}, orphans: []string{"d3"}, target: true, met: false},
		// Existing on 2025-12-31: a, c (renamed from b), e, g. so-d merged into so-a in
		// June: d2 is so-a's, but its last version (1 March) is 305 days old for a
		// monthly dataset. d1 last updated 2024-12-30: 366 days, still within a year.
		2025: {asOf: "2025-12-31", final: true, total: 4, open: 3, upToDate: 2, percent: 75, fresh: 50,
			agencies: map[string][]string{"so-a": {"d2"}, "so-c": {"d1", "d5"}, "so-e": {"d4"}, "so-g": {}},
			ended:    map[string]string{"so-d": "so-a"}, orphans: []string{"d3"}, target: true, met: false},
		// The running year is measured today, without a target.
		2026: {asOf: "2026-11-26", final: false, total: 4, open: 3, upToDate: 1, percent: 75, fresh: 25,
			agencies: map[string][]string{"so-a": {"d2"}, "so-c": {"d1", "d5"}, "so-e": {"d4"}, "so-g": {}},
			ended:    map[string]string{}, orphans: []string{"d3"}},
	}
	for year, w := range cases {
		yc := catalog.Coverage(ag, fixtureDatasets(t), year, today, targets)
		got := map[string][]string{}
		for _, c := range yc.Agencies {
			got[c.Agency.ID] = c.Datasets
		}
		ended := map[string]string{}
		for _, e := range yc.Ended {
			ended[e.Agency.ID] = e.Successor
		}
		if yc.AsOf != w.asOf || yc.Final != w.final {
			t.Errorf("%d: as of %s final %v, want %s %v", year, yc.AsOf, yc.Final, w.asOf, w.final)
		}
		if !reflect.DeepEqual(got, w.agencies) {
			t.Errorf("%d: agencies %v, want %v", year, got, w.agencies)
		}
		if yc.Total != w.total || yc.Open != w.open || yc.UpToDate != w.upToDate {
			t.Errorf("%d: open %d up to date %d of %d, want %d %d of %d", year, yc.Open, yc.UpToDate, yc.Total, w.open, w.upToDate, w.total)
		}
		if yc.Percent != w.percent || yc.PercentUpToDate != w.fresh {
			t.Errorf("%d: %v %% (up to date %v %%), want %v %% (%v %%)", year, yc.Percent, yc.PercentUpToDate, w.percent, w.fresh)
		}
		if !reflect.DeepEqual(ended, w.ended) || !reflect.DeepEqual(yc.Orphans, w.orphans) {
			t.Errorf("%d: ended %v orphans %v, want %v %v", year, ended, yc.Orphans, w.ended, w.orphans)
		}
		if (yc.Target != nil) != w.target || (yc.Met != nil && *yc.Met != w.met) {
			t.Errorf("%d: target %v met %v, want target %v met %v", year, yc.Target, yc.Met, w.target, w.met)
		}
	}
}

// Targets compare the exact share: "more than 70 %" is not met by 7 of 10 but by
// 71 of 101 (70.3 %), and 100 % needs every agency.
func TestCoverageTargetMet(t *testing.T) {
	above70 := catalog.CoverageTarget{Year: 2023, Percent: 70, Strict: true}
	all := catalog.CoverageTarget{Year: 2025, Percent: 100}
	cases := []struct {
		t        catalog.CoverageTarget
		n, total int
		want     bool
	}{
		{above70, 7, 10, false}, {above70, 8, 10, true}, {above70, 71, 101, true}, {above70, 70, 100, false},
		{all, 9, 10, false}, {all, 10, 10, true}, {all, 0, 0, false},
	}
	for _, c := range cases {
		if got := c.t.Met(c.n, c.total); got != c.want {
			t.Errorf("%s with %d/%d: %v, want %v", c.t.Label(), c.n, c.total, got, c.want)
		}
	}
}

// Datasets of the shipped profile pass along its 2025 changes: the Department of
// Information and Communications into Science and Technology on 1 March, then into
// the new Bắc Ninh province's department on 1 July.
func TestRegionAgencyHistory(t *testing.T) {
	region, err := catalog.LoadRegion(catalog.DefaultRegion)
	if err != nil {
		t.Fatal(err)
	}
	ag := region.AgencyHistory()
	cases := []struct {
		id, on, want string
	}{
		{"so-tttt", "2025-02-28", "so-tttt"},
		{"so-tttt", "2025-03-01", "so-khcn"},
		{"so-tttt", "2025-06-30", "so-khcn"},
		{"so-tttt", "2025-07-01", "bn-so-khcn"},
		{"so-gtvt", "2025-12-31", "bn-so-xd"},
		{"so-tnmt", "2025-03-01", "so-nnmt"},
		{"so-gddt", "2024-12-31", "so-gddt"},
		{"so-nnmt", "2024-06-01", ""}, // formed from two departments: no single predecessor
		{"ubnd-luc-ngan", "2025-07-01", ""},
		{"bn-so-khcn", "2025-06-30", "so-khcn"}, // its one predecessor
	}
	for _, c := range cases {
		got, _ := ag.ResponsibleOn(c.id, day(t, c.on))
		if got != c.want {
			t.Errorf("ResponsibleOn(%s, %s) = %q, want %q", c.id, c.on, got, c.want)
		}
	}
	if len(region.CoverageTargets) != 3 {
		t.Errorf("targets %v", region.CoverageTargets)
	}
	preds := ag.Predecessors("bn-so-nnmt")
	if strings.Join(preds, ",") != "so-nnmt,so-tnmt,so-nnptnt" {
		t.Errorf("predecessors of bn-so-nnmt: %v", preds)
	}
}

// Profiles with impossible histories are refused with the agency named.
func TestNewAgenciesRefuses(t *testing.T) {
	cases := map[string][]store.Agency{
		"successor so-x is not in the list": {{ID: "so-a", ValidTo: "2025-01-01", SuccessorID: "so-x", Change: "merge"}},
		"successors form a cycle": {{ID: "so-a", ValidTo: "2025-01-01", SuccessorID: "so-b", Change: "rename"},
			{ID: "so-b", ValidTo: "2025-01-01", SuccessorID: "so-a", Change: "rename"}},
		"needs the date it took over": {{ID: "so-a", SuccessorID: "so-b", Change: "merge"}, {ID: "so-b"}},
		"want YYYY-MM-DD":             {{ID: "so-a", ValidTo: "31/12/2024"}},
		"before valid_from":           {{ID: "so-a", ValidFrom: "2025-01-01", ValidTo: "2024-01-01"}},
		"want rename, merge":          {{ID: "so-a", Change: "absorbed"}},
		"listed twice":                {{ID: "so-a"}, {ID: "so-a"}},
	}
	for want, list := range cases {
		_, err := catalog.NewAgencies(list)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%v: error %v, want %q", list, err, want)
		}
	}
}
