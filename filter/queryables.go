package filter

import (
	"sort"
	"strings"

	"github.com/paulmach/orb"
)

// Type is the type of a queryable, named as JSON Schema and the collection
// schemas name them.
type Type string

// The queryable types.
const (
	TypeInteger  Type = "integer"
	TypeNumber   Type = "number"
	TypeBoolean  Type = "boolean"
	TypeDate     Type = "date"
	TypeDateTime Type = "date-time"
	TypeString   Type = "string"
	TypeGeometry Type = "geometry"
)

// Queryable is one property a filter may name.
type Queryable struct {
	Name string
	Type Type // a property of another type (object, array) cannot be filtered on
}

// Queryables are the names a filter of one collection may use: the properties,
// in the order of the collection's schema (Properties[i] is Feature.Property(i)),
// and the names that stand for the feature's geometry.
type Queryables struct {
	Properties []Queryable
	Geometry   []string // e.g. "geometry"; CQL2's test suite calls it "geom"
}

// Feature is what a filter is evaluated on.
type Feature interface {
	// Property is the value of the i-th property of the schema: nil (null),
	// int64, float64, bool or string; dates and timestamps are ISO 8601 strings
	// ("2022-04-16", "2022-04-16T10:13:19Z").
	Property(i int) any
	// Geometry is the feature's geometry, in lon/lat (CRS84).
	Geometry() orb.Geometry
}

// resolved is a queryable found by name.
type resolved struct {
	index int // position in Properties; -1 for the geometry
	name  string
	typ   Type
}

func (q Queryables) lookup(name string) (resolved, bool) {
	for _, g := range q.Geometry {
		if g == name {
			return resolved{index: -1, name: name, typ: TypeGeometry}, true
		}
	}
	for i, p := range q.Properties {
		if p.Name == name {
			return resolved{index: i, name: p.Name, typ: p.Type}, true
		}
	}
	return resolved{}, false
}

// suggest names the queryables a misspelled name may have meant, for the error.
func (q Queryables) suggest(name string) string {
	all := append([]string(nil), q.Geometry...)
	for _, p := range q.Properties {
		all = append(all, p.Name)
	}
	for _, n := range all {
		if strings.EqualFold(n, name) {
			return "; did you mean \"" + n + "\"? (names are case-sensitive)"
		}
	}
	sort.Strings(all)
	if len(all) > 20 {
		all = append(all[:20], "…")
	}
	return "; the queryables are " + strings.Join(all, ", ")
}
