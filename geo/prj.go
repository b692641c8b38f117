package geo

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// ErrPRJ marks a .prj (WKT) text that cannot be read or describes a system
// geodata does not transform.
var ErrPRJ = errors.New("unsupported .prj")

// maxPRJ bounds the size of a .prj text; real ones are under 2 KB.
const maxPRJ = 64 << 10

// ParsePRJ recognises the CRS of a .prj file: ESRI or OGC WKT1 (and WKT2) of
// WGS 84, VN-2000 geographic, UTM 48N/49N on either datum, Web Mercator and
// VN-2000 TM-3 with any 15′ central meridian. Systems are recognised by their
// parameters, not their names, so ESRI's "VN-2000_TM-3_107-00" and GDAL's
// "VN-2000 / TM-3 107-00" give the same CRS.
//
// The notes say what was assumed, for the import report. VN-2000 is always
// shifted to WGS 84 by the official parameters (EPSG:6960), and the common traps
// are recognised and noted: a VN-2000 datum without TOWGS84 or with a zero one,
// TOWGS84 with other parameters or the opposite rotation convention, and a TM-3
// projection (k0 = 0.9999) put on the WGS 84 datum — each would leave points
// about 220 m (or, for the rotations, decimetres) off if taken literally.
func ParsePRJ(wkt string) (*CRS, []string, error) {
	if len(wkt) > maxPRJ {
		return nil, nil, fmt.Errorf("%w: %d bytes is not a .prj", ErrPRJ, len(wkt))
	}
	root, err := parseWKT(strings.TrimPrefix(strings.TrimSpace(wkt), "\uFEFF"))
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrPRJ, err)
	}
	d, err := describeWKT(root)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrPRJ, err)
	}
	c, notes, err := d.identify()
	if err != nil {
		if code := d.authority; code != 0 {
			if byCode := lookupEPSG(code); byCode != nil {
				return byCode, []string{fmt.Sprintf("the .prj's parameters are not recognised (%v); used its authority code EPSG:%d", err, code)}, nil
			}
		}
		return nil, nil, fmt.Errorf("%w: %q: %v", ErrPRJ, d.name, err)
	}
	if d.authority != 0 && c.EPSG != 0 && d.authority != c.EPSG {
		notes = append(notes, fmt.Sprintf("the .prj names EPSG:%d but its parameters describe %s; the parameters were used", d.authority, c))
	}
	return c, notes, nil
}

// wktNode is one KEYWORD[arg, …] of a WKT text; an argument is a quoted
// string, a number, a bare word (EAST) or a nested node.
type wktNode struct {
	keyword string
	args    []wktArg
}

type wktArg struct {
	text   string // quoted string or bare word
	num    float64
	isNum  bool
	node   *wktNode
	quoted bool
}

// child returns the first nested node with one of the keywords.
func (n *wktNode) child(keywords ...string) *wktNode {
	for _, a := range n.args {
		if a.node != nil && slices.Contains(keywords, a.node.keyword) {
			return a.node
		}
	}
	return nil
}

func (n *wktNode) children(keyword string) []*wktNode {
	var out []*wktNode
	for _, a := range n.args {
		if a.node != nil && a.node.keyword == keyword {
			out = append(out, a.node)
		}
	}
	return out
}

// name is the node's first argument when it is a string.
func (n *wktNode) name() string {
	if n != nil && len(n.args) > 0 && n.args[0].quoted {
		return n.args[0].text
	}
	return ""
}

// number is the node's i-th argument as a number.
func (n *wktNode) number(i int) (float64, bool) {
	if n == nil || i >= len(n.args) || !n.args[i].isNum {
		return 0, false
	}
	return n.args[i].num, true
}

// maxWKTDepth bounds nesting; real CRS definitions nest five or six deep.
const maxWKTDepth = 24

type wktParser struct {
	s   string
	pos int
}

func parseWKT(s string) (*wktNode, error) {
	p := &wktParser{s: s}
	n, err := p.node(0)
	if err != nil {
		return nil, err
	}
	p.space()
	if p.pos != len(p.s) {
		return nil, fmt.Errorf("unexpected %q after the WKT at byte %d", p.rest(), p.pos)
	}
	return n, nil
}

func (p *wktParser) space() {
	for p.pos < len(p.s) && strings.ContainsRune(" \t\r\n", rune(p.s[p.pos])) {
		p.pos++
	}
}

func (p *wktParser) rest() string {
	r := p.s[p.pos:]
	if len(r) > 20 {
		r = r[:20] + "…"
	}
	return r
}

func (p *wktParser) node(depth int) (*wktNode, error) {
	if depth > maxWKTDepth {
		return nil, fmt.Errorf("nested more than %d deep", maxWKTDepth)
	}
	p.space()
	start := p.pos
	for p.pos < len(p.s) && (isWordByte(p.s[p.pos])) {
		p.pos++
	}
	if start == p.pos {
		return nil, fmt.Errorf("expected a WKT keyword at byte %d, found %q", p.pos, p.rest())
	}
	n := &wktNode{keyword: strings.ToUpper(p.s[start:p.pos])}
	p.space()
	if p.pos >= len(p.s) || (p.s[p.pos] != '[' && p.s[p.pos] != '(') {
		return nil, fmt.Errorf("expected [ after %s at byte %d", n.keyword, p.pos)
	}
	closer := byte(']')
	if p.s[p.pos] == '(' {
		closer = ')'
	}
	p.pos++
	for {
		p.space()
		if p.pos >= len(p.s) {
			return nil, fmt.Errorf("%s[ is not closed", n.keyword)
		}
		if p.s[p.pos] == closer && len(n.args) == 0 {
			p.pos++
			return n, nil
		}
		a, err := p.arg(depth)
		if err != nil {
			return nil, err
		}
		n.args = append(n.args, a)
		p.space()
		switch {
		case p.pos >= len(p.s):
			return nil, fmt.Errorf("%s[ is not closed", n.keyword)
		case p.s[p.pos] == ',':
			p.pos++
		case p.s[p.pos] == closer:
			p.pos++
			return n, nil
		default:
			return nil, fmt.Errorf("expected , or %c in %s at byte %d, found %q", closer, n.keyword, p.pos, p.rest())
		}
	}
}

func (p *wktParser) arg(depth int) (wktArg, error) {
	if p.s[p.pos] == '"' {
		var b strings.Builder
		for p.pos++; ; p.pos++ {
			if p.pos >= len(p.s) {
				return wktArg{}, errors.New("a quoted string is not closed")
			}
			if p.s[p.pos] == '"' {
				if p.pos+1 < len(p.s) && p.s[p.pos+1] == '"' { // "" is an escaped quote
					b.WriteByte('"')
					p.pos++
					continue
				}
				p.pos++
				return wktArg{text: b.String(), quoted: true}, nil
			}
			b.WriteByte(p.s[p.pos])
		}
	}
	start := p.pos
	for p.pos < len(p.s) && !strings.ContainsRune(",[]() \t\r\n", rune(p.s[p.pos])) {
		p.pos++
	}
	word := p.s[start:p.pos]
	if p.pos < len(p.s) && (p.s[p.pos] == '[' || p.s[p.pos] == '(') {
		p.pos = start
		n, err := p.node(depth + 1)
		return wktArg{node: n}, err
	}
	if v, err := strconv.ParseFloat(word, 64); err == nil {
		return wktArg{num: v, isNum: true, text: word}, nil
	}
	if word == "" {
		return wktArg{}, fmt.Errorf("empty value at byte %d", p.pos)
	}
	return wktArg{text: word}, nil
}

func isWordByte(c byte) bool {
	return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
}

// wktCRS is what a WKT says about a horizontal CRS, in degrees and metres.
type wktCRS struct {
	name       string
	authority  int // EPSG code of the root, 0 when none
	projected  bool
	names      []string // of the CRS, its geographic CRS and datum: VN-2000 is recognised by name
	datum      string
	a, invf    float64
	towgs84    []float64 // nil when absent
	method     string
	params     map[string]float64 // by nameKey, angles in degrees, lengths in metres
	extensions string             // EXTENSION["PROJ4", …] texts
}

// describeWKT reads the parts of a CRS node that identify it.
func describeWKT(root *wktNode) (*wktCRS, error) {
	switch root.keyword {
	case "COMPD_CS", "COMPOUNDCRS":
		horiz := root.child("PROJCS", "GEOGCS", "PROJCRS", "PROJECTEDCRS", "GEOGCRS", "GEOGRAPHICCRS", "GEODCRS", "GEODETICCRS")
		if horiz == nil {
			return nil, errors.New("a compound CRS without a horizontal part")
		}
		return describeWKT(horiz)
	case "BOUNDCRS":
		src := root.child("SOURCECRS")
		if src == nil || len(src.args) == 0 || src.args[0].node == nil {
			return nil, errors.New("BOUNDCRS without SOURCECRS")
		}
		d, err := describeWKT(src.args[0].node)
		if err != nil {
			return nil, err
		}
		d.towgs84, err = abridgedTransformation(root.child("ABRIDGEDTRANSFORMATION"))
		return d, err
	}
	d := &wktCRS{name: root.name(), authority: epsgAuthority(root), params: map[string]float64{}}
	d.names = append(d.names, d.name)
	geog := root
	switch root.keyword {
	case "PROJCS", "PROJCRS", "PROJECTEDCRS":
		d.projected = true
		if geog = root.child("GEOGCS", "BASEGEOGCRS", "BASEGEODCRS"); geog == nil {
			return nil, fmt.Errorf("%s without its geographic CRS", root.keyword)
		}
		d.names = append(d.names, geog.name())
	case "GEOGCS", "GEOGCRS", "GEOGRAPHICCRS", "GEODCRS", "GEODETICCRS":
	case "GEOCCS":
		return nil, errors.New("geocentric coordinates are not supported")
	default:
		return nil, fmt.Errorf("%s is not a CRS keyword (want PROJCS or GEOGCS)", root.keyword)
	}
	if err := d.geographic(geog); err != nil {
		return nil, err
	}
	if d.projected {
		if err := d.projection(root); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// abridgedTransformation reads the Helmert parameters of a WKT2 BOUNDCRS as
// TOWGS84 numbers: position-vector rotations in arc-seconds, scale in ppm.
func abridgedTransformation(n *wktNode) ([]float64, error) {
	if n == nil {
		return nil, errors.New("BOUNDCRS without ABRIDGEDTRANSFORMATION")
	}
	method := nameKey(n.child("METHOD").name())
	sign := 1.0
	switch {
	case strings.Contains(method, "coordinateframe"):
		sign = -1
	case strings.Contains(method, "positionvector"), strings.Contains(method, "geocentrictranslation"):
	default:
		return nil, fmt.Errorf("datum transformation %q is not a Helmert transformation", n.child("METHOD").name())
	}
	keys := []string{"xaxistranslation", "yaxistranslation", "zaxistranslation", "xaxisrotation", "yaxisrotation", "zaxisrotation", "scaledifference"}
	out := make([]float64, 7)
	for _, p := range n.children("PARAMETER") {
		i := slices.Index(keys, nameKey(p.name()))
		v, ok := p.number(1)
		if i < 0 || !ok {
			continue
		}
		switch u := p.child("ANGLEUNIT", "LENGTHUNIT", "SCALEUNIT"); {
		case i >= 3 && i < 6 && u != nil:
			f, _ := u.number(1)
			v = sign * v * f / arcSecond
		case i >= 3 && i < 6:
			v *= sign
		case i == 6 && u != nil:
			f, _ := u.number(1)
			v *= f * 1e6
		case i == 6 && math.Abs(v-1) < 0.01: // a ratio, as PROJ writes it
			v = (v - 1) * 1e6
		}
		out[i] = v
	}
	return out, nil
}

func epsgAuthority(n *wktNode) int {
	a := n.child("AUTHORITY", "ID")
	if a == nil || !strings.EqualFold(a.name(), "EPSG") || len(a.args) < 2 {
		return 0
	}
	code, err := strconv.Atoi(strings.TrimSpace(a.args[1].text))
	if err != nil {
		return 0
	}
	return code
}

// geographic reads the datum, ellipsoid, prime meridian and angular unit, which
// must be the degree.
func (d *wktCRS) geographic(g *wktNode) error {
	datum := g.child("DATUM", "GEODETICDATUM", "TRF", "ENSEMBLE")
	if datum == nil {
		return errors.New("no DATUM")
	}
	d.datum = datum.name()
	d.names = append(d.names, d.datum)
	ell := datum.child("SPHEROID", "ELLIPSOID")
	var ok1, ok2 bool
	d.a, ok1 = ell.number(1)
	d.invf, ok2 = ell.number(2)
	if !ok1 || !ok2 {
		return errors.New("no ellipsoid (SPHEROID[name, a, 1/f]) in the DATUM")
	}
	if tw := datum.child("TOWGS84"); tw != nil {
		for i := range tw.args {
			v, ok := tw.number(i)
			if !ok {
				return fmt.Errorf("TOWGS84 holds %q, not a number", tw.args[i].text)
			}
			d.towgs84 = append(d.towgs84, v)
		}
		if len(d.towgs84) != 3 && len(d.towgs84) != 7 {
			return fmt.Errorf("TOWGS84 has %d numbers, want 3 or 7", len(d.towgs84))
		}
	}
	if pm := g.child("PRIMEM", "PRIMEMERIDIAN"); pm != nil {
		if lon, _ := pm.number(1); lon != 0 {
			return fmt.Errorf("prime meridian %q at %g is not Greenwich", pm.name(), lon)
		}
	}
	if u := g.child("UNIT", "ANGLEUNIT"); u != nil {
		f, ok := u.number(1)
		if !ok || math.Abs(f-math.Pi/180) > 1e-12 {
			return fmt.Errorf("angular unit %q (%g rad) is not the degree", u.name(), f)
		}
	}
	return nil
}

// projection reads the method, its parameters and the linear unit, which must
// be the metre. WKT1 gives parameters in degrees and the CRS's linear unit;
// WKT2 gives each its own unit.
func (d *wktCRS) projection(root *wktNode) error {
	params := root
	if m := root.child("PROJECTION"); m != nil {
		d.method = m.name()
	} else if conv := root.child("CONVERSION"); conv != nil {
		d.method = conv.child("METHOD", "PROJECTION").name()
		params = conv
	}
	if d.method == "" {
		return errors.New("no PROJECTION")
	}
	units := []*wktNode{root.child("UNIT", "LENGTHUNIT")}
	for _, ax := range root.children("AXIS") {
		units = append(units, ax.child("UNIT", "LENGTHUNIT"))
	}
	for _, u := range units {
		if f, ok := u.number(1); u != nil && (!ok || f != 1) {
			return fmt.Errorf("linear unit %q (%g m) is not the metre", u.name(), f)
		}
	}
	for _, p := range params.children("PARAMETER") {
		v, ok := p.number(1)
		if !ok {
			return fmt.Errorf("PARAMETER[%q] has no number", p.name())
		}
		if u := p.child("ANGLEUNIT"); u != nil {
			if f, _ := u.number(1); math.Abs(f-math.Pi/180) > 1e-12 {
				v *= f * 180 / math.Pi
			}
		} else if u := p.child("LENGTHUNIT", "SCALEUNIT"); u != nil {
			f, _ := u.number(1)
			v *= f
		}
		d.params[nameKey(p.name())] = v
	}
	for _, e := range root.children("EXTENSION") {
		if len(e.args) > 1 {
			d.extensions += e.args[1].text
		}
	}
	return nil
}

// param returns the first parameter present under one of the names.
func (d *wktCRS) param(def float64, keys ...string) float64 {
	for _, k := range keys {
		if v, ok := d.params[k]; ok {
			return v
		}
	}
	return def
}

// identify maps the description to a registered CRS (or a TM-3 zone), with
// notes on what was assumed.
func (d *wktCRS) identify() (*CRS, []string, error) {
	if math.Abs(d.a-WGS84Ellipsoid.A) > 1e-3 || math.Abs(d.invf-298.257223563) > 1e-6 {
		if d.a == 6378137 && d.invf == 0 && d.projected {
			return d.identifyMercator()
		}
		hint := ""
		if math.Abs(d.a-6378245) < 1 {
			hint = " (Krasovsky: HN-72 or Pulkovo; convert the data to VN-2000 or WGS 84 first)"
		}
		return nil, nil, fmt.Errorf("ellipsoid a = %g m, 1/f = %g is not WGS 84's, the ellipsoid of VN-2000 and WGS 84%s", d.a, d.invf, hint)
	}
	vnNamed := d.officialShift() != ""
	for _, n := range d.names {
		k := nameKey(n)
		vnNamed = vnNamed || strings.Contains(k, "vn2000") || strings.Contains(k, "vietnam2000") || strings.Contains(k, "vn2k")
	}
	var notes []string
	if !d.projected {
		if vnNamed {
			return lookupEPSG(4756), d.vn2000Notes("VN-2000"), nil
		}
		if n := d.foreignShift(); n != "" {
			return nil, nil, errors.New(n)
		}
		return lookupEPSG(4326), nil, nil
	}
	method := nameKey(d.method)
	if strings.Contains(method, "mercator") && !strings.Contains(method, "transverse") {
		return d.identifyMercator()
	}
	if method != "transversemercator" && method != "gausskruger" {
		return nil, nil, fmt.Errorf("projection %q is not supported (Transverse Mercator or Web Mercator)", d.method)
	}
	cm := d.param(math.NaN(), "centralmeridian", "longitudeofnaturalorigin", "longitudeoforigin", "longitudeofcenter")
	k := d.param(1, "scalefactor", "scalefactoratnaturalorigin")
	fe := d.param(0, "falseeasting")
	fn := d.param(0, "falsenorthing")
	lat0 := d.param(0, "latitudeoforigin", "latitudeofnaturalorigin")
	if math.IsNaN(cm) || lat0 != 0 || fe != 500000 || fn != 0 {
		return nil, nil, fmt.Errorf("Transverse Mercator with central meridian %g, latitude of origin %g, false easting %g, false northing %g is not a UTM or VN-2000 TM-3 system", cm, lat0, fe, fn)
	}
	switch {
	case math.Abs(k-0.9999) < 1e-9:
		c, err := VN2000TM3(cm)
		if err != nil {
			return nil, nil, err
		}
		if !vnNamed {
			notes = append(notes, fmt.Sprintf("the .prj puts a VN-2000 TM-3 projection (central meridian %s, k0 = 0.9999) on the datum %q, "+
				"which no official system does: read as %s with the official shift to WGS 84 (EPSG:6960); taken literally, the points would lie about 220 m off",
				degMin(cm), d.datum, c))
			return c, notes, nil
		}
		return c, d.vn2000Notes(c.String()), nil
	case math.Abs(k-0.9996) < 1e-9 && (cm == 105 || cm == 111):
		zone := int(cm+183) / 6
		if vnNamed {
			c := lookupEPSG(3405 + zone - 48)
			return c, d.vn2000Notes(c.String()), nil
		}
		if n := d.foreignShift(); n != "" {
			return nil, nil, errors.New(n)
		}
		return lookupEPSG(32600 + zone), nil, nil
	}
	return nil, nil, fmt.Errorf("Transverse Mercator with central meridian %g and scale %g is neither UTM 48N/49N (k0 = 0.9996) nor VN-2000 TM-3 (k0 = 0.9999)", cm, k)
}

func (d *wktCRS) identifyMercator() (*CRS, []string, error) {
	method := nameKey(d.method)
	name := nameKey(d.name)
	if method == "mercatorauxiliarysphere" || method == "popularvisualisationpseudomercator" ||
		strings.Contains(name, "pseudomercator") || strings.Contains(name, "webmercator") ||
		strings.Contains(d.extensions, "+a=6378137 +b=6378137") || (d.a == 6378137 && d.invf == 0) {
		if d.param(0, "falseeasting") != 0 || d.param(0, "falsenorthing") != 0 || d.param(0, "centralmeridian", "longitudeofnaturalorigin") != 0 {
			return nil, nil, errors.New("Web Mercator with a false origin or central meridian is not supported")
		}
		return lookupEPSG(3857), nil, nil
	}
	return nil, nil, fmt.Errorf("projection %q on the WGS 84 ellipsoid is not Web Mercator (EPSG:3857); only Web Mercator is supported", d.method)
}

// foreignShift says why a WGS 84-named datum with a non-zero TOWGS84 cannot be
// read: it describes some other datum on the WGS 84 ellipsoid.
func (d *wktCRS) foreignShift() string {
	for _, v := range d.towgs84 {
		if v != 0 {
			return fmt.Sprintf("datum %q with TOWGS84%v is neither WGS 84 nor VN-2000", d.datum, d.towgs84)
		}
	}
	return ""
}

// officialShift says whether TOWGS84 holds the official VN-2000 parameters:
// "position-vector" (right), "coordinate-frame" (the rotations' sign of EPSG's
// publication, wrong in TOWGS84) or "".
func (d *wktCRS) officialShift() string {
	official := VN2000ToWGS84.TOWGS84()
	switch {
	case len(d.towgs84) != 7:
		return ""
	case closeTo(d.towgs84, official[:], 1e-6):
		return "position-vector"
	case closeTo(d.towgs84[:3], official[:3], 1e-6) && closeTo(d.towgs84[6:], official[6:], 1e-6) &&
		closeTo([]float64{-d.towgs84[3], -d.towgs84[4], -d.towgs84[5]}, official[3:6], 1e-6):
		return "coordinate-frame"
	}
	return ""
}

// vn2000Notes says how the datum shift of a VN-2000 .prj was handled.
func (d *wktCRS) vn2000Notes(crs string) []string {
	official := VN2000ToWGS84.TOWGS84()
	switch {
	case d.towgs84 == nil:
		return []string{fmt.Sprintf("the .prj describes %s without the datum shift to WGS 84 (no TOWGS84): "+
			"applied the official shift of Decision 05/2007/QĐ-BTNMT (EPSG:6960); without it the points would lie about 220 m off", crs)}
	case allZero(d.towgs84):
		return []string{fmt.Sprintf("the .prj describes %s with a zero datum shift (TOWGS84[0,0,0…]), which would put the points about 220 m off: "+
			"applied the official shift of Decision 05/2007/QĐ-BTNMT (EPSG:6960) instead", crs)}
	case d.officialShift() == "position-vector":
		return nil
	case d.officialShift() == "coordinate-frame":
		return []string{fmt.Sprintf("the .prj's TOWGS84 for %s has the rotations of EPSG:6960 with the coordinate-frame sign, "+
			"but TOWGS84 uses the position-vector convention (points would move by about half a metre): applied the official shift", crs)}
	}
	return []string{fmt.Sprintf("the .prj gives %s the datum shift TOWGS84%v, not the official one of Decision 05/2007/QĐ-BTNMT: "+
		"applied the official shift (EPSG:6960) TOWGS84%v", crs, d.towgs84, official)}
}

func allZero(v []float64) bool {
	for _, x := range v {
		if x != 0 {
			return false
		}
	}
	return true
}

func closeTo(a, b []float64, tol float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Abs(a[i]-b[i]) > tol {
			return false
		}
	}
	return true
}

// degMin writes a meridian as degrees and minutes: 105°30′.
func degMin(v float64) string {
	deg := math.Floor(v)
	mins := math.Round((v - deg) * 60)
	if mins == 0 {
		return fmt.Sprintf("%g°", deg)
	}
	return fmt.Sprintf("%g°%02g′", deg, mins)
}
