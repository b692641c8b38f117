package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// Feedback kinds and statuses.
const (
	FeedbackDataset = "dataset" // about a published dataset
	FeedbackFeature = "feature" // about one feature of a dataset
	FeedbackRequest = "request" // a request to open a new dataset

	FeedbackOpen     = "open"
	FeedbackAnswered = "answered"
	FeedbackClosed   = "closed"
)

// Feedback is a citizen's message on a dataset, a feature, or a request for a
// new dataset, with the agency's answer. Contact is for the agency only.
type Feedback struct {
	ID               int64      `json:"id"`
	Kind             string     `json:"kind"`
	Collection       string     `json:"collection,omitempty"`
	FeatureID        string     `json:"feature,omitempty"`
	Title            string     `json:"title,omitempty"`
	Message          string     `json:"message"`
	Contact          string     `json:"contact,omitempty"`
	AgencyID         string     `json:"agency,omitempty"`            // the agency a request is addressed to
	CollectionAgency string     `json:"collection_agency,omitempty"` // the agency that published the collection
	Status           string     `json:"status"`
	Answer           string     `json:"answer,omitempty"`
	AnsweredAt       *time.Time `json:"answered_at,omitempty"`
	AnsweredBy       int64      `json:"-"`
	Votes            int        `json:"votes"`
	CreatedAt        time.Time  `json:"created_at"`
	UpdatedAt        time.Time  `json:"updated_at"`
}

// NewFeedback is what a citizen sends.
type NewFeedback struct {
	Kind       string
	Collection string
	FeatureID  string
	Title      string
	Message    string
	Contact    string
	AgencyID   string
}

const feedbackColumns = `f.id, f.kind, coalesce(f.collection_id, ''), coalesce(f.feature_id, ''), f.title, f.message,
	f.contact, coalesce(f.agency_id, ''), coalesce(c.agency_id, ''), f.status, coalesce(f.answer, ''), f.answered_at,
	coalesce(f.answered_by, 0), f.votes, f.created_at, f.updated_at`

const feedbackFrom = ` FROM feedback f LEFT JOIN collections c ON c.id = f.collection_id`

func scanFeedback(row pgx.Row) (Feedback, error) {
	var f Feedback
	err := row.Scan(&f.ID, &f.Kind, &f.Collection, &f.FeatureID, &f.Title, &f.Message, &f.Contact, &f.AgencyID,
		&f.CollectionAgency, &f.Status, &f.Answer, &f.AnsweredAt, &f.AnsweredBy, &f.Votes, &f.CreatedAt, &f.UpdatedAt)
	return f, err
}

// CreateFeedback stores a citizen's feedback; ErrInvalid when the database refuses
// a value (unknown collection or agency, empty or too long message).
func (db *DB) CreateFeedback(ctx context.Context, n NewFeedback) (Feedback, error) {
	var id int64
	err := db.Pool.QueryRow(ctx, `INSERT INTO feedback (kind, collection_id, feature_id, title, message, contact, agency_id)
		VALUES ($1, nullif($2, ''), nullif($3, ''), $4, $5, $6, nullif($7, '')) RETURNING id`,
		n.Kind, n.Collection, n.FeatureID, n.Title, n.Message, n.Contact, n.AgencyID).Scan(&id)
	if err != nil {
		return Feedback{}, fmt.Errorf("feedback: %w", classify(err))
	}
	return db.Feedback(ctx, id)
}

// Feedback reads one feedback; ErrNotFound when it does not exist.
func (db *DB) Feedback(ctx context.Context, id int64) (Feedback, error) {
	f, err := scanFeedback(db.Pool.QueryRow(ctx, "SELECT "+feedbackColumns+feedbackFrom+" WHERE f.id = $1", id))
	if errors.Is(err, pgx.ErrNoRows) {
		return f, fmt.Errorf("feedback %d: %w", id, ErrNotFound)
	}
	return f, err
}

// FeedbackQuery selects feedback; empty fields select everything.
type FeedbackQuery struct {
	Kind       string
	Status     string
	Collection string
	Agencies   []string  // the agencies whose feedback to list (a request's addressee, else the collection's publisher)
	Since      time.Time // created or answered on or after
	Until      time.Time // created or answered before
	ByVotes    bool      // most votes first, else newest first
	Limit      int
	Offset     int
}

// ListFeedback returns one page of the selected feedback and how many match.
func (db *DB) ListFeedback(ctx context.Context, q FeedbackQuery) ([]Feedback, int, error) {
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if q.Kind != "" {
		where = append(where, "f.kind = "+arg(q.Kind))
	}
	if q.Status != "" {
		where = append(where, "f.status = "+arg(q.Status))
	}
	if q.Collection != "" {
		where = append(where, "f.collection_id = "+arg(q.Collection))
	}
	if q.Agencies != nil {
		where = append(where, "coalesce(f.agency_id, c.agency_id) = ANY("+arg(q.Agencies)+")")
	}
	if !q.Since.IsZero() {
		p := arg(q.Since)
		where = append(where, "(f.created_at >= "+p+" OR f.answered_at >= "+p+")")
	}
	if !q.Until.IsZero() {
		p := arg(q.Until)
		where = append(where, "(f.created_at < "+p+" OR f.answered_at < "+p+")")
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	var total int
	if err := db.Pool.QueryRow(ctx, "SELECT count(*)"+feedbackFrom+cond, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	order := " ORDER BY f.created_at DESC, f.id DESC"
	if q.ByVotes {
		order = " ORDER BY f.votes DESC, f.created_at DESC, f.id DESC"
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 1000
	}
	sql := "SELECT " + feedbackColumns + feedbackFrom + cond + order + " LIMIT " + arg(limit) + " OFFSET " + arg(q.Offset)
	rows, err := db.Pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, 0, err
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Feedback, error) { return scanFeedback(r) })
	return list, total, err
}

// AnswerFeedback records an answer and a new status (answered or closed) by token;
// ErrNotFound when feedback id does not exist.
func (db *DB) AnswerFeedback(ctx context.Context, id int64, answer, status string, tokenID int64) (Feedback, error) {
	tag, err := db.Pool.Exec(ctx, `UPDATE feedback SET
		answer = CASE WHEN $2 = '' THEN answer ELSE $2 END,
		answered_at = CASE WHEN $2 = '' THEN answered_at ELSE now() END,
		answered_by = CASE WHEN $2 = '' THEN answered_by ELSE nullif($4::bigint, 0) END,
		status = $3, updated_at = now()
		WHERE id = $1`, id, answer, status, tokenID)
	if err != nil {
		return Feedback{}, fmt.Errorf("answer feedback %d: %w", id, classify(err))
	}
	if tag.RowsAffected() == 0 {
		return Feedback{}, fmt.Errorf("feedback %d: %w", id, ErrNotFound)
	}
	return db.Feedback(ctx, id)
}

// VoteFeedback adds the vote of client (an address, stored only salted and
// hashed) to request id, once per client. It returns the votes and whether this
// vote counted; ErrNotFound when id is not a request.
func (db *DB) VoteFeedback(ctx context.Context, id int64, client string) (int, bool, error) {
	var votes int
	var added bool
	err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		var kind string
		if err := tx.QueryRow(ctx, `SELECT kind FROM feedback WHERE id = $1 FOR UPDATE`, id).Scan(&kind); err != nil {
			return err
		}
		if kind != FeedbackRequest {
			return pgx.ErrNoRows
		}
		tag, err := tx.Exec(ctx, `INSERT INTO feedback_votes (feedback_id, voter)
			SELECT $1, sha256(value || convert_to($2, 'UTF8')) FROM site_secrets WHERE name = 'vote-salt'
			ON CONFLICT DO NOTHING`, id, client)
		if err != nil {
			return err
		}
		added = tag.RowsAffected() == 1
		return tx.QueryRow(ctx, `UPDATE feedback SET votes = (SELECT count(*) FROM feedback_votes WHERE feedback_id = $1)
			WHERE id = $1 RETURNING votes`, id).Scan(&votes)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, false, fmt.Errorf("request %d: %w", id, ErrNotFound)
	}
	return votes, added, err
}
