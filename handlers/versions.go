package handlers

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/vn-opendata/geodata/catalog"
	"github.com/vn-opendata/geodata/store"
)

// versionsView is the page of a collection's versions.
type versionsView struct {
	Collection string
	Title      string
	Entries    []store.AuditEntry
	Total      int
	Next, Prev string
}

// versions is GET /collections/{id}/versions: the audit trail of the
// collection, newest first — every import, item write and metadata change, with
// the token and agency that made it, when, and the hash of the source file.
// Who wrote (the actor: an OS user or a token's name) shows with a token only.
func (s *Server) versions(w http.ResponseWriter, r *http.Request) error {
	if err := checkParams(r, "f", "lang", "limit", "offset"); err != nil {
		return err
	}
	snap, err := s.snapshot(r)
	if err != nil {
		return err
	}
	repr, err := negotiate(r, reprJSON, reprHTML)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	limit, err := intParam(q.Get("limit"), "limit", 1, 50)
	if err != nil {
		return err
	}
	limit = min(limit, 500)
	offset, err := intParam(q.Get("offset"), "offset", 0, 0)
	if err != nil {
		return err
	}
	tok, err := s.authenticate(r)
	if err != nil {
		return err
	}
	entries, total, err := s.db.AuditTrail(r.Context(), snap.ID(), limit, offset)
	if err != nil {
		return s.unavailable(err)
	}
	if tok == nil {
		for i := range entries {
			entries[i].Actor = ""
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	self := s.baseURL(r) + "/collections/" + url.PathEscape(snap.ID()) + "/versions"
	page := func(off int) string {
		v := url.Values{"limit": {strconv.Itoa(limit)}, "offset": {strconv.Itoa(off)}}
		if repr.F == "html" {
			v.Set("f", "html")
		}
		return self + "?" + v.Encode()
	}
	view := versionsView{Collection: snap.ID(), Title: collectionTitle(r, snap.Collection), Entries: entries, Total: total}
	if offset+len(entries) < total {
		view.Next = page(offset + len(entries))
	}
	if offset > 0 {
		view.Prev = page(max(0, offset-limit))
	}
	if repr.F == "html" {
		return s.render(w, r, "versions.html", pageData{Title: inLang(r, "Lịch sử phiên bản", "Version history") + " · " + view.Title, Data: view})
	}
	links := []link{{Href: self, Rel: "self", Type: mediaJSON, Title: "Lịch sử phiên bản / version history"},
		{Href: self + "?f=html", Rel: "alternate", Type: mediaHTML, Title: "HTML"},
		{Href: s.baseURL(r) + "/collections/" + url.PathEscape(snap.ID()), Rel: "collection", Type: mediaJSON, Title: snap.Collection.Title}}
	if view.Next != "" {
		links = append(links, link{Href: view.Next, Rel: "next", Type: mediaJSON})
	}
	if view.Prev != "" {
		links = append(links, link{Href: view.Prev, Rel: "prev", Type: mediaJSON})
	}
	if entries == nil {
		entries = []store.AuditEntry{}
	}
	return writeJSON(w, mediaJSON, map[string]any{"collection": snap.ID(), "numberMatched": total,
		"numberReturned": len(entries), "versions": entries, "links": links})
}

// versionLinks links a collection's description to its version history.
func versionLinks(base string, snap *catalog.Snapshot) []link {
	href := base + "/collections/" + url.PathEscape(snap.ID()) + "/versions"
	return []link{{Href: href, Rel: "version-history", Type: mediaJSON, Title: "Lịch sử phiên bản / version history"}}
}
