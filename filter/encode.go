package filter

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"github.com/vn-opendata/geodata/geo"
)

// String writes the tree as CQL2 text, with every compound expression in
// parentheses; ParseText reads it back to the same tree.
func (n *Node) String() string {
	var b strings.Builder
	writeText(&b, n)
	return b.String()
}

// MarshalJSON writes the tree as CQL2 JSON; ParseJSON reads it back to the same tree.
func (n *Node) MarshalJSON() ([]byte, error) { return appendJSON(nil, n), nil }

// String is the filter in CQL2 text.
func (x *Expr) String() string { return x.root.String() }

// MarshalJSON is the filter in CQL2 JSON.
func (x *Expr) MarshalJSON() ([]byte, error) { return x.root.MarshalJSON() }

func writeText(b *strings.Builder, n *Node) {
	list := func(args []*Node, sep string) {
		for i, a := range args {
			if i > 0 {
				b.WriteString(sep)
			}
			writeText(b, a)
		}
	}
	switch {
	case n.Op == OpLiteral:
		writeLiteral(b, n.Value)
	case n.Op == OpProperty:
		writeProperty(b, n.Name)
	case n.Op == OpDate:
		b.WriteString("DATE('" + n.Value.(time.Time).Format(time.DateOnly) + "')")
	case n.Op == OpTime:
		b.WriteString("TIMESTAMP('" + n.Value.(time.Time).Format(time.RFC3339Nano) + "')")
	case n.Op == OpGeometry:
		b.Write(geo.AppendWKT(nil, n.Value.(orb.Geometry)))
	case n.Op == OpBBox:
		b.WriteString("BBOX(")
		for i, v := range n.Value.([]float64) {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(formatFloat(v))
		}
		b.WriteByte(')')
	case n.Op == OpArray:
		b.WriteByte('(')
		list(n.Args, ", ")
		b.WriteByte(')')
	case n.Op == OpInterval:
		b.WriteString("INTERVAL(")
		for i, a := range n.Args {
			if i > 0 {
				b.WriteString(", ")
			}
			if s, ok := instantString(a); ok {
				writeLiteral(b, s)
			} else {
				writeText(b, a)
			}
		}
		b.WriteByte(')')
	case n.Op == OpFunction || n.Op == "casei" || n.Op == "accenti" ||
		spatialOps[n.Op] || temporalOps[n.Op] || arrayOps[n.Op]:
		name := strings.ToUpper(n.Op)
		if n.Op == OpFunction {
			name = n.Name
		}
		b.WriteString(name + "(")
		list(n.Args, ", ")
		b.WriteByte(')')
	case n.Op == "and" || n.Op == "or":
		b.WriteByte('(')
		list(n.Args, " "+strings.ToUpper(n.Op)+" ")
		b.WriteByte(')')
	case n.Op == "not":
		b.WriteString("NOT ")
		list(n.Args, "")
	case n.Op == "isNull":
		b.WriteByte('(')
		list(n.Args, "")
		b.WriteString(" IS NULL)")
	case n.Op == "between" && len(n.Args) == 3:
		b.WriteByte('(')
		writeText(b, n.Args[0])
		b.WriteString(" BETWEEN ")
		writeText(b, n.Args[1])
		b.WriteString(" AND ")
		writeText(b, n.Args[2])
		b.WriteByte(')')
	case n.Op == "in" && len(n.Args) >= 2:
		b.WriteByte('(')
		writeText(b, n.Args[0])
		b.WriteString(" IN (")
		list(n.Args[1:], ", ")
		b.WriteString("))")
	default: // binary operators: comparisons, LIKE, arithmetic
		b.WriteByte('(')
		list(n.Args, " "+strings.ToUpper(n.Op)+" ")
		b.WriteByte(')')
	}
}

// instantString is how an INTERVAL writes a date or timestamp end: a bare string.
func instantString(n *Node) (string, bool) {
	switch n.Op {
	case OpDate:
		return n.Value.(time.Time).Format(time.DateOnly), true
	case OpTime:
		return n.Value.(time.Time).Format(time.RFC3339Nano), true
	}
	return "", false
}

func writeLiteral(b *strings.Builder, v any) {
	switch v := v.(type) {
	case bool:
		b.WriteString(strings.ToUpper(strconv.FormatBool(v)))
	case int64:
		b.WriteString(strconv.FormatInt(v, 10))
	case float64:
		b.WriteString(formatFloat(v))
	case string:
		writeString(b, v)
	}
}

// writeString writes a string literal. A quote is written doubled, or as \'
// after a backslash (the lexer reads a backslash before a quote as an escaped
// quote). A string that ends with a backslash cannot be written in CQL2 text.
func writeString(b *strings.Builder, s string) {
	b.WriteByte('\'')
	prev := rune(0)
	for _, r := range s {
		switch {
		case r == '\'' && prev == '\\':
			b.WriteString(`\'`)
		case r == '\'':
			b.WriteString("''")
		default:
			b.WriteRune(r)
		}
		prev = r
	}
	b.WriteByte('\'')
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

var reserved = map[string]bool{"and": true, "or": true, "not": true, "like": true, "between": true, "in": true,
	"is": true, "null": true, "true": true, "false": true, "div": true}

// writeProperty writes a property name, in double quotes unless it is a plain identifier.
func writeProperty(b *strings.Builder, name string) {
	plain := !reserved[strings.ToLower(name)] && !wktTypes[strings.ToLower(name)]
	for i, r := range name {
		if i == 0 && !identStart(r) || i > 0 && !identPart(r) {
			plain = false
		}
	}
	if plain {
		b.WriteString(name)
		return
	}
	b.WriteString(`"` + name + `"`)
}

func appendJSON(dst []byte, n *Node) []byte {
	args := func(dst []byte, args []*Node) []byte {
		dst = append(dst, '[')
		for i, a := range args {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendJSON(dst, a)
		}
		return append(dst, ']')
	}
	str := func(dst []byte, s string) []byte {
		b, _ := json.Marshal(s) // a string always marshals
		return append(dst, b...)
	}
	switch n.Op {
	case OpLiteral:
		switch v := n.Value.(type) {
		case bool:
			return strconv.AppendBool(dst, v)
		case int64:
			return strconv.AppendInt(dst, v, 10)
		case float64:
			return append(dst, formatFloat(v)...)
		case string:
			return str(dst, v)
		}
		return append(dst, "null"...)
	case OpProperty:
		return append(str(append(dst, `{"property":`...), n.Name), '}')
	case OpDate:
		return append(str(append(dst, `{"date":`...), n.Value.(time.Time).Format(time.DateOnly)), '}')
	case OpTime:
		return append(str(append(dst, `{"timestamp":`...), n.Value.(time.Time).Format(time.RFC3339Nano)), '}')
	case OpInterval:
		dst = append(dst, `{"interval":[`...)
		for i, a := range n.Args {
			if i > 0 {
				dst = append(dst, ',')
			}
			if s, ok := instantString(a); ok {
				dst = str(dst, s)
			} else {
				dst = appendJSON(dst, a)
			}
		}
		return append(dst, "]}"...)
	case OpGeometry:
		return geo.AppendGeoJSON(dst, n.Value.(orb.Geometry))
	case OpBBox:
		dst = append(dst, `{"bbox":[`...)
		for i, v := range n.Value.([]float64) {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, formatFloat(v)...)
		}
		return append(dst, "]}"...)
	case OpArray:
		return args(dst, n.Args)
	}
	op := n.Op
	if op == OpFunction {
		op = n.Name
	} else if name, ok := jsonOpNames[op]; ok {
		op = name
	}
	dst = append(str(append(dst, `{"op":`...), op), `,"args":`...)
	if n.Op == "in" && len(n.Args) >= 1 {
		dst = append(dst, '[')
		dst = appendJSON(dst, n.Args[0])
		dst = append(dst, ',')
		dst = args(dst, n.Args[1:])
		return append(dst, "]}"...)
	}
	return append(args(dst, n.Args), '}')
}
