package importers

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/paulmach/orb"
)

// No Shapefile module is served to this build, so this is a small reader of the
// ESRI Shapefile Technical Description (1998): the main file (.shp), its index
// (.shx, checked against the records), the dBase III attribute table (.dbf),
// the projection (.prj, which sets the coordinates' CRS) and the code page (.cpg).

// Shape types of the main file.
const (
	shapeNull        = 0
	shapePoint       = 1
	shapePolyLine    = 3
	shapePolygon     = 5
	shapeMultiPoint  = 8
	shapePointZ      = 11
	shapePolyLineZ   = 13
	shapePolygonZ    = 15
	shapeMultiPointZ = 18
	shapePointM      = 21
	shapePolyLineM   = 23
	shapePolygonM    = 25
	shapeMultiPointM = 28
	shapeMultiPatch  = 31
)

// maxShapeRecord bounds one record of the main file (256 MiB of points).
const maxShapeRecord = 256 << 20

// shapeSet opens the member files of one Shapefile, by extension (".shp"…);
// a missing member gives an error wrapping fs.ErrNotExist.
type shapeSet struct {
	name  string // the layer's base name
	open  func(ext string) (io.ReadCloser, error)
	close func() error
}

// openShapeSet finds the Shapefile at path: a .shp file (members beside it), a
// folder or a .zip holding one (or several, chosen by layer).
func openShapeSet(path, layer string) (*shapeSet, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		entries, err := os.ReadDir(path)
		if err != nil {
			return nil, err
		}
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		base, err := pickLayer(names, layer, filepath.Base(path))
		if err != nil {
			return nil, err
		}
		return dirShapeSet(path, names, base), nil
	}
	if strings.EqualFold(filepath.Ext(path), ".zip") {
		return zipShapeSet(path, layer)
	}
	dir := filepath.Dir(path)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return dirShapeSet(dir, names, strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))), nil
}

// pickLayer chooses the .shp among names: the one named layer, or the only one.
func pickLayer(names []string, layer, where string) (string, error) {
	var layers []string
	for _, n := range names {
		if strings.EqualFold(filepath.Ext(n), ".shp") {
			layers = append(layers, strings.TrimSuffix(n, filepath.Ext(n)))
		}
	}
	sort.Strings(layers)
	for _, l := range layers {
		if layer != "" && (strings.EqualFold(l, layer) || strings.EqualFold(filepath.Base(l), layer)) {
			return l, nil
		}
	}
	switch {
	case layer != "":
		return "", fmt.Errorf("%w: %s has no Shapefile %q (it has: %s)", ErrFormat, where, layer, strings.Join(layers, ", "))
	case len(layers) == 0:
		return "", fmt.Errorf("%w: %s holds no .shp file", ErrFormat, where)
	case len(layers) > 1:
		return "", fmt.Errorf("%w: %s holds several Shapefiles (%s): choose one with --layer", ErrFormat, where, strings.Join(layers, ", "))
	}
	return layers[0], nil
}

func dirShapeSet(dir string, names []string, base string) *shapeSet {
	return &shapeSet{
		name: filepath.Base(base),
		open: func(ext string) (io.ReadCloser, error) {
			for _, n := range names {
				if strings.EqualFold(n, base+ext) {
					return os.Open(filepath.Join(dir, n))
				}
			}
			return nil, fmt.Errorf("%s%s: %w", base, ext, fs.ErrNotExist)
		},
		close: func() error { return nil },
	}
}

func zipShapeSet(path, layer string) (*shapeSet, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %s is not a readable zip archive (truncated or damaged?): %v", ErrFormat, filepath.Base(path), err)
	}
	var names []string
	for _, f := range zr.File {
		if !f.FileInfo().IsDir() && !strings.HasPrefix(filepath.Base(f.Name), "._") { // skip macOS resource forks
			names = append(names, f.Name)
		}
	}
	base, err := pickLayer(names, layer, filepath.Base(path))
	if err != nil {
		zr.Close()
		return nil, err
	}
	return &shapeSet{
		name: filepath.Base(base),
		open: func(ext string) (io.ReadCloser, error) {
			for _, f := range zr.File {
				if strings.EqualFold(f.Name, base+ext) {
					rc, err := f.Open()
					if err != nil {
						return nil, fmt.Errorf("%w: %s in %s: %v", ErrFormat, f.Name, filepath.Base(path), err)
					}
					return rc, nil
				}
			}
			return nil, fmt.Errorf("%s%s: %w", base, ext, fs.ErrNotExist)
		},
		close: zr.Close,
	}, nil
}

// readShapefile reads the Shapefile at path record by record.
func readShapefile(ctx context.Context, path string, opts Options, emit func(*Record) error) error {
	set, err := openShapeSet(path, opts.Layer)
	if err != nil {
		return err
	}
	defer set.close()
	return readShapeSet(ctx, set, opts, emit)
}

func readShapeSet(ctx context.Context, set *shapeSet, opts Options, emit func(*Record) error) error {
	member := func(ext string, required bool) (io.ReadCloser, error) {
		rc, err := set.open(ext)
		if errors.Is(err, fs.ErrNotExist) && required {
			return nil, fmt.Errorf("%w: the Shapefile %s has no %s file: a Shapefile needs its .shp, .shx and .dbf together", ErrFormat, set.name, ext)
		}
		return rc, err
	}
	shp, err := member(".shp", true)
	if err != nil {
		return err
	}
	defer shp.Close()
	shx, err := member(".shx", true)
	if err != nil {
		return err
	}
	defer shx.Close()
	dbfFile, err := member(".dbf", true)
	if err != nil {
		return err
	}
	defer dbfFile.Close()
	if prj := readSmallMember(set, ".prj"); prj != "" {
		if err := opts.coords.usePRJ(".prj of the shapefile", []byte(prj)); err != nil {
			return err
		}
	}
	enc := opts.Encoding
	if enc == "" {
		if enc, err = ParseEncoding(cpgEncoding(readSmallMember(set, ".cpg"))); err != nil {
			opts.note(SeverityWarning, "", "the .cpg file names an unknown code page (%v); the encoding is detected instead", err)
			enc = ""
		}
	}
	table, err := openDBF(dbfFile, enc)
	if err != nil {
		return err
	}
	if opts.Encoding == "" && table.detected && table.enc != EncodingUTF8 {
		opts.note(SeverityNote, "", "attribute encoding %s detected (no .cpg file); give --encoding if it is wrong", table.enc)
	}
	for _, f := range table.skipped {
		opts.note(SeverityNote, "", "dBase field %q of type %c (memo or binary) is not imported", f.name, f.typ)
	}
	idCol, err := findIDColumn(table.names(), opts)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrFormat, err)
	}
	main, err := readShapeHeader(bufio.NewReaderSize(shp, 64<<10), "main file (.shp)")
	if err != nil {
		return err
	}
	index, err := readShapeHeader(bufio.NewReaderSize(shx, 16<<10), "index (.shx)")
	if err != nil {
		return err
	}
	if main.shapeType != index.shapeType {
		return fmt.Errorf("%w: the .shp and .shx files disagree on the shape type (%d, %d): they are not one Shapefile", ErrFormat, main.shapeType, index.shapeType)
	}
	if n := (index.length - 100) / 8; n != int64(table.count) {
		opts.note(SeverityWarning, "", "the index (.shx) lists %d shapes but the table (.dbf) has %d rows", n, table.count)
	}
	offset := int64(100)
	for n := 1; ; n++ {
		if n%1024 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		geom, recErr, err := main.next(n, &offset)
		if errors.Is(err, io.EOF) {
			if table.row < table.count {
				return fmt.Errorf("%w: the table (.dbf) has %d rows but the main file (.shp) only %d shapes", ErrFormat, table.count, n-1)
			}
			return nil
		}
		if err != nil {
			return err
		}
		if err := index.checkIndex(n, offset); err != nil {
			return err
		}
		props, err := table.next()
		if err != nil {
			return fmt.Errorf("%w: record %d: %v", ErrFormat, n, err)
		}
		rec := &Record{Line: n, Props: props, Geometry: geom}
		if idCol >= 0 {
			rec.ID, rec.IDColumn = textOf(props[idCol].Value), props[idCol].Name
		}
		if recErr != "" {
			rec.Geometry = nil
			rec.reject("geometry", recErr)
		}
		if err := emit(rec); err != nil {
			return err
		}
	}
}

// readSmallMember reads an optional small member (.prj, .cpg) as trimmed text.
func readSmallMember(set *shapeSet, ext string) string {
	rc, err := set.open(ext)
	if err != nil {
		return ""
	}
	defer rc.Close()
	b, _ := io.ReadAll(io.LimitReader(rc, 64<<10))
	return strings.TrimSpace(strings.TrimPrefix(string(b), "\ufeff"))
}

// cpgEncoding turns the content of a .cpg file ("UTF-8", "1258", "ANSI 1258"…)
// into an encoding name for ParseEncoding.
func cpgEncoding(cpg string) string {
	c := strings.TrimSpace(strings.TrimPrefix(strings.ToUpper(cpg), "ANSI"))
	switch c {
	case "65001":
		return "utf-8"
	case "1200":
		return "utf-16le"
	}
	return c
}

// shapeFile reads the records of a .shp (or the entries of a .shx) in order.
type shapeFile struct {
	r         *bufio.Reader
	what      string
	shapeType int32
	length    int64 // in bytes, from the header
	buf       []byte
}

func readShapeHeader(r *bufio.Reader, what string) (*shapeFile, error) {
	var h [100]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return nil, fmt.Errorf("%w: the %s is shorter than its 100-byte header", ErrFormat, what)
	}
	if code := binary.BigEndian.Uint32(h[0:]); code != 9994 {
		return nil, fmt.Errorf("%w: the %s is not a Shapefile (file code %d, want 9994)", ErrFormat, what, code)
	}
	if v := binary.LittleEndian.Uint32(h[28:]); v != 1000 {
		return nil, fmt.Errorf("%w: the %s has version %d, want 1000", ErrFormat, what, v)
	}
	return &shapeFile{r: r, what: what, shapeType: int32(binary.LittleEndian.Uint32(h[32:])),
		length: int64(binary.BigEndian.Uint32(h[24:])) * 2}, nil
}

// next reads record n. It returns the geometry, or a reason to reject this one
// record, or an error that stops the file (io.EOF at its end).
func (s *shapeFile) next(n int, offset *int64) (orb.Geometry, string, error) {
	var h [8]byte
	_, err := io.ReadFull(s.r, h[:])
	if err == io.EOF {
		return nil, "", io.EOF
	}
	if err != nil {
		return nil, "", fmt.Errorf("%w: the main file (.shp) ends inside the header of record %d (truncated?)", ErrFormat, n)
	}
	num := binary.BigEndian.Uint32(h[0:])
	size := int64(binary.BigEndian.Uint32(h[4:])) * 2
	if size > maxShapeRecord || size < 4 {
		return nil, "", fmt.Errorf("%w: record %d of the main file (.shp) claims %d bytes: the file is damaged", ErrFormat, n, size)
	}
	if int(num) != n {
		return nil, "", fmt.Errorf("%w: record %d of the main file (.shp) is numbered %d: the file is damaged", ErrFormat, n, num)
	}
	// read what is there rather than trusting the claimed size with one allocation
	s.buf = s.buf[:0]
	buf := bytes.NewBuffer(s.buf)
	if m, _ := io.CopyN(buf, s.r, size); m != size {
		return nil, "", fmt.Errorf("%w: the main file (.shp) ends inside record %d (truncated?)", ErrFormat, n)
	}
	b := buf.Bytes()
	s.buf = b
	*offset += 8 + size
	g, reason := decodeShape(b, s.shapeType)
	return g, reason, nil
}

// checkIndex reads index entry n and checks that it points at the record just
// read (which ended at end).
func (s *shapeFile) checkIndex(n int, end int64) error {
	var e [8]byte
	if _, err := io.ReadFull(s.r, e[:]); err != nil {
		return fmt.Errorf("%w: the index (.shx) has no entry for record %d (truncated, or not this Shapefile's index)", ErrFormat, n)
	}
	off := int64(binary.BigEndian.Uint32(e[0:])) * 2
	size := int64(binary.BigEndian.Uint32(e[4:])) * 2
	if off+8+size != end {
		return fmt.Errorf("%w: the index (.shx) entry %d does not match the main file (.shp): they are not one Shapefile", ErrFormat, n)
	}
	return nil
}

// decodeShape reads one record's content as a 2D geometry (Z and M are dropped).
func decodeShape(b []byte, fileType int32) (orb.Geometry, string) {
	typ := int32(binary.LittleEndian.Uint32(b))
	if typ != shapeNull && typ != fileType {
		return nil, fmt.Sprintf("shape type %d in a file of type %d", typ, fileType)
	}
	b = b[4:]
	switch typ {
	case shapeNull:
		return nil, "null shape (no geometry)"
	case shapePoint, shapePointZ, shapePointM:
		if len(b) < 16 {
			return nil, "point record too short"
		}
		return orb.Point{f64(b[0:]), f64(b[8:])}, ""
	case shapeMultiPoint, shapeMultiPointZ, shapeMultiPointM:
		if len(b) < 36 {
			return nil, "multipoint record too short"
		}
		n := int(binary.LittleEndian.Uint32(b[32:]))
		if n < 0 || n > (len(b)-36)/16 {
			return nil, fmt.Sprintf("multipoint claims %d points, more than the record holds", n)
		}
		mp := make(orb.MultiPoint, n)
		for i := range mp {
			mp[i] = orb.Point{f64(b[36+16*i:]), f64(b[44+16*i:])}
		}
		return mp, ""
	case shapePolyLine, shapePolyLineZ, shapePolyLineM, shapePolygon, shapePolygonZ, shapePolygonM:
		parts, reason := decodeParts(b)
		if reason != "" {
			return nil, reason
		}
		switch typ {
		case shapePolyLine, shapePolyLineZ, shapePolyLineM:
			if len(parts) == 1 {
				return orb.LineString(parts[0]), ""
			}
			ml := make(orb.MultiLineString, len(parts))
			for i, p := range parts {
				ml[i] = orb.LineString(p)
			}
			return ml, ""
		}
		return assemblePolygon(parts)
	case shapeMultiPatch:
		return nil, "MultiPatch shapes (3D surfaces) are not supported"
	}
	return nil, fmt.Sprintf("unknown shape type %d", typ)
}

// decodeParts reads the parts and points of a polyline or polygon record.
func decodeParts(b []byte) ([][]orb.Point, string) {
	if len(b) < 40 {
		return nil, "record too short"
	}
	nParts := int(int32(binary.LittleEndian.Uint32(b[32:])))
	nPoints := int(int32(binary.LittleEndian.Uint32(b[36:])))
	if nParts <= 0 || nPoints <= 0 {
		return nil, fmt.Sprintf("%d parts and %d points: empty shape", nParts, nPoints)
	}
	if nParts > (len(b)-40)/4 || nPoints > (len(b)-40-4*nParts)/16 {
		return nil, fmt.Sprintf("claims %d parts and %d points, more than the record holds", nParts, nPoints)
	}
	starts := make([]int, nParts+1)
	for i := 0; i < nParts; i++ {
		starts[i] = int(int32(binary.LittleEndian.Uint32(b[40+4*i:])))
	}
	starts[nParts] = nPoints
	pts := b[40+4*nParts:]
	parts := make([][]orb.Point, nParts)
	for i := range parts {
		lo, hi := starts[i], starts[i+1]
		if lo < 0 || hi > nPoints || lo >= hi {
			return nil, fmt.Sprintf("part %d has bad point indices %d–%d", i+1, lo, hi)
		}
		part := make([]orb.Point, hi-lo)
		for k := range part {
			o := 16 * (lo + k)
			part[k] = orb.Point{f64(pts[o:]), f64(pts[o+8:])}
		}
		parts[i] = part
	}
	return parts, ""
}

func f64(b []byte) float64 { return math.Float64frombits(binary.LittleEndian.Uint64(b)) }

// assemblePolygon turns Shapefile rings into a Polygon or MultiPolygon with
// RFC 7946 winding (exteriors counter-clockwise, holes clockwise). Shapefile
// exteriors are clockwise; each counter-clockwise ring is a hole of the smallest
// exterior that contains it, or an exterior of its own when none does (as GDAL
// reads such files).
func assemblePolygon(parts [][]orb.Point) (orb.Geometry, string) {
	type ring struct {
		r    orb.Ring
		area float64 // signed: negative for clockwise
	}
	var outers, holes []ring
	for i, p := range parts {
		r := orb.Ring(p)
		if len(r) < 4 {
			return nil, fmt.Sprintf("ring %d has %d points; a ring needs at least 4", i+1, len(r))
		}
		if r[0] != r[len(r)-1] {
			return nil, fmt.Sprintf("ring %d is not closed (first point %v, last %v)", i+1, r[0], r[len(r)-1])
		}
		a := signedArea(r)
		if a == 0 {
			return nil, fmt.Sprintf("ring %d has no area", i+1)
		}
		if a < 0 {
			outers = append(outers, ring{r, a})
		} else {
			holes = append(holes, ring{r, a})
		}
	}
	if len(outers) == 0 { // wound the wrong way round: take every ring as an exterior
		outers, holes = holes, nil
	}
	polys := make([]orb.Polygon, len(outers))
	for i, o := range outers {
		polys[i] = orb.Polygon{ccw(o.r)}
	}
	for _, h := range holes {
		best := -1
		for i, o := range outers {
			if ringContains(o.r, h.r) && (best < 0 || math.Abs(o.area) < math.Abs(outers[best].area)) {
				best = i
			}
		}
		if best < 0 {
			polys = append(polys, orb.Polygon{ccw(h.r)})
			continue
		}
		polys[best] = append(polys[best], cw(h.r))
	}
	if len(polys) == 1 {
		return polys[0], ""
	}
	return orb.MultiPolygon(polys), ""
}

// signedArea is twice the ring's area, positive when counter-clockwise (x east, y north).
func signedArea(r orb.Ring) float64 {
	a := 0.0
	for i := 0; i+1 < len(r); i++ {
		a += r[i][0]*r[i+1][1] - r[i+1][0]*r[i][1]
	}
	return a
}

func ccw(r orb.Ring) orb.Ring {
	if signedArea(r) < 0 {
		return reversed(r)
	}
	return r
}

func cw(r orb.Ring) orb.Ring {
	if signedArea(r) > 0 {
		return reversed(r)
	}
	return r
}

func reversed(r orb.Ring) orb.Ring {
	out := make(orb.Ring, len(r))
	for i, p := range r {
		out[len(r)-1-i] = p
	}
	return out
}

// ringContains reports whether inner lies inside outer, judged by its vertices:
// holes may touch their exterior, so one vertex strictly inside suffices unless
// a vertex lies strictly outside.
func ringContains(outer, inner orb.Ring) bool {
	inside := false
	for _, p := range inner[:len(inner)-1] {
		switch pointInRing(outer, p) {
		case -1:
			return false
		case 1:
			inside = true
		}
	}
	return inside
}

// pointInRing is 1 inside, -1 outside, 0 on the boundary (even-odd rule).
func pointInRing(r orb.Ring, p orb.Point) int {
	in := false
	for i, j := 0, len(r)-1; i < len(r); j, i = i, i+1 {
		a, b := r[i], r[j]
		if onSegment(a, b, p) {
			return 0
		}
		if (a[1] > p[1]) != (b[1] > p[1]) && p[0] < (b[0]-a[0])*(p[1]-a[1])/(b[1]-a[1])+a[0] {
			in = !in
		}
	}
	if in {
		return 1
	}
	return -1
}

func onSegment(a, b, p orb.Point) bool {
	cross := (b[0]-a[0])*(p[1]-a[1]) - (b[1]-a[1])*(p[0]-a[0])
	if cross != 0 {
		return false
	}
	return p[0] >= math.Min(a[0], b[0]) && p[0] <= math.Max(a[0], b[0]) && p[1] >= math.Min(a[1], b[1]) && p[1] <= math.Max(a[1], b[1])
}
