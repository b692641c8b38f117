package tiles

import (
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"github.com/vn-opendata/geodata/catalog"
)

// TileJSON is a TileJSON 3.0.0 document describing a vector tileset.
type TileJSON struct {
	TileJSON     string        `json:"tilejson"`
	Name         string        `json:"name,omitempty"`
	Description  string        `json:"description,omitempty"`
	Version      string        `json:"version,omitempty"`
	Attribution  string        `json:"attribution,omitempty"`
	Scheme       string        `json:"scheme"`
	Tiles        []string      `json:"tiles"`
	VectorLayers []VectorLayer `json:"vector_layers"`
	MinZoom      int           `json:"minzoom"`
	MaxZoom      int           `json:"maxzoom"`
	Bounds       [4]float64    `json:"bounds"`
	Center       [3]float64    `json:"center"`
}

// VectorLayer describes one layer of a tileset: TileJSON's fields, and how this
// service thins it (extensions prefixed "geodata:").
type VectorLayer struct {
	ID          string            `json:"id"`
	Description string            `json:"description,omitempty"`
	MinZoom     int               `json:"minzoom"`
	MaxZoom     int               `json:"maxzoom"`
	Fields      map[string]string `json:"fields"`
	// GeometryType is the collection's geometry type (Point, LineString, …).
	GeometryType string `json:"geodata:geometry_type,omitempty"`
	// ClusterMaxZoom: down to this zoom, points closer than a few pixels are
	// merged into clusters holding point_count; deeper only to keep a tile
	// under the byte bound. Absent for layers that are not points.
	ClusterMaxZoom *int `json:"geodata:cluster_max_zoom,omitempty"`
	// PropertyZoom lists the properties that tiles carry only from a zoom on
	// (-1: never); the others are in every tile. Every property is always at
	// /collections/{id}/items/{featureId}.
	PropertyZoom map[string]int `json:"geodata:property_zoom,omitempty"`
}

// VectorLayers describes the layers that the tiles of snaps carry.
func (t *Tiler) VectorLayers(snaps []*catalog.Snapshot) []VectorLayer {
	out := make([]VectorLayer, 0, len(snaps))
	for _, s := range snaps {
		info := t.info(s)
		c := s.Collection
		l := VectorLayer{ID: c.ID, Description: c.Title, MinZoom: 0, MaxZoom: t.opts.MaxZoom,
			Fields: map[string]string{IDProperty: "String"}, GeometryType: c.GeometryType}
		if c.TitleEn != "" {
			l.Description += " / " + c.TitleEn
		}
		for i, p := range c.Schema {
			if p.Name == IDProperty {
				continue
			}
			l.Fields[p.Name] = fieldType(p.Type)
			if from := info.propertyZoom(s, i); from != 0 {
				if l.PropertyZoom == nil {
					l.PropertyZoom = map[string]int{}
				}
				l.PropertyZoom[p.Name] = from
			}
		}
		if info.points != nil {
			l.Fields[CountProperty] = "Number"
			cz := info.opts.ClusterMaxZoom
			l.ClusterMaxZoom = &cz
		}
		out = append(out, l)
	}
	return out
}

func fieldType(t string) string {
	switch t {
	case "integer", "number":
		return "Number"
	case "boolean":
		return "Boolean"
	}
	return "String"
}

// Bounds is the union of the extents of snaps, or fallback when none has one.
func Bounds(snaps []*catalog.Snapshot, fallback [4]float64) [4]float64 {
	var b orb.Bound
	found := false
	for _, s := range snaps {
		e := s.Collection.Extent
		if e == nil {
			continue
		}
		eb := orb.Bound{Min: orb.Point{e[0], e[1]}, Max: orb.Point{e[2], e[3]}}
		if found {
			b = b.Union(eb)
		} else {
			b, found = eb, true
		}
	}
	if !found {
		return fallback
	}
	return [4]float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]}
}

// Attribution joins the distinct attributions of snaps.
func Attribution(snaps []*catalog.Snapshot) string {
	var out []string
	for _, s := range snaps {
		if a := s.Collection.LicenseAttribution; a != "" && !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return strings.Join(out, "; ")
}

// Versions names the data of a tileset: id@version of each collection.
func Versions(snaps []*catalog.Snapshot) string {
	parts := make([]string, len(snaps))
	for i, s := range snaps {
		parts[i] = s.ID() + "@" + strconv.FormatInt(s.Version(), 10)
	}
	return strings.Join(parts, ",")
}

// TileMatrixSet is an OGC Two Dimensional Tile Matrix Set (2.0) in JSON.
type TileMatrixSet struct {
	ID                string       `json:"id"`
	Title             string       `json:"title"`
	URI               string       `json:"uri"`
	CRS               string       `json:"crs"`
	OrderedAxes       []string     `json:"orderedAxes"`
	WellKnownScaleSet string       `json:"wellKnownScaleSet"`
	TileMatrices      []TileMatrix `json:"tileMatrices"`
}

// TileMatrix is one zoom of a tile matrix set.
type TileMatrix struct {
	ID               string     `json:"id"`
	ScaleDenominator float64    `json:"scaleDenominator"`
	CellSize         float64    `json:"cellSize"`
	CornerOfOrigin   string     `json:"cornerOfOrigin"`
	PointOfOrigin    [2]float64 `json:"pointOfOrigin"`
	TileWidth        int        `json:"tileWidth"`
	TileHeight       int        `json:"tileHeight"`
	MatrixWidth      int64      `json:"matrixWidth"`
	MatrixHeight     int64      `json:"matrixHeight"`
}

// Identifiers of the one tile matrix set served.
const (
	WebMercatorQuadID  = "WebMercatorQuad"
	WebMercatorQuadURI = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad"
	EPSG3857           = "http://www.opengis.net/def/crs/EPSG/0/3857"
	webMercatorQuadTop = 24 // the deepest tile matrix of the definition
)

// WebMercatorQuad is the definition of the WebMercatorQuad tile matrix set:
// 256-pixel tiles of Web Mercator (EPSG:3857) with 0.28 mm pixels, zooms 0–24.
func WebMercatorQuad() TileMatrixSet {
	const half = math.Pi * 6378137 // half the world's width in metres
	s := TileMatrixSet{
		ID: WebMercatorQuadID, Title: "Google Maps Compatible for the World", URI: WebMercatorQuadURI,
		CRS: EPSG3857, OrderedAxes: []string{"X", "Y"},
		WellKnownScaleSet: "http://www.opengis.net/def/wkss/OGC/1.0/GoogleMapsCompatible",
	}
	for z := 0; z <= webMercatorQuadTop; z++ {
		n := int64(1) << z
		cell := 2 * half / 256 / float64(n)
		s.TileMatrices = append(s.TileMatrices, TileMatrix{
			ID: strconv.Itoa(z), ScaleDenominator: cell / 0.00028, CellSize: cell, CornerOfOrigin: "topLeft",
			PointOfOrigin: [2]float64{-half, half}, TileWidth: 256, TileHeight: 256, MatrixWidth: n, MatrixHeight: n,
		})
	}
	return s
}

// TileMatrixLimits are the rows and columns of one zoom that a tileset covers.
type TileMatrixLimits struct {
	TileMatrix string `json:"tileMatrix"`
	MinTileRow uint32 `json:"minTileRow"`
	MaxTileRow uint32 `json:"maxTileRow"`
	MinTileCol uint32 `json:"minTileCol"`
	MaxTileCol uint32 `json:"maxTileCol"`
}

// Limits lists, for zooms 0 to maxZoom, the tiles covering bounds (lon/lat).
func Limits(bounds [4]float64, maxZoom int) []TileMatrixLimits {
	var out []TileMatrixLimits
	for z := 0; z <= maxZoom; z++ {
		nw := maptile.At(orb.Point{bounds[0], bounds[3]}, maptile.Zoom(z))
		se := maptile.At(orb.Point{bounds[2], bounds[1]}, maptile.Zoom(z))
		out = append(out, TileMatrixLimits{TileMatrix: strconv.Itoa(z), MinTileRow: nw.Y, MaxTileRow: se.Y, MinTileCol: nw.X, MaxTileCol: se.X})
	}
	return out
}
