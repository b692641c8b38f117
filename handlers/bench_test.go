package handlers_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkOGCRequests measures whole OGC API requests through the handler
// chain (negotiation, matching, encoding, middleware) without the network, one
// per representation and query feature.
func BenchmarkOGCRequests(b *testing.B) {
	e := sampleEnv(b)
	for _, c := range []struct{ name, url, encoding string }{
		{"page10", "/collections/schools/items", ""},
		{"page1000", "/collections/schools/items?limit=1000", ""},
		{"page1000-gzip", "/collections/schools/items?limit=1000", "gzip"},
		{"page1000-crs3857", "/collections/schools/items?limit=1000&crs=EPSG:3857", ""},
		{"page1000-csv", "/collections/schools/items?limit=1000&f=csv", ""},
		{"page1000-html", "/collections/schools/items?limit=1000&f=html", ""},
		{"bbox", "/collections/schools/items?bbox=106.15,21.25,106.25,21.30&limit=100", ""},
		{"sortby-text", "/collections/schools/items?sortby=T%C3%AAn%20tr%C6%B0%E1%BB%9Dng", ""},
		{"filter", "/collections/schools/items?Huy%E1%BB%87n=L%E1%BB%A5c%20Ng%E1%BA%A1n", ""},
		{"feature", "/collections/schools/items/BG-TR-00001", ""},
		{"api", "/api", ""},
		{"collections", "/collections", ""},
	} {
		b.Run(c.name, func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, c.url, nil)
			if c.encoding != "" {
				req.Header.Set("Accept-Encoding", c.encoding)
			}
			var size int
			b.ReportAllocs()
			for b.Loop() {
				rec := httptest.NewRecorder()
				e.Handler.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("%s: %d", c.url, rec.Code)
				}
				size = rec.Body.Len()
			}
			b.ReportMetric(float64(size), "bytes/op")
		})
	}
}
