package store

import (
	"context"
	"time"
)

// Usage kinds counted per collection and day.
const (
	UsageItems    = "items"    // API item requests (/items, /items/{id})
	UsageDownload = "download" // file downloads
	UsageTiles    = "tiles"    // vector tile requests
)

// UsageCount is a number of requests of one kind to one collection on one day.
type UsageCount struct {
	Collection string
	Day        time.Time // the civil date (midnight UTC of it)
	Kind       string
	Count      int64
}

// AddUsage adds counts to the daily totals in one statement; counts must not
// repeat a (collection, day, kind).
func (db *DB) AddUsage(ctx context.Context, counts []UsageCount) error {
	if len(counts) == 0 {
		return nil
	}
	ids := make([]string, len(counts))
	dayList := make([]time.Time, len(counts))
	kinds := make([]string, len(counts))
	ns := make([]int64, len(counts))
	for i, c := range counts {
		ids[i], dayList[i], kinds[i], ns[i] = c.Collection, c.Day, c.Kind, c.Count
	}
	_, err := db.Pool.Exec(ctx, `INSERT INTO usage_daily (collection_id, day, kind, count)
		SELECT * FROM unnest($1::text[], $2::date[], $3::text[], $4::bigint[])
		ON CONFLICT (collection_id, day, kind) DO UPDATE SET count = usage_daily.count + EXCLUDED.count`,
		ids, dayList, kinds, ns)
	return err
}

// UsageSums adds up the counts per collection and kind over the days from..to
// (inclusive; a zero from means since the start).
func (db *DB) UsageSums(ctx context.Context, from, to time.Time) (map[string]map[string]int64, error) {
	rows, err := db.Pool.Query(ctx, `SELECT collection_id, kind, sum(count)::bigint FROM usage_daily
		WHERE day >= $1 AND day <= $2 GROUP BY collection_id, kind`, from, to)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]map[string]int64{}
	for rows.Next() {
		var id, kind string
		var n int64
		if err := rows.Scan(&id, &kind, &n); err != nil {
			return nil, err
		}
		if out[id] == nil {
			out[id] = map[string]int64{}
		}
		out[id][kind] = n
	}
	return out, rows.Err()
}
