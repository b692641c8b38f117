package handlers_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"sync"
	"testing"
)

// requestLog is a handler that records the query of every request it passes on.
type requestLog struct {
	next    http.Handler
	mu      sync.Mutex
	queries []url.Values
}

func (l *requestLog) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	l.mu.Lock()
	l.queries = append(l.queries, r.URL.Query())
	l.mu.Unlock()
	l.next.ServeHTTP(w, r)
}

// filters returns the filter parameters received since the last call.
func (l *requestLog) filters() []url.Values {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []url.Values
	for _, q := range l.queries {
		if q.Has("filter") {
			out = append(out, q)
		}
	}
	l.queries = nil
	return out
}

// ogrinfo -where sends the filter to the server (GDAL 3.6 writes it as
// cql-text, having found that name in the API document) rather than filtering
// on the client, and counts as many features as the filter selects in memory
// (and in PostGIS).
func TestGDALWhereSendsFilter(t *testing.T) {
	e := sampleEnv(t)
	log := &requestLog{next: e.Handler}
	srv := httptest.NewServer(log)
	defer srv.Close()
	count := regexp.MustCompile(`\nFeature Count: (\d+)\n`)
	for _, c := range []struct{ coll, where, cql string }{
		{"schools", `"Số học sinh" > 1000 AND "Huyện" = 'Lục Ngạn'`, `"Số học sinh" > 1000 AND "Huyện" = 'Lục Ngạn'`},
		{"schools", `"Tên trường" ILIKE 'trường thpt%'`, `CASEI("Tên trường") LIKE CASEI('trường thpt%')`},
		{"parking", `suc_chua >= 100 AND mo_cua_24h = 1`, `suc_chua >= 100 AND mo_cua_24h = TRUE`},
		{"bts-sites", `nha_mang = 'Viettel' AND ngay_phat_song >= '2015-01-01'`, `nha_mang = 'Viettel' AND ngay_phat_song >= DATE('2015-01-01')`},
	} {
		out := gdal(t, "ogrinfo", "-ro", "-al", "-so", "OAPIF:"+srv.URL, c.coll, "-where", c.where)
		m := count.FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("%s -where %s: no feature count in\n%s", c.coll, c.where, out)
		}
		got, _ := strconv.Atoi(m[1])
		received := log.filters()
		if len(received) == 0 {
			t.Errorf("%s -where %s: the server received no filter (GDAL filtered on the client)", c.coll, c.where)
		}
		if len(received) > 0 {
			q := received[0]
			t.Logf("%s: GDAL sent filter=%s filter-lang=%s in %d requests", c.coll, q.Get("filter"), q.Get("filter-lang"), len(received))
			if q.Get("filter-lang") != "cql-text" {
				t.Errorf("%s: GDAL sent filter-lang=%q", c.coll, q.Get("filter-lang"))
			}
		}
		mem := itemIDs(t, plainGet(t), filterURL(e, c.coll, "filter", c.cql))
		want := pgFilterIDs(t, e, c.coll, c.cql, "cql2-text", "")
		if got != len(mem) || len(mem) != len(want) || len(want) == 0 {
			t.Errorf("%s -where %s: ogrinfo counts %d, in memory %d, PostGIS %d", c.coll, c.where, got, len(mem), len(want))
		}
	}
}
