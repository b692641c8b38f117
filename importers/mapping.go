package importers

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
)

// Mapping renames, types and drops columns, as a department's data officer
// writes it once for a file that comes back every quarter:
//
//	{"columns": {
//	  "Tên trường":  {"name": "ten_truong"},
//	  "Số học sinh": {"name": "so_hoc_sinh", "type": "integer"},
//	  "Mã bưu chính": {"type": "string"},
//	  "Ghi chú":     {"drop": true}}}
//
// Column names match as written or without accents and case. A value that does
// not fit its declared type rejects the row ("type mismatch").
type Mapping struct {
	Columns map[string]ColumnMapping `json:"columns"`
}

// ColumnMapping is what a mapping says of one column.
type ColumnMapping struct {
	Name string `json:"name,omitempty"` // new name; "" keeps it
	Type string `json:"type,omitempty"` // integer, number, boolean, date, date-time or string; "" infers
	Drop bool   `json:"drop,omitempty"` // leave the column out
}

// LoadMapping reads and checks a mapping file.
func LoadMapping(path string) (*Mapping, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseMapping(b, path)
}

// ParseMapping reads and checks a mapping; source names it in errors (a file,
// or the upload field it came in).
func ParseMapping(b []byte, source string) (*Mapping, error) {
	var m Mapping
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("mapping %s: %w (want {\"columns\": {\"column\": {\"name\": …, \"type\": …, \"drop\": …}}})", source, err)
	}
	for col, c := range m.Columns {
		switch c.Type {
		case "", TypeInteger, TypeNumber, TypeBoolean, TypeDate, TypeDateTime, TypeString:
		default:
			return nil, fmt.Errorf("mapping %s: column %q: type %q: want integer, number, boolean, date, date-time or string", source, col, c.Type)
		}
	}
	return &m, nil
}

// lookup finds the mapping of a column.
func (m *Mapping) lookup(name string) (ColumnMapping, bool) {
	if c, ok := m.Columns[name]; ok {
		return c, true
	}
	k := headerKey(name)
	for col, c := range m.Columns {
		if headerKey(col) == k {
			return c, true
		}
	}
	return ColumnMapping{}, false
}

// Types are the fields whose type the mapping fixes, under their new names.
func (m *Mapping) Types() []Field {
	var out []Field
	for col, c := range m.Columns {
		if c.Type != "" && !c.Drop {
			name := c.Name
			if name == "" {
				name = col
			}
			out = append(out, Field{Name: name, Type: c.Type})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Apply renames and drops the record's properties and rejects it when a value
// does not fit its declared type. A nil mapping changes nothing.
func (m *Mapping) Apply(rec *Record) {
	if m == nil {
		return
	}
	out := rec.Props[:0]
	for _, p := range rec.Props {
		c, ok := m.lookup(p.Name)
		if !ok {
			out = append(out, p)
			continue
		}
		if c.Drop {
			continue
		}
		if c.Type != "" && !fits(p.Value, c.Type, rec.Text) {
			rec.reject(p.Name, fmt.Sprintf("type mismatch: %q is not %s %s, as the mapping declares", textOf(p.Value), article(c.Type), c.Type))
		}
		if c.Name != "" {
			if rec.IDColumn == p.Name {
				rec.IDColumn = c.Name
			}
			p.Name = c.Name
		}
		out = append(out, p)
	}
	rec.Props = out
}

func article(t string) string {
	if strings.IndexByte("aeiou", t[0]) >= 0 {
		return "an"
	}
	return "a"
}

// fits reports whether a value can be stored as typ; empty values always fit.
func fits(v any, typ string, text bool) bool {
	k := kindOf(v, text)
	if k == 0 || typ == TypeString {
		return true
	}
	switch typ {
	case TypeInteger:
		return k == sawInteger
	case TypeNumber:
		return k&^(sawInteger|sawNumber) == 0
	case TypeBoolean:
		return k == sawBoolean
	case TypeDate:
		return k == sawDate
	case TypeDateTime:
		return k&^(sawDate|sawDateTime) == 0
	}
	return false
}
