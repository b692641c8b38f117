package filter

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"github.com/vn-opendata/geodata/geo"
)

// opOpen is the op of an open interval end, '..'.
const opOpen = "open"

// vtype is the static type of a checked expression.
type vtype uint8

const (
	vBool vtype = iota + 1
	vInt
	vNum
	vStr
	vDate
	vTime
	vInterval
	vGeom
)

func (t vtype) numeric() bool  { return t == vInt || t == vNum }
func (t vtype) temporal() bool { return t == vDate || t == vTime }

// expr is a checked node: its static type and what evaluation and SQL need.
type expr struct {
	op   string
	typ  vtype
	args []*expr
	node *Node

	prop resolved // OpProperty

	// Constants: bool, int64, float64 or string literals; micros of dates and
	// timestamps (open interval ends are ±infinity); geometries with their shape.
	val   any
	geom  orb.Geometry
	wkb   []byte // the geometry for SQL
	shape *geo.Shape
	like  likePattern // "like": the compiled pattern
}

// checker checks a tree against queryables, with what it needs for messages.
type checker struct {
	src  string
	lang string
	q    Queryables
	opts options
}

func (c *checker) errorf(n *Node, format string, args ...any) *Error {
	return nodeError(c.src, c.lang, n, format, args...)
}

// predicate checks n as a condition: something true, false or unknown.
func (c *checker) predicate(n *Node) (*expr, *Error) {
	e, err := c.check(n)
	if err != nil {
		return nil, err
	}
	if e.typ != vBool {
		return nil, c.errorf(n, "%s is not a condition; compare it with something", describeExpr(e))
	}
	return e, nil
}

func (c *checker) check(n *Node) (*expr, *Error) {
	switch {
	case n.Op == "and" || n.Op == "or" || n.Op == "not":
		return c.logical(n)
	case comparisonOps[n.Op]:
		return c.comparison(n)
	case arithmeticOps[n.Op]:
		return c.arithmetic(n)
	case spatialOps[n.Op]:
		return c.spatial(n)
	case temporalOps[n.Op]:
		return c.temporal(n)
	case arrayOps[n.Op]:
		return nil, c.errorf(n, "%s: array functions are not supported (no queryable is an array)", strings.ToUpper(n.Op))
	}
	switch n.Op {
	case OpLiteral:
		return c.literal(n)
	case OpProperty:
		return c.property(n)
	case OpDate, OpTime:
		e := &expr{op: n.Op, typ: vDate, node: n, val: micros(n.Value.(time.Time))}
		if n.Op == OpTime {
			e.typ = vTime
		}
		return e, nil
	case OpInterval:
		return c.interval(n)
	case OpGeometry:
		return c.geometry(n, n.Value.(orb.Geometry))
	case OpBBox:
		return c.bbox(n)
	case "casei", "accenti":
		return c.fold(n)
	case "like":
		return c.like(n)
	case "between":
		return c.between(n)
	case "in":
		return c.in(n)
	case "isNull":
		return c.isNull(n)
	case OpArray:
		return nil, c.errorf(n, "a list of values is only allowed after IN")
	case OpFunction:
		return nil, c.errorf(n, "unknown function %s: the functions are CASEI, ACCENTI, DATE, TIMESTAMP, INTERVAL and BBOX", n.Name)
	}
	return nil, c.errorf(n, "unknown operator %q", n.Op)
}

func (c *checker) args(n *Node, want int) ([]*expr, *Error) {
	if want >= 0 && len(n.Args) != want {
		return nil, c.errorf(n, "%s takes %d arguments, not %d", opName(n), want, len(n.Args))
	}
	out := make([]*expr, len(n.Args))
	for i, a := range n.Args {
		e, err := c.check(a)
		if err != nil {
			return nil, err
		}
		out[i] = e
	}
	return out, nil
}

func opName(n *Node) string {
	switch n.Op {
	case OpFunction:
		return n.Name
	case "isNull":
		return "IS NULL"
	}
	return strings.ToUpper(n.Op)
}

func (c *checker) logical(n *Node) (*expr, *Error) {
	if n.Op == "not" && len(n.Args) != 1 {
		return nil, c.errorf(n, "NOT takes one argument, not %d", len(n.Args))
	}
	if n.Op != "not" && len(n.Args) < 2 {
		return nil, c.errorf(n, "%s takes at least two arguments", opName(n))
	}
	e := &expr{op: n.Op, typ: vBool, node: n}
	for _, a := range n.Args {
		arg, err := c.predicate(a)
		if err != nil {
			return nil, err
		}
		e.args = append(e.args, arg)
	}
	return e, nil
}

func (c *checker) literal(n *Node) (*expr, *Error) {
	e := &expr{op: OpLiteral, node: n, val: n.Value}
	switch v := n.Value.(type) {
	case bool:
		e.typ = vBool
	case int64:
		e.typ = vInt
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, c.errorf(n, "a number must be finite")
		}
		e.typ = vNum
	case string:
		if strings.ContainsRune(v, 0) {
			return nil, c.errorf(n, "a string must not contain the character NUL")
		}
		e.typ = vStr
	default:
		return nil, c.errorf(n, "unsupported literal %v", n.Value)
	}
	return e, nil
}

var queryableTypes = map[Type]vtype{
	TypeInteger: vInt, TypeNumber: vNum, TypeBoolean: vBool, TypeDate: vDate,
	TypeDateTime: vTime, TypeString: vStr, TypeGeometry: vGeom,
}

func (c *checker) property(n *Node) (*expr, *Error) {
	r, ok := c.q.lookup(n.Name)
	if !ok {
		return nil, c.errorf(n, "unknown property %q%s", n.Name, c.q.suggest(n.Name))
	}
	t, ok := queryableTypes[r.typ]
	if !ok {
		return nil, c.errorf(n, "property %q is of type %s, which filters cannot use", n.Name, r.typ)
	}
	return &expr{op: OpProperty, typ: t, node: n, prop: r}, nil
}

func (c *checker) fold(n *Node) (*expr, *Error) {
	args, err := c.args(n, 1)
	if err != nil {
		return nil, err
	}
	if args[0].typ != vStr {
		return nil, c.errorf(n, "%s takes a string, not %s", opName(n), describeExpr(args[0]))
	}
	e := &expr{op: n.Op, typ: vStr, node: n, args: args}
	if args[0].op == OpLiteral { // fold constants once
		f := caseFold
		if n.Op == "accenti" {
			f = accentFold
		}
		return &expr{op: OpLiteral, typ: vStr, node: n, val: f(args[0].val.(string))}, nil
	}
	return e, nil
}

func (c *checker) arithmetic(n *Node) (*expr, *Error) {
	args, err := c.args(n, 2)
	if err != nil {
		return nil, err
	}
	for _, a := range args {
		if !a.typ.numeric() {
			return nil, c.errorf(a.node, "%s needs numbers, not %s", opName(n), describeExpr(a))
		}
	}
	return &expr{op: n.Op, typ: vNum, node: n, args: args}, nil
}

// comparable makes a and b comparable, or says why not: numbers with numbers,
// strings with strings, booleans with booleans, dates and timestamps with each
// other and with strings that spell one.
func (c *checker) comparable(op *Node, a, b *expr) *Error {
	switch {
	case a.typ.numeric() && b.typ.numeric(),
		a.typ == b.typ && (a.typ == vStr || a.typ == vBool),
		a.typ.temporal() && b.typ.temporal():
		return nil
	case a.typ.temporal() && b.op == OpLiteral && b.typ == vStr:
		return c.instantFromString(b)
	case b.typ.temporal() && a.op == OpLiteral && a.typ == vStr:
		return c.instantFromString(a)
	}
	return c.errorf(op, "cannot compare %s with %s", describeExpr(a), describeExpr(b))
}

// instantFromString turns a string literal into the date or timestamp it spells.
func (c *checker) instantFromString(e *expr) *Error {
	kind := OpDate
	if len(e.val.(string)) != len(time.DateOnly) {
		kind = OpTime
	}
	t, err := parseInstant(kind, e.val.(string))
	if err != nil {
		return c.errorf(e.node, "%s", err)
	}
	e.op, e.typ, e.val = kind, vDate, micros(t)
	if kind == OpTime {
		e.typ = vTime
	}
	return nil
}

func (c *checker) comparison(n *Node) (*expr, *Error) {
	args, err := c.args(n, 2)
	if err != nil {
		return nil, err
	}
	if err := c.scalar(args...); err != nil {
		return nil, err
	}
	if err := c.comparable(n, args[0], args[1]); err != nil {
		return nil, err
	}
	return &expr{op: n.Op, typ: vBool, node: n, args: args}, nil
}

// scalar refuses operands that are not single values.
func (c *checker) scalar(args ...*expr) *Error {
	for _, a := range args {
		switch a.typ {
		case vGeom:
			return c.errorf(a.node, "%s is a geometry: compare geometries with the S_* functions", describeExpr(a))
		case vInterval:
			return c.errorf(a.node, "an INTERVAL can only be an argument of the T_* functions")
		case vBool:
			if a.op != OpLiteral && a.op != OpProperty {
				return c.errorf(a.node, "a condition cannot be compared; write it without the comparison")
			}
		}
	}
	return nil
}

func (c *checker) like(n *Node) (*expr, *Error) {
	args, err := c.args(n, 2)
	if err != nil {
		return nil, err
	}
	if args[0].typ != vStr {
		return nil, c.errorf(n, "LIKE needs a string on its left, not %s", describeExpr(args[0]))
	}
	if args[1].op != OpLiteral || args[1].typ != vStr {
		return nil, c.errorf(n.Args[1], "the pattern of LIKE must be a string literal (in CASEI or ACCENTI if need be)")
	}
	pat, perr := compileLike(args[1].val.(string))
	if perr != nil {
		return nil, c.errorf(n.Args[1], "%s", perr)
	}
	return &expr{op: "like", typ: vBool, node: n, args: args, like: pat}, nil
}

func (c *checker) between(n *Node) (*expr, *Error) {
	args, err := c.args(n, 3)
	if err != nil {
		return nil, err
	}
	if err := c.scalar(args...); err != nil {
		return nil, err
	}
	for _, b := range args[1:] {
		if err := c.comparable(n, args[0], b); err != nil {
			return nil, err
		}
	}
	if args[0].typ == vBool {
		return nil, c.errorf(n, "BETWEEN needs numbers, strings, dates or timestamps, not booleans")
	}
	return &expr{op: "between", typ: vBool, node: n, args: args}, nil
}

func (c *checker) in(n *Node) (*expr, *Error) {
	if len(n.Args) < 2 {
		return nil, c.errorf(n, "IN needs a value and a list of at least one value")
	}
	args, err := c.args(n, -1)
	if err != nil {
		return nil, err
	}
	if err := c.scalar(args...); err != nil {
		return nil, err
	}
	for _, b := range args[1:] {
		if err := c.comparable(n, args[0], b); err != nil {
			return nil, err
		}
	}
	return &expr{op: "in", typ: vBool, node: n, args: args}, nil
}

func (c *checker) isNull(n *Node) (*expr, *Error) {
	args, err := c.args(n, 1)
	if err != nil {
		return nil, err
	}
	if args[0].typ == vInterval {
		return nil, c.errorf(n, "IS NULL cannot test an INTERVAL")
	}
	return &expr{op: "isNull", typ: vBool, node: n, args: args}, nil
}

func (c *checker) spatial(n *Node) (*expr, *Error) {
	args, err := c.args(n, 2)
	if err != nil {
		return nil, err
	}
	for _, a := range args {
		if a.typ != vGeom {
			return nil, c.errorf(a.node, "%s takes geometries, not %s", opName(n), describeExpr(a))
		}
	}
	return &expr{op: n.Op, typ: vBool, node: n, args: args}, nil
}

// instantOps are the temporal functions defined for instants as well as
// intervals (OGC 21-065r2, table 7); the others take intervals only.
var instantOps = map[string]bool{"t_after": true, "t_before": true, "t_disjoint": true, "t_equals": true, "t_intersects": true}

func (c *checker) temporal(n *Node) (*expr, *Error) {
	args, err := c.args(n, 2)
	if err != nil {
		return nil, err
	}
	for _, a := range args {
		if !a.typ.temporal() && a.typ != vInterval {
			return nil, c.errorf(a.node, "%s takes dates, timestamps or intervals (DATE(…), TIMESTAMP(…), INTERVAL(…)), not %s", opName(n), describeExpr(a))
		}
		if !instantOps[n.Op] && a.typ != vInterval {
			return nil, c.errorf(a.node, "%s compares intervals; write INTERVAL(start, end), not %s", opName(n), describeExpr(a))
		}
	}
	return &expr{op: n.Op, typ: vBool, node: n, args: args}, nil
}

func (c *checker) interval(n *Node) (*expr, *Error) {
	if len(n.Args) != 2 {
		return nil, c.errorf(n, "INTERVAL takes a start and an end, not %d arguments", len(n.Args))
	}
	e := &expr{op: OpInterval, typ: vInterval, node: n}
	for i, a := range n.Args {
		var end *expr
		if a.Op == OpLiteral {
			s, ok := a.Value.(string)
			if !ok {
				return nil, c.errorf(a, "an INTERVAL end is a date or timestamp string, '..', or a property")
			}
			end = &expr{op: OpLiteral, typ: vStr, node: a, val: s}
			if s == ".." {
				end = &expr{op: opOpen, typ: vDate, node: a, val: int64(minusInfinity)}
				if i == 1 {
					end.val = int64(plusInfinity)
				}
			} else if err := c.instantFromString(end); err != nil {
				return nil, err
			}
		} else {
			var err *Error
			if end, err = c.check(a); err != nil {
				return nil, err
			}
			if !end.typ.temporal() {
				return nil, c.errorf(a, "an INTERVAL end must be a date or timestamp, not %s", describeExpr(end))
			}
		}
		e.args = append(e.args, end)
	}
	return e, nil
}

func (c *checker) geometry(n *Node, g orb.Geometry) (*expr, *Error) {
	if c.opts.transform != nil {
		var err error
		if g, err = c.opts.transform(g); err != nil {
			return nil, c.errorf(n, "%v", err)
		}
	}
	var bad *orb.Point
	geo.EachPoint(g, func(p orb.Point) {
		if bad == nil && !geo.ValidLonLat(p) {
			bad = &p
		}
	})
	if bad != nil {
		return nil, c.errorf(n, "position (%v %v) is not a longitude and latitude (-180…180, -90…90)", bad[0], bad[1])
	}
	if err := geo.CheckAreas(g); err != nil {
		return nil, c.errorf(n, "invalid geometry: %v", err)
	}
	b, err := wkb.Marshal(g)
	if err != nil {
		return nil, c.errorf(n, "geometry: %v", err)
	}
	return &expr{op: OpGeometry, typ: vGeom, node: n, geom: g, wkb: b, shape: geo.NewShape(g)}, nil
}

// bbox turns BBOX(minx, miny, maxx, maxy) into its polygon; a box whose west
// edge lies east of its east edge crosses the antimeridian and becomes two.
func (c *checker) bbox(n *Node) (*expr, *Error) {
	v := n.Value.([]float64)
	minx, miny, maxx, maxy := v[0], v[1], v[2], v[3]
	if len(v) == 6 {
		maxx, maxy = v[3], v[4]
	}
	if miny > maxy {
		return nil, c.errorf(n, "BBOX: the south edge %v lies north of the north edge %v", miny, maxy)
	}
	box := func(x0, x1 float64) orb.Geometry {
		switch {
		case x0 == x1 && miny == maxy:
			return orb.Point{x0, miny}
		case x0 == x1 || miny == maxy:
			return orb.LineString{{x0, miny}, {x1, maxy}}
		}
		return orb.Polygon{{{x0, miny}, {x1, miny}, {x1, maxy}, {x0, maxy}, {x0, miny}}}
	}
	var g orb.Geometry
	switch {
	case minx <= maxx:
		g = box(minx, maxx)
	case minx >= 180 || maxx <= -180 || miny == maxy:
		return nil, c.errorf(n, "BBOX: a box across the antimeridian needs a west edge below 180, an east edge above -180 and some height")
	default:
		g = orb.MultiPolygon{box(minx, 180).(orb.Polygon), box(-180, maxx).(orb.Polygon)}
	}
	e, err := c.geometry(n, g)
	if err != nil {
		return nil, err
	}
	e.op = OpBBox
	return e, nil
}

// describeExpr names an operand for a message: `string property "name"`, `a number`.
func describeExpr(e *expr) string {
	kinds := map[vtype]string{vBool: "boolean", vInt: "integer", vNum: "number", vStr: "string",
		vDate: "date", vTime: "timestamp", vInterval: "interval", vGeom: "geometry"}
	switch e.op {
	case OpProperty:
		return fmt.Sprintf("%s property %q", kinds[e.typ], e.prop.name)
	case OpLiteral:
		switch e.typ {
		case vStr:
			return fmt.Sprintf("the string %q", e.val)
		case vBool:
			return fmt.Sprintf("%v", e.val)
		}
		return fmt.Sprintf("the number %v", e.val)
	}
	if e.typ == vBool {
		return "a condition"
	}
	return "a " + kinds[e.typ]
}
