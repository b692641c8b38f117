package catalog

import (
	"bytes"
	"encoding/json"
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
func (s *Snapshot) Intersecting(b orb.Bound, fn func(i int32, f *Feature) bool) {
	var hits []int32
	s.Index.Search(b, func(i int32) bool {
		hits = append(hits, i)
		return true
	})
	slices.Sort(hits) // the tree yields spatial order; pages need source order
	for _, i := range hits {
		f := &s.Features[i]
		if geo.IntersectsBound(f.Geom, b) && !fn(i, f) {
			return
		}
	}
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
	props, err := decodeProps(sf.Properties, b.snap.Collection.Schema)
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

// decodeProps turns a stored JSON object into values in schema order.
func decodeProps(raw []byte, schema []store.Property) ([]any, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("properties: %w", err)
	}
	out := make([]any, len(schema))
	for i, p := range schema {
		v, ok := m[p.Name]
		if !ok || string(v) == "null" {
			continue
		}
		val, err := decodeValue(v, p.Type)
		if err != nil {
			return nil, fmt.Errorf("property %q: %w", p.Name, err)
		}
		out[i] = val
	}
	return out, nil
}

func decodeValue(v json.RawMessage, typ string) (any, error) {
	switch typ {
	case "integer":
		var n int64
		if err := json.Unmarshal(v, &n); err != nil {
			return nil, err
		}
		return n, nil
	case "number":
		var f float64
		if err := json.Unmarshal(v, &f); err != nil {
			return nil, err
		}
		return f, nil
	case "boolean":
		var b bool
		if err := json.Unmarshal(v, &b); err != nil {
			return nil, err
		}
		return b, nil
	case "string", "date", "date-time":
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return nil, err
		}
		return s, nil
	}
	var x any // nested objects and arrays are kept as they are
	err := json.Unmarshal(v, &x)
	return x, err
}

// EncodeFeature writes f as a GeoJSON Feature with every schema property, in schema
// order, null when absent, and numbers of type "number" with a decimal point, so
// that clients typing fields from the first features (QGIS) see them as reals.
func EncodeFeature(f *Feature, schema []store.Property) ([]byte, error) {
	geom := geo.AppendGeoJSON(nil, f.Geom)
	var buf bytes.Buffer
	buf.Grow(len(geom) + 64 + 24*len(schema))
	buf.WriteString(`{"type":"Feature","id":`)
	writeJSONString(&buf, f.ID)
	buf.WriteString(`,"geometry":`)
	buf.Write(geom)
	buf.WriteString(`,"properties":{`)
	for i, p := range schema {
		if i > 0 {
			buf.WriteByte(',')
		}
		writeJSONString(&buf, p.Name)
		buf.WriteByte(':')
		if err := WriteValue(&buf, f.Props[i], p.Type); err != nil {
			return nil, fmt.Errorf("property %q: %w", p.Name, err)
		}
	}
	buf.WriteString("}}")
	return buf.Bytes(), nil
}

// WriteValue writes one property value as JSON.
func WriteValue(buf *bytes.Buffer, v any, typ string) error {
	switch v := v.(type) {
	case nil:
		buf.WriteString("null")
	case int64:
		if typ == "number" {
			buf.WriteString(FormatNumber(float64(v)))
			return nil
		}
		buf.WriteString(strconv.FormatInt(v, 10))
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			buf.WriteString("null")
			return nil
		}
		buf.WriteString(FormatNumber(v))
	case bool:
		buf.WriteString(strconv.FormatBool(v))
	case string:
		writeJSONString(buf, v)
	default:
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		buf.Write(b)
	}
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

func writeJSONString(buf *bytes.Buffer, s string) {
	b, _ := json.Marshal(s) // a string always marshals
	buf.Write(b)
}
