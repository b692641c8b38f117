package opendata

import (
	"encoding/json"
	"encoding/xml"
	"io"
	"time"

	"github.com/vn-opendata/geodata/catalog"
)

// Catalog is the catalogue document: the service's datasets and who publishes it.
type Catalog struct {
	XMLName     xml.Name  `json:"-" xml:"catalog"`
	URI         string    `json:"uri" xml:"uri,attr"` // the catalogue's own URL
	Title       string    `json:"title" xml:"title"`
	TitleEn     string    `json:"title_en" xml:"titleEn"`
	Description string    `json:"description" xml:"description"`
	Homepage    string    `json:"homepage" xml:"homepage"`
	Publisher   Agency    `json:"publisher" xml:"publisher"`
	Region      string    `json:"region" xml:"region"`
	RegionBBox  []float64 `json:"region_bbox" xml:"regionBBox>coord"`
	Modified    time.Time `json:"modified" xml:"modified"`
	Entries     []Entry   `json:"datasets" xml:"datasets>dataset"`
}

// NewCatalog describes the region's catalogue at base with entries; its
// publisher is whoever answers today for the region's coordinator.
func NewCatalog(base string, region *catalog.Region, today time.Time, entries []Entry) Catalog {
	c := Catalog{
		URI:   base + "/catalog",
		Title: "Danh mục dữ liệu mở không gian " + region.Name, TitleEn: "Open geospatial data catalogue of " + region.NameEn,
		Description: "Danh mục các tập dữ liệu mở có vị trí (bản đồ) của " + region.Name + ", theo biểu mẫu danh mục dữ liệu mở của tỉnh. " + region.Note,
		Homepage:    base + "/", Region: region.Name, RegionBBox: region.BBox[:], Entries: entries,
	}
	c.Publisher, _ = agencyOf(region.Coordinator, Context{Agencies: region.AgencyHistory(), Today: today})
	for _, e := range entries {
		if e.Modified.After(c.Modified) {
			c.Modified = e.Modified
		}
	}
	return c
}

// WriteJSON writes the catalogue as JSON.
func WriteJSON(w io.Writer, c Catalog) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(c)
}

// WriteXML writes the catalogue as XML (UTF-8).
func WriteXML(w io.Writer, c Catalog) error {
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", " ")
	if err := enc.Encode(c); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
