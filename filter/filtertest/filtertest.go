// Package filtertest writes random CQL2 filters over a collection's real
// values and geometries, for the differential tests that compare the in-memory
// evaluation of filters with their SQL in PostGIS (package filter) and the
// filters served over HTTP with PostGIS (package handlers). It must not import
// filter, whose tests use it.
package filtertest

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkt"

	"github.com/vn-opendata/geodata/catalog"
	"github.com/vn-opendata/geodata/geo"
)

// Generator writes random CQL2 text filters for one collection, from its
// schema, its values and its geometries, so that comparisons hit real values,
// patterns match real names and geometry literals touch, cross and share
// edges with real features. The same collection and seed give the same filters.
type Generator struct {
	rng    *rand.Rand
	snap   *catalog.Snapshot
	extent orb.Bound
	byType map[string][]int // property positions by type
}

// New returns a generator of filters for the collection of s (which must have features).
func New(s *catalog.Snapshot, seed uint64) *Generator {
	g := &Generator{rng: rand.New(rand.NewPCG(seed, 7)), snap: s, byType: map[string][]int{}}
	for i, p := range s.Collection.Schema {
		g.byType[p.Type] = append(g.byType[p.Type], i)
	}
	g.extent = s.Features[0].Bound
	for _, f := range s.Features {
		g.extent = g.extent.Union(f.Bound)
	}
	return g
}

// Next writes a filter of up to two levels of AND, OR and NOT.
func (g *Generator) Next() string { return g.filter(g.intn(3)) }

func (g *Generator) intn(n int) int { return g.rng.IntN(n) }

func (g *Generator) name(i int) string {
	return property(g.snap.Collection.Schema[i].Name)
}

// value is the value of property i of a random feature (nil sometimes).
func (g *Generator) value(i int) any {
	for range 20 {
		if v := g.snap.Features[g.intn(len(g.snap.Features))].Props[i]; v != nil {
			return v
		}
	}
	return nil
}

func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// filter writes a filter of at most depth levels of AND, OR and NOT.
func (g *Generator) filter(depth int) string {
	if depth > 0 {
		switch g.intn(6) {
		case 0:
			return "(" + g.filter(depth-1) + " AND " + g.filter(depth-1) + ")"
		case 1:
			return "(" + g.filter(depth-1) + " or " + g.filter(depth-1) + ")"
		case 2:
			return "NOT (" + g.filter(depth-1) + ")"
		}
	}
	for {
		if f := g.predicate(); f != "" {
			return f
		}
	}
}

// predicate writes one condition, or "" when the collection has nothing for the kind drawn.
func (g *Generator) predicate() string {
	switch g.intn(10) {
	case 0, 1:
		return g.stringCondition()
	case 2, 3:
		return g.numberCondition()
	case 4:
		return g.temporalCondition()
	case 5:
		return g.nullOrBoolean()
	default:
		return g.spatialCondition()
	}
}

var comparisons = []string{"=", "<>", "<", ">", "<=", ">="}

func (g *Generator) pick(ps []int) (int, bool) {
	if len(ps) == 0 {
		return 0, false
	}
	return ps[g.intn(len(ps))], true
}

func (g *Generator) stringCondition() string {
	i, ok := g.pick(g.byType["string"])
	if !ok {
		return ""
	}
	v, _ := g.value(i).(string)
	p := g.name(i)
	switch g.intn(7) {
	case 0:
		return fmt.Sprintf("%s %s %s", p, comparisons[g.intn(6)], quote(v))
	case 1:
		return fmt.Sprintf("%s LIKE %s", p, quote(g.pattern(v)))
	case 2:
		return fmt.Sprintf("CASEI(%s) LIKE CASEI(%s)", p, quote(g.pattern(g.mixCase(v))))
	case 3: // Vietnamese without marks, as people type it
		return fmt.Sprintf("ACCENTI(%s) LIKE ACCENTI(%s)", p, quote(g.pattern(geo.Fold(v))))
	case 4:
		return fmt.Sprintf("ACCENTI(%s) = accenti(%s)", p, quote(g.mixCase(geo.Fold(v))))
	case 5:
		w, _ := g.value(i).(string)
		return fmt.Sprintf("%s NOT IN (%s, %s, 'không có')", p, quote(v), quote(w))
	}
	w, _ := g.value(i).(string)
	return fmt.Sprintf("%s IN (%s, %s)", p, quote(v), quote(w))
}

// pattern makes a LIKE pattern that the string matches, or nearly.
func (g *Generator) pattern(s string) string {
	rs := []rune(s)
	if len(rs) == 0 {
		return "%"
	}
	esc := func(rs []rune) string {
		r := strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`)
		return r.Replace(string(rs))
	}
	cut := g.intn(len(rs)) + 1
	switch g.intn(4) {
	case 0:
		return esc(rs[:cut]) + "%"
	case 1:
		return "%" + esc(rs[len(rs)-cut:])
	case 2:
		k := g.intn(len(rs))
		return esc(rs[:k]) + "_" + esc(rs[k+1:])
	}
	return "%" + esc(rs[g.intn(cut):cut]) + "%"
}

func (g *Generator) mixCase(s string) string {
	return strings.Map(func(r rune) rune {
		if g.intn(2) == 0 {
			return unicode.ToUpper(r)
		}
		return r
	}, s)
}

func (g *Generator) numberCondition() string {
	i, ok := g.pick(append(slices.Clone(g.byType["integer"]), g.byType["number"]...))
	if !ok {
		return ""
	}
	var v float64
	switch x := g.value(i).(type) {
	case int64:
		v = float64(x)
	case float64:
		v = x
	}
	p := g.name(i)
	num := func(f float64) string { return formatFloat(f) }
	integer := func(f float64) string { return fmt.Sprint(int64(math.Round(f))) }
	switch g.intn(8) {
	case 0:
		return fmt.Sprintf("%s %s %s", p, comparisons[g.intn(6)], integer(v))
	case 1:
		return fmt.Sprintf("%s %s %s", p, comparisons[g.intn(6)], num(v+float64(g.intn(3)-1)/4))
	case 2:
		return fmt.Sprintf("%s BETWEEN %s AND %s", p, integer(v*0.8), num(v*1.2))
	case 3:
		return fmt.Sprintf("%s not between %s and %s", p, num(v*0.9), integer(v*1.1))
	case 4:
		return fmt.Sprintf("%s * 2 + 1 %s %s", p, comparisons[g.intn(6)], integer(2*v+1))
	case 5:
		return fmt.Sprintf("%s %% 7 = %d", p, g.intn(7))
	case 6:
		return fmt.Sprintf("%s div 3 >= %s AND %s ^ 2 < %s", p, integer(v/3), p, num(v*v+10))
	}
	return fmt.Sprintf("%s IN (%s, %s, %s)", p, integer(v), integer(v+1), num(v/2))
}

func (g *Generator) temporalCondition() string {
	dates, times := g.byType["date"], g.byType["date-time"]
	i, ok := g.pick(append(slices.Clone(dates), times...))
	if !ok {
		return ""
	}
	p := g.name(i)
	isDate := slices.Contains(dates, i)
	instant := func() (string, time.Time) {
		s, _ := g.value(i).(string)
		var t time.Time
		if isDate {
			t, _ = time.Parse(time.DateOnly, s)
		} else {
			t, _ = time.Parse(time.RFC3339Nano, s)
		}
		if t.IsZero() {
			t = time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC)
		}
		t = t.AddDate(0, 0, g.intn(5)-2)
		if isDate {
			return "DATE('" + t.Format(time.DateOnly) + "')", t
		}
		return "TIMESTAMP('" + t.Format(time.RFC3339) + "')", t
	}
	lit, t := instant()
	interval := func() string {
		a, b := t.AddDate(-g.intn(4), 0, 0), t.AddDate(g.intn(4), 0, 0)
		f := time.DateOnly
		if !isDate {
			f = time.RFC3339
		}
		ends := []string{quote(a.Format(f)), quote(b.Format(f))}
		if g.intn(4) == 0 {
			ends[g.intn(2)] = "'..'"
		}
		return "INTERVAL(" + ends[0] + ", " + ends[1] + ")"
	}
	ops := []string{"T_AFTER", "T_BEFORE", "T_DISJOINT", "T_EQUALS", "T_INTERSECTS"}
	intervalOps := []string{"T_CONTAINS", "T_DURING", "T_FINISHEDBY", "T_FINISHES", "T_MEETS", "T_METBY",
		"T_OVERLAPPEDBY", "T_OVERLAPS", "T_STARTEDBY", "T_STARTS"}
	switch g.intn(5) {
	case 0:
		return fmt.Sprintf("%s %s %s", p, comparisons[g.intn(6)], lit)
	case 1:
		return fmt.Sprintf("%s(%s, %s)", ops[g.intn(len(ops))], p, lit)
	case 2:
		return fmt.Sprintf("%s(%s, %s)", ops[g.intn(len(ops))], p, interval())
	case 3:
		if j, ok := g.pick(append(slices.Clone(dates), times...)); ok {
			return fmt.Sprintf("%s(INTERVAL(%s, %s), %s)", intervalOps[g.intn(len(intervalOps))], p, g.name(j), interval())
		}
	}
	return fmt.Sprintf("%s(INTERVAL(%s, %s), %s)", intervalOps[g.intn(len(intervalOps))], p, p, interval())
}

func (g *Generator) nullOrBoolean() string {
	if i, ok := g.pick(g.byType["boolean"]); ok && g.intn(2) == 0 {
		return fmt.Sprintf("%s = %v", g.name(i), g.intn(2) == 0)
	}
	i := g.intn(len(g.snap.Collection.Schema))
	if !filterable[g.snap.Collection.Schema[i].Type] {
		return ""
	}
	if g.intn(2) == 0 {
		return g.name(i) + " IS NULL"
	}
	return g.name(i) + " IS NOT NULL"
}

var spatialFunctions = []string{"S_INTERSECTS", "S_DISJOINT", "S_CONTAINS", "S_WITHIN", "S_TOUCHES", "S_CROSSES", "S_OVERLAPS", "S_EQUALS"}

func (g *Generator) spatialCondition() string {
	lit := g.geometry()
	f := spatialFunctions[g.intn(len(spatialFunctions))]
	if g.intn(2) == 0 {
		return fmt.Sprintf("%s(%s, geometry)", f, lit)
	}
	return fmt.Sprintf("%s(geom,%s)", f, lit)
}

// vertex is a random vertex of a random feature: literals through it touch.
func (g *Generator) vertex() orb.Point {
	var pts []orb.Point
	geo.EachPoint(g.snap.Features[g.intn(len(g.snap.Features))].Geom, func(p orb.Point) { pts = append(pts, p) })
	return pts[g.intn(len(pts))]
}

func (g *Generator) point() orb.Point {
	if g.intn(3) == 0 {
		return g.vertex()
	}
	b := g.extent
	return orb.Point{round6(b.Min[0] + g.rng.Float64()*(b.Max[0]-b.Min[0])), round6(b.Min[1] + g.rng.Float64()*(b.Max[1]-b.Min[1]))}
}

func round6(v float64) float64 { return math.Round(v*1e6) / 1e6 }

// star is a simple polygon around c: a ring of 5 to 9 points at jittered
// angles, with a hole sometimes.
func (g *Generator) star(c orb.Point) orb.Polygon {
	size := max(g.extent.Max[0]-g.extent.Min[0], g.extent.Max[1]-g.extent.Min[1]) / float64(2+g.intn(12))
	size = min(size, 180-math.Abs(c[0]), 90-math.Abs(c[1])) // stay on the globe
	n := 5 + g.intn(5)
	ring := func(r0, r1 float64, ccw bool) orb.Ring {
		var r orb.Ring
		for k := range n {
			a := (float64(k) + 0.4*g.rng.Float64()) / float64(n) * 2 * math.Pi
			if !ccw {
				a = -a
			}
			rad := r0 + g.rng.Float64()*(r1-r0)
			r = append(r, orb.Point{round6(c[0] + rad*math.Cos(a)), round6(c[1] + rad*math.Sin(a))})
		}
		return append(r, r[0])
	}
	poly := orb.Polygon{ring(0.5*size, size, g.intn(2) == 0)}
	if g.intn(3) == 0 {
		poly = append(poly, ring(0.05*size, 0.15*size, g.intn(2) == 0))
	}
	return poly
}

func (g *Generator) line() orb.LineString {
	l := orb.LineString{g.point()}
	for len(l) < 2+g.intn(3) {
		if p := g.point(); p != l[len(l)-1] {
			l = append(l, p)
		}
	}
	return l
}

// geometry writes a random literal: every WKT type, BBOX, and pieces of the
// features themselves (an edge of one, or the whole of one).
func (g *Generator) geometry() string {
	var w strings.Builder
	switch g.intn(11) {
	case 0:
		b := orb.Bound{Min: g.point(), Max: g.point()}
		b = orb.Bound{Min: orb.Point{min(b.Min[0], b.Max[0]), min(b.Min[1], b.Max[1])}, Max: orb.Point{max(b.Min[0], b.Max[0]), max(b.Min[1], b.Max[1])}}
		return fmt.Sprintf("BBOX(%v,%v,%v,%v)", b.Min[0], b.Min[1], b.Max[0], b.Max[1])
	case 1:
		w.WriteString(wkt.MarshalString(g.point()))
	case 2:
		w.WriteString(wkt.MarshalString(orb.MultiPoint{g.point(), g.point(), g.vertex()}))
	case 3:
		w.WriteString(wkt.MarshalString(g.line()))
	case 4:
		w.WriteString(wkt.MarshalString(orb.MultiLineString{g.line(), g.line()}))
	case 5, 6:
		w.WriteString(wkt.MarshalString(g.star(g.point())))
	case 7:
		mp := orb.MultiPolygon{g.star(g.point()), g.star(g.point())}
		if geo.CheckAreas(mp) != nil {
			mp = mp[:1] // the two overlap
		}
		w.WriteString(wkt.MarshalString(mp))
	case 8: // the parts apart: GEOS throws on collections whose parts overlap
		c := orb.Collection{g.point(), g.line(), g.star(g.point())}
		if overlapping(c) {
			c = c[:2]
			if overlapping(c) {
				c = c[:1]
			}
		}
		w.WriteString(wkt.MarshalString(c))
	case 9: // one edge of a feature: shared stretches and touches
		f := g.snap.Features[g.intn(len(g.snap.Features))].Geom
		var pts []orb.Point
		geo.EachPoint(f, func(p orb.Point) { pts = append(pts, p) })
		if len(pts) < 2 {
			w.WriteString(wkt.MarshalString(pts[0]))
			break
		}
		k := g.intn(len(pts) - 1)
		if pts[k] == pts[k+1] {
			w.WriteString(wkt.MarshalString(pts[k]))
			break
		}
		w.WriteString(wkt.MarshalString(orb.LineString{pts[k], pts[k+1]}))
	default: // a whole feature: equals, within, contains hold
		w.WriteString(wkt.MarshalString(g.snap.Features[g.intn(len(g.snap.Features))].Geom))
	}
	return w.String()
}

func overlapping(c orb.Collection) bool {
	for i := range c {
		for j := range i {
			if geo.Intersects.Holds(geo.NewShape(c[i]), geo.NewShape(c[j])) {
				return true
			}
		}
	}
	return false
}

// filterable are the property types filters compare.
var filterable = map[string]bool{"integer": true, "number": true, "boolean": true, "date": true, "date-time": true, "string": true}

// reserved are the words of CQL2 text that a bare property name cannot be.
var reserved = map[string]bool{"and": true, "or": true, "not": true, "like": true, "between": true, "in": true,
	"is": true, "null": true, "true": true, "false": true, "div": true, "point": true, "linestring": true,
	"polygon": true, "multipoint": true, "multilinestring": true, "multipolygon": true, "geometrycollection": true,
	"envelope": true, "bbox": true, "date": true, "timestamp": true, "interval": true, "casei": true, "accenti": true}

// property writes a property name, bare when it is a plain ASCII identifier,
// else in double quotes.
func property(name string) string {
	plain := name != "" && !reserved[strings.ToLower(name)]
	for i, r := range name {
		if r > unicode.MaxASCII || !(r == '_' || unicode.IsLetter(r) || i > 0 && unicode.IsDigit(r)) {
			plain = false
		}
	}
	if plain {
		return name
	}
	return `"` + name + `"`
}

// formatFloat writes the shortest digits that read back to v, always with a
// decimal point or an exponent so that the number stays a real.
func formatFloat(v float64) string {
	s := strconv.FormatFloat(v, 'g', -1, 64)
	if !strings.ContainsAny(s, ".e") {
		s += ".0"
	}
	return s
}
