package catalog

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"github.com/vn-opendata/geodata/geo"
	"github.com/vn-opendata/geodata/store"
)

// Feature is one feature of a snapshot. Props holds the values in schema order:
// int64, float64, bool or string (dates as ISO strings), nil for null.
type Feature struct {
	ID    string
	NumID uint64
	Rev   int64 // collection version of the feature's last item write; 0: as imported
	Geom  orb.Geometry
	Bound orb.Bound // the feature's box in the index: geo.GeodesicBound, which holds its edges' bulge
	Props []any
	JSON  []byte // the GeoJSON Feature, encoded once at load
}

// Snapshot is an immutable, in-memory version of one collection: its metadata,
// its features with their pre-encoded GeoJSON, an R-tree over them, and the
// version number. A request works on one snapshot from start to end.
type Snapshot struct {
	Collection store.Collection
	Features   []Feature
	Index      *geo.Index
	LoadedAt   time.Time
	byID       map[string]int32
	byName     map[string]int
	names      searchNames // for name search, see names.go
	grid       densityGrid // for Intersecting, see density.go
}

// Version is the collection version the snapshot holds.
func (s *Snapshot) Version() int64 { return s.Collection.Version }

// ID is the collection id.
func (s *Snapshot) ID() string { return s.Collection.ID }

// Feature returns the feature with id, or nil.
func (s *Snapshot) Feature(id string) *Feature {
	i, ok := s.byID[id]
	if !ok {
		return nil
	}
	return &s.Features[i]
}

// Property returns the schema position of the property called name.
func (s *Snapshot) Property(name string) (int, bool) {
	i, ok := s.byName[name]
	return i, ok
}

// Intersecting calls fn, in source order, with the position and the feature of
// every feature intersecting b (exactly, not only by bounding box).
//
// A small box is answered by the R-tree and its hits sorted back into source
// order. When the box holds more than a twelfth of the collection, a scan of
// the bounding boxes in source order is cheaper than collecting and sorting the
// hits: a density grid tells which case a box is before anything is collected,
// and a search that collects more hits than that gives up and scans.
func (s *Snapshot) Intersecting(b orb.Bound, fn func(i int32, f *Feature) bool) {
	limit := max(len(s.Features)/12, 1024)
	if s.density().estimate(b) <= limit {
		hits := make([]int32, 0, 256)
		s.Index.Search(b, func(i int32) bool {
			hits = append(hits, i)
			return len(hits) <= limit
		})
		if len(hits) <= limit {
			slices.Sort(hits) // the tree yields spatial order; pages need source order
			for _, i := range hits {
				f := &s.Features[i]
				if exactlyIntersects(f, b) && !fn(i, f) {
					return
				}
			}
			return
		}
	}
	for i := range s.Features {
		f := &s.Features[i]
		if boxesMeet(&f.Bound, &b) && exactlyIntersects(f, b) && !fn(int32(i), f) {
			return
		}
	}
}

// boxesMeet is orb.Bound.Intersects for boxes that are not empty, inlined for
// the scan of a million boxes.
func boxesMeet(a, b *orb.Bound) bool {
	return a.Min[0] <= b.Max[0] && a.Max[0] >= b.Min[0] && a.Min[1] <= b.Max[1] && a.Max[1] >= b.Min[1]
}

// exactlyIntersects tests a feature whose bounding box intersects b; for a
// point the box test was already exact.
func exactlyIntersects(f *Feature, b orb.Bound) bool {
	if _, ok := f.Geom.(orb.Point); ok {
		return true
	}
	return geo.IntersectsBound(f.Geom, b)
}

// SnapshotBuilder assembles a snapshot from stored rows.
type SnapshotBuilder struct {
	snap *Snapshot
}

// NewSnapshotBuilder starts a snapshot of collection c.
func NewSnapshotBuilder(c store.Collection) *SnapshotBuilder {
	s := &Snapshot{
		Collection: c,
		Features:   make([]Feature, 0, c.FeatureCount),
		byID:       make(map[string]int32, c.FeatureCount),
		byName:     make(map[string]int, len(c.Schema)),
	}
	for i, p := range c.Schema {
		s.byName[p.Name] = i
	}
	return &SnapshotBuilder{snap: s}
}

// Add decodes a stored feature and appends it.
func (b *SnapshotBuilder) Add(sf *store.StoredFeature) error {
	f, err := b.decode(sf)
	if err != nil {
		return err
	}
	b.snap.byID[f.ID] = int32(len(b.snap.Features))
	b.snap.Features = append(b.snap.Features, *f)
	return nil
}

// decode turns a stored row into a feature with its pre-encoded GeoJSON.
func (b *SnapshotBuilder) decode(sf *store.StoredFeature) (*Feature, error) {
	g, err := wkb.Unmarshal(sf.WKB)
	if err != nil {
		return nil, fmt.Errorf("feature %s: geometry: %w", sf.ID, err)
	}
	props, err := decodeProps(sf.Properties, b.snap.Collection.Schema, b.snap.byName)
	if err != nil {
		return nil, fmt.Errorf("feature %s: %w", sf.ID, err)
	}
	f := &Feature{ID: sf.ID, NumID: uint64(sf.NumID), Rev: sf.Rev, Geom: g, Bound: geo.GeodesicBound(g), Props: props}
	f.JSON, err = EncodeFeature(f, b.snap.Collection.Schema)
	if err != nil {
		return nil, fmt.Errorf("feature %s: %w", sf.ID, err)
	}
	return f, nil
}

// withChanges derives the next snapshot: features of ids are replaced by their
// changed version, removed when absent from changed, or appended when new. The
// old snapshot is not modified; the index is copied on write, or rebuilt when
// features were removed (positions shift).
func (s *Snapshot) withChanges(col store.Collection, ids []string, changed map[string]*Feature) *Snapshot {
	next := &Snapshot{Collection: col, byName: s.byName, LoadedAt: time.Now()}
	removed := false
	for _, id := range ids {
		if _, ok := changed[id]; !ok && s.Feature(id) != nil {
			removed = true
		}
	}
	next.Features = make([]Feature, 0, len(s.Features)+len(ids))
	next.byID = make(map[string]int32, len(s.Features)+len(ids))
	for i := range s.Features {
		f := &s.Features[i]
		if nf, ok := changed[f.ID]; ok {
			f = nf
		} else if slices.Contains(ids, f.ID) {
			continue // deleted
		}
		next.byID[f.ID] = int32(len(next.Features))
		next.Features = append(next.Features, *f)
	}
	for _, id := range ids {
		if nf, ok := changed[id]; ok && s.Feature(id) == nil {
			next.byID[id] = int32(len(next.Features))
			next.Features = append(next.Features, *nf)
		}
	}
	if removed {
		next.Index = indexOf(next.Features)
		return next
	}
	next.Index = s.Index.Copy()
	for _, id := range ids {
		i := next.byID[id]
		if old := s.Feature(id); old != nil {
			next.Index.Delete(old.Bound, i)
		}
		next.Index.Insert(next.Features[i].Bound, i)
	}
	return next
}

func sameSchema(a, b []store.Property) bool { return slices.Equal(a, b) }

// Build indexes the features and returns the finished snapshot.
func (b *SnapshotBuilder) Build() *Snapshot {
	s := b.snap
	s.Index = indexOf(s.Features)
	s.LoadedAt = time.Now()
	return s
}

func indexOf(features []Feature) *geo.Index {
	bounds := make([]orb.Bound, len(features))
	for i := range features {
		bounds[i] = features[i].Bound
	}
	return geo.IndexOf(bounds)
}

// EncodeFeature writes f as a GeoJSON Feature with every schema property, in schema
// order, null when absent, and numbers of type "number" with a decimal point, so
// that clients typing fields from the first features (QGIS) see them as reals.
func EncodeFeature(f *Feature, schema []store.Property) ([]byte, error) {
	dst := make([]byte, 0, encodedSize(f, schema))
	dst = append(dst, `{"type":"Feature","id":`...)
	dst = AppendJSONString(dst, f.ID)
	dst = append(dst, `,"geometry":`...)
	dst = geo.AppendGeoJSON(dst, f.Geom)
	dst = append(dst, `,"properties":{`...)
	var err error
	for i, p := range schema {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = AppendJSONString(dst, p.Name)
		dst = append(dst, ':')
		if dst, err = AppendValue(dst, f.Props[i], p.Type); err != nil {
			return nil, fmt.Errorf("property %q: %w", p.Name, err)
		}
	}
	return append(dst, "}}"...), nil
}

// encodedSize estimates the length of a feature's GeoJSON, so it is encoded into
// one allocation.
func encodedSize(f *Feature, schema []store.Property) int {
	n := 96 + len(f.ID) + 40*geo.PointCount(f.Geom)
	for i, p := range schema {
		n += len(p.Name) + 8
		if s, ok := f.Props[i].(string); ok {
			n += len(s) + 2
		} else {
			n += 16
		}
	}
	return n
}

// WriteValue writes one property value as JSON.
func WriteValue(buf *bytes.Buffer, v any, typ string) error {
	b, err := AppendValue(buf.AvailableBuffer(), v, typ)
	if err != nil {
		return err
	}
	buf.Write(b)
	return nil
}

// FormatNumber formats a real with the shortest exact digits and always a decimal
// point or exponent: 3 → "3.0".
func FormatNumber(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e21 {
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}
