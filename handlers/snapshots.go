package handlers

import (
	"slices"
	"sync"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"github.com/vn-opendata/geodata/catalog"
)

// snapshotIndex is what the handlers derive from a snapshot once and keep while
// it is current: the times of its temporal property (for datetime) and the
// Vietnamese alphabetical rank of each text property's values (for sortby).
type snapshotIndex struct {
	snap     *catalog.Snapshot
	temporal *temporalIndex // nil when the collection declares no temporal property

	mu    sync.Mutex
	ranks map[int][]int32 // property → rank of each feature's value
}

// snapshotIndexes holds the index of the current snapshot of each collection.
type snapshotIndexes struct {
	mu   sync.Mutex
	byID map[string]*snapshotIndex
}

// of returns the index of snap, building it on first use.
func (si *snapshotIndexes) of(snap *catalog.Snapshot) *snapshotIndex {
	si.mu.Lock()
	defer si.mu.Unlock()
	if x := si.byID[snap.ID()]; x != nil && x.snap == snap {
		return x
	}
	x := &snapshotIndex{snap: snap, ranks: map[int][]int32{}}
	if prop, ok := snap.Property(snap.Collection.TemporalProperty); ok && snap.Collection.TemporalProperty != "" {
		x.temporal = newTemporalIndex(snap, prop)
	}
	if si.byID == nil {
		si.byID = map[string]*snapshotIndex{}
	}
	si.byID[snap.ID()] = x // the previous snapshot's index goes with it
	return x
}

// textRanks returns, for text property prop, each feature's rank in Vietnamese
// alphabetical order (equal texts share a rank; features without a value -1).
func (x *snapshotIndex) textRanks(prop int) []int32 {
	x.mu.Lock()
	defer x.mu.Unlock()
	if r, ok := x.ranks[prop]; ok {
		return r
	}
	coll := collate.New(language.Vietnamese)
	var buf collate.Buffer
	keys := make([][]byte, len(x.snap.Features))
	order := make([]int32, 0, len(x.snap.Features))
	for i := range x.snap.Features {
		if s, ok := x.snap.Features[i].Props[prop].(string); ok {
			keys[i] = slices.Clone(coll.KeyFromString(&buf, s))
			buf.Reset()
			order = append(order, int32(i))
		}
	}
	slices.SortFunc(order, func(a, b int32) int { return slices.Compare(keys[a], keys[b]) })
	ranks := make([]int32, len(x.snap.Features))
	for i := range ranks {
		ranks[i] = -1
	}
	rank := int32(0)
	for k, i := range order {
		if k > 0 && !slices.Equal(keys[i], keys[order[k-1]]) {
			rank++
		}
		ranks[i] = rank
	}
	x.ranks[prop] = ranks
	return ranks
}
