package handlers

import (
	"bytes"
	"encoding/json"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/vn-opendata/geodata/catalog"
	"github.com/vn-opendata/geodata/opendata"
)

// pageData is what every HTML page template receives.
type pageData struct {
	Title   string
	Base    string
	Region  *catalog.Region
	Error   *Error
	Data    any // the page's own content
	Scripts []string
	Lang    string // "vi" (default) or "en"
	// OtherLang is this page in the other language.
	OtherLang string
}

// T picks the text of the page's language: pages are Vietnamese, with English
// for visitors who switch (lang=en).
func (p pageData) T(vi, en string) string {
	if p.Lang == "en" {
		return en
	}
	return vi
}

// Href is the public URL of a page of the service in this page's language:
// path (with its own query, if any) under the base URL, as HTML.
func (p pageData) Href(path string) string {
	u, err := url.Parse(path)
	if err != nil {
		return p.Base + path
	}
	q := u.Query()
	if q.Get("f") == "" {
		q.Set("f", "html")
	}
	if p.Lang == "en" {
		q.Set("lang", "en")
	}
	return p.Base + u.EscapedPath() + "?" + q.Encode()
}

// URL is the public URL of a resource of the service, as it is (for JSON and
// CSV links).
func (p pageData) URL(path string) string { return p.Base + path }

var templateFuncs = template.FuncMap{
	// esc escapes a path segment (feature ids may hold any character).
	"esc": url.PathEscape,
	// json serializes a value for a <script type="application/json"> block; the
	// encoder escapes <, > and &, so the block cannot be closed from inside.
	"json": func(v any) (template.JS, error) {
		b, err := json.Marshal(v)
		return template.JS(b), err
	},
	"size":    opendata.SizeText,
	"day":     opendata.DayText,
	"percent": opendata.PercentText,
	"when":    whenText,
	"label":   labelText,
	"isTrue":  func(b *bool) bool { return b != nil && *b },
}

// pageLang reads the lang parameter.
func pageLang(r *http.Request) string {
	if r.URL.Query().Get("lang") == "en" {
		return "en"
	}
	return "vi"
}

// inLang picks the text of the request's page language.
func inLang(r *http.Request, vi, en string) string {
	return pageData{Lang: pageLang(r)}.T(vi, en)
}

// checkLang refuses a lang parameter other than vi or en.
func checkLang(r *http.Request) error {
	if v, ok := r.URL.Query()["lang"]; ok && (len(v) != 1 || (v[0] != "vi" && v[0] != "en")) {
		return badParam("lang", "%q: use vi or en", strings.Join(v, ","))
	}
	return nil
}

// render executes a page template into a buffer first, so a template error
// becomes a clean 500 instead of half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, name string, d pageData) error {
	d.Base = s.baseURL(r)
	d.Region = s.cat.Region
	d.Lang = pageLang(r)
	other := r.URL.Query()
	if d.Lang == "en" {
		other.Del("lang")
	} else {
		other.Set("lang", "en")
	}
	d.OtherLang = withQuery(d.Base, r.URL.Path, other)
	var buf bytes.Buffer
	if err := s.pages.ExecuteTemplate(&buf, name, d); err != nil {
		return err
	}
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
	}
	w.Header().Set("Content-Language", d.Lang)
	_, err := w.Write(buf.Bytes())
	return err
}
