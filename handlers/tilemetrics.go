package handlers

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/vn-opendata/geodata/tiles"
)

// tileCacheCollector exports the counters of the tile cache to /metrics.
type tileCacheCollector struct{ cache *tiles.Cache }

var (
	tileCacheHits      = prometheus.NewDesc("geodata_tile_cache_hits_total", "Tiles served from the tile cache.", nil, nil)
	tileCacheMisses    = prometheus.NewDesc("geodata_tile_cache_misses_total", "Tiles not in the tile cache (encoded).", nil, nil)
	tileCacheEvictions = prometheus.NewDesc("geodata_tile_cache_evictions_total", "Tiles dropped from the tile cache (budget or new version).", nil, nil)
	tileCacheBytes     = prometheus.NewDesc("geodata_tile_cache_bytes", "Bytes held by the tile cache.", nil, nil)
	tileCacheMaxBytes  = prometheus.NewDesc("geodata_tile_cache_max_bytes", "Byte budget of the tile cache.", nil, nil)
	tileCacheEntries   = prometheus.NewDesc("geodata_tile_cache_entries", "Tiles held by the tile cache.", nil, nil)
)

func (c tileCacheCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{tileCacheHits, tileCacheMisses, tileCacheEvictions, tileCacheBytes, tileCacheMaxBytes, tileCacheEntries} {
		ch <- d
	}
}

func (c tileCacheCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.cache.Stats()
	ch <- prometheus.MustNewConstMetric(tileCacheHits, prometheus.CounterValue, float64(st.Hits))
	ch <- prometheus.MustNewConstMetric(tileCacheMisses, prometheus.CounterValue, float64(st.Misses))
	ch <- prometheus.MustNewConstMetric(tileCacheEvictions, prometheus.CounterValue, float64(st.Evictions))
	ch <- prometheus.MustNewConstMetric(tileCacheBytes, prometheus.GaugeValue, float64(st.Bytes))
	ch <- prometheus.MustNewConstMetric(tileCacheMaxBytes, prometheus.GaugeValue, float64(st.MaxBytes))
	ch <- prometheus.MustNewConstMetric(tileCacheEntries, prometheus.GaugeValue, float64(st.Entries))
}
