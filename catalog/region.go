package catalog

import (
	"embed"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/vn-opendata/geodata/store"
)

// DefaultRegion is the profile shipped as the default: the scope of Bắc Giang's plan.
const DefaultRegion = "bac-giang"

//go:embed regions/*.json
var regionFiles embed.FS

// Region is a province profile: name, bounding box, the VN-2000 systems its data
// arrives in, the providing agencies and a few places and rivers (for maps and sample
// data). Another province is a new JSON file, not new code.
type Region struct {
	ID         string         `json:"id"`
	Name       string         `json:"name"`
	NameEn     string         `json:"name_en"`
	Note       string         `json:"note"`
	NoteEn     string         `json:"note_en"`
	BBox       [4]float64     `json:"bbox"` // minlon, minlat, maxlon, maxlat
	Center     [2]float64     `json:"center"`
	Zoom       float64        `json:"zoom"`
	CRS        []RegionCRS    `json:"crs"`
	DefaultCRS int            `json:"default_crs"` // EPSG code assumed for VN-2000 files without .prj
	Agencies   []store.Agency `json:"agencies"`
	// Coordinator is the agency in charge of the open-data catalogue (the plan names
	// the Department of Information and Communications); today its successor answers.
	Coordinator string `json:"coordinator"`
	// CoverageTargets are the plan's yearly shares of agencies providing open data.
	CoverageTargets []CoverageTarget `json:"coverage_targets"`
	Places          []Place          `json:"places"`
	Rivers          []River          `json:"rivers"`

	history *Agencies
}

// RegionCRS is a projected system the region's data arrives in.
type RegionCRS struct {
	EPSG int    `json:"epsg"`
	Name string `json:"name"`
	Area string `json:"area"`
}

// Place is a town of the region, weighted by its size.
type Place struct {
	Name     string  `json:"name"`
	District string  `json:"district"`
	Lon      float64 `json:"lon"`
	Lat      float64 `json:"lat"`
	Weight   int     `json:"weight"`
}

// River is a named river as a polyline of lon/lat points.
type River struct {
	Name string       `json:"name"`
	Line [][2]float64 `json:"line"`
}

// LoadRegion reads a built-in profile by id, or a profile file when name ends in .json.
func LoadRegion(name string) (*Region, error) {
	var b []byte
	var err error
	if strings.HasSuffix(name, ".json") {
		b, err = os.ReadFile(name)
	} else {
		b, err = regionFiles.ReadFile("regions/" + name + ".json")
	}
	if err != nil {
		return nil, fmt.Errorf("region %q: %w", name, err)
	}
	var r Region
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("region %q: %w", name, err)
	}
	if err := r.validate(); err != nil {
		return nil, fmt.Errorf("region %q: %w", name, err)
	}
	return &r, nil
}

func (r *Region) validate() error {
	b := r.BBox
	if !(b[0] < b[2] && b[1] < b[3] && b[0] >= -180 && b[2] <= 180 && b[1] >= -90 && b[3] <= 90) {
		return fmt.Errorf("bbox %v is not minlon, minlat, maxlon, maxlat", b)
	}
	if r.ID == "" || r.Name == "" {
		return fmt.Errorf("id and name are required")
	}
	history, err := NewAgencies(r.Agencies)
	if err != nil {
		return err
	}
	r.history = history
	return nil
}

// AgencyHistory is the profile's agencies with their renames and mergers. A
// profile that did not come from LoadRegion is indexed on each call.
func (r *Region) AgencyHistory() *Agencies {
	if r.history != nil {
		return r.history
	}
	a, err := NewAgencies(r.Agencies)
	if err != nil {
		a, _ = NewAgencies(nil)
	}
	return a
}

// Contains reports whether lon/lat lies inside the region's bounding box.
func (r *Region) Contains(lon, lat float64) bool {
	return lon >= r.BBox[0] && lon <= r.BBox[2] && lat >= r.BBox[1] && lat <= r.BBox[3]
}
