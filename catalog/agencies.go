package catalog

import (
	"fmt"
	"sort"
	"time"

	"github.com/vn-opendata/geodata/store"
)

// Zone is the region's civil time (Vietnam, UTC+7, no daylight saving): the day a
// version was published, the day a request was counted and the year of a report
// are days of this zone. A fixed zone needs no tzdata on the server.
var Zone = time.FixedZone("ICT", zoneOffset)

// Day is the civil date of t in Zone, as midnight UTC of that date, so that days
// compare with Before/Equal and subtract to whole days.
func Day(t time.Time) time.Time {
	y, m, d := t.In(Zone).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// ParseDay reads a YYYY-MM-DD date as a Day.
func ParseDay(s string) (time.Time, error) {
	return time.Parse(time.DateOnly, s)
}

// Days is the number of whole days from a to b (both Days).
func Days(a, b time.Time) int { return int(b.Sub(a).Hours() / 24) }

// Change kinds of an agency that ended (store.Agency.Change).
const (
	ChangeRename   = "rename"
	ChangeMerge    = "merge"
	ChangeSplit    = "split"
	ChangeDissolve = "dissolve"
)

// Agencies is the history of the region's providing agencies: which existed on a
// given day and which took over whose datasets when one was renamed or merged.
type Agencies struct {
	list  []store.Agency
	byID  map[string]int
	from  map[string]time.Time // valid_from, absent when open
	to    map[string]time.Time // valid_to, absent when open
	preds map[string][]string  // successor id → ids of the agencies that passed to it
}

// NewAgencies indexes an agency list (for example Region.Agencies). It refuses
// unknown successors, bad dates, successor cycles and unknown change kinds.
func NewAgencies(list []store.Agency) (*Agencies, error) {
	a := &Agencies{list: list, byID: map[string]int{}, from: map[string]time.Time{}, to: map[string]time.Time{},
		preds: map[string][]string{}}
	for i, ag := range list {
		if _, dup := a.byID[ag.ID]; dup {
			return nil, fmt.Errorf("agency %s listed twice", ag.ID)
		}
		a.byID[ag.ID] = i
		for _, d := range []struct {
			value string
			into  map[string]time.Time
		}{{ag.ValidFrom, a.from}, {ag.ValidTo, a.to}} {
			if d.value == "" {
				continue
			}
			day, err := ParseDay(d.value)
			if err != nil {
				return nil, fmt.Errorf("agency %s: date %q: want YYYY-MM-DD", ag.ID, d.value)
			}
			d.into[ag.ID] = day
		}
		if f, ok := a.from[ag.ID]; ok {
			if t, ok := a.to[ag.ID]; ok && t.Before(f) {
				return nil, fmt.Errorf("agency %s: valid_to %s before valid_from %s", ag.ID, ag.ValidTo, ag.ValidFrom)
			}
		}
	}
	for _, ag := range list {
		if err := a.checkChange(ag); err != nil {
			return nil, err
		}
		if ag.SuccessorID != "" {
			a.preds[ag.SuccessorID] = append(a.preds[ag.SuccessorID], ag.ID)
		}
	}
	for _, ag := range list {
		seen := map[string]bool{}
		for id := ag.ID; id != ""; id = list[a.byID[id]].SuccessorID {
			if seen[id] {
				return nil, fmt.Errorf("agency %s: successors form a cycle", ag.ID)
			}
			seen[id] = true
		}
	}
	return a, nil
}

func (a *Agencies) checkChange(ag store.Agency) error {
	switch ag.Change {
	case "", ChangeRename, ChangeMerge, ChangeSplit, ChangeDissolve:
	default:
		return fmt.Errorf("agency %s: change %q: want rename, merge, split or dissolve", ag.ID, ag.Change)
	}
	if ag.SuccessorID == "" {
		if ag.Change != "" && ag.Change != ChangeDissolve {
			return fmt.Errorf("agency %s: a %s needs a successor", ag.ID, ag.Change)
		}
		return nil
	}
	if _, ok := a.byID[ag.SuccessorID]; !ok {
		return fmt.Errorf("agency %s: successor %s is not in the list", ag.ID, ag.SuccessorID)
	}
	if ag.ValidTo == "" {
		return fmt.Errorf("agency %s: a successor needs the date it took over (valid_to)", ag.ID)
	}
	if ag.Change == ChangeDissolve {
		return fmt.Errorf("agency %s: dissolved but has a successor", ag.ID)
	}
	return nil
}

// List is every agency, in profile order.
func (a *Agencies) List() []store.Agency { return a.list }

// Get returns the agency id.
func (a *Agencies) Get(id string) (store.Agency, bool) {
	i, ok := a.byID[id]
	if !ok {
		return store.Agency{}, false
	}
	return a.list[i], true
}

// Name is the agency's name, or the id itself when it is unknown.
func (a *Agencies) Name(id string) string {
	if ag, ok := a.Get(id); ok {
		return ag.Name
	}
	return id
}

// ExistedOn reports whether agency id existed on day (valid_from and valid_to
// are both inclusive).
func (a *Agencies) ExistedOn(id string, day time.Time) bool {
	if _, ok := a.byID[id]; !ok {
		return false
	}
	if f, ok := a.from[id]; ok && day.Before(f) {
		return false
	}
	if t, ok := a.to[id]; ok && day.After(t) {
		return false
	}
	return true
}

// Ended is the last day of agency id, if it has one.
func (a *Agencies) Ended(id string) (time.Time, bool) {
	t, ok := a.to[id]
	return t, ok
}

// ResponsibleOn is the agency answering on day for a dataset published by agency
// id: id itself while it exists, its successor (and theirs) after it ended, and
// its predecessor before it began when that predecessor is unambiguous (a rename,
// or the one agency merged into a new one). It returns false when nobody was:
// the agency was dissolved, or did not exist yet and had several predecessors.
func (a *Agencies) ResponsibleOn(id string, day time.Time) (string, bool) {
	if _, ok := a.byID[id]; !ok {
		return "", false
	}
	for steps := 0; steps <= len(a.list); steps++ {
		if a.ExistedOn(id, day) {
			return id, true
		}
		if t, ok := a.to[id]; ok && day.After(t) {
			next := a.list[a.byID[id]].SuccessorID
			if next == "" {
				return "", false
			}
			id = next
			continue
		}
		preds := a.preds[id]
		if len(preds) != 1 {
			return "", false
		}
		id = preds[0]
	}
	return "", false
}

// Predecessors lists the agencies whose datasets passed to id, directly or
// through other agencies, oldest change last.
func (a *Agencies) Predecessors(id string) []string {
	var out []string
	queue := append([]string(nil), a.preds[id]...)
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		out = append(out, p)
		queue = append(queue, a.preds[p]...)
	}
	return out
}

// CoverageTarget is a yearly target of the plan: the share of agencies that
// provide at least one open dataset ("more than 70 %" is Percent 70, Strict).
type CoverageTarget struct {
	Year    int     `json:"year"`
	Percent float64 `json:"percent"`
	Strict  bool    `json:"strict,omitempty"`
}

// Met reports whether n agencies out of total reach the target (exactly, not
// after rounding the share).
func (t CoverageTarget) Met(n, total int) bool {
	if total == 0 {
		return false
	}
	if t.Strict {
		return float64(100*n) > t.Percent*float64(total)
	}
	return float64(100*n) >= t.Percent*float64(total)
}

// Label is the target as the plan writes it, in Vietnamese: "> 70 %", "100 %".
func (t CoverageTarget) Label() string {
	if t.Strict {
		return fmt.Sprintf("> %g %%", t.Percent)
	}
	return fmt.Sprintf("%g %%", t.Percent)
}

// DatasetFacts is what coverage and freshness need to know of a dataset.
type DatasetFacts struct {
	ID        string
	Title     string
	AgencyID  string      // the agency that published it
	Frequency string      // EU frequency code
	Published time.Time   // Day first provided; zero: unknown (then the first update counts)
	Updates   []time.Time // Days of its versions, ascending
	MaxDays   int         // days after which it is stale (from its frequency); 0: never
}

// PublishedOn reports whether the dataset was open on day.
func (d DatasetFacts) PublishedOn(day time.Time) bool {
	first := d.Published
	if first.IsZero() && len(d.Updates) > 0 {
		first = d.Updates[0]
	}
	return !first.IsZero() && !first.After(day)
}

// LastUpdateOn is the last day on or before day the dataset was provided or updated.
func (d DatasetFacts) LastUpdateOn(day time.Time) (time.Time, bool) {
	var last time.Time
	if !d.Published.IsZero() && !d.Published.After(day) {
		last = d.Published
	}
	for _, u := range d.Updates {
		if u.After(day) {
			break
		}
		if u.After(last) {
			last = u
		}
	}
	return last, !last.IsZero()
}

// StaleOn reports whether the dataset, published by day, was not updated within
// its declared frequency on day; never for frequencies without a limit.
func (d DatasetFacts) StaleOn(day time.Time) bool {
	if d.MaxDays <= 0 || !d.PublishedOn(day) {
		return false
	}
	last, ok := d.LastUpdateOn(day)
	return !ok || Days(last, day) > d.MaxDays
}

// AgencyCoverage is one agency in a year's coverage: the open datasets it was
// responsible for on the reference day, and which of them were up to date.
type AgencyCoverage struct {
	Agency   store.Agency `json:"agency"`
	Datasets []string     `json:"datasets"`
	UpToDate []string     `json:"up_to_date"`
	Stale    []string     `json:"stale"`
}

// Open reports whether the agency provided at least one open dataset.
func (a AgencyCoverage) Open() bool { return len(a.Datasets) > 0 }

// EndedAgency is an agency that ended during the year, and who took over.
type EndedAgency struct {
	Agency    store.Agency `json:"agency"`
	Ended     string       `json:"ended"` // YYYY-MM-DD, its last day
	Successor string       `json:"successor,omitempty"`
}

// YearCoverage is the share of agencies providing open data in one year: the
// agencies that existed on the reference day (31 December, or today while the
// year runs), each with the datasets it answered for that day.
type YearCoverage struct {
	Year            int              `json:"year"`
	AsOf            string           `json:"as_of"` // YYYY-MM-DD, the reference day
	Final           bool             `json:"final"` // the year is over
	Agencies        []AgencyCoverage `json:"agencies"`
	Ended           []EndedAgency    `json:"ended"`
	Orphans         []string         `json:"orphans"` // open datasets nobody answered for that day
	Total           int              `json:"total"`
	Open            int              `json:"open"`       // agencies with at least one open dataset
	UpToDate        int              `json:"up_to_date"` // agencies with at least one up-to-date dataset
	Percent         float64          `json:"percent"`
	PercentUpToDate float64          `json:"percent_up_to_date"`
	Target          *CoverageTarget  `json:"target,omitempty"`
	Met             *bool            `json:"met,omitempty"`
}

// Coverage computes year's coverage of the agencies by the datasets on its
// reference day: 31 December of year, or today when the year is not over.
// Agencies that ended during the year are listed apart, with the successor that
// took their datasets; they do not count, since on the reference day their
// successor answers for their data.
func Coverage(ag *Agencies, datasets []DatasetFacts, year int, today time.Time, targets []CoverageTarget) YearCoverage {
	end := time.Date(year, 12, 31, 0, 0, 0, 0, time.UTC)
	asOf, final := end, true
	if today.Before(end) {
		asOf, final = today, false
	}
	yc := YearCoverage{Year: year, AsOf: asOf.Format(time.DateOnly), Final: final,
		Agencies: []AgencyCoverage{}, Ended: []EndedAgency{}, Orphans: []string{}}
	index := map[string]int{}
	start := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, a := range ag.List() {
		if ag.ExistedOn(a.ID, asOf) {
			index[a.ID] = len(yc.Agencies)
			yc.Agencies = append(yc.Agencies, AgencyCoverage{Agency: a, Datasets: []string{}, UpToDate: []string{}, Stale: []string{}})
			continue
		}
		if t, ok := ag.Ended(a.ID); ok && !t.Before(start) && !t.After(asOf) {
			succ, _ := ag.ResponsibleOn(a.ID, asOf)
			yc.Ended = append(yc.Ended, EndedAgency{Agency: a, Ended: t.Format(time.DateOnly), Successor: succ})
		}
	}
	for _, d := range datasets {
		if !d.PublishedOn(asOf) {
			continue
		}
		who, ok := ag.ResponsibleOn(d.AgencyID, asOf)
		i, counted := index[who]
		if !ok || !counted {
			yc.Orphans = append(yc.Orphans, d.ID)
			continue
		}
		c := &yc.Agencies[i]
		c.Datasets = append(c.Datasets, d.ID)
		if d.StaleOn(asOf) {
			c.Stale = append(c.Stale, d.ID)
		} else {
			c.UpToDate = append(c.UpToDate, d.ID)
		}
	}
	yc.Total = len(yc.Agencies)
	for _, c := range yc.Agencies {
		if c.Open() {
			yc.Open++
		}
		if len(c.UpToDate) > 0 {
			yc.UpToDate++
		}
	}
	if yc.Total > 0 {
		yc.Percent = percent(yc.Open, yc.Total)
		yc.PercentUpToDate = percent(yc.UpToDate, yc.Total)
	}
	for _, t := range targets {
		if t.Year == year {
			t := t
			met := t.Met(yc.Open, yc.Total)
			yc.Target, yc.Met = &t, &met
		}
	}
	sort.Strings(yc.Orphans)
	return yc
}

// percent is 100·n/total rounded to one decimal, so that what a page shows is
// what the target is compared with.
func percent(n, total int) float64 {
	return float64(int64(1000*float64(n)/float64(total)+0.5)) / 10
}
