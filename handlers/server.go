// Package handlers is geodata's HTTP layer only: routing (gorilla/mux), content
// negotiation, errors, middleware, HTML pages and the API documents. It answers
// every read from the catalog's in-memory snapshots and never talks SQL.
package handlers

import (
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"

	"github.com/gorilla/mux"

	"github.com/vn-opendata/geodata/catalog"
	"github.com/vn-opendata/geodata/store"
	"github.com/vn-opendata/geodata/tiles"
	"github.com/vn-opendata/geodata/web"
)

// Config is what the HTTP layer needs to know of the service's configuration.
type Config struct {
	PublicURL string // base URL of links; empty: derived from the request (Forwarded, X-Forwarded-*)
	Version   string // build version, shown on /healthz
	Tiles     tiles.Options
	Catalogue CatalogueConfig
	Writes    WritesConfig
}

// Server answers the HTTP API and pages from a catalog.
type Server struct {
	cat     *catalog.Catalog
	cfg     Config
	log     *slog.Logger
	pages   *template.Template
	static  fs.FS
	metrics *metrics
	tiler   *tiles.Tiler
	indexes snapshotIndexes // what queries need of each current snapshot (times, text order)
	crs     crsCatalog      // the coordinate reference systems served
	catalogue
	writeAPI

	collectionLinkers []collectionLinker // links of other API parts in collection descriptions
}

// New prepares a server.
func New(cat *catalog.Catalog, cfg Config, log *slog.Logger) (*Server, error) {
	pages, err := template.New("").Funcs(templateFuncs).ParseFS(web.FS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	static, err := fs.Sub(web.FS, "static")
	if err != nil {
		return nil, err
	}
	systems, err := newCRSCatalog(cat.Region)
	if err != nil {
		return nil, err
	}
	cfg.PublicURL = strings.TrimRight(cfg.PublicURL, "/")
	if err := cfg.Tiles.Validate(); err != nil {
		return nil, err
	}
	s := &Server{cat: cat, cfg: cfg, log: log, pages: pages, static: static, metrics: newMetrics(cat), crs: systems, tiler: tiles.NewTiler(cfg.Tiles)}
	s.metrics.registry.MustRegister(tileCacheCollector{s.tiler.Cache()})
	s.collectionLinkers = append(s.collectionLinkers, func(base string, snap *catalog.Snapshot) []link {
		return tilesCollectionLinks(base, snap.ID())
	})
	if err := s.initCatalogue(cfg.Catalogue); err != nil {
		return nil, err
	}
	if err := s.initWrites(cfg.Writes); err != nil {
		return nil, err
	}
	return s, nil
}

// Handler is the whole HTTP surface with its middleware.
func (s *Server) Handler() http.Handler {
	r := mux.NewRouter()
	r.StrictSlash(false)
	get := func(path string, h appHandler) {
		r.Handle(path, s.handle(h)).Methods(http.MethodGet, http.MethodHead)
	}
	get("/", s.landing)
	get("/conformance", s.conformance)
	get("/api", s.api)
	get("/collections", s.collections)
	get("/collections/{collectionId}", s.collection)
	get("/collections/{collectionId}/items", s.counted(store.UsageItems, s.items))
	get("/collections/{collectionId}/items/{featureId}", s.counted(store.UsageItems, s.item))
	get("/collections/{collectionId}/queryables", s.queryables)
	get("/collections/{collectionId}/schema", s.schema)
	get("/collections/{collectionId}/nearby", s.collectionNearby)
	get("/nearby", s.nearby)
	get("/gan-toi", s.nearbyPage)
	get("/healthz", s.healthz)
	get("/readyz", s.readyz)
	s.tileRoutes(get)
	r.Handle("/metrics", s.metrics.handler()).Methods(http.MethodGet)
	s.catalogueRoutes(r)
	s.writeRoutes(r)
	r.PathPrefix("/static/").Handler(http.StripPrefix("/static/", s.staticFiles()))
	r.NotFoundHandler = s.handle(func(w http.ResponseWriter, r *http.Request) error {
		return notFound("no resource at %s / không có tài nguyên này", r.URL.Path)
	})
	r.MethodNotAllowedHandler = s.handle(func(w http.ResponseWriter, r *http.Request) error {
		return &Error{Status: http.StatusMethodNotAllowed, Code: "MethodNotAllowed",
			Description: r.Method + " is not allowed on " + r.URL.Path}
	})
	r.Use(s.metrics.instrument)
	return s.withRequestID(s.logRequests(s.recoverPanics(securityHeaders(corsHeaders(s.boundQueries(gzipResponses(answerPreflight(r))))))))
}
