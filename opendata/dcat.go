package opendata

import (
	"cmp"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"
)

// DCATMediaTypes are the media types of the DCAT formats, by their ?f= names.
var DCATMediaTypes = map[string]string{
	"jsonld": "application/ld+json",
	"ttl":    "text/turtle",
	"rdf":    "application/rdf+xml",
}

// Authority lists the DCAT-AP documents point into.
const (
	fileTypeBase      = "http://publications.europa.eu/resource/authority/file-type/"
	languageVietnam   = "http://publications.europa.eu/resource/authority/language/VIE"
	themeTaxonomy     = "http://publications.europa.eu/resource/authority/data-theme"
	publisherRegional = "http://purl.org/adms/publishertype/RegionalAuthority"
	mediaTypeBase     = "https://www.iana.org/assignments/media-types/"
	checksumSHA256    = "http://spdx.org/rdf/terms#checksumAlgorithm_sha256"
)

// WriteDCAT writes the catalogue as DCAT-AP in format jsonld, ttl or rdf.
func WriteDCAT(w io.Writer, c Catalog, format string) error {
	g := c.graph()
	switch format {
	case "jsonld":
		return writeJSONLD(w, g)
	case "ttl":
		return writeTurtle(w, g)
	case "rdf":
		return writeRDFXML(w, g)
	}
	return fmt.Errorf("dcat: unknown format %q", format)
}

// graph describes the catalogue in DCAT-AP 2/3 as ckanext-dcat harvests it: a
// dcat:Catalog, its dcat:Datasets with publisher (foaf:Agent), contact point
// (vcard:Organization), location (dct:Location with a WKT bbox), period
// (dct:PeriodOfTime), and dcat:Distributions with size and SPDX checksum.
func (c Catalog) graph() *graph {
	g := &graph{}
	cat := c.URI
	g.a(cat, "dcat:Catalog")
	g.addText(cat, "dct:title", c.Title, "vi")
	g.addText(cat, "dct:title", c.TitleEn, "en")
	g.addText(cat, "dct:description", c.Description, "vi")
	if c.Publisher.ID != "" {
		g.add(cat, "dct:publisher", iri(c.agencyIRI(c.Publisher.ID)))
	}
	g.add(cat, "foaf:homepage", iri(c.Homepage))
	g.add(cat, "dct:language", iri(languageVietnam))
	g.add(cat, "dcat:themeTaxonomy", iri(themeTaxonomy))
	if !c.Modified.IsZero() {
		g.add(cat, "dct:modified", dateTime(c.Modified))
	}
	region := cat + "#spatial"
	g.add(cat, "dct:spatial", iri(region))
	for _, e := range c.Entries {
		g.add(cat, "dcat:dataset", iri(c.datasetIRI(e)))
	}
	g.a(region, "dct:Location")
	g.addText(region, "rdfs:label", c.Region, "vi")
	if len(c.RegionBBox) == 4 {
		g.add(region, "dcat:bbox", wktBBox(c.RegionBBox))
	}
	agencies := map[string]Agency{}
	if c.Publisher.ID != "" {
		agencies[c.Publisher.ID] = c.Publisher
	}
	for _, e := range c.Entries {
		c.datasetGraph(g, e)
		if e.Agency.ID != "" {
			agencies[e.Agency.ID] = e.Agency
		}
	}
	for _, id := range sortedKeys(agencies) {
		a := agencies[id]
		node := c.agencyIRI(id)
		g.a(node, "foaf:Agent")
		g.a(node, "foaf:Organization")
		g.addText(node, "foaf:name", a.Name, "vi")
		g.addText(node, "foaf:name", a.NameEn, "en")
		g.add(node, "dct:type", iri(publisherRegional))
	}
	return g
}

func (c Catalog) datasetIRI(e Entry) string { return c.Homepage + "collections/" + e.ID }

func (c Catalog) agencyIRI(id string) string { return c.Homepage + "agencies/" + id }

func (c Catalog) datasetGraph(g *graph, e Entry) {
	ds := c.datasetIRI(e)
	g.a(ds, "dcat:Dataset")
	g.addText(ds, "dct:title", e.Title, "vi")
	g.addText(ds, "dct:title", e.TitleEn, "en")
	desc := e.Description
	if desc == "" {
		desc = e.Title
	}
	g.addText(ds, "dct:description", desc, "vi")
	g.add(ds, "dct:identifier", text(e.ID, ""))
	if publisher := cmp.Or(e.Agency.ID, c.Publisher.ID); publisher != "" {
		g.add(ds, "dct:publisher", iri(c.agencyIRI(publisher)))
	}
	g.add(ds, "dcat:landingPage", iri(e.LandingPage))
	g.add(ds, "dct:language", iri(languageVietnam))
	if e.Theme != nil {
		g.add(ds, "dcat:theme", iri(e.Theme.URI))
	}
	if e.Frequency.URI != "" {
		g.add(ds, "dct:accrualPeriodicity", iri(e.Frequency.URI))
	}
	for _, k := range e.Keywords {
		g.addText(ds, "dcat:keyword", k, "vi")
	}
	if e.FirstPublished != "" {
		g.add(ds, "dct:issued", typed(e.FirstPublished, "xsd:date"))
	}
	if !e.Modified.IsZero() {
		g.add(ds, "dct:modified", dateTime(e.Modified))
	}
	g.add(ds, "owl:versionInfo", text(strconv.FormatInt(e.Version, 10), ""))
	g.add(ds, "dct:license", iri(e.License.URI))
	if e.Notes != "" {
		g.add(ds, "adms:versionNotes", text(e.Notes, "vi"))
	}
	contact := ds + "#contact"
	g.add(ds, "dcat:contactPoint", iri(contact))
	g.a(contact, "vcard:Organization")
	g.addText(contact, "vcard:fn", e.Contact.Name, "vi")
	if e.Contact.Email != "" {
		g.add(contact, "vcard:hasEmail", iri("mailto:"+e.Contact.Email))
	}
	if tel := telURI(e.Contact.Phone); tel != "" {
		g.add(contact, "vcard:hasTelephone", iri(tel))
	}
	if len(e.BBox) == 4 {
		loc := ds + "#spatial"
		g.add(ds, "dct:spatial", iri(loc))
		g.a(loc, "dct:Location")
		g.add(loc, "dcat:bbox", wktBBox(e.BBox))
		g.add(loc, "locn:geometry", wktBBox(e.BBox))
	}
	if e.TemporalStart != "" || e.TemporalEnd != "" {
		period := ds + "#temporal"
		g.add(ds, "dct:temporal", iri(period))
		g.a(period, "dct:PeriodOfTime")
		if e.TemporalStart != "" {
			g.add(period, "dcat:startDate", typed(e.TemporalStart, "xsd:date"))
		}
		if e.TemporalEnd != "" {
			g.add(period, "dcat:endDate", typed(e.TemporalEnd, "xsd:date"))
		}
	}
	for _, d := range e.Distributions {
		g.add(ds, "dcat:distribution", iri(ds+"#distribution-"+d.Format))
	}
	for _, d := range e.Distributions {
		c.distributionGraph(g, e, d, ds+"#distribution-"+d.Format)
	}
}

func (c Catalog) distributionGraph(g *graph, e Entry, d Distribution, node string) {
	g.a(node, "dcat:Distribution")
	g.addText(node, "dct:title", d.Title, "vi")
	g.addText(node, "dct:description", fmt.Sprintf("%s — %s", e.Title, d.Title), "vi")
	g.add(node, "dcat:accessURL", iri(d.AccessURL))
	if d.DownloadURL != "" {
		g.add(node, "dcat:downloadURL", iri(d.DownloadURL))
	}
	g.add(node, "dct:format", iri(fileTypeBase+d.FileType))
	g.add(node, "dcat:mediaType", iri(mediaTypeBase+d.MediaType))
	g.add(node, "dct:license", iri(e.License.URI))
	if d.CRS != "" {
		g.add(node, "dct:conformsTo", iri(d.CRS))
	}
	if !e.Modified.IsZero() {
		g.add(node, "dct:modified", dateTime(e.Modified))
	}
	if d.Size > 0 {
		g.add(node, "dcat:byteSize", typed(strconv.FormatInt(d.Size, 10), "xsd:nonNegativeInteger"))
	}
	if d.SHA256 != "" {
		sum := node + "-checksum"
		g.add(node, "spdx:checksum", iri(sum))
		g.a(sum, "spdx:Checksum")
		g.add(sum, "spdx:algorithm", iri(checksumSHA256))
		g.add(sum, "spdx:checksumValue", typed(d.SHA256, "xsd:hexBinary"))
	}
}

func dateTime(t time.Time) term {
	return typed(t.UTC().Format(time.RFC3339), "xsd:dateTime")
}

// wktBBox is a bounding box as a GeoSPARQL WKT polygon (CRS84: lon lat).
func wktBBox(b []float64) term {
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	x0, y0, x1, y1 := f(b[0]), f(b[1]), f(b[2]), f(b[3])
	wkt := fmt.Sprintf("POLYGON((%s %s,%s %s,%s %s,%s %s,%s %s))", x0, y0, x1, y0, x1, y1, x0, y1, x0, y0)
	return typed(wkt, "gsp:wktLiteral")
}

// telURI is a phone number as a tel: URI (RFC 3966), keeping digits and a
// leading +; empty when there are no digits.
func telURI(phone string) string {
	var b strings.Builder
	for i, r := range strings.TrimSpace(phone) {
		if r >= '0' && r <= '9' || (r == '+' && i == 0) {
			b.WriteRune(r)
		}
	}
	if strings.Trim(b.String(), "+") == "" {
		return ""
	}
	return "tel:" + b.String()
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
