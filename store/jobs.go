package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Import job states.
const (
	JobQueued    = "queued"
	JobRunning   = "running"
	JobSucceeded = "succeeded"
	JobFailed    = "failed"
)

// JobStaleAfter is how long a queued or running job may go without a heartbeat
// before it counts as interrupted: the process running it stopped.
const JobStaleAfter = time.Minute

// Job is an import started through the upload API. It runs in one serving
// process; its state lives here so that every replica can report it.
type Job struct {
	ID          int64           `json:"id"`
	Collection  string          `json:"collection"`
	State       string          `json:"state"`
	Phase       string          `json:"phase,omitempty"` // validate, load, done
	Progress    float64         `json:"progress"`        // 0..1
	RowsDone    int64           `json:"rows_done"`       // rows read (validate) or loaded (load)
	Options     json.RawMessage `json:"options"`
	Report      json.RawMessage `json:"report,omitempty"`
	Version     int64           `json:"version,omitempty"` // the version the import made
	Error       string          `json:"error,omitempty"`
	TokenID     int64           `json:"-"`
	AgencyID    string          `json:"agency,omitempty"`
	SourceName  string          `json:"source_name"`
	CreatedAt   time.Time       `json:"created_at"`
	StartedAt   *time.Time      `json:"started_at,omitempty"`
	FinishedAt  *time.Time      `json:"finished_at,omitempty"`
	HeartbeatAt time.Time       `json:"-"`
}

// NewJob is what an upload records before its import starts.
type NewJob struct {
	Collection string
	Options    any // stored as JSON: what the uploader asked for
	SourceName string
	TokenID    int64
	AgencyID   string
}

const jobColumns = `id, collection_id, state, phase, progress, rows_done, options, report, coalesce(result_version, 0),
	coalesce(error, ''), coalesce(token_id, 0), coalesce(agency_id, ''), source_name, created_at, started_at,
	finished_at, heartbeat_at`

func scanJob(row pgx.Row) (Job, error) {
	var j Job
	var progress float32
	err := row.Scan(&j.ID, &j.Collection, &j.State, &j.Phase, &progress, &j.RowsDone, &j.Options, &j.Report,
		&j.Version, &j.Error, &j.TokenID, &j.AgencyID, &j.SourceName, &j.CreatedAt, &j.StartedAt, &j.FinishedAt, &j.HeartbeatAt)
	j.Progress = float64(progress)
	return j, err
}

// CreateJob records a queued job.
func (db *DB) CreateJob(ctx context.Context, n NewJob) (Job, error) {
	opts, err := json.Marshal(n.Options)
	if err != nil {
		return Job{}, err
	}
	j, err := scanJob(db.Pool.QueryRow(ctx, `INSERT INTO import_jobs (collection_id, options, source_name, token_id, agency_id)
		VALUES ($1, $2, $3, nullif($4, 0), nullif($5, '')) RETURNING `+jobColumns,
		n.Collection, opts, n.SourceName, n.TokenID, n.AgencyID))
	return j, classify(err)
}

// JobProgress records that job id is running: its phase, rows done and share
// done, and a heartbeat.
func (db *DB) JobProgress(ctx context.Context, id int64, phase string, rows int64, progress float64) error {
	_, err := db.Pool.Exec(ctx, `UPDATE import_jobs SET state = 'running', started_at = coalesce(started_at, now()),
		phase = $2, rows_done = $3, progress = $4, heartbeat_at = now() WHERE id = $1 AND state IN ('queued', 'running')`,
		id, phase, rows, min(max(progress, 0), 1))
	return err
}

// JobHeartbeat says the process still runs job id (queued or running).
func (db *DB) JobHeartbeat(ctx context.Context, id int64) error {
	_, err := db.Pool.Exec(ctx, `UPDATE import_jobs SET heartbeat_at = now() WHERE id = $1 AND state IN ('queued', 'running')`, id)
	return err
}

// JobOutcome is how a job ended.
type JobOutcome struct {
	Succeeded bool
	Report    any   // stored as JSON; nil for none
	Version   int64 // 0: nothing written (dry run, unchanged file, failure)
	Error     string
}

// FinishJob records the end of job id.
func (db *DB) FinishJob(ctx context.Context, id int64, o JobOutcome) error {
	var report []byte
	if o.Report != nil {
		var err error
		if report, err = json.Marshal(o.Report); err != nil {
			return err
		}
	}
	state := JobFailed
	if o.Succeeded {
		state = JobSucceeded
	}
	_, err := db.Pool.Exec(ctx, `UPDATE import_jobs SET state = $2, phase = 'done', progress = CASE WHEN $2 = 'succeeded' THEN 1 ELSE progress END,
		report = $3, result_version = nullif($4, 0), error = nullif($5, ''), finished_at = now(), heartbeat_at = now(),
		started_at = coalesce(started_at, now()) WHERE id = $1`, id, state, report, o.Version, o.Error)
	return err
}

// Job reads job id; a queued or running job without a heartbeat for
// JobStaleAfter is recorded as failed first (its process stopped).
func (db *DB) Job(ctx context.Context, id int64) (Job, error) {
	_, err := db.Pool.Exec(ctx, `UPDATE import_jobs SET state = 'failed', finished_at = now(),
		error = 'interrupted: the server running the import stopped; nothing was written, upload again'
		WHERE id = $1 AND state IN ('queued', 'running') AND heartbeat_at < now() - $2::interval`,
		id, fmt.Sprintf("%d milliseconds", JobStaleAfter.Milliseconds()))
	if err != nil {
		return Job{}, err
	}
	j, err := scanJob(db.Pool.QueryRow(ctx, "SELECT "+jobColumns+" FROM import_jobs WHERE id = $1", id))
	if errors.Is(err, pgx.ErrNoRows) {
		return j, fmt.Errorf("job %d: %w", id, ErrNotFound)
	}
	return j, err
}
