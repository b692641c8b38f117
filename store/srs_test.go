package store_test

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/vn-opendata/geodata/geo"
	"github.com/vn-opendata/geodata/store/storetest"
)

// TestSpatialRefSys checks that every CRS geo transforms is in PostGIS's
// spatial_ref_sys after the migrations, that the rows of 0002_vn2000_srs.sql
// carry geo's parameters, and that ST_Transform agrees with geo to 1 cm both
// ways on points over the region.
func TestSpatialRefSys(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	rng := rand.New(rand.NewPCG(11, 12))
	lons, lats := make([]float64, 500), make([]float64, 500)
	for i := range lons {
		lons[i], lats[i] = 104.85+3.2*rng.Float64(), 20.1+2.55*rng.Float64()
	}
	for _, c := range geo.SupportedCRS() {
		if c.EPSG == 0 {
			continue // CRS84 is EPSG:4326 with the axis order PostGIS always uses
		}
		var srtext, proj4 string
		err := db.Pool.QueryRow(ctx, "SELECT srtext, proj4text FROM spatial_ref_sys WHERE srid = $1 AND auth_name = 'EPSG' AND auth_srid = $1", c.EPSG).Scan(&srtext, &proj4)
		if err != nil {
			t.Errorf("%s: not in spatial_ref_sys: %v", c, err)
			continue
		}
		if c.EPSG >= 9205 && c.EPSG <= 9218 {
			if proj4 != c.Proj4() {
				t.Errorf("%s: proj4text %q, geo has %q", c, proj4, c.Proj4())
			}
			if got, notes, err := geo.ParsePRJ(srtext); err != nil || !got.Equal(c) || got.EPSG != c.EPSG || len(notes) > 0 {
				t.Errorf("%s: srtext read as %v, %q, %v", c, got, notes, err)
			}
		}
		compareTransform(t, db.Pool, c, lons, lats)
	}
}

// compareTransform transforms the points with ST_Transform to the CRS and back
// and compares with geo.
func compareTransform(t *testing.T, pool *pgxpool.Pool, c *geo.CRS, lons, lats []float64) {
	t.Helper()
	ctx := context.Background()
	var xs, ys, backLon, backLat []float64
	err := pool.QueryRow(ctx, `
		WITH p AS (SELECT ord, ST_Transform(ST_SetSRID(ST_MakePoint(lon, lat), 4326), $3::int) AS g
		           FROM unnest($1::float8[], $2::float8[]) WITH ORDINALITY AS t(lon, lat, ord))
		SELECT array_agg(ST_X(g) ORDER BY ord), array_agg(ST_Y(g) ORDER BY ord),
		       array_agg(ST_X(ST_Transform(g, 4326)) ORDER BY ord), array_agg(ST_Y(ST_Transform(g, 4326)) ORDER BY ord)
		FROM p`, lons, lats, c.EPSG).Scan(&xs, &ys, &backLon, &backLat)
	if err != nil {
		t.Fatalf("%s: ST_Transform: %v", c, err)
	}
	var worst float64
	for i := range lons {
		x, y, err := c.FromWGS84(lons[i], lats[i])
		if err != nil {
			t.Fatalf("%s: %v", c, err)
		}
		d := math.Hypot(x-xs[i], y-ys[i])
		if c.Geographic() {
			d = metres(x, y, xs[i], ys[i])
		}
		if d > 0.01 {
			t.Fatalf("%s: %.7f,%.7f → geo %.4f,%.4f, PostGIS %.4f,%.4f (%.3f m)", c, lons[i], lats[i], x, y, xs[i], ys[i], d)
		}
		worst = math.Max(worst, d)
		lon, lat, err := c.ToWGS84(xs[i], ys[i])
		if err != nil {
			t.Fatalf("%s: %v", c, err)
		}
		if d := metres(lon, lat, backLon[i], backLat[i]); d > 0.01 {
			t.Fatalf("%s: %.4f,%.4f → geo %.8f,%.8f, PostGIS %.8f,%.8f (%.3f m)", c, xs[i], ys[i], lon, lat, backLon[i], backLat[i], d)
		}
	}
	t.Logf("%s: largest difference from ST_Transform %.2g m", c, worst)
}

// metres is the distance between two nearby lon/lat points.
func metres(lon1, lat1, lon2, lat2 float64) float64 {
	return math.Hypot((lon2-lon1)*111320*math.Cos(lat1*math.Pi/180), (lat2-lat1)*110700)
}
