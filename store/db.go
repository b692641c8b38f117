// Package store is geodata's access to PostGIS through pgx: the connection pool,
// migrations, COPY of import generations, collection metadata, LISTEN/NOTIFY, and
// the private local cluster used when DATABASE_URL is unset. It may import geo and
// migrations, never handlers or catalog.
package store

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// ErrNotFound is returned when a collection, version or row does not exist.
var ErrNotFound = errors.New("not found")

// DB is the PostGIS database of geodata.
type DB struct {
	Pool *pgxpool.Pool
	url  string
}

// Open connects to the database at url and checks that it answers.
func Open(ctx context.Context, url string) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse database URL: %w", err)
	}
	cfg.ConnConfig.RuntimeParams["application_name"] = "geodata"
	cfg.MaxConnIdleTime = 5 * time.Minute
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := pool.Ping(pingCtx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to %s: %w", Redact(url), err)
	}
	return &DB{Pool: pool, url: url}, nil
}

// Close closes every connection.
func (db *DB) Close() { db.Pool.Close() }

// URL is the connection URL the DB was opened with.
func (db *DB) URL() string { return db.url }

// Redact hides the password of a connection URL for logs.
func Redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// CreateDatabase creates database name on the server of adminURL, from template
// when it is not empty; it does nothing when the database exists.
func CreateDatabase(ctx context.Context, adminURL, name, template string) error {
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return err
	}
	if exists {
		return nil
	}
	sql := "CREATE DATABASE " + pgx.Identifier{name}.Sanitize() + " ENCODING 'UTF8'"
	if template != "" {
		sql += " TEMPLATE " + pgx.Identifier{template}.Sanitize()
	}
	_, err = conn.Exec(ctx, sql)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "42P04" { // created meanwhile by another process
		return nil
	}
	return err
}

// WithDatabase returns url with its database name replaced.
func WithDatabase(raw, name string) (string, error) {
	if !strings.Contains(raw, "://") {
		return "", fmt.Errorf("database URL must be a postgres:// URL, got %q", Redact(raw))
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", err
	}
	u.Path = "/" + name
	return u.String(), nil
}

// Location is where a command found its database, for the one line it prints.
type Location struct {
	URL         string
	Description string
	Cluster     *Cluster // nil when DATABASE_URL was used
}

// DatabaseName is the database of the service in a repo-local cluster.
const DatabaseName = "geodata"

// Locate finds the database the same way for every command: DATABASE_URL when set,
// else the private cluster under dataDir, which it creates and starts when needed.
func Locate(ctx context.Context, dataDir string) (Location, error) {
	if u := os.Getenv("DATABASE_URL"); u != "" {
		return Location{URL: u, Description: "DATABASE_URL " + Redact(u)}, nil
	}
	c, err := LocalCluster(dataDir)
	if err != nil {
		return Location{}, err
	}
	if err := c.Ensure(ctx); err != nil {
		return Location{}, err
	}
	if err := CreateDatabase(ctx, c.URL("postgres"), DatabaseName, ""); err != nil {
		return Location{}, fmt.Errorf("create database %s: %w", DatabaseName, err)
	}
	desc := fmt.Sprintf("local cluster %s (socket %s, port %d)", c.Root, c.SocketDir, c.Port)
	return Location{URL: c.URL(DatabaseName), Description: desc, Cluster: c}, nil
}

// FindDataDir is the folder for local state (cluster, sample files): GEODATA_DATA_DIR
// when set, else .geodata in the checkout that holds the working directory, else
// ~/.local/share/geodata.
func FindDataDir() (string, error) {
	if d := os.Getenv("GEODATA_DATA_DIR"); d != "" {
		return filepath.Abs(d)
	}
	if root, ok := findCheckout(); ok {
		return filepath.Join(root, ".geodata"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(home, ".local", "share", "geodata"), nil
}

// ModulePath identifies a geodata checkout by the first line of its go.mod.
const ModulePath = "github.com/vn-opendata/geodata"

func findCheckout() (string, bool) {
	dir, err := os.Getwd()
	if err != nil {
		return "", false
	}
	for {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && strings.HasPrefix(string(b), "module "+ModulePath+"\n") {
			return dir, true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}
