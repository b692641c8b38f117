package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// AuditEntry is one recorded version of a collection with who made it and from
// what: the audit trail of every write (imports, item writes, metadata).
type AuditEntry struct {
	Version      int64     `json:"version"`
	Action       string    `json:"action"`
	CreatedAt    time.Time `json:"created_at"`
	Actor        string    `json:"actor"`
	TokenID      int64     `json:"token_id,omitempty"`
	AgencyID     string    `json:"agency,omitempty"`
	SourceName   string    `json:"source_name,omitempty"`
	SourceSHA256 string    `json:"source_sha256,omitempty"`
	SourceFormat string    `json:"source_format,omitempty"`
	RowsRead     int64     `json:"rows_read"`
	RowsAccepted int64     `json:"rows_accepted"`
	RowsRejected int64     `json:"rows_rejected"`
	FeatureCount int64     `json:"feature_count"`
	ChangedIDs   []string  `json:"changed_ids,omitempty"`
}

// AuditTrail lists the versions of collection, newest first, limit at a time
// from offset, with the number of versions in all.
func (db *DB) AuditTrail(ctx context.Context, collection string, limit, offset int) ([]AuditEntry, int, error) {
	var total int
	if err := db.Pool.QueryRow(ctx, "SELECT count(*) FROM collection_versions WHERE collection_id = $1", collection).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := db.Pool.Query(ctx, `SELECT version, action, created_at, actor, coalesce(token_id, 0), coalesce(agency_id, ''),
		coalesce(source_name, ''), coalesce(source_sha256, ''), coalesce(source_format, ''), rows_read, rows_accepted,
		rows_rejected, feature_count, coalesce(changed_ids, '{}')
		FROM collection_versions WHERE collection_id = $1 ORDER BY version DESC LIMIT $2 OFFSET $3`, collection, limit, offset)
	if err != nil {
		return nil, 0, err
	}
	list, err := pgx.CollectRows(rows, pgx.RowToStructByPos[AuditEntry])
	return list, total, err
}
