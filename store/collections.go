package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Property is one column of a collection's property schema.
type Property struct {
	Name  string `json:"name"`
	Type  string `json:"type"` // integer, number, boolean, date, date-time, string
	Title string `json:"title,omitempty"`
}

// Metadata is the catalogue metadata of a collection, in the fields of the
// province's official open-data template plus DCAT's. Empty fields mean "keep".
type Metadata struct {
	CatalogNo          int      `json:"catalog_no,omitempty"`
	Title              string   `json:"title,omitempty"`
	TitleEn            string   `json:"title_en,omitempty"`
	Description        string   `json:"description,omitempty"`
	AgencyID           string   `json:"agency,omitempty"`
	FirstPublished     string   `json:"first_published,omitempty"` // YYYY-MM-DD
	Frequency          string   `json:"frequency,omitempty"`       // EU frequency code
	Notes              string   `json:"notes,omitempty"`
	Theme              string   `json:"theme,omitempty"` // EU data-theme code
	LicenseURI         string   `json:"license,omitempty"`
	LicenseAttribution string   `json:"attribution,omitempty"`
	Keywords           []string `json:"keywords,omitempty"`
	Contact            string   `json:"contact,omitempty"` // name of the contact point (person or office)
	ContactEmail       string   `json:"contact_email,omitempty"`
	ContactPhone       string   `json:"contact_phone,omitempty"`
	TemporalProperty   string   `json:"temporal_property,omitempty"`
	TemporalStart      string   `json:"temporal_start,omitempty"` // YYYY-MM-DD: declared period the data describes
	TemporalEnd        string   `json:"temporal_end,omitempty"`
}

// Collection is a stored collection: metadata plus the state of its current version.
type Collection struct {
	ID string `json:"id"`
	Metadata
	GeometryType string      `json:"geometry_type"`
	Schema       []Property  `json:"schema"`
	Extent       *[4]float64 `json:"extent,omitempty"`
	FeatureCount int64       `json:"feature_count"`
	Version      int64       `json:"version"`
	Generation   int64       `json:"generation"`
	CreatedAt    time.Time   `json:"created_at"`
	UpdatedAt    time.Time   `json:"updated_at"`
}

const collectionColumns = `id, coalesce(catalog_no, 0), title, title_en, description, coalesce(agency_id, ''),
	coalesce(to_char(first_published, 'YYYY-MM-DD'), ''), frequency, notes, coalesce(theme, ''), license_uri,
	license_attribution, keywords, contact, coalesce(temporal_property, ''), coalesce(geometry_type, ''),
	schema, extent, feature_count, version, coalesce(generation, 0), created_at, updated_at,
	contact_email, contact_phone, coalesce(to_char(temporal_start, 'YYYY-MM-DD'), ''),
	coalesce(to_char(temporal_end, 'YYYY-MM-DD'), '')`

func scanCollection(row pgx.Row) (Collection, error) {
	var c Collection
	var schema []byte
	var extent []float64
	err := row.Scan(&c.ID, &c.CatalogNo, &c.Title, &c.TitleEn, &c.Description, &c.AgencyID,
		&c.FirstPublished, &c.Frequency, &c.Notes, &c.Theme, &c.LicenseURI,
		&c.LicenseAttribution, &c.Keywords, &c.Contact, &c.TemporalProperty, &c.GeometryType,
		&schema, &extent, &c.FeatureCount, &c.Version, &c.Generation, &c.CreatedAt, &c.UpdatedAt,
		&c.ContactEmail, &c.ContactPhone, &c.TemporalStart, &c.TemporalEnd)
	if err != nil {
		return c, err
	}
	if err := json.Unmarshal(schema, &c.Schema); err != nil {
		return c, fmt.Errorf("collection %s: schema: %w", c.ID, err)
	}
	if len(extent) == 4 {
		c.Extent = &[4]float64{extent[0], extent[1], extent[2], extent[3]}
	}
	return c, nil
}

// Collections lists every collection, ordered by catalogue number then id.
func (db *DB) Collections(ctx context.Context) ([]Collection, error) {
	rows, err := db.Pool.Query(ctx, "SELECT "+collectionColumns+" FROM collections ORDER BY catalog_no NULLS LAST, id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Collection
	for rows.Next() {
		c, err := scanCollection(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Collection reads one collection; ErrNotFound when it does not exist.
func (db *DB) Collection(ctx context.Context, id string) (Collection, error) {
	c, err := scanCollection(db.Pool.QueryRow(ctx, "SELECT "+collectionColumns+" FROM collections WHERE id = $1", id))
	if errors.Is(err, pgx.ErrNoRows) {
		return c, fmt.Errorf("collection %s: %w", id, ErrNotFound)
	}
	return c, err
}

// Versions maps every collection id to its current version; the service compares
// it with its snapshots after a reconnect, since notifications sent while it was
// disconnected are lost.
func (db *DB) Versions(ctx context.Context) (map[string]int64, error) {
	rows, err := db.Pool.Query(ctx, "SELECT id, version FROM collections")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var id string
		var v int64
		if err := rows.Scan(&id, &v); err != nil {
			return nil, err
		}
		out[id] = v
	}
	return out, rows.Err()
}

// upsertMetadata creates the collection row when missing and sets every non-empty
// metadata field. It runs inside the import transaction.
func upsertMetadata(ctx context.Context, tx pgx.Tx, id string, m Metadata) error {
	title := m.Title
	if title == "" {
		title = id
	}
	_, err := tx.Exec(ctx, `INSERT INTO collections (id, title) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING`, id, title)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `UPDATE collections SET
		catalog_no          = coalesce(nullif($2, 0), catalog_no),
		title               = coalesce(nullif($3, ''), title),
		title_en            = coalesce(nullif($4, ''), title_en),
		description         = coalesce(nullif($5, ''), description),
		agency_id           = coalesce(nullif($6, ''), agency_id),
		first_published     = coalesce(nullif($7, '')::date, first_published),
		frequency           = coalesce(nullif($8, ''), frequency),
		notes               = coalesce(nullif($9, ''), notes),
		theme               = coalesce(nullif($10, ''), theme),
		license_uri         = coalesce(nullif($11, ''), license_uri),
		license_attribution = coalesce(nullif($12, ''), license_attribution),
		keywords            = CASE WHEN cardinality($13::text[]) > 0 THEN $13 ELSE keywords END,
		contact             = coalesce(nullif($14, ''), contact),
		temporal_property   = coalesce(nullif($15, ''), temporal_property),
		contact_email       = coalesce(nullif($16, ''), contact_email),
		contact_phone       = coalesce(nullif($17, ''), contact_phone),
		temporal_start      = coalesce(nullif($18, '')::date, temporal_start),
		temporal_end        = coalesce(nullif($19, '')::date, temporal_end)
		WHERE id = $1`,
		id, m.CatalogNo, m.Title, m.TitleEn, m.Description, m.AgencyID, m.FirstPublished, m.Frequency,
		m.Notes, m.Theme, m.LicenseURI, m.LicenseAttribution, m.Keywords, m.Contact, m.TemporalProperty,
		m.ContactEmail, m.ContactPhone, m.TemporalStart, m.TemporalEnd)
	if err != nil {
		return fmt.Errorf("collection %s metadata: %w", id, classify(err))
	}
	return nil
}

// ErrInvalid marks values the database refuses (unknown agency, theme, date…).
var ErrInvalid = errors.New("invalid value")

// Agency is a providing agency of the region, with its history.
type Agency struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	NameEn      string `json:"name_en"`
	Kind        string `json:"kind"`
	ValidFrom   string `json:"valid_from,omitempty"` // YYYY-MM-DD
	ValidTo     string `json:"valid_to,omitempty"`
	SuccessorID string `json:"successor,omitempty"`
	Change      string `json:"change,omitempty"` // how it ended: rename, merge, split, dissolve
	Note        string `json:"note,omitempty"`
}

// SyncAgencies upserts the agencies of the region profile (successors after the
// agencies they name, in one transaction).
func (db *DB) SyncAgencies(ctx context.Context, agencies []Agency) error {
	return pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		for pass := 0; pass < 2; pass++ {
			for _, a := range agencies {
				succ := ""
				if pass == 1 {
					succ = a.SuccessorID
				}
				_, err := tx.Exec(ctx, `INSERT INTO agencies (id, name, name_en, kind, valid_from, valid_to, successor_id, note, change_kind)
					VALUES ($1, $2, $3, $4, nullif($5, '')::date, nullif($6, '')::date, nullif($7, ''), $8, nullif($9, ''))
					ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, name_en = EXCLUDED.name_en, kind = EXCLUDED.kind,
						valid_from = EXCLUDED.valid_from, valid_to = EXCLUDED.valid_to,
						successor_id = EXCLUDED.successor_id, note = EXCLUDED.note, change_kind = EXCLUDED.change_kind`,
					a.ID, a.Name, a.NameEn, a.Kind, a.ValidFrom, a.ValidTo, succ, a.Note, a.Change)
				if err != nil {
					return fmt.Errorf("agency %s: %w", a.ID, err)
				}
			}
		}
		return nil
	})
}

// Agencies lists the stored agencies.
func (db *DB) Agencies(ctx context.Context) ([]Agency, error) {
	rows, err := db.Pool.Query(ctx, `SELECT id, name, name_en, kind, coalesce(valid_from::text, ''),
		coalesce(valid_to::text, ''), coalesce(successor_id, ''), note, coalesce(change_kind, '') FROM agencies ORDER BY id`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Agency, error) {
		var a Agency
		err := r.Scan(&a.ID, &a.Name, &a.NameEn, &a.Kind, &a.ValidFrom, &a.ValidTo, &a.SuccessorID, &a.Note, &a.Change)
		return a, err
	})
}
