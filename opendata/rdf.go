package opendata

import (
	"bufio"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Namespaces of the DCAT-AP documents, by prefix.
var namespaces = map[string]string{
	"rdf":   "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
	"rdfs":  "http://www.w3.org/2000/01/rdf-schema#",
	"xsd":   "http://www.w3.org/2001/XMLSchema#",
	"dcat":  "http://www.w3.org/ns/dcat#",
	"dct":   "http://purl.org/dc/terms/",
	"foaf":  "http://xmlns.com/foaf/0.1/",
	"vcard": "http://www.w3.org/2006/vcard/ns#",
	"spdx":  "http://spdx.org/rdf/terms#",
	"adms":  "http://www.w3.org/ns/adms#",
	"locn":  "http://www.w3.org/ns/locn#",
	"gsp":   "http://www.opengis.net/ont/geosparql#",
	"owl":   "http://www.w3.org/2002/07/owl#",
}

// prefixes in a stable order for the documents.
var prefixes = func() []string {
	var out []string
	for p := range namespaces {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}()

// term is an RDF object: an IRI, or a literal with a language or a datatype.
type term struct {
	iri      string
	literal  string
	lang     string
	datatype string // an IRI; empty for plain and language strings
}

func iri(s string) term { return term{iri: s} }

func text(s, lang string) term { return term{literal: s, lang: lang} }

func typed(s, datatype string) term { return term{literal: s, datatype: expand(datatype)} }

// triple is subject, predicate, object; subjects are always IRIs: the documents
// use no blank nodes, so every node can be referred to and graphs compare as sets.
type triple struct {
	s, p string
	o    term
}

// graph is an ordered set of triples.
type graph struct {
	triples []triple
}

// add appends (s, p, o); p may be a prefixed name ("dct:title").
func (g *graph) add(s, p string, o term) {
	g.triples = append(g.triples, triple{s: s, p: expand(p), o: o})
}

// addText adds a language string unless it is empty.
func (g *graph) addText(s, p, value, lang string) {
	if value != "" {
		g.add(s, p, text(value, lang))
	}
}

// a says s has type class.
func (g *graph) a(s, class string) { g.add(s, "rdf:type", iri(expand(class))) }

// expand turns a prefixed name into an IRI; anything else is returned as is.
func expand(name string) string {
	p, local, ok := strings.Cut(name, ":")
	if ns, known := namespaces[p]; ok && known && !strings.HasPrefix(local, "//") {
		return ns + local
	}
	return name
}

// compact writes iri as prefix:local when a namespace covers it and the local
// part is a plain name, so that Turtle, RDF/XML and JSON-LD can all use it.
func compact(iri string) (string, bool) {
	for _, p := range prefixes {
		ns := namespaces[p]
		if local, ok := strings.CutPrefix(iri, ns); ok && plainName(local) {
			return p + ":" + local, true
		}
	}
	return "", false
}

func plainName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		letter := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '_'
		if !letter && (i == 0 || !(r >= '0' && r <= '9' || r == '-')) {
			return false
		}
	}
	return true
}

// subjects lists the subjects in order of first appearance with their triples.
func (g *graph) subjects() ([]string, map[string][]triple) {
	var order []string
	by := map[string][]triple{}
	for _, t := range g.triples {
		if _, seen := by[t.s]; !seen {
			order = append(order, t.s)
		}
		by[t.s] = append(by[t.s], t)
	}
	return order, by
}

// WriteTurtle writes the graph as Turtle.
func writeTurtle(w io.Writer, g *graph) error {
	bw := bufio.NewWriter(w)
	for _, p := range prefixes {
		fmt.Fprintf(bw, "@prefix %s: <%s> .\n", p, namespaces[p])
	}
	order, by := g.subjects()
	for _, s := range order {
		fmt.Fprintf(bw, "\n%s", turtleIRI(s))
		ts := by[s]
		for i, t := range ts {
			if i > 0 && ts[i-1].p == t.p {
				fmt.Fprintf(bw, ",\n        %s", turtleTerm(t.o))
				continue
			}
			if i > 0 {
				bw.WriteString(" ;")
			}
			pred := turtleIRI(t.p)
			if t.p == namespaces["rdf"]+"type" {
				pred = "a"
			}
			fmt.Fprintf(bw, "\n    %s %s", pred, turtleTerm(t.o))
		}
		bw.WriteString(" .\n")
	}
	return bw.Flush()
}

func turtleIRI(s string) string {
	if c, ok := compact(s); ok {
		return c
	}
	return "<" + escapeIRI(s) + ">"
}

// escapeIRI percent-encodes the few characters an IRI reference may not hold.
func escapeIRI(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r <= 0x20 || strings.ContainsRune(`<>"{}|^`+"`\\", r) {
			fmt.Fprintf(&b, "%%%02X", r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func turtleTerm(o term) string {
	if o.iri != "" {
		return turtleIRI(o.iri)
	}
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range o.literal {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	switch {
	case o.lang != "":
		b.WriteString("@" + o.lang)
	case o.datatype != "":
		b.WriteString("^^" + turtleIRI(o.datatype))
	}
	return b.String()
}

// writeRDFXML writes the graph as RDF/XML: one rdf:Description per subject.
func writeRDFXML(w io.Writer, g *graph) error {
	bw := bufio.NewWriter(w)
	bw.WriteString(xml.Header + "<rdf:RDF")
	for _, p := range prefixes {
		fmt.Fprintf(bw, "\n    xmlns:%s=\"%s\"", p, namespaces[p])
	}
	bw.WriteString(">\n")
	order, by := g.subjects()
	for _, s := range order {
		fmt.Fprintf(bw, "  <rdf:Description rdf:about=\"%s\">\n", xmlEscape(s))
		for _, t := range by[s] {
			name, ok := compact(t.p)
			if !ok {
				return fmt.Errorf("rdf/xml: predicate %s has no prefix", t.p)
			}
			if t.o.iri != "" {
				fmt.Fprintf(bw, "    <%s rdf:resource=\"%s\"/>\n", name, xmlEscape(t.o.iri))
				continue
			}
			attr := ""
			switch {
			case t.o.lang != "":
				attr = fmt.Sprintf(" xml:lang=\"%s\"", t.o.lang)
			case t.o.datatype != "":
				attr = fmt.Sprintf(" rdf:datatype=\"%s\"", xmlEscape(t.o.datatype))
			}
			fmt.Fprintf(bw, "    <%s%s>%s</%s>\n", name, attr, xmlEscape(t.o.literal), name)
		}
		bw.WriteString("  </rdf:Description>\n")
	}
	bw.WriteString("</rdf:RDF>\n")
	return bw.Flush()
}

func xmlEscape(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s)) // writing to a strings.Builder does not fail
	return b.String()
}

// writeJSONLD writes the graph as JSON-LD 1.1 (flattened: a @graph of node
// objects, every value in its expanded object form, names compacted through the
// @context's prefixes).
func writeJSONLD(w io.Writer, g *graph) error {
	ctx := map[string]string{}
	for _, p := range prefixes {
		ctx[p] = namespaces[p]
	}
	order, by := g.subjects()
	nodes := make([]map[string]any, 0, len(order))
	for _, s := range order {
		node := map[string]any{"@id": s}
		var types []string
		for _, t := range by[s] {
			if t.p == namespaces["rdf"]+"type" {
				types = append(types, jsonldName(t.o.iri))
				continue
			}
			key := jsonldName(t.p)
			list, _ := node[key].([]map[string]any)
			node[key] = append(list, jsonldValue(t.o))
		}
		if len(types) > 0 {
			node["@type"] = types
		}
		nodes = append(nodes, node)
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	return enc.Encode(map[string]any{"@context": ctx, "@graph": nodes})
}

func jsonldName(iri string) string {
	if c, ok := compact(iri); ok {
		return c
	}
	return iri
}

func jsonldValue(o term) map[string]any {
	if o.iri != "" {
		return map[string]any{"@id": o.iri}
	}
	v := map[string]any{"@value": o.literal}
	switch {
	case o.lang != "":
		v["@language"] = o.lang
	case o.datatype != "":
		v["@type"] = jsonldName(o.datatype)
	}
	return v
}
