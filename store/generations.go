package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// Generation is a new version of a collection's features being built aside, in a
// table of its own, inside one transaction. Commit attaches the table as a
// partition of features and makes it current; until then readers see the previous
// version, and if the process dies the transaction rolls back and nothing remains.
type Generation struct {
	tx         pgx.Tx
	collection string
	number     int64
	table      string
	previous   int64 // generation current when this one began; 0 if none
}

// FeatureColumns are the columns a generation's rows are copied in.
var FeatureColumns = []string{"generation", "collection_id", "id", "num_id", "ord", "geom", "properties"}

// importLockClass namespaces the advisory locks that serialize imports per collection.
const importLockClass = 7_246_002

// BeginGeneration starts building a new generation of collection. Concurrent
// imports of the same collection wait for each other (advisory lock), so they are
// serialized, never interleaved. ctx's deadline bounds every statement of the
// generation, in PostgreSQL too.
func (db *DB) BeginGeneration(ctx context.Context, collection string) (*Generation, error) {
	tx, err := db.Pool.Begin(ctx)
	if err != nil {
		return nil, err
	}
	g := &Generation{tx: tx, collection: collection}
	if err := g.begin(ctx); err != nil {
		tx.Rollback(context.WithoutCancel(ctx))
		return nil, err
	}
	return g, nil
}

func (g *Generation) begin(ctx context.Context) error {
	if err := passDeadline(ctx, g.tx); err != nil {
		return err
	}
	if _, err := g.tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1, hashtext($2))", importLockClass, g.collection); err != nil {
		return fmt.Errorf("lock collection %s: %w", g.collection, err)
	}
	err := g.tx.QueryRow(ctx, "SELECT coalesce(generation, 0) FROM collections WHERE id = $1", g.collection).Scan(&g.previous)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return err
	}
	if err := g.tx.QueryRow(ctx, "SELECT nextval('feature_generations')").Scan(&g.number); err != nil {
		return err
	}
	g.table = fmt.Sprintf("features_g%d", g.number)
	// The CHECK, made before any row, lets ATTACH PARTITION skip its scan and costs
	// no validation pass over a million rows.
	_, err = g.tx.Exec(ctx, fmt.Sprintf("CREATE TABLE %s (LIKE features INCLUDING DEFAULTS, CHECK (generation = %d))", g.ident(), g.number))
	return err
}

func (g *Generation) ident() string { return pgx.Identifier{g.table}.Sanitize() }

// Number is the generation number (the partition key).
func (g *Generation) Number() int64 { return g.number }

// Previous is the generation that was current when this one began (0: none).
func (g *Generation) Previous() int64 { return g.previous }

// Copy streams rows into the generation with COPY. Each row holds the values of
// FeatureColumns; geom as EWKB bytes, properties as JSON bytes.
func (g *Generation) Copy(ctx context.Context, src pgx.CopyFromSource) (int64, error) {
	return g.tx.CopyFrom(ctx, pgx.Identifier{g.table}, FeatureColumns, src)
}

// CarryOver copies the previous generation's features into this one: every one of
// them for append (an id present in both is an error), and those whose id was not
// imported again for upsert. The carried features keep their order, before the new ones.
func (g *Generation) CarryOver(ctx context.Context, upsert bool) error {
	if g.previous == 0 {
		return nil
	}
	prev := pgx.Identifier{fmt.Sprintf("features_g%d", g.previous)}.Sanitize()
	if !upsert {
		rows, err := g.tx.Query(ctx, "SELECT s.id FROM "+g.ident()+" s JOIN "+prev+" p USING (id) ORDER BY s.ord LIMIT 10")
		if err != nil {
			return err
		}
		dups, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return err
		}
		if len(dups) > 0 {
			return fmt.Errorf("%w: append would duplicate feature ids already in %s: %s", ErrConflict, g.collection, strings.Join(dups, ", "))
		}
	}
	_, err := g.tx.Exec(ctx, "UPDATE "+g.ident()+" SET ord = ord + (SELECT coalesce(max(ord), -1) + 1 FROM "+prev+")")
	if err != nil {
		return err
	}
	_, err = g.tx.Exec(ctx, "INSERT INTO "+g.ident()+" (generation, collection_id, id, num_id, ord, geom, properties) "+
		"SELECT $1, collection_id, id, num_id, ord, geom, properties FROM "+prev+" p "+
		"WHERE NOT EXISTS (SELECT 1 FROM "+g.ident()+" s WHERE s.id = p.id)", g.number)
	return err
}

// ErrConflict marks writes refused because they contradict the stored state.
var ErrConflict = errors.New("conflict")

// Commit describes the version a generation becomes.
type Commit struct {
	Metadata     Metadata
	Schema       []Property
	GeometryType string
	Action       string // import-replace, import-append, import-upsert, ...
	SourceName   string
	SourceSHA256 string
	SourceFormat string
	RowsRead     int64
	RowsAccepted int64
	RowsRejected int64
	Actor        string
	TokenID      int64
	AgencyID     string
	Report       any // stored as JSON
}

// Change is the payload of a notification on ChangesChannel.
type Change struct {
	Collection string   `json:"collection"`
	Version    int64    `json:"version"`
	Kind       string   `json:"kind"`          // "replace": reload the collection; "delta": apply IDs
	IDs        []string `json:"ids,omitempty"` // changed feature ids, for "delta"
}

// ChangesChannel is the LISTEN/NOTIFY channel on which writes announce new versions.
const ChangesChannel = "geodata_changes"

// Commit indexes the generation, attaches it, makes it the collection's current
// version, records the version and notifies listeners, all in one transaction.
// It returns the new version number.
func (g *Generation) Commit(ctx context.Context, c Commit) (int64, error) {
	defer g.tx.Rollback(context.WithoutCancel(ctx))
	t := g.ident()
	steps := []string{
		"CREATE UNIQUE INDEX ON " + t + " (id)",
		"CREATE INDEX ON " + t + " USING gist (geom)",
		"ANALYZE " + t,
		fmt.Sprintf("ALTER TABLE features ATTACH PARTITION %s FOR VALUES IN (%d)", t, g.number),
	}
	for _, sql := range steps {
		if _, err := g.tx.Exec(ctx, sql); err != nil {
			return 0, fmt.Errorf("commit generation of %s: %w", g.collection, err)
		}
	}
	var count int64
	var extent []float64
	err := g.tx.QueryRow(ctx, `SELECT n, CASE WHEN n = 0 THEN NULL ELSE
		ARRAY[ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)] END
		FROM (SELECT count(*) AS n, ST_Extent(geom) AS e FROM `+t+`) s`).Scan(&count, &extent)
	if err != nil {
		return 0, err
	}
	if err := upsertMetadata(ctx, g.tx, g.collection, c.Metadata); err != nil {
		return 0, err
	}
	schema, err := marshalSchema(c.Schema)
	if err != nil {
		return 0, err
	}
	var version int64
	err = g.tx.QueryRow(ctx, `UPDATE collections SET version = version + 1, generation = $2, schema = $3,
		geometry_type = nullif($4, ''), extent = $5, feature_count = $6, updated_at = now()
		WHERE id = $1 RETURNING version`,
		g.collection, g.number, schema, c.GeometryType, extent, count).Scan(&version)
	if err != nil {
		return 0, fmt.Errorf("update collection %s: %w", g.collection, err)
	}
	report, err := json.Marshal(c.Report)
	if err != nil {
		return 0, err
	}
	_, err = g.tx.Exec(ctx, `INSERT INTO collection_versions (collection_id, version, generation, action, source_name,
		source_sha256, source_format, rows_read, rows_accepted, rows_rejected, feature_count, actor, token_id, agency_id, report)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, nullif($13, 0), nullif($14, ''), $15)`,
		g.collection, version, g.number, c.Action, c.SourceName, c.SourceSHA256, c.SourceFormat,
		c.RowsRead, c.RowsAccepted, c.RowsRejected, count, c.Actor, c.TokenID, c.AgencyID, report)
	if err != nil {
		return 0, err
	}
	if err := notify(ctx, g.tx, Change{Collection: g.collection, Version: version, Kind: "replace"}); err != nil {
		return 0, err
	}
	if err := g.tx.Commit(ctx); err != nil {
		return 0, err
	}
	return version, nil
}

// Rollback abandons the generation; the table disappears with the transaction.
func (g *Generation) Rollback(ctx context.Context) error {
	return g.tx.Rollback(ctx)
}

func notify(ctx context.Context, tx pgx.Tx, c Change) error {
	payload, err := json.Marshal(c)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, "SELECT pg_notify($1, $2)", ChangesChannel, string(payload))
	return err
}

// PruneGenerations drops the partitions of collection older than the newest keep
// generations, so old versions stay available for downloads and rollback but do
// not pile up. It runs after the import's transaction, since dropping a partition
// briefly locks the parent table.
func (db *DB) PruneGenerations(ctx context.Context, collection string, keep int) error {
	rows, err := db.Pool.Query(ctx, `SELECT DISTINCT generation FROM collection_versions
		WHERE collection_id = $1 ORDER BY generation DESC OFFSET $2`, collection, keep)
	if err != nil {
		return err
	}
	old, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return err
	}
	for _, gen := range old {
		sql := "DROP TABLE IF EXISTS " + pgx.Identifier{fmt.Sprintf("features_g%d", gen)}.Sanitize()
		if _, err := db.Pool.Exec(ctx, sql); err != nil {
			return fmt.Errorf("prune generation %d of %s: %w", gen, collection, err)
		}
	}
	return nil
}

// StoredFeature is a feature row as the service loads it.
type StoredFeature struct {
	ID         string
	NumID      int64
	Rev        int64 // collection version of the last item write; 0: as imported
	WKB        []byte
	Properties []byte // JSON object
}

// LoadCollection reads a collection and streams its current features (only those
// of ids when ids is not nil), in source order, from one consistent view of the
// database (a read-only REPEATABLE READ transaction), so the metadata and the
// features always belong together.
func (db *DB) LoadCollection(ctx context.Context, id string, ids []string, meta func(Collection) error, fn func(*StoredFeature) error) error {
	return pgx.BeginTxFunc(ctx, db.Pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		c, err := scanCollection(tx.QueryRow(ctx, "SELECT "+collectionColumns+" FROM collections WHERE id = $1", id))
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("collection %s: %w", id, ErrNotFound)
		}
		if err != nil {
			return err
		}
		if err := meta(c); err != nil {
			return err
		}
		if c.Generation == 0 {
			return nil
		}
		rows, err := tx.Query(ctx, `SELECT id, num_id, rev, ST_AsBinary(geom), properties::text
			FROM features WHERE generation = $1 AND ($2::text[] IS NULL OR id = ANY($2)) ORDER BY ord`, c.Generation, ids)
		if err != nil {
			return err
		}
		return scanStored(rows, fn)
	})
}

func scanStored(rows pgx.Rows, fn func(*StoredFeature) error) error {
	defer rows.Close()
	var f StoredFeature
	for rows.Next() {
		if err := rows.Scan(&f.ID, &f.NumID, &f.Rev, &f.WKB, &f.Properties); err != nil {
			return err
		}
		if err := fn(&f); err != nil {
			return err
		}
	}
	return rows.Err()
}

func marshalSchema(schema []Property) ([]byte, error) { return json.Marshal(schema) }

// LastFingerprint is the fingerprint recorded by the collection's latest import
// (file and settings), or "" when there is none.
func (db *DB) LastFingerprint(ctx context.Context, collection string) (string, error) {
	var fp string
	err := db.Pool.QueryRow(ctx, `SELECT coalesce(v.report->>'fingerprint', '') FROM collection_versions v
		JOIN collections c ON c.id = v.collection_id AND c.version = v.version
		WHERE v.collection_id = $1`, collection).Scan(&fp)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	return fp, err
}
