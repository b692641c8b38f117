package filter

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
)

var testQueryables = Queryables{
	Geometry: []string{"geometry"},
	Properties: []Queryable{
		{"name", TypeString}, {"students", TypeInteger}, {"height", TypeNumber}, {"open", TypeBoolean},
		{"founded", TypeDate}, {"updated", TypeDateTime}, {"tags", "array"},
	},
}

// TestErrors checks that bad filters are refused with a message that says
// what is wrong and where, for both encodings.
func TestErrors(t *testing.T) {
	cases := []struct {
		lang, src string
		column    int    // text: where the error points
		path      string // JSON: where the error points
		message   string
	}{
		{LangText, "nmae = 'x'", 1, "", `unknown property "nmae"; the queryables are founded, geometry, height, name, open, students, tags, updated`},
		{LangText, "Name = 'x'", 1, "", `unknown property "Name"; did you mean "name"? (names are case-sensitive)`},
		{LangText, "students > 'many'", 1, "", `cannot compare integer property "students" with the string "many"`},
		{LangText, "name = 5", 1, "", `cannot compare string property "name" with the number 5`},
		{LangText, "open = 1", 1, "", `cannot compare boolean property "open" with the number 1`},
		{LangText, "name LIKE students", 11, "", "the pattern of LIKE must be a string literal"},
		{LangText, "name LIKE 'abc\\'", 11, "", "unterminated string"},
		{LangText, "name LIKE 'ab\\c\\'", 11, "", "unterminated string"},
		{LangText, "tags = 'x'", 1, "", `property "tags" is of type array, which filters cannot use`},
		{LangText, "name = 'Trường", 8, "", "unterminated string"},
		{LangText, "name =", 7, "", "expected a value, found the end of the filter"},
		{LangText, "name", 1, "", `string property "name" is not a condition`},
		{LangText, "students > 1 AND", 17, "", "expected a value, found the end of the filter"},
		{LangText, "students > 1 name = 'x'", 14, "", `unexpected "name" after the end of the filter`},
		{LangText, "S_INTERSECTS(geometry, POINT(200 10))", 24, "", "position (200 10) is not a longitude and latitude"},
		{LangText, "S_INTERSECTS(geometry, POLYGON((0 0, 1 0, 1 1, 0 0.5)))", 24, "", "ring 1 of a POLYGON is not closed"},
		{LangText, "S_INTERSECTS(geometry, POLYGON((0 0, 2 2, 2 0, 0 2, 0 0)))", 24, "", "invalid geometry: ring 1 crosses or touches itself at (1 1)"},
		{LangText, "S_INTERSECTS(name, POINT(1 2))", 14, "", `S_INTERSECTS takes geometries, not string property "name"`},
		{LangText, "founded = DATE('2022-02-30')", 16, "", `"2022-02-30" is not a date of the form YYYY-MM-DD`},
		{LangText, "T_DURING(updated, INTERVAL('2020-01-01', '..'))", 10, "", "T_DURING compares intervals"},
		{LangText, "avg(height) > 3", 1, "", "unknown function avg"},
		{LangText, "A_CONTAINS(tags, ('a'))", 1, "", "array functions are not supported"},
		{LangText, "height > 1e999", 10, "", "number 1e999 is out of range"},
		{LangText, "name = NULL", 8, "", "NULL is not a value in CQL2"},
		{LangText, "in = 1", 1, "", `the keyword IN (quote a property of that name: "in")`},
		{LangText, strings.Repeat("(", 70) + "open = true" + strings.Repeat(")", 70), 65, "", "nested more than 64 levels"},
		{LangText, "name = '\xff'", 9, "", "invalid UTF-8"},
		{LangJSON, `{"op":"=","args":[{"property":"nmae"},"x"]}`, 0, "/args/0", `unknown property "nmae"`},
		{LangJSON, `{"op":"and","args":[{"op":"=","args":[{"property":"students"},"x"]}, true]}`, 0, "/args/0", `cannot compare integer property "students"`},
		{LangJSON, `{"op":"in","args":[{"property":"name"},"x"]}`, 0, "/args/1", "the second argument of in must be an array"},
		{LangJSON, `{"op":"s_within","args":[{"property":"geometry"},{"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]]]}]}`, 0, "/args/1", "ring 1 of a POLYGON has 3 positions"},
		{LangJSON, `{"op":"=","args":[{"property":"name"}]}`, 0, "/", "= takes 2 arguments, not 1"},
		{LangJSON, `{"op":"and","args":[true]}`, 0, "/", "AND takes at least two arguments"},
		{LangJSON, `{"op":"="`, 0, "", "not valid JSON"},
		{LangJSON, `{"op":"=","args":[1,1]} x`, 0, "", "unexpected data after the JSON filter"},
	}
	for _, c := range cases {
		_, err := Parse(c.src, c.lang, testQueryables)
		var fe *Error
		if !errors.As(err, &fe) {
			t.Errorf("%s: %v is not a *filter.Error", c.src, err)
			continue
		}
		if !strings.Contains(fe.Message, c.message) || fe.Column != c.column || fe.Path != c.path {
			t.Errorf("%s:\n got column %d path %q: %s\nwant column %d path %q: %s", c.src, fe.Column, fe.Path, fe.Message, c.column, c.path, c.message)
		}
	}
	if _, err := Parse("open", "cql3", testQueryables); err == nil || !strings.Contains(err.Error(), "unknown filter-lang") {
		t.Errorf("unknown language: %v", err)
	}
}

type feature struct {
	props []any
	geom  orb.Geometry
}

func (f feature) Property(i int) any     { return f.props[i] }
func (f feature) Geometry() orb.Geometry { return f.geom }

// TestThreeValuedLogic checks that a null makes a comparison unknown, NOT of
// unknown is unknown, and only true selects, as in SQL.
func TestThreeValuedLogic(t *testing.T) {
	withNull := feature{[]any{nil, int64(5), nil, nil, nil, nil, nil}, orb.Point{1, 1}}
	cases := []struct {
		src  string
		want bool
	}{
		{"name = 'x'", false},
		{"NOT (name = 'x')", false},
		{"name IS NULL", true},
		{"NOT (name IS NULL)", false},
		{"name = 'x' OR students = 5", true},
		{"name = 'x' AND students = 5", false},
		{"NOT (name = 'x' AND students = 6)", true}, // unknown AND false is false
		{"NOT (name = 'x' OR students = 6)", false}, // unknown OR false is unknown
		{"students BETWEEN height AND 10", false},
		{"NOT (students BETWEEN height AND 4)", true}, // unknown AND false
		{"students IN (height, 5)", true},
		{"students NOT IN (height, 6)", false},
		{"height / 0 IS NULL", true},
		{"students / (students - 5) IS NULL", true},
		{"T_INTERSECTS(INTERVAL(founded, updated), INTERVAL('..', '..'))", false},
	}
	for _, c := range cases {
		e, err := Parse(c.src, LangText, testQueryables)
		if err != nil {
			t.Fatalf("%s: %v", c.src, err)
		}
		if got := e.Match(withNull); got != c.want {
			t.Errorf("%s: %v, want %v", c.src, got, c.want)
		}
	}
}

func TestBBox(t *testing.T) {
	cases := []struct {
		src  string
		want string // "" when the filter limits no area
	}{
		{"S_INTERSECTS(geometry, BBOX(1, 2, 3, 4))", "[1 2]-[3 4]"},
		{"students > 3 AND (S_WITHIN(geometry, POLYGON((0 0, 4 0, 4 4, 0 0))) AND open = true)", "[0 0]-[4 4]"},
		{"S_CONTAINS(POINT(1 1), geometry) AND S_TOUCHES(geometry, BBOX(0, 0, 5, 5))", "[1 1]-[1 1]"},
		{"S_INTERSECTS(geometry, BBOX(0, 0, 2, 2)) AND S_INTERSECTS(geometry, BBOX(1, 1, 3, 3))", "[1 1]-[2 2]"},
		{"S_INTERSECTS(geometry, BBOX(0, 0, 1, 1)) AND S_INTERSECTS(geometry, BBOX(2, 2, 3, 3))", "[2 2]-[1 1]"},
		{"S_DISJOINT(geometry, BBOX(1, 2, 3, 4))", ""},
		{"NOT S_INTERSECTS(geometry, BBOX(1, 2, 3, 4))", ""},
		{"S_INTERSECTS(geometry, BBOX(1, 2, 3, 4)) OR students > 3", ""},
		{"S_INTERSECTS(geometry, BBOX(170, -10, -170, 10))", "[-180 -10]-[180 10]"},
		{"students > 3", ""},
	}
	for _, c := range cases {
		e, err := Parse(c.src, LangText, testQueryables)
		if err != nil {
			t.Fatalf("%s: %v", c.src, err)
		}
		b, ok := e.BBox()
		got := ""
		if ok {
			got = fmt.Sprintf("%v-%v", b.Min, b.Max)
		}
		if got != c.want {
			t.Errorf("%s: %q, want %q", c.src, got, c.want)
		}
	}
}

// TestTransform reads literals in another CRS through WithTransform, as
// filter-crs needs: here EPSG:3857 metres, back to degrees.
func TestTransform(t *testing.T) {
	toLonLat := func(g orb.Geometry) (orb.Geometry, error) {
		p, ok := g.(orb.Point)
		if !ok {
			return nil, errors.New("only points in this test")
		}
		const r = 6378137.0
		lon := p[0] / r * 180 / math.Pi
		lat := (2*math.Atan(math.Exp(p[1]/r)) - math.Pi/2) * 180 / math.Pi
		return orb.Point{lon, lat}, nil
	}
	e, err := Parse("S_INTERSECTS(geometry, POINT(11855000 2411000))", LangText, testQueryables, WithTransform(toLonLat))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := e.BBox()
	if b.Min[0] < 106.4 || b.Min[0] > 106.6 || b.Min[1] < 21.1 || b.Min[1] > 21.2 {
		t.Errorf("transformed point %v, want near 106.5 21.16", b.Min)
	}
	if _, err := Parse("S_INTERSECTS(geometry, LINESTRING(0 0, 1 1))", LangText, testQueryables, WithTransform(toLonLat)); err == nil ||
		!strings.Contains(err.Error(), "character 24: only points in this test") {
		t.Errorf("a transform error: %v", err)
	}
}

func TestLike(t *testing.T) {
	cases := []struct {
		pattern, s string
		want       bool
	}{
		{"Tr%", "Trường", true}, {"_rường", "Trường", true}, {"Tr_ờng", "Trường", true}, {"%ờng", "Trường", true},
		{"%", "", true}, {"_%", "", false}, {"", "", true}, {"%%", "x", true}, {`\%\_`, "%_", true}, {`\%\_`, "a_", false},
		{"a%b%c", "aXbYc", true}, {"a%b%c", "aXbY", false}, {"%a%a%", "aa", true}, {"%a%a%", "a", false},
		{`100\%`, "100%", true}, {`100\%`, "1000", false},
	}
	for _, c := range cases {
		p, err := compileLike(c.pattern)
		if err != nil {
			t.Fatal(err)
		}
		if got := p.match(c.s); got != c.want {
			t.Errorf("%q LIKE %q = %v", c.s, c.pattern, got)
		}
	}
	if _, err := compileLike(`abc\`); err == nil {
		t.Error("a pattern ending in the escape character was accepted")
	}
}

// TestAccentInsensitiveVietnamese: ACCENTI folds marks, đ and case, so a
// filter typed without marks finds the Vietnamese names.
func TestAccentInsensitiveVietnamese(t *testing.T) {
	names := []string{"Trường THPT Lục Ngạn", "TRƯỜNG MẦM NON ĐỒNG SƠN", "Truong Tieu hoc", "Bưu cục Đa Mai", "Trạm y tế"}
	cases := []struct {
		src  string
		want []bool
	}{
		{"ACCENTI(name) LIKE ACCENTI('truong%')", []bool{true, true, true, false, false}},
		{"ACCENTI(name) LIKE ACCENTI('%dong son')", []bool{false, true, false, false, false}},
		{"ACCENTI(name) LIKE accenti('%đa mai')", []bool{false, false, false, true, false}},
		{"CASEI(name) LIKE CASEI('trường%')", []bool{true, true, false, false, false}},
		{"name LIKE 'Trường%'", []bool{true, false, false, false, false}},
		{"ACCENTI(CASEI(name)) = ACCENTI(CASEI('tram Y TE'))", []bool{false, false, false, false, true}},
	}
	for _, c := range cases {
		e, err := Parse(c.src, LangText, testQueryables)
		if err != nil {
			t.Fatalf("%s: %v", c.src, err)
		}
		for i, n := range names {
			if got := e.Match(feature{[]any{n, nil, nil, nil, nil, nil, nil}, orb.Point{0, 0}}); got != c.want[i] {
				t.Errorf("%s on %q: %v", c.src, n, got)
			}
		}
	}
}

func TestTemporalRelations(t *testing.T) {
	// [s1, e1] against [10, 20]
	cases := []struct {
		s1, e1 int64
		holds  []string
	}{
		{21, 30, []string{"t_after", "t_disjoint"}},
		{0, 9, []string{"t_before", "t_disjoint"}},
		{5, 25, []string{"t_contains", "t_intersects"}},
		{12, 18, []string{"t_during", "t_intersects"}},
		{10, 20, []string{"t_equals", "t_intersects"}},
		{5, 20, []string{"t_finishedby", "t_intersects"}},
		{15, 20, []string{"t_finishes", "t_intersects"}},
		{0, 10, []string{"t_meets", "t_intersects"}},
		{20, 30, []string{"t_metby", "t_intersects"}},
		{15, 25, []string{"t_overlappedby", "t_intersects"}},
		{5, 15, []string{"t_overlaps", "t_intersects"}},
		{10, 25, []string{"t_startedby", "t_intersects"}},
		{10, 15, []string{"t_starts", "t_intersects"}},
	}
	for _, c := range cases {
		for op := range temporalOps {
			want := false
			for _, h := range c.holds {
				want = want || h == op
			}
			if got := temporalRelation(op, c.s1, c.e1, 10, 20); got != want {
				t.Errorf("%s([%d, %d], [10, 20]) = %v", op, c.s1, c.e1, got)
			}
		}
	}
}

func TestParseDays(t *testing.T) {
	for d := time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC); d.Year() < 10000; d = d.AddDate(0, 0, 7) {
		got, ok := parseDays(d.Format(time.DateOnly))
		if !ok || got*86_400_000_000 != micros(d) {
			t.Fatalf("%s: %d days, %v", d.Format(time.DateOnly), got, ok)
		}
	}
	for _, bad := range []string{"2023-02-29", "2024-13-01", "2024-00-10", "0000-01-01", "2024-1-01", "2024-01-1x", "20240101"} {
		if _, ok := parseDays(bad); ok {
			t.Errorf("%s read as a date", bad)
		}
	}
	if _, ok := parseDays("2024-02-29"); !ok {
		t.Error("2024-02-29 refused")
	}
}
