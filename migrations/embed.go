// Package migrations holds the numbered SQL migrations of the geodata schema,
// embedded in the binary. It imports nothing; store applies them.
package migrations

import "embed"

// FS holds every migration as NNNN_name.sql, applied in file-name order.
//
//go:embed *.sql
var FS embed.FS
