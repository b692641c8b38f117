package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
	"github.com/paulmach/orb/maptile/tilecover"
)

// Town is a place the region's data clusters around, weighted by its size.
type Town struct {
	Lon, Lat float64
	Weight   int
}

// Area is the region requests are drawn in: its bounding box and its towns.
type Area struct {
	BBox  [4]float64 // minlon, minlat, maxlon, maxlat
	Towns []Town
}

// Target is the server under test and what the workloads ask it for.
type Target struct {
	BaseURL    string // the geodata server
	CeilingURL string // the hello-world server of the ceiling workload; "" skips it
	Points     string // a point collection: items, nearby and tiles
	Lines      string // a line collection: tiles-lines-z10
	// IntProperty is an integer property of Points that items-filter compares.
	IntProperty string
	Area        Area
}

// Workload is a named, reproducible mix of requests.
type Workload struct {
	Name        string
	Description string
	// Once sends each distinct request once over one connection: a cold cache.
	Once    bool
	ceiling bool // sent to the ceiling server
	paths   func(rng *rand.Rand, t Target, n int) []string
	// probe says why the server cannot run the workload yet ("" when it can).
	probe func(ctx context.Context, client *http.Client, t Target, first string) (string, error)
}

// Workloads returns every workload, in the order `make bench` runs them: the
// cold z6 tiles before anything else has asked for a z6 tile.
func Workloads() []Workload {
	return []Workload{
		{Name: "ceiling", ceiling: true, Description: "hello-world Go server, 200-byte JSON: the machine's HTTP ceiling",
			paths: func(*rand.Rand, Target, int) []string { return []string{"/"} }},
		{Name: "items-small", Description: "items, bbox of 1 km × 1 km around the towns, limit=100",
			paths: itemsPaths(1, 4, 100)},
		{Name: "items-district", Description: "items, bbox of 20 km × 20 km, limit=1000",
			paths: itemsPaths(20, 6, 1000)},
		{Name: "items-filter", Description: "items-small with filter=<integer property> > N AND S_INTERSECTS(geometry, BBOX(…))",
			paths: filterPaths, probe: refusedWith(http.StatusBadRequest, "the server does not take this CQL2 filter yet", false)},
		{Name: "nearby", Description: "/nearby?lon=&lat=&k=10 at points around the towns and anywhere in the region",
			paths: nearbyPaths, probe: refusedWith(http.StatusNotFound, "/nearby is not served yet", true)},
		{Name: "tiles-z6-cold", Once: true, Description: "every z6 tile of the region once, first request after start (cold cache)",
			paths: tilesOfRegion(6), probe: tilesProbe(false)},
		{Name: "tiles-z6", Description: "the region's z6 tiles again and again (warm cache)",
			paths: tilesOfRegion(6), probe: tilesProbe(false)},
		{Name: "tiles-z10", Description: "z10 tiles of the points where maps look",
			paths: tilesAround(10, false), probe: tilesProbe(false)},
		{Name: "tiles-z14", Description: "z14 tiles of the points where maps look",
			paths: tilesAround(14, false), probe: tilesProbe(false)},
		{Name: "tiles-lines-z10", Description: "z10 tiles of the lines",
			paths: tilesAround(10, true), probe: tilesProbe(true)},
	}
}

// Select returns the workloads named in list (comma-separated; "all" for every one).
func Select(list string) ([]Workload, error) {
	all := Workloads()
	if list == "" || list == "all" {
		return all, nil
	}
	var out []Workload
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		i := slices.IndexFunc(all, func(w Workload) bool { return w.Name == name })
		if i < 0 {
			names := make([]string, len(all))
			for j, w := range all {
				names[j] = w.Name
			}
			return nil, fmt.Errorf("unknown workload %q (have %s)", name, strings.Join(names, ", "))
		}
		out = append(out, all[i])
	}
	return out, nil
}

// Paths is the workload's request list for t: n paths drawn from seed (fewer when
// the workload has fewer distinct requests). The same seed gives the same list.
func (w Workload) Paths(t Target, seed uint64, n int) []string {
	h := fnv.New64a()
	h.Write([]byte(w.Name))
	return w.paths(rand.New(rand.NewPCG(seed, h.Sum64())), t, n)
}

// point draws a position where people look: around a town (by weight, spreadKm
// standard deviation) four times in five, anywhere in the region otherwise.
func (a Area) point(rng *rand.Rand, spreadKm float64) (lon, lat float64) {
	for {
		if len(a.Towns) == 0 || rng.IntN(5) == 0 {
			return a.BBox[0] + rng.Float64()*(a.BBox[2]-a.BBox[0]), a.BBox[1] + rng.Float64()*(a.BBox[3]-a.BBox[1])
		}
		t := a.town(rng)
		lat = t.Lat + rng.NormFloat64()*spreadKm/110.574
		lon = t.Lon + rng.NormFloat64()*spreadKm/(111.320*math.Cos(t.Lat*math.Pi/180))
		if lon >= a.BBox[0] && lon <= a.BBox[2] && lat >= a.BBox[1] && lat <= a.BBox[3] {
			return lon, lat
		}
	}
}

func (a Area) town(rng *rand.Rand) Town {
	total := 0
	for _, t := range a.Towns {
		total += max(t.Weight, 1)
	}
	w := rng.IntN(total)
	for _, t := range a.Towns {
		if w -= max(t.Weight, 1); w < 0 {
			return t
		}
	}
	return a.Towns[len(a.Towns)-1]
}

// box is a sideKm × sideKm bounding box centred on lon/lat, as bbox= writes it.
func box(lon, lat, sideKm float64) string {
	dLat := sideKm / 2 / 110.574
	dLon := sideKm / 2 / (111.320 * math.Cos(lat*math.Pi/180))
	return fmt.Sprintf("%.6f,%.6f,%.6f,%.6f", lon-dLon, lat-dLat, lon+dLon, lat+dLat)
}

func itemsPaths(sideKm, spreadKm float64, limit int) func(*rand.Rand, Target, int) []string {
	return func(rng *rand.Rand, t Target, n int) []string {
		out := make([]string, n)
		for i := range out {
			lon, lat := t.Area.point(rng, spreadKm)
			out[i] = fmt.Sprintf("/collections/%s/items?bbox=%s&limit=%d", url.PathEscape(t.Points), box(lon, lat, sideKm), limit)
		}
		return out
	}
}

func filterPaths(rng *rand.Rand, t Target, n int) []string {
	out := make([]string, n)
	for i := range out {
		lon, lat := t.Area.point(rng, 4)
		cql := fmt.Sprintf("%s > %d AND S_INTERSECTS(geometry, BBOX(%s))", t.IntProperty, 100*(1+rng.IntN(15)), box(lon, lat, 1))
		out[i] = fmt.Sprintf("/collections/%s/items?limit=100&filter=%s", url.PathEscape(t.Points), url.QueryEscape(cql))
	}
	return out
}

func nearbyPaths(rng *rand.Rand, t Target, n int) []string {
	out := make([]string, n)
	for i := range out {
		lon, lat := t.Area.point(rng, 4)
		out[i] = fmt.Sprintf("/nearby?lon=%.6f&lat=%.6f&k=10", lon, lat)
	}
	return out
}

// tilePath is the OGC API – Tiles path of a tile: tileMatrix/tileRow/tileCol.
func tilePath(collection string, t maptile.Tile) string {
	return fmt.Sprintf("/collections/%s/tiles/WebMercatorQuad/%d/%d/%d", url.PathEscape(collection), t.Z, t.Y, t.X)
}

// tilesOfRegion lists every tile of zoom z over the region, once each.
func tilesOfRegion(z maptile.Zoom) func(*rand.Rand, Target, int) []string {
	return func(_ *rand.Rand, t Target, _ int) []string {
		b := t.Area.BBox
		set := tilecover.Bound(orb.Bound{Min: orb.Point{b[0], b[1]}, Max: orb.Point{b[2], b[3]}}, z)
		var out []string
		for tile := range set {
			out = append(out, tilePath(t.Points, tile))
		}
		slices.Sort(out)
		return out
	}
}

// tilesAround draws tiles of zoom z at the positions where people look.
func tilesAround(z maptile.Zoom, lines bool) func(*rand.Rand, Target, int) []string {
	return func(rng *rand.Rand, t Target, n int) []string {
		collection := t.Points
		if lines {
			collection = t.Lines
		}
		out := make([]string, n)
		for i := range out {
			lon, lat := t.Area.point(rng, 4)
			out[i] = tilePath(collection, maptile.At(orb.Point{lon, lat}, z))
		}
		return out
	}
}

// tilesProbe asks for a z14 tile of the first town (never a z6 tile, which would
// warm the cache tiles-z6-cold measures) and skips the tiles workloads on 404.
func tilesProbe(lines bool) func(context.Context, *http.Client, Target, string) (string, error) {
	return func(ctx context.Context, client *http.Client, t Target, _ string) (string, error) {
		collection, lon, lat := t.Points, t.Area.BBox[0], t.Area.BBox[1]
		if lines {
			collection = t.Lines
		}
		if len(t.Area.Towns) > 0 {
			lon, lat = t.Area.Towns[0].Lon, t.Area.Towns[0].Lat
		}
		path := tilePath(collection, maptile.At(orb.Point{lon, lat}, 14))
		status, _, err := probe(ctx, client, t.BaseURL+path)
		if err != nil || status != http.StatusNotFound {
			return "", err
		}
		return fmt.Sprintf("tiles are not served yet (404 on GET %s)", path), nil
	}
}

// refusedWith skips a workload whose first request the server answers with
// status, saying why, the request (when showPath) and the server's description.
func refusedWith(status int, why string, showPath bool) func(context.Context, *http.Client, Target, string) (string, error) {
	return func(ctx context.Context, client *http.Client, t Target, first string) (string, error) {
		got, description, err := probe(ctx, client, t.BaseURL+first)
		if err != nil || got != status {
			return "", err
		}
		msg := fmt.Sprintf("%s (%d", why, got)
		if showPath {
			msg += " on GET " + first
		}
		if description != "" {
			msg += ": " + description
		}
		return msg + ")", nil
	}
}

// probe sends one request and returns its status and, for an error, the server's
// description of it, so a skip message says what the server refused.
func probe(ctx context.Context, client *http.Client, u string) (int, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, "", err
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, "", fmt.Errorf("probe: %w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return 0, "", fmt.Errorf("probe: %w", err)
	}
	var e struct {
		Description string `json:"description"`
	}
	if resp.StatusCode < 400 || json.Unmarshal(b, &e) != nil || e.Description == "" {
		return resp.StatusCode, "", nil
	}
	return resp.StatusCode, e.Description, nil
}
