package catalog_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vn-opendata/geodata/catalog"
	"github.com/vn-opendata/geodata/ingest"
	"github.com/vn-opendata/geodata/store"
	"github.com/vn-opendata/geodata/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func importPoints(t *testing.T, db *store.DB, region *catalog.Region, collection string, n, tag int) int64 {
	t.Helper()
	var b strings.Builder
	b.WriteString("id,lon,lat,tag\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "p%d,%.4f,21.3,%d\n", i, 106.0+float64(i)*0.001, tag)
	}
	p := filepath.Join(t.TempDir(), "points.csv")
	os.WriteFile(p, []byte(b.String()), 0o644)
	res, err := ingest.Import(context.Background(), db, ingest.Request{Path: p, Collection: collection, Actor: "test", Region: region})
	if err != nil {
		t.Fatal(err)
	}
	return res.Version
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func region(t *testing.T) *catalog.Region {
	r, err := catalog.LoadRegion(catalog.DefaultRegion)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// Changes made while the service was not listening are caught up when it connects.
func TestCatchUpOnConnect(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	db := storetest.Open(t)
	r := region(t)
	importPoints(t, db, r, "catchup", 10, 1)
	cat := catalog.New(db, r, quietLog())
	if err := cat.LoadAll(ctx); err != nil {
		t.Fatal(err)
	}
	v2 := importPoints(t, db, r, "catchup", 20, 2) // no listener yet: this NOTIFY is lost
	importPoints(t, db, r, "catchup-new", 5, 1)
	go cat.Run(ctx)
	waitFor(t, "catch-up of the missed version", func() bool {
		s, ok := cat.Snapshot("catchup")
		return ok && s.Version() == v2 && len(s.Features) == 20
	})
	waitFor(t, "a collection created while not listening", func() bool {
		_, ok := cat.Snapshot("catchup-new")
		return ok
	})
}

// Reads keep working from the snapshots while PostgreSQL is down; the catalog
// reports the outage, reconnects by itself, and follows changes again.
func TestSurvivesDatabaseRestart(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cluster := storetest.NewCluster(t)
	if err := store.CreateDatabase(ctx, cluster.URL("postgres"), "outage", ""); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, cluster.URL("outage"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	r := region(t)
	importPoints(t, db, r, "outage", 50, 1)
	cat := catalog.New(db, r, quietLog())
	if err := cat.LoadAll(ctx); err != nil {
		t.Fatal(err)
	}
	go cat.Run(ctx)
	waitFor(t, "listener connected", cat.DatabaseUp)

	if err := cluster.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "outage noticed", func() bool { return !cat.DatabaseUp() })
	s, ok := cat.Snapshot("outage")
	if !ok || len(s.Features) != 50 {
		t.Fatal("snapshot lost during the outage")
	}
	if err := cluster.Start(ctx); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "reconnection", cat.DatabaseUp)
	v := importPoints(t, db, r, "outage", 70, 2)
	waitFor(t, "the new version after the restart", func() bool {
		s, ok := cat.Snapshot("outage")
		return ok && s.Version() == v && len(s.Features) == 70
	})
}

// A snapshot is immutable: a reload swaps in a new one, and holders of the old
// one keep a consistent view.
func TestSnapshotIsReplacedNotMutated(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	db := storetest.Open(t)
	r := region(t)
	importPoints(t, db, r, "immutable", 3, 1)
	cat := catalog.New(db, r, quietLog())
	if err := cat.LoadAll(ctx); err != nil {
		t.Fatal(err)
	}
	go cat.Run(ctx)
	waitFor(t, "listener", cat.DatabaseUp)
	old, _ := cat.Snapshot("immutable")
	v := importPoints(t, db, r, "immutable", 6, 2)
	waitFor(t, "reload", func() bool { s, _ := cat.Snapshot("immutable"); return s.Version() == v })
	if len(old.Features) != 3 || old.Version() != 1 || old.Features[0].Props[1] != int64(1) {
		t.Fatalf("the old snapshot changed: version %d, %d features", old.Version(), len(old.Features))
	}
}
