package bench

import (
	"net"
	"net/http"
	"strings"
	"time"
)

// CeilingBodySize is the size of the ceiling server's answer: about a small
// GeoJSON feature, so the ceiling measures HTTP, not payload.
const CeilingBodySize = 200

// ceilingBody is a JSON object of exactly CeilingBodySize bytes.
var ceilingBody = func() []byte {
	const head, tail = `{"message":"hello from the ceiling server","padding":"`, `"}`
	return []byte(head + strings.Repeat("x", CeilingBodySize-len(head)-len(tail)) + tail)
}()

// CeilingHandler answers every request with the same 200-byte JSON: the least
// work an HTTP server can do, to compare geodata with.
func CeilingHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(ceilingBody)
	})
}

// ServeCeiling serves CeilingHandler on ln with the timeouts geodata's server has.
func ServeCeiling(ln net.Listener) error {
	srv := &http.Server{
		Handler:           CeilingHandler(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	return srv.Serve(ln)
}
