package handlers_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vn-opendata/geodata/ingest"
)

type featureCollection struct {
	Type           string    `json:"type"`
	NumberMatched  int       `json:"numberMatched"`
	NumberReturned int       `json:"numberReturned"`
	Links          []linkDoc `json:"links"`
	Features       []struct {
		ID         string         `json:"id"`
		Properties map[string]any `json:"properties"`
	} `json:"features"`
}

type linkDoc struct {
	Href, Rel, Type string
}

func (fc featureCollection) link(rel string) string {
	for _, l := range fc.Links {
		if l.Rel == rel {
			return l.Href
		}
	}
	return ""
}

// allItems follows next links from url and returns every feature id.
func allItems(t *testing.T, url string) []string {
	t.Helper()
	var ids []string
	for url != "" {
		var fc featureCollection
		if resp := get(t, url, &fc); resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d", url, resp.StatusCode)
		}
		for _, f := range fc.Features {
			ids = append(ids, f.ID)
		}
		if fc.NumberReturned != len(fc.Features) {
			t.Fatalf("numberReturned %d, %d features", fc.NumberReturned, len(fc.Features))
		}
		url = fc.link("next")
	}
	return ids
}

// The items of a bbox are exactly the features PostGIS finds with ST_Intersects.
func TestItemsBBoxEqualsPostGIS(t *testing.T) {
	e := sampleEnv(t)
	rng := rand.New(rand.NewPCG(1, 2))
	r := e.Region.BBox
	for _, coll := range []string{"schools", "bus-routes", "bus-stops"} {
		for i := 0; i < 25; i++ {
			w, h := 0.01+rng.Float64()*0.3, 0.01+rng.Float64()*0.2
			x := r[0] + rng.Float64()*(r[2]-r[0]-w)
			y := r[1] + rng.Float64()*(r[3]-r[1]-h)
			bbox := fmt.Sprintf("%.6f,%.6f,%.6f,%.6f", x, y, x+w, y+h)
			got := allItems(t, e.URL+"/collections/"+coll+"/items?limit=1000&bbox="+bbox)
			rows, err := e.DB.Pool.Query(context.Background(), `SELECT f.id FROM features f JOIN collections c
				ON c.id = f.collection_id AND c.generation = f.generation
				WHERE c.id = $1 AND ST_Intersects(f.geom, ST_MakeEnvelope($2, $3, $4, $5, 4326))`,
				coll, x, y, x+w, y+h)
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for rows.Next() {
				var id string
				rows.Scan(&id)
				want = append(want, id)
			}
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Fatalf("%s bbox %s: %d items, PostGIS finds %d", coll, bbox, len(got), len(want))
			}
		}
	}
}

// Paging through next links returns every feature once, in source order.
func TestItemsPagingFollowsNextLinks(t *testing.T) {
	e := sampleEnv(t)
	snap, _ := e.Cat.Snapshot("postal-points")
	got := allItems(t, e.URL+"/collections/postal-points/items?limit=37")
	if len(got) != len(snap.Features) {
		t.Fatalf("%d ids through paging, want %d", len(got), len(snap.Features))
	}
	for i, id := range got {
		if id != snap.Features[i].ID {
			t.Fatalf("item %d is %s, want %s (source order)", i, id, snap.Features[i].ID)
		}
	}
	var fc featureCollection
	get(t, e.URL+"/collections/postal-points/items?limit=37&offset=37", &fc)
	if prev := fc.link("prev"); !strings.Contains(prev, "offset=0") {
		t.Errorf("prev link %q, want offset=0", prev)
	}
}

func TestItemsParameters(t *testing.T) {
	e := sampleEnv(t)
	cases := []struct {
		query  string
		status int
		param  string
	}{
		{"limit=0", 400, "limit"},
		{"limit=abc", 400, "limit"},
		{"limit=-5", 400, "limit"},
		{"offset=-1", 400, "offset"},
		{"bbox=1,2,3", 400, "bbox"},
		{"bbox=106,21,a,22", 400, "bbox"},
		{"bbox=106,22,107,21", 400, "bbox"},
		{"colour=red", 400, "colour"},
		{"f=xml", 400, "f"},
		{"limit=100000", 200, ""},
		{"bbox=106,21,0,107,22,100", 200, ""},
	}
	for _, c := range cases {
		var body struct {
			Code, Parameter string
			NumberReturned  int
		}
		resp := get(t, e.URL+"/collections/schools/items?"+c.query, &body)
		if resp.StatusCode != c.status {
			t.Errorf("%s: status %d, want %d", c.query, resp.StatusCode, c.status)
		}
		if body.Parameter != c.param {
			t.Errorf("%s: error names %q, want %q", c.query, body.Parameter, c.param)
		}
	}
	var fc featureCollection
	get(t, e.URL+"/collections/schools/items?limit=100000", &fc)
	if fc.NumberReturned != 1800 {
		t.Errorf("limit above the maximum: %d returned, want all 1800 (clamped to 10000)", fc.NumberReturned)
	}
	if resp := get(t, e.URL+"/collections/nope/items", nil); resp.StatusCode != 404 {
		t.Errorf("unknown collection: %d", resp.StatusCode)
	}
	if resp := get(t, e.URL+"/collections/schools/items/nope", nil); resp.StatusCode != 404 {
		t.Errorf("unknown feature: %d", resp.StatusCode)
	}
	resp := get(t, e.URL+"/collections/schools/items/BG-TR-00001", nil)
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != 200 || ct != "application/geo+json" {
		t.Errorf("one feature: %d %s", resp.StatusCode, ct)
	}
}

// Properties typed number are written with a decimal point; every schema property is present.
func TestItemsNumbersAndSchemaOrder(t *testing.T) {
	e := sampleEnv(t)
	resp := get(t, e.URL+"/collections/bts-sites/items?limit=50", nil)
	body := readAll(t, resp)
	if !strings.Contains(body, `"chieu_cao_cot_m":`) {
		t.Fatal("height missing")
	}
	for _, part := range strings.Split(body, `"chieu_cao_cot_m":`)[1:] {
		num := part[:strings.IndexAny(part, ",}")]
		if !strings.Contains(num, ".") {
			t.Fatalf("number property written as %q, want a decimal point", num)
		}
	}
	snap, _ := e.Cat.Snapshot("bts-sites")
	first := strings.Index(body, `"properties":{`)
	prev := first
	for _, p := range snap.Collection.Schema {
		i := strings.Index(body[first:], `"`+p.Name+`":`)
		if i < 0 || first+i < prev {
			t.Fatalf("property %s missing or out of schema order", p.Name)
		}
		prev = first + i
	}
}

// Conditional GET: the ETag comes back as 304.
func TestItemsETag(t *testing.T) {
	e := sampleEnv(t)
	resp := get(t, e.URL+"/collections/ports/items", nil)
	tag := resp.Header.Get("ETag")
	if tag == "" {
		t.Fatal("no ETag")
	}
	if resp := get(t, e.URL+"/collections/ports/items", nil, "If-None-Match", tag); resp.StatusCode != http.StatusNotModified {
		t.Fatalf("If-None-Match: %d, want 304", resp.StatusCode)
	}
	if other := get(t, e.URL+"/collections/ports/items?limit=3", nil).Header.Get("ETag"); other == tag {
		t.Fatal("another query has the same ETag")
	}
}

// While clients read, an import of a new version reaches the snapshot through
// NOTIFY; the version clients see changes, and no response mixes two versions.
func TestReloadOnNotifyWhileReading(t *testing.T) {
	e := sampleEnv(t)
	ctx := context.Background()
	dir := t.TempDir()
	write := func(version, n int) string {
		var b strings.Builder
		b.WriteString("id,lon,lat,v\n")
		for i := 0; i < n; i++ {
			fmt.Fprintf(&b, "r%d,%.5f,%.5f,%d\n", i, 106.0+float64(i%50)*0.01, 21.2+float64(i/50)*0.01, version)
		}
		p := filepath.Join(dir, fmt.Sprintf("v%d.csv", version))
		if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	imp := func(path string) int64 {
		res, err := ingest.Import(ctx, e.DB, ingest.Request{Path: path, Collection: "reload-test", Actor: "test", Region: e.Region})
		if err != nil {
			t.Fatal(err)
		}
		return res.Version
	}
	imp(write(1, 300))
	waitVersion(t, e, "reload-test", 1)

	var stop atomic.Bool
	var wg sync.WaitGroup
	seen := sync.Map{}
	errs := make(chan string, 100)
	for c := 0; c < 4; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				var fc featureCollection
				resp := get(t, e.URL+"/collections/reload-test/items?limit=1000&bbox=105.9,21.1,106.6,21.6", &fc)
				if resp.StatusCode != 200 {
					errs <- fmt.Sprintf("status %d", resp.StatusCode)
					return
				}
				versions := map[any]bool{}
				for _, f := range fc.Features {
					versions[f.Properties["v"]] = true
				}
				if len(versions) != 1 {
					errs <- fmt.Sprintf("one response mixes versions %v", versions)
					return
				}
				for v := range versions {
					seen.Store(fmt.Sprint(v, "/", len(fc.Features)), true)
				}
			}
		}()
	}
	time.Sleep(100 * time.Millisecond)
	v2 := imp(write(2, 450))
	waitVersion(t, e, "reload-test", v2)
	time.Sleep(100 * time.Millisecond)
	stop.Store(true)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for _, want := range []string{"1/300", "2/450"} {
		if _, ok := seen.Load(want); !ok {
			t.Errorf("clients never saw version/count %s", want)
		}
	}
}

func waitVersion(t *testing.T, e *env, id string, v int64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if s, ok := e.Cat.Snapshot(id); ok && s.Version() >= v {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("snapshot of %s never reached version %d", id, v)
}

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	var b strings.Builder
	buf := make([]byte, 32<<10)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return b.String()
}
