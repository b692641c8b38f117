package handlers

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"time"

	"github.com/gorilla/mux"

	"github.com/vn-opendata/geodata/catalog"
	"github.com/vn-opendata/geodata/opendata"
	"github.com/vn-opendata/geodata/store"
)

// agencyDoc is an agency with what it answers for today.
type agencyDoc struct {
	store.Agency
	Active        bool         `json:"active"` // exists today
	SuccessorName string       `json:"successor_name,omitempty"`
	Datasets      []datasetRef `json:"datasets"`  // answered for today
	Published     []datasetRef `json:"published"` // published by it, now answered for by a successor
	Href          string       `json:"href"`
}

// datasetRef is a dataset in the agencies document.
type datasetRef struct {
	ID         string `json:"id"`
	Title      string `json:"title"`
	Frequency  string `json:"frequency"`
	LastUpdate string `json:"last_update,omitempty"` // YYYY-MM-DD
	MaxDays    int    `json:"max_days,omitempty"`
	Overdue    int    `json:"overdue_days,omitempty"` // days past the frequency's limit
	Stale      bool   `json:"stale"`
	Agency     string `json:"agency"` // answering today
	Href       string `json:"href"`
}

// agenciesDoc is /agencies: every agency, the coverage per year and stale datasets.
type agenciesDoc struct {
	Today    string                   `json:"today"`
	Targets  []catalog.CoverageTarget `json:"targets"`
	Coverage []catalog.YearCoverage   `json:"coverage"`
	Agencies []agencyDoc              `json:"agencies"`
	Stale    []datasetRef             `json:"stale"`
	Links    []link                   `json:"links"`
}

// agenciesDocument builds /agencies from the snapshots, the version history and
// the region's agency history, as of today.
func (s *Server) agenciesDocument(ctx context.Context, base string) (agenciesDoc, error) {
	vocab, err := s.vocabularies(ctx)
	if err != nil {
		return agenciesDoc{}, err
	}
	now := today()
	region := s.cat.Region
	ag := region.AgencyHistory()
	days := s.versionDays(ctx)
	var cols []store.Collection
	for _, snap := range s.cat.Snapshots() {
		cols = append(cols, snap.Collection)
	}
	facts := catalog.Facts(cols, nil, vocab.Frequencies)
	for i := range facts {
		if d, ok := days[facts[i].ID]; ok {
			facts[i].Updates = d
		}
	}
	doc := agenciesDoc{Today: now.Format(time.DateOnly), Targets: region.CoverageTargets,
		Coverage: []catalog.YearCoverage{}, Agencies: []agencyDoc{}, Stale: []datasetRef{},
		Links: []link{
			{Href: base + "/agencies", Rel: "self", Type: mediaJSON},
			{Href: base + "/agencies?f=html", Rel: "alternate", Type: mediaHTML},
			{Href: base + "/catalog", Rel: "related", Type: mediaJSON, Title: "Catalogue"},
		}}
	for _, y := range coverageYears(region.CoverageTargets, now) {
		doc.Coverage = append(doc.Coverage, catalog.Coverage(ag, facts, y, now, region.CoverageTargets))
	}
	refs := map[string][]datasetRef{}      // answering agency → datasets
	published := map[string][]datasetRef{} // publishing agency → datasets passed on
	for _, f := range facts {
		ref := datasetRef{ID: f.ID, Title: f.Title, Frequency: vocab.Frequencies[f.Frequency].NameVi, MaxDays: f.MaxDays,
			Stale: f.StaleOn(now), Href: base + "/collections/" + url.PathEscape(f.ID) + "?f=html"}
		if last, ok := f.LastUpdateOn(now); ok {
			ref.LastUpdate = last.Format(time.DateOnly)
			if ref.Stale {
				ref.Overdue = catalog.Days(last, now) - f.MaxDays
			}
		}
		who, ok := ag.ResponsibleOn(f.AgencyID, now)
		if !ok {
			who = f.AgencyID
		}
		ref.Agency = ag.Name(who)
		refs[who] = append(refs[who], ref)
		if who != f.AgencyID {
			published[f.AgencyID] = append(published[f.AgencyID], ref)
		}
		if ref.Stale {
			doc.Stale = append(doc.Stale, ref)
		}
	}
	sort.Slice(doc.Stale, func(i, j int) bool { return doc.Stale[i].Overdue > doc.Stale[j].Overdue })
	for _, a := range ag.List() { // today's agencies first, then the former ones, each in profile order
		d := agencyDoc{Agency: a, Active: ag.ExistedOn(a.ID, now), Datasets: nonNil(refs[a.ID]), Published: nonNil(published[a.ID]),
			Href: base + "/agencies/" + url.PathEscape(a.ID)}
		if a.SuccessorID != "" {
			d.SuccessorName = ag.Name(a.SuccessorID)
		}
		doc.Agencies = append(doc.Agencies, d)
	}
	sort.SliceStable(doc.Agencies, func(i, j int) bool { return doc.Agencies[i].Active && !doc.Agencies[j].Active })
	return doc, nil
}

func nonNil(refs []datasetRef) []datasetRef {
	if refs == nil {
		return []datasetRef{}
	}
	return refs
}

// coverageYears are the plan's target years and every year since, up to this one.
func coverageYears(targets []catalog.CoverageTarget, now time.Time) []int {
	first, last := now.Year(), now.Year()
	for _, t := range targets {
		first = min(first, t.Year)
		last = max(last, t.Year)
	}
	var out []int
	for y := first; y <= last && y <= now.Year(); y++ {
		out = append(out, y)
	}
	return out
}

func (s *Server) agencies(w http.ResponseWriter, r *http.Request) error {
	if err := checkParams(r, "f", "lang"); err != nil {
		return err
	}
	repr, err := negotiate(r, reprJSON, reprHTML)
	if err != nil {
		return err
	}
	f := repr.F
	doc, err := s.agenciesDocument(r.Context(), s.baseURL(r))
	if err != nil {
		return s.unavailable(err)
	}
	w.Header().Set("Cache-Control", "public, max-age=60")
	if f == "html" {
		return s.render(w, r, "agencies.html", pageData{Title: "Đơn vị cung cấp dữ liệu",
			Data: agenciesView{Doc: doc, Chart: coverageChart(doc.Coverage)}})
	}
	return writeJSON(w, mediaJSON, doc)
}

func (s *Server) agency(w http.ResponseWriter, r *http.Request) error {
	if err := checkParams(r, "f", "lang"); err != nil {
		return err
	}
	repr, err := negotiate(r, reprJSON, reprHTML)
	if err != nil {
		return err
	}
	f := repr.F
	id := mux.Vars(r)["agencyId"]
	doc, err := s.agenciesDocument(r.Context(), s.baseURL(r))
	if err != nil {
		return s.unavailable(err)
	}
	for _, a := range doc.Agencies {
		if a.ID != id {
			continue
		}
		if f == "html" {
			return s.render(w, r, "agency.html", pageData{Title: a.Name, Data: a})
		}
		return writeJSON(w, mediaJSON, a)
	}
	return notFound("agency %q does not exist / không có đơn vị này", id)
}

// agenciesView is the agencies page: the document and its chart.
type agenciesView struct {
	Doc   agenciesDoc
	Chart chartView
}

// chartView is the coverage chart, laid out here and drawn as SVG by the
// template: per year a bar for the share of agencies with open data, one for
// those with up-to-date data, and the year's target as a line.
type chartView struct {
	Width, Height, Left, Bottom, Top float64
	Grid                             []chartGrid
	Years                            []chartYear
}

type chartGrid struct {
	Y     float64
	Label string
}

type chartYear struct {
	Label, Caption    string
	X, LabelX         float64
	Open, Fresh       chartBar
	HasTarget         bool
	TargetY, TargetX1 float64
	TargetX2          float64
	TargetLabel       string
	Met               bool
}

type chartBar struct {
	X, Y, W, H float64
	Label      string
}

func coverageChart(years []catalog.YearCoverage) chartView {
	c := chartView{Width: 640, Height: 280, Left: 48, Top: 20, Bottom: 230}
	plot := c.Bottom - c.Top
	y := func(percent float64) float64 { return c.Bottom - plot*percent/100 }
	for p := 0; p <= 100; p += 25 {
		c.Grid = append(c.Grid, chartGrid{Y: y(float64(p)), Label: fmt.Sprintf("%d %%", p)})
	}
	if len(years) == 0 {
		return c
	}
	group := (c.Width - c.Left - 10) / float64(len(years))
	bar := group * 0.3
	for i, yc := range years {
		x := c.Left + group*float64(i) + group*0.15
		cy := chartYear{Label: fmt.Sprint(yc.Year), X: x, LabelX: x + bar,
			Open:  chartBar{X: x, Y: y(yc.Percent), W: bar, H: plot * yc.Percent / 100, Label: opendata.PercentText(yc.Percent)},
			Fresh: chartBar{X: x + bar + 4, Y: y(yc.PercentUpToDate), W: bar, H: plot * yc.PercentUpToDate / 100, Label: opendata.PercentText(yc.PercentUpToDate)}}
		if !yc.Final {
			cy.Caption = "đến " + opendata.DayText(yc.AsOf)
		}
		if yc.Target != nil {
			cy.HasTarget, cy.TargetY, cy.TargetX1, cy.TargetX2 = true, y(yc.Target.Percent), x-4, x+2*bar+8
			cy.TargetLabel, cy.Met = "chỉ tiêu "+yc.Target.Label(), *yc.Met
		}
		c.Years = append(c.Years, cy)
	}
	return c
}
