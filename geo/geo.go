// Package geo is geodata's pure geometry: bounding boxes and tile math, geodesic
// distance, VN-2000 ⇄ WGS84 ⇄ Web Mercator, simplification, the nearest-neighbour
// index, spatial predicates (DE-9IM) and geometry validity. It does no I/O and
// knows nothing of HTTP or SQL; it may import orb, go-geom and rtree only.
//
//	idx := geo.NewIndex()
//	for i, g := range geometries { idx.Insert(geo.GeodesicBound(g), int32(i)) }
//	idx.Search(orb.Bound{Min: orb.Point{106, 21}, Max: orb.Point{106.5, 21.5}}, func(i int32) bool { ...; return true })
//	near := idx.Nearest(orb.Point{106.2, 21.27}, 10, math.Inf(1), func(i int32) (float64, bool) {
//		d, _ := geo.DistanceTo(orb.Point{106.2, 21.27}, geometries[i])
//		return d, true
//	})
package geo
