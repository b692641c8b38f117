package handlers

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/vn-opendata/geodata/catalog"
	"github.com/vn-opendata/geodata/filter"
)

// GDAL 3.6 sends filters as cql-text (the draft name of CQL2 text) when the
// API document lists it, translated from an OGR SQL -where, but not quite as
// CQL2 writes them: property names bare even with spaces ("Số học sinh > 500"),
// ILIKE, booleans as 0 and 1, and instants as '2010-01-01T' or
// '2010-01-01T10:30Z'. A filter given as cql-text is read as GDAL means it, so
// that GDAL gets the features it asked for rather than an error (which it shows
// as an empty layer); filter-lang=cql2-text reads CQL2 strictly.

// gdalTree reads the filter for the collection of snap as GDAL writes it: as
// it is when it parses, else with the collection's names quoted and ILIKE
// written in CQL2; then with GDAL's booleans and instants in CQL2's types.
func (f *filterRequest) gdalTree(snap *catalog.Snapshot) (*filter.Node, string, error) {
	root, src := f.root, f.src
	if root == nil {
		src = gdalILike(gdalQuoted(f.src, snap))
		var err error
		if root, err = filter.ParseText(src); err != nil {
			return nil, "", f.err
		}
	}
	return gdalTypes(root, snap), src, nil
}

// gdalQuoted puts in double quotes the property names of snap that are no
// CQL2 identifier ("Số học sinh", with spaces), where src has them bare: GDAL
// 3.6 writes names so in the filters it sends as cql-text ("(Số học sinh >
// 500)"). String literals and quoted names are left alone; at each place the
// longest name wins, and only where it stands alone (not inside a longer word).
func gdalQuoted(src string, snap *catalog.Snapshot) string {
	var names []string
	for _, p := range snap.Collection.Schema {
		if !plainName(p.Name) && !strings.Contains(p.Name, `"`) {
			names = append(names, p.Name)
		}
	}
	if len(names) == 0 {
		return src
	}
	slices.SortFunc(names, func(a, b string) int { return len(b) - len(a) })
	var b strings.Builder
	prev := rune(0)
	for i := 0; i < len(src); {
		if c := src[i]; c == '\'' || c == '"' {
			j := quotedEnd(src, i)
			b.WriteString(src[i:j])
			i, prev = j, rune(c)
			continue
		}
		if !identRune(prev) {
			if n := nameAt(src[i:], names); n != "" {
				b.WriteString(`"` + n + `"`)
				i, prev = i+len(n), '"'
				continue
			}
		}
		r, size := utf8.DecodeRuneInString(src[i:])
		b.WriteString(src[i : i+size])
		i, prev = i+size, r
	}
	return b.String()
}

// nameAt returns the first of names that s starts with as a whole word, or "".
func nameAt(s string, names []string) string {
	for _, n := range names {
		if !strings.HasPrefix(s, n) {
			continue
		}
		if next, _ := utf8.DecodeRuneInString(s[len(n):]); len(s) == len(n) || !identRune(next) {
			return n
		}
	}
	return ""
}

// quotedEnd returns the end of the quoted text starting at src[i] (a quote
// doubled inside stays inside), or len(src).
func quotedEnd(src string, i int) int {
	q := src[i]
	for j := i + 1; j < len(src); j++ {
		if src[j] != q {
			continue
		}
		if j+1 < len(src) && src[j+1] == q {
			j++
			continue
		}
		return j + 1
	}
	return len(src)
}

// identRune reports whether r may continue a CQL2 identifier.
func identRune(r rune) bool {
	return r == ':' || r == '_' || r == '.' || unicode.IsLetter(r) || unicode.IsDigit(r) ||
		unicode.In(r, unicode.Nl, unicode.Mn, unicode.Mc)
}

// plainName reports whether a name reads as one CQL2 identifier unquoted.
func plainName(name string) bool {
	for i, r := range name {
		if !identRune(r) || i == 0 && (unicode.IsDigit(r) || r == '.') {
			return false
		}
	}
	return name != ""
}

// gdalILike writes GDAL's "name ILIKE 'pattern'" as CQL2's
// CASEI(name) LIKE CASEI('pattern').
func gdalILike(src string) string {
	toks := gdalTokens(src)
	var b strings.Builder
	for i := 0; i < len(toks); i++ {
		prev, next := i-2, i+2
		if strings.EqualFold(toks[i], "ilike") && prev >= 0 && next < len(toks) && isSpace(toks[i-1]) && isSpace(toks[i+1]) &&
			toks[next][0] == '\'' && (toks[prev][0] == '"' || identRune(rune(toks[prev][0])) || toks[prev][0] >= utf8.RuneSelf) {
			out := b.String()
			b.Reset()
			b.WriteString(strings.TrimSuffix(out, toks[prev]+toks[i-1]))
			b.WriteString("CASEI(" + toks[prev] + ") LIKE CASEI(" + toks[next] + ")")
			i = next
			continue
		}
		b.WriteString(toks[i])
	}
	return b.String()
}

// gdalTokens splits src into quoted texts ('…' and "…"), words, runs of
// spaces and single other characters; joined, they give src back.
func gdalTokens(src string) []string {
	var out []string
	for i := 0; i < len(src); {
		j := i + 1
		r, size := utf8.DecodeRuneInString(src[i:])
		switch {
		case r == '\'' || r == '"':
			j = quotedEnd(src, i)
		case identRune(r), unicode.IsSpace(r):
			word := identRune(r)
			for j = i + size; j < len(src); {
				r2, s2 := utf8.DecodeRuneInString(src[j:])
				if identRune(r2) != word || !word && !unicode.IsSpace(r2) {
					break
				}
				j += s2
			}
		default:
			j = i + size
		}
		out = append(out, src[i:j])
		i = j
	}
	return out
}

func isSpace(tok string) bool { return strings.TrimSpace(tok) == "" }

// gdalInstant is an instant as GDAL writes it: a date and a T, with the hour,
// minutes and seconds as far as given and then Z.
var gdalInstant = regexp.MustCompile(`^(\d{4}-\d{2}-\d{2})T(?:(\d{2})(?::(\d{2}))?(?::(\d{2}))?Z)?$`)

// gdalTypes returns the tree with GDAL's values in the types of the
// properties they are compared with: 0 and 1 as false and true for a boolean,
// GDAL's instants as CQL2 dates and timestamps for a date or date-time. The
// tree given is left as it is (nearby reads it for several collections).
func gdalTypes(n *filter.Node, snap *catalog.Snapshot) *filter.Node {
	out := *n
	changed := false
	for i, a := range n.Args {
		if b := gdalTypes(a, snap); b != a {
			if !changed {
				out.Args = slices.Clone(n.Args)
				changed = true
			}
			out.Args[i] = b
		}
	}
	switch n.Op {
	case "=", "<>", "<", ">", "<=", ">=":
	default:
		if changed {
			return &out
		}
		return n
	}
	for i := range 2 {
		prop, lit := out.Args[i], out.Args[1-i]
		if prop.Op != filter.OpProperty || lit.Op != filter.OpLiteral {
			continue
		}
		k, ok := snap.Property(prop.Name)
		if !ok {
			continue
		}
		if v := gdalValue(snap.Collection.Schema[k].Type, lit.Value); v != nil {
			if !changed {
				out.Args = slices.Clone(n.Args)
				changed = true
			}
			l := *lit
			l.Value = v
			out.Args[1-i] = &l
		}
	}
	if changed {
		return &out
	}
	return n
}

// gdalValue is the CQL2 value of GDAL's value v compared with a property of
// type typ, or nil when v needs no change.
func gdalValue(typ string, v any) any {
	switch x := v.(type) {
	case int64:
		if typ == "boolean" && (x == 0 || x == 1) {
			return x == 1
		}
	case string:
		m := gdalInstant.FindStringSubmatch(x)
		if m == nil || typ != "date" && typ != "date-time" {
			return nil
		}
		if m[2] == "" {
			return m[1]
		}
		hms := []string{m[2], m[3], m[4]}
		for i, p := range hms {
			if p == "" {
				hms[i] = "00"
			}
		}
		return m[1] + "T" + strings.Join(hms, ":") + "Z"
	}
	return nil
}
