package handlers

import (
	"strings"
	"time"

	"github.com/vn-opendata/geodata/catalog"
)

// interval is a closed time interval; a zero start or end is open.
type interval struct {
	start, end time.Time
}

func (a interval) intersects(b interval) bool {
	return (a.end.IsZero() || b.start.IsZero() || !b.start.After(a.end)) &&
		(a.start.IsZero() || b.end.IsZero() || !b.end.Before(a.start))
}

// parseInstant reads an RFC 3339 date-time or a date (then the whole day, UTC).
// "2018-02-12T" (a date as GDAL's OAPIF driver writes it) is a date.
func parseInstant(s string) (interval, bool) {
	s = strings.TrimSuffix(s, "T")
	if d, err := time.Parse(time.DateOnly, s); err == nil {
		return interval{d, d.Add(24*time.Hour - time.Nanosecond)}, true
	}
	if t, err := time.Parse(time.RFC3339Nano, strings.Replace(s, "t", "T", 1)); err == nil {
		return interval{t, t}, true
	}
	return interval{}, false
}

// parseDatetime reads the datetime parameter of OGC API – Features: an instant,
// or a start/end interval where ".." or nothing leaves an end open.
func parseDatetime(v string) (interval, error) {
	bad := func(why string) (interval, error) {
		return interval{}, badParam("datetime", "%q %s; use an RFC 3339 instant or date, or START/END with .. for an open end", v, why)
	}
	start, end, isInterval := strings.Cut(v, "/")
	if !isInterval {
		in, ok := parseInstant(v)
		if !ok {
			return bad("is not a date or date-time")
		}
		return in, nil
	}
	var out interval
	if start != ".." && start != "" {
		in, ok := parseInstant(start)
		if !ok {
			return bad("has an unreadable start")
		}
		out.start = in.start
	}
	if end != ".." && end != "" {
		in, ok := parseInstant(end)
		if !ok {
			return bad("has an unreadable end")
		}
		out.end = in.end
	}
	if out.start.IsZero() && out.end.IsZero() {
		return bad("is open at both ends")
	}
	if !out.start.IsZero() && !out.end.IsZero() && out.end.Before(out.start) {
		return bad("ends before it starts")
	}
	return out, nil
}

// temporalIndex holds what a snapshot's datetime queries need: the time of each
// feature (from the collection's temporal property) and their extent.
type temporalIndex struct {
	times  []interval // zero for features without a readable time
	extent interval   // zero when no feature has a time
}

// newTemporalIndex reads the times of property prop of every feature.
func newTemporalIndex(snap *catalog.Snapshot, prop int) *temporalIndex {
	x := &temporalIndex{times: make([]interval, len(snap.Features))}
	for i := range snap.Features {
		s, _ := snap.Features[i].Props[prop].(string)
		in, ok := parseInstant(s)
		if !ok {
			continue
		}
		x.times[i] = in
		if x.extent.start.IsZero() || in.start.Before(x.extent.start) {
			x.extent.start = in.start
		}
		if in.end.After(x.extent.end) {
			x.extent.end = in.end
		}
	}
	return x
}
