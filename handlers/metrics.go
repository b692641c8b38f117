package handlers

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gorilla/mux"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/vn-opendata/geodata/catalog"
)

// metrics are the Prometheus metrics of one server (a registry of its own, no
// package-level state), served at /metrics.
type metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newMetrics(cat *catalog.Catalog) *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "geodata_http_requests_total", Help: "HTTP requests by route and status.",
		}, []string{"route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "geodata_http_request_duration_seconds", Help: "HTTP request duration by route.",
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"route"}),
	}
	m.registry.MustRegister(m.requests, m.duration,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		snapshotCollector{cat})
	return m
}

// instrument counts and times requests by route template (not raw path, so ids
// and tile coordinates do not explode the label set).
func (m *metrics) instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw, ok := w.(*statusWriter)
		if !ok {
			sw = &statusWriter{ResponseWriter: w}
		}
		next.ServeHTTP(sw, r)
		route := "other"
		if cr := mux.CurrentRoute(r); cr != nil {
			if tpl, err := cr.GetPathTemplate(); err == nil {
				route = tpl
			}
		}
		status := sw.status
		if status == 0 {
			status = http.StatusOK
		}
		m.requests.WithLabelValues(route, strconv.Itoa(status)).Inc()
		m.duration.WithLabelValues(route).Observe(time.Since(start).Seconds())
	})
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}

// snapshotCollector reports the state of the snapshots at scrape time.
type snapshotCollector struct{ cat *catalog.Catalog }

var (
	featuresDesc = prometheus.NewDesc("geodata_collection_features", "Features in the collection's snapshot.", []string{"collection"}, nil)
	versionDesc  = prometheus.NewDesc("geodata_collection_version", "Version held by the collection's snapshot.", []string{"collection"}, nil)
	reloadsDesc  = prometheus.NewDesc("geodata_snapshot_reloads_total", "Full snapshot loads since start.", nil, nil)
	deltasDesc   = prometheus.NewDesc("geodata_snapshot_deltas_total", "Item writes applied to snapshots as deltas.", nil, nil)
	dbUpDesc     = prometheus.NewDesc("geodata_database_up", "1 when the change-notification connection is alive.", nil, nil)
)

func (c snapshotCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{featuresDesc, versionDesc, reloadsDesc, deltasDesc, dbUpDesc} {
		ch <- d
	}
}

func (c snapshotCollector) Collect(ch chan<- prometheus.Metric) {
	for _, s := range c.cat.Snapshots() {
		ch <- prometheus.MustNewConstMetric(featuresDesc, prometheus.GaugeValue, float64(len(s.Features)), s.ID())
		ch <- prometheus.MustNewConstMetric(versionDesc, prometheus.GaugeValue, float64(s.Version()), s.ID())
	}
	ch <- prometheus.MustNewConstMetric(reloadsDesc, prometheus.CounterValue, float64(c.cat.Reloads()))
	ch <- prometheus.MustNewConstMetric(deltasDesc, prometheus.CounterValue, float64(c.cat.Deltas()))
	up := 0.0
	if c.cat.DatabaseUp() {
		up = 1
	}
	ch <- prometheus.MustNewConstMetric(dbUpDesc, prometheus.GaugeValue, up)
}
