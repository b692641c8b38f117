// Package web holds the templates and static files of geodata's pages. MapLibre
// GL JS comes from npm at build time (make copies it to static/vendor, which git
// ignores); nothing here loads anything from another origin.
package web

import "embed"

// FS holds templates/*.html and static/**.
//
//go:embed templates static
var FS embed.FS
