package filter

import (
	"context"
	"flag"
	"sync"
	"testing"

	"github.com/vn-opendata/geodata/store"
	"github.com/vn-opendata/geodata/store/storetest"
)

var update = flag.Bool("update", false, "rewrite generated files (migrations/0003_fold.sql)")

func TestMain(m *testing.M) { storetest.Main(m) }

var (
	dbOnce sync.Once
	db     *store.DB
	dbErr  error
)

// testDB is this package's test database, migrated, shared by its tests (the
// data they import stays for the whole run).
func testDB(t testing.TB) *store.DB {
	t.Helper()
	url := storetest.URL(t)
	dbOnce.Do(func() {
		ctx := context.Background()
		if db, dbErr = store.Open(ctx, url); dbErr == nil {
			_, dbErr = db.Migrate(ctx)
		}
	})
	if dbErr != nil {
		t.Fatal(dbErr)
	}
	return db
}
