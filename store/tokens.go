package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// Token is an API token: it acts for one agency, or for the open-data
// coordinator when Admin. The secret itself is never stored, only its SHA-256.
type Token struct {
	ID        int64      `json:"id"`
	AgencyID  string     `json:"agency,omitempty"`
	Admin     bool       `json:"admin"`
	Name      string     `json:"name"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
	// RevokedAt and LastUsedAt are filled by ListTokens only.
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
}

// tokenPrefix marks geodata secrets, so secret scanners and people recognise them.
const tokenPrefix = "gdt_"

// HashToken is the stored form of a secret.
func HashToken(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// CreateToken stores a new token and returns its secret, shown once. agencyID
// may be empty only for an admin token; expires zero means it does not expire.
func (db *DB) CreateToken(ctx context.Context, agencyID string, admin bool, name string, expires time.Time) (string, Token, error) {
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", Token{}, err
	}
	secret := tokenPrefix + base64.RawURLEncoding.EncodeToString(raw[:])
	var exp *time.Time
	if !expires.IsZero() {
		exp = &expires
	}
	t := Token{AgencyID: agencyID, Admin: admin, Name: name, ExpiresAt: exp}
	err := db.Pool.QueryRow(ctx, `INSERT INTO api_tokens (agency_id, is_admin, name, hash, expires_at)
		VALUES (nullif($1, ''), $2, $3, $4, $5) RETURNING id, created_at`,
		agencyID, admin, name, HashToken(secret), exp).Scan(&t.ID, &t.CreatedAt)
	if err != nil {
		return "", t, fmt.Errorf("token for agency %q: %w", agencyID, classify(err))
	}
	return secret, t, nil
}

// LookupToken finds the live token of secret (not revoked, not expired) and
// records its use; ErrNotFound otherwise.
func (db *DB) LookupToken(ctx context.Context, secret string) (Token, error) {
	var t Token
	if !strings.HasPrefix(secret, tokenPrefix) {
		return t, fmt.Errorf("token: %w", ErrNotFound)
	}
	err := db.Pool.QueryRow(ctx, `UPDATE api_tokens SET last_used_at = now()
		WHERE hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())
		RETURNING id, coalesce(agency_id, ''), is_admin, name, created_at, expires_at`, HashToken(secret)).
		Scan(&t.ID, &t.AgencyID, &t.Admin, &t.Name, &t.CreatedAt, &t.ExpiresAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return t, fmt.Errorf("token: %w", ErrNotFound)
	}
	return t, err
}

// RevokeToken revokes token id; ErrNotFound when there is no live token id.
func (db *DB) RevokeToken(ctx context.Context, id int64) error {
	tag, err := db.Pool.Exec(ctx, `UPDATE api_tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL`, id)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("token %d: %w", id, ErrNotFound)
	}
	return nil
}

// ListTokens lists every token, live or not, by id; never a secret (only hashes
// are stored).
func (db *DB) ListTokens(ctx context.Context) ([]Token, error) {
	rows, err := db.Pool.Query(ctx, `SELECT id, coalesce(agency_id, ''), is_admin, name, created_at, expires_at,
		revoked_at, last_used_at FROM api_tokens ORDER BY id`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Token, error) {
		var t Token
		err := r.Scan(&t.ID, &t.AgencyID, &t.Admin, &t.Name, &t.CreatedAt, &t.ExpiresAt, &t.RevokedAt, &t.LastUsedAt)
		return t, err
	})
}
