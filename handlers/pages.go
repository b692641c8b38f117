package handlers

import (
	"bytes"
	"encoding/json"
	"html/template"
	"net/http"

	"github.com/vn-opendata/geodata/opendata"
)

// pageData is what every HTML page template receives.
type pageData struct {
	Title   string
	Base    string
	Region  any
	Error   *Error
	Data    any // the page's own content
	JSON    any // serialized into the page for its script
	Scripts []string
}

var templateFuncs = template.FuncMap{
	// json serializes a value for a <script type="application/json"> block.
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

// render executes a page template into a buffer first, so a template error
// becomes a clean 500 instead of half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, name string, d pageData) error {
	d.Base = s.baseURL(r)
	d.Region = s.cat.Region
	var buf bytes.Buffer
	if err := s.pages.ExecuteTemplate(&buf, name, d); err != nil {
		return err
	}
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
	}
	_, err := w.Write(buf.Bytes())
	return err
}
