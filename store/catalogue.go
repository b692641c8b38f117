package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// Frequency is a provision frequency of the EU authority list (dct:accrualPeriodicity).
type Frequency struct {
	Code    string `json:"code"`
	URI     string `json:"uri"`
	NameVi  string `json:"name_vi"`
	NameEn  string `json:"name_en"`
	MaxDays int    `json:"max_days,omitempty"` // stale after this many days; 0: never
}

// Theme is a data theme of the EU authority list (dcat:theme).
type Theme struct {
	Code   string `json:"code"`
	URI    string `json:"uri"`
	NameVi string `json:"name_vi"`
	NameEn string `json:"name_en"`
}

// License is a licence a collection may carry (dct:license).
type License struct {
	URI   string `json:"uri"`
	Code  string `json:"code"`
	Title string `json:"title"`
	Open  bool   `json:"open"`
}

// Vocabularies are the reference lists the catalogue maps its codes through.
type Vocabularies struct {
	Frequencies map[string]Frequency
	Themes      map[string]Theme
	Licenses    map[string]License
}

// Vocabularies reads the frequencies, themes and licences.
func (db *DB) Vocabularies(ctx context.Context) (Vocabularies, error) {
	v := Vocabularies{Frequencies: map[string]Frequency{}, Themes: map[string]Theme{}, Licenses: map[string]License{}}
	rows, err := db.Pool.Query(ctx, `SELECT code, uri, name_vi, name_en, coalesce(max_days, 0) FROM frequencies`)
	if err != nil {
		return v, err
	}
	freqs, err := pgx.CollectRows(rows, pgx.RowToStructByPos[Frequency])
	if err != nil {
		return v, err
	}
	for _, f := range freqs {
		v.Frequencies[f.Code] = f
	}
	rows, err = db.Pool.Query(ctx, `SELECT code, uri, name_vi, name_en FROM themes`)
	if err != nil {
		return v, err
	}
	themes, err := pgx.CollectRows(rows, pgx.RowToStructByPos[Theme])
	if err != nil {
		return v, err
	}
	for _, t := range themes {
		v.Themes[t.Code] = t
	}
	rows, err = db.Pool.Query(ctx, `SELECT uri, code, title, open FROM licenses`)
	if err != nil {
		return v, err
	}
	licenses, err := pgx.CollectRows(rows, pgx.RowToStructByPos[License])
	if err != nil {
		return v, err
	}
	for _, l := range licenses {
		v.Licenses[l.URI] = l
	}
	return v, nil
}

// VersionRecord is one recorded version of a collection.
type VersionRecord struct {
	Collection   string    `json:"collection"`
	Version      int64     `json:"version"`
	Action       string    `json:"action"`
	CreatedAt    time.Time `json:"created_at"`
	FeatureCount int64     `json:"feature_count"`
	AgencyID     string    `json:"agency,omitempty"`
}

// VersionHistory lists the versions created before until (all of them when
// until is zero), per collection in version order.
func (db *DB) VersionHistory(ctx context.Context, until time.Time) ([]VersionRecord, error) {
	if until.IsZero() {
		until = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	rows, err := db.Pool.Query(ctx, `SELECT collection_id, version, action, created_at, feature_count, coalesce(agency_id, '')
		FROM collection_versions WHERE created_at < $1 ORDER BY collection_id, version`, until)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[VersionRecord])
}
