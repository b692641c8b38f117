package filter

import (
	"math"

	"github.com/paulmach/orb"

	"github.com/vn-opendata/geodata/geo"
)

// tri is a truth value of SQL's three-valued logic: a comparison with a null
// is unknown, and a filter keeps a feature only when it is true.
type tri uint8

const (
	triFalse tri = iota
	triTrue
	triUnknown
)

func triOf(b bool) tri {
	if b {
		return triTrue
	}
	return triFalse
}

type (
	predicate func(Feature) tri
	numFn     func(Feature) (float64, bool) // false: null
	intFn     func(Feature) (int64, bool)
	strFn     func(Feature) (string, bool)
	boolFn    func(Feature) (bool, bool)
	timeFn    func(Feature) (int64, bool) // microseconds since 1970 UTC
	shapeFn   func(Feature) *geo.Shape
)

// compilePredicate turns a checked condition into a function of a feature.
func compilePredicate(e *expr) predicate {
	switch {
	case e.op == "and":
		return compileAnd(e)
	case e.op == "or":
		return compileOr(e)
	case e.op == "not":
		p := compilePredicate(e.args[0])
		return func(f Feature) tri {
			switch p(f) {
			case triTrue:
				return triFalse
			case triFalse:
				return triTrue
			}
			return triUnknown
		}
	case comparisonOps[e.op]:
		return compileComparison(e.op, e.args[0], e.args[1])
	case e.op == "like":
		return compileLikeExpr(e)
	case e.op == "between":
		ge := compileComparison(">=", e.args[0], e.args[1])
		le := compileComparison("<=", e.args[0], e.args[2])
		return func(f Feature) tri { return and(ge(f), le(f)) }
	case e.op == "in":
		return compileIn(e)
	case e.op == "isNull":
		return compileIsNull(e.args[0])
	case spatialOps[e.op]:
		return compileSpatial(e)
	case temporalOps[e.op]:
		return compileTemporal(e)
	}
	b := compileBool(e) // a boolean literal or property
	return func(f Feature) tri {
		v, ok := b(f)
		if !ok {
			return triUnknown
		}
		return triOf(v)
	}
}

func and(a, b tri) tri {
	switch {
	case a == triFalse || b == triFalse:
		return triFalse
	case a == triTrue && b == triTrue:
		return triTrue
	}
	return triUnknown
}

func compileAll(args []*expr) []predicate {
	ps := make([]predicate, len(args))
	for i, a := range args {
		ps[i] = compilePredicate(a)
	}
	return ps
}

func compileAnd(e *expr) predicate { return allOf(compileAll(e.args)) }
func compileOr(e *expr) predicate  { return anyOf(compileAll(e.args)) }

// allOf is AND in three-valued logic: false wins, then unknown.
func allOf(ps []predicate) predicate {
	return func(f Feature) tri {
		r := triTrue
		for _, p := range ps {
			switch p(f) {
			case triFalse:
				return triFalse
			case triUnknown:
				r = triUnknown
			}
		}
		return r
	}
}

// anyOf is OR in three-valued logic: true wins, then unknown.
func anyOf(ps []predicate) predicate {
	return func(f Feature) tri {
		r := triFalse
		for _, p := range ps {
			switch p(f) {
			case triTrue:
				return triTrue
			case triUnknown:
				r = triUnknown
			}
		}
		return r
	}
}

// compareMode is how two comparable operands are compared.
type compareMode uint8

const (
	modeInt compareMode = iota
	modeNum
	modeStr
	modeBool
	modeTime
)

func modeOf(a, b *expr) compareMode {
	switch {
	case a.typ == vInt && b.typ == vInt:
		return modeInt
	case a.typ.numeric():
		return modeNum
	case a.typ == vStr:
		return modeStr
	case a.typ == vBool:
		return modeBool
	}
	return modeTime
}

func cmpResult(op string, c int) bool {
	switch op {
	case "=":
		return c == 0
	case "<>":
		return c != 0
	case "<":
		return c < 0
	case ">":
		return c > 0
	case "<=":
		return c <= 0
	}
	return c >= 0
}

func compare[T int64 | float64 | string](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// compileComparison compares two operands; a null on either side is unknown.
func compileComparison(op string, a, b *expr) predicate {
	switch modeOf(a, b) {
	case modeInt:
		return comparing(op, compileInt(a), compileInt(b), compare[int64])
	case modeNum:
		return comparing(op, compileNum(a), compileNum(b), compare[float64])
	case modeStr:
		return comparing(op, compileStr(a), compileStr(b), compare[string])
	case modeBool:
		toInt := func(b bool) int64 {
			if b {
				return 1
			}
			return 0
		}
		return comparing(op, compileBool(a), compileBool(b), func(x, y bool) int { return compare(toInt(x), toInt(y)) })
	}
	return comparing(op, compileTime(a), compileTime(b), compare[int64])
}

func comparing[T any](op string, a, b func(Feature) (T, bool), cmp func(T, T) int) predicate {
	return func(f Feature) tri {
		x, ok := a(f)
		if !ok {
			return triUnknown
		}
		y, ok := b(f)
		if !ok {
			return triUnknown
		}
		return triOf(cmpResult(op, cmp(x, y)))
	}
}

func compileLikeExpr(e *expr) predicate {
	s := compileStr(e.args[0])
	pat := e.like
	return func(f Feature) tri {
		v, ok := s(f)
		if !ok {
			return triUnknown
		}
		return triOf(pat.match(v))
	}
}

// compileIn is x = a OR x = b OR …, as SQL defines IN.
func compileIn(e *expr) predicate {
	eqs := make([]predicate, len(e.args)-1)
	for i, item := range e.args[1:] {
		eqs[i] = compileComparison("=", e.args[0], item)
	}
	return anyOf(eqs)
}

func compileIsNull(e *expr) predicate {
	var isNull func(Feature) bool
	switch e.typ {
	case vInt:
		g := compileInt(e)
		isNull = func(f Feature) bool { _, ok := g(f); return !ok }
	case vNum:
		g := compileNum(e)
		isNull = func(f Feature) bool { _, ok := g(f); return !ok }
	case vStr:
		g := compileStr(e)
		isNull = func(f Feature) bool { _, ok := g(f); return !ok }
	case vDate, vTime:
		g := compileTime(e)
		isNull = func(f Feature) bool { _, ok := g(f); return !ok }
	case vGeom:
		g := compileShape(e)
		isNull = func(f Feature) bool { return g(f) == nil }
	default:
		if e.op == OpLiteral || e.op == OpProperty {
			g := compileBool(e)
			isNull = func(f Feature) bool { _, ok := g(f); return !ok }
		} else {
			p := compilePredicate(e)
			isNull = func(f Feature) bool { return p(f) == triUnknown }
		}
	}
	return func(f Feature) tri { return triOf(isNull(f)) }
}

func compileInt(e *expr) intFn {
	switch e.op {
	case OpLiteral:
		v := e.val.(int64)
		return func(Feature) (int64, bool) { return v, true }
	case OpProperty:
		i := e.prop.index
		return func(f Feature) (int64, bool) {
			switch v := f.Property(i).(type) {
			case int64:
				return v, true
			case float64:
				if v == math.Trunc(v) && math.Abs(v) < 1<<63 {
					return int64(v), true
				}
			}
			return 0, false
		}
	}
	n := compileNum(e)
	return func(f Feature) (int64, bool) {
		v, ok := n(f)
		return int64(v), ok
	}
}

func compileNum(e *expr) numFn {
	switch e.op {
	case OpLiteral:
		var v float64
		switch x := e.val.(type) {
		case int64:
			v = float64(x)
		case float64:
			v = x
		}
		return func(Feature) (float64, bool) { return v, true }
	case OpProperty:
		i := e.prop.index
		return func(f Feature) (float64, bool) {
			switch v := f.Property(i).(type) {
			case int64:
				return float64(v), true
			case float64:
				return v, true
			}
			return 0, false
		}
	}
	a, b := compileNum(e.args[0]), compileNum(e.args[1])
	op := arithmetic(e.op)
	return func(f Feature) (float64, bool) {
		x, ok := a(f)
		if !ok {
			return 0, false
		}
		y, ok := b(f)
		if !ok {
			return 0, false
		}
		return op(x, y)
	}
}

// arithmetic is one CQL2 arithmetic operator in double precision, as the SQL
// compilation computes it: a division by zero or a power without a real value
// is null.
func arithmetic(op string) func(x, y float64) (float64, bool) {
	switch op {
	case "+":
		return func(x, y float64) (float64, bool) { return x + y, true }
	case "-":
		return func(x, y float64) (float64, bool) { return x - y, true }
	case "*":
		return func(x, y float64) (float64, bool) { return x * y, true }
	case "/":
		return func(x, y float64) (float64, bool) {
			if y == 0 {
				return 0, false
			}
			return x / y, true
		}
	case "div":
		return func(x, y float64) (float64, bool) {
			if y == 0 {
				return 0, false
			}
			return math.Trunc(x / y), true
		}
	case "%":
		return func(x, y float64) (float64, bool) {
			if y == 0 {
				return 0, false
			}
			return x - float64(y*math.Trunc(x/y)), true
		}
	}
	return func(x, y float64) (float64, bool) {
		if x == 0 && y < 0 || x < 0 && y != math.Trunc(y) {
			return 0, false
		}
		return math.Pow(x, y), true
	}
}

func compileStr(e *expr) strFn {
	switch e.op {
	case OpLiteral:
		v := e.val.(string)
		return func(Feature) (string, bool) { return v, true }
	case OpProperty:
		i := e.prop.index
		return func(f Feature) (string, bool) {
			v, ok := f.Property(i).(string)
			return v, ok
		}
	}
	inner := compileStr(e.args[0])
	fold := caseFold
	if e.op == "accenti" {
		fold = accentFold
	}
	return func(f Feature) (string, bool) {
		v, ok := inner(f)
		if !ok {
			return "", false
		}
		return fold(v), true
	}
}

func compileBool(e *expr) boolFn {
	if e.op == OpLiteral {
		v := e.val.(bool)
		return func(Feature) (bool, bool) { return v, true }
	}
	i := e.prop.index
	return func(f Feature) (bool, bool) {
		v, ok := f.Property(i).(bool)
		return v, ok
	}
}

func compileTime(e *expr) timeFn {
	if e.op != OpProperty {
		v := e.val.(int64)
		return func(Feature) (int64, bool) { return v, true }
	}
	i := e.prop.index
	date := e.typ == vDate
	return func(f Feature) (int64, bool) {
		s, ok := f.Property(i).(string)
		if !ok {
			return 0, false
		}
		return valueMicros(s, date)
	}
}

// compileShape gives the shape of a geometry operand: a literal's, prepared
// once, or the feature's, taken apart on each call.
func compileShape(e *expr) shapeFn {
	if e.shape != nil {
		s := e.shape
		return func(Feature) *geo.Shape { return s }
	}
	return func(f Feature) *geo.Shape {
		g := f.Geometry()
		if g == nil {
			return nil
		}
		return geo.NewShape(g)
	}
}

var relations = map[string]geo.SpatialRelation{
	"s_intersects": geo.Intersects, "s_disjoint": geo.Disjoint, "s_contains": geo.Contains, "s_within": geo.Within,
	"s_touches": geo.Touches, "s_crosses": geo.Crosses, "s_overlaps": geo.Overlaps, "s_equals": geo.Equals,
}

func compileSpatial(e *expr) predicate {
	rel := relations[e.op]
	a, b := compileShape(e.args[0]), compileShape(e.args[1])
	// A literal against the feature: when their boxes do not meet, every
	// relation but disjoint is false, and the feature need not be taken apart.
	if lit, prop := e.args[1], e.args[0]; lit.shape != nil && prop.op == OpProperty {
		return spatialAgainst(rel, lit.shape, false)
	}
	if lit, prop := e.args[0], e.args[1]; lit.shape != nil && prop.op == OpProperty {
		return spatialAgainst(rel, lit.shape, true)
	}
	return func(f Feature) tri {
		x, y := a(f), b(f)
		if x == nil || y == nil {
			return triUnknown
		}
		return triOf(rel.Holds(x, y))
	}
}

func spatialAgainst(rel geo.SpatialRelation, lit *geo.Shape, litFirst bool) predicate {
	box := lit.Bound()
	return func(f Feature) tri {
		g := f.Geometry()
		if g == nil {
			return triUnknown
		}
		if !g.Bound().Intersects(box) {
			return triOf(rel == geo.Disjoint)
		}
		if p, ok := g.(orb.Point); ok { // most features: no need to take them apart
			if holds, ok := rel.HoldsPoint(p, lit, !litFirst); ok {
				return triOf(holds)
			}
		}
		s := geo.NewShape(g)
		if litFirst {
			return triOf(rel.Holds(lit, s))
		}
		return triOf(rel.Holds(s, lit))
	}
}

// interval gives the start and end of a temporal operand; an instant is an
// interval whose ends are equal (read once).
func interval(e *expr) func(Feature) (start, end int64, ok bool) {
	if e.typ != vInterval {
		t := compileTime(e)
		return func(f Feature) (int64, int64, bool) {
			v, ok := t(f)
			return v, v, ok
		}
	}
	s, t := compileTime(e.args[0]), compileTime(e.args[1])
	return func(f Feature) (int64, int64, bool) {
		a, ok := s(f)
		if !ok {
			return 0, 0, false
		}
		b, ok := t(f)
		return a, b, ok
	}
}

// compileTemporal evaluates a T_* function; a null end makes it unknown.
func compileTemporal(e *expr) predicate {
	first, second := interval(e.args[0]), interval(e.args[1])
	op := e.op
	return func(f Feature) tri {
		s1, e1, ok := first(f)
		if !ok {
			return triUnknown
		}
		s2, e2, ok := second(f)
		if !ok {
			return triUnknown
		}
		return triOf(temporalRelation(op, s1, e1, s2, e2))
	}
}
