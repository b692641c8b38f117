// Package filter implements CQL2 (OGC 21-065r2), the filter language of OGC API –
// Features Part 3: a parser for CQL2 text and one for CQL2 JSON that produce the
// same syntax tree, a type check of that tree against a collection's queryables,
// an in-memory evaluation compiled to a predicate over features, and a
// compilation to parameterized SQL for PostGIS that selects the same features.
//
//	q := filter.Queryables{Geometry: []string{"geometry"},
//		Properties: []filter.Queryable{{Name: "name", Type: filter.TypeString}, {Name: "students", Type: filter.TypeInteger}}}
//	e, err := filter.Parse("ACCENTI(name) LIKE ACCENTI('trường%') AND students > 1000", "cql2-text", q)
//	if err != nil { ... } // a *filter.Error: answer 400 with err.Error()
//	b, ok := e.BBox()     // when ok, only features meeting b can match: search the R-tree first
//	if e.Match(f) { ... } // f is any Feature
//	var args []any
//	where := e.SQL(&args) // "(lower(properties->>'name') ... )", values in args, never in the text
//
// Evaluation follows SQL's three-valued logic, so Match and SQL agree on nulls,
// and the spatial functions follow PostGIS (DE-9IM, computed in package geo).
// It may import geo and orb only; it knows nothing of catalogs, HTTP or databases.
package filter
