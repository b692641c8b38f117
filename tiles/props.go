package tiles

import (
	"encoding/json"

	"github.com/vn-opendata/geodata/catalog"
)

// IDProperty is the property holding a feature's string id in every tile, so
// that a client can link a feature to /collections/{id}/items/{featureId}; the
// MVT feature id is the feature's number (catalog.Feature.NumID).
const IDProperty = "id"

// CountProperty is the property of a cluster: how many points it stands for.
const CountProperty = "point_count"

// propLevel is how many properties a layer carries: the configured rule, the
// light ones only, or none but the id, as a tile shrinks to fit MaxBytes.
type propLevel int

const (
	propsByRule propLevel = iota
	propsLight
	propsBare
)

// layerInfo is what the layers of one snapshot need to know once per version.
type layerInfo struct {
	opts   LayerOptions
	cost   []float64 // per schema position: estimated bytes per feature
	heavy  []bool    // per schema position: costs more than opts.HeavyBytes per feature
	points *pointIndex
}

// sampleSize bounds the features read to weigh properties: enough for a stable
// average, cheap on a million features.
const sampleSize = 20_000

// analyse weighs the properties of snap: a property's cost per feature is its
// tag (2 bytes) plus its value's bytes shared among the features with the same
// value, since a layer stores each distinct value once.
func analyse(snap *catalog.Snapshot, opts LayerOptions) *layerInfo {
	schema := snap.Collection.Schema
	info := &layerInfo{opts: opts, cost: make([]float64, len(schema)), heavy: make([]bool, len(schema)), points: newPointIndex(snap)}
	n := len(snap.Features)
	if n == 0 {
		return info
	}
	step := max(1, n/sampleSize)
	for i := range schema {
		distinct := map[any]int{}
		count, total := 0, 0
		for j := 0; j < n; j += step {
			v := snap.Features[j].Props[i]
			if v == nil {
				continue
			}
			count++
			key, size := valueKey(v)
			if _, seen := distinct[key]; !seen {
				distinct[key] = size
				total += size
			}
		}
		if count == 0 {
			continue
		}
		info.cost[i] = 2 + float64(total)/float64(count)
		info.heavy[i] = info.cost[i] > float64(opts.HeavyBytes)
	}
	return info
}

// valueKey is a comparable form of a property value and its encoded size.
func valueKey(v any) (any, int) {
	switch v := v.(type) {
	case string:
		return v, len(v) + 3
	case int64, float64:
		return v, 9
	case bool:
		return v, 2
	}
	b, _ := json.Marshal(v) // nested values decoded from JSON always marshal
	return string(b), len(b) + 3
}

// properties lists the schema positions a layer carries at zoom z.
func (info *layerInfo) properties(snap *catalog.Snapshot, z int, level propLevel) []int {
	if level == propsBare {
		return nil
	}
	var out []int
	for i, p := range snap.Collection.Schema {
		if p.Name == IDProperty {
			continue // the id property is always the feature's id
		}
		if level == propsLight && info.heavy[i] {
			continue
		}
		if from, ok := info.opts.PropertyZoom[p.Name]; ok {
			if from >= 0 && z >= from {
				out = append(out, i)
			}
			continue
		}
		if !info.heavy[i] || z >= info.opts.HeavyZoom {
			out = append(out, i)
		}
	}
	return out
}

// propertyZoom is the zoom from which property i is in the tiles (by rule), -1 never.
func (info *layerInfo) propertyZoom(snap *catalog.Snapshot, i int) int {
	if from, ok := info.opts.PropertyZoom[snap.Collection.Schema[i].Name]; ok {
		return from
	}
	if info.heavy[i] {
		return info.opts.HeavyZoom
	}
	return 0
}

// tileValue is a property value as MVT stores it; nested values become JSON text.
func tileValue(v any) any {
	switch v := v.(type) {
	case string, int64, float64, bool:
		return v
	}
	b, _ := json.Marshal(v)
	return string(b)
}
