package filter

import (
	"fmt"
	"strings"
	"time"
)

// SQL writes the filter as a boolean SQL expression for PostGIS over the
// columns of the features table: properties (jsonb) and geom (geometry, SRID
// 4326). Every value is appended to *args and referenced as $n (numbered after
// the arguments already there); property names come from the queryables and
// are written as string literals, properties->>'name', with a cast by type.
// The expression selects exactly the features Match selects: it uses the
// same three-valued logic, binary string order (COLLATE "C"), double
// precision arithmetic, and the database functions of migration 0003 for ACCENTI.
func (x *Expr) SQL(args *[]any) string {
	w := &sqlWriter{args: args}
	return w.pred(x.check)
}

type sqlWriter struct {
	args *[]any
}

func (w *sqlWriter) param(v any, cast string) string {
	*w.args = append(*w.args, v)
	return fmt.Sprintf("$%d::%s", len(*w.args), cast)
}

var stFunctions = map[string]string{
	"s_intersects": "ST_Intersects", "s_disjoint": "ST_Disjoint", "s_contains": "ST_Contains", "s_within": "ST_Within",
	"s_touches": "ST_Touches", "s_crosses": "ST_Crosses", "s_overlaps": "ST_Overlaps", "s_equals": "ST_Equals",
}

func (w *sqlWriter) pred(e *expr) string {
	switch {
	case e.op == "and" || e.op == "or":
		parts := make([]string, len(e.args))
		for i, a := range e.args {
			parts[i] = w.pred(a)
		}
		return "(" + strings.Join(parts, " "+strings.ToUpper(e.op)+" ") + ")"
	case e.op == "not":
		return "(NOT " + w.pred(e.args[0]) + ")"
	case comparisonOps[e.op]:
		return w.comparison(e.op, e.args[0], e.args[1])
	case e.op == "like":
		return "(" + w.str(e.args[0]) + " LIKE " + w.param(e.args[1].val.(string), "text") + ")"
	case e.op == "between":
		return "(" + w.comparison(">=", e.args[0], e.args[1]) + " AND " + w.comparison("<=", e.args[0], e.args[2]) + ")"
	case e.op == "in":
		parts := make([]string, len(e.args)-1)
		for i, item := range e.args[1:] {
			parts[i] = w.comparison("=", e.args[0], item)
		}
		return "(" + strings.Join(parts, " OR ") + ")"
	case e.op == "isNull":
		return "(" + w.scalar(e.args[0]) + " IS NULL)"
	case spatialOps[e.op]:
		return stFunctions[e.op] + "(" + w.geom(e.args[0]) + ", " + w.geom(e.args[1]) + ")"
	case temporalOps[e.op]:
		return w.temporal(e)
	}
	return w.boolean(e)
}

// scalar writes an operand in its own type (for IS NULL).
func (w *sqlWriter) scalar(e *expr) string {
	switch e.typ {
	case vInt:
		return w.int(e)
	case vNum:
		return w.num(e)
	case vStr:
		return w.str(e)
	case vDate, vTime:
		return w.time(e, e.typ == vDate)
	case vGeom:
		return w.geom(e)
	}
	if e.op == OpLiteral || e.op == OpProperty {
		return w.boolean(e)
	}
	return w.pred(e)
}

func (w *sqlWriter) comparison(op string, a, b *expr) string {
	var x, y string
	switch modeOf(a, b) {
	case modeInt:
		x, y = w.int(a), w.int(b)
	case modeNum:
		x, y = w.num(a), w.num(b)
	case modeStr:
		x, y = w.str(a)+` COLLATE "C"`, w.str(b)
	case modeBool:
		x, y = w.boolean(a), w.boolean(b)
	default:
		asDate := a.typ == vDate && b.typ == vDate
		x, y = w.time(a, asDate), w.time(b, asDate)
	}
	return "(" + x + " " + op + " " + y + ")"
}

// prop writes the text of a property: properties->>'name'.
func prop(e *expr) string { return "(properties->>" + quoteLiteral(e.prop.name) + ")" }

func (w *sqlWriter) int(e *expr) string {
	if e.op == OpLiteral {
		return w.param(e.val.(int64), "bigint")
	}
	return "(" + prop(e) + "::bigint)"
}

func (w *sqlWriter) num(e *expr) string {
	switch e.op {
	case OpLiteral:
		switch v := e.val.(type) {
		case int64:
			return w.param(float64(v), "float8")
		case float64:
			return w.param(v, "float8")
		}
	case OpProperty:
		return "(" + prop(e) + "::float8)"
	}
	a, b := w.num(e.args[0]), w.num(e.args[1])
	switch e.op {
	case "/":
		return "(" + a + " / NULLIF(" + b + ", 0))"
	case "div":
		return "trunc(" + a + " / NULLIF(" + b + ", 0))"
	case "%":
		return "(" + a + " - (" + b + " * trunc(" + a + " / NULLIF(" + b + ", 0))))"
	case "^":
		return "(CASE WHEN (" + a + " = 0 AND " + b + " < 0) OR (" + a + " < 0 AND " + b + " <> trunc(" + b + ")) THEN NULL ELSE power(" + a + ", " + b + ") END)"
	}
	return "(" + a + " " + e.op + " " + b + ")"
}

func (w *sqlWriter) str(e *expr) string {
	switch e.op {
	case OpLiteral:
		return w.param(e.val.(string), "text")
	case OpProperty:
		return prop(e)
	case "casei":
		return "lower(" + w.str(e.args[0]) + ")"
	}
	return "geodata_accenti(" + w.str(e.args[0]) + ")"
}

func (w *sqlWriter) boolean(e *expr) string {
	if e.op == OpLiteral {
		return w.param(e.val.(bool), "boolean")
	}
	return "(" + prop(e) + "::boolean)"
}

// time writes a date or timestamp operand, as a date when asDate, else as a
// timestamptz (a date at its midnight UTC).
func (w *sqlWriter) time(e *expr, asDate bool) string {
	if e.op == OpProperty {
		switch {
		case e.typ == vTime:
			return "(" + prop(e) + "::timestamptz)"
		case asDate:
			return "(" + prop(e) + "::date)"
		}
		return "((" + prop(e) + "::date)::timestamp AT TIME ZONE 'UTC')"
	}
	v := e.val.(int64)
	cast := "timestamptz"
	if asDate {
		cast = "date"
	}
	switch v {
	case minusInfinity:
		return w.param("-infinity", cast)
	case plusInfinity:
		return w.param("infinity", cast)
	}
	t := time.UnixMicro(v).UTC()
	if asDate {
		return w.param(t.Format(time.DateOnly), cast)
	}
	return w.param(t, cast)
}

func (w *sqlWriter) geom(e *expr) string {
	if e.op == OpProperty {
		return "geom"
	}
	return "ST_GeomFromWKB(" + w.param(e.wkb, "bytea") + ", 4326)"
}

// temporal writes a T_* function over the ends of its operands, each
// written once and only when the function uses it; when an end comes from a
// property it may be null, and the whole is then null, as in Match.
func (w *sqlWriter) temporal(e *expr) string {
	var ends [4]*expr
	for i, x := range e.args {
		ends[2*i], ends[2*i+1] = x, x // an instant: start and end are one value
		if x.typ == vInterval {
			ends[2*i], ends[2*i+1] = x.args[0], x.args[1]
		}
	}
	asDate := true
	for _, x := range ends {
		if x.op != opOpen && x.typ != vDate {
			asDate = false
		}
	}
	written := map[*expr]string{}
	var nullable []string
	end := func(i int) string {
		x := ends[i]
		if sql, ok := written[x]; ok {
			return sql
		}
		sql := w.time(x, asDate)
		written[x] = sql
		if x.op == OpProperty {
			nullable = append(nullable, sql+" IS NOT NULL")
		}
		return sql
	}
	f := temporalSQL(e.op, end)
	if len(nullable) == 0 {
		return f
	}
	return "(CASE WHEN " + strings.Join(nullable, " AND ") + " THEN " + f + " END)"
}

// quoteLiteral writes s as an SQL string literal, safe whatever it holds.
func quoteLiteral(s string) string {
	q := "'" + strings.ReplaceAll(s, "'", "''") + "'"
	if strings.Contains(s, `\`) {
		return "E" + strings.ReplaceAll(q, `\`, `\\`)
	}
	return q
}
