package handlers

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Media types served.
const (
	mediaJSON    = "application/json"
	mediaGeoJSON = "application/geo+json"
	mediaHTML    = "text/html"
	mediaCSV     = "text/csv"
	mediaSchema  = "application/schema+json"
	mediaOpenAPI = "application/vnd.oai.openapi+json;version=3.0"
)

// representation is one encoding a resource offers: the value of ?f= that asks
// for it, the media type it is served as, and the Accept types it answers to.
type representation struct {
	F       string
	Media   string
	answers []string
}

var (
	reprJSON    = representation{F: "json", Media: mediaJSON, answers: []string{mediaJSON}}
	reprGeoJSON = representation{F: "json", Media: mediaGeoJSON, answers: []string{mediaGeoJSON, mediaJSON}}
	reprHTML    = representation{F: "html", Media: mediaHTML, answers: []string{mediaHTML, "application/xhtml+xml"}}
	reprCSV     = representation{F: "csv", Media: mediaCSV, answers: []string{mediaCSV}}
	reprSchema  = representation{F: "json", Media: mediaSchema, answers: []string{mediaSchema, mediaJSON}}
	reprOpenAPI = representation{F: "json", Media: mediaOpenAPI,
		answers: []string{"application/vnd.oai.openapi+json", "application/openapi+json", mediaJSON}}
)

// formats lists the ?f= values of offers, for error messages and the API document.
func formats(offers []representation) []string {
	var out []string
	for _, o := range offers {
		if !slices.Contains(out, o.F) {
			out = append(out, o.F)
		}
	}
	return out
}

// negotiate picks the representation of a response: ?f= wins; else the offer the
// Accept header rates highest (ties go to the type the client lists first); else
// the first offer, so that clients sending odd Accept headers still get data.
func negotiate(r *http.Request, offers ...representation) (representation, error) {
	if err := checkLang(r); err != nil {
		return offers[0], err
	}
	if f, ok := r.URL.Query()["f"]; ok {
		for _, o := range offers {
			if len(f) == 1 && f[0] == o.F {
				return o, nil
			}
		}
		return offers[0], badParam("f", "unsupported format %q; use one of %s", strings.Join(f, ","),
			strings.Join(formats(offers), ", "))
	}
	best, bestQ := offers[0], 0.0
	for _, ar := range parseAccept(r.Header.Get("Accept")) {
		for _, o := range offers {
			if ar.matchesAny(o.answers) {
				if ar.q > bestQ {
					best, bestQ = o, ar.q
				}
				break
			}
		}
	}
	return best, nil
}

// acceptRange is one media range of an Accept header.
type acceptRange struct {
	typ string // "text/html", "text/*" or "*/*"
	q   float64
}

func (a acceptRange) matchesAny(types []string) bool {
	for _, t := range types {
		switch {
		case a.typ == "*/*", a.typ == t:
			return true
		case strings.HasSuffix(a.typ, "/*") && strings.HasPrefix(t, strings.TrimSuffix(a.typ, "*")):
			return true
		}
	}
	return false
}

func parseAccept(h string) []acceptRange {
	var out []acceptRange
	for _, part := range strings.Split(h, ",") {
		fields := strings.Split(part, ";")
		ar := acceptRange{typ: strings.ToLower(strings.TrimSpace(fields[0])), q: 1}
		if ar.typ == "" {
			continue
		}
		for _, p := range fields[1:] {
			k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
			if strings.EqualFold(k, "q") {
				if q, err := strconv.ParseFloat(v, 64); err == nil {
					ar.q = q
				}
			}
		}
		if ar.q > 0 {
			out = append(out, ar)
		}
	}
	return out
}

// wantsHTML reports whether an error should be an HTML page.
func wantsHTML(r *http.Request) bool {
	if f := r.URL.Query().Get("f"); f != "" {
		return f == "html"
	}
	repr, _ := negotiate(r, reprJSON, reprHTML)
	return repr.F == "html"
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

// queryOf returns the request's query without the format, for alternate links.
func queryOf(r *http.Request) url.Values {
	q := r.URL.Query()
	q.Del("f")
	return q
}

// checkParams refuses query parameters the endpoint does not declare.
func checkParams(r *http.Request, allowed ...string) error {
	for name := range r.URL.Query() {
		if !slices.Contains(allowed, name) {
			return badParam(name, "unknown parameter; this endpoint accepts %s", strings.Join(allowed, ", "))
		}
	}
	return nil
}
