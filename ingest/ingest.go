// Package ingest is the import pipeline shared by the CLI and the upload API:
// read → validate → stage → swap → notify. A file is read twice: the first pass
// validates every row and infers the schema without touching the database, the
// second streams the accepted rows with COPY into a new generation that one
// transaction makes current. Nothing is written unless the whole file passes.
// It may import importers, store and catalog.
package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/ewkb"
	"github.com/paulmach/orb/encoding/wkb"

	"github.com/vn-opendata/geodata/catalog"
	"github.com/vn-opendata/geodata/importers"
	"github.com/vn-opendata/geodata/store"
)

// Mode says what an import does with the features already in the collection.
type Mode string

// The import modes.
const (
	Replace Mode = "replace" // the file becomes the whole collection
	Append  Mode = "append"  // the file's features are added; an existing id is an error
	Upsert  Mode = "upsert"  // features with an existing id are replaced, others added
)

// ParseMode reads a mode name.
func ParseMode(s string) (Mode, error) {
	switch Mode(s) {
	case Replace, Append, Upsert:
		return Mode(s), nil
	}
	return "", fmt.Errorf("mode %q: want replace, append or upsert", s)
}

// Request is one import.
type Request struct {
	Path         string // the file; uploads are spooled to a file first
	SourceName   string // recorded in the version; default: the file's base name
	Collection   string
	Options      importers.Options
	Mapping      *importers.Mapping // optional: rename, type and drop columns
	Mode         Mode
	Metadata     store.Metadata
	DryRun       bool  // validate only
	MaxErrors    int64 // rejected rows tolerated before the import is refused; 0: none
	AllowOutside bool  // features outside the region are warnings, not errors
	Force        bool  // import even when the same file and settings were the last import
	Actor        string
	TokenID      int64  // the API token of an upload; 0 for the CLI
	AgencyID     string // the agency of that token, recorded in the version
	Region       *catalog.Region
	Progress     func(phase string, done, total int64) // optional
}

// Result is the outcome of an import.
type Result struct {
	Report   *importers.Report `json:"report"`
	Version  int64             `json:"version,omitempty"` // the new version; 0 when nothing was written
	Skipped  bool              `json:"skipped,omitempty"` // same file and settings as the current version
	Duration time.Duration     `json:"-"`
}

// ErrRejected means the file had more bad rows than allowed; nothing was written.
var ErrRejected = errors.New("import rejected")

// keepGenerations is how many generations of a collection stay in the database.
const keepGenerations = 3

// Import runs the pipeline. On ErrRejected the result's report says why.
func Import(ctx context.Context, db *store.DB, req Request) (*Result, error) {
	start := time.Now()
	if err := req.check(); err != nil {
		return nil, err
	}
	sum, err := fileSHA256(req.Path)
	if err != nil {
		return nil, err
	}
	fingerprint := req.fingerprint(sum)
	res := &Result{Report: &importers.Report{File: req.SourceName, Format: req.format()}}
	if !req.Force && !req.DryRun && db != nil {
		last, err := db.LastFingerprint(ctx, req.Collection)
		if err != nil {
			return nil, err
		}
		if last == fingerprint {
			res.Skipped = true
			res.Report.Note("unchanged: the same file and settings were imported last; use --force to import again")
			return res, nil
		}
	}
	var existing *store.Collection
	if req.Mode != Replace && db != nil {
		c, err := db.Collection(ctx, req.Collection)
		if err == nil {
			existing = &c
		} else if !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
	}
	plan, err := validate(ctx, req, existing, res.Report)
	if err != nil {
		return res, err
	}
	if res.Report.Rejected > req.MaxErrors {
		return res, fmt.Errorf("%w: %d of %d rows rejected (at most %d allowed with --max-errors); nothing was written",
			ErrRejected, res.Report.Rejected, res.Report.Read, req.MaxErrors)
	}
	if req.DryRun {
		res.Duration = time.Since(start)
		return res, nil
	}
	version, err := load(ctx, db, req, plan, res.Report, sum, fingerprint)
	if err != nil {
		return res, err
	}
	res.Version = version
	if err := db.PruneGenerations(ctx, req.Collection, keepGenerations); err != nil {
		res.Report.Note("old versions not pruned: %v", err)
	}
	res.Duration = time.Since(start)
	return res, nil
}

func (req *Request) check() error {
	if req.Collection == "" {
		return errors.New("a collection id is required (--collection)")
	}
	if req.Mode == "" {
		req.Mode = Replace
	}
	if req.SourceName == "" {
		req.SourceName = filepath.Base(req.Path)
	}
	if req.Region == nil {
		return errors.New("a region profile is required")
	}
	req.Options.Region = regionHint(req.Region)
	return req.Options.ValidateCRS()
}

func (req *Request) format() string {
	if req.Options.Format != "" {
		return req.Options.Format
	}
	if f, err := importers.SniffFormat(req.Path); err == nil {
		return f
	}
	return importers.DetectFormat(req.SourceName)
}

// fingerprint identifies the file together with every setting that changes the
// result, so an unchanged sample is not imported again on every start.
func (req *Request) fingerprint(fileSum string) string {
	b, _ := json.Marshal(struct {
		File         string
		Options      importers.Options
		Mapping      *importers.Mapping
		Mode         Mode
		Metadata     store.Metadata
		AllowOutside bool
		Region       [4]float64
	}{fileSum, req.Options, req.Mapping, req.Mode, req.Metadata, req.AllowOutside, req.Region.BBox})
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// plan is what the validation pass learned for the loading pass: the schema,
// the geometry type, and per record ordinal the rows to skip and the ids to change.
type plan struct {
	schema      *importers.Schema
	geomType    string
	accepted    int64
	rejected    map[int]bool
	idOverride  map[int]string
	numOverride map[int]int64
}

// idEntry remembers the first record that used a numeric id.
type idEntry struct {
	ordinal int32
	line    int32
	print   uint32 // second hash of the id: tells a duplicate id from a numeric-id collision
}

// validate is the first pass: every row is checked, nothing is written.
func validate(ctx context.Context, req Request, existing *store.Collection, rep *importers.Report) (*plan, error) {
	p := &plan{schema: importers.NewSchema(), rejected: map[int]bool{}, idOverride: map[int]string{}, numOverride: map[int]int64{}}
	types := importers.GeometryTypes{}
	if req.Mapping != nil {
		p.schema.Force(req.Mapping.Types())
	}
	if existing != nil {
		p.schema.Seed(fieldsOf(existing.Schema))
		if existing.GeometryType != "" {
			types[existing.GeometryType] = true
		}
	}
	seen := make(map[int64]idEntry)
	hashIDs := 0
	ordinal := -1
	opts := req.Options
	opts.Notify = func(prob importers.Problem) {
		if prob.Severity == importers.SeverityNote {
			rep.Note("%s", prob.Reason)
			return
		}
		rep.Add(prob)
	}
	err := importers.Read(ctx, req.Path, opts, func(rec *importers.Record) error {
		ordinal++
		rep.Read++
		req.Mapping.Apply(rec)
		if req.Progress != nil && rep.Read%10000 == 0 {
			req.Progress("validate", rep.Read, 0)
		}
		checkRecord(rec, req)
		id, fromSource := recordID(rec)
		if !fromSource {
			hashIDs++
		}
		if !rec.Rejected() {
			p.assignID(seen, ordinal, rec, id, fromSource)
		}
		for _, prob := range rec.Problems {
			rep.Add(prob)
		}
		if rec.Rejected() {
			rep.Rejected++
			p.rejected[ordinal] = true
			if rep.Rejected > req.MaxErrors && rep.Rejected > importers.MaxListed {
				return errTooMany
			}
			return nil
		}
		rep.Accepted++
		p.schema.Observe(rec)
		types.Add(rec.Geometry)
		return nil
	})
	if errors.Is(err, errTooMany) {
		rep.Note("validation stopped after %d rejected rows", rep.Rejected)
		return p, nil
	}
	if err != nil {
		return p, fmt.Errorf("read %s: %w", req.SourceName, err)
	}
	if rep.Read == 0 {
		return p, fmt.Errorf("%w: %s has no rows", importers.ErrFormat, req.SourceName)
	}
	if req.Mode == Upsert && hashIDs > 0 {
		return p, fmt.Errorf("upsert needs a feature id in every row: name the id column with --id-column")
	}
	p.geomType = types.Target()
	p.accepted = rep.Accepted
	if len(types) > 1 {
		rep.Note("mixed geometry types stored as %s", p.geomType)
	}
	return p, nil
}

var errTooMany = errors.New("too many rejected rows")

// checkRecord adds the pipeline's own checks to a record: a valid geometry, inside the region.
func checkRecord(rec *importers.Record, req Request) {
	if rec.Rejected() {
		return
	}
	if err := importers.ValidateGeometry(rec.Geometry); err != nil {
		rec.Problems = append(rec.Problems, importers.Problem{Sheet: rec.Sheet, Line: rec.Line, Column: "geometry",
			Reason: "invalid geometry: " + err.Error(), Severity: importers.SeverityError})
		return
	}
	b := rec.Geometry.Bound()
	r := req.Region.BBox
	if b.Max[0] >= r[0] && b.Min[0] <= r[2] && b.Max[1] >= r[1] && b.Min[1] <= r[3] {
		return
	}
	sev := importers.SeverityError
	if req.AllowOutside {
		sev = importers.SeverityWarning
	}
	rec.Problems = append(rec.Problems, importers.Problem{Sheet: rec.Sheet, Line: rec.Line, Column: "geometry",
		Reason:   fmt.Sprintf("outside the region %s (%g,%g – %g,%g): %s", req.Region.Name, r[0], r[1], r[2], r[3], describe(rec.Geometry)),
		Severity: sev})
}

func describe(g orb.Geometry) string {
	if p, ok := g.(orb.Point); ok {
		return fmt.Sprintf("point %g, %g", p[0], p[1])
	}
	b := g.Bound()
	return fmt.Sprintf("%s within %g,%g – %g,%g", g.GeoJSONType(), b.Min[0], b.Min[1], b.Max[0], b.Max[1])
}

// recordID is the record's id from the source, else a hash of its content.
func recordID(rec *importers.Record) (string, bool) {
	if rec.ID != "" {
		return rec.ID, true
	}
	h := sha256.New()
	if rec.Geometry != nil {
		b, _ := wkb.Marshal(rec.Geometry)
		h.Write(b)
	}
	for _, p := range rec.Props {
		fmt.Fprintf(h, "\x00%s\x00%v", p.Name, p.Value)
	}
	return hex.EncodeToString(h.Sum(nil))[:16], false
}

// assignID checks the id of an accepted record for duplicates and numeric-id
// collisions, rejecting duplicates of source ids and renaming repeated records.
func (p *plan) assignID(seen map[int64]idEntry, ordinal int, rec *importers.Record, id string, fromSource bool) {
	for n := 1; ; n++ {
		num, fp := NumericID(id), fingerprint32(id)
		first, dup := seen[num]
		switch {
		case !dup:
			seen[num] = idEntry{ordinal: int32(ordinal), line: int32(rec.Line), print: fp}
			return
		case first.print == fp && fromSource:
			rec.Problems = append(rec.Problems, importers.Problem{Sheet: rec.Sheet, Line: rec.Line, Column: rec.IDColumn,
				Reason: fmt.Sprintf("duplicate id %q (first on line %d)", id, first.line), Severity: importers.SeverityError})
			return
		case first.print == fp:
			rec.Problems = append(rec.Problems, importers.Problem{Sheet: rec.Sheet, Line: rec.Line,
				Reason: fmt.Sprintf("same content as line %d; kept as a separate feature", first.line), Severity: importers.SeverityWarning})
			id = fmt.Sprintf("%s-%d", id, n+1)
			p.idOverride[ordinal] = id
		default: // two ids, one numeric id: give this one another
			p.numOverride[ordinal] = NumericID(fmt.Sprintf("%s#%d", id, n))
			if _, taken := seen[p.numOverride[ordinal]]; !taken {
				seen[p.numOverride[ordinal]] = idEntry{ordinal: int32(ordinal), line: int32(rec.Line), print: fp}
				return
			}
			id = fmt.Sprintf("%s#%d", id, n)
		}
	}
}

// NumericID is the 53-bit numeric id of a feature id: stable across imports and
// exact in JavaScript, for MVT feature ids and map feature-state.
func NumericID(id string) int64 {
	h := fnv.New64a()
	h.Write([]byte(id))
	n := int64(h.Sum64() & (1<<53 - 1))
	if n == 0 {
		n = 1
	}
	return n
}

func fingerprint32(id string) uint32 {
	h := sha256.Sum256([]byte(id))
	return binary.LittleEndian.Uint32(h[:4])
}

func fieldsOf(props []store.Property) []importers.Field {
	out := make([]importers.Field, len(props))
	for i, p := range props {
		out[i] = importers.Field{Name: p.Name, Type: p.Type}
	}
	return out
}

func propertiesOf(fields []importers.Field) []store.Property {
	out := make([]store.Property, len(fields))
	for i, f := range fields {
		out[i] = store.Property{Name: f.Name, Type: f.Type}
	}
	return out
}

// load is the second pass: accepted rows are streamed into a new generation,
// which one transaction makes the current version.
func load(ctx context.Context, db *store.DB, req Request, p *plan, rep *importers.Report, sum, fingerprint string) (int64, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	gen, err := db.BeginGeneration(ctx, req.Collection)
	if err != nil {
		return 0, err
	}
	defer gen.Rollback(context.WithoutCancel(ctx))
	src := newRowSource(ctx, req, p, gen.Number())
	n, err := gen.Copy(ctx, src)
	if err != nil {
		cancel() // stop the reader
		src.Wait()
	} else {
		err = src.Wait()
	}
	if err != nil {
		return 0, fmt.Errorf("load %s: %w", req.SourceName, err)
	}
	if n != p.accepted {
		return 0, fmt.Errorf("load %s: %d rows loaded, %d validated: the file changed during the import", req.SourceName, n, p.accepted)
	}
	if req.Mode != Replace {
		if err := gen.CarryOver(ctx, req.Mode == Upsert); err != nil {
			return 0, err
		}
	}
	return gen.Commit(ctx, store.Commit{
		Metadata:     req.Metadata,
		Schema:       propertiesOf(p.schema.Fields()),
		GeometryType: p.geomType,
		Action:       "import-" + string(req.Mode),
		SourceName:   req.SourceName,
		SourceSHA256: sum,
		SourceFormat: rep.Format,
		RowsRead:     rep.Read,
		RowsAccepted: rep.Accepted,
		RowsRejected: rep.Rejected,
		Actor:        req.Actor,
		TokenID:      req.TokenID,
		AgencyID:     req.AgencyID,
		Report: struct {
			*importers.Report
			Fingerprint string `json:"fingerprint"`
		}{rep, fingerprint},
	})
}

// appendProps writes the record's properties, typed by the schema, as a JSON
// object (empty values are left out and read as null).
func (p *plan) appendProps(dst []byte, rec *importers.Record) ([]byte, error) {
	dst = append(dst, '{')
	first := true
	for _, pr := range rec.Props {
		v, typ, ok := p.schema.Value(pr)
		if !ok {
			continue
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = catalog.AppendJSONString(dst, pr.Name)
		dst = append(dst, ':')
		var err error
		if dst, err = catalog.AppendValue(dst, v, typ); err != nil {
			return nil, err
		}
	}
	return append(dst, '}'), nil
}

// rowSource feeds COPY from the reader, which runs in its own goroutine.
type rowSource struct {
	rows chan []any
	row  []any
	err  error
	done chan struct{}
}

func newRowSource(ctx context.Context, req Request, p *plan, generation int64) *rowSource {
	s := &rowSource{rows: make(chan []any, 512), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		defer close(s.rows)
		ordinal := -1
		var ord int64
		s.err = importers.Read(ctx, req.Path, req.Options, func(rec *importers.Record) error {
			ordinal++
			if p.rejected[ordinal] {
				return nil
			}
			req.Mapping.Apply(rec)
			row, err := p.row(rec, ordinal, req, generation, ord)
			if err != nil {
				return err
			}
			ord++
			if req.Progress != nil && ord%10000 == 0 {
				req.Progress("load", ord, p.accepted)
			}
			select {
			case s.rows <- row:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
	}()
	return s
}

func (s *rowSource) Next() bool {
	row, ok := <-s.rows
	s.row = row
	return ok
}

func (s *rowSource) Values() ([]any, error) { return s.row, nil }

// Err is the reader's error once it has finished; COPY polls it while running,
// so it must not block.
func (s *rowSource) Err() error {
	select {
	case <-s.done:
		return s.err
	default:
		return nil
	}
}

// Wait waits for the reader to finish and returns its error.
func (s *rowSource) Wait() error {
	<-s.done
	return s.err
}

// row converts an accepted record to the values of store.FeatureColumns.
func (p *plan) row(rec *importers.Record, ordinal int, req Request, generation, ord int64) ([]any, error) {
	checkRecord(rec, req)
	if rec.Rejected() {
		return nil, fmt.Errorf("line %d was valid in the first pass but not now: the file changed during the import", rec.Line)
	}
	id, _ := recordID(rec)
	if o, ok := p.idOverride[ordinal]; ok {
		id = o
	}
	num := NumericID(id)
	if o, ok := p.numOverride[ordinal]; ok {
		num = o
	}
	geom, err := ewkb.Marshal(importers.Promote(rec.Geometry, p.geomType), 4326)
	if err != nil {
		return nil, fmt.Errorf("line %d: geometry: %w", rec.Line, err)
	}
	props, err := p.appendProps(make([]byte, 0, 256), rec)
	if err != nil {
		return nil, fmt.Errorf("line %d: properties: %w", rec.Line, err)
	}
	return []any{generation, req.Collection, id, num, ord, geom, props}, nil
}
