package filter

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/paulmach/orb"
)

// fuzzQueryables have one property of every type, named as the seed corpora
// (testdata/fuzz) name them.
var fuzzQueryables = Queryables{
	Geometry: []string{"geometry", "geom"},
	Properties: []Queryable{
		{"name", TypeString}, {"n", TypeInteger}, {"x", TypeNumber}, {"b", TypeBoolean},
		{"d", TypeDate}, {"t", TypeDateTime}, {"Tên trường", TypeString},
	},
}

type fuzzFeature struct {
	props []any
	geom  orb.Geometry
}

func (f fuzzFeature) Property(i int) any     { return f.props[i] }
func (f fuzzFeature) Geometry() orb.Geometry { return f.geom }

var fuzzFeatures = []Feature{
	fuzzFeature{[]any{"Trường THPT Lục Ngạn", int64(1200), 3.5, true, "2022-04-16", "2022-04-16T10:13:19Z", "Trường Tiểu học"},
		orb.Point{106.5, 21.3}},
	fuzzFeature{[]any{nil, int64(-7), nil, false, nil, "1969-07-20T20:17:40.5Z", nil},
		orb.Polygon{{{0, 0}, {2, 0}, {2, 2}, {0, 2}, {0, 0}}}},
	fuzzFeature{make([]any, 7), orb.LineString{{-1, 1}, {3, 1}}},
}

var placeholder = regexp.MustCompile(`\$([0-9]+)`)

// checkParsed checks what every filter that parses must satisfy: it prints
// back to CQL2 text and JSON that read to the same tree, and when it fits
// the queryables it evaluates and writes SQL whose placeholders are its values.
func checkParsed(t *testing.T, n *Node, src string, fromText bool) {
	lang := LangJSON
	if fromText {
		lang = LangText
	}
	e, err := Compile(n, src, lang, fuzzQueryables)
	if err != nil {
		checkError(t, src, err)
		if !fromText {
			return // CQL2 JSON can nest what CQL2 text cannot write; only valid filters must print back
		}
	}
	again, perr := ParseText(n.String())
	if perr != nil && strings.Contains(perr.Error(), "nested more than") {
		return // printing adds parentheses
	}
	if !fromText && endsWithBackslash(n) {
		return // CQL2 text cannot write such a string
	}
	if perr != nil || canonical(again) != canonical(n) {
		t.Fatalf("%q: its text %q reads back as %v (%v)", src, n, again, perr)
	}
	js, _ := n.MarshalJSON()
	if again, perr = ParseJSON(string(js)); perr != nil || canonical(again) != canonical(n) {
		t.Fatalf("%q: its JSON %s reads back as %v (%v)", src, js, again, perr)
	}
	if err != nil {
		return
	}
	for _, f := range fuzzFeatures {
		e.Match(f)
	}
	e.BBox()
	args := []any{"collection"}
	sql := e.SQL(&args)
	seen := map[int]bool{}
	for _, m := range placeholder.FindAllStringSubmatch(sql, -1) {
		i, _ := strconv.Atoi(m[1])
		seen[i] = true
	}
	for i := 2; i <= len(args); i++ {
		if !seen[i] {
			t.Fatalf("%q: $%d of %d values is not in the SQL %s", src, i, len(args), sql)
		}
	}
	if len(seen) != len(args)-1 {
		t.Fatalf("%q: %d placeholders for %d values in %s", src, len(seen), len(args)-1, sql)
	}
}

func endsWithBackslash(n *Node) bool {
	if s, ok := n.Value.(string); ok && strings.HasSuffix(s, `\`) {
		return true
	}
	for _, a := range n.Args {
		if endsWithBackslash(a) {
			return true
		}
	}
	return false
}

// checkError checks that a refusal is an *Error that places itself in the text.
func checkError(t *testing.T, src string, err error) {
	var fe *Error
	if !errors.As(err, &fe) {
		t.Fatalf("%q: %v is not a *filter.Error", src, err)
	}
	if fe.Column < 0 || fe.Column > utf8.RuneCountInString(src)+1 || fe.Message == "" {
		t.Fatalf("%q: error %+v does not place itself", src, fe)
	}
}

func FuzzParseText(f *testing.F) {
	f.Fuzz(func(t *testing.T, src string) {
		n, err := ParseText(src)
		if err != nil {
			checkError(t, src, err)
			return
		}
		checkParsed(t, n, src, true)
	})
}

func FuzzParseJSON(f *testing.F) {
	f.Fuzz(func(t *testing.T, src string) {
		n, err := ParseJSON(src)
		if err != nil {
			checkError(t, "", err)
			return
		}
		checkParsed(t, n, src, false)
	})
}
