package filter

import (
	"context"
	"flag"
	"testing"

	"github.com/vn-opendata/geodata/store"
	"github.com/vn-opendata/geodata/store/storetest"
)

var update = flag.Bool("update", false, "rewrite generated files (migrations/0003_fold.sql)")

func TestMain(m *testing.M) { storetest.Main(m) }

// testDB is this package's test database, migrated.
func testDB(t testing.TB) *store.DB {
	t.Helper()
	db := storetest.Open(t)
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}
