// Package sample writes the synthetic datasets of geodata: the demo collections
// that `make run` imports and the large benchmark data. They are deterministic
// (fixed seeds), clustered around the real towns of the region profile, with
// Vietnamese names and properties, and written as the files departments send, so
// that loading them exercises the real importers. The values are invented: the
// metadata of every collection says so. It may import geo, catalog and store
// (for metadata types) only.
package sample

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/vn-opendata/geodata/catalog"
	"github.com/vn-opendata/geodata/importers"
	"github.com/vn-opendata/geodata/store"
)

// Entry is one file of a manifest and how to import it.
type Entry struct {
	File       string            `json:"file"` // relative to the manifest
	Collection string            `json:"collection"`
	Options    importers.Options `json:"options"`
	Metadata   store.Metadata    `json:"metadata"`
}

// Manifest lists the files of a sample folder.
type Manifest struct {
	Region  string  `json:"region"`
	Entries []Entry `json:"entries"`
}

// ManifestName is the manifest's file name inside a sample folder.
const ManifestName = "manifest.json"

// ReadManifest reads a manifest and makes its file paths absolute.
func ReadManifest(path string) (*Manifest, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("manifest %s: %w", path, err)
	}
	dir := filepath.Dir(path)
	for i := range m.Entries {
		if !filepath.IsAbs(m.Entries[i].File) {
			m.Entries[i].File = filepath.Join(dir, m.Entries[i].File)
		}
	}
	return &m, nil
}

func writeManifest(dir string, m Manifest) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, ManifestName), b, 0o644)
}

// generator draws deterministic positions around the region's towns.
type generator struct {
	rng    *rand.Rand
	region *catalog.Region
}

func newGenerator(region *catalog.Region, seed uint64) *generator {
	g := &generator{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), region: region}
	return g
}

// town picks a town, more often the larger ones.
func (g *generator) town() catalog.Place {
	return g.region.Places[g.weighted(len(g.region.Places), func(i int) int { return g.region.Places[i].Weight })]
}

// near returns a point around a town: a dense core and a wider ring of villages,
// kept inside the region's bounding box.
func (g *generator) near(t catalog.Place, spreadKm float64) (lon, lat float64) {
	for {
		sigma := spreadKm * (0.25 + 0.75*float64(t.Weight)/6)
		if g.rng.Float64() < 0.35 {
			sigma *= 3 // outlying villages
		}
		dx := g.rng.NormFloat64() * sigma
		dy := g.rng.NormFloat64() * sigma
		lat = t.Lat + dy/110.574
		lon = t.Lon + dx/(111.320*math.Cos(t.Lat*math.Pi/180))
		if g.region.Contains(lon, lat) {
			return round7(lon), round7(lat)
		}
	}
}

// weighted picks an index in [0, n) with probability proportional to weight(i).
func (g *generator) weighted(n int, weight func(int) int) int {
	total := 0
	for i := 0; i < n; i++ {
		total += weight(i)
	}
	w := g.rng.IntN(total)
	for i := 0; i < n; i++ {
		if w < weight(i) {
			return i
		}
		w -= weight(i)
	}
	return n - 1
}

func (g *generator) pick(list []string) string { return list[g.rng.IntN(len(list))] }

func round7(v float64) float64 { return math.Round(v*1e7) / 1e7 }

// Stats says what was written.
type Stats struct {
	Files    int
	Features int
}
