package handlers_test

import (
	"strings"
	"testing"
)

func TestMetrics(t *testing.T) {
	e := sampleEnv(t)
	get(t, e.URL+"/collections/schools/items?limit=1", nil)
	get(t, e.URL+"/collections/schools/items/BG-TR-00002", nil)
	resp := get(t, e.URL+"/metrics", nil)
	body := readAll(t, resp)
	for _, want := range []string{
		`geodata_http_requests_total{route="/collections/{collectionId}/items",status="200"}`,
		`geodata_http_requests_total{route="/collections/{collectionId}/items/{featureId}",status="200"}`,
		`geodata_collection_features{collection="schools"} 1800`,
		`geodata_database_up 1`,
		`go_goroutines`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}
