package importers

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/vn-opendata/geodata/geo"
)

// headerKey folds a column heading for matching: accents, case, spaces and
// punctuation do not matter ("Kinh độ (°)" → "kinhdo").
func headerKey(h string) string {
	var b strings.Builder
	for _, r := range geo.Fold(h) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	return b.String()
}

var (
	lonHeaders = []string{"lon", "lng", "long", "longitude", "kinhdo", "kinhdodd", "kinhdodong", "kinhtuyen", "x", "toadox", "coordx", "xcoord",
		"xcoordinate", "pointx", "hoanhdo", "easting", "east"}
	latHeaders = []string{"lat", "latitude", "vido", "vidodd", "vidobac", "vituyen", "y", "toadoy", "coordy", "ycoord",
		"ycoordinate", "pointy", "tungdo", "northing", "north"}
	pairHeaders   = []string{"toado", "latlon", "latlng", "latlong", "vitri", "coordinates", "location", "vido,kinhdo"}
	idHeaders     = []string{"id", "fid", "ma", "maso", "madinhdanh", "objectid", "code", "gid", "featureid"}
	unitStripping = regexp.MustCompile(`\s*\([^)]*\)\s*$`) // "Kinh độ (độ)" → "Kinh độ"
)

// coordSuffixes are what follows a coordinate heading without parentheses:
// "X_VN2000", "Kinh độ WGS84", "Lat_DD", "Toạ độ X m".
var coordSuffixes = []string{"vn2000", "wgs84", "tm3", "utm", "dd", "m"}

// trimCoordSuffix removes one of coordSuffixes from a heading key.
func trimCoordSuffix(k string) string {
	for _, s := range coordSuffixes {
		if t, ok := strings.CutSuffix(k, s); ok && t != "" {
			return t
		}
	}
	return k
}

// coordColumns are the positions of the coordinate columns of a header.
type coordColumns struct {
	lon, lat int // -1 when absent
	pair     int // a single "lat, lon" column, -1 when absent
	id       int
}

// findColumns locates coordinate and id columns by heading, or by the names given
// in opts. It returns an error naming what is missing.
func findColumns(header []string, opts Options) (coordColumns, error) {
	c := coordColumns{lon: -1, lat: -1, pair: -1, id: -1}
	keys := make([]string, len(header))
	for i, h := range header {
		keys[i] = headerKey(unitStripping.ReplaceAllString(h, ""))
	}
	find := func(want string, candidates []string) (int, error) {
		if want != "" {
			for i, h := range header {
				if h == want || headerKey(h) == headerKey(want) {
					return i, nil
				}
			}
			return -1, fmt.Errorf("column %q not found in the header (%s)", want, strings.Join(header, ", "))
		}
		for _, cand := range candidates {
			for i, k := range keys {
				if k == cand || trimCoordSuffix(k) == cand {
					return i, nil
				}
			}
		}
		return -1, nil
	}
	var err error
	if c.lon, err = find(opts.LonColumn, lonHeaders); err != nil {
		return c, err
	}
	if c.lat, err = find(opts.LatColumn, latHeaders); err != nil {
		return c, err
	}
	if c.id, err = find(opts.IDColumn, idHeaders); err != nil {
		return c, err
	}
	if c.lon < 0 || c.lat < 0 {
		c.lon, c.lat = -1, -1
		if c.pair, _ = find("", pairHeaders); c.pair < 0 {
			return c, fmt.Errorf("no coordinate columns: the header (%s) has no longitude/latitude column "+
				"(kinh độ/vĩ độ, lon/lat, lng, x/y) — name them with --lon-col and --lat-col", strings.Join(header, ", "))
		}
	}
	return c, nil
}

// findIDColumn locates the id column of a header: the one opts names, else the
// first with an id-like name; -1 when none.
func findIDColumn(header []string, opts Options) (int, error) {
	if opts.IDColumn != "" {
		for i, h := range header {
			if h == opts.IDColumn || headerKey(h) == headerKey(opts.IDColumn) {
				return i, nil
			}
		}
		return -1, fmt.Errorf("id column %q not found (columns: %s)", opts.IDColumn, strings.Join(header, ", "))
	}
	for _, cand := range idHeaders {
		for i, h := range header {
			if headerKey(h) == cand {
				return i, nil
			}
		}
	}
	return -1, nil
}

// dmsPattern reads degrees, minutes and seconds with the usual marks (° ' ",
// ′ ″, d m s, colons or spaces) and a hemisphere letter, English or Vietnamese
// (B = Bắc, N; Đ = Đông, E; T = Tây, W). A lower-case s right after the seconds
// is their mark; otherwise S is the southern hemisphere.
var dmsPattern = regexp.MustCompile(`^\s*([+-]?\d+(?:[.,]\d+)?)\s*[°º:dD ]\s*(?:(\d+(?:[.,]\d+)?)\s*['′’mM: ]\s*)?(?:(\d+(?:[.,]\d+)?)\s*(?:["″”s]|'')?\s*)?([NSEWBĐTnsewbđt])?\s*$`)

// parseCoordinate reads a coordinate written as a decimal number (with a decimal
// point or comma) or as degrees-minutes-seconds such as 21°16'26.5"N.
func parseCoordinate(s string) (float64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, fmt.Errorf("empty")
	}
	if v, err := parseDecimal(s); err == nil {
		return v, nil
	}
	m := dmsPattern.FindStringSubmatch(s)
	if m == nil {
		return 0, fmt.Errorf("%q is not a number or degrees-minutes-seconds", s)
	}
	deg, err1 := parseDecimal(m[1])
	mins, err2 := parseDecimal(orZero(m[2]))
	secs, err3 := parseDecimal(orZero(m[3]))
	if err := errors.Join(err1, err2, err3); err != nil {
		return 0, fmt.Errorf("%q: %v", s, err)
	}
	if mins >= 60 || secs >= 60 {
		return 0, fmt.Errorf("%q: minutes and seconds must be below 60", s)
	}
	v := math.Abs(deg) + mins/60 + secs/3600
	if hemi := strings.ToUpper(m[4]); strings.HasPrefix(m[1], "-") || hemi == "S" || hemi == "W" || hemi == "T" {
		v = -v
	}
	return v, nil
}

func orZero(s string) string {
	if s == "" {
		return "0"
	}
	return s
}

// parseDecimal reads 106.1935 or 106,1935 (decimal comma), rejecting thousands
// separators and anything else.
func parseDecimal(s string) (float64, error) {
	if strings.Count(s, ",") == 1 && !strings.Contains(s, ".") {
		s = strings.Replace(s, ",", ".", 1)
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%q is not a number", s)
	}
	return v, nil
}

// parsePair reads "lat, lon" (or "lat lon"; a semicolon also separates).
func parsePair(s string) (lat, lon float64, err error) {
	s = strings.Trim(strings.TrimSpace(s), "()[]")
	var parts []string
	switch {
	case strings.Contains(s, ";"):
		parts = strings.Split(s, ";")
	case strings.Count(s, ",") == 1:
		parts = strings.Split(s, ",")
	case strings.Count(s, ",") == 3: // decimal commas: "21,27, 106,19"
		i := strings.Index(s, ", ")
		if i < 0 {
			return 0, 0, fmt.Errorf("%q is not \"lat, lon\"", s)
		}
		parts = []string{s[:i], s[i+2:]}
	default:
		parts = strings.Fields(s)
	}
	if len(parts) != 2 {
		return 0, 0, fmt.Errorf("%q is not \"lat, lon\"", s)
	}
	if lat, err = parseCoordinate(parts[0]); err != nil {
		return 0, 0, err
	}
	if lon, err = parseCoordinate(parts[1]); err != nil {
		return 0, 0, err
	}
	return lat, lon, nil
}
