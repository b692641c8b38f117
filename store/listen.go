package store

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
)

// Listener receives the changes announced on ChangesChannel.
type Listener interface {
	// Connected is called after every (re)connection, once LISTEN is active: changes
	// made while disconnected were not notified, so the listener must compare versions.
	Connected(ctx context.Context)
	// Changed is called for every notification, in order.
	Changed(ctx context.Context, c Change)
	// Disconnected is called when the connection is lost.
	Disconnected(err error)
}

// Listen listens on ChangesChannel until ctx ends, reconnecting with backoff when
// the connection drops. It never returns an error other than ctx's.
func (db *DB) Listen(ctx context.Context, l Listener, log *slog.Logger) error {
	backoff := 100 * time.Millisecond
	for {
		err := db.listenOnce(ctx, l, func() { backoff = 100 * time.Millisecond })
		if ctx.Err() != nil {
			return ctx.Err()
		}
		l.Disconnected(err)
		log.Warn("database notifications interrupted; reconnecting", "err", err, "retry_in", backoff.String())
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 5*time.Second)
	}
}

func (db *DB) listenOnce(ctx context.Context, l Listener, connected func()) error {
	connectCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	conn, err := pgx.Connect(connectCtx, db.url)
	cancel()
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{ChangesChannel}.Sanitize()); err != nil {
		return err
	}
	connected()
	l.Connected(ctx)
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		var c Change
		if err := json.Unmarshal([]byte(n.Payload), &c); err != nil || c.Collection == "" {
			continue // not ours
		}
		l.Changed(ctx, c)
	}
}
