package downloads

import (
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
	"math"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
	_ "modernc.org/sqlite" // the pure-Go SQLite driver, registered as "sqlite"

	"github.com/vn-opendata/geodata/catalog"
)

// GeoPackage is the collection as an OGC GeoPackage 1.2 (a SQLite database): one
// feature table in EPSG:4326 with an R-tree spatial index, readable by QGIS,
// GDAL and ArcGIS.
func GeoPackage() Format {
	return Format{Name: "gpkg", Ext: "gpkg", MediaType: "application/geopackage+sqlite3", FileType: "GPKG",
		Title: "GeoPackage", CRS: CRS84, WriteFile: writeGeoPackage}
}

const (
	gpkgApplicationID = 0x47504B47 // "GPKG"
	gpkgUserVersion   = 10200      // GeoPackage 1.2.0, which every GDAL from 2.2 on reads without warning
	wgs84WKT          = `GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]`
)

// The core tables of the GeoPackage specification (§1.1.2, §1.1.3, §2.1.5, §2.5.2).
var gpkgCore = []string{
	`CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY,
		organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT)`,
	`INSERT INTO gpkg_spatial_ref_sys VALUES
		('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', 'undefined cartesian coordinate reference system'),
		('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', 'undefined geographic coordinate reference system'),
		('WGS 84 geodetic', 4326, 'EPSG', 4326, '` + wgs84WKT + `', 'longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid')`,
	`CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE,
		description TEXT DEFAULT '', last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
		min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
		CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id))`,
	`CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL,
		geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
		CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name), CONSTRAINT uk_gc_table_name UNIQUE (table_name),
		CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
		CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id))`,
	`CREATE TABLE gpkg_extensions (table_name TEXT, column_name TEXT, extension_name TEXT NOT NULL,
		definition TEXT NOT NULL, scope TEXT NOT NULL, CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name))`,
}

// writeGeoPackage builds the file at path, which must not exist. The same
// snapshot gives the same bytes (no clock is read), so replicas agree on checksums.
func writeGeoPackage(path string, snap *catalog.Snapshot) error {
	db, err := sql.Open("sqlite", path)
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	ctx := context.Background()
	for _, p := range []string{
		fmt.Sprintf("PRAGMA application_id = %d", gpkgApplicationID),
		fmt.Sprintf("PRAGMA user_version = %d", gpkgUserVersion),
		"PRAGMA journal_mode = OFF", // a fresh file written once: a crash leaves a temp file, removed by the caller
		"PRAGMA synchronous = OFF",
	} {
		if _, err := db.ExecContext(ctx, p); err != nil {
			return fmt.Errorf("geopackage %s: %w", p, err)
		}
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := writeGeoPackageTables(ctx, tx, snap); err != nil {
		return fmt.Errorf("geopackage of %s: %w", snap.ID(), err)
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	return db.Close()
}

func writeGeoPackageTables(ctx context.Context, tx *sql.Tx, snap *catalog.Snapshot) error {
	c := snap.Collection
	table := c.ID
	for _, stmt := range gpkgCore {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return err
		}
	}
	cols := columnNames([]string{"fid", "geom", "id"}, propertyNames(snap))
	defs := []string{"fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL", "geom " + gpkgGeometryType(c.GeometryType), "id TEXT NOT NULL UNIQUE"}
	for i, p := range c.Schema {
		defs = append(defs, quoteIdent(cols[i])+" "+gpkgColumnType(p.Type))
	}
	if _, err := tx.ExecContext(ctx, "CREATE TABLE "+quoteIdent(table)+" ("+strings.Join(defs, ", ")+")"); err != nil {
		return err
	}
	var b orb.Bound
	for i := range snap.Features {
		if i == 0 {
			b = snap.Features[i].Bound
		} else {
			b = b.Union(snap.Features[i].Bound)
		}
	}
	var minX, minY, maxX, maxY any
	if len(snap.Features) > 0 {
		minX, minY, maxX, maxY = b.Min[0], b.Min[1], b.Max[0], b.Max[1]
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change,
		min_x, min_y, max_x, max_y, srs_id) VALUES (?, 'features', ?, ?, ?, ?, ?, ?, ?, 4326)`,
		table, c.Title, c.Description, c.UpdatedAt.UTC().Format("2006-01-02T15:04:05.000Z"), minX, minY, maxX, maxY)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', ?, 4326, 0, 0)`,
		table, gpkgGeometryType(c.GeometryType))
	if err != nil {
		return err
	}
	if err := insertFeatures(ctx, tx, snap, len(cols)); err != nil {
		return err
	}
	return writeRTree(ctx, tx, snap, table)
}

func insertFeatures(ctx context.Context, tx *sql.Tx, snap *catalog.Snapshot, nprops int) error {
	marks := strings.Repeat(", ?", nprops)
	stmt, err := tx.PrepareContext(ctx, "INSERT INTO "+quoteIdent(snap.ID())+" VALUES (?, ?, ?"+marks+")")
	if err != nil {
		return err
	}
	defer stmt.Close()
	args := make([]any, 3+nprops)
	for i := range snap.Features {
		f := &snap.Features[i]
		blob, err := gpkgGeometry(f.Geom, f.Bound)
		if err != nil {
			return fmt.Errorf("feature %s: %w", f.ID, err)
		}
		args[0], args[1], args[2] = i+1, blob, f.ID
		for j, v := range f.Props {
			args[3+j] = gpkgValue(v)
		}
		if _, err := stmt.ExecContext(ctx, args...); err != nil {
			return fmt.Errorf("feature %s: %w", f.ID, err)
		}
	}
	return nil
}

// writeRTree adds the R-tree spatial index extension (§F.3) with the triggers
// that keep it right when someone edits the file in QGIS.
func writeRTree(ctx context.Context, tx *sql.Tx, snap *catalog.Snapshot, table string) error {
	rt := quoteIdent("rtree_" + table + "_geom")
	t := quoteIdent(table)
	stmts := []string{
		"CREATE VIRTUAL TABLE " + rt + " USING rtree(id, minx, maxx, miny, maxy)",
		`INSERT INTO gpkg_extensions VALUES (` + quoteString(table) + `, 'geom', 'gpkg_rtree_index',
			'http://www.geopackage.org/spec120/#extension_rtree', 'write-only')`,
	}
	for _, s := range stmts {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			return err
		}
	}
	ins, err := tx.PrepareContext(ctx, "INSERT INTO "+rt+" VALUES (?, ?, ?, ?, ?)")
	if err != nil {
		return err
	}
	defer ins.Close()
	for i := range snap.Features {
		b := snap.Features[i].Bound
		if _, err := ins.ExecContext(ctx, i+1, b.Min[0], b.Max[0], b.Min[1], b.Max[1]); err != nil {
			return err
		}
	}
	const bbox = `ST_MinX(NEW."geom"), ST_MaxX(NEW."geom"), ST_MinY(NEW."geom"), ST_MaxY(NEW."geom")`
	name := func(suffix string) string { return quoteIdent("rtree_" + table + "_geom_" + suffix) }
	triggers := []string{
		`CREATE TRIGGER ` + name("insert") + ` AFTER INSERT ON ` + t + ` WHEN (NEW."geom" NOT NULL AND NOT ST_IsEmpty(NEW."geom"))
			BEGIN INSERT OR REPLACE INTO ` + rt + ` VALUES (NEW."fid", ` + bbox + `); END`,
		`CREATE TRIGGER ` + name("update6") + ` AFTER UPDATE OF "geom" ON ` + t + ` WHEN OLD."fid" = NEW."fid"
			AND (NEW."geom" NOTNULL AND NOT ST_IsEmpty(NEW."geom")) AND (OLD."geom" NOTNULL AND NOT ST_IsEmpty(OLD."geom"))
			BEGIN UPDATE ` + rt + ` SET minx = ST_MinX(NEW."geom"), maxx = ST_MaxX(NEW."geom"), miny = ST_MinY(NEW."geom"),
			maxy = ST_MaxY(NEW."geom") WHERE id = NEW."fid"; END`,
		`CREATE TRIGGER ` + name("update7") + ` AFTER UPDATE OF "geom" ON ` + t + ` WHEN OLD."fid" = NEW."fid"
			AND (NEW."geom" NOTNULL AND NOT ST_IsEmpty(NEW."geom")) AND (OLD."geom" ISNULL OR ST_IsEmpty(OLD."geom"))
			BEGIN INSERT INTO ` + rt + ` VALUES (NEW."fid", ` + bbox + `); END`,
		`CREATE TRIGGER ` + name("update2") + ` AFTER UPDATE OF "geom" ON ` + t + ` WHEN OLD."fid" = NEW."fid"
			AND (NEW."geom" ISNULL OR ST_IsEmpty(NEW."geom")) BEGIN DELETE FROM ` + rt + ` WHERE id = OLD."fid"; END`,
		`CREATE TRIGGER ` + name("update5") + ` AFTER UPDATE ON ` + t + ` WHEN OLD."fid" != NEW."fid"
			AND (NEW."geom" NOTNULL AND NOT ST_IsEmpty(NEW."geom"))
			BEGIN DELETE FROM ` + rt + ` WHERE id = OLD."fid"; INSERT INTO ` + rt + ` VALUES (NEW."fid", ` + bbox + `); END`,
		`CREATE TRIGGER ` + name("update4") + ` AFTER UPDATE ON ` + t + ` WHEN OLD."fid" != NEW."fid"
			AND (NEW."geom" ISNULL OR ST_IsEmpty(NEW."geom")) BEGIN DELETE FROM ` + rt + ` WHERE id IN (OLD."fid", NEW."fid"); END`,
		`CREATE TRIGGER ` + name("delete") + ` AFTER DELETE ON ` + t + ` WHEN OLD."geom" NOT NULL
			BEGIN DELETE FROM ` + rt + ` WHERE id = OLD."fid"; END`,
	}
	for _, s := range triggers {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			return err
		}
	}
	return nil
}

// gpkgGeometry is the GeoPackage binary form (§2.1.3): "GP", version 0, flags
// (little-endian, envelope [minx, maxx, miny, maxy] except for points), the SRS
// id, then standard WKB.
func gpkgGeometry(g orb.Geometry, b orb.Bound) ([]byte, error) {
	body, err := wkb.Marshal(g, binary.LittleEndian)
	if err != nil {
		return nil, err
	}
	_, isPoint := g.(orb.Point)
	out := make([]byte, 0, 8+32+len(body))
	var flags byte = 1 // little-endian header values
	if !isPoint {
		flags |= 1 << 1 // envelope: minx, maxx, miny, maxy
	}
	out = append(out, 'G', 'P', 0, flags)
	out = binary.LittleEndian.AppendUint32(out, 4326)
	if !isPoint {
		for _, v := range []float64{b.Min[0], b.Max[0], b.Min[1], b.Max[1]} {
			out = binary.LittleEndian.AppendUint64(out, math.Float64bits(v))
		}
	}
	return append(out, body...), nil
}

func gpkgGeometryType(t string) string {
	switch t {
	case "Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon", "GeometryCollection":
		return strings.ToUpper(t)
	}
	return "GEOMETRY"
}

func gpkgColumnType(t string) string {
	switch t {
	case "integer":
		return "INTEGER"
	case "number":
		return "DOUBLE"
	case "boolean":
		return "BOOLEAN"
	case "date":
		return "DATE"
	case "date-time":
		return "DATETIME"
	}
	return "TEXT"
}

func gpkgValue(v any) any {
	switch v := v.(type) {
	case nil, string, int64, float64:
		return v
	case bool:
		if v {
			return 1
		}
		return 0
	}
	return catalog.ValueText(v)
}

func quoteIdent(s string) string  { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
func quoteString(s string) string { return `'` + strings.ReplaceAll(s, `'`, `''`) + `'` }
