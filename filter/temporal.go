package filter

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// Instants are compared as microseconds since 1970 in UTC, the resolution of
// PostgreSQL's timestamptz; a date is the instant of its midnight in UTC. Open
// interval ends ('..') are the extreme values, as PostgreSQL's ±infinity.
const (
	minusInfinity = math.MinInt64
	plusInfinity  = math.MaxInt64
)

// parseInstant reads a date ("2022-04-16") or a timestamp
// ("2022-04-16T10:13:19Z", "2022-04-16T12:13:19.5+02:00") of the years 1 to 9999.
func parseInstant(kind, s string) (time.Time, error) {
	var t time.Time
	var err error
	if kind == OpDate {
		t, err = time.Parse(time.DateOnly, s)
		if err != nil {
			return t, fmt.Errorf("%q is not a date of the form YYYY-MM-DD", s)
		}
	} else {
		t, err = time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return t, fmt.Errorf("%q is not a timestamp of the form YYYY-MM-DDTHH:MM:SSZ", s)
		}
		t = t.UTC()
	}
	if t.Year() < 1 {
		return t, fmt.Errorf("%q is before the year 1", s)
	}
	return t, nil
}

// intervalEnd reads a string end of an INTERVAL as the date or timestamp it
// spells (by its length); ".." (an open end) and other nodes stay as they are.
func intervalEnd(n *Node) error {
	s, ok := n.Value.(string)
	if n.Op != OpLiteral || !ok || s == ".." {
		return nil
	}
	kind := OpDate
	if len(s) != len(time.DateOnly) {
		kind = OpTime
	}
	t, err := parseInstant(kind, s)
	if err != nil {
		return fmt.Errorf("INTERVAL: %w", err)
	}
	n.Op, n.Value = kind, t
	return nil
}

// micros converts t to microseconds since 1970, rounding half to even as
// PostgreSQL does when it reads a timestamp with finer digits.
func micros(t time.Time) int64 {
	us := t.Unix() * 1_000_000
	ns := int64(t.Nanosecond())
	q, r := ns/1000, ns%1000
	if r > 500 || r == 500 && q%2 == 1 {
		q++
	}
	return us + q
}

// valueMicros reads a date or timestamp property value.
func valueMicros(s string, date bool) (int64, bool) {
	if date {
		days, ok := parseDays(s)
		return days * 86_400_000_000, ok
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return 0, false
	}
	return micros(t), true
}

// parseDays reads "YYYY-MM-DD" (years 1 to 9999) as days since 1970-01-01,
// without time.Parse: dates are read on every evaluation.
func parseDays(s string) (int64, bool) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return 0, false
	}
	num := func(part string) (int64, bool) {
		var v int64
		for i := 0; i < len(part); i++ {
			c := part[i]
			if c < '0' || c > '9' {
				return 0, false
			}
			v = v*10 + int64(c-'0')
		}
		return v, true
	}
	y, ok1 := num(s[:4])
	m, ok2 := num(s[5:7])
	d, ok3 := num(s[8:])
	if !ok1 || !ok2 || !ok3 || y < 1 || m < 1 || m > 12 || d < 1 || d > daysIn(m, y) {
		return 0, false
	}
	// days from civil (H. Hinnant): March-based years make February last
	if m <= 2 {
		y--
	}
	era := y / 400
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468, true
}

func daysIn(m, year int64) int64 {
	if m == 2 && year%4 == 0 && (year%100 != 0 || year%400 == 0) {
		return 29
	}
	return [...]int64{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[m-1]
}

// temporalRelation evaluates a CQL2 temporal function on the intervals
// [s1, e1] and [s2, e2] (an instant is an interval whose ends are equal), with
// the definitions of OGC 21-065r2, clause 7.7 (Allen's interval relations).
func temporalRelation(op string, s1, e1, s2, e2 int64) bool {
	switch op {
	case "t_after":
		return s1 > e2
	case "t_before":
		return e1 < s2
	case "t_contains":
		return s1 < s2 && e1 > e2
	case "t_disjoint":
		return e1 < s2 || s1 > e2
	case "t_during":
		return s1 > s2 && e1 < e2
	case "t_equals":
		return s1 == s2 && e1 == e2
	case "t_finishedby":
		return s1 < s2 && e1 == e2
	case "t_finishes":
		return s1 > s2 && e1 == e2
	case "t_intersects":
		return s1 <= e2 && e1 >= s2
	case "t_meets":
		return e1 == s2
	case "t_metby":
		return s1 == e2
	case "t_overlappedby":
		return s1 > s2 && s1 < e2 && e1 > e2
	case "t_overlaps":
		return s1 < s2 && e1 > s2 && e1 < e2
	case "t_startedby":
		return s1 == s2 && e1 > e2
	case "t_starts":
		return s1 == s2 && e1 < e2
	}
	return false
}

// temporalSQL is temporalRelation written in SQL; end(i) writes the start
// (0) or end (1) of the first operand, the start (2) or end (3) of the second.
func temporalSQL(op string, end func(i int) string) string {
	const s1, e1, s2, e2 = 0, 1, 2, 3
	cmp := func(a int, rel string, b int) string { return end(a) + " " + rel + " " + end(b) }
	all := func(parts ...string) string { return "(" + strings.Join(parts, " AND ") + ")" }
	switch op {
	case "t_after":
		return all(cmp(s1, ">", e2))
	case "t_before":
		return all(cmp(e1, "<", s2))
	case "t_contains":
		return all(cmp(s1, "<", s2), cmp(e1, ">", e2))
	case "t_disjoint":
		return "(" + cmp(e1, "<", s2) + " OR " + cmp(s1, ">", e2) + ")"
	case "t_during":
		return all(cmp(s1, ">", s2), cmp(e1, "<", e2))
	case "t_equals":
		return all(cmp(s1, "=", s2), cmp(e1, "=", e2))
	case "t_finishedby":
		return all(cmp(s1, "<", s2), cmp(e1, "=", e2))
	case "t_finishes":
		return all(cmp(s1, ">", s2), cmp(e1, "=", e2))
	case "t_intersects":
		return all(cmp(s1, "<=", e2), cmp(e1, ">=", s2))
	case "t_meets":
		return all(cmp(e1, "=", s2))
	case "t_metby":
		return all(cmp(s1, "=", e2))
	case "t_overlappedby":
		return all(cmp(s1, ">", s2), cmp(s1, "<", e2), cmp(e1, ">", e2))
	case "t_overlaps":
		return all(cmp(s1, "<", s2), cmp(e1, ">", s2), cmp(e1, "<", e2))
	case "t_startedby":
		return all(cmp(s1, "=", s2), cmp(e1, ">", e2))
	case "t_starts":
		return all(cmp(s1, "=", s2), cmp(e1, "<", e2))
	}
	return "FALSE"
}
