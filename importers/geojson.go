package importers

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/paulmach/orb/geojson"
	"golang.org/x/text/unicode/norm"
)

// readGeoJSON reads a FeatureCollection, a single Feature, or newline-delimited
// features (one per line), streaming: one feature is decoded at a time.
func readGeoJSON(ctx context.Context, r io.Reader, opts Options, emit func(*Record) error) error {
	lc := &lineCounter{r: r}
	br := bufio.NewReaderSize(lc, 64<<10)
	if opts.Format == "ndjson" {
		return readFeatureLines(ctx, br, opts, emit)
	}
	first, skipped, err := firstNonSpace(br)
	if err != nil {
		return fmt.Errorf("%w: empty GeoJSON file", ErrFormat)
	}
	if first != '{' {
		return fmt.Errorf("%w: GeoJSON must start with an object, found %q", ErrFormat, first)
	}
	dec := json.NewDecoder(br)
	dec.UseNumber()
	// lineOf turns the decoder's offset (after the skipped leading bytes) into a line.
	lineOf := func(off int64) int { return lc.lineAt(skipped + off) }
	// Walk the top-level object: stream "features" when found; a single Feature
	// has its members at the top.
	if _, err := dec.Token(); err != nil {
		return fmt.Errorf("%w: %v", ErrFormat, err)
	}
	top := map[string]json.RawMessage{}
	for dec.More() {
		keyTok, err := dec.Token()
		if err != nil {
			return fmt.Errorf("%w: %v", ErrFormat, err)
		}
		key, _ := keyTok.(string)
		if key == "crs" {
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				return fmt.Errorf("%w: member \"crs\": %v", ErrFormat, err)
			}
			if err := opts.coords.geoJSONCRS(raw); err != nil {
				return err
			}
			continue
		}
		if key == "features" {
			if err := streamFeatures(ctx, dec, lineOf, opts, emit); err != nil {
				return err
			}
			continue
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return fmt.Errorf("%w: member %q: %v", ErrFormat, key, err)
		}
		top[key] = v
	}
	var typ string
	json.Unmarshal(top["type"], &typ)
	switch typ {
	case "FeatureCollection":
		return nil
	case "Feature":
		raw, _ := json.Marshal(top)
		return emit(decodeFeature(raw, 1, opts))
	}
	if dec.More() {
		// A second top-level object: newline-delimited features after all.
		return fmt.Errorf("%w: several top-level objects; use the .ndjson extension or --format ndjson for newline-delimited GeoJSON", ErrFormat)
	}
	return fmt.Errorf("%w: GeoJSON type %q: want FeatureCollection or Feature", ErrFormat, typ)
}

func streamFeatures(ctx context.Context, dec *json.Decoder, lineOf func(int64) int, opts Options, emit func(*Record) error) error {
	tok, err := dec.Token()
	if err != nil {
		return fmt.Errorf("%w: features: %v", ErrFormat, err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return fmt.Errorf("%w: \"features\" must be an array", ErrFormat)
	}
	for n := 0; dec.More(); n++ {
		if n%1024 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return fmt.Errorf("%w: feature %d (after line %d): %v", ErrFormat, n+1, lineOf(dec.InputOffset()), err)
		}
		line := lineOf(dec.InputOffset() - int64(len(raw)))
		if err := emit(decodeFeature(raw, line, opts)); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil {
		return fmt.Errorf("%w: features: %v", ErrFormat, err)
	}
	return nil
}

func readFeatureLines(ctx context.Context, br *bufio.Reader, opts Options, emit func(*Record) error) error {
	line := 0
	sc := bufio.NewScanner(br)
	sc.Buffer(make([]byte, 64<<10), 256<<20)
	for sc.Scan() {
		line++
		if line%1024 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		b := bytes.TrimSpace(sc.Bytes())
		if line == 1 {
			b = bytes.TrimPrefix(b, []byte{0xEF, 0xBB, 0xBF})
		}
		if len(b) == 0 || b[0] == 0x1e { // blank or RFC 8142 record separator only
			continue
		}
		if err := emit(decodeFeature(bytes.TrimLeft(b, "\x1e"), line, opts)); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%w: line %d: %v", ErrFormat, line+1, err)
	}
	return nil
}

// decodeFeature turns one GeoJSON Feature into a record; problems reject it.
func decodeFeature(raw []byte, line int, opts Options) *Record {
	rec := &Record{Line: line}
	var f struct {
		Type       string          `json:"type"`
		ID         json.RawMessage `json:"id"`
		Geometry   json.RawMessage `json:"geometry"`
		Properties json.RawMessage `json:"properties"`
	}
	if err := json.Unmarshal(raw, &f); err != nil {
		rec.reject("", "not a GeoJSON Feature: "+err.Error())
		return rec
	}
	if f.Type != "Feature" {
		rec.reject("type", fmt.Sprintf("type %q: want Feature", f.Type))
		return rec
	}
	rec.ID, rec.IDColumn = featureID(f.ID), "id"
	props, err := orderedObject(f.Properties)
	if err != nil {
		rec.reject("properties", err.Error())
		return rec
	}
	rec.Props = props
	if opts.IDColumn != "" {
		rec.ID, rec.IDColumn = "", opts.IDColumn
		for _, p := range props {
			if p.Name == opts.IDColumn {
				rec.ID = textOf(p.Value)
			}
		}
	}
	if len(f.Geometry) == 0 || string(f.Geometry) == "null" {
		rec.reject("geometry", "missing geometry")
		return rec
	}
	var g geojson.Geometry
	if err := json.Unmarshal(f.Geometry, &g); err != nil {
		rec.reject("geometry", "invalid geometry: "+err.Error())
		return rec
	}
	if g.Coordinates == nil && g.Geometries == nil {
		rec.reject("geometry", "invalid geometry: unknown type or no coordinates")
		return rec
	}
	rec.Geometry = g.Geometry()
	return rec
}

func featureID(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return norm.NFC.String(s)
	}
	return string(raw) // a number, as written
}

// orderedObject decodes a JSON object keeping its members in file order, with
// numbers as json.Number and strings normalised to NFC.
func orderedObject(raw json.RawMessage) ([]Prop, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, errors.New("properties must be an object")
	}
	var props []Prop
	for dec.More() {
		keyTok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		var v any
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		if s, ok := v.(string); ok {
			v = norm.NFC.String(s)
		}
		props = append(props, Prop{Name: norm.NFC.String(keyTok.(string)), Value: v})
	}
	return props, nil
}

// textOf renders a decoded JSON value as text.
func textOf(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case json.Number:
		return v.String()
	case bool:
		return strconv.FormatBool(v)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// firstNonSpace skips leading white space and a BOM, returning the first byte and
// how many bytes were skipped.
func firstNonSpace(br *bufio.Reader) (byte, int64, error) {
	var skipped int64
	for {
		b, err := br.Peek(1)
		if err != nil {
			return 0, skipped, err
		}
		switch b[0] {
		case ' ', '\t', '\r', '\n':
			br.Discard(1)
			skipped++
		case 0xEF: // UTF-8 BOM
			if bom, _ := br.Peek(3); bytes.Equal(bom, []byte{0xEF, 0xBB, 0xBF}) {
				br.Discard(3)
				skipped += 3
				continue
			}
			return b[0], skipped, nil
		default:
			return b[0], skipped, nil
		}
	}
}

// lineCounter remembers where newlines are in what has been read, so a byte
// offset can be turned into a line number. Queries come in increasing offset
// order, so offsets already passed are forgotten and memory stays bounded.
type lineCounter struct {
	r        io.Reader
	read     int64   // bytes read so far
	newlines []int64 // offsets of newlines not yet passed by a query
	line     int     // lines before newlines[0]
}

func (c *lineCounter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	for i := 0; i < n; i++ {
		if p[i] == '\n' {
			c.newlines = append(c.newlines, c.read+int64(i))
		}
	}
	c.read += int64(n)
	return n, err
}

// lineAt is the 1-based line holding byte offset off.
func (c *lineCounter) lineAt(off int64) int {
	i := 0
	for i < len(c.newlines) && c.newlines[i] < off {
		i++
	}
	c.line += i
	c.newlines = c.newlines[i:]
	return c.line + 1
}
