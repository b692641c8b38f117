package handlers

import (
	"fmt"
	"math"
	"net/url"

	"github.com/vn-opendata/geodata/catalog"
	"github.com/vn-opendata/geodata/filter"
)

// Conformance classes of OGC API – Features Part 3 besides the queryables.
const (
	confFilter         = "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter"
	confFeaturesFilter = "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter"
)

// filterAPI is filtering with CQL2 (OGC API – Features Part 3, filter.go): the
// classes of Part 3 and of CQL2 it implements, and the parameters filter,
// filter-lang and filter-crs that the items and nearby operations refer to.
func (s *Server) filterAPI() apiPart {
	return apiPart{
		conformance: append([]string{confFilter, confFeaturesFilter}, filter.Conformance...),
		describe: func(d *apiDoc, _ []*catalog.Snapshot) error {
			d.Components.Parameters["filter"] = apiParameter{Name: "filter", In: "query",
				Description: "Only features the CQL2 filter selects (OGC API – Features Part 3, OGC 21-065r2), on the " +
					"collection's queryables (its /queryables: the properties, and the geometry as geometry or geom), in " +
					"the language of filter-lang; it is combined with every other parameter by AND. Example: " +
					`"Số học sinh" > 1000 AND S_INTERSECTS(geometry, BBOX(106.1, 21.2, 106.4, 21.4)); without accents and case: ` +
					`ACCENTI("Tên trường") LIKE ACCENTI('truong thpt%'). ` +
					fmt.Sprintf("At most %d bytes and %d positions in its geometries; an invalid filter answers 400 with its position.",
						maxFilterLength, maxFilterVertices),
				Schema: map[string]any{"type": "string"}}
			d.Components.Parameters["filter-lang"] = apiParameter{Name: "filter-lang", In: "query",
				Description: "Language of filter: CQL2 text (default) or CQL2 JSON; cql-text is the draft name of cql2-text, which GDAL 3.6 sends.",
				Schema:      map[string]any{"type": "string", "enum": filter.Langs, "default": filter.LangText}}
			d.Components.Parameters["filter-crs"] = apiParameter{Name: "filter-crs", In: "query",
				Description: "Coordinate reference system of the geometries in filter (OGC URI), in its axis order (EPSG:4326 and EPSG:4756 are latitude first); default CRS84. Positions are transformed one by one.",
				Schema:      map[string]any{"type": "string", "format": "uri", "enum": s.crs.uris(), "default": crs84}}
			return nil
		},
	}
}

// filterParamRefs are the filter parameters of an operation.
func filterParamRefs() []apiParameter {
	return []apiParameter{paramRef("filter"), paramRef("filter-lang"), paramRef("filter-crs")}
}

// filterExamples are example requests of path with filters built from the
// first feature of snap, so that each selects it: its first text or number
// property compared in CQL2 text and JSON, and the area around it.
func filterExamples(path string, snap *catalog.Snapshot) []string {
	if len(snap.Features) == 0 {
		return nil
	}
	f := &snap.Features[0]
	b := f.Bound.Pad(0.01)
	area := &filter.Node{Op: "s_intersects", Args: []*filter.Node{{Op: filter.OpProperty, Name: "geometry"},
		{Op: filter.OpBBox, Value: []float64{round4(b.Min[0]), round4(b.Min[1]), round4(b.Max[0]), round4(b.Max[1])}}}}
	ex := []string{path + "?" + url.Values{"filter": {area.String()}}.Encode()}
	for i, p := range snap.Collection.Schema {
		v := f.Props[i]
		if (p.Type != "string" && p.Type != "integer" && p.Type != "number") || v == nil {
			continue
		}
		op := "="
		if p.Type != "string" {
			op = ">="
		}
		cmp := &filter.Node{Op: op, Args: []*filter.Node{{Op: filter.OpProperty, Name: p.Name}, {Op: filter.OpLiteral, Value: v}}}
		js, _ := cmp.MarshalJSON() // a tree always marshals
		both := &filter.Node{Op: "and", Args: []*filter.Node{cmp, area}}
		ex = append(ex, path+"?"+url.Values{"filter": {both.String()}}.Encode(),
			path+"?"+url.Values{"filter": {string(js)}, "filter-lang": {filter.LangJSON}}.Encode())
		break
	}
	return ex
}

func round4(v float64) float64 { return math.Round(v*1e4) / 1e4 }
