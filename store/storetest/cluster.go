package storetest

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/vn-opendata/geodata/store"
)

// NewCluster creates and starts a throwaway PostgreSQL cluster for a test that
// stops, breaks or restarts the server; it is removed when the test ends. Its
// folder is made reachable by the server's OS user (t.TempDir is private to root).
func NewCluster(t testing.TB) *store.Cluster {
	t.Helper()
	root, err := os.MkdirTemp("", "geodata-cluster-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(root, 0o755); err != nil {
		t.Fatal(err)
	}
	c, err := store.NewCluster(filepath.Join(root, "pg"), store.DefaultPort)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	t.Cleanup(func() {
		c.Remove(ctx)
		os.RemoveAll(root)
	})
	if err := c.Ensure(ctx); err != nil {
		t.Fatal(err)
	}
	return c
}
