package geo

import (
	"strconv"

	"github.com/paulmach/orb"
)

// AppendWKT appends g as Well-Known Text, every coordinate in plain decimal
// notation with the shortest digits that round-trip (never an exponent, which
// spreadsheets and some WKT readers mistake), e.g. "POINT (106.19 21.27)".
func AppendWKT(dst []byte, g orb.Geometry) []byte {
	switch g := g.(type) {
	case orb.Point:
		dst = append(dst, "POINT ("...)
		dst = appendWKTPoint(dst, g)
		return append(dst, ')')
	case orb.MultiPoint:
		if len(g) == 0 {
			return append(dst, "MULTIPOINT EMPTY"...)
		}
		dst = append(dst, "MULTIPOINT ("...)
		for i, p := range g {
			if i > 0 {
				dst = append(dst, ", "...)
			}
			dst = append(dst, '(')
			dst = appendWKTPoint(dst, p)
			dst = append(dst, ')')
		}
		return append(dst, ')')
	case orb.LineString:
		if len(g) == 0 {
			return append(dst, "LINESTRING EMPTY"...)
		}
		return appendWKTPoints(append(dst, "LINESTRING "...), g)
	case orb.MultiLineString:
		if len(g) == 0 {
			return append(dst, "MULTILINESTRING EMPTY"...)
		}
		dst = append(dst, "MULTILINESTRING ("...)
		for i, l := range g {
			if i > 0 {
				dst = append(dst, ", "...)
			}
			dst = appendWKTPoints(dst, l)
		}
		return append(dst, ')')
	case orb.Ring:
		return AppendWKT(dst, orb.Polygon{g})
	case orb.Polygon:
		if len(g) == 0 {
			return append(dst, "POLYGON EMPTY"...)
		}
		return appendWKTPolygon(append(dst, "POLYGON "...), g)
	case orb.MultiPolygon:
		if len(g) == 0 {
			return append(dst, "MULTIPOLYGON EMPTY"...)
		}
		dst = append(dst, "MULTIPOLYGON ("...)
		for i, p := range g {
			if i > 0 {
				dst = append(dst, ", "...)
			}
			dst = appendWKTPolygon(dst, p)
		}
		return append(dst, ')')
	case orb.Collection:
		if len(g) == 0 {
			return append(dst, "GEOMETRYCOLLECTION EMPTY"...)
		}
		dst = append(dst, "GEOMETRYCOLLECTION ("...)
		for i, c := range g {
			if i > 0 {
				dst = append(dst, ", "...)
			}
			dst = AppendWKT(dst, c)
		}
		return append(dst, ')')
	case orb.Bound:
		return AppendWKT(dst, g.ToPolygon())
	}
	return append(dst, "GEOMETRYCOLLECTION EMPTY"...)
}

func appendWKTPoint(dst []byte, p orb.Point) []byte {
	dst = strconv.AppendFloat(dst, p[0], 'f', -1, 64)
	dst = append(dst, ' ')
	return strconv.AppendFloat(dst, p[1], 'f', -1, 64)
}

func appendWKTPoints(dst []byte, ps []orb.Point) []byte {
	dst = append(dst, '(')
	for i, p := range ps {
		if i > 0 {
			dst = append(dst, ", "...)
		}
		dst = appendWKTPoint(dst, p)
	}
	return append(dst, ')')
}

func appendWKTPolygon(dst []byte, p orb.Polygon) []byte {
	dst = append(dst, '(')
	for i, r := range p {
		if i > 0 {
			dst = append(dst, ", "...)
		}
		dst = appendWKTPoints(dst, r)
	}
	return append(dst, ')')
}
