package importers

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/paulmach/orb"
	"golang.org/x/text/unicode/norm"
)

// maxCSVLine bounds a physical line of a CSV file: a longer one means the file
// is not line-oriented text (or is in an encoding without line breaks).
const maxCSVLine = 4 << 20

// readCSV reads a delimited text file with a header row and coordinate columns.
func readCSV(ctx context.Context, r io.Reader, opts Options, emit func(*Record) error) error {
	text, enc, err := openText(r, opts.Encoding)
	if err != nil {
		return err
	}
	if opts.Encoding == "" && enc != EncodingUTF8 {
		opts.note(SeverityNote, "", "text encoding %s detected; give --encoding if it is wrong", enc)
	}
	br := bufio.NewReaderSize(&lineLimiter{r: text, max: maxCSVLine}, 64<<10)
	comma := opts.Delimiter
	if comma == 0 {
		if opts.Format == "tsv" {
			comma = '\t'
		} else {
			comma = detectDelimiter(br)
		}
	}
	cr := csv.NewReader(br)
	cr.Comma = comma
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	cr.LazyQuotes = false

	header, err := readHeader(cr)
	if err != nil {
		return err
	}
	cols, err := findColumns(header, opts)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrFormat, err)
	}
	cols.tell(opts.coords, header)
	for n := 0; ; n++ {
		if n%1024 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		var perr *csv.ParseError
		if errors.As(err, &perr) {
			rec := &Record{Line: perr.StartLine}
			rec.reject("", "malformed CSV row: "+perr.Err.Error())
			if err := emit(rec); err != nil {
				return err
			}
			continue
		}
		if errors.Is(err, ErrFormat) {
			return err
		}
		if err != nil {
			return fmt.Errorf("%w: %v", ErrFormat, err)
		}
		if blank(row) {
			continue
		}
		line, _ := cr.FieldPos(0) // only valid after a successful Read
		if err := emit(csvRecord(line, header, row, cols)); err != nil {
			return err
		}
	}
}

// readHeader returns the first non-blank row, normalised to NFC.
func readHeader(cr *csv.Reader) ([]string, error) {
	for {
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%w: the file is empty (no header row)", ErrFormat)
		}
		if err != nil {
			return nil, fmt.Errorf("%w: header: %v", ErrFormat, err)
		}
		if blank(row) {
			continue
		}
		header := make([]string, len(row))
		for i, h := range row {
			if !utf8.ValidString(h) {
				return nil, fmt.Errorf("%w: the header is not UTF-8 text; give the file's encoding with --encoding", ErrFormat)
			}
			header[i] = norm.NFC.String(strings.TrimSpace(h))
		}
		return header, nil
	}
}

func csvRecord(line int, header, row []string, cols coordColumns) *Record {
	rec := &Record{Line: line, Text: true, Props: make([]Prop, 0, len(header))}
	if len(row) != len(header) {
		rec.reject("", fmt.Sprintf("has %d fields, the header has %d", len(row), len(header)))
		return rec
	}
	for i, v := range row {
		if !utf8.ValidString(v) {
			rec.reject(header[i], "not UTF-8 text; give the file's encoding with --encoding")
			return rec
		}
		v = norm.NFC.String(strings.TrimSpace(v))
		switch i {
		case cols.lon, cols.lat, cols.pair:
			continue
		case cols.id:
			rec.ID, rec.IDColumn = v, header[i]
		}
		rec.Props = append(rec.Props, Prop{Name: header[i], Value: v})
	}
	rec.Geometry = csvPoint(rec, header, row, cols)
	return rec
}

// csvPoint reads the record's position, rejecting it with the column at fault.
func csvPoint(rec *Record, header, row []string, cols coordColumns) orb.Geometry {
	var lon, lat float64
	var err error
	if cols.pair >= 0 {
		if lat, lon, err = parsePair(row[cols.pair]); err != nil {
			rec.reject(header[cols.pair], "unparseable coordinate: "+err.Error())
			return nil
		}
	} else {
		if lon, err = parseCoordinate(row[cols.lon]); err != nil {
			rec.reject(header[cols.lon], "missing or unparseable coordinate: "+err.Error())
			return nil
		}
		if lat, err = parseCoordinate(row[cols.lat]); err != nil {
			rec.reject(header[cols.lat], "missing or unparseable coordinate: "+err.Error())
			return nil
		}
	}
	return orb.Point{lon, lat}
}

func blank(row []string) bool {
	for _, v := range row {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}

// detectDelimiter picks comma, semicolon or tab: the one most frequent outside
// quotes on the first line.
func detectDelimiter(br *bufio.Reader) rune {
	peek, _ := br.Peek(1 << 20)
	if i := bytes.IndexByte(peek, '\n'); i >= 0 {
		peek = peek[:i]
	}
	counts := map[rune]int{}
	inQuotes := false
	for _, c := range string(peek) {
		switch {
		case c == '"':
			inQuotes = !inQuotes
		case !inQuotes && (c == ',' || c == ';' || c == '\t'):
			counts[c]++
		}
	}
	best := ','
	for _, c := range []rune{';', '\t'} {
		if counts[c] > counts[best] {
			best = c
		}
	}
	return best
}

// lineLimiter fails a read once a physical line grows beyond max bytes, so that
// a file without line breaks is refused with a clear error instead of being
// buffered whole.
type lineLimiter struct {
	r    io.Reader
	max  int
	cur  int // bytes of the current line so far
	line int // 1-based number of the current line
}

func (l *lineLimiter) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	for i := 0; i < n; i++ {
		if p[i] == '\n' {
			l.cur = 0
			l.line++
			continue
		}
		l.cur++
		if l.cur > l.max {
			return i, fmt.Errorf("%w: line %d is longer than %d MiB: not a line-oriented text file, or an encoding without line breaks",
				ErrFormat, l.line+1, l.max>>20)
		}
	}
	return n, err
}
