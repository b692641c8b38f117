package handlers

import (
	"bytes"
	"fmt"
	"hash/fnv"
	"math"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"
	"github.com/paulmach/orb"

	"github.com/vn-opendata/geodata/catalog"
)

// Paging limits of /items (OGC API – Features: a larger limit is clamped).
const (
	defaultLimit = 10
	maxLimit     = 10000
)

// itemsQuery is a parsed /items request.
type itemsQuery struct {
	bboxes  []orb.Bound // two when the box crosses the antimeridian
	limit   int
	offset  int
	filters []propertyFilter
}

type propertyFilter struct {
	index int
	name  string
	value string
}

var itemsParams = []string{"f", "lang", "bbox", "limit", "offset"}

func parseItemsQuery(r *http.Request, snap *catalog.Snapshot) (itemsQuery, error) {
	q := r.URL.Query()
	out := itemsQuery{limit: defaultLimit}
	names := make([]string, 0, len(q))
	for name := range q {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if contains(itemsParams, name) {
			continue
		}
		i, ok := snap.Property(name)
		if !ok {
			return out, badParam(name, "unknown parameter: neither a standard parameter (%s) nor a property of %s",
				strings.Join(itemsParams, ", "), snap.ID())
		}
		out.filters = append(out.filters, propertyFilter{index: i, name: name, value: q.Get(name)})
	}
	var err error
	if v := q.Get("limit"); v != "" {
		n, perr := strconv.Atoi(v)
		if perr != nil || n < 1 {
			return out, badParam("limit", "%q must be an integer of at least 1 (at most %d is returned)", v, maxLimit)
		}
		out.limit = min(n, maxLimit)
	}
	if v := q.Get("offset"); v != "" {
		n, perr := strconv.Atoi(v)
		if perr != nil || n < 0 {
			return out, badParam("offset", "%q must be an integer of at least 0", v)
		}
		out.offset = n
	}
	if v, ok := q["bbox"]; ok {
		if out.bboxes, err = parseBBox(strings.Join(v, ",")); err != nil {
			return out, err
		}
	}
	return out, nil
}

// parseBBox reads minlon,minlat,maxlon,maxlat (or with min/max heights, 6 numbers).
// A box whose west edge is east of its east edge crosses the antimeridian and is split.
func parseBBox(v string) ([]orb.Bound, error) {
	parts := strings.Split(v, ",")
	if len(parts) != 4 && len(parts) != 6 {
		return nil, badParam("bbox", "want 4 or 6 comma-separated numbers, got %d", len(parts))
	}
	n := make([]float64, len(parts))
	for i, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, badParam("bbox", "%q is not a number", p)
		}
		n[i] = f
	}
	if len(n) == 6 {
		n = []float64{n[0], n[1], n[3], n[4]}
	}
	minx, miny, maxx, maxy := n[0], n[1], n[2], n[3]
	if miny > maxy {
		return nil, badParam("bbox", "the south edge %g is north of the north edge %g", miny, maxy)
	}
	if minx < -180 || maxx > 180 || miny < -90 || maxy > 90 || minx > 180 || maxx < -180 {
		return nil, badParam("bbox", "coordinates must be longitude -180..180 and latitude -90..90 (CRS84)")
	}
	if minx > maxx {
		return []orb.Bound{
			{Min: orb.Point{minx, miny}, Max: orb.Point{180, maxy}},
			{Min: orb.Point{-180, miny}, Max: orb.Point{maxx, maxy}},
		}, nil
	}
	return []orb.Bound{{Min: orb.Point{minx, miny}, Max: orb.Point{maxx, maxy}}}, nil
}

// match returns the indexes of the matching features, in source order.
func (q itemsQuery) match(snap *catalog.Snapshot) []int32 {
	var hits []int32
	keep := func(i int32) {
		if q.passes(&snap.Features[i]) {
			hits = append(hits, i)
		}
	}
	if len(q.bboxes) == 0 {
		for i := range snap.Features {
			keep(int32(i))
		}
		return hits
	}
	seen := map[int32]bool{}
	for _, b := range q.bboxes {
		snap.Intersecting(b, func(i int32, _ *catalog.Feature) bool {
			if !seen[i] {
				seen[i] = true
				keep(i)
			}
			return true
		})
	}
	if len(q.bboxes) > 1 {
		sort.Slice(hits, func(a, b int) bool { return hits[a] < hits[b] })
	}
	return hits
}

func (q itemsQuery) passes(f *catalog.Feature) bool {
	for _, pf := range q.filters {
		if valueText(f.Props[pf.index]) != pf.value {
			return false
		}
	}
	return true
}

// valueText is a property value as a query string would write it.
func valueText(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	}
	return fmt.Sprint(v)
}

func (s *Server) items(w http.ResponseWriter, r *http.Request) error {
	snap, err := s.snapshot(r)
	if err != nil {
		return err
	}
	q, err := parseItemsQuery(r, snap)
	if err != nil {
		return err
	}
	f := format(r)
	if f != "json" && f != "html" {
		return badFormat(r)
	}
	if notModified(w, r, etag(snap, r.URL.RawQuery, f)) {
		return nil
	}
	hits := q.match(snap)
	page := hits[min(q.offset, len(hits)):min(q.offset+q.limit, len(hits))]
	links := s.itemsLinks(r, snap, q, len(hits), len(page))
	if f == "html" {
		return s.render(w, r, "items.html", pageData{Title: snap.Collection.Title, Data: itemsPage(snap, page, links, len(hits), q)})
	}
	var buf bytes.Buffer
	buf.Grow(256 + len(page)*256)
	fmt.Fprintf(&buf, `{"type":"FeatureCollection","numberMatched":%d,"numberReturned":%d,"timeStamp":%q,"links":`,
		len(hits), len(page), time.Now().UTC().Format(time.RFC3339))
	writeLinks(&buf, links)
	buf.WriteString(`,"features":[`)
	for i, idx := range page {
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.Write(snap.Features[idx].JSON)
	}
	buf.WriteString("]}")
	w.Header().Set("Content-Type", mediaGeoJSON)
	_, err = w.Write(buf.Bytes())
	return err
}

func (s *Server) itemsLinks(r *http.Request, snap *catalog.Snapshot, q itemsQuery, matched, returned int) []link {
	base := s.baseURL(r) + "/collections/" + url.PathEscape(snap.ID()) + "/items"
	params := r.URL.Query()
	params.Del("f")
	links := []link{
		{Href: withQuery(base, "", withFormat(params, "json")), Rel: "self", Type: mediaGeoJSON},
		{Href: withQuery(base, "", withFormat(params, "html")), Rel: "alternate", Type: mediaHTML},
		{Href: s.baseURL(r) + "/collections/" + url.PathEscape(snap.ID()), Rel: "collection", Type: mediaJSON},
	}
	if q.offset+returned < matched {
		next := withFormat(params, "json")
		next.Set("offset", strconv.Itoa(q.offset+returned))
		next.Set("limit", strconv.Itoa(q.limit))
		links = append(links, link{Href: withQuery(base, "", next), Rel: "next", Type: mediaGeoJSON})
	}
	if q.offset > 0 {
		prev := withFormat(params, "json")
		prev.Set("offset", strconv.Itoa(max(0, q.offset-q.limit)))
		prev.Set("limit", strconv.Itoa(q.limit))
		links = append(links, link{Href: withQuery(base, "", prev), Rel: "prev", Type: mediaGeoJSON})
	}
	return links
}

func writeLinks(buf *bytes.Buffer, links []link) {
	buf.WriteByte('[')
	for i, l := range links {
		if i > 0 {
			buf.WriteByte(',')
		}
		fmt.Fprintf(buf, `{"href":%q,"rel":%q,"type":%q}`, l.Href, l.Rel, l.Type)
	}
	buf.WriteByte(']')
}

func (s *Server) item(w http.ResponseWriter, r *http.Request) error {
	snap, err := s.snapshot(r)
	if err != nil {
		return err
	}
	if err := checkParams(r, "f", "lang"); err != nil {
		return err
	}
	id := mux.Vars(r)["featureId"]
	feat := snap.Feature(id)
	if feat == nil {
		return notFound("feature %q does not exist in %s / không có đối tượng này", id, snap.ID())
	}
	f := format(r)
	if f != "json" && f != "html" {
		return badFormat(r)
	}
	if notModified(w, r, etag(snap, id+"?"+r.URL.RawQuery, f)) {
		return nil
	}
	base := s.baseURL(r)
	self := base + "/collections/" + url.PathEscape(snap.ID()) + "/items/" + url.PathEscape(id)
	links := []link{
		{Href: self, Rel: "self", Type: mediaGeoJSON},
		{Href: self + "?f=html", Rel: "alternate", Type: mediaHTML},
		{Href: base + "/collections/" + url.PathEscape(snap.ID()), Rel: "collection", Type: mediaJSON},
	}
	if f == "html" {
		return s.render(w, r, "item.html", pageData{Title: snap.Collection.Title, Data: itemPage(snap, feat, links)})
	}
	var buf bytes.Buffer
	buf.Write(feat.JSON[:len(feat.JSON)-1]) // reopen the Feature object to add its links
	buf.WriteString(`,"links":`)
	writeLinks(&buf, links)
	buf.WriteByte('}')
	w.Header().Set("Content-Type", mediaGeoJSON)
	_, err = w.Write(buf.Bytes())
	return err
}

// etag identifies a representation: the collection version, the query and the format.
func etag(snap *catalog.Snapshot, query, format string) string {
	h := fnv.New64a()
	fmt.Fprintf(h, "%s\x00%d\x00%s\x00%s", snap.ID(), snap.Version(), query, format)
	return fmt.Sprintf(`"%s-v%d-%x"`, snap.ID(), snap.Version(), h.Sum64())
}

// notModified sets the ETag and answers 304 when the client has it already.
func notModified(w http.ResponseWriter, r *http.Request, tag string) bool {
	w.Header().Set("ETag", tag)
	w.Header().Set("Cache-Control", "public, max-age=60")
	w.Header().Add("Vary", "Accept, Accept-Encoding")
	for _, t := range strings.Split(r.Header.Get("If-None-Match"), ",") {
		if t = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(t), "W/")); t == tag || t == "*" {
			w.WriteHeader(http.StatusNotModified)
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
