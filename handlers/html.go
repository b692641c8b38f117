package handlers

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/vn-opendata/geodata/catalog"
	"github.com/vn-opendata/geodata/store"
)

// collectionTitle is a collection's title in the page's language.
func collectionTitle(r *http.Request, c store.Collection) string {
	if pageLang(r) == "en" && c.TitleEn != "" {
		return c.TitleEn
	}
	return c.Title
}

// mapData configures web/static/features-map.js: the features to draw (inline
// GeoJSON or a URL), their geometry type and the box to show first.
type mapData struct {
	BBox         *[4]float64     `json:"bbox,omitempty"`
	GeometryType string          `json:"geometry_type"`
	Data         json.RawMessage `json:"data,omitempty"`
	URL          string          `json:"url,omitempty"`
	ItemPage     string          `json:"item_page,omitempty"` // URL of a feature's page without its id
	Lang         string          `json:"lang"`
}

// featureCollectionJSON joins the pre-encoded GeoJSON of features (CRS84).
func featureCollectionJSON(snap *catalog.Snapshot, page []int32) json.RawMessage {
	var b strings.Builder
	b.WriteString(`{"type":"FeatureCollection","features":[`)
	for i, idx := range page {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(snap.Features[idx].JSON)
	}
	b.WriteString("]}")
	return json.RawMessage(b.String())
}

// labels of the catalogue's coded values (the vocabularies of the migrations).
var (
	frequencyLabels = map[string][2]string{
		"DAILY": {"Hằng ngày", "Daily"}, "WEEKLY": {"Hằng tuần", "Weekly"}, "MONTHLY": {"Hằng tháng", "Monthly"},
		"QUARTERLY": {"Hằng quý", "Quarterly"}, "ANNUAL_2": {"Sáu tháng một lần", "Semiannual"},
		"ANNUAL": {"Hằng năm", "Annual"}, "IRREG": {"Không định kỳ", "Irregular"}, "NEVER": {"Không cập nhật", "Never"},
	}
	themeLabels = map[string][2]string{
		"AGRI": {"Nông nghiệp, thủy sản, lâm nghiệp và thực phẩm", "Agriculture, fisheries, forestry and food"},
		"ECON": {"Kinh tế và tài chính", "Economy and finance"}, "EDUC": {"Giáo dục, văn hóa và thể thao", "Education, culture and sport"},
		"ENER": {"Năng lượng", "Energy"}, "ENVI": {"Môi trường", "Environment"},
		"GOVE": {"Chính phủ và khu vực công", "Government and public sector"}, "HEAL": {"Y tế", "Health"},
		"INTR": {"Quan hệ quốc tế", "International issues"},
		"JUST": {"Tư pháp, hệ thống pháp luật và an toàn công cộng", "Justice, legal system and public safety"},
		"REGI": {"Vùng và đô thị", "Regions and cities"}, "SOCI": {"Dân số và xã hội", "Population and society"},
		"TECH": {"Khoa học và công nghệ", "Science and technology"}, "TRAN": {"Giao thông vận tải", "Transport"},
	}
)

// label returns the label of code in lang, or the code itself.
func label(labels map[string][2]string, code, lang string) string {
	l, ok := labels[code]
	switch {
	case !ok:
		return code
	case lang == "en":
		return l[1]
	}
	return l[0]
}

// collectionView is a collection's page: its catalogue metadata and a map preview.
type collectionView struct {
	Doc       collectionDoc
	Agency    string
	Frequency string
	Theme     string
	Temporal  string
	Map       mapData
}

// previewLimit caps the features drawn on a collection's page.
const previewLimit = 2000

func (s *Server) collectionPage(r *http.Request, snap *catalog.Snapshot, doc collectionDoc) collectionView {
	lang := pageLang(r)
	v := collectionView{Doc: doc, Agency: doc.Catalog.Agency,
		Frequency: label(frequencyLabels, doc.Catalog.Frequency, lang), Theme: label(themeLabels, doc.Catalog.Theme, lang)}
	for _, a := range s.cat.Region.Agencies {
		if a.ID == doc.Catalog.Agency {
			v.Agency = a.Name
			if lang == "en" && a.NameEn != "" {
				v.Agency = a.NameEn
			}
		}
	}
	if doc.Extent != nil && doc.Extent.Temporal != nil {
		iv := doc.Extent.Temporal.Interval[0]
		v.Temporal = *iv[0] + " – " + *iv[1]
	}
	items := itemsURL(s.baseURL(r), snap)
	v.Map = mapData{BBox: snap.Collection.Extent, GeometryType: snap.Collection.GeometryType, Lang: lang,
		URL: items + "?f=json&limit=" + strconv.Itoa(previewLimit), ItemPage: items + "/"}
	return v
}

// itemsView is the items page: a table and a map of the page's features, paging links.
type itemsView struct {
	Collection     string
	Columns        []string
	Rows           []itemRow
	Matched        int
	From, To       int
	Next, Prev     string
	JSON, CSV, All string
	Map            mapData
}

type itemRow struct {
	ID     string
	Values []string
}

func (s *Server) itemsPage(r *http.Request, snap *catalog.Snapshot, page []int32, links []link, matched int, q itemsQuery) itemsView {
	v := itemsView{Collection: snap.ID(), Matched: matched, From: min(q.offset+1, q.offset+len(page)), To: q.offset + len(page)}
	props := q.props
	if props == nil {
		for i := range snap.Collection.Schema {
			props = append(props, i)
		}
	}
	for _, p := range props {
		v.Columns = append(v.Columns, snap.Collection.Schema[p].Name)
	}
	for _, i := range page {
		f := &snap.Features[i]
		row := itemRow{ID: f.ID}
		for _, p := range props {
			row.Values = append(row.Values, catalog.ValueText(f.Props[p]))
		}
		v.Rows = append(v.Rows, row)
	}
	toHTML := func(href string) string {
		u, err := url.Parse(href)
		if err != nil {
			return href
		}
		q := u.Query()
		q.Set("f", "html")
		u.RawQuery = q.Encode()
		return u.String()
	}
	for _, l := range links {
		switch {
		case l.Rel == "next":
			v.Next = toHTML(l.Href)
		case l.Rel == "prev":
			v.Prev = toHTML(l.Href)
		case l.Rel == "self":
			v.JSON = l.Href
		case l.Rel == "alternate" && l.Type == mediaCSV:
			v.CSV = l.Href
		}
	}
	all := queryOf(r)
	all.Del("offset")
	all.Set("limit", strconv.Itoa(maxLimit))
	all.Set("f", "csv")
	v.All = withQuery(itemsURL(s.baseURL(r), snap), "", all)
	v.Map = mapData{BBox: snap.Collection.Extent, GeometryType: snap.Collection.GeometryType, Lang: pageLang(r),
		Data: featureCollectionJSON(snap, page), ItemPage: itemsURL(s.baseURL(r), snap) + "/"}
	return v
}

// itemView is one feature's page.
type itemView struct {
	Collection string
	ID         string
	Props      [][2]string
	JSON       string
	Map        mapData
}

func (s *Server) itemPage(r *http.Request, snap *catalog.Snapshot, f *catalog.Feature) itemView {
	self := itemsURL(s.baseURL(r), snap) + "/" + url.PathEscape(f.ID)
	b := [4]float64{f.Bound.Min[0], f.Bound.Min[1], f.Bound.Max[0], f.Bound.Max[1]}
	v := itemView{Collection: snap.ID(), ID: f.ID, JSON: self + "?f=json",
		Map: mapData{BBox: &b, GeometryType: snap.Collection.GeometryType, Lang: pageLang(r),
			Data: json.RawMessage(`{"type":"FeatureCollection","features":[` + string(f.JSON) + `]}`)}}
	for i, p := range snap.Collection.Schema {
		v.Props = append(v.Props, [2]string{p.Name, catalog.ValueText(f.Props[i])})
	}
	return v
}

// apiView is the HTML page of the API document (service-doc).
type apiView struct {
	Title, Description, Version string
	Server                      string
	Groups                      []apiGroup
}

type apiGroup struct {
	Tag, Description string
	Operations       []apiOperationView
}

type apiOperationView struct {
	Method, Path, Summary, Description string
	Parameters                         []apiParameterView
	Responses                          []apiResponseView
	Examples                           []string
}

type apiParameterView struct {
	Name, In, Description, Schema string
	Required                      bool
}

type apiResponseView struct {
	Status, Description string
	Media               []string
}

// pageMethods are the methods the API page shows; HEAD and OPTIONS are said once.
var pageMethods = []string{"get", "post", "put", "patch", "delete"}

// apiPage turns the API document into the view of its page: the operations by
// tag and path, their parameters (references resolved) and examples. It reads
// the document as JSON, so that the parts described as plain objects read the same.
func apiPage(d *apiDoc) (apiView, error) {
	var doc struct {
		Paths      map[string]map[string]apiOperation `json:"paths"`
		Components apiComponents                      `json:"components"`
	}
	b, err := json.Marshal(d)
	if err == nil {
		err = json.Unmarshal(b, &doc)
	}
	if err != nil {
		return apiView{}, fmt.Errorf("API page: %w", err)
	}
	v := apiView{Title: d.Info.Title, Description: d.Info.Description, Version: d.Info.Version, Server: d.Servers[0].URL}
	paths := make([]string, 0, len(doc.Paths))
	for p := range doc.Paths {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, tag := range d.Tags {
		g := apiGroup{Tag: tag.Name, Description: tag.Description}
		for _, p := range paths {
			for _, method := range pageMethods {
				op, ok := doc.Paths[p][method]
				if ok && slices.Contains(op.Tags, tag.Name) {
					g.Operations = append(g.Operations, operationView(doc.Components, method, p, op))
				}
			}
		}
		v.Groups = append(v.Groups, g)
	}
	return v, nil
}

func operationView(c apiComponents, method, path string, op apiOperation) apiOperationView {
	ov := apiOperationView{Method: strings.ToUpper(method), Path: path, Summary: op.Summary,
		Description: op.Description, Examples: op.Examples}
	for _, prm := range op.Parameters {
		if prm.Ref != "" {
			prm = c.Parameters[strings.TrimPrefix(prm.Ref, ref("parameters", ""))]
		}
		ov.Parameters = append(ov.Parameters, apiParameterView{Name: prm.Name, In: prm.In,
			Description: prm.Description, Schema: schemaSummary(prm.Schema), Required: prm.Required})
	}
	codes := make([]string, 0, len(op.Responses))
	for code := range op.Responses {
		codes = append(codes, code)
	}
	sort.Strings(codes)
	for _, code := range codes {
		resp := op.Responses[code]
		if resp.Ref != "" {
			resp = c.Responses[strings.TrimPrefix(resp.Ref, ref("responses", ""))]
		}
		rv := apiResponseView{Status: code, Description: resp.Description}
		for mt := range resp.Content {
			rv.Media = append(rv.Media, mt)
		}
		sort.Strings(rv.Media)
		ov.Responses = append(ov.Responses, rv)
	}
	return ov
}

// schemaSummary writes a parameter's schema in a few words: "integer 1…10000,
// default 10", "one of json, html".
func schemaSummary(s map[string]any) string {
	if s == nil {
		return ""
	}
	var parts []string
	typ, _ := s["type"].(string)
	if items, ok := s["items"].(map[string]any); ok && typ == "array" {
		typ = "list of " + schemaSummary(items)
	}
	parts = append(parts, typ)
	if f, ok := s["format"].(string); ok {
		parts = append(parts, "("+f+")")
	}
	if lo, ok := s["minimum"]; ok {
		parts = append(parts, fmt.Sprintf("≥ %v", lo))
	}
	if hi, ok := s["maximum"]; ok {
		parts = append(parts, fmt.Sprintf("≤ %v", hi))
	}
	if e, ok := s["enum"].([]any); ok && len(e) <= 12 {
		values := make([]string, len(e))
		for i, v := range e {
			values[i] = fmt.Sprint(v)
		}
		parts = append(parts, "one of "+strings.Join(values, ", "))
	}
	if d, ok := s["default"]; ok {
		parts = append(parts, fmt.Sprintf("default %v", d))
	}
	return strings.Join(parts, " ")
}
