package handlers

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// Every tile route is described for /api, and the description is valid JSON
// whose path parameters are those of the route template.
func TestTilesOpenAPIPathsCoverRoutes(t *testing.T) {
	var routes []string
	(&Server{}).tileRoutes(func(path string, _ appHandler) { routes = append(routes, path) })
	paths := tilesOpenAPIPaths()
	if _, err := json.Marshal(paths); err != nil {
		t.Fatal(err)
	}
	for _, r := range routes {
		item, ok := paths[r].(map[string]any)
		if !ok {
			t.Errorf("route %s is not in the OpenAPI paths", r)
			continue
		}
		var declared []string
		for _, p := range item["get"].(map[string]any)["parameters"].([]any) {
			if p := p.(map[string]any); p["in"] == "path" {
				declared = append(declared, p["name"].(string))
			}
		}
		var inPath []string
		for _, seg := range strings.Split(r, "{")[1:] {
			inPath = append(inPath, strings.SplitN(seg, "}", 2)[0])
		}
		slices.Sort(declared)
		slices.Sort(inPath)
		if !slices.Equal(declared, inPath) {
			t.Errorf("%s: path parameters %v, the template has %v", r, declared, inPath)
		}
	}
	if len(paths) != len(routes) {
		t.Errorf("%d OpenAPI paths for %d routes", len(paths), len(routes))
	}
	for _, c := range tilesConformance {
		if !strings.HasPrefix(c, "http://www.opengis.net/spec/") {
			t.Errorf("conformance class %q", c)
		}
	}
}
