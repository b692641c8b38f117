// Package storetest gives the tests of each package a database of their own on
// the same PostGIS that `make test` provisions: DATABASE_URL's server when set,
// else the repo-local cluster. Databases are cloned from a template that holds
// the current migrations, so a test package starts in a fraction of a second.
package storetest

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/vn-opendata/geodata/store"
)

// templateLock serializes template creation and cloning across test processes.
const templateLock = 7_246_100

var (
	once    sync.Once
	onceURL string
	onceErr error
)

// URL returns the URL of this test process's database, creating it on first use
// (and dropping it when the process's tests end, see Main).
func URL(t testing.TB) string {
	t.Helper()
	once.Do(func() { onceURL, onceErr = create(context.Background()) })
	if onceErr != nil {
		t.Fatalf("test database: %v", onceErr)
	}
	return onceURL
}

// Open returns a connection pool to this test process's database.
func Open(t testing.TB) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), URL(t))
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	t.Cleanup(db.Close)
	return db
}

// Main runs the tests of a package and drops its database afterwards. Use it
// from TestMain: func TestMain(m *testing.M) { storetest.Main(m) }.
func Main(m *testing.M) {
	code := m.Run()
	if onceURL != "" {
		if err := drop(context.Background(), onceURL); err != nil {
			fmt.Fprintln(os.Stderr, "storetest: drop test database:", err)
		}
	}
	os.Exit(code)
}

// AdminURL is the URL of a maintenance database on the test server.
func AdminURL(ctx context.Context) (string, error) {
	if u := os.Getenv("DATABASE_URL"); u != "" {
		return store.WithDatabase(u, "postgres")
	}
	dir, err := store.FindDataDir()
	if err != nil {
		return "", err
	}
	c, err := store.LocalCluster(dir)
	if err != nil {
		return "", err
	}
	if err := c.Ensure(ctx); err != nil {
		return "", fmt.Errorf("local cluster (run `make test`, which provisions it): %w", err)
	}
	return c.URL("postgres"), nil
}

var unsafeName = regexp.MustCompile(`[^a-z0-9_]+`)

func create(ctx context.Context) (string, error) {
	admin, err := AdminURL(ctx)
	if err != nil {
		return "", err
	}
	hash, err := store.MigrationsHash()
	if err != nil {
		return "", err
	}
	tmpl := "geodata_tmpl_" + hash
	pkg := unsafeName.ReplaceAllString(strings.ToLower(filepath.Base(mustWd())), "_")
	name := fmt.Sprintf("geodata_test_%s_%d", pkg, os.Getpid())
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return "", err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", templateLock); err != nil {
		return "", err
	}
	defer conn.Exec(ctx, "SELECT pg_advisory_unlock($1)", templateLock)
	dropStale(ctx, conn)
	if err := ensureTemplate(ctx, conn, admin, tmpl); err != nil {
		return "", err
	}
	if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()); err != nil {
		return "", err
	}
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()+" TEMPLATE "+pgx.Identifier{tmpl}.Sanitize()); err != nil {
		return "", fmt.Errorf("clone %s: %w", tmpl, err)
	}
	return store.WithDatabase(admin, name)
}

// ensureTemplate creates the migrated template database when it is missing.
func ensureTemplate(ctx context.Context, conn *pgx.Conn, admin, tmpl string) error {
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", tmpl).Scan(&exists); err != nil {
		return err
	}
	if exists {
		return nil
	}
	building := tmpl + "_building"
	conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{building}.Sanitize())
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{building}.Sanitize()); err != nil {
		return err
	}
	u, err := store.WithDatabase(admin, building)
	if err != nil {
		return err
	}
	db, err := store.Open(ctx, u)
	if err != nil {
		return err
	}
	_, err = db.Migrate(ctx)
	db.Close()
	if err != nil {
		return fmt.Errorf("migrate template: %w", err)
	}
	// Renaming only when complete means a crash never leaves a half-built template.
	_, err = conn.Exec(ctx, "ALTER DATABASE "+pgx.Identifier{building}.Sanitize()+" RENAME TO "+pgx.Identifier{tmpl}.Sanitize())
	return err
}

var testDBName = regexp.MustCompile(`^geodata_test_.+_([0-9]+)$`)

// dropStale drops the databases of test processes of this machine that died
// without cleaning up, and templates of older migrations.
func dropStale(ctx context.Context, conn *pgx.Conn) {
	rows, err := conn.Query(ctx, "SELECT datname FROM pg_database WHERE datname LIKE 'geodata\\_%'")
	if err != nil {
		return
	}
	names, _ := pgx.CollectRows(rows, pgx.RowTo[string])
	hash, _ := store.MigrationsHash()
	for _, n := range names {
		m := testDBName.FindStringSubmatch(n)
		stale := false
		switch {
		case m != nil:
			pid, _ := strconv.Atoi(m[1])
			stale = syscall.Kill(pid, 0) == syscall.ESRCH
		case strings.HasPrefix(n, "geodata_tmpl_") && n != "geodata_tmpl_"+hash && !strings.HasSuffix(n, "_building"):
			stale = true
		}
		if stale {
			conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{n}.Sanitize()+" WITH (FORCE)")
		}
	}
}

func drop(ctx context.Context, u string) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	admin, err := store.WithDatabase(u, "postgres")
	if err != nil {
		return err
	}
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	name := strings.TrimPrefix(mustParsePath(u), "/")
	_, err = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
	return err
}

func mustWd() string {
	wd, err := os.Getwd()
	if err != nil {
		return "unknown"
	}
	return wd
}

func mustParsePath(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Path
}
