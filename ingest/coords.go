package ingest

import (
	"github.com/vn-opendata/geodata/catalog"
	"github.com/vn-opendata/geodata/importers"
)

// regionHint is what the readers need of the region profile: its bounding box,
// to tell swapped columns, and its VN-2000 systems, the default first, to pick
// the system of a file in metres that names none.
func regionHint(r *catalog.Region) *importers.Region {
	h := &importers.Region{BBox: r.BBox}
	if r.DefaultCRS != 0 {
		h.CRS = append(h.CRS, r.DefaultCRS)
	}
	for _, c := range r.CRS {
		if c.EPSG != r.DefaultCRS {
			h.CRS = append(h.CRS, c.EPSG)
		}
	}
	return h
}
