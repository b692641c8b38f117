package filter

import (
	"fmt"
	"strings"

	"github.com/paulmach/orb"
)

var wktTypes = map[string]bool{
	"point": true, "linestring": true, "polygon": true, "multipoint": true,
	"multilinestring": true, "multipolygon": true, "geometrycollection": true,
}

// parseWKT reads a geometry literal in well-known text whose type word t has
// been read: POINT(1 2), POLYGON Z((…)), GEOMETRYCOLLECTION(POINT(1 2), …).
// Z values are read and dropped: predicates are evaluated in two dimensions.
func (p *textParser) parseWKT(t token) (orb.Geometry, *Error) {
	if err := p.enter(t.pos); err != nil {
		return nil, err
	}
	defer p.leave()
	p.acceptKeyword("z")
	word := strings.ToLower(t.text)
	var g orb.Geometry
	var err *Error
	switch word {
	case "point":
		var pts []orb.Point
		pts, err = p.wktPoints(false)
		if err == nil && len(pts) != 1 {
			err = p.errorf(t.pos, "a POINT has one position, not %d", len(pts))
		}
		if err == nil {
			g = pts[0]
		}
	case "linestring":
		g, err = p.wktLine()
	case "polygon":
		g, err = p.wktPolygon()
	case "multipoint":
		var pts []orb.Point
		pts, err = p.wktPoints(true)
		g = orb.MultiPoint(pts)
	case "multilinestring":
		var ml orb.MultiLineString
		err = p.wktList(func() *Error {
			l, err := p.wktLine()
			ml = append(ml, l)
			return err
		})
		g = ml
	case "multipolygon":
		var mp orb.MultiPolygon
		err = p.wktList(func() *Error {
			poly, err := p.wktPolygon()
			mp = append(mp, poly)
			return err
		})
		g = mp
	case "geometrycollection":
		var c orb.Collection
		err = p.wktList(func() *Error {
			u := p.next()
			if u.kind != tokIdent || !wktTypes[strings.ToLower(u.text)] {
				return p.errorf(u.pos, "expected a geometry in the GEOMETRYCOLLECTION, found %s", describe(u))
			}
			m, err := p.parseWKT(u)
			c = append(c, m)
			return err
		})
		g = c
	}
	if err != nil {
		return nil, err
	}
	if msg := checkGeometry(g); msg != "" {
		return nil, p.errorf(t.pos, "%s", msg)
	}
	return g, nil
}

// wktList reads "(" item {"," item} ")".
func (p *textParser) wktList(item func() *Error) *Error {
	if err := p.expectSymbol("("); err != nil {
		return err
	}
	for {
		if err := item(); err != nil {
			return err
		}
		if !p.acceptSymbol(",") {
			return p.expectSymbol(")")
		}
	}
}

// wktPoints reads "(" position {"," position} ")"; in a MULTIPOINT each
// position may also stand in its own parentheses.
func (p *textParser) wktPoints(multi bool) ([]orb.Point, *Error) {
	var pts []orb.Point
	err := p.wktList(func() *Error {
		paren := multi && p.acceptSymbol("(")
		pt, err := p.wktPosition()
		if err != nil {
			return err
		}
		pts = append(pts, pt)
		if paren {
			return p.expectSymbol(")")
		}
		return nil
	})
	return pts, err
}

func (p *textParser) wktLine() (orb.LineString, *Error) {
	pts, err := p.wktPoints(false)
	return orb.LineString(pts), err
}

func (p *textParser) wktPolygon() (orb.Polygon, *Error) {
	var poly orb.Polygon
	err := p.wktList(func() *Error {
		pts, err := p.wktPoints(false)
		poly = append(poly, orb.Ring(pts))
		return err
	})
	return poly, err
}

// wktPosition reads "x y" or "x y z".
func (p *textParser) wktPosition() (orb.Point, *Error) {
	p.vertices++
	if p.vertices > MaxVertices {
		return orb.Point{}, p.errorf(p.peek().pos, "the geometries of the filter have more than %d positions", MaxVertices)
	}
	x, err := p.signedNumber()
	if err != nil {
		return orb.Point{}, err
	}
	y, err := p.signedNumber()
	if err != nil {
		return orb.Point{}, err
	}
	if t := p.peek(); t.kind == tokNumber || (isSymbol(t, "-") || isSymbol(t, "+")) && p.peekAt(1).kind == tokNumber {
		if _, err := p.signedNumber(); err != nil {
			return orb.Point{}, err
		}
	}
	return orb.Point{x, y}, nil
}

// checkGeometry returns what makes g unusable, or "": lines need two distinct
// positions, rings four positions and the same first and last.
func checkGeometry(g orb.Geometry) string {
	switch g := g.(type) {
	case orb.LineString:
		for _, pt := range g[1:] {
			if pt != g[0] {
				return ""
			}
		}
		return "a LINESTRING needs two distinct positions"
	case orb.MultiLineString:
		for _, l := range g {
			if msg := checkGeometry(l); msg != "" {
				return msg
			}
		}
	case orb.Polygon:
		for i, r := range g {
			if len(r) < 4 {
				return fmt.Sprintf("ring %d of a POLYGON has %d positions; a ring needs at least 4", i+1, len(r))
			}
			if r[0] != r[len(r)-1] {
				return fmt.Sprintf("ring %d of a POLYGON is not closed: its first and last positions differ", i+1)
			}
			if distinct(r) < 3 {
				return fmt.Sprintf("ring %d of a POLYGON has fewer than 3 distinct positions", i+1)
			}
		}
	case orb.MultiPolygon:
		for _, poly := range g {
			if msg := checkGeometry(poly); msg != "" {
				return msg
			}
		}
	case orb.Collection:
		for _, c := range g {
			if msg := checkGeometry(c); msg != "" {
				return msg
			}
		}
	}
	return ""
}

func distinct(r orb.Ring) int {
	seen := map[orb.Point]bool{}
	for _, pt := range r {
		seen[pt] = true
	}
	return len(seen)
}
