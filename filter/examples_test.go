package filter

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/vn-opendata/geodata/geo"
)

// examplesCollection holds features with the properties the standard's
// examples name, so that the examples can be evaluated.
const examplesCollection = "cql2-examples"

// oddName is a property name that SQL must quote with care.
const oddName = `trích dẫn 'đơn' \ "kép"; DROP TABLE features; --`

// exampleGeometryNames are the names the examples give the feature geometry.
var exampleGeometryNames = []string{"geometry", "geom", "footprint", "location", "road"}

// writeExamplesData writes random point features with the examples' properties
// (about one value in ten null) to dir/examples.geojson.
func writeExamplesData(dir string) (string, error) {
	rng := rand.New(rand.NewPCG(21, 65))
	pick := func(vs ...any) any { return vs[rng.IntN(len(vs))] }
	num := func(lo, hi float64) any { return math.Round((lo+rng.Float64()*(hi-lo))*100) / 100 }
	day := func() any {
		return time.Date(1850+rng.IntN(180), time.Month(1+rng.IntN(12)), 1+rng.IntN(28), 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
	}
	instant := func() time.Time {
		return time.Unix(rng.Int64N(2e9)-5e8, 0).UTC()
	}
	stamp := func() any { return instant().Format(time.RFC3339) }
	var b strings.Builder
	b.WriteString(`{"type":"FeatureCollection","features":[` + "\n")
	for i := 0; i < 400; i++ {
		start := instant()
		props := map[string]any{
			"windSpeed": num(0, 30), "city": pick("Toronto", "Frankfurt", "Tokyo", "New York", "Hà Nội"),
			"balance": num(-500, 500), "updated": day(), "name": pick("Smith", "Smithson", "foo", "foobar", "Foo", "Nguyễn"),
			"depth": num(0, 300), "cityName": pick("Toronto", "Frankfurt", "Tokyo", "New York", "Bắc Giang"),
			"category": rng.IntN(7), "road_class": pick("Οδος", "ΟΔΟΣ", "Straße", "STRASSE", "street"),
			"etat_vol": pick("débárquér", "debarquer", "DÉBARQUÉR", "décollé"), "event_time": stamp(),
			"touchdown": start.Format(time.RFC3339), "liftOff": start.Add(time.Duration(rng.IntN(100)) * time.Hour).Format(time.RFC3339),
			"vehicle_height": num(2, 6), "bridge_clearance": num(2, 7), "landsat:scene_id": pick("LC82030282019133LGN00", "LC8"),
			"eo:instrument": pick("OLI", "OLI_TIRS", "TM"), "landsat:wrs_path": pick("153", "154", "15X", "203"),
			"landsat:wrs_row": rng.IntN(40), "eo:cloud_cover": pick(0.1, 0.2, 0.5, 0.05),
			"beamMode": pick("ScanSAR Narrow", "Wide"), "swathDirection": pick("ascending", "descending"),
			"polarization": pick("HH+VV+HV+VH", "HH"), "floors": 1 + rng.IntN(10), "taxes": num(0, 1000),
			"owner":         pick("Mike", "mike", "Jones", "Mike Jones", "somebody else", "Beyoncé", "Beyonce"),
			"swimming_pool": rng.IntN(2) == 1, "material": pick("brick", "bricks", "wood", "brickwood"), "built": day(),
			"geophys:SURVEY_NAME": pick("Calcutta survey", "CALCUTTA", "other"),
			"id":                  pick("fa7e1920-9107-422d-a3db-c468cbc5d6df", "0b6e0c2b-7b8e-4a5d-9a53-3e0f3c2f7f10"),
			"value":               num(0, 30), "foo": num(-5, 5), "bar": num(-50, 50), "x": num(-5, 5),
			"starts_at": start.Format(time.RFC3339), "ends_at": start.AddDate(rng.IntN(20), 0, 0).Format(time.RFC3339),
			"updated_at": stamp(), oddName: pick("a'b", `c\d`, "Đồng Sơn"),
		}
		for k := range props {
			if rng.IntN(10) == 0 {
				props[k] = nil
			}
		}
		p, err := json.Marshal(props)
		if err != nil {
			return "", err
		}
		pt := orb.Point{math.Round((rng.Float64()*360-180)*1e4) / 1e4, math.Round((rng.Float64()*180-90)*1e4) / 1e4}
		if i > 0 {
			b.WriteString(",\n")
		}
		fmt.Fprintf(&b, `{"type":"Feature","id":"ex-%d","geometry":%s,"properties":%s}`, i, geo.AppendGeoJSON(nil, pt), p)
	}
	b.WriteString("\n]}\n")
	path := filepath.Join(dir, "examples.geojson")
	return path, os.WriteFile(path, []byte(b.String()), 0o644)
}

type example struct{ name, src string }

func readTextExamples(t *testing.T) []example {
	t.Helper()
	b, err := os.ReadFile("testdata/examples/text.txt")
	if err != nil {
		t.Fatal(err)
	}
	var out []example
	for _, part := range strings.Split(string(b), "-- ")[1:] {
		name, src, _ := strings.Cut(part, "\n")
		out = append(out, example{name: name, src: strings.TrimSpace(src)})
	}
	return out
}

func readJSONExamples(t *testing.T) []example {
	t.Helper()
	f, err := os.Open("testdata/examples/json.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []example
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		name, src, _ := strings.Cut(sc.Text(), " ")
		out = append(out, example{name: name, src: src})
	}
	return out
}

func canonical(n *Node) string {
	b, _ := n.MarshalJSON()
	return string(b)
}

// TestExamplesParse reads every example of the standard in both encodings:
// each parses, each prints back to text and JSON that read to the same tree,
// and the text and JSON forms of one example give the same tree.
func TestExamplesParse(t *testing.T) {
	texts, jsons := readTextExamples(t), readJSONExamples(t)
	if len(texts) != 120 || len(jsons) != 109 {
		t.Fatalf("%d text and %d JSON examples", len(texts), len(jsons))
	}
	trees := map[string]string{}
	check := func(ex example, n *Node) {
		again, err := ParseText(n.String())
		if err != nil || canonical(again) != canonical(n) {
			t.Errorf("%s: its text %s reads back as %v (%v)", ex.name, n, again, err)
		}
		js, _ := n.MarshalJSON()
		again, err = ParseJSON(string(js))
		if err != nil || canonical(again) != canonical(n) {
			t.Errorf("%s: its JSON %s reads back as %v (%v)", ex.name, js, again, err)
		}
	}
	for _, ex := range texts {
		n, err := ParseText(ex.src)
		if err != nil {
			t.Errorf("%s: %v\n%s", ex.name, err, ex.src)
			continue
		}
		check(ex, n)
		trees[ex.name] = canonical(n)
	}
	for _, ex := range jsons {
		n, err := ParseJSON(ex.src)
		if err != nil {
			t.Errorf("%s (JSON): %v", ex.name, err)
			continue
		}
		check(ex, n)
		for _, name := range []string{ex.name, ex.name + "-alt01"} {
			if text, ok := trees[name]; ok && text != canonical(n) {
				t.Errorf("%s: text and JSON differ:\n%s\n%s", name, text, canonical(n))
			}
		}
	}
}

// exampleRefusals are the examples this service answers with 400, and why:
// functions it does not offer, arrays, types the examples use both ways, and
// the standard's random polygons that are not valid (PostGIS's answers on them
// are undefined).
var exampleRefusals = map[string]string{
	"clause6_01": "unknown function avg", "clause6_02b": "unknown function avg", "clause7_15": "array functions",
	"clause7_18": "unknown function Buffer", "example04": "cannot compare string property \"landsat:wrs_path\"",
	"example06a": "cannot compare string property \"landsat:wrs_path\"", "example06b": "cannot compare string property \"landsat:wrs_path\"",
	"example40": "cannot compare number property \"value\"", "example40-alt01": "cannot compare number property \"value\"",
	"example46": "ring 1 crosses or touches itself", "example46-alt01": "ring 1 crosses or touches itself",
	"example49": "hole 1 is not inside the outer ring", "example49-alt01": "hole 1 is not inside the outer ring",
	"example68": "unknown function Foo", "example69": "unknown function Bar", "example79": "array functions",
	"example80": "array functions", "example81": "array functions", "example82": "array functions",
}

// TestExamplesEvaluate checks every example against features that have the
// properties it names: it selects the same features in memory and in
// PostGIS, or it is refused with a 400 that says why.
func TestExamplesEvaluate(t *testing.T) {
	d := loadTestData(t)
	s := d.snapshot(t, examplesCollection)
	q := queryablesOf(s)
	q.Geometry = exampleGeometryNames
	all := append(readTextExamples(t), readJSONExamples(t)...)
	for i, ex := range all {
		lang := LangText
		if i >= len(all)-len(readJSONExamples(t)) {
			lang = LangJSON
		}
		e, err := Parse(ex.src, lang, q)
		if why, refused := exampleRefusals[ex.name]; refused {
			var fe *Error
			if !errors.As(err, &fe) || !strings.Contains(fe.Message, why) {
				t.Errorf("%s (%s): got %v, want a refusal saying %q", ex.name, lang, err, why)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s (%s): %v", ex.name, lang, err)
			continue
		}
		mem, sql := d.memIDs(s, e), d.sqlIDs(t, s, e)
		if !slices.Equal(mem, sql) {
			t.Errorf("%s (%s): %s\nin memory %d features %v\nin SQL    %d features %v", ex.name, lang, e, len(mem), mem, len(sql), sql)
		}
	}
}

// TestQuotedNamesAndVietnamese filters on a property whose name holds quotes,
// a backslash and SQL, and on Vietnamese names without their marks: the SQL
// selects what memory selects, and what plain Go string tests say.
func TestQuotedNamesAndVietnamese(t *testing.T) {
	d := loadTestData(t)
	s := d.snapshot(t, examplesCollection)
	q := queryablesOf(s)
	name, _ := json.Marshal(oddName)
	for _, v := range []string{"a'b", `c\d`, "Đồng Sơn"} {
		val, _ := json.Marshal(v)
		e, err := Parse(`{"op":"=","args":[{"property":`+string(name)+`},`+string(val)+`]}`, LangJSON, q)
		if err != nil {
			t.Fatal(err)
		}
		mem, sql := d.memIDs(s, e), d.sqlIDs(t, s, e)
		if !slices.Equal(mem, sql) || len(mem) == 0 {
			t.Errorf("%s = %q: in memory %d, in SQL %d", oddName, v, len(mem), len(sql))
		}
	}

	schools := d.snapshot(t, "schools")
	q = queryablesOf(schools)
	e, err := Parse(`ACCENTI("Tên trường") LIKE ACCENTI('truong thpt%')`, LangText, q)
	if err != nil {
		t.Fatal(err)
	}
	col, _ := schools.Property("Tên trường")
	var want []string
	for _, f := range schools.Features {
		if strings.HasPrefix(geo.Fold(f.Props[col].(string)), "truong thpt") {
			want = append(want, f.ID)
		}
	}
	slices.Sort(want)
	mem, sql := d.memIDs(schools, e), d.sqlIDs(t, schools, e)
	if len(want) == 0 || !slices.Equal(mem, want) || !slices.Equal(sql, want) {
		t.Errorf("upper-secondary schools: %d by Go's strings, %d in memory, %d in SQL", len(want), len(mem), len(sql))
	}
}
