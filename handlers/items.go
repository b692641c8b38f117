package handlers

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/gorilla/mux"

	"github.com/vn-opendata/geodata/catalog"
	"github.com/vn-opendata/geodata/geo"
	"github.com/vn-opendata/geodata/store"
)

// itemsOffers are the representations of /items: GeoJSON first (the default).
var itemsOffers = []representation{reprGeoJSON, reprHTML, reprCSV}

// itemOffers are the representations of one feature.
var itemOffers = []representation{reprGeoJSON, reprHTML}

func (s *Server) items(w http.ResponseWriter, r *http.Request) error {
	snap, err := s.snapshot(r)
	if err != nil {
		return err
	}
	idx := s.indexes.of(snap)
	q, err := parseItemsQuery(r, snap, idx, s.crs)
	if err != nil {
		return err
	}
	repr, err := negotiate(r, itemsOffers...)
	if err != nil {
		return err
	}
	if s.upToDate(w, r, collectionVersion(snap), repr) {
		return nil
	}
	page, matched := q.page(snap, idx)
	links := s.itemsLinks(r, snap, q, matched, len(page))
	setLinkHeader(w, links)
	switch repr.F {
	case "html":
		return s.render(w, r, "items.html", pageData{Title: collectionTitle(r, snap.Collection),
			Data: s.itemsPage(r, snap, page, links, matched, q), Scripts: []string{"map", "features-map.js"}})
	case "csv":
		return writeCSV(w, snap, page, q)
	}
	enc := newFeatureEncoder(snap, q.props, q.crs)
	var buf bytes.Buffer
	buf.Grow(256 + len(page)*256)
	fmt.Fprintf(&buf, `{"type":"FeatureCollection","numberMatched":%d,"numberReturned":%d,"timeStamp":%q,"links":`,
		matched, len(page), timeStamp(snap))
	writeLinks(&buf, links)
	buf.WriteString(`,"features":[`)
	for i, idx := range page {
		if i > 0 {
			buf.WriteByte(',')
		}
		if err := enc.append(&buf, &snap.Features[idx]); err != nil {
			return err
		}
	}
	buf.WriteString("]}")
	w.Header().Set("Content-Crs", "<"+q.crs.URI()+">")
	w.Header().Set("Content-Type", mediaGeoJSON)
	_, err = w.Write(buf.Bytes())
	return err
}

// timeStamp is when the data of the response was published: the time of the
// collection's version, the same on every replica, so that equal queries give
// equal bytes and strong ETags hold.
func timeStamp(snap *catalog.Snapshot) string {
	return snap.Collection.UpdatedAt.UTC().Format(time.RFC3339)
}

// itemsURL is the URL of a collection's items.
func itemsURL(base string, snap *catalog.Snapshot) string {
	return base + "/collections/" + url.PathEscape(snap.ID()) + "/items"
}

// itemsLinks links a page to itself, its other representations, its collection
// and the pages around it; next and prev carry every other parameter.
func (s *Server) itemsLinks(r *http.Request, snap *catalog.Snapshot, q itemsQuery, matched, returned int) []link {
	base := s.baseURL(r)
	items := itemsURL(base, snap)
	params := queryOf(r)
	links := []link{
		{Href: withQuery(items, "", withFormat(params, "json")), Rel: "self", Type: mediaGeoJSON, Title: "Trang này / this page"},
		{Href: withQuery(items, "", withFormat(params, "html")), Rel: "alternate", Type: mediaHTML, Title: "HTML"},
		{Href: withQuery(items, "", withFormat(params, "csv")), Rel: "alternate", Type: mediaCSV, Title: "CSV"},
		{Href: base + "/collections/" + url.PathEscape(snap.ID()), Rel: "collection", Type: mediaJSON, Title: snap.Collection.Title},
	}
	page := func(rel, title string, offset int) link {
		p := withFormat(params, "json")
		p.Set("offset", strconv.Itoa(offset))
		p.Set("limit", strconv.Itoa(q.limit))
		return link{Href: withQuery(items, "", p), Rel: rel, Type: mediaGeoJSON, Title: title}
	}
	if q.offset+returned < matched {
		links = append(links, page("next", "Trang sau / next page", q.offset+returned))
	}
	if q.offset > 0 {
		links = append(links, page("prev", "Trang trước / previous page", max(0, q.offset-q.limit)))
	}
	return links
}

// setLinkHeader repeats the paging links as HTTP Link headers, where clients of
// CSV (which has no room for links) find them.
func setLinkHeader(w http.ResponseWriter, links []link) {
	for _, l := range links {
		if l.Rel == "next" || l.Rel == "prev" {
			w.Header().Add("Link", fmt.Sprintf("<%s>; rel=%q; type=%q", l.Href, l.Rel, l.Type))
		}
	}
}

func writeLinks(buf *bytes.Buffer, links []link) {
	buf.WriteByte('[')
	for i, l := range links {
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.WriteString(`{"href":`)
		writeJSONString(buf, l.Href)
		buf.WriteString(`,"rel":`)
		writeJSONString(buf, l.Rel)
		buf.WriteString(`,"type":`)
		writeJSONString(buf, l.Type)
		if l.Title != "" {
			buf.WriteString(`,"title":`)
			writeJSONString(buf, l.Title)
		}
		buf.WriteByte('}')
	}
	buf.WriteByte(']')
}

func (s *Server) item(w http.ResponseWriter, r *http.Request) error {
	snap, err := s.snapshot(r)
	if err != nil {
		return err
	}
	if err := checkParams(r, itemParams...); err != nil {
		return err
	}
	id := mux.Vars(r)["featureId"]
	feat := snap.Feature(id)
	if feat == nil {
		return notFound("feature %q does not exist in %s / không có đối tượng này", id, snap.ID())
	}
	c, err := s.crs.param(r.URL.Query().Get("crs"), "crs")
	if err != nil {
		return err
	}
	repr, err := negotiate(r, itemOffers...)
	if err != nil {
		return err
	}
	if s.upToDate(w, r, featureVersion(snap, feat), repr) { // the ETag If-Match of a write compares
		return nil
	}
	base := s.baseURL(r)
	self := itemsURL(base, snap) + "/" + url.PathEscape(id)
	params := queryOf(r)
	links := []link{
		{Href: withQuery(self, "", withFormat(params, "json")), Rel: "self", Type: mediaGeoJSON, Title: "Đối tượng này / this feature"},
		{Href: withQuery(self, "", withFormat(params, "html")), Rel: "alternate", Type: mediaHTML, Title: "HTML"},
		{Href: base + "/collections/" + url.PathEscape(snap.ID()), Rel: "collection", Type: mediaJSON, Title: snap.Collection.Title},
	}
	if repr.F == "html" {
		return s.render(w, r, "item.html", pageData{Title: collectionTitle(r, snap.Collection) + " · " + id,
			Data: s.itemPage(r, snap, feat), Scripts: []string{"map", "features-map.js"}})
	}
	enc := newFeatureEncoder(snap, nil, c)
	var buf bytes.Buffer
	if err := enc.append(&buf, feat); err != nil {
		return err
	}
	buf.Truncate(buf.Len() - 1) // reopen the Feature object to add its links
	buf.WriteString(`,"links":`)
	writeLinks(&buf, links)
	buf.WriteByte('}')
	w.Header().Set("Content-Crs", "<"+c.URI()+">")
	w.Header().Set("Content-Type", mediaGeoJSON)
	_, err = w.Write(buf.Bytes())
	return err
}

// featureEncoder writes features as a query asks: the GeoJSON encoded at load
// when every property is wanted in CRS84, else encoded anew with the selected
// properties in the requested system.
type featureEncoder struct {
	schema []store.Property
	props  []int // nil: all
	crs    *geo.CRS
}

func newFeatureEncoder(snap *catalog.Snapshot, props []int, c *geo.CRS) featureEncoder {
	e := featureEncoder{schema: snap.Collection.Schema, props: props, crs: c}
	if props != nil {
		e.schema = make([]store.Property, len(props))
		for i, p := range props {
			e.schema[i] = snap.Collection.Schema[p]
		}
	}
	return e
}

func (e featureEncoder) append(buf *bytes.Buffer, f *catalog.Feature) error {
	if e.props == nil && e.crs.URI() == crs84 {
		buf.Write(f.JSON)
		return nil
	}
	if e.props == nil {
		return e.appendInCRS(buf, f)
	}
	out := *f
	if e.props != nil {
		out.Props = make([]any, len(e.props))
		for i, p := range e.props {
			out.Props[i] = f.Props[p]
		}
	}
	if e.crs.URI() != crs84 {
		g, err := toCRS(f.Geom, e.crs)
		if err != nil {
			return badParam("crs", "feature %s cannot be given in %s: %v", f.ID, e.crs.URI(), err)
		}
		out.Geom = g
	}
	b, err := catalog.EncodeFeature(&out, e.schema)
	if err != nil {
		return err
	}
	buf.Write(b)
	return nil
}

// appendInCRS writes f's GeoJSON with its geometry in e.crs, keeping the rest of
// the bytes encoded at load: catalog.EncodeFeature writes the geometry between
// `"geometry":` and `,"properties":`, which no escaped id can contain.
func (e featureEncoder) appendInCRS(buf *bytes.Buffer, f *catalog.Feature) error {
	const geomKey, propsKey = `,"geometry":`, `,"properties":`
	start := bytes.Index(f.JSON, []byte(geomKey))
	end := bytes.Index(f.JSON, []byte(propsKey))
	if start < 0 || end < start {
		return fmt.Errorf("feature %s: unexpected encoding", f.ID)
	}
	g, err := toCRS(f.Geom, e.crs)
	if err != nil {
		return badParam("crs", "feature %s cannot be given in %s: %v", f.ID, e.crs.URI(), err)
	}
	buf.Write(f.JSON[:start+len(geomKey)])
	buf.Write(geo.AppendGeoJSON(buf.AvailableBuffer(), g))
	buf.Write(f.JSON[end:])
	return nil
}
