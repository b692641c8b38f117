package importers

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// dbfField is one column of a dBase table.
type dbfField struct {
	name   string
	typ    byte
	length int
	offset int // within the record, after the deletion flag
}

// dbfTable reads the rows of a dBase III table (.dbf) in order.
type dbfTable struct {
	r        *bufio.Reader
	fields   []dbfField // the imported ones
	skipped  []dbfField // memo and binary fields
	count    int        // rows, from the header
	row      int        // rows read
	recLen   int
	enc      string // text encoding of character fields
	detected bool   // enc was detected, not given
	dec      transform.Transformer
	buf      []byte
}

// openDBF reads the header of a dBase table; enc "" detects the encoding of its
// character fields from the first rows.
func openDBF(r io.Reader, enc string) (*dbfTable, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	var h [32]byte
	if _, err := io.ReadFull(br, h[:]); err != nil {
		return nil, fmt.Errorf("%w: the table (.dbf) is shorter than its header", ErrFormat)
	}
	t := &dbfTable{r: br, count: int(binary.LittleEndian.Uint32(h[4:])), recLen: int(binary.LittleEndian.Uint16(h[10:]))}
	headerLen := int(binary.LittleEndian.Uint16(h[8:]))
	if headerLen < 33 || t.recLen < 1 || (headerLen-33)%32 > 1 || t.count < 0 {
		return nil, fmt.Errorf("%w: the table (.dbf) has a damaged header (header %d bytes, records %d bytes)", ErrFormat, headerLen, t.recLen)
	}
	desc := make([]byte, headerLen-32)
	if _, err := io.ReadFull(br, desc); err != nil {
		return nil, fmt.Errorf("%w: the table (.dbf) ends inside its field list", ErrFormat)
	}
	var rawNames [][]byte
	offset := 0
	var all []dbfField
	for i := 0; i+32 <= len(desc) && desc[i] != 0x0D; i += 32 {
		d := desc[i : i+32]
		name := bytes.TrimRight(d[:11], "\x00 ")
		if j := bytes.IndexByte(name, 0); j >= 0 {
			name = name[:j]
		}
		f := dbfField{typ: d[11], length: int(d[16]), offset: offset}
		if f.typ == 'C' { // character fields may be longer than 255: the decimal count is the high byte
			f.length += int(d[17]) << 8
		}
		offset += f.length
		rawNames = append(rawNames, name)
		all = append(all, f)
	}
	if offset+1 != t.recLen {
		return nil, fmt.Errorf("%w: the table (.dbf) fields add up to %d bytes but a record has %d", ErrFormat, offset+1, t.recLen)
	}
	t.buf = make([]byte, t.recLen)
	if enc == "" {
		sample, _ := br.Peek(min(detectSample, t.recLen*max(t.count, 1)))
		enc, t.detected = DetectEncoding(append(bytes.Join(rawNames, []byte(" ")), sample...)), true
	}
	t.enc, t.dec = enc, decoderFor(enc)
	for i, f := range all {
		f.name = t.text(rawNames[i])
		if f.name == "" {
			f.name = fmt.Sprintf("field_%d", i+1)
		}
		switch f.typ {
		case 'C', 'N', 'F', 'L', 'D':
			t.fields = append(t.fields, f)
		default:
			t.skipped = append(t.skipped, f)
		}
	}
	return t, nil
}

func (t *dbfTable) names() []string {
	out := make([]string, len(t.fields))
	for i, f := range t.fields {
		out[i] = f.name
	}
	return out
}

// text decodes a character value to NFC UTF-8.
func (t *dbfTable) text(b []byte) string {
	b = bytes.TrimRight(b, " \x00")
	s, _, err := transform.Bytes(t.dec, b)
	if err != nil {
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	return norm.NFC.String(strings.TrimSpace(strings.ToValidUTF8(string(s), "\uFFFD")))
}

// next reads the next live row (deleted rows are skipped) as properties.
func (t *dbfTable) next() ([]Prop, error) {
	for {
		if t.row >= t.count {
			return nil, fmt.Errorf("the table (.dbf) has only %d rows, fewer than the shapes", t.count)
		}
		if _, err := io.ReadFull(t.r, t.buf); err != nil {
			return nil, fmt.Errorf("the table (.dbf) ends inside row %d (truncated?)", t.row+1)
		}
		t.row++
		if t.buf[0] == '*' { // deleted
			continue
		}
		props := make([]Prop, len(t.fields))
		for i, f := range t.fields {
			props[i] = Prop{Name: f.name, Value: t.value(f, t.buf[1+f.offset:1+f.offset+f.length])}
		}
		return props, nil
	}
}

// value types one field: N and F as numbers, L as booleans, D as YYYY-MM-DD;
// blanks (and dBase's "*****" overflow) are null.
func (t *dbfTable) value(f dbfField, raw []byte) any {
	switch f.typ {
	case 'C':
		if s := t.text(raw); s != "" {
			return s
		}
		return nil
	case 'N', 'F':
		s := strings.TrimSpace(string(bytes.TrimRight(raw, "\x00")))
		v, err := strconv.ParseFloat(strings.Replace(s, ",", ".", 1), 64)
		if s == "" || err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return nil
		}
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return json.Number(strconv.FormatInt(n, 10))
		}
		return json.Number(strconv.FormatFloat(v, 'f', -1, 64))
	case 'L':
		switch strings.TrimSpace(string(raw)) {
		case "T", "t", "Y", "y":
			return true
		case "F", "f", "N", "n":
			return false
		}
		return nil
	case 'D':
		s := strings.TrimSpace(string(raw))
		if len(s) == 8 {
			if d, ok := parseDate(s[:4] + "-" + s[4:6] + "-" + s[6:]); ok {
				return d
			}
		}
		if s == "" || strings.Trim(s, "0") == "" {
			return nil
		}
		return s
	}
	return nil
}
