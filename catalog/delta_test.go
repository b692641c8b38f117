package catalog_test

import (
	"context"
	"errors"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/ewkb"

	"github.com/vn-opendata/geodata/catalog"
	"github.com/vn-opendata/geodata/store"
	"github.com/vn-opendata/geodata/store/storetest"
)

func point(t *testing.T, lon, lat float64) []byte {
	b, err := ewkb.Marshal(orb.Point{lon, lat}, 4326)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func found(s *catalog.Snapshot, b orb.Bound, id string) bool {
	hit := false
	s.Intersecting(b, func(_ int32, f *catalog.Feature) bool {
		hit = hit || f.ID == id
		return true
	})
	return hit
}

// Item writes reach the snapshot as deltas: no full reload, the index follows,
// and optimistic concurrency refuses stale writers.
func TestItemWritesApplyAsDeltas(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	db := storetest.Open(t)
	r := region(t)
	importPoints(t, db, r, "delta", 100, 1)
	cat := catalog.New(db, r, quietLog())
	if err := cat.LoadAll(ctx); err != nil {
		t.Fatal(err)
	}
	go cat.Run(ctx)
	waitFor(t, "listener", cat.DatabaseUp)
	reloads := cat.Reloads()
	s0, _ := cat.Snapshot("delta")
	schema := s0.Collection.Schema
	audit := store.ItemAudit{Actor: "test"}
	near := orb.Bound{Min: orb.Point{106.9, 21.5}, Max: orb.Point{106.91, 21.51}}

	v, err := db.WriteItem(ctx, "delta", store.ItemChange{Action: "create", ID: "new", NumID: 42,
		EWKB: point(t, 106.905, 21.505), Properties: []byte(`{"id":"new","tag":7}`)}, audit)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "create", func() bool { s, _ := cat.Snapshot("delta"); return s.Version() == v })
	s1, _ := cat.Snapshot("delta")
	if f := s1.Feature("new"); f == nil || f.Props[1] != int64(7) || f.Rev != v || !found(s1, near, "new") {
		t.Fatalf("created feature: %+v", f)
	}
	if len(s1.Features) != 101 || s1.Features[100].ID != "new" {
		t.Fatal("a created feature is appended")
	}
	if found(s0, near, "new") || len(s0.Features) != 100 {
		t.Fatal("the previous snapshot changed")
	}

	_, err = db.WriteItem(ctx, "delta", store.ItemChange{Action: "create", ID: "new", NumID: 42,
		EWKB: point(t, 106.905, 21.505), Properties: []byte(`{}`)}, audit)
	if !errors.Is(err, store.ErrConflict) {
		t.Fatalf("second create: %v", err)
	}
	stale := int64(0)
	_, err = db.WriteItem(ctx, "delta", store.ItemChange{Action: "update", ID: "new", IfRev: &stale,
		Properties: []byte(`{"tag":8}`)}, audit)
	if !errors.Is(err, store.ErrPrecondition) {
		t.Fatalf("update with a stale revision: %v", err)
	}
	v, err = db.WriteItem(ctx, "delta", store.ItemChange{Action: "update", ID: "p3", EWKB: point(t, 106.9, 21.5),
		Properties: []byte(`{"tag":null}`)}, audit)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "update", func() bool { s, _ := cat.Snapshot("delta"); return s.Version() == v })
	s2, _ := cat.Snapshot("delta")
	if f := s2.Feature("p3"); f.Props[1] != nil || f.Props[0] != "p3" || !found(s2, near, "p3") || s2.Features[3].ID != "p3" {
		t.Fatalf("patched feature: %+v", f)
	}
	if found(s2, orb.Bound{Min: orb.Point{106.0029, 21.29}, Max: orb.Point{106.0031, 21.31}}, "p3") {
		t.Fatal("the index still has p3 at its old position")
	}

	v, err = db.WriteItem(ctx, "delta", store.ItemChange{Action: "delete", ID: "p0"}, audit)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "delete", func() bool { s, _ := cat.Snapshot("delta"); return s.Version() == v })
	s3, _ := cat.Snapshot("delta")
	if s3.Feature("p0") != nil || len(s3.Features) != 100 || s3.Features[0].ID != "p1" || !found(s3, near, "new") {
		t.Fatal("delete not applied")
	}
	if cat.Reloads() != reloads || cat.Deltas() != 3 {
		t.Fatalf("reloads %d→%d, deltas %d: item writes must apply as deltas", reloads, cat.Reloads(), cat.Deltas())
	}
	c, _ := db.Collection(ctx, "delta")
	if c.FeatureCount != 100 || c.Version != v || len(c.Schema) != len(schema) {
		t.Fatalf("collection after writes: %+v", c)
	}
	var changed []string
	db.Pool.QueryRow(ctx, "SELECT changed_ids FROM collection_versions WHERE collection_id = 'delta' AND version = $1", v).Scan(&changed)
	if len(changed) != 1 || changed[0] != "p0" {
		t.Fatalf("audit of the delete: %v", changed)
	}
}
