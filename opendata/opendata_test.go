package opendata_test

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/vn-opendata/geodata/catalog"
	"github.com/vn-opendata/geodata/opendata"
	"github.com/vn-opendata/geodata/store"
)

const base = "http://127.0.0.1:8080"

// vocab mirrors the rows of migrations/0001_init.sql the fixture uses.
var vocab = store.Vocabularies{
	Frequencies: map[string]store.Frequency{
		"ANNUAL":    {Code: "ANNUAL", URI: "http://publications.europa.eu/resource/authority/frequency/ANNUAL", NameVi: "Hằng năm", NameEn: "Annual", MaxDays: 366},
		"QUARTERLY": {Code: "QUARTERLY", URI: "http://publications.europa.eu/resource/authority/frequency/QUARTERLY", NameVi: "Hằng quý", NameEn: "Quarterly", MaxDays: 93},
	},
	Themes: map[string]store.Theme{
		"EDUC": {Code: "EDUC", URI: "http://publications.europa.eu/resource/authority/data-theme/EDUC", NameVi: "Giáo dục, văn hóa và thể thao"},
		"TECH": {Code: "TECH", URI: "http://publications.europa.eu/resource/authority/data-theme/TECH", NameVi: "Khoa học và công nghệ"},
	},
	Licenses: map[string]store.License{
		"https://creativecommons.org/licenses/by/4.0/": {URI: "https://creativecommons.org/licenses/by/4.0/", Code: "CC-BY-4.0", Title: "Creative Commons Attribution 4.0 International", Open: true},
	},
}

// fixture is a two-dataset catalogue: schools of the Department of Education,
// and BTS sites published by the Department of Information and Communications,
// which passed to Science and Technology and then to the new Bắc Ninh's.
func fixture(t *testing.T) opendata.Catalog {
	t.Helper()
	region, err := catalog.LoadRegion(catalog.DefaultRegion)
	if err != nil {
		t.Fatal(err)
	}
	today := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	x := opendata.Context{Base: base, Agencies: region.AgencyHistory(), Vocab: vocab, Today: today}
	bbox := [4]float64{105.9, 21.1, 106.9, 21.6}
	schools := store.Collection{ID: "schools", Metadata: store.Metadata{CatalogNo: 1, Title: "Trường học các cấp", TitleEn: "Schools",
		Description: "Vị trí các trường mầm non, tiểu học, trung học cơ sở; thu thập hằng năm, \"chất lượng\" tốt.\nNguồn: Sở GD&ĐT.",
		AgencyID:    "so-gddt", FirstPublished: "2023-06-30", Frequency: "ANNUAL", Notes: "Dữ liệu mẫu, không phải dữ liệu thật",
		Theme: "EDUC", LicenseURI: "https://creativecommons.org/licenses/by/4.0/", Keywords: []string{"trường học", "giáo dục"},
		Contact: "Phòng Kế hoạch – Tài chính", ContactEmail: "khtc@example.org", ContactPhone: "0204 3854 123",
		TemporalStart: "2023-01-01", TemporalEnd: "2025-12-31"},
		GeometryType: "Point", Extent: &bbox, FeatureCount: 1800, Version: 3, UpdatedAt: time.Date(2026, 9, 1, 3, 0, 0, 0, time.UTC)}
	bts := store.Collection{ID: "bts-sites", Metadata: store.Metadata{Title: "Vị trí trạm BTS", AgencyID: "so-tttt",
		FirstPublished: "2024-01-01", Frequency: "QUARTERLY", Theme: "TECH", LicenseURI: "https://creativecommons.org/licenses/by/4.0/"},
		GeometryType: "Point", Extent: &bbox, FeatureCount: 1500, Version: 1, UpdatedAt: time.Date(2024, 1, 1, 3, 0, 0, 0, time.UTC)}
	var entries []opendata.Entry
	for _, c := range []store.Collection{schools, bts} {
		e := opendata.NewEntry(c, x)
		for _, f := range []struct{ name, ext, media, ft string }{
			{"geojson", "geojson", "application/geo+json", "GEOJSON"}, {"gpkg", "gpkg", "application/geopackage+sqlite3", "GPKG"},
		} {
			e.Distributions = append(e.Distributions, opendata.Distribution{Format: f.name, Title: strings.ToUpper(f.name), MediaType: f.media,
				FileType: f.ft, CRS: "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
				AccessURL:   base + "/downloads/" + c.ID + "." + f.ext,
				DownloadURL: base + "/downloads/" + c.ID + "/v" + strconv.FormatInt(c.Version, 10) + "/" + c.ID + "-v" + strconv.FormatInt(c.Version, 10) + "." + f.ext,
				Version:     c.Version, Size: 123456, SHA256: strings.Repeat("ab", 32)})
		}
		entries = append(entries, e)
	}
	opendata.Number(entries)
	return opendata.NewCatalog(base, region, today, entries)
}

// Entries resolve agencies through the history and mark what is overdue.
func TestEntries(t *testing.T) {
	c := fixture(t)
	s, b := c.Entries[0], c.Entries[1]
	if s.Agency.ID != "bn-so-gddt" || s.PublishedBy == nil || s.PublishedBy.ID != "so-gddt" {
		t.Errorf("schools agency %+v published by %+v", s.Agency, s.PublishedBy)
	}
	if b.Agency.ID != "bn-so-khcn" || b.PublishedBy.Name != "Sở Thông tin và Truyền thông" {
		t.Errorf("bts agency %+v published by %+v", b.Agency, b.PublishedBy)
	}
	if s.Stale || !b.Stale {
		t.Errorf("stale: schools %v (updated 2026-09-01, yearly), bts %v (2024-01-01, quarterly)", s.Stale, b.Stale)
	}
	if b.No != 2 || b.Contact.Name != "Sở Khoa học và Công nghệ tỉnh Bắc Ninh" {
		t.Errorf("bts TT %d contact %+v", b.No, b.Contact)
	}
	if c.Publisher.ID != "bn-so-khcn" {
		t.Errorf("catalogue publisher %+v", c.Publisher)
	}
}

// The text search ignores accents and case; theme and agency filters match codes,
// an agency also its predecessors' datasets.
func TestFilter(t *testing.T) {
	c := fixture(t)
	cases := []struct {
		f    opendata.Filter
		want string
	}{
		{opendata.Filter{Query: "truong hoc"}, "schools"},
		{opendata.Filter{Query: "TRƯỜNG Học"}, "schools"},
		{opendata.Filter{Query: "bts"}, "bts-sites"},
		{opendata.Filter{Query: "thong tin truyen thong"}, "bts-sites"}, // the publisher that merged away
		{opendata.Filter{Query: "truong bts"}, ""},
		{opendata.Filter{Theme: "EDUC"}, "schools"},
		{opendata.Filter{Agency: "so-tttt"}, "bts-sites"},
		{opendata.Filter{Agency: "bn-so-khcn"}, "bts-sites"},
		{opendata.Filter{}, "schools,bts-sites"},
	}
	for _, tc := range cases {
		var ids []string
		for _, e := range tc.f.Select(c.Entries) {
			ids = append(ids, e.ID)
		}
		if got := strings.Join(ids, ","); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.f, got, tc.want)
		}
	}
}

// The template CSV has exactly the template's Vietnamese headings and reads back,
// in Go and in GDAL, with the same values.
func TestTemplateCSVRoundTrip(t *testing.T) {
	c := fixture(t)
	var buf bytes.Buffer
	if err := opendata.WriteTemplateCSV(&buf, c.Entries); err != nil {
		t.Fatal(err)
	}
	raw := buf.Bytes()
	if !bytes.HasPrefix(raw, []byte("\xef\xbb\xbf")) {
		t.Error("no byte-order mark for Excel")
	}
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		opendata.TemplateHeadings,
		{"1", "Trường học các cấp", c.Entries[0].Description, "Sở Giáo dục và Đào tạo tỉnh Bắc Ninh", "30/06/2023", "Hằng năm",
			"Dữ liệu mẫu, không phải dữ liệu thật", "Giáo dục, văn hóa và thể thao"},
		{"2", "Vị trí trạm BTS", "", "Sở Khoa học và Công nghệ tỉnh Bắc Ninh", "01/01/2024", "Hằng quý", "", "Khoa học và công nghệ"},
	}
	if !equalRows(rows, want) {
		t.Errorf("read back\n%q\nwant\n%q", rows, want)
	}
	path := filepath.Join(t.TempDir(), "catalog.csv")
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	fields := gdalFields(t, path)
	if strings.Join(fields, "|") != strings.Join(opendata.TemplateHeadings, "|") {
		t.Errorf("GDAL reads the headings as %q", fields)
	}
}

// The workbook's first sheet has exactly the template's headings, the values
// (dates as real dates shown dd/mm/yyyy) read back with excelize and with GDAL.
func TestTemplateXLSXRoundTrip(t *testing.T) {
	c := fixture(t)
	var buf bytes.Buffer
	if err := opendata.WriteTemplateXLSX(&buf, c); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if names := f.GetSheetList(); len(names) != 2 || names[0] != opendata.TemplateSheet {
		t.Errorf("sheets %q", names)
	}
	rows, err := f.GetRows(opendata.TemplateSheet)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || strings.Join(rows[0], "|") != strings.Join(opendata.TemplateHeadings, "|") {
		t.Fatalf("rows %q", rows)
	}
	if rows[1][1] != "Trường học các cấp" || rows[1][4] != "30/06/2023" || rows[2][3] != "Sở Khoa học và Công nghệ tỉnh Bắc Ninh" {
		t.Errorf("values %q", rows[1:])
	}
	if rows[1][2] != c.Entries[0].Description {
		t.Errorf("description with quotes and a new line: %q", rows[1][2])
	}
	typ, err := f.GetCellType(opendata.TemplateSheet, "E2")
	if err != nil || typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber && typ != excelize.CellTypeDate {
		t.Errorf("date cell type %v %v", typ, err)
	}
	detail, err := f.GetRows(opendata.DetailSheet)
	if err != nil || len(detail) != 3 || !strings.Contains(strings.Join(detail[1], "|"), "SHA-256 "+strings.Repeat("ab", 32)) {
		t.Errorf("detail sheet %q %v", detail, err)
	}
	path := filepath.Join(t.TempDir(), "catalog.xlsx")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	fields := gdalFields(t, path, "-oo", "HEADERS=FORCE", opendata.TemplateSheet)
	if strings.Join(fields, "|") != strings.Join(opendata.TemplateHeadings, "|") {
		t.Errorf("GDAL reads the headings as %q", fields)
	}
}

// gdalFields lists the field names GDAL's ogrinfo finds in the first layer of path.
func gdalFields(t *testing.T, path string, args ...string) []string {
	t.Helper()
	if _, err := exec.LookPath("ogrinfo"); err != nil {
		t.Skip("needs ogrinfo (gdal-bin)")
	}
	cmd := exec.Command("ogrinfo", append([]string{"-ro", "-so", "-al", path}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil || stderr.Len() > 0 {
		t.Fatalf("ogrinfo %s: %v %s", path, err, stderr.String())
	}
	var fields []string
	re := regexp.MustCompile(`^(.+): (String|Integer|Integer64|Real|Date|DateTime) \(`)
	for _, line := range strings.Split(string(out), "\n") {
		if m := re.FindStringSubmatch(line); m != nil {
			fields = append(fields, m[1])
		}
	}
	return fields
}

func equalRows(a, b [][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if strings.Join(a[i], "\x00") != strings.Join(b[i], "\x00") {
			return false
		}
	}
	return true
}

// JSON and XML read back into the same catalogue.
func TestJSONAndXMLRoundTrip(t *testing.T) {
	c := fixture(t)
	var js bytes.Buffer
	if err := opendata.WriteJSON(&js, c); err != nil {
		t.Fatal(err)
	}
	var back opendata.Catalog
	if err := json.Unmarshal(js.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if len(back.Entries) != 2 || back.Entries[0].Title != "Trường học các cấp" || back.Entries[1].Distributions[1].SHA256 != strings.Repeat("ab", 32) ||
		fmt.Sprint(back.Entries[0].BBox) != fmt.Sprint(c.Entries[0].BBox) || back.Publisher.Name != "Sở Khoa học và Công nghệ tỉnh Bắc Ninh" {
		t.Errorf("JSON read back as %+v", back)
	}
	var xb bytes.Buffer
	if err := opendata.WriteXML(&xb, c); err != nil {
		t.Fatal(err)
	}
	var xback opendata.Catalog
	if err := xml.Unmarshal(xb.Bytes(), &xback); err != nil {
		t.Fatal(err)
	}
	if len(xback.Entries) != 2 || xback.Entries[0].Description != c.Entries[0].Description || xback.Entries[0].Keywords[1] != "giáo dục" ||
		xback.Entries[1].Distributions[0].DownloadURL != c.Entries[1].Distributions[0].DownloadURL || fmt.Sprint(xback.Entries[0].BBox) != fmt.Sprint(c.Entries[0].BBox) {
		t.Errorf("XML read back as %+v", xback)
	}
}

// ntriple is one statement of rapper's N-Triples output.
type ntriple struct{ s, p, o string }

// rapperTriples parses doc (turtle or rdfxml) with rapper, Debian's raptor2
// command-line parser, and returns its triples; rapper fails on any error.
func rapperTriples(t *testing.T, doc []byte, syntax string) []ntriple {
	t.Helper()
	if _, err := exec.LookPath("rapper"); err != nil {
		t.Skip("needs rapper (raptor2-utils)")
	}
	cmd := exec.Command("rapper", "-q", "-i", syntax, "-o", "ntriples", "-", base+"/catalog")
	cmd.Stdin = bytes.NewReader(doc)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil || stderr.Len() > 0 {
		t.Fatalf("rapper %s: %v\n%s", syntax, err, stderr.String())
	}
	line := regexp.MustCompile(`^(<[^>]*>) (<[^>]*>) (.*) \.$`)
	var triples []ntriple
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		m := line.FindStringSubmatch(sc.Text())
		if m == nil {
			t.Fatalf("unexpected N-Triples line %q", sc.Text())
		}
		triples = append(triples, ntriple{strings.Trim(m[1], "<>"), strings.Trim(m[2], "<>"), m[3]})
	}
	return triples
}

const (
	rdfType = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
	dcat    = "http://www.w3.org/ns/dcat#"
	dct     = "http://purl.org/dc/terms/"
	spdx    = "http://spdx.org/rdf/terms#"
)

// DCAT-AP in Turtle and RDF/XML parses with rapper into the same triples, and
// every dcat:Catalog, dcat:Dataset and dcat:Distribution carries the properties
// DCAT-AP requires or recommends and ckanext-dcat harvests.
func TestDCATWithRapper(t *testing.T) {
	c := fixture(t)
	docs := map[string][]byte{}
	for format, syntax := range map[string]string{"ttl": "turtle", "rdf": "rdfxml"} {
		var buf bytes.Buffer
		if err := opendata.WriteDCAT(&buf, c, format); err != nil {
			t.Fatal(err)
		}
		docs[syntax] = buf.Bytes()
	}
	ttl := rapperTriples(t, docs["turtle"], "turtle")
	rdfxml := rapperTriples(t, docs["rdfxml"], "rdfxml")
	set := func(ts []ntriple) map[ntriple]bool {
		m := map[ntriple]bool{}
		for _, x := range ts {
			m[x] = true
		}
		return m
	}
	a, b := set(ttl), set(rdfxml)
	if len(a) != len(b) {
		t.Errorf("turtle has %d triples, RDF/XML %d", len(a), len(b))
	}
	for x := range a {
		if !b[x] {
			t.Errorf("in turtle only: %v", x)
		}
	}
	props := map[string]map[string][]string{} // subject → predicate → objects
	types := map[string][]string{}            // class → subjects
	for _, x := range ttl {
		if props[x.s] == nil {
			props[x.s] = map[string][]string{}
		}
		props[x.s][x.p] = append(props[x.s][x.p], x.o)
		if x.p == rdfType {
			types[strings.Trim(x.o, "<>")] = append(types[strings.Trim(x.o, "<>")], x.s)
		}
	}
	require := func(class string, n int, predicates ...string) {
		subjects := types[class]
		if len(subjects) != n {
			t.Errorf("%d subjects of type %s, want %d", len(subjects), class, n)
		}
		for _, s := range subjects {
			for _, p := range predicates {
				if len(props[s][p]) == 0 {
					t.Errorf("%s (%s) lacks %s", s, class, p)
				}
			}
		}
	}
	require(dcat+"Catalog", 1, dct+"title", dct+"description", dct+"publisher", dcat+"dataset", dct+"language", "http://xmlns.com/foaf/0.1/homepage")
	require(dcat+"Dataset", 2, dct+"title", dct+"description", dct+"publisher", dcat+"contactPoint", dcat+"distribution",
		dcat+"theme", dct+"accrualPeriodicity", dct+"spatial", dct+"issued", dct+"modified", dct+"license", dct+"identifier",
		dcat+"landingPage")
	require(dcat+"Distribution", 4, dcat+"accessURL", dcat+"downloadURL", dct+"format", dcat+"mediaType", dct+"license",
		dcat+"byteSize", spdx+"checksum")
	require(spdx+"Checksum", 4, spdx+"algorithm", spdx+"checksumValue")
	require("http://xmlns.com/foaf/0.1/Agent", 2, "http://xmlns.com/foaf/0.1/name")
	require("http://www.w3.org/2006/vcard/ns#Organization", 2, "http://www.w3.org/2006/vcard/ns#fn")
	require(dct+"Location", 3, dcat+"bbox")
	require(dct+"PeriodOfTime", 1, dcat+"startDate", dcat+"endDate")
	schools := base + "/collections/schools"
	if got := props[schools][dcat+"keyword"]; len(got) != 2 || got[0] != `"tr\u01B0\u1EDDng h\u1ECDc"@vi` {
		t.Errorf("keywords %q", got)
	}
	if got := props[schools+"#temporal"][dcat+"startDate"]; len(got) != 1 || got[0] != `"2023-01-01"^^<http://www.w3.org/2001/XMLSchema#date>` {
		t.Errorf("start date %q", got)
	}
	if got := props[schools+"#distribution-gpkg"][dcat+"byteSize"]; len(got) != 1 || got[0] != `"123456"^^<http://www.w3.org/2001/XMLSchema#nonNegativeInteger>` {
		t.Errorf("byte size %q", got)
	}
	if got := props[schools+"#contact"]["http://www.w3.org/2006/vcard/ns#hasTelephone"]; len(got) != 1 || got[0] != "<tel:02043854123>" {
		t.Errorf("telephone %q", got)
	}
}

// The JSON-LD, Turtle and RDF/XML documents are the same graph for rdflib, the
// RDF library ckanext-dcat parses harvested catalogues with.
func TestDCATWithRDFLib(t *testing.T) {
	python := "/usr/bin/python3"
	if err := exec.Command(python, "-c", "import rdflib.plugins.parsers.jsonld").Run(); err != nil {
		t.Skip("needs python3-rdflib (make test installs it)")
	}
	c := fixture(t)
	dir := t.TempDir()
	for _, format := range []string{"jsonld", "ttl", "rdf"} {
		var buf bytes.Buffer
		if err := opendata.WriteDCAT(&buf, c, format); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "catalog."+format), buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	script := `
import sys
from rdflib import Graph
from rdflib.compare import isomorphic
d = sys.argv[1]
gs = {f: Graph().parse(d + "/catalog." + f, format=fmt) for f, fmt in (("jsonld", "json-ld"), ("ttl", "turtle"), ("rdf", "xml"))}
for f in ("ttl", "rdf"):
    if not isomorphic(gs["jsonld"], gs[f]):
        print("json-ld and", f, "differ:", len(gs["jsonld"]), len(gs[f]))
        sys.exit(1)
print(len(gs["jsonld"]))
`
	out, err := exec.Command(python, "-c", script, dir).CombinedOutput()
	if err != nil {
		t.Fatalf("rdflib: %v\n%s", err, out)
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(out)))
	if err != nil || n < 100 {
		t.Errorf("rdflib read %q triples", out)
	}
}
