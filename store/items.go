package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// ItemChange is one feature written through the API (OGC API – Features Part 4).
type ItemChange struct {
	Action     string // "create", "replace", "update" (JSON merge patch) or "delete"
	ID         string
	NumID      int64
	EWKB       []byte // new geometry; nil keeps it (update) or for delete
	Properties []byte // JSON object: the new properties (create, replace) or the patch (update)
	IfRev      *int64 // expected rev of the feature (If-Match); nil: no check
	IfGen      int64  // with IfRev: the generation the client read (a re-import resets revs); 0: any
	Schema     []Property
	GeomType   string
}

// ItemAudit says who wrote.
type ItemAudit struct {
	Actor    string
	TokenID  int64
	AgencyID string
}

// ErrPrecondition means an If-Match did not match the feature's current revision.
var ErrPrecondition = errors.New("precondition failed")

// WriteItem applies one change to the current generation of collection, as a new
// collection version, and notifies listeners with the changed id (a delta, not a
// reload). It returns the new version, which is also the feature's new rev.
// It waits for running imports of the collection (same advisory lock), at most
// until ctx's deadline, which PostgreSQL enforces too (ErrTimeout).
func (db *DB) WriteItem(ctx context.Context, collection string, ch ItemChange, audit ItemAudit) (int64, error) {
	var version int64
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		var err error
		version, err = writeItem(ctx, tx, collection, ch, audit)
		return err
	})
	return version, classify(err)
}

func writeItem(ctx context.Context, tx pgx.Tx, collection string, ch ItemChange, audit ItemAudit) (int64, error) {
	if err := passDeadline(ctx, tx); err != nil {
		return 0, err
	}
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1, hashtext($2))", importLockClass, collection); err != nil {
		return 0, err
	}
	var gen, version int64
	err := tx.QueryRow(ctx, "SELECT coalesce(generation, 0), version FROM collections WHERE id = $1 FOR UPDATE", collection).Scan(&gen, &version)
	if errors.Is(err, pgx.ErrNoRows) || err == nil && gen == 0 {
		return 0, fmt.Errorf("collection %s: %w", collection, ErrNotFound)
	}
	if err != nil {
		return 0, err
	}
	var rev int64
	err = tx.QueryRow(ctx, "SELECT rev FROM features WHERE generation = $1 AND id = $2", gen, ch.ID).Scan(&rev)
	exists := err == nil
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return 0, err
	}
	switch {
	case ch.Action == "create" && exists:
		return 0, fmt.Errorf("%w: feature %q already exists in %s", ErrConflict, ch.ID, collection)
	case ch.Action != "create" && !exists:
		return 0, fmt.Errorf("feature %q of %s: %w", ch.ID, collection, ErrNotFound)
	case ch.IfRev != nil && (*ch.IfRev != rev || ch.IfGen != 0 && ch.IfGen != gen):
		return 0, fmt.Errorf("%w: feature %q changed since you read it", ErrPrecondition, ch.ID)
	}
	next := version + 1
	if err := applyItem(ctx, tx, collection, gen, next, ch); err != nil {
		return 0, err
	}
	delta := map[string]int64{"create": 1, "delete": -1}[ch.Action]
	_, err = tx.Exec(ctx, `UPDATE collections c SET version = $2, feature_count = feature_count + $3, updated_at = now(),
		schema = CASE WHEN $4::jsonb IS NULL THEN schema ELSE $4::jsonb END,
		geometry_type = coalesce(nullif($5, ''), geometry_type),
		extent = CASE WHEN $6::bytea IS NULL THEN extent ELSE (
			SELECT ARRAY[least(c.extent[1], ST_XMin(g)), least(c.extent[2], ST_YMin(g)),
				greatest(c.extent[3], ST_XMax(g)), greatest(c.extent[4], ST_YMax(g))]
			FROM (SELECT ST_GeomFromEWKB($6::bytea) AS g) s) END
		WHERE id = $1`,
		collection, next, delta, schemaJSON(ch.Schema), ch.GeomType, ch.EWKB)
	if err != nil {
		return 0, err
	}
	_, err = tx.Exec(ctx, `INSERT INTO collection_versions (collection_id, version, generation, action, actor, token_id,
		agency_id, changed_ids, feature_count) SELECT $1, $2, $3, $4, $5, nullif($6, 0), nullif($7, ''), $8, feature_count
		FROM collections WHERE id = $1`,
		collection, next, gen, ch.Action, audit.Actor, audit.TokenID, audit.AgencyID, []string{ch.ID})
	if err != nil {
		return 0, err
	}
	return next, notify(ctx, tx, Change{Collection: collection, Version: next, Kind: "delta", IDs: []string{ch.ID}})
}

func applyItem(ctx context.Context, tx pgx.Tx, collection string, gen, rev int64, ch ItemChange) error {
	var err error
	switch ch.Action {
	case "create":
		_, err = tx.Exec(ctx, `INSERT INTO features (generation, collection_id, id, num_id, ord, geom, properties, rev)
			SELECT $1, $2, $3, $4, coalesce(max(ord), -1) + 1, ST_GeomFromEWKB($5::bytea), $6::jsonb, $7
			FROM features WHERE generation = $1`, gen, collection, ch.ID, ch.NumID, ch.EWKB, ch.Properties, rev)
	case "replace":
		_, err = tx.Exec(ctx, `UPDATE features SET geom = ST_GeomFromEWKB($3::bytea), properties = $4::jsonb, rev = $5
			WHERE generation = $1 AND id = $2`, gen, ch.ID, ch.EWKB, ch.Properties, rev)
	case "update": // JSON merge patch (RFC 7396) of flat properties: null removes a member
		_, err = tx.Exec(ctx, `UPDATE features SET
			geom = CASE WHEN $3::bytea IS NULL THEN geom ELSE ST_GeomFromEWKB($3::bytea) END,
			properties = jsonb_strip_nulls(properties || coalesce($4::jsonb, '{}')), rev = $5
			WHERE generation = $1 AND id = $2`, gen, ch.ID, ch.EWKB, ch.Properties, rev)
	case "delete":
		_, err = tx.Exec(ctx, "DELETE FROM features WHERE generation = $1 AND id = $2", gen, ch.ID)
	default:
		return fmt.Errorf("%w: unknown item action %q", ErrInvalid, ch.Action)
	}
	return err
}

func schemaJSON(schema []Property) any {
	if schema == nil {
		return nil
	}
	b, _ := marshalSchema(schema)
	return string(b)
}
