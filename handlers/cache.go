package handlers

import (
	"fmt"
	"hash/fnv"
	"net/http"
	"strings"

	"github.com/vn-opendata/geodata/catalog"
)

// cacheControl lets browsers and CDNs reuse a response for a minute without
// asking; after that a conditional request costs a hash and a 304.
const cacheControl = "public, max-age=60"

// collectionVersion names the data behind a collection's resources.
func collectionVersion(snap *catalog.Snapshot) string {
	return fmt.Sprintf("%s-v%d", snap.ID(), snap.Version())
}

// catalogVersion names the data behind resources that describe every collection
// (landing page, /collections, /api): the set of collections and their versions.
func (s *Server) catalogVersion() string {
	h := fnv.New64a()
	for _, snap := range s.cat.Snapshots() {
		fmt.Fprintf(h, "%s\x00%d\x00", snap.ID(), snap.Version())
	}
	return fmt.Sprintf("c%x", h.Sum64())
}

// etag identifies one representation: the data version and everything the bytes
// depend on besides it — path and query (filters, CRS, paging, language), media
// type, public base URL of the links, and content coding.
func (s *Server) etag(r *http.Request, version string, repr representation) string {
	h := fnv.New64a()
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00%s\x00%s\x00%t", version, r.URL.Path, r.URL.RawQuery, repr.Media,
		s.baseURL(r), acceptsGzip(r))
	return fmt.Sprintf(`"%s-%x"`, version, h.Sum64())
}

// upToDate sets the caching headers of a representation and answers 304 when
// the client holds it already.
func (s *Server) upToDate(w http.ResponseWriter, r *http.Request, version string, repr representation) bool {
	return notModified(w, r, s.etag(r, version, repr))
}

// notModified sets the ETag and caching headers and answers 304 when the
// client's If-None-Match names the tag.
func notModified(w http.ResponseWriter, r *http.Request, tag string) bool {
	h := w.Header()
	h.Set("ETag", tag)
	h.Set("Cache-Control", cacheControl)
	h.Set("Vary", "Accept, Accept-Encoding")
	for _, t := range strings.Split(r.Header.Get("If-None-Match"), ",") {
		if t = strings.TrimPrefix(strings.TrimSpace(t), "W/"); t == tag || t == "*" {
			w.WriteHeader(http.StatusNotModified)
			return true
		}
	}
	return false
}
