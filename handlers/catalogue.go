package handlers

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/mux"

	"github.com/vn-opendata/geodata/catalog"
	"github.com/vn-opendata/geodata/downloads"
	"github.com/vn-opendata/geodata/geo"
	"github.com/vn-opendata/geodata/opendata"
	"github.com/vn-opendata/geodata/store"
)

// CatalogueConfig configures the open-data catalogue: downloads, usage counting
// and citizens' feedback.
type CatalogueConfig struct {
	// DownloadDir caches the generated downloads per collection version (under the
	// data folder in production); empty: a temporary folder.
	DownloadDir string
	// KeepVersions is how many versions of each collection keep their downloads.
	KeepVersions int
	// DownloadFormats are the formats offered; nil: downloads.Standard(), a CSV
	// in the region's default VN-2000 / TM-3 zone and the PMTiles archive.
	DownloadFormats []downloads.Format
	// LazyDownloads builds a version's files on their first request only, not
	// ahead of it in Run (for benchmarks: building takes CPU from the requests).
	LazyDownloads bool
	// UsageFlushEvery is how often the usage counters go to PostgreSQL.
	UsageFlushEvery time.Duration
	// FeedbackBurst and FeedbackEvery rate-limit feedback and votes per client:
	// a client may send FeedbackBurst at once, then one per FeedbackEvery.
	FeedbackBurst int
	FeedbackEvery time.Duration
	// TrustProxy takes the client address for rate limits and votes from the last
	// X-Forwarded-For entry (set it only behind a proxy that writes that header).
	TrustProxy bool
}

func (c *CatalogueConfig) defaults() {
	if c.KeepVersions <= 0 {
		c.KeepVersions = 3
	}
	if c.UsageFlushEvery <= 0 {
		c.UsageFlushEvery = time.Minute
	}
	if c.FeedbackBurst <= 0 {
		c.FeedbackBurst = 5
	}
	if c.FeedbackEvery <= 0 {
		c.FeedbackEvery = 2 * time.Minute
	}
}

// catalogue is the Server's state for the catalogue pages.
type catalogue struct {
	ccfg      CatalogueConfig
	db        *store.DB
	usage     *catalog.Usage
	downloads *downloads.Cache
	limiter   *rateLimiter
	vocab     atomic.Pointer[store.Vocabularies]
	historyMu sync.Mutex
	history   versionHistory
}

// versionHistory caches the days of every collection's versions, read again
// when a collection's version changes.
type versionHistory struct {
	key  string
	days map[string][]time.Time
}

func (s *Server) initCatalogue(cfg CatalogueConfig) error {
	cfg.defaults()
	if cfg.DownloadFormats == nil {
		cfg.DownloadFormats = downloads.Standard()
		if code := s.cat.Region.DefaultCRS; code != 0 {
			crs, err := geo.LookupCRS(fmt.Sprintf("EPSG:%d", code))
			if err != nil {
				return fmt.Errorf("region %s: default CRS: %w", s.cat.Region.ID, err)
			}
			cfg.DownloadFormats = append(cfg.DownloadFormats, downloads.CRSCSV(crs))
		}
		cfg.DownloadFormats = append(cfg.DownloadFormats, s.pmtilesDownload())
	}
	if cfg.DownloadDir == "" {
		dir, err := os.MkdirTemp("", "geodata-downloads-")
		if err != nil {
			return err
		}
		cfg.DownloadDir = dir
	}
	cache, err := downloads.NewCache(filepath.Clean(cfg.DownloadDir), cfg.KeepVersions, cfg.DownloadFormats...)
	if err != nil {
		return err
	}
	s.catalogue = catalogue{ccfg: cfg, db: s.cat.DB(), usage: catalog.NewUsage(s.cat.DB(), s.log), downloads: cache,
		limiter: newRateLimiter(cfg.FeedbackBurst, cfg.FeedbackEvery)}
	return nil
}

// Run does the catalogue's background work until ctx ends: it flushes the usage
// counters to PostgreSQL and builds the downloads of new versions ahead of the
// first request.
func (s *Server) Run(ctx context.Context) {
	go s.usage.Run(ctx, s.ccfg.UsageFlushEvery)
	tick := time.NewTicker(5 * time.Second)
	defer tick.Stop()
	seen := ""
	for {
		if key := versionsKey(s.cat.Snapshots()); key != seen && !s.ccfg.LazyDownloads {
			if err := s.downloads.Warm(ctx, s.cat.Snapshots()); err != nil && ctx.Err() == nil {
				s.log.Warn("build downloads", "err", err)
			} else {
				seen = key
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// FlushUsage writes the usage counters to PostgreSQL now.
func (s *Server) FlushUsage(ctx context.Context) error { return s.usage.Flush(ctx) }

// CountUsage counts one request of kind (store.UsageItems, UsageDownload,
// UsageTiles) to collection; handlers of other packages' routes call it.
func (s *Server) CountUsage(collection, kind string) { s.usage.Count(collection, kind) }

// counted counts a successful GET of the route's collection.
func (s *Server) counted(kind string, h appHandler) appHandler {
	return func(w http.ResponseWriter, r *http.Request) error {
		err := h(w, r)
		if err == nil && r.Method == http.MethodGet {
			if id := mux.Vars(r)["collectionId"]; id != "" {
				if _, ok := s.cat.Snapshot(id); ok {
					s.usage.Count(id, kind)
				}
			}
		}
		return err
	}
}

func versionsKey(snaps []*catalog.Snapshot) string {
	var b strings.Builder
	for _, s := range snaps {
		fmt.Fprintf(&b, "%s:%d,", s.ID(), s.Version())
	}
	return b.String()
}

// catalogueRoutes registers the catalogue's routes.
func (s *Server) catalogueRoutes(r *mux.Router) {
	get := func(path string, h appHandler) {
		r.Handle(path, s.handle(h)).Methods(http.MethodGet, http.MethodHead)
	}
	post := func(path string, h appHandler) {
		r.Handle(path, s.handle(h)).Methods(http.MethodPost)
	}
	get("/catalog", s.catalogPage)
	get("/agencies", s.agencies)
	get("/agencies/{agencyId}", s.agency)
	get("/downloads/{file}", s.downloadLatest)
	get("/downloads/{collectionId}/v{version:[0-9]+}/{file}", s.downloadVersion)
	get("/feedback", s.feedbackList)
	post("/feedback", s.feedbackCreate)
	get("/feedback/inbox", s.feedbackInbox)
	get("/feedback/{id:[0-9]+}", s.feedbackItem)
	post("/feedback/{id:[0-9]+}/votes", s.feedbackVote)
	post("/feedback/{id:[0-9]+}/answer", s.feedbackAnswer)
}

// vocabularies are the frequencies, themes and licences, read once.
func (s *Server) vocabularies(ctx context.Context) (store.Vocabularies, error) {
	if v := s.vocab.Load(); v != nil {
		return *v, nil
	}
	v, err := s.db.Vocabularies(ctx)
	if err != nil {
		return v, fmt.Errorf("read vocabularies: %w", err)
	}
	s.vocab.Store(&v)
	return v, nil
}

// versionDays returns the days of each collection's versions; when the database
// does not answer it keeps what it had (staleness then uses the last update).
func (s *Server) versionDays(ctx context.Context) map[string][]time.Time {
	key := versionsKey(s.cat.Snapshots())
	s.historyMu.Lock()
	defer s.historyMu.Unlock()
	if s.history.key == key && s.history.days != nil {
		return s.history.days
	}
	records, err := s.db.VersionHistory(ctx, time.Time{})
	if err != nil {
		s.log.Warn("read version history", "err", err)
		return s.history.days
	}
	days := map[string][]time.Time{}
	for _, v := range records {
		days[v.Collection] = append(days[v.Collection], catalog.Day(v.CreatedAt))
	}
	s.history = versionHistory{key: key, days: days}
	return days
}

// today is the region's current day.
func today() time.Time { return catalog.Day(time.Now()) }

// entries describes every collection for the catalogue, with its downloads
// (built when missing) and usage.
func (s *Server) entries(ctx context.Context, base string) ([]opendata.Entry, error) {
	vocab, err := s.vocabularies(ctx)
	if err != nil {
		return nil, err
	}
	days := s.versionDays(ctx)
	usage := s.usage.Totals()
	x := opendata.Context{Base: base, Agencies: s.cat.Region.AgencyHistory(), Vocab: vocab, Today: today()}
	snaps := s.cat.Snapshots()
	out := make([]opendata.Entry, len(snaps))
	var wg sync.WaitGroup
	for i, snap := range snaps {
		x := x
		x.History = days[snap.ID()]
		c := snap.Collection
		c.FeatureCount = int64(len(snap.Features))
		e := opendata.NewEntry(c, x)
		if e.TemporalStart == "" && e.TemporalEnd == "" {
			e.TemporalStart, e.TemporalEnd = temporalExtent(snap)
		}
		if u, ok := usage[snap.ID()]; ok {
			e.Usage = &opendata.Usage{All: counts(u.All), Recent: counts(u.Recent)}
		}
		out[i] = e
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i].Distributions = s.distributions(ctx, base, snap)
		}()
	}
	wg.Wait()
	opendata.Number(out)
	return out, nil
}

func counts(m map[string]int64) opendata.Counts {
	return opendata.Counts{Items: m[store.UsageItems], Downloads: m[store.UsageDownload], Tiles: m[store.UsageTiles]}
}

// distributions lists the downloads of snap (size and checksum included when
// the file could be built in time) and the API.
func (s *Server) distributions(ctx context.Context, base string, snap *catalog.Snapshot) []opendata.Distribution {
	id := snap.ID()
	var out []opendata.Distribution
	for _, f := range s.downloads.Formats() {
		d := opendata.Distribution{Format: f.Name, Title: f.Title, MediaType: f.MediaType, FileType: f.FileType, CRS: f.CRS,
			AccessURL: base + "/downloads/" + url.PathEscape(id+"."+f.Ext), Version: snap.Version()}
		if file, err := s.downloads.Get(ctx, snap, f); err == nil {
			d.DownloadURL = versionURL(base, file)
			d.Size, d.SHA256 = file.Size, file.SHA256
		} else if ctx.Err() == nil {
			s.log.Error("build download", "collection", id, "format", f.Name, "err", err)
		}
		out = append(out, d)
	}
	return append(out, opendata.Distribution{Format: "api", Title: "OGC API – Features (GeoJSON)",
		MediaType: mediaGeoJSON, FileType: "GEOJSON", CRS: downloads.CRS84,
		AccessURL: base + "/collections/" + url.PathEscape(id) + "/items"})
}

func versionURL(base string, f downloads.File) string {
	return fmt.Sprintf("%s/downloads/%s/v%d/%s", base, url.PathEscape(f.Collection), f.Version, url.PathEscape(f.Name))
}

// temporalExtent is the first and last date of the collection's temporal
// property (ISO dates and date-times compare as text), empty without one.
func temporalExtent(snap *catalog.Snapshot) (string, string) {
	at, ok := snap.Property(snap.Collection.TemporalProperty)
	if snap.Collection.TemporalProperty == "" || !ok {
		return "", ""
	}
	var lo, hi string
	for i := range snap.Features {
		v, _ := snap.Features[i].Props[at].(string)
		if len(v) < 10 {
			continue
		}
		d := v[:10]
		if _, err := time.Parse(time.DateOnly, d); err != nil {
			continue
		}
		if lo == "" || d < lo {
			lo = d
		}
		if d > hi {
			hi = d
		}
	}
	return lo, hi
}

// catalogFormats are the representations of /catalog by ?f= name.
var catalogFormats = map[string]string{
	"json": mediaJSON, "html": mediaHTML, "csv": "text/csv; charset=utf-8", "xml": "application/xml",
	"xlsx":   "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	"jsonld": opendata.DCATMediaTypes["jsonld"], "ttl": opendata.DCATMediaTypes["ttl"], "rdf": opendata.DCATMediaTypes["rdf"],
}

// catalogFormat picks the representation: ?f= wins, else Accept (harvesters
// such as ckanext-dcat ask for RDF by media type), else JSON.
func catalogFormat(r *http.Request) (string, error) {
	if f := strings.ToLower(r.URL.Query().Get("f")); f != "" {
		if f == "turtle" {
			f = "ttl"
		}
		if f == "json-ld" {
			f = "jsonld"
		}
		if _, ok := catalogFormats[f]; !ok {
			return "", badParam("f", "unsupported format %q; use one of %s", f, strings.Join(sortedFormatNames(), ", "))
		}
		return f, nil
	}
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		mt := strings.TrimSpace(strings.SplitN(part, ";", 2)[0])
		switch mt {
		case "text/html", "application/xhtml+xml":
			return "html", nil
		case "application/ld+json":
			return "jsonld", nil
		case "text/turtle":
			return "ttl", nil
		case "application/rdf+xml":
			return "rdf", nil
		case "text/csv":
			return "csv", nil
		case "application/xml", "text/xml":
			return "xml", nil
		case catalogFormats["xlsx"]:
			return "xlsx", nil
		case "application/json", "*/*":
			return "json", nil
		}
	}
	return "json", nil
}

func sortedFormatNames() []string {
	var names []string
	for n := range catalogFormats {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// catalogView is the catalogue page.
type catalogView struct {
	Filter   opendata.Filter
	Entries  []opendata.Entry
	Total    int
	Themes   []opendata.Code
	Agencies []opendata.Agency
	Exports  []exportLink
	Recent   int
}

type exportLink struct {
	Label, Href string
}

// catalogPage is /catalog in every format; q, theme and agency filter it.
func (s *Server) catalogPage(w http.ResponseWriter, r *http.Request) error {
	if err := checkParams(r, "f", "q", "theme", "agency", "lang"); err != nil {
		return err
	}
	f, err := catalogFormat(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	filter := opendata.Filter{Query: q.Get("q"), Theme: q.Get("theme"), Agency: q.Get("agency")}
	if filter.Agency != "" {
		if _, ok := s.cat.Region.AgencyHistory().Get(filter.Agency); !ok {
			return badParam("agency", "unknown agency %q; see /agencies", filter.Agency)
		}
	}
	base := s.baseURL(r)
	all, err := s.entries(r.Context(), base)
	if err != nil {
		return s.unavailable(err)
	}
	if filter.Theme != "" && !s.knownTheme(r.Context(), filter.Theme) {
		return badParam("theme", "unknown theme code %q (EU data themes: EDUC, TRAN, TECH, …)", filter.Theme)
	}
	entries := filter.Select(all)
	doc := opendata.NewCatalog(base, s.cat.Region, today(), entries)
	w.Header().Set("Content-Type", catalogFormats[f])
	w.Header().Add("Vary", "Accept")
	w.Header().Set("Cache-Control", "public, max-age=60")
	switch f {
	case "html":
		return s.render(w, r, "catalog.html", pageData{Title: "Danh mục dữ liệu mở", Data: s.catalogView(r, filter, all, entries)})
	case "json":
		return opendata.WriteJSON(w, doc)
	case "xml":
		return opendata.WriteXML(w, doc)
	case "csv":
		w.Header().Set("Content-Disposition", `attachment; filename="danh-muc-du-lieu-mo.csv"`)
		return opendata.WriteTemplateCSV(w, entries)
	case "xlsx":
		w.Header().Set("Content-Disposition", `attachment; filename="danh-muc-du-lieu-mo.xlsx"`)
		return opendata.WriteTemplateXLSX(w, doc)
	}
	return opendata.WriteDCAT(w, doc, f)
}

// knownTheme reports whether code is a theme of the vocabulary (true when the
// vocabulary cannot be read: the filter then simply matches nothing).
func (s *Server) knownTheme(ctx context.Context, code string) bool {
	v, err := s.vocabularies(ctx)
	if err != nil {
		return true
	}
	_, ok := v.Themes[code]
	return ok
}

func (s *Server) catalogView(r *http.Request, filter opendata.Filter, all, entries []opendata.Entry) catalogView {
	v := catalogView{Filter: filter, Entries: entries, Total: len(all), Themes: opendata.Themes(all), Recent: catalog.RecentDays}
	seen := map[string]bool{}
	for _, e := range all {
		if !seen[e.Agency.ID] {
			seen[e.Agency.ID] = true
			v.Agencies = append(v.Agencies, e.Agency)
		}
	}
	sort.Slice(v.Agencies, func(i, j int) bool { return v.Agencies[i].Name < v.Agencies[j].Name })
	q := r.URL.Query()
	for _, x := range []struct{ label, f string }{
		{"CSV (biểu mẫu)", "csv"}, {"Excel (biểu mẫu)", "xlsx"}, {"JSON", "json"}, {"XML", "xml"},
		{"DCAT JSON-LD", "jsonld"}, {"DCAT Turtle", "ttl"}, {"DCAT RDF/XML", "rdf"},
	} {
		p := withFormat(q, x.f)
		for _, k := range []string{"q", "theme", "agency"} {
			if p.Get(k) == "" {
				p.Del(k)
			}
		}
		v.Exports = append(v.Exports, exportLink{Label: x.label, Href: "/catalog?" + p.Encode()})
	}
	return v
}

// unavailable logs err and answers 503: the request needs the database, which
// does not answer.
func (s *Server) unavailable(err error) error {
	s.log.Warn("database needed but not answering", "err", err)
	return &Error{Status: http.StatusServiceUnavailable, Code: "Unavailable",
		Description: "the database does not answer; try again shortly / cơ sở dữ liệu tạm thời không trả lời, vui lòng thử lại sau"}
}

// whenText writes an instant as the region's local date and time: 26/11/2026 15:04.
func whenText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(catalog.Zone).Format("02/01/2006 15:04")
}

// labels are the Vietnamese words for the codes pages show.
var labels = map[string]string{
	store.FeedbackDataset: "Góp ý về tập dữ liệu", store.FeedbackFeature: "Góp ý về một đối tượng",
	store.FeedbackRequest: "Đề nghị mở dữ liệu mới",
	store.FeedbackOpen:    "Chưa trả lời", store.FeedbackAnswered: "Đã trả lời", store.FeedbackClosed: "Đã đóng",
	catalog.ChangeRename: "đổi tên thành", catalog.ChangeMerge: "hợp nhất vào", catalog.ChangeSplit: "chuyển chức năng sang",
	catalog.ChangeDissolve: "kết thúc hoạt động",
	"department":           "Sở, ngành", "peoples-committee": "UBND cấp huyện", "other": "Đơn vị khác",
}

// labelText is the Vietnamese word for a code, or the code itself.
func labelText(code string) string {
	if l, ok := labels[code]; ok {
		return l
	}
	return code
}
