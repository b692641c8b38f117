package store_test

import (
	"context"
	"sync"
	"testing"

	"github.com/vn-opendata/geodata/store"
	"github.com/vn-opendata/geodata/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// A private cluster can be created, used, stopped and started again with its data.
func TestClusterLifecycle(t *testing.T) {
	ctx := context.Background()
	c := storetest.NewCluster(t)
	if !c.Running(ctx) {
		t.Fatal("cluster not running after Ensure")
	}
	if err := store.CreateDatabase(ctx, c.URL("postgres"), "lifecycle", ""); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, c.URL("lifecycle"))
	if err != nil {
		t.Fatal(err)
	}
	var locale string
	if err := db.Pool.QueryRow(ctx, "SELECT datcollate FROM pg_database WHERE datname = current_database()").Scan(&locale); err != nil {
		t.Fatal(err)
	}
	if locale != "C.UTF-8" {
		t.Errorf("locale %q, want C.UTF-8", locale)
	}
	var upper string
	if err := db.Pool.QueryRow(ctx, "SELECT upper('trường lục ngạn đ')").Scan(&upper); err != nil {
		t.Fatal(err)
	}
	if upper != "TRƯỜNG LỤC NGẠN Đ" {
		t.Errorf("upper of Vietnamese = %q", upper)
	}
	db.Close()
	if err := c.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if c.Running(ctx) {
		t.Fatal("still running after Stop")
	}
	if err := c.Ensure(ctx); err != nil {
		t.Fatal(err)
	}
	db, err = store.Open(ctx, c.URL("lifecycle"))
	if err != nil {
		t.Fatalf("database gone after restart: %v", err)
	}
	db.Close()
}

// Migrations apply once, also when several processes start at the same time.
func TestMigrateIdempotentAndConcurrent(t *testing.T) {
	ctx := context.Background()
	c := storetest.NewCluster(t)
	if err := store.CreateDatabase(ctx, c.URL("postgres"), "fresh", ""); err != nil {
		t.Fatal(err)
	}
	all, err := store.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	applied := make([][]string, 4)
	errs := make([]error, 4)
	for i := range applied {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db, err := store.Open(ctx, c.URL("fresh"))
			if err != nil {
				errs[i] = err
				return
			}
			defer db.Close()
			applied[i], errs[i] = db.Migrate(ctx)
		}()
	}
	wg.Wait()
	total := 0
	for i := range applied {
		if errs[i] != nil {
			t.Fatalf("migrator %d: %v", i, errs[i])
		}
		total += len(applied[i])
	}
	if total != len(all) {
		t.Fatalf("%d migrations applied by 4 concurrent migrators, want each of the %d once", total, len(all))
	}
	db, err := store.Open(ctx, c.URL("fresh"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	again, err := db.Migrate(ctx)
	if err != nil || len(again) != 0 {
		t.Fatalf("second run applied %v (err %v), want nothing", again, err)
	}
	var n int
	db.Pool.QueryRow(ctx, "SELECT count(*) FROM schema_migrations").Scan(&n)
	if n != len(all) {
		t.Fatalf("schema_migrations has %d rows, want %d", n, len(all))
	}
}

// The test database of this package has the schema.
func TestTestDatabaseMigrated(t *testing.T) {
	db := storetest.Open(t)
	var n int
	if err := db.Pool.QueryRow(context.Background(), "SELECT count(*) FROM frequencies").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("frequencies not seeded")
	}
}
