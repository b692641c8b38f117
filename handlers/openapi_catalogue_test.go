package handlers

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/gorilla/mux"
)

// Every path and method of the catalogue's OpenAPI paths is a route, and every
// catalogue route but the HTML-only inbox is documented.
func TestCatalogOpenAPIPathsMatchRoutes(t *testing.T) {
	r := mux.NewRouter()
	(&Server{}).catalogueRoutes(r)
	pattern := regexp.MustCompile(`\{(\w+):[^}]*\}`)
	routes := map[string]bool{}
	err := r.Walk(func(route *mux.Route, _ *mux.Router, _ []*mux.Route) error {
		tpl, err := route.GetPathTemplate()
		if err != nil {
			return err
		}
		methods, _ := route.GetMethods()
		for _, m := range methods {
			if m != "HEAD" {
				routes[strings.ToLower(m)+" "+pattern.ReplaceAllString(tpl, "{$1}")] = true
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	paths := catalogOpenAPIPaths()
	documented := map[string]bool{}
	for path, item := range paths {
		for method, op := range item.(map[string]any) {
			key := method + " " + path
			documented[key] = true
			if !routes[key] {
				t.Errorf("documented but not routed: %s", key)
			}
			if sec, ok := op.(map[string]any)["security"]; ok {
				for _, req := range sec.([]map[string][]string) {
					for name := range req {
						if _, ok := catalogOpenAPISecuritySchemes()[name]; !ok {
							t.Errorf("%s: unknown security scheme %s", key, name)
						}
					}
				}
			}
		}
	}
	for key := range routes {
		if !documented[key] && key != "get /feedback/inbox" {
			t.Errorf("routed but not documented: %s", key)
		}
	}
	if _, err := json.Marshal(paths); err != nil {
		t.Fatal(err)
	}
}
