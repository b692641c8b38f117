package importers

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Property types of a schema, as JSON Schema names them (dates as string formats).
const (
	TypeInteger  = "integer"
	TypeNumber   = "number"
	TypeBoolean  = "boolean"
	TypeDate     = "date"
	TypeDateTime = "date-time"
	TypeString   = "string"
	TypeObject   = "object"
	TypeArray    = "array"
)

// Field is one property of an inferred schema.
type Field struct {
	Name string
	Type string
}

// kinds of values seen in a column, as bit flags.
const (
	sawInteger = 1 << iota
	sawNumber
	sawBoolean
	sawDate
	sawDateTime
	sawString
	sawObject
	sawArray
)

// Schema infers property types from the values of every accepted record, in the
// order columns first appear.
type Schema struct {
	fields []Field
	seen   []int
	index  map[string]int
	forced map[string]string // types fixed by a mapping file: they never widen
}

// NewSchema returns an empty schema.
func NewSchema() *Schema { return &Schema{index: map[string]int{}} }

// Observe widens the schema with the values of rec.
func (s *Schema) Observe(rec *Record) {
	for _, p := range rec.Props {
		i, ok := s.index[p.Name]
		if !ok {
			i = len(s.fields)
			s.index[p.Name] = i
			s.fields = append(s.fields, Field{Name: p.Name})
			s.seen = append(s.seen, 0)
		}
		s.seen[i] |= kindOf(p.Value, rec.Text)
	}
}

// Force fixes the types of some fields (from a mapping file); values that do
// not fit are rejected before they reach the schema (see Mapping.Apply).
func (s *Schema) Force(fields []Field) {
	if s.forced == nil {
		s.forced = map[string]string{}
	}
	for _, f := range fields {
		s.forced[f.Name] = f.Type
	}
}

func (s *Schema) typeAt(i int) string {
	if t, ok := s.forced[s.fields[i].Name]; ok {
		return t
	}
	return typeOf(s.seen[i])
}

// Seed adds fields of a known schema first (for append and upsert), so that the
// stored schema keeps its order and types widen from the stored ones.
func (s *Schema) Seed(fields []Field) {
	for _, f := range fields {
		if _, ok := s.index[f.Name]; ok {
			continue
		}
		s.index[f.Name] = len(s.fields)
		s.fields = append(s.fields, Field{Name: f.Name})
		s.seen = append(s.seen, typeFlag(f.Type))
	}
}

// Fields returns the inferred schema.
func (s *Schema) Fields() []Field {
	out := make([]Field, len(s.fields))
	for i, f := range s.fields {
		out[i] = Field{Name: f.Name, Type: s.typeAt(i)}
	}
	return out
}

func typeFlag(t string) int {
	switch t {
	case TypeInteger:
		return sawInteger
	case TypeNumber:
		return sawNumber
	case TypeBoolean:
		return sawBoolean
	case TypeDate:
		return sawDate
	case TypeDateTime:
		return sawDateTime
	case TypeObject:
		return sawObject
	case TypeArray:
		return sawArray
	}
	return sawString
}

func typeOf(seen int) string {
	switch {
	case seen == 0:
		return TypeString
	case seen&^(sawInteger) == 0:
		return TypeInteger
	case seen&^(sawInteger|sawNumber) == 0:
		return TypeNumber
	case seen == sawBoolean:
		return TypeBoolean
	case seen == sawDate:
		return TypeDate
	case seen == sawDateTime:
		return TypeDateTime
	case seen == sawObject:
		return TypeObject
	case seen == sawArray:
		return TypeArray
	}
	return TypeString
}

var (
	integerText = regexp.MustCompile(`^[+-]?(0|[1-9][0-9]*)$`)
	numberText  = regexp.MustCompile(`^[+-]?(0|[1-9][0-9]*)([.,][0-9]+)?([eE][+-]?[0-9]+)?$`)
	dmyText     = regexp.MustCompile(`^([0-3]?[0-9])/([01]?[0-9])/([0-9]{4})$`)
)

// kindOf classifies one value; text values are read for what they look like.
func kindOf(v any, text bool) int {
	switch v := v.(type) {
	case nil:
		return 0
	case bool:
		return sawBoolean
	case json.Number:
		if _, err := v.Int64(); err == nil {
			return sawInteger
		}
		return sawNumber
	case []any:
		return sawArray
	case map[string]any:
		return sawObject
	case string:
		if text {
			return textKind(v)
		}
		if _, ok := parseDate(v); ok {
			return sawDate
		}
		if _, ok := parseDateTime(v); ok {
			return sawDateTime
		}
		return sawString
	}
	return sawString
}

func textKind(s string) int {
	switch {
	case s == "":
		return 0
	case !strings.ContainsRune("+-0123456789tTfF", rune(s[0])):
		return sawString // names and addresses: no number, boolean or date starts so
	case integerText.MatchString(s):
		if _, err := strconv.ParseInt(s, 10, 64); err == nil {
			return sawInteger
		}
		return sawString
	case numberText.MatchString(s) && significantDigits(s) <= 15:
		return sawNumber
	case strings.EqualFold(s, "true") || strings.EqualFold(s, "false"):
		return sawBoolean
	}
	if _, ok := parseDate(s); ok {
		return sawDate
	}
	if _, ok := parseDateTime(s); ok {
		return sawDateTime
	}
	return sawString
}

func significantDigits(s string) int {
	n := 0
	for _, r := range strings.TrimLeft(strings.SplitN(strings.ToLower(s), "e", 2)[0], "+-0.,") {
		if r >= '0' && r <= '9' {
			n++
		}
	}
	return n
}

// parseDate reads YYYY-MM-DD, or DD/MM/YYYY as Vietnamese documents write dates.
func parseDate(s string) (string, bool) {
	if len(s) == 10 && s[4] == '-' && s[7] == '-' {
		if t, err := time.Parse("2006-01-02", s); err == nil {
			return t.Format("2006-01-02"), true
		}
		return "", false
	}
	if m := dmyText.FindStringSubmatch(s); m != nil {
		d, _ := strconv.Atoi(m[1])
		mo, _ := strconv.Atoi(m[2])
		y, _ := strconv.Atoi(m[3])
		t := time.Date(y, time.Month(mo), d, 0, 0, 0, 0, time.UTC)
		if t.Day() == d && int(t.Month()) == mo {
			return t.Format("2006-01-02"), true
		}
	}
	return "", false
}

func parseDateTime(s string) (string, bool) {
	if len(s) < 19 || s[4] != '-' || (s[10] != 'T' && s[10] != ' ') {
		return "", false
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05Z07:00", "2006-01-02T15:04:05", "2006-01-02 15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC().Format(time.RFC3339Nano), true
		}
	}
	return "", false
}

// Value is one property of a record typed by the schema, with the schema's type
// name; ok is false for properties not in the schema and empty values.
func (s *Schema) Value(p Prop) (v any, typ string, ok bool) {
	i, known := s.index[p.Name]
	if !known {
		return nil, "", false
	}
	typ = s.typeAt(i)
	v, ok = convert(p.Value, typ)
	return v, typ, ok
}

func convert(v any, typ string) (any, bool) {
	if v == nil {
		return nil, false
	}
	text := textOf(v)
	if _, isText := v.(string); isText && text == "" {
		return nil, false
	}
	switch typ {
	case TypeInteger:
		n, err := strconv.ParseInt(text, 10, 64)
		return n, err == nil
	case TypeNumber:
		f, err := strconv.ParseFloat(strings.Replace(text, ",", ".", 1), 64)
		return f, err == nil
	case TypeBoolean:
		if b, ok := v.(bool); ok {
			return b, true
		}
		return strings.EqualFold(text, "true"), true
	case TypeDate:
		return parseDate(text)
	case TypeDateTime:
		return parseDateTime(text)
	case TypeObject, TypeArray:
		return v, true
	}
	return text, true
}
