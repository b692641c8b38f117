package handlers

import (
	"io/fs"
	"net/http"
	"path"
	"strings"
)

// contentSecurityPolicy lets pages load scripts, styles, images, fonts and data
// from this origin only — no CDN, no third party sees a visitor — and never be
// framed. MapLibre's CSP build runs its worker from /static (worker-src), draws
// into canvases and decodes tiles and images into blob: URLs.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; " +
	"font-src 'self'; connect-src 'self'; worker-src 'self' blob:; child-src 'self' blob:; object-src 'none'; " +
	"base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

// securityHeaders sets the headers that keep browsers from sniffing types,
// framing pages and leaking the page's address to other sites; every response
// gets them, so an error page or a file is covered as well as a page.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

// Bounds of what a query may ask. A bbox holds 4 or 6 numbers (parseBBox); a
// CQL2 filter is at most maxFilterLength bytes, its geometries hold at most
// maxFilterVertices positions in all (parseFilterRequest refuses more, naming
// the limit), and nesting is bounded by filter.MaxDepth; the whole query
// string by maxQueryBytes.
const (
	maxFilterVertices = 2000
	maxQueryBytes     = 32 << 10
)

// boundQueries answers 414 to requests whose query string is longer than
// maxQueryBytes, before anything parses it.
func (s *Server) boundQueries(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(r.URL.RawQuery) > maxQueryBytes {
			r.URL.RawQuery = "" // the error page must not parse it either
			s.writeError(w, r, &Error{Status: http.StatusRequestURITooLong, Code: "URITooLong",
				Description: "the query is longer than 32 KiB / truy vấn quá dài"})
			return
		}
		next.ServeHTTP(w, r)
	})
}

// staticFiles serves the embedded files: a file by its clean path, never a
// folder (no listing, no redirect to one) and never anything outside root (the
// embedded file system has no parent to climb to, and paths holding .. or
// backslashes are refused before any lookup).
func (s *Server) staticFiles() http.Handler {
	files := http.FileServerFS(s.static)
	missing := s.handle(func(w http.ResponseWriter, r *http.Request) error {
		return notFound("no file at %s / không có tệp này", r.URL.Path)
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := r.URL.Path
		if name == "" || strings.HasSuffix(name, "/") || strings.Contains(name, "\\") || strings.Contains(name, "..") ||
			path.Clean("/"+name) != "/"+name {
			missing.ServeHTTP(w, r)
			return
		}
		if st, err := fs.Stat(s.static, name); err != nil || st.IsDir() {
			missing.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=3600")
		files.ServeHTTP(w, r)
	})
}
