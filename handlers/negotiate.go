package handlers

import (
	"net/http"
	"net/url"
	"strings"
)

// Media types served.
const (
	mediaJSON    = "application/json"
	mediaGeoJSON = "application/geo+json"
	mediaHTML    = "text/html"
)

// format is the representation a request asks for: ?f= wins over Accept.
// It returns "json", "html" or an unknown value for the caller to refuse.
func format(r *http.Request) string {
	if f := r.URL.Query().Get("f"); f != "" {
		switch strings.ToLower(f) {
		case "json", "geojson", "application/json", "application/geo+json":
			return "json"
		case "html", "text/html":
			return "html"
		}
		return strings.ToLower(f)
	}
	if wantsHTMLByAccept(r) {
		return "html"
	}
	return "json"
}

// wantsHTML reports whether an error page should be HTML.
func wantsHTML(r *http.Request) bool {
	return format(r) == "html"
}

// wantsHTMLByAccept prefers HTML only when the client lists text/html before any
// JSON type (browsers do; curl, GDAL and QGIS do not).
func wantsHTMLByAccept(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		mt := strings.TrimSpace(strings.SplitN(part, ";", 2)[0])
		switch mt {
		case "text/html", "application/xhtml+xml":
			return true
		case "application/json", "application/geo+json", "application/schema+json", "*/*":
			return false
		}
	}
	return false
}

// baseURL is the public URL of the service: the configured one, else what the
// proxy said (Forwarded, X-Forwarded-Proto/Host/Prefix), else the request's host.
func (s *Server) baseURL(r *http.Request) string {
	if s.cfg.PublicURL != "" {
		return s.cfg.PublicURL
	}
	scheme, host, prefix := "http", r.Host, ""
	if r.TLS != nil {
		scheme = "https"
	}
	if fwd := r.Header.Get("Forwarded"); fwd != "" {
		first := strings.Split(fwd, ",")[0]
		for _, kv := range strings.Split(first, ";") {
			k, v, _ := strings.Cut(strings.TrimSpace(kv), "=")
			v = strings.Trim(v, `"`)
			switch strings.ToLower(k) {
			case "proto":
				scheme = v
			case "host":
				host = v
			}
		}
	}
	if v := r.Header.Get("X-Forwarded-Proto"); v != "" {
		scheme = strings.TrimSpace(strings.Split(v, ",")[0])
	}
	if v := r.Header.Get("X-Forwarded-Host"); v != "" {
		host = strings.TrimSpace(strings.Split(v, ",")[0])
	}
	if v := r.Header.Get("X-Forwarded-Prefix"); v != "" {
		prefix = "/" + strings.Trim(v, "/")
	}
	if scheme != "http" && scheme != "https" {
		scheme = "http"
	}
	return scheme + "://" + host + prefix
}

// link is an OGC API / RFC 8288 link.
type link struct {
	Href     string `json:"href"`
	Rel      string `json:"rel"`
	Type     string `json:"type,omitempty"`
	Title    string `json:"title,omitempty"`
	Hreflang string `json:"hreflang,omitempty"`
}

// withQuery returns base+path with the query q (nil for none).
func withQuery(base, path string, q url.Values) string {
	if len(q) == 0 {
		return base + path
	}
	return base + path + "?" + q.Encode()
}

// withFormat copies q and sets f.
func withFormat(q url.Values, f string) url.Values {
	out := url.Values{}
	for k, v := range q {
		out[k] = v
	}
	out.Set("f", f)
	return out
}
