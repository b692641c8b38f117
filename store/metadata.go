package store

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"
)

// CollectionWrite is a PUT of a collection's catalogue description.
type CollectionWrite struct {
	Metadata     Metadata   // empty fields keep their value
	GeometryType string     // "" keeps it
	Schema       []Property // the whole new property schema; nil keeps it
}

// PutCollection creates collection id with an empty first version, or records
// its new description as a new version of it. Either way the change is audited
// and announced like any write: a new collection, a new schema or geometry type
// as a reload, metadata alone as a delta without features. It returns the
// change it announced and whether the collection was created.
func (db *DB) PutCollection(ctx context.Context, id string, w CollectionWrite, audit ItemAudit) (Change, bool, error) {
	tx, err := db.Pool.Begin(ctx)
	if err != nil {
		return Change{}, false, err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	g := &Generation{tx: tx, collection: id}
	var gen int64
	var current Collection
	err = passDeadline(ctx, tx)
	if err == nil {
		_, err = tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1, hashtext($2))", importLockClass, id)
	}
	if err == nil {
		current, err = scanCollection(tx.QueryRow(ctx, "SELECT "+collectionColumns+" FROM collections WHERE id = $1 FOR UPDATE", id))
		gen = current.Generation
	}
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return Change{}, false, classify(err)
	}
	if gen == 0 {
		if err := g.begin(ctx); err != nil {
			return Change{}, false, classify(err)
		}
		schema := w.Schema
		if schema == nil {
			schema = []Property{}
		}
		v, err := g.Commit(ctx, Commit{Metadata: w.Metadata, Schema: schema, GeometryType: w.GeometryType, Action: "create",
			Actor: audit.Actor, TokenID: audit.TokenID, AgencyID: audit.AgencyID})
		return Change{Collection: id, Version: v, Kind: "replace"}, true, classify(err)
	}
	change, err := updateDescription(ctx, tx, current, w, audit)
	if err != nil {
		return Change{}, false, classify(err)
	}
	return change, false, classify(tx.Commit(ctx))
}

func updateDescription(ctx context.Context, tx pgx.Tx, c Collection, w CollectionWrite, audit ItemAudit) (Change, error) {
	if err := upsertMetadata(ctx, tx, c.ID, w.Metadata); err != nil {
		return Change{}, err
	}
	reload := (w.Schema != nil && !slices.Equal(w.Schema, c.Schema)) || (w.GeometryType != "" && w.GeometryType != c.GeometryType)
	var version int64
	err := tx.QueryRow(ctx, `UPDATE collections SET version = version + 1, updated_at = now(),
		schema = CASE WHEN $2::jsonb IS NULL THEN schema ELSE $2::jsonb END, geometry_type = coalesce(nullif($3, ''), geometry_type)
		WHERE id = $1 RETURNING version`, c.ID, schemaJSON(w.Schema), w.GeometryType).Scan(&version)
	if err != nil {
		return Change{}, fmt.Errorf("update collection %s: %w", c.ID, err)
	}
	_, err = tx.Exec(ctx, `INSERT INTO collection_versions (collection_id, version, generation, action, actor, token_id,
		agency_id, changed_ids, feature_count) VALUES ($1, $2, $3, 'metadata', $4, nullif($5, 0), nullif($6, ''), '{}', $7)`,
		c.ID, version, c.Generation, audit.Actor, audit.TokenID, audit.AgencyID, c.FeatureCount)
	if err != nil {
		return Change{}, err
	}
	change := Change{Collection: c.ID, Version: version, Kind: "delta"}
	if reload {
		change.Kind = "replace"
	}
	return change, notify(ctx, tx, change)
}
