package handlers

import (
	"errors"
	"fmt"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"github.com/vn-opendata/geodata/catalog"
	"github.com/vn-opendata/geodata/store"
)

// tinySnapshot is a snapshot of three points with one property of each type.
func tinySnapshot(t testing.TB) *catalog.Snapshot {
	c := store.Collection{ID: "tiny", Metadata: store.Metadata{TemporalProperty: "d"}, GeometryType: "Point", Schema: []store.Property{
		{Name: "s", Type: "string"}, {Name: "n", Type: "number"}, {Name: "i", Type: "integer"},
		{Name: "b", Type: "boolean"}, {Name: "d", Type: "date"}, {Name: "a, b", Type: "string"},
	}}
	b := catalog.NewSnapshotBuilder(c)
	for k, props := range []string{
		`{"s":"Đông","n":1.5,"i":3,"b":true,"d":"2020-02-29","a, b":"x"}`,
		`{"s":"Dương","n":2,"i":-1,"b":false,"d":"2021-01-01"}`,
		`{"s":"Anh"}`,
	} {
		g, err := wkb.Marshal(orb.Point{106 + float64(k)*0.1, 21})
		if err != nil {
			t.Fatal(err)
		}
		if err := b.Add(&store.StoredFeature{ID: fmt.Sprint("f", k), NumID: int64(k), WKB: g, Properties: []byte(props)}); err != nil {
			t.Fatal(err)
		}
	}
	return b.Build()
}

func TestParseDatetime(t *testing.T) {
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	cases := []struct {
		in         string
		start, end time.Time
		ok         bool
	}{
		{"2020-02-29", day("2020-02-29"), day("2020-03-01").Add(-time.Nanosecond), true},
		{"2020-02-29T", day("2020-02-29"), day("2020-03-01").Add(-time.Nanosecond), true},
		{"2020-02-29T12:00:00+07:00", day("2020-02-29").Add(5 * time.Hour), day("2020-02-29").Add(5 * time.Hour), true},
		{"2020-01-01T00:00:00Z/..", day("2020-01-01"), time.Time{}, true},
		{"../2020-01-01", time.Time{}, day("2020-01-02").Add(-time.Nanosecond), true},
		{"2020-01-01/9999-12-31T00:00:00Z", day("2020-01-01"), day("9999-12-31"), true},
		{"../..", time.Time{}, time.Time{}, false},
		{"2020-02-30", time.Time{}, time.Time{}, false},
		{"2021-01-01/2020-01-01", time.Time{}, time.Time{}, false},
		{"", time.Time{}, time.Time{}, false},
	}
	for _, c := range cases {
		got, err := parseDatetime(c.in)
		if (err == nil) != c.ok || (c.ok && (!got.start.Equal(c.start) || !got.end.Equal(c.end))) {
			t.Errorf("%q: %v %v, want %v %v ok=%v", c.in, got, err, c.start, c.end, c.ok)
		}
	}
}

func TestSplitNames(t *testing.T) {
	snap := tinySnapshot(t)
	cases := map[string][]string{
		"s,n":      {"s", "n"},
		"a, b,s":   {"a, b", "s"},
		"-a, b,+i": {"-a, b", "+i"},
		"s,a, b":   {"s", "a, b"},
		" s , i ":  {"s", "i"},
	}
	for in, want := range cases {
		got, bad := splitNames(in, snap, true)
		if bad != "" || fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%q: %q (bad %q), want %q", in, got, bad, want)
		}
	}
	if _, bad := splitNames("s,zz", snap, false); bad != "zz" {
		t.Errorf("unknown name reported as %q", bad)
	}
}

// Whatever the query, parsing never panics, and a refusal is a 400 naming a parameter.
func FuzzItemsQuery(f *testing.F) {
	for _, q := range []string{
		"limit=5&offset=2", "bbox=1,2,3,4", "bbox=170,-10,-170,10", "bbox=1,2,3,4,5,6&bbox-crs=EPSG:3857",
		"datetime=2020-01-01/..", "sortby=-n,s", "properties=a, b,s", "s=Đông", "n=1.50", "b=true",
		"crs=EPSG:4326", "crs=EPSG:9214&bbox-crs=EPSG:3405&bbox=600000,2350000,610000,2360000", "limit=99999999999999999999", "bbox=nan,1,2,3", "bbox-crs=EPSG:4326&bbox=21,106,22,107",
	} {
		f.Add(q)
	}
	snap := tinySnapshot(f)
	idx := (&snapshotIndexes{}).of(snap)
	region, err := catalog.LoadRegion(catalog.DefaultRegion)
	if err != nil {
		f.Fatal(err)
	}
	systems, err := newCRSCatalog(region)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, query string) {
		r := httptest.NewRequest("GET", "/collections/tiny/items?"+url.PathEscape(query), nil)
		r.URL.RawQuery = query
		q, err := parseItemsQuery(r, snap, idx, systems)
		if err != nil {
			var e *Error
			_, emptyName := r.URL.Query()[""]
			if !errors.As(err, &e) || e.Status != 400 || (e.Parameter == "" && !emptyName) {
				t.Fatalf("%q: %v", query, err)
			}
			return
		}
		hits := q.match(snap, idx)
		if len(hits) > len(snap.Features) || q.limit < 1 || q.limit > maxLimit {
			t.Fatalf("%q: %d hits, limit %d", query, len(hits), q.limit)
		}
	})
}
