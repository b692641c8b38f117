package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/vn-opendata/geodata/store"
	"github.com/vn-opendata/geodata/store/storetest"
)

// A write's deadline reaches PostgreSQL as statement_timeout: a write that
// waits for a lock held by another session is cancelled by the server itself
// (statement timeout, not a cut connection), and the lock holder is unaffected.
func TestDeadlineIsPostgreSQLsStatementTimeout(t *testing.T) {
	db := storetest.Open(t)
	ctx := context.Background()
	audit := store.ItemAudit{Actor: "test"}
	if _, _, err := db.PutCollection(ctx, "deadline", store.CollectionWrite{Metadata: store.Metadata{Title: "Hạn"}}, audit); err != nil {
		t.Fatal(err)
	}
	tx, err := db.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, "SELECT 1 FROM collections WHERE id = 'deadline' FOR UPDATE"); err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	_, _, err = db.PutCollection(wctx, "deadline", store.CollectionWrite{Metadata: store.Metadata{Title: "Muộn"}}, audit)
	if !errors.Is(err, store.ErrTimeout) || !strings.Contains(err.Error(), "statement timeout") {
		t.Fatalf("a write waiting past its deadline: %v, want PostgreSQL's statement timeout", err)
	}
	if store.FromDatabase(errors.Unwrap(err)) || strings.Contains(err.Error(), "SELECT") {
		t.Errorf("the refusal quotes the database: %v", err)
	}
	if _, err := tx.Exec(ctx, "SELECT 1"); err != nil {
		t.Fatalf("the lock holder's transaction broke: %v", err)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	c, err := db.Collection(ctx, "deadline")
	if err != nil || c.Title != "Hạn" {
		t.Fatalf("after the timed-out write: %q %v", c.Title, err)
	}
}
