package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"github.com/vn-opendata/geodata/catalog"
	"github.com/vn-opendata/geodata/handlers"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// cmdServe loads every collection into memory and serves HTTP until interrupted.
func cmdServe(ctx context.Context, args []string) error {
	cfg := defaultConfig()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	cfg.commonFlags(fs)
	fs.StringVar(&cfg.Listen, "listen", cfg.Listen, "address to listen on (env GEODATA_LISTEN; a container needs 0.0.0.0:8080)")
	fs.StringVar(&cfg.PublicURL, "public-url", cfg.PublicURL, "public base URL for links (env GEODATA_PUBLIC_URL; default: from the request)")
	cfg.tileFlags(fs)
	fs.BoolVar(&cfg.TrustProxy, "trust-proxy", cfg.TrustProxy, "take client addresses from X-Forwarded-For, for rate limits (env GEODATA_TRUST_PROXY)")
	fs.Int64Var(&cfg.MaxBody, "max-body", cfg.MaxBody, "bytes of an item or collection write; more answers 413 (env GEODATA_MAX_BODY, 1MiB)")
	fs.Int64Var(&cfg.MaxUpload, "max-upload", cfg.MaxUpload, "bytes of an uploaded import file; more answers 413 (env GEODATA_MAX_UPLOAD, 512MiB)")
	fs.DurationVar(&cfg.DBTimeout, "db-timeout", cfg.DBTimeout, "deadline of a write's database work, passed to PostgreSQL as statement_timeout (env GEODATA_DB_TIMEOUT)")
	lazy := fs.Bool("lazy-downloads", false, "build download files on their first request, not ahead of it (benchmarks)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := cfg.validate(); err != nil {
		return err
	}
	log := cfg.logger()
	region, db, err := cfg.openMigrated(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	log.Info("starting", "listen", cfg.Listen, "public_url", cfg.PublicURL, "region", region.ID, "data_dir", cfg.DataDir, "version", version,
		"read_timeout", cfg.ReadTimeout.String(), "write_timeout", cfg.WriteTimeout.String(), "idle_timeout", cfg.IdleTimeout.String(),
		"max_body", cfg.MaxBody, "max_upload", cfg.MaxUpload, "db_timeout", cfg.DBTimeout.String(),
		"write_rate", fmt.Sprintf("%d, then 1/%s", cfg.WriteBurst, cfg.WriteEvery), "import_workers", cfg.Imports, "trust_proxy", cfg.TrustProxy)
	cat := catalog.New(db, region, log)
	start := time.Now()
	if err := cat.LoadAll(ctx); err != nil {
		return err
	}
	log.Info("collections loaded", "collections", len(cat.Snapshots()), "ms", time.Since(start).Milliseconds())
	go cat.Run(ctx)

	tileOpts, err := cfg.tileOptions()
	if err != nil {
		return err
	}
	srv, err := handlers.New(cat, handlers.Config{PublicURL: cfg.PublicURL, Version: version, Tiles: tileOpts,
		Catalogue: handlers.CatalogueConfig{DownloadDir: filepath.Join(cfg.DataDir, "downloads"), TrustProxy: cfg.TrustProxy,
			LazyDownloads: *lazy},
		Writes: handlers.WritesConfig{MaxBodyBytes: cfg.MaxBody, MaxUploadBytes: cfg.MaxUpload, DBTimeout: cfg.DBTimeout,
			UploadDir: filepath.Join(cfg.DataDir, "uploads"), Burst: cfg.WriteBurst, Every: cfg.WriteEvery, ImportWorkers: cfg.Imports}}, log)
	if err != nil {
		return err
	}
	defer srv.Close() // after the HTTP server: running imports are interrupted and recorded as such
	go srv.Run(ctx)   // usage counters to PostgreSQL, downloads of new versions
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return err
	}
	httpServer := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       cfg.ReadTimeout,
		WriteTimeout:      cfg.WriteTimeout,
		IdleTimeout:       cfg.IdleTimeout,
		MaxHeaderBytes:    64 << 10,
	}
	fmt.Printf("geodata: serving on http://%s/\n", ln.Addr())
	errc := make(chan error, 1)
	go func() { errc <- httpServer.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := httpServer.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
