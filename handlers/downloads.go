package handlers

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/vn-opendata/geodata/catalog"
	"github.com/vn-opendata/geodata/downloads"
	"github.com/vn-opendata/geodata/store"
)

// downloadLatest serves /downloads/{collection}.{ext}: the current version's
// file, at a URL that never changes; its ETag is the version.
func (s *Server) downloadLatest(w http.ResponseWriter, r *http.Request) error {
	if err := checkParams(r); err != nil {
		return err
	}
	name := mux.Vars(r)["file"]
	snap, f, ok := s.resolveDownload(name)
	if !ok {
		return notFound("no download %q: use /downloads/{collection}.{%s} / không có tệp tải về này", name, s.extList())
	}
	file, err := s.downloads.Get(r.Context(), snap, f)
	if err != nil {
		return err
	}
	return s.serveDownload(w, r, file, "public, max-age=60")
}

// resolveDownload splits "schools.vn2000.csv" into a collection and a format.
func (s *Server) resolveDownload(name string) (*catalog.Snapshot, downloads.Format, bool) {
	for _, f := range s.downloads.Formats() {
		id, ok := strings.CutSuffix(name, "."+f.Ext)
		if !ok {
			continue
		}
		if snap, ok := s.cat.Snapshot(id); ok {
			return snap, f, true
		}
	}
	return nil, downloads.Format{}, false
}

func (s *Server) extList() string {
	var exts []string
	for _, f := range s.downloads.Formats() {
		exts = append(exts, f.Ext)
	}
	return strings.Join(exts, ",")
}

// downloadVersion serves /downloads/{collection}/v{version}/{file}: one
// version's file, immutable. Versions no longer current are served from the
// disk cache while they are kept there; older ones are gone (410).
func (s *Server) downloadVersion(w http.ResponseWriter, r *http.Request) error {
	if err := checkParams(r); err != nil {
		return err
	}
	vars := mux.Vars(r)
	id, name := vars["collectionId"], vars["file"]
	version, err := strconv.ParseInt(vars["version"], 10, 64)
	if err != nil {
		return notFound("no version %q", vars["version"])
	}
	snap, ok := s.cat.Snapshot(id)
	if !ok {
		return notFound("collection %q does not exist / không có tập dữ liệu này", id)
	}
	var format downloads.Format
	found := false
	for _, f := range s.downloads.Formats() {
		if downloads.FileName(id, version, f) == name {
			format, found = f, true
		}
	}
	if !found {
		return notFound("no file %q in version %d of %s / không có tệp này", name, version, id)
	}
	var file downloads.File
	switch {
	case version == snap.Version():
		file, err = s.downloads.Get(r.Context(), snap, format)
	case version > snap.Version():
		return notFound("collection %s has no version %d yet (current: %d)", id, version, snap.Version())
	default:
		file, err = s.downloads.Stored(id, version, format)
		if errors.Is(err, fs.ErrNotExist) {
			return &Error{Status: http.StatusGone, Code: "Gone", Description: "version " + strconv.FormatInt(version, 10) +
				" of " + id + " is no longer kept; the current one is at /downloads/" + url.PathEscape(id+"."+format.Ext) +
				" / phiên bản này không còn lưu, hãy tải phiên bản hiện hành"}
		}
	}
	if err != nil {
		return err
	}
	return s.serveDownload(w, r, file, "public, max-age=31536000, immutable")
}

// wholeDownload reports whether r will receive the whole file: a GET, not a
// range, not answered 304 by its validators.
func wholeDownload(r *http.Request, tag string, modified time.Time) bool {
	if r.Method != http.MethodGet || r.Header.Get("Range") != "" {
		return false
	}
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		for _, t := range strings.Split(inm, ",") {
			if t = strings.TrimPrefix(strings.TrimSpace(t), "W/"); t == tag || t == "*" {
				return false
			}
		}
		return true
	}
	if ims, err := http.ParseTime(r.Header.Get("If-Modified-Since")); err == nil && !modified.Truncate(time.Second).After(ims) {
		return false
	}
	return true
}

// serveDownload sends a file with its checksum (Repr-Digest), an ETag made of
// the version and the checksum, and ranges (http.ServeContent), and counts
// complete downloads.
func (s *Server) serveDownload(w http.ResponseWriter, r *http.Request, file downloads.File, cacheControl string) error {
	in, err := os.Open(file.Path)
	if err != nil {
		return err
	}
	defer in.Close()
	h := w.Header()
	h.Set("Content-Type", file.Format.MediaType)
	h.Set("Content-Disposition", `attachment; filename="`+file.Name+`"`)
	tag := `"` + file.Collection + "-v" + strconv.FormatInt(file.Version, 10) + "-" + file.SHA256[:16] + `"`
	h.Set("ETag", tag)
	h.Set("Cache-Control", cacheControl)
	if sum, err := hex.DecodeString(file.SHA256); err == nil {
		h.Set("Repr-Digest", "sha-256=:"+base64.StdEncoding.EncodeToString(sum)+":") // RFC 9530
	}
	// Counted before sending, so a client that has read the whole file always
	// finds its download counted.
	if wholeDownload(r, tag, file.Created) {
		s.usage.Count(file.Collection, store.UsageDownload)
	}
	http.ServeContent(w, r, file.Name, file.Created, in)
	return nil
}
