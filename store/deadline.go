package store

import (
	"context"
	"errors"
	"fmt"
	"net"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// passDeadline hands the deadline of ctx to PostgreSQL for the rest of tx
// (SET LOCAL statement_timeout): the server then cancels a statement itself when
// the request's time is up, also one waiting for a lock. Cancelling on the client
// side alone closes the connection but can leave the statement running. The
// server's deadline comes a little before the client's (deadlineMargin), so
// that the statement ends with PostgreSQL's own timeout (ErrTimeout) rather
// than a cut connection.
func passDeadline(ctx context.Context, tx pgx.Tx) error {
	dl, ok := ctx.Deadline()
	if !ok {
		return nil
	}
	left := time.Until(dl)
	ms := (left - min(left/5, deadlineMargin)).Milliseconds()
	if ms < 1 {
		return context.DeadlineExceeded
	}
	_, err := tx.Exec(ctx, "SELECT set_config('statement_timeout', $1, true)", strconv.FormatInt(ms, 10))
	return err
}

// deadlineMargin is at most how much earlier than the request PostgreSQL
// stops a statement (a fifth of the time left, when that is less).
const deadlineMargin = 200 * time.Millisecond

// ErrTimeout means PostgreSQL cancelled a statement because the request's
// deadline passed (statement_timeout).
var ErrTimeout = errors.New("the database did not finish in time")

// classify turns PostgreSQL's refusals into the package's errors, in words that
// name the field but quote no SQL: constraint violations become ErrInvalid, a
// statement cancelled by its deadline ErrTimeout. Other errors pass unchanged.
func classify(err error) error {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		return err
	}
	switch pgErr.Code {
	case "23503":
		if m := missingKey.FindStringSubmatch(pgErr.Detail); m != nil {
			return fmt.Errorf("%w: %s %q does not exist", ErrInvalid, m[1], m[2])
		}
		return fmt.Errorf("%w: %s names something that does not exist", ErrInvalid, field(pgErr))
	case "23514", "22007", "22008", "22001", "23502", "22P02":
		return fmt.Errorf("%w: the value of %s is not accepted", ErrInvalid, field(pgErr))
	case "57014":
		return fmt.Errorf("%w (%s)", ErrTimeout, pgErr.Message)
	}
	return err
}

// missingKey reads the column and value out of a foreign key violation's detail.
var missingKey = regexp.MustCompile(`^Key \(([a-z_]+)\)=\((.*)\) is not present`)

// field guesses the field a refusal is about from the column or the constraint
// name (collections_contact_email_check → contact_email).
func field(e *pgconn.PgError) string {
	if e.ColumnName != "" {
		return e.ColumnName
	}
	name := e.ConstraintName
	if name == "" {
		return "a field"
	}
	if e.TableName != "" {
		name = strings.TrimPrefix(name, e.TableName+"_")
	}
	for _, suffix := range []string{"_check", "_fkey", "_key"} {
		name = strings.TrimSuffix(name, suffix)
	}
	return name
}

// FromDatabase reports whether err is the database's or the connection's own
// (its text may quote SQL or name hosts): callers show their own words.
func FromDatabase(err error) bool {
	var pgErr *pgconn.PgError
	var connErr *pgconn.ConnectError
	var netErr net.Error
	return errors.As(err, &pgErr) || errors.As(err, &connErr) || errors.As(err, &netErr) || pgconn.Timeout(err)
}
