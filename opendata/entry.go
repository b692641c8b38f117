// Package opendata is the province's open-data catalogue as documents: one Entry
// per dataset with the fields of the official template and of DCAT-AP, written
// as the template (CSV, XLSX), JSON, XML and DCAT-AP (JSON-LD, Turtle, RDF/XML),
// and the yearly report (Markdown, XLSX). It may import geo, catalog and store
// (for their types); never handlers, pgx or net/http.
//
//	entries := []opendata.Entry{opendata.NewEntry(col, ctx)}
//	cat := opendata.Catalog{Title: …, Entries: entries}
//	err := opendata.WriteTurtle(w, cat.Graph())
package opendata

import (
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/vn-opendata/geodata/catalog"
	"github.com/vn-opendata/geodata/geo"
	"github.com/vn-opendata/geodata/store"
)

// Agency names an agency in a document.
type Agency struct {
	ID     string `json:"id" xml:"id,attr"`
	Name   string `json:"name" xml:"name"`
	NameEn string `json:"name_en,omitempty" xml:"nameEn,omitempty"`
}

// Contact is a dataset's contact point.
type Contact struct {
	Name  string `json:"name" xml:"name"`
	Email string `json:"email,omitempty" xml:"email,omitempty"`
	Phone string `json:"phone,omitempty" xml:"phone,omitempty"`
}

// Code is a coded value with its URI and names (a frequency, a theme, a licence).
type Code struct {
	Code   string `json:"code" xml:"code,attr"`
	URI    string `json:"uri" xml:"uri,attr"`
	NameVi string `json:"name" xml:"name"`
	NameEn string `json:"name_en,omitempty" xml:"nameEn,omitempty"`
}

// Distribution is one way to get a dataset: a download (with its size and
// checksum) or the API.
type Distribution struct {
	Format      string `json:"format" xml:"format,attr"` // geojson, csv, kml, gpkg, api
	Title       string `json:"title" xml:"title"`
	MediaType   string `json:"media_type" xml:"mediaType"`
	FileType    string `json:"file_type" xml:"fileType"` // EU file-type code
	CRS         string `json:"crs,omitempty" xml:"crs,omitempty"`
	AccessURL   string `json:"access_url" xml:"accessURL"`                         // stable: always the current version
	DownloadURL string `json:"download_url,omitempty" xml:"downloadURL,omitempty"` // this version's file
	Version     int64  `json:"version,omitempty" xml:"version,omitempty"`
	Size        int64  `json:"size,omitempty" xml:"size,omitempty"`
	SHA256      string `json:"sha256,omitempty" xml:"sha256,omitempty"`
}

// Entry is one dataset of the catalogue.
type Entry struct {
	ID             string         `json:"id" xml:"id,attr"`
	No             int            `json:"tt" xml:"tt"` // TT of the template
	Title          string         `json:"title" xml:"title"`
	TitleEn        string         `json:"title_en,omitempty" xml:"titleEn,omitempty"`
	Description    string         `json:"description" xml:"description"`
	Agency         Agency         `json:"agency" xml:"agency"`                                // answering today
	PublishedBy    *Agency        `json:"published_by,omitempty" xml:"publishedBy,omitempty"` // when it has passed to a successor
	FirstPublished string         `json:"first_published,omitempty" xml:"firstPublished,omitempty"`
	Frequency      Code           `json:"frequency" xml:"frequency"`
	Notes          string         `json:"notes,omitempty" xml:"notes,omitempty"`
	Theme          *Code          `json:"theme,omitempty" xml:"theme,omitempty"`
	License        Code           `json:"license" xml:"license"`
	Attribution    string         `json:"attribution,omitempty" xml:"attribution,omitempty"`
	Keywords       []string       `json:"keywords" xml:"keywords>keyword"`
	Contact        Contact        `json:"contact" xml:"contact"`
	BBox           []float64      `json:"bbox,omitempty" xml:"bbox>coord,omitempty"` // minlon, minlat, maxlon, maxlat
	TemporalStart  string         `json:"temporal_start,omitempty" xml:"temporalStart,omitempty"`
	TemporalEnd    string         `json:"temporal_end,omitempty" xml:"temporalEnd,omitempty"`
	GeometryType   string         `json:"geometry_type,omitempty" xml:"geometryType,omitempty"`
	FeatureCount   int64          `json:"feature_count" xml:"featureCount"`
	Version        int64          `json:"version" xml:"version"`
	Modified       time.Time      `json:"modified" xml:"modified"`
	Stale          bool           `json:"stale" xml:"stale"`
	LandingPage    string         `json:"landing_page" xml:"landingPage"`
	MapURL         string         `json:"map_url" xml:"mapURL"`
	FeedbackURL    string         `json:"feedback_url" xml:"feedbackURL"`
	Distributions  []Distribution `json:"distributions" xml:"distributions>distribution"`
	Usage          *Usage         `json:"usage,omitempty" xml:"usage,omitempty"`
}

// Usage is a dataset's request counts per kind, since the start and recently.
type Usage struct {
	All    Counts `json:"all" xml:"all"`
	Recent Counts `json:"recent" xml:"recent"` // last catalog.RecentDays days
}

// Counts are request counts by kind.
type Counts struct {
	Items     int64 `json:"items" xml:"items,attr"`
	Downloads int64 `json:"downloads" xml:"downloads,attr"`
	Tiles     int64 `json:"tiles" xml:"tiles,attr"`
}

// Context is what turns a stored collection into an Entry.
type Context struct {
	Base     string // public base URL of the service
	Agencies *catalog.Agencies
	Vocab    store.Vocabularies
	Today    time.Time // a catalog.Day
	History  []time.Time
}

// NewEntry describes collection c as a catalogue entry, without distributions:
// the agency is the one answering today for the one that published it, the
// frequency, theme and licence are resolved through the vocabularies, and the
// entry is stale when not updated within its frequency.
func NewEntry(c store.Collection, x Context) Entry {
	esc := url.PathEscape(c.ID)
	e := Entry{
		ID: c.ID, No: c.CatalogNo, Title: c.Title, TitleEn: c.TitleEn, Description: c.Description,
		FirstPublished: c.FirstPublished, Notes: c.Notes, Attribution: c.LicenseAttribution,
		Keywords: append([]string{}, c.Keywords...), TemporalStart: c.TemporalStart, TemporalEnd: c.TemporalEnd,
		GeometryType: c.GeometryType, FeatureCount: c.FeatureCount, Version: c.Version, Modified: c.UpdatedAt.UTC(),
		Distributions: []Distribution{},
		LandingPage:   x.Base + "/collections/" + esc + "?f=html",
		MapURL:        x.Base + "/map#collection=" + url.QueryEscape(c.ID),
		FeedbackURL:   x.Base + "/feedback?f=html&collection=" + url.QueryEscape(c.ID),
	}
	if c.Extent != nil {
		e.BBox = c.Extent[:]
	}
	e.Agency, e.PublishedBy = agencyOf(c.AgencyID, x)
	f := x.Vocab.Frequencies[c.Frequency]
	e.Frequency = Code{Code: c.Frequency, URI: f.URI, NameVi: f.NameVi, NameEn: f.NameEn}
	if th, ok := x.Vocab.Themes[c.Theme]; ok {
		e.Theme = &Code{Code: th.Code, URI: th.URI, NameVi: th.NameVi, NameEn: th.NameEn}
	}
	l := x.Vocab.Licenses[c.LicenseURI]
	e.License = Code{Code: l.Code, URI: c.LicenseURI, NameVi: l.Title, NameEn: l.Title}
	e.Contact = Contact{Name: c.Contact, Email: c.ContactEmail, Phone: c.ContactPhone}
	if e.Contact.Name == "" {
		e.Contact.Name = e.Agency.Name
	}
	facts := catalog.Facts([]store.Collection{c}, nil, x.Vocab.Frequencies)[0]
	if len(x.History) > 0 {
		facts.Updates = x.History
	}
	e.Stale = facts.StaleOn(x.Today)
	return e
}

// agencyOf is the agency answering today for the one that published the
// dataset, and the publisher itself when they differ.
func agencyOf(id string, x Context) (Agency, *Agency) {
	if x.Agencies == nil || id == "" {
		return Agency{ID: id, Name: id}, nil
	}
	ref := func(id string) Agency {
		a, _ := x.Agencies.Get(id)
		return Agency{ID: id, Name: x.Agencies.Name(id), NameEn: a.NameEn}
	}
	now, ok := x.Agencies.ResponsibleOn(id, x.Today)
	if !ok {
		return ref(id), nil
	}
	if now == id {
		return ref(id), nil
	}
	was := ref(id)
	return ref(now), &was
}

// Filter selects entries: q matches the folded title, description, keywords and
// agency names (accent- and case-insensitive, every word); theme and agency
// match codes (an agency matches the datasets it answers for or published).
type Filter struct {
	Query  string
	Theme  string
	Agency string
}

// Match reports whether e passes the filter.
func (f Filter) Match(e Entry) bool {
	if f.Theme != "" && (e.Theme == nil || e.Theme.Code != f.Theme) {
		return false
	}
	if f.Agency != "" && e.Agency.ID != f.Agency && (e.PublishedBy == nil || e.PublishedBy.ID != f.Agency) {
		return false
	}
	if strings.TrimSpace(f.Query) == "" {
		return true
	}
	text := geo.Fold(strings.Join(append([]string{e.ID, e.Title, e.TitleEn, e.Description, e.Notes, e.Agency.Name,
		publishedByName(e)}, e.Keywords...), " "))
	for _, w := range strings.Fields(geo.Fold(f.Query)) {
		if !strings.Contains(text, w) {
			return false
		}
	}
	return true
}

func publishedByName(e Entry) string {
	if e.PublishedBy == nil {
		return ""
	}
	return e.PublishedBy.Name
}

// Select returns the entries passing f, in order.
func (f Filter) Select(entries []Entry) []Entry {
	out := make([]Entry, 0, len(entries))
	for _, e := range entries {
		if f.Match(e) {
			out = append(out, e)
		}
	}
	return out
}

// Number gives entries without a catalogue number (TT) the numbers after the
// highest one, in order, so that the template has no empty TT.
func Number(entries []Entry) {
	next := 0
	for _, e := range entries {
		next = max(next, e.No)
	}
	for i := range entries {
		if entries[i].No == 0 {
			next++
			entries[i].No = next
		}
	}
}

// Themes lists the distinct themes of entries, by name.
func Themes(entries []Entry) []Code {
	seen := map[string]Code{}
	for _, e := range entries {
		if e.Theme != nil {
			seen[e.Theme.Code] = *e.Theme
		}
	}
	out := make([]Code, 0, len(seen))
	for _, c := range seen {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].NameVi < out[j].NameVi })
	return out
}
