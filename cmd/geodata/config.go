package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/vn-opendata/geodata/catalog"
	"github.com/vn-opendata/geodata/store"
)

// Config is the whole configuration of a command, filled from the environment and
// then from flags (flags win), validated once at start.
type Config struct {
	DataDir      string        // GEODATA_DATA_DIR: local state (cluster, sample files)
	Listen       string        // GEODATA_LISTEN: address to serve on
	PublicURL    string        // GEODATA_PUBLIC_URL: base URL of links; empty = from the request
	Region       string        // GEODATA_REGION: built-in profile id or a JSON file
	LogFormat    string        // GEODATA_LOG_FORMAT: json or text
	ReadTimeout  time.Duration // GEODATA_READ_TIMEOUT
	WriteTimeout time.Duration // GEODATA_WRITE_TIMEOUT
	IdleTimeout  time.Duration // GEODATA_IDLE_TIMEOUT: keep-alive connections
	TilesConfig  string        // GEODATA_TILES_CONFIG: JSON file of tile options (see tiles.Options)
	TileCacheMB  int           // GEODATA_TILE_CACHE_MB: byte budget of the tile cache, in MiB
	TrustProxy   bool          // GEODATA_TRUST_PROXY: client addresses from X-Forwarded-For
	MaxBody      int64         // GEODATA_MAX_BODY: bytes of an item or collection write
	MaxUpload    int64         // GEODATA_MAX_UPLOAD: bytes of an uploaded import file
	DBTimeout    time.Duration // GEODATA_DB_TIMEOUT: deadline of a write's database work
	WriteBurst   int           // GEODATA_WRITE_BURST: writes a client may send at once
	WriteEvery   time.Duration // GEODATA_WRITE_EVERY: then one per this
	Imports      int           // GEODATA_IMPORT_WORKERS: uploads imported at once
}

func defaultConfig() Config {
	return Config{
		DataDir:      os.Getenv("GEODATA_DATA_DIR"),
		Listen:       envOr("GEODATA_LISTEN", "127.0.0.1:8080"),
		PublicURL:    os.Getenv("GEODATA_PUBLIC_URL"),
		Region:       envOr("GEODATA_REGION", catalog.DefaultRegion),
		LogFormat:    envOr("GEODATA_LOG_FORMAT", "text"),
		ReadTimeout:  envDuration("GEODATA_READ_TIMEOUT", 15*time.Second),
		WriteTimeout: envDuration("GEODATA_WRITE_TIMEOUT", 60*time.Second),
		IdleTimeout:  envDuration("GEODATA_IDLE_TIMEOUT", 120*time.Second),
		TilesConfig:  os.Getenv("GEODATA_TILES_CONFIG"),
		TileCacheMB:  envInt("GEODATA_TILE_CACHE_MB", 0),
		TrustProxy:   os.Getenv("GEODATA_TRUST_PROXY") == "true" || os.Getenv("GEODATA_TRUST_PROXY") == "1",
		MaxBody:      envSize("GEODATA_MAX_BODY", 1<<20),
		MaxUpload:    envSize("GEODATA_MAX_UPLOAD", 512<<20),
		DBTimeout:    envDuration("GEODATA_DB_TIMEOUT", 10*time.Second),
		WriteBurst:   envInt("GEODATA_WRITE_BURST", 120),
		WriteEvery:   envDuration("GEODATA_WRITE_EVERY", 250*time.Millisecond),
		Imports:      envInt("GEODATA_IMPORT_WORKERS", 2),
	}
}

// envSize reads a size in bytes, or with a unit: 512KiB, 16MiB, 1GiB.
func envSize(key string, def int64) int64 {
	v := os.Getenv(key)
	for i, unit := range []string{"KiB", "MiB", "GiB"} {
		if n, ok := strings.CutSuffix(v, unit); ok {
			if k, err := strconv.ParseInt(strings.TrimSpace(n), 10, 64); err == nil && k > 0 {
				return k << (10 * (i + 1))
			}
			return def
		}
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil && n > 0 {
		return n
	}
	return def
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

func envInt(key string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(key)); err == nil {
		return n
	}
	return def
}

func envDuration(key string, def time.Duration) time.Duration {
	if v := os.Getenv(key); v != "" {
		if d, err := time.ParseDuration(v); err == nil {
			return d
		}
		if n, err := strconv.Atoi(v); err == nil {
			return time.Duration(n) * time.Second
		}
	}
	return def
}

// commonFlags registers the flags every database command shares.
func (c *Config) commonFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.DataDir, "data-dir", c.DataDir, "folder for local state: private cluster, sample files (env GEODATA_DATA_DIR; default .geodata of the checkout)")
	fs.StringVar(&c.Region, "region", c.Region, "region profile: a built-in id or a JSON file (env GEODATA_REGION)")
	fs.StringVar(&c.LogFormat, "log-format", c.LogFormat, "log format: text or json (env GEODATA_LOG_FORMAT)")
}

func (c *Config) validate() error {
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return fmt.Errorf("log format %q: want text or json", c.LogFormat)
	}
	if c.DataDir == "" {
		d, err := store.FindDataDir()
		if err != nil {
			return err
		}
		c.DataDir = d
	}
	return nil
}

func (c *Config) logger() *slog.Logger {
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(os.Stderr, nil))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, nil))
}

// openMigrated loads the region profile, opens the database and brings its
// schema up to date: how every subcommand that reads or writes data starts.
func (c *Config) openMigrated(ctx context.Context) (*catalog.Region, *store.DB, error) {
	region, err := catalog.LoadRegion(c.Region)
	if err != nil {
		return nil, nil, err
	}
	db, err := c.openDB(ctx)
	if err != nil {
		return nil, nil, err
	}
	if err := migrate(ctx, db, region); err != nil {
		db.Close()
		return nil, nil, err
	}
	return region, db, nil
}

// openDB finds the database (DATABASE_URL, else the private cluster), says which
// one on stderr, and opens it.
func (c *Config) openDB(ctx context.Context) (*store.DB, error) {
	loc, err := store.Locate(ctx, c.DataDir)
	if err != nil {
		return nil, err
	}
	if loc.Cluster != nil {
		for _, note := range loc.Cluster.Notes {
			fmt.Fprintln(os.Stderr, "geodata: note:", note)
		}
	}
	fmt.Fprintln(os.Stderr, "geodata: database:", loc.Description)
	return store.Open(ctx, loc.URL)
}
