package downloads

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vn-opendata/geodata/catalog"
)

// File is a generated download of one collection version.
type File struct {
	Collection string
	Version    int64
	Format     Format
	Name       string // file name: schools-v3.gpkg
	Path       string
	Size       int64
	SHA256     string // hex
	Created    time.Time
}

// Cache keeps the downloads of each collection version on disk under its folder:
// <dir>/<collection>/v<version>/<collection>-v<version>.<ext>, each with a
// .sha256 file beside it. Files are built on first need (one build per file at a
// time, whoever asks), written aside and renamed into place, so a reader never
// sees half a file. A version's files stay while it is among the newest Keep
// versions, so versioned URLs keep working after an import.
//
// Files are built from the in-memory snapshot, not read from PostGIS: a download
// is the very data the API serves, and building never touches the database.
type Cache struct {
	dir     string
	keep    int
	formats []Format
	mu      sync.Mutex
	builds  map[string]*build // path → build in flight
}

type build struct {
	done chan struct{}
	file File
	err  error
}

// NewCache opens (and creates) the cache folder dir offering formats, keeping
// the newest keep versions of each collection.
func NewCache(dir string, keep int, formats ...Format) (*Cache, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("downloads folder: %w", err)
	}
	seen := map[string]bool{}
	for _, f := range formats {
		if seen[f.Name] || (f.Write == nil) == (f.WriteFile == nil) {
			return nil, fmt.Errorf("download format %q: names must differ and exactly one of Write and WriteFile be set", f.Name)
		}
		seen[f.Name] = true
	}
	return &Cache{dir: dir, keep: max(keep, 1), formats: formats, builds: map[string]*build{}}, nil
}

// Formats lists the offered formats in order.
func (c *Cache) Formats() []Format { return c.formats }

// Format finds an offered format by name.
func (c *Cache) Format(name string) (Format, bool) {
	for _, f := range c.formats {
		if f.Name == name {
			return f, true
		}
	}
	return Format{}, false
}

// FileName is the name of a collection version's file in format f.
func FileName(collection string, version int64, f Format) string {
	return fmt.Sprintf("%s-v%d.%s", collection, version, f.Ext)
}

func (c *Cache) path(collection string, version int64, f Format) string {
	return filepath.Join(c.dir, collection, "v"+strconv.FormatInt(version, 10), FileName(collection, version, f))
}

// Get returns the file of snap in format f, building it when it is not on disk.
// Waiting ends with ctx; the build goes on for the next caller.
func (c *Cache) Get(ctx context.Context, snap *catalog.Snapshot, f Format) (File, error) {
	path := c.path(snap.ID(), snap.Version(), f)
	if file, err := c.stat(snap.ID(), snap.Version(), f, path); err == nil {
		return file, nil
	}
	c.mu.Lock()
	b, running := c.builds[path]
	if !running {
		b = &build{done: make(chan struct{})}
		c.builds[path] = b
		go func() {
			b.file, b.err = c.build(snap, f, path)
			c.mu.Lock()
			delete(c.builds, path)
			c.mu.Unlock()
			close(b.done)
		}()
	}
	c.mu.Unlock()
	select {
	case <-b.done:
		return b.file, b.err
	case <-ctx.Done():
		return File{}, ctx.Err()
	}
}

// Stored returns a file already on disk, for versions no longer in memory;
// fs.ErrNotExist when it is not there.
func (c *Cache) Stored(collection string, version int64, f Format) (File, error) {
	return c.stat(collection, version, f, c.path(collection, version, f))
}

func (c *Cache) stat(collection string, version int64, f Format, path string) (File, error) {
	info, err := os.Stat(path)
	if err != nil {
		return File{}, err
	}
	sum, err := os.ReadFile(path + ".sha256")
	if err != nil {
		return File{}, err
	}
	return File{Collection: collection, Version: version, Format: f, Name: filepath.Base(path), Path: path,
		Size: info.Size(), SHA256: strings.TrimSpace(string(sum)), Created: info.ModTime()}, nil
}

// build writes the file under a temporary name, hashes it, writes the checksum,
// then renames both into place.
func (c *Cache) build(snap *catalog.Snapshot, f Format, path string) (File, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return File{}, err
	}
	var suffix [6]byte
	rand.Read(suffix[:])
	tmp := path + ".tmp-" + hex.EncodeToString(suffix[:])
	defer os.Remove(tmp)
	if err := writeFormat(tmp, snap, f); err != nil {
		return File{}, fmt.Errorf("%s of %s v%d: %w", f.Name, snap.ID(), snap.Version(), err)
	}
	sum, err := hashFile(tmp)
	if err != nil {
		return File{}, err
	}
	if err := os.WriteFile(tmp+".sha256", []byte(sum+"\n"), 0o644); err != nil {
		return File{}, err
	}
	defer os.Remove(tmp + ".sha256")
	if err := os.Rename(tmp+".sha256", path+".sha256"); err != nil {
		return File{}, err
	}
	if err := os.Rename(tmp, path); err != nil {
		return File{}, err
	}
	return c.stat(snap.ID(), snap.Version(), f, path)
}

func writeFormat(path string, snap *catalog.Snapshot, f Format) error {
	if f.WriteFile != nil {
		return f.WriteFile(path, snap)
	}
	out, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(out, 256<<10)
	if err := f.Write(w, snap); err != nil {
		out.Close()
		return err
	}
	if err := w.Flush(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func hashFile(path string) (string, error) {
	in, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer in.Close()
	h := sha256.New()
	if _, err := io.Copy(h, in); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Warm builds every format of every snapshot that is missing and prunes the
// versions older than the newest Keep of each collection. It returns the first
// error and goes on with the rest.
func (c *Cache) Warm(ctx context.Context, snaps []*catalog.Snapshot) error {
	var first error
	for _, s := range snaps {
		for _, f := range c.formats {
			if _, err := c.Get(ctx, s, f); err != nil && first == nil {
				first = err
			}
		}
		if err := c.prune(s.ID(), s.Version()); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// prune removes the version folders of collection older than the newest keep,
// never the current one.
func (c *Cache) prune(collection string, current int64) error {
	entries, err := os.ReadDir(filepath.Join(c.dir, collection))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	var versions []int64
	for _, e := range entries {
		v, err := strconv.ParseInt(strings.TrimPrefix(e.Name(), "v"), 10, 64)
		if e.IsDir() && strings.HasPrefix(e.Name(), "v") && err == nil {
			versions = append(versions, v)
		}
	}
	sort.Slice(versions, func(i, j int) bool { return versions[i] > versions[j] })
	for i, v := range versions {
		if i < c.keep || v == current {
			continue
		}
		if err := os.RemoveAll(filepath.Join(c.dir, collection, "v"+strconv.FormatInt(v, 10))); err != nil {
			return err
		}
	}
	return nil
}
