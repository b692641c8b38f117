// Package catalog holds the collections of the service: their metadata, the
// region profile and agencies, and one immutable in-memory Snapshot per collection,
// replaced whole by an atomic pointer swap when PostGIS notifies a change. It may
// import geo and store, never handlers.
package catalog

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vn-opendata/geodata/store"
)

// Catalog is the set of snapshots a server answers from.
type Catalog struct {
	db     *store.DB
	log    *slog.Logger
	Region *Region

	snaps    atomic.Pointer[snapshotSet]
	updateMu sync.Mutex // serializes copy-on-write updates of snaps
	locks    sync.Map   // collection id → *sync.Mutex: one reload at a time per collection
	deltas   atomic.Int64
	dbUp     atomic.Bool
	loaded   atomic.Bool
	reloads  atomic.Int64
}

// snapshotSet is an immutable map of the current snapshots; a change copies it.
type snapshotSet struct {
	byID  map[string]*Snapshot
	order []*Snapshot // catalogue number, then id
}

// New returns an empty catalog reading from db.
func New(db *store.DB, region *Region, log *slog.Logger) *Catalog {
	c := &Catalog{db: db, log: log, Region: region}
	c.snaps.Store(&snapshotSet{byID: map[string]*Snapshot{}})
	return c
}

// Snapshot returns the current snapshot of collection id.
func (c *Catalog) Snapshot(id string) (*Snapshot, bool) {
	s, ok := c.snaps.Load().byID[id]
	return s, ok
}

// Snapshots returns the current snapshots in catalogue order.
func (c *Catalog) Snapshots() []*Snapshot { return c.snaps.Load().order }

// Ready reports whether every collection has been loaded once.
func (c *Catalog) Ready() bool { return c.loaded.Load() }

// DatabaseUp reports whether the notification connection is alive.
func (c *Catalog) DatabaseUp() bool { return c.dbUp.Load() }

// Reloads counts full snapshot loads since start.
func (c *Catalog) Reloads() int64 { return c.reloads.Load() }

// Deltas counts item writes applied to snapshots as deltas since start.
func (c *Catalog) Deltas() int64 { return c.deltas.Load() }

// LoadAll loads every collection of the database.
func (c *Catalog) LoadAll(ctx context.Context) error {
	cols, err := c.db.Collections(ctx)
	if err != nil {
		return fmt.Errorf("list collections: %w", err)
	}
	for _, col := range cols {
		if err := c.reload(ctx, col.ID, col.Version); err != nil {
			return err
		}
	}
	c.loaded.Store(true)
	return nil
}

// Run follows the database's change notifications until ctx ends.
func (c *Catalog) Run(ctx context.Context) error {
	return c.db.Listen(ctx, listener{c}, c.log)
}

// listener adapts the catalog to store.Listener without exporting the callbacks.
type listener struct{ c *Catalog }

func (l listener) Connected(ctx context.Context) {
	l.c.dbUp.Store(true)
	go l.c.catchUp(ctx)
}

func (l listener) Disconnected(error) { l.c.dbUp.Store(false) }

func (l listener) Changed(ctx context.Context, ch store.Change) {
	go func() {
		if err := l.c.Apply(ctx, ch); err != nil && ctx.Err() == nil {
			l.c.log.Error("reload collection", "collection", ch.Collection, "version", ch.Version, "err", err)
		}
	}()
}

// Apply brings the snapshot of the change's collection up to the change's
// version, as its notification does. A writer calls it after committing, so
// that its next read on this server sees its write; the notification, arriving
// later, then finds nothing left to do.
func (c *Catalog) Apply(ctx context.Context, ch store.Change) error {
	if ch.Kind == "delta" {
		return c.applyDelta(ctx, ch)
	}
	return c.reload(ctx, ch.Collection, ch.Version)
}

// catchUp compares versions after a (re)connection, since notifications sent while
// the service was disconnected were lost, and reloads what changed or appeared.
func (c *Catalog) catchUp(ctx context.Context) {
	versions, err := c.db.Versions(ctx)
	if err != nil {
		c.log.Warn("compare versions after reconnect", "err", err)
		return
	}
	for id, v := range versions {
		if s, ok := c.Snapshot(id); ok && s.Version() >= v {
			continue
		}
		if err := c.reload(ctx, id, v); err != nil {
			c.log.Error("catch up collection", "collection", id, "err", err)
		}
	}
	for _, s := range c.Snapshots() {
		if _, ok := versions[s.ID()]; !ok {
			c.remove(s.ID())
		}
	}
}

// reload loads collection id unless the current snapshot already holds version
// atLeast or newer.
func (c *Catalog) reload(ctx context.Context, id string, atLeast int64) error {
	mu, _ := c.locks.LoadOrStore(id, &sync.Mutex{})
	mu.(*sync.Mutex).Lock()
	defer mu.(*sync.Mutex).Unlock()
	if s, ok := c.Snapshot(id); ok && s.Version() >= atLeast {
		return nil
	}
	start := time.Now()
	snap, err := c.load(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		c.remove(id)
		return nil
	}
	if err != nil {
		return err
	}
	c.put(snap)
	c.reloads.Add(1)
	c.log.Info("snapshot loaded", "collection", id, "version", snap.Version(), "features", len(snap.Features),
		"ms", time.Since(start).Milliseconds())
	return nil
}

// load reads a collection and its current generation into a new snapshot.
func (c *Catalog) load(ctx context.Context, id string) (*Snapshot, error) {
	var b *SnapshotBuilder
	err := c.db.LoadCollection(ctx, id, nil, func(col store.Collection) error {
		b = NewSnapshotBuilder(col)
		return nil
	}, func(sf *store.StoredFeature) error { return b.Add(sf) })
	if err != nil {
		return nil, fmt.Errorf("load collection %s: %w", id, err)
	}
	return b.Build(), nil
}

// applyDelta derives a new snapshot from the current one and the changed features
// of an item write, instead of reloading the whole collection. When the delta does
// not follow the current version (a missed or reordered notification) or changes
// the schema, it falls back to a full reload.
func (c *Catalog) applyDelta(ctx context.Context, ch store.Change) error {
	mu, _ := c.locks.LoadOrStore(ch.Collection, &sync.Mutex{})
	mu.(*sync.Mutex).Lock()
	old, ok := c.Snapshot(ch.Collection)
	if ok && old.Version() >= ch.Version {
		mu.(*sync.Mutex).Unlock()
		return nil
	}
	var snap *Snapshot
	if ok && old.Version() == ch.Version-1 {
		var err error
		if snap, err = c.loadDelta(ctx, old, ch.IDs); err != nil {
			mu.(*sync.Mutex).Unlock()
			return err
		}
	}
	if snap == nil || snap.Version() != ch.Version {
		mu.(*sync.Mutex).Unlock()
		return c.reload(ctx, ch.Collection, ch.Version)
	}
	c.put(snap)
	c.deltas.Add(1)
	mu.(*sync.Mutex).Unlock()
	return nil
}

// loadDelta reads the changed features and builds the next snapshot; nil when the
// change cannot be applied as a delta.
func (c *Catalog) loadDelta(ctx context.Context, old *Snapshot, ids []string) (*Snapshot, error) {
	if ids == nil {
		ids = []string{} // a change of the metadata alone: no feature to read
	}
	var col store.Collection
	changed := map[string]*Feature{}
	var b *SnapshotBuilder
	err := c.db.LoadCollection(ctx, old.ID(), ids, func(cl store.Collection) error {
		col = cl
		b = NewSnapshotBuilder(cl)
		return nil
	}, func(sf *store.StoredFeature) error {
		f, err := b.decode(sf)
		changed[f.ID] = f
		return err
	})
	if err != nil {
		return nil, err
	}
	if col.Generation != old.Collection.Generation || !sameSchema(col.Schema, old.Collection.Schema) {
		return nil, nil
	}
	return old.withChanges(col, ids, changed), nil
}

// put swaps in a new set holding snap.
func (c *Catalog) put(snap *Snapshot) {
	c.update(func(m map[string]*Snapshot) { m[snap.ID()] = snap })
}

func (c *Catalog) remove(id string) {
	c.update(func(m map[string]*Snapshot) { delete(m, id) })
}

func (c *Catalog) update(change func(map[string]*Snapshot)) {
	c.updateMu.Lock()
	defer c.updateMu.Unlock()
	old := c.snaps.Load()
	m := make(map[string]*Snapshot, len(old.byID)+1)
	for k, v := range old.byID {
		m[k] = v
	}
	change(m)
	order := make([]*Snapshot, 0, len(m))
	for _, s := range m {
		order = append(order, s)
	}
	sort.Slice(order, func(i, j int) bool {
		a, b := order[i].Collection, order[j].Collection
		if (a.CatalogNo == 0) != (b.CatalogNo == 0) {
			return a.CatalogNo != 0
		}
		if a.CatalogNo != b.CatalogNo {
			return a.CatalogNo < b.CatalogNo
		}
		return a.ID < b.ID
	})
	c.snaps.Store(&snapshotSet{byID: m, order: order})
}
