package tiles

import (
	"encoding/json"
	"fmt"
	"os"
)

// Tile geometry constants: every layer has this extent and this buffer (in tile
// units) around the tile, so lines and circles cross tile edges without seams.
const (
	Extent = 4096
	Buffer = 64
)

// Defaults of Options.
const (
	DefaultMaxBytes       = 500_000
	DefaultMaxZoom        = 14
	DefaultClusterMaxZoom = 13
	DefaultHeavyZoom      = 12
	DefaultHeavyBytes     = 8
	DefaultCacheBytes     = 64 << 20
	// MaxZoomLimit is the deepest zoom a tileset may declare.
	MaxZoomLimit = 22
)

// Options configure how tiles are made. The zero value of a field means its default.
type Options struct {
	// MaxBytes bounds the uncompressed size of a tile; points are clustered and
	// properties dropped until a tile fits.
	MaxBytes int `json:"max_bytes"`
	// MaxZoom is the deepest zoom of the tilesets (clients overzoom beyond it).
	MaxZoom int `json:"max_zoom"`
	// CacheBytes is the byte budget of the in-memory cache of encoded tiles.
	CacheBytes int64 `json:"cache_bytes"`
	// Defaults apply to every collection, Collections override them per collection id.
	Defaults    LayerOptions            `json:"defaults"`
	Collections map[string]LayerOptions `json:"collections"`
}

// LayerOptions configure the layer of one collection.
type LayerOptions struct {
	// ClusterMaxZoom is the deepest zoom at which nearby points are always
	// grouped into clusters; deeper, points are clustered only when a tile would
	// exceed MaxBytes. -1: never by zoom, only to fit MaxBytes.
	ClusterMaxZoom int `json:"cluster_max_zoom"`
	// HeavyBytes: a property costing more than this many bytes per feature on
	// average (unique strings such as addresses and phone numbers) is heavy.
	HeavyBytes int `json:"heavy_bytes"`
	// HeavyZoom is the zoom from which heavy properties are in the tiles.
	HeavyZoom int `json:"heavy_zoom"`
	// PropertyZoom sets, per property name, the zoom from which it is in the
	// tiles, overriding the heavy/light rule; a negative zoom leaves it out.
	PropertyZoom map[string]int `json:"property_zoom"`
}

// LoadOptions reads options from a JSON file.
func LoadOptions(path string) (Options, error) {
	var o Options
	b, err := os.ReadFile(path)
	if err != nil {
		return o, fmt.Errorf("tile options: %w", err)
	}
	if err := json.Unmarshal(b, &o); err != nil {
		return o, fmt.Errorf("tile options %s: %w", path, err)
	}
	return o, o.Validate()
}

// Validate reports options out of range.
func (o Options) Validate() error {
	if o.MaxBytes < 0 || (o.MaxBytes > 0 && o.MaxBytes < 16_000) {
		return fmt.Errorf("tile options: max_bytes %d: want at least 16000", o.MaxBytes)
	}
	if o.MaxZoom < 0 || o.MaxZoom > MaxZoomLimit {
		return fmt.Errorf("tile options: max_zoom %d: want 0..%d", o.MaxZoom, MaxZoomLimit)
	}
	if o.CacheBytes < 0 {
		return fmt.Errorf("tile options: cache_bytes %d is negative", o.CacheBytes)
	}
	for id, l := range o.Collections {
		if l.ClusterMaxZoom < -1 || l.HeavyZoom < 0 || l.HeavyBytes < 0 {
			return fmt.Errorf("tile options: collection %s: zooms and sizes must not be negative", id)
		}
	}
	return nil
}

// withDefaults fills every zero field.
func (o Options) withDefaults() Options {
	if o.MaxBytes == 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.MaxZoom == 0 {
		o.MaxZoom = DefaultMaxZoom
	}
	if o.CacheBytes == 0 {
		o.CacheBytes = DefaultCacheBytes
	}
	return o
}

// layer returns the options of collection id, defaults filled in.
func (o Options) layer(id string) LayerOptions {
	l := o.Defaults
	if c, ok := o.Collections[id]; ok {
		if c.ClusterMaxZoom != 0 {
			l.ClusterMaxZoom = c.ClusterMaxZoom
		}
		if c.HeavyBytes != 0 {
			l.HeavyBytes = c.HeavyBytes
		}
		if c.HeavyZoom != 0 {
			l.HeavyZoom = c.HeavyZoom
		}
		if c.PropertyZoom != nil {
			l.PropertyZoom = c.PropertyZoom
		}
	}
	if l.ClusterMaxZoom == 0 {
		l.ClusterMaxZoom = DefaultClusterMaxZoom
	}
	if l.HeavyBytes == 0 {
		l.HeavyBytes = DefaultHeavyBytes
	}
	if l.HeavyZoom == 0 {
		l.HeavyZoom = DefaultHeavyZoom
	}
	return l
}
