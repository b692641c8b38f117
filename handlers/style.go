package handlers

import (
	"net/http"
	"regexp"
	"slices"

	"github.com/vn-opendata/geodata/catalog"
	"github.com/vn-opendata/geodata/tiles"
)

// palette gives each collection its colour, in catalogue order; point layers
// also cycle through pointShapes, so that neighbouring kinds differ twice.
var palette = []string{"#d81b60", "#1e88e5", "#43a047", "#fb8c00", "#8e24aa", "#00897b",
	"#e53935", "#3949ab", "#6d4c41", "#9e9d24", "#00acc1", "#5e35b1",
	"#f4511e", "#039be5", "#7cb342", "#ffb300", "#ad1457", "#004d40",
	"#1a237e", "#4e342e", "#827717", "#006064", "#4a148c", "#37474f"}

// pointShapes: a dot, a ring (white centre, thick outline), a dot with a halo.
var pointShapes = []string{"dot", "ring", "halo"}

// routeColourNames are property names that usually hold a route's colour;
// any string property whose values are all hex colours qualifies too.
var routeColourNames = []string{"mau_tuyen", "route_color", "mau", "color", "colour"}

var hexColour = regexp.MustCompile(`^#?([0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})$`)

// styleCollection is what the map page needs of a collection, kept in the
// style's metadata: the legend and "zoom to a collection" read it.
type styleCollection struct {
	ID           string     `json:"id"`
	Title        string     `json:"title"`
	GeometryType string     `json:"geometry_type"`
	Count        int        `json:"count"`
	Bounds       [4]float64 `json:"bounds"`
	Color        string     `json:"color"`
	Shape        string     `json:"shape"`                  // dot, ring, halo, line or polygon
	Layers       []string   `json:"layers"`                 // the style layers drawing it
	RouteColour  string     `json:"route_colour,omitempty"` // property colouring lines
}

// style serves a MapLibre style of every collection over the region's outline
// and rivers. It has no text and needs no glyphs or sprites: features are named
// in click popups instead, so nothing is fetched from another origin.
func (s *Server) style(w http.ResponseWriter, r *http.Request) error {
	if err := checkParams(r); err != nil {
		return err
	}
	base := s.baseURL(r)
	snaps := s.cat.Snapshots()
	region := s.cat.Region
	layers := []map[string]any{
		{"id": "background", "type": "background", "paint": map[string]any{"background-color": "#eef0ea"}},
		{"id": "region-outline", "type": "line", "source": "region", "filter": []any{"==", []any{"get", "kind"}, "outline"},
			"paint": map[string]any{"line-color": "#7a8793", "line-width": 1.5, "line-dasharray": []float64{3, 2}}},
		{"id": "rivers", "type": "line", "source": "region", "filter": []any{"==", []any{"get", "kind"}, "river"},
			"paint": map[string]any{"line-color": "#8ec5e8", "line-width": []any{"interpolate", []any{"linear"}, []any{"zoom"}, 7, 1.5, 13, 5}}},
	}
	var cols []styleCollection
	// Polygons first, then lines, then points: small things are drawn on top.
	for _, dim := range []int{2, 1, 0} {
		for i, snap := range snaps {
			if dimension(snap) != dim {
				continue
			}
			c := styleCollection{ID: snap.ID(), Title: snap.Collection.Title, GeometryType: snap.Collection.GeometryType,
				Count: len(snap.Features), Bounds: tiles.Bounds([]*catalog.Snapshot{snap}, region.BBox), Color: palette[i%len(palette)]}
			var ls []map[string]any
			switch dim {
			case 2:
				c.Shape = "polygon"
				ls = polygonLayers(c)
			case 1:
				c.Shape = "line"
				c.RouteColour = routeColourProperty(snap)
				ls = lineLayers(c)
			default:
				c.Shape = pointShapes[i%len(pointShapes)]
				ls = pointLayers(c)
			}
			for _, l := range ls {
				l["source"] = "geodata"
				l["source-layer"] = c.ID
				l["metadata"] = map[string]any{"geodata:collection": c.ID}
				c.Layers = append(c.Layers, l["id"].(string))
			}
			layers = append(layers, ls...)
			cols = append(cols, c)
		}
	}
	w.Header().Set("Cache-Control", "public, max-age=60")
	return writeJSON(w, mediaJSON, map[string]any{
		"version": 8,
		"name":    "geodata — " + region.Name,
		"center":  region.Center,
		"zoom":    region.Zoom,
		"metadata": map[string]any{
			"geodata:collections": cols,
			"geodata:region":      map[string]any{"name": region.Name, "bbox": region.BBox},
		},
		"sources": map[string]any{
			"geodata": map[string]any{"type": "vector", "url": base + "/tiles/" + tiles.WebMercatorQuadID + "?f=tilejson"},
			"region":  map[string]any{"type": "geojson", "data": regionGeoJSON(region)},
		},
		"layers": layers,
	})
}

// regionGeoJSON is the region's outline (its bounding box) and its rivers.
func regionGeoJSON(r *catalog.Region) map[string]any {
	b := r.BBox
	features := []map[string]any{{
		"type": "Feature", "properties": map[string]any{"kind": "outline", "name": r.Name},
		"geometry": map[string]any{"type": "LineString",
			"coordinates": [][2]float64{{b[0], b[1]}, {b[2], b[1]}, {b[2], b[3]}, {b[0], b[3]}, {b[0], b[1]}}},
	}}
	for _, river := range r.Rivers {
		features = append(features, map[string]any{
			"type": "Feature", "properties": map[string]any{"kind": "river", "name": river.Name},
			"geometry": map[string]any{"type": "LineString", "coordinates": river.Line},
		})
	}
	return map[string]any{"type": "FeatureCollection", "features": features}
}

var (
	isCluster  = []any{"has", tiles.CountProperty}
	notCluster = []any{"!", []any{"has", tiles.CountProperty}}
)

func pointLayers(c styleCollection) []map[string]any {
	radius := []any{"interpolate", []any{"linear"}, []any{"zoom"}, 7, 2.5, 12, 4.5, 16, 7}
	paint := map[string]any{"circle-color": c.Color, "circle-radius": radius, "circle-stroke-color": "#ffffff", "circle-stroke-width": 0.8}
	switch c.Shape {
	case "ring":
		paint["circle-color"] = "#ffffff"
		paint["circle-stroke-color"] = c.Color
		paint["circle-stroke-width"] = []any{"interpolate", []any{"linear"}, []any{"zoom"}, 7, 1.2, 14, 2.5}
	case "halo":
		paint["circle-stroke-color"] = c.Color
		paint["circle-stroke-opacity"] = 0.35
		paint["circle-stroke-width"] = []any{"interpolate", []any{"linear"}, []any{"zoom"}, 7, 2, 14, 4}
	}
	return []map[string]any{
		{"id": c.ID + "-clusters", "type": "circle", "filter": isCluster, "paint": map[string]any{
			"circle-color": c.Color, "circle-opacity": 0.7,
			"circle-radius":       []any{"step", []any{"get", tiles.CountProperty}, 6, 10, 9, 100, 13, 1000, 18},
			"circle-stroke-color": "#ffffff", "circle-stroke-width": 1.5,
		}},
		{"id": c.ID, "type": "circle", "filter": notCluster, "paint": paint},
	}
}

func lineLayers(c styleCollection) []map[string]any {
	var colour any = c.Color
	if c.RouteColour != "" {
		// to-color takes the first of its arguments that is a colour: the value
		// as it is, the value with a '#' (the sample routes write "e53935"), or
		// the collection's colour.
		value := []any{"get", c.RouteColour}
		colour = []any{"to-color", value, []any{"concat", "#", value}, c.Color}
	}
	return []map[string]any{{"id": c.ID, "type": "line",
		"layout": map[string]any{"line-cap": "round", "line-join": "round"},
		"paint": map[string]any{"line-color": colour, "line-opacity": 0.9,
			"line-width": []any{"interpolate", []any{"linear"}, []any{"zoom"}, 7, 1.5, 12, 3, 16, 6}}}}
}

func polygonLayers(c styleCollection) []map[string]any {
	return []map[string]any{
		{"id": c.ID, "type": "fill", "paint": map[string]any{"fill-color": c.Color, "fill-opacity": 0.2}},
		{"id": c.ID + "-outline", "type": "line", "paint": map[string]any{"line-color": c.Color, "line-width": 1.2}},
	}
}

// routeColourProperty finds the string property holding each line's colour:
// one whose non-empty values are all hex colours, preferring the usual names.
func routeColourProperty(snap *catalog.Snapshot) string {
	var candidates []string
	for i, p := range snap.Collection.Schema {
		if p.Type == "string" && allHexColours(snap, i) {
			candidates = append(candidates, p.Name)
		}
	}
	for _, name := range routeColourNames {
		if slices.Contains(candidates, name) {
			return name
		}
	}
	if len(candidates) > 0 {
		return candidates[0]
	}
	return ""
}

func allHexColours(snap *catalog.Snapshot, i int) bool {
	seen := false
	for k := range snap.Features {
		switch v := snap.Features[k].Props[i].(type) {
		case nil:
		case string:
			if !hexColour.MatchString(v) {
				return false
			}
			seen = true
		default:
			return false
		}
	}
	return seen
}
