package importers

import (
	"fmt"
	"strings"
)

// Severity of a problem: errors reject the row, warnings only inform.
type Severity string

// The two severities.
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
	SeverityNote    Severity = "note" // an assumption made, reported once per file
)

// Problem is one thing wrong with one row (or the whole file when Line is 0).
type Problem struct {
	File     string   `json:"file,omitempty"`
	Sheet    string   `json:"sheet,omitempty"`
	Line     int      `json:"line,omitempty"` // 1-based physical line, header included
	Column   string   `json:"column,omitempty"`
	Reason   string   `json:"reason"`
	Severity Severity `json:"severity"`
}

func (p Problem) String() string {
	var b strings.Builder
	if p.File != "" {
		b.WriteString(p.File)
	}
	if p.Sheet != "" {
		fmt.Fprintf(&b, "[%s]", p.Sheet)
	}
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
	}
	if p.Column != "" {
		fmt.Fprintf(&b, " column %q", p.Column)
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	b.WriteString(string(p.Severity))
	b.WriteString(": ")
	b.WriteString(p.Reason)
	return b.String()
}

// MaxListed caps the problems a report lists; the counts stay exact.
const MaxListed = 1000

// Report is the outcome of reading and validating one file.
type Report struct {
	File     string    `json:"file"`
	Format   string    `json:"format"`
	Read     int64     `json:"read"`
	Accepted int64     `json:"accepted"`
	Rejected int64     `json:"rejected"`
	Warnings int64     `json:"warnings"`
	Problems []Problem `json:"problems"`
	Omitted  int64     `json:"problems_omitted,omitempty"`
	Notes    []string  `json:"notes,omitempty"` // assumptions made (columns, CRS, axis order…)
}

// Add records a problem, keeping the list bounded.
func (r *Report) Add(p Problem) {
	if p.File == "" {
		p.File = r.File
	}
	if p.Severity == SeverityWarning {
		r.Warnings++
	}
	if len(r.Problems) >= MaxListed {
		r.Omitted++
		return
	}
	r.Problems = append(r.Problems, p)
}

// Note records an assumption once.
func (r *Report) Note(format string, args ...any) {
	n := fmt.Sprintf(format, args...)
	for _, have := range r.Notes {
		if have == n {
			return
		}
	}
	r.Notes = append(r.Notes, n)
}

// Summary is the report in a few lines for a terminal.
func (r *Report) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s): %d read, %d accepted, %d rejected, %d warnings\n", r.File, r.Format, r.Read, r.Accepted, r.Rejected, r.Warnings)
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "  note: %s\n", n)
	}
	for i, p := range r.Problems {
		if i == 50 {
			fmt.Fprintf(&b, "  … %d more (see --report)\n", int64(len(r.Problems)-50)+r.Omitted)
			break
		}
		fmt.Fprintf(&b, "  %s\n", p)
	}
	return b.String()
}
