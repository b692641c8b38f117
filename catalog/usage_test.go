package catalog

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/vn-opendata/geodata/store"
	"github.com/vn-opendata/geodata/store/storetest"
)

// Counts from many goroutines reach the database exactly once, across days
// (23:59 and 00:00 in Vietnam are different days), and a failed flush keeps
// its counts for the next one.
func TestUsageFlush(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	u := NewUsage(db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	id := fmt.Sprintf("usage-flush-%d", time.Now().UnixNano()) // -count=N runs on the same database
	clock := time.Date(2025, 12, 31, 16, 59, 0, 0, time.UTC)   // 23:59 on 31 December in Vietnam
	u.now = func() time.Time { return clock }
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 1000; i++ {
				u.Count(id, store.UsageItems)
			}
		}()
	}
	wg.Wait()
	u.Count(id, store.UsageDownload)
	if err := u.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	clock = clock.Add(2 * time.Minute) // 00:01 on 1 January
	u.Count(id, store.UsageItems)
	u.Count(id, "bogus") // refused by the database: the whole batch waits
	if err := u.Flush(ctx); err == nil {
		t.Fatal("flush with an unknown kind succeeded")
	}
	if got := u.Totals()[id].All[store.UsageItems]; got != 8001 {
		t.Errorf("totals after a failed flush: %d items, want 8001", got)
	}
	u.counts.Delete(usageKey{collection: id, day: dayNumber(clock), kind: "bogus"})
	if err := u.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	sums := func(from, to string) map[string]int64 {
		f, _ := ParseDay(from)
		tt, _ := ParseDay(to)
		s, err := db.UsageSums(ctx, f, tt)
		if err != nil {
			t.Fatal(err)
		}
		return s[id]
	}
	if got := sums("2025-12-31", "2025-12-31"); got[store.UsageItems] != 8000 || got[store.UsageDownload] != 1 {
		t.Errorf("31 December: %v", got)
	}
	if got := sums("2026-01-01", "2026-01-01"); got[store.UsageItems] != 1 {
		t.Errorf("1 January: %v", got)
	}
	tot := u.Totals()[id]
	if tot.All[store.UsageItems] != 8001 || tot.Recent[store.UsageItems] != 8001 || tot.All[store.UsageDownload] != 1 {
		t.Errorf("totals after flush: %+v", tot)
	}
}

// BenchmarkUsageCount measures the cost a request pays to be counted.
func BenchmarkUsageCount(b *testing.B) {
	u := NewUsage(nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	ids := make([]string, 9)
	for i := range ids {
		ids[i] = fmt.Sprintf("collection-%d", i)
	}
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			u.Count(ids[i%len(ids)], store.UsageItems)
			i++
		}
	})
}
