package filter

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
)

// ParseJSON reads a CQL2 JSON filter into its syntax tree. It checks the
// structure only; Compile checks names and types. It also reads the forms of
// the 2022 drafts that clients still send: {"casei": …}, {"accenti": …} and
// {"function": {"name": …, "args": […]}}.
func ParseJSON(src string) (*Node, error) {
	dec := json.NewDecoder(strings.NewReader(src))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, &Error{Lang: LangJSON, Offset: int(se.Offset), Message: fmt.Sprintf("not valid JSON at byte %d: %v", se.Offset, err)}
		}
		return nil, &Error{Lang: LangJSON, Offset: -1, Message: "not valid JSON: " + err.Error()}
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, &Error{Lang: LangJSON, Offset: int(dec.InputOffset()), Message: "unexpected data after the JSON filter"}
	}
	p := &jsonParser{}
	n, err := p.node(v, "")
	if err != nil {
		return nil, err
	}
	return n, nil
}

type jsonParser struct {
	depth    int
	vertices int
}

func (p *jsonParser) node(v any, path string) (*Node, *Error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > MaxDepth {
		return nil, jsonError(path, "the filter is nested more than %d levels deep", MaxDepth)
	}
	switch v := v.(type) {
	case nil:
		return nil, jsonError(path, "null is not a value in CQL2; use the isNull operator")
	case bool, string:
		return &Node{Op: OpLiteral, Value: v, Path: path}, nil
	case json.Number:
		return p.number(v, path)
	case []any:
		arr := &Node{Op: OpArray, Path: path}
		for i, x := range v {
			n, err := p.node(x, fmt.Sprintf("%s/%d", path, i))
			if err != nil {
				return nil, err
			}
			arr.Args = append(arr.Args, n)
		}
		return arr, nil
	case map[string]any:
		return p.object(v, path)
	}
	return nil, jsonError(path, "unexpected value")
}

func (p *jsonParser) number(v json.Number, path string) (*Node, *Error) {
	s := string(v)
	if !strings.ContainsAny(s, ".eE") {
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return &Node{Op: OpLiteral, Value: i, Path: path}, nil
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) {
		return nil, jsonError(path, "number %s is out of range", s)
	}
	return &Node{Op: OpLiteral, Value: f, Path: path}, nil
}

func (p *jsonParser) object(m map[string]any, path string) (*Node, *Error) {
	if op, ok := m["op"]; ok {
		return p.operation(op, m["args"], path)
	}
	for _, key := range []string{"property", "date", "timestamp"} {
		v, ok := m[key]
		if !ok {
			continue
		}
		s, ok := v.(string)
		if !ok {
			return nil, jsonError(path+"/"+key, "%s must be a string", key)
		}
		if key == "property" {
			if s == "" {
				return nil, jsonError(path+"/property", "empty property name")
			}
			return &Node{Op: OpProperty, Name: s, Path: path}, nil
		}
		t, err := parseInstant(key, s)
		if err != nil {
			return nil, jsonError(path+"/"+key, "%s", err)
		}
		return &Node{Op: key, Value: t, Path: path}, nil
	}
	if v, ok := m["interval"]; ok {
		return p.interval(v, path)
	}
	if v, ok := m["bbox"]; ok {
		return p.bbox(v, path)
	}
	if _, ok := m["type"]; ok {
		g, err := p.geometry(m, path)
		if err != nil {
			return nil, err
		}
		if msg := checkGeometry(g); msg != "" {
			return nil, jsonError(path, "%s", msg)
		}
		return &Node{Op: OpGeometry, Value: g, Path: path}, nil
	}
	for _, key := range []string{"casei", "accenti"} {
		if v, ok := m[key]; ok {
			arg, err := p.node(v, path+"/"+key)
			if err != nil {
				return nil, err
			}
			return &Node{Op: key, Args: []*Node{arg}, Path: path}, nil
		}
	}
	if v, ok := m["function"]; ok {
		f, ok := v.(map[string]any)
		if !ok {
			return nil, jsonError(path+"/function", "function must be an object with name and args")
		}
		return p.operation(f["name"], f["args"], path+"/function")
	}
	return nil, jsonError(path, "unknown object: expected op and args, property, date, timestamp, interval, bbox or a GeoJSON geometry")
}

// operation reads {"op": op, "args": [...]}: an operator of CQL2 or a function.
func (p *jsonParser) operation(opv, argsv any, path string) (*Node, *Error) {
	op, ok := opv.(string)
	if !ok || op == "" {
		return nil, jsonError(path+"/op", "op must be a non-empty string")
	}
	var raw []any
	if argsv != nil {
		if raw, ok = argsv.([]any); !ok {
			return nil, jsonError(path+"/args", "args must be an array")
		}
	}
	lower := strings.ToLower(op)
	n := &Node{Op: lower, Path: path}
	switch {
	case lower == "isnull":
		n.Op = "isNull"
	case lower == "in":
		return p.in(raw, path)
	case logicalOps[lower] || comparisonOps[lower] || arithmeticOps[lower] || spatialOps[lower] || temporalOps[lower] ||
		arrayOps[lower] || lower == "like" || lower == "between" || lower == "casei" || lower == "accenti":
	default:
		n.Op, n.Name = OpFunction, op
	}
	for i, a := range raw {
		arg, err := p.node(a, fmt.Sprintf("%s/args/%d", path, i))
		if err != nil {
			return nil, err
		}
		n.Args = append(n.Args, arg)
	}
	return n, nil
}

// in reads the arguments of "in": a value and an array of values.
func (p *jsonParser) in(raw []any, path string) (*Node, *Error) {
	if len(raw) != 2 {
		return nil, jsonError(path+"/args", "in takes two arguments, a value and an array of values")
	}
	x, err := p.node(raw[0], path+"/args/0")
	if err != nil {
		return nil, err
	}
	list, ok := raw[1].([]any)
	if !ok {
		return nil, jsonError(path+"/args/1", "the second argument of in must be an array")
	}
	n := &Node{Op: "in", Args: []*Node{x}, Path: path}
	for i, item := range list {
		a, err := p.node(item, fmt.Sprintf("%s/args/1/%d", path, i))
		if err != nil {
			return nil, err
		}
		n.Args = append(n.Args, a)
	}
	return n, nil
}

func (p *jsonParser) interval(v any, path string) (*Node, *Error) {
	ends, ok := v.([]any)
	if !ok || len(ends) != 2 {
		return nil, jsonError(path+"/interval", "interval must be an array of a start and an end")
	}
	n := &Node{Op: OpInterval, Path: path}
	for i, e := range ends {
		a, err := p.node(e, fmt.Sprintf("%s/interval/%d", path, i))
		if err != nil {
			return nil, err
		}
		if err := intervalEnd(a); err != nil {
			return nil, jsonError(a.Path, "%s", err)
		}
		n.Args = append(n.Args, a)
	}
	return n, nil
}

func (p *jsonParser) bbox(v any, path string) (*Node, *Error) {
	raw, ok := v.([]any)
	if !ok || len(raw) != 4 && len(raw) != 6 {
		return nil, jsonError(path+"/bbox", "bbox must be an array of 4 or 6 numbers")
	}
	nums := make([]float64, len(raw))
	for i, x := range raw {
		f, err := p.float(x, fmt.Sprintf("%s/bbox/%d", path, i))
		if err != nil {
			return nil, err
		}
		nums[i] = f
	}
	return &Node{Op: OpBBox, Value: nums, Path: path}, nil
}

func (p *jsonParser) float(x any, path string) (float64, *Error) {
	num, ok := x.(json.Number)
	if !ok {
		return 0, jsonError(path, "expected a number")
	}
	f, err := strconv.ParseFloat(string(num), 64)
	if err != nil || math.IsInf(f, 0) {
		return 0, jsonError(path, "number %s is out of range", num)
	}
	return f, nil
}

// geometry reads a GeoJSON geometry object.
func (p *jsonParser) geometry(m map[string]any, path string) (orb.Geometry, *Error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > MaxDepth {
		return nil, jsonError(path, "the filter is nested more than %d levels deep", MaxDepth)
	}
	typ, _ := m["type"].(string)
	if typ == "GeometryCollection" {
		raw, ok := m["geometries"].([]any)
		if !ok || len(raw) == 0 {
			return nil, jsonError(path+"/geometries", "a GeometryCollection needs a non-empty array of geometries")
		}
		var c orb.Collection
		for i, x := range raw {
			gm, ok := x.(map[string]any)
			if !ok {
				return nil, jsonError(fmt.Sprintf("%s/geometries/%d", path, i), "expected a GeoJSON geometry")
			}
			g, err := p.geometry(gm, fmt.Sprintf("%s/geometries/%d", path, i))
			if err != nil {
				return nil, err
			}
			c = append(c, g)
		}
		return c, nil
	}
	depth := map[string]int{"Point": 0, "MultiPoint": 1, "LineString": 1, "MultiLineString": 2, "Polygon": 2, "MultiPolygon": 3}
	d, ok := depth[typ]
	if !ok {
		return nil, jsonError(path+"/type", "unknown geometry type %q", m["type"])
	}
	c, err := p.coordinates(m["coordinates"], d, path+"/coordinates")
	if err != nil {
		return nil, err
	}
	switch typ {
	case "Point":
		return c.pt, nil
	case "MultiPoint":
		return orb.MultiPoint(c.points()), nil
	case "LineString":
		return orb.LineString(c.points()), nil
	case "MultiLineString":
		var ml orb.MultiLineString
		for _, l := range c.list {
			ml = append(ml, orb.LineString(l.points()))
		}
		return ml, nil
	case "Polygon":
		return c.polygon(), nil
	}
	var mp orb.MultiPolygon
	for _, poly := range c.list {
		mp = append(mp, poly.polygon())
	}
	return mp, nil
}

// coords is a nested coordinates array of GeoJSON.
type coords struct {
	pt   orb.Point
	list []coords
}

func (c coords) points() []orb.Point {
	out := make([]orb.Point, len(c.list))
	for i, x := range c.list {
		out[i] = x.pt
	}
	return out
}

func (c coords) polygon() orb.Polygon {
	poly := make(orb.Polygon, len(c.list))
	for i, r := range c.list {
		poly[i] = orb.Ring(r.points())
	}
	return poly
}

// coordinates reads a coordinates array nested depth levels above positions.
func (p *jsonParser) coordinates(v any, depth int, path string) (coords, *Error) {
	raw, ok := v.([]any)
	if !ok {
		return coords{}, jsonError(path, "expected an array of coordinates")
	}
	if depth == 0 {
		if len(raw) < 2 || len(raw) > 3 {
			return coords{}, jsonError(path, "a position has 2 or 3 numbers")
		}
		p.vertices++
		if p.vertices > MaxVertices {
			return coords{}, jsonError(path, "the geometries of the filter have more than %d positions", MaxVertices)
		}
		var pt orb.Point
		for i, x := range raw {
			f, err := p.float(x, fmt.Sprintf("%s/%d", path, i))
			if err != nil {
				return coords{}, err
			}
			if i < 2 {
				pt[i] = f // a third number, the height, is read and dropped
			}
		}
		return coords{pt: pt}, nil
	}
	if len(raw) == 0 {
		return coords{}, jsonError(path, "empty geometries are not supported")
	}
	c := coords{list: make([]coords, len(raw))}
	for i, x := range raw {
		sub, err := p.coordinates(x, depth-1, fmt.Sprintf("%s/%d", path, i))
		if err != nil {
			return coords{}, err
		}
		c.list[i] = sub
	}
	return c, nil
}
