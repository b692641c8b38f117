package catalog

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vn-opendata/geodata/store"
)

// RecentDays is the window of the "recent" usage totals.
const RecentDays = 30

// Usage counts requests per collection, day and kind (store.UsageItems,
// UsageDownload, UsageTiles) in memory — one map lookup and one atomic add per
// request — and adds them to PostgreSQL on Flush. Counts that fail to flush stay
// in memory for the next Flush; counts of a process that is killed are lost.
type Usage struct {
	db      *store.DB
	log     *slog.Logger
	now     func() time.Time
	flushMu sync.Mutex
	counts  sync.Map // usageKey → *atomic.Int64
	totals  atomic.Pointer[flushedTotals]
}

type usageKey struct {
	collection string
	day        int32 // days since 1970-01-01 in Zone
	kind       string
}

// flushedTotals are the database's sums, read after each flush.
type flushedTotals struct {
	all, recent map[string]map[string]int64
	since       int32 // first day of the recent window
}

// UsageTotals are a collection's request counts per kind: since the start and
// over the last RecentDays days (today included).
type UsageTotals struct {
	All    map[string]int64 `json:"all"`
	Recent map[string]int64 `json:"recent"`
}

// NewUsage returns empty counters flushing to db.
func NewUsage(db *store.DB, log *slog.Logger) *Usage {
	return &Usage{db: db, log: log, now: time.Now}
}

// zoneOffset is Zone's fixed offset from UTC in seconds.
const zoneOffset = 7 * 3600

func dayNumber(t time.Time) int32 {
	return int32((t.Unix() + zoneOffset) / 86400)
}

func dayTime(n int32) time.Time { return time.Unix(int64(n)*86400, 0).UTC() }

// Count adds one request of kind to collection today.
func (u *Usage) Count(collection, kind string) {
	k := usageKey{collection: collection, day: dayNumber(u.now()), kind: kind}
	c, ok := u.counts.Load(k)
	if !ok {
		c, _ = u.counts.LoadOrStore(k, new(atomic.Int64))
	}
	c.(*atomic.Int64).Add(1)
}

// Flush adds the counts gathered since the last flush to the database and
// refreshes the totals. Counters of past days are dropped once flushed.
func (u *Usage) Flush(ctx context.Context) error {
	u.flushMu.Lock()
	defer u.flushMu.Unlock()
	today := dayNumber(u.now())
	var batch []store.UsageCount
	var taken []*atomic.Int64
	u.counts.Range(func(k, v any) bool {
		key, c := k.(usageKey), v.(*atomic.Int64)
		if n := c.Swap(0); n > 0 {
			batch = append(batch, store.UsageCount{Collection: key.collection, Day: dayTime(key.day), Kind: key.kind, Count: n})
			taken = append(taken, c)
		} else if key.day < today-1 {
			u.counts.Delete(k) // nobody counts two days back any more
		}
		return true
	})
	if err := u.db.AddUsage(ctx, batch); err != nil {
		for i, c := range taken {
			c.Add(batch[i].Count)
		}
		return err
	}
	return u.refresh(ctx, today)
}

func (u *Usage) refresh(ctx context.Context, today int32) error {
	since := today - RecentDays + 1
	all, err := u.db.UsageSums(ctx, time.Time{}, dayTime(today))
	if err != nil {
		return err
	}
	recent, err := u.db.UsageSums(ctx, dayTime(since), dayTime(today))
	if err != nil {
		return err
	}
	u.totals.Store(&flushedTotals{all: all, recent: recent, since: since})
	return nil
}

// Totals returns every collection's totals: what was flushed plus what is still
// in memory. Before the first flush or refresh it holds the memory counts only.
func (u *Usage) Totals() map[string]UsageTotals {
	out := map[string]UsageTotals{}
	get := func(id string) UsageTotals {
		t, ok := out[id]
		if !ok {
			t = UsageTotals{All: map[string]int64{}, Recent: map[string]int64{}}
			out[id] = t
		}
		return t
	}
	since := dayNumber(u.now()) - RecentDays + 1
	if ft := u.totals.Load(); ft != nil {
		since = ft.since
		for id, kinds := range ft.all {
			t := get(id)
			for k, n := range kinds {
				t.All[k] += n
			}
		}
		for id, kinds := range ft.recent {
			t := get(id)
			for k, n := range kinds {
				t.Recent[k] += n
			}
		}
	}
	u.counts.Range(func(k, v any) bool {
		key, n := k.(usageKey), v.(*atomic.Int64).Load()
		if n == 0 {
			return true
		}
		t := get(key.collection)
		t.All[key.kind] += n
		if key.day >= since {
			t.Recent[key.kind] += n
		}
		return true
	})
	return out
}

// Run reads the stored totals, then flushes every interval until ctx ends, and
// once more on the way out.
func (u *Usage) Run(ctx context.Context, every time.Duration) {
	if err := u.refresh(ctx, dayNumber(u.now())); err != nil && ctx.Err() == nil {
		u.log.Warn("read usage totals", "err", err)
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			final, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			if err := u.Flush(final); err != nil {
				u.log.Error("flush usage on shutdown", "err", err)
			}
			cancel()
			return
		case <-tick.C:
			if err := u.Flush(ctx); err != nil && ctx.Err() == nil {
				u.log.Warn("flush usage (kept in memory for the next try)", "err", err)
			}
		}
	}
}
