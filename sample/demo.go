package sample

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"github.com/vn-opendata/geodata/catalog"
	"github.com/vn-opendata/geodata/geo"
	"github.com/vn-opendata/geodata/importers"
	"github.com/vn-opendata/geodata/store"
)

// demoSeed fixes the demo data; change it and every sample changes.
const demoSeed = 20250701

// Commune names used to name synthetic features (common names of the region's
// communes and wards; the assignment to positions is invented).
var communes = []string{
	"Tân Mỹ", "Song Khê", "Đồng Sơn", "Dĩnh Trì", "Xương Giang", "Hoàng Văn Thụ", "Trần Phú", "Ngô Quyền",
	"Lê Lợi", "Thọ Xương", "Đa Mai", "Tân Tiến", "Hương Gián", "Tiền Phong", "Nham Sơn", "Quang Châu",
	"Vân Trung", "Hồng Thái", "Nghĩa Trung", "Bích Sơn", "Mai Đình", "Đức Thắng", "Lương Phong", "Hợp Thịnh",
	"Ngọc Châu", "Cao Xá", "Liên Chung", "Việt Lập", "Tân Dĩnh", "Phi Mô", "Xuân Hương", "Đại Lâm",
	"Bảo Đài", "Cẩm Lý", "Vũ Xá", "Tiên Hưng", "Quý Sơn", "Phượng Sơn", "Nam Dương", "Kiên Lao",
	"Cấm Sơn", "Tân Sơn", "An Lạc", "Yên Định", "Bố Hạ", "Đồng Kỳ", "Tam Tiến", "Xuân Lương",
}

// WriteDemo writes the nine demo collections of DESIGN.md and their manifest to dir.
func WriteDemo(dir string, region *catalog.Region, regionName string) (Stats, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Stats{}, err
	}
	g := newGenerator(region, demoSeed)
	var m Manifest
	m.Region = regionName
	var st Stats
	steps := []func(*generator, string) ([]Entry, int, error){
		one(schools), one(btsSites), one(postalPoints), one(parking), one(trafficSignals), busNetwork, one(busStations), one(ports),
	}
	for _, step := range steps {
		entries, n, err := step(g, dir)
		if err != nil {
			return st, err
		}
		m.Entries = append(m.Entries, entries...)
		st.Files++
		st.Features += n
	}
	return st, writeManifest(dir, m)
}

// one adapts a writer of one collection to the steps of WriteDemo.
func one(step func(*generator, string) (Entry, int, error)) func(*generator, string) ([]Entry, int, error) {
	return func(g *generator, dir string) ([]Entry, int, error) {
		e, n, err := step(g, dir)
		return []Entry{e}, n, err
	}
}

func meta(no int, title, titleEn, agency, theme, freq, desc string, keywords ...string) store.Metadata {
	return store.Metadata{
		CatalogNo: no, Title: title, TitleEn: titleEn, AgencyID: agency, Theme: theme, Frequency: freq,
		Description: desc + " Dữ liệu mẫu tổng hợp (không phải dữ liệu thật) để trình diễn và kiểm thử.",
		Notes:       "Dữ liệu mẫu do geodata sinh ra; thay bằng dữ liệu của đơn vị khi công bố.",
		Keywords:    keywords, FirstPublished: "2023-06-30",
		LicenseURI:         "https://creativecommons.org/licenses/by/4.0/",
		LicenseAttribution: "Dữ liệu mẫu geodata (CC BY 4.0)",
	}
}

var schoolLevels = []struct {
	name, prefix string
	weight       int
	students     [2]int
}{
	{"Mầm non", "Trường Mầm non", 34, [2]int{80, 450}},
	{"Tiểu học", "Trường Tiểu học", 32, [2]int{200, 1200}},
	{"Trung học cơ sở", "Trường THCS", 24, [2]int{250, 1100}},
	{"Trung học phổ thông", "Trường THPT", 7, [2]int{600, 1900}},
	{"Giáo dục nghề nghiệp – GDTX", "Trung tâm GDNN-GDTX", 3, [2]int{150, 900}},
}

// schools writes the schools as an Excel workbook as the education department
// keeps it: a title block, Vietnamese headers, dates as Excel dates, the rows
// sorted by district with the district cells merged.
func schools(g *generator, dir string) (Entry, int, error) {
	const n = 1800
	header := []string{"Mã trường", "Tên trường", "Cấp học", "Địa chỉ", "Huyện", "Số học sinh", "Ngày thành lập", "Điện thoại", "Kinh độ", "Vĩ độ"}
	rows := make([][]SheetCell, 0, n)
	for i := 1; i <= n; i++ {
		t := g.town()
		lon, lat := g.near(t, 3)
		lv := schoolLevels[g.weighted(len(schoolLevels), func(i int) int { return schoolLevels[i].weight })]
		commune := g.pick(communes)
		students := lv.students[0] + g.rng.IntN(lv.students[1]-lv.students[0])
		opened := time.Date(1960+g.rng.IntN(60), time.Month(1+g.rng.IntN(12)), 1+g.rng.IntN(28), 0, 0, 0, 0, time.UTC)
		rows = append(rows, []SheetCell{
			fmt.Sprintf("BG-TR-%05d", i),
			fmt.Sprintf("%s %s", lv.prefix, commune),
			lv.name,
			fmt.Sprintf("Xã %s, %s", commune, districtLabel(t.District)),
			t.District,
			students,
			opened,
			fmt.Sprintf("0204 3%03d %03d", g.rng.IntN(1000), g.rng.IntN(1000)),
			lon, lat,
		})
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i][4].(string) < rows[j][4].(string) })
	file := "schools.xlsx"
	err := WriteXLSX(filepath.Join(dir, file), Workbook{
		Sheet:       "Danh sách trường",
		Title:       []string{"UBND TỈNH BẮC GIANG — SỞ GIÁO DỤC VÀ ĐÀO TẠO", "DANH SÁCH CƠ SỞ GIÁO DỤC NĂM HỌC 2024–2025 (dữ liệu mẫu)"},
		Header:      header,
		Rows:        rows,
		MergeColumn: 5,
	})
	return Entry{File: file, Collection: "schools", Options: importers.Options{IDColumn: "Mã trường"},
		Metadata: meta(1, "Trường học các cấp", "Schools", "so-gddt", "EDUC", "ANNUAL",
			"Vị trí các trường mầm non, tiểu học, trung học cơ sở, trung học phổ thông và trung tâm GDNN-GDTX (mục 5–12 của Kế hoạch), kèm cấp học và số học sinh.",
			"trường học", "giáo dục", "schools")}, n, err
}

func districtLabel(d string) string {
	switch d {
	case "Thành phố Bắc Giang":
		return d
	case "Việt Yên":
		return "thị xã Việt Yên"
	}
	return "huyện " + d
}

var operators = []struct {
	name   string
	weight int
}{{"Viettel", 45}, {"VNPT-VinaPhone", 30}, {"MobiFone", 20}, {"Vietnamobile", 5}}

// btsSites writes the BTS sites as a Windows-1258 CSV without a byte-order
// mark, as old desktop software of the telecom department exports them.
func btsSites(g *generator, dir string) (Entry, int, error) {
	const n = 1500
	// Survey tables in VN-2000 / TM-3 label the northing X and the easting Y.
	header := []string{"ma_tram", "nha_mang", "cong_nghe", "chieu_cao_cot_m", "dia_chi", "huyen", "ngay_phat_song", "toa_do_x_m", "toa_do_y_m"}
	tm3, err := geo.LookupCRS("EPSG:9214")
	if err != nil {
		return Entry{}, 0, err
	}
	rows := make([][]string, 0, n)
	for i := 1; i <= n; i++ {
		t := g.town()
		lon, lat := g.near(t, 5)
		easting, northing, err := tm3.FromWGS84(lon, lat)
		if err != nil {
			return Entry{}, 0, err
		}
		op := operators[g.weighted(len(operators), func(i int) int { return operators[i].weight })].name
		tech := []string{"2G/3G/4G", "4G", "4G/5G", "3G/4G"}[g.rng.IntN(4)]
		rows = append(rows, []string{
			fmt.Sprintf("BTS-%05d", i), op, tech,
			strings.Replace(ftoa(math.Round((18+g.rng.Float64()*42)*2)/2), ".", ",", 1), // decimal comma, as Vietnamese Excel writes
			fmt.Sprintf("Xã %s, %s", g.pick(communes), districtLabel(t.District)),
			t.District,
			fmt.Sprintf("%02d/%02d/%04d", 1+g.rng.IntN(28), 1+g.rng.IntN(12), 2005+g.rng.IntN(20)),
			strconv.FormatFloat(northing, 'f', 3, 64), strconv.FormatFloat(easting, 'f', 3, 64),
		})
	}
	file := "bts-sites.csv"
	err = writeCSVEncoded(filepath.Join(dir, file), header, rows, EncodeWindows1258)
	m := meta(2, "Vị trí trạm thu phát sóng di động (BTS)", "BTS antenna sites", "so-tttt", "TECH", "QUARTERLY",
		"Vị trí cột ăng-ten trạm BTS của các doanh nghiệp viễn thông (mục 22 của Kế hoạch), kèm nhà mạng, công nghệ và chiều cao cột.",
		"BTS", "viễn thông", "telecom")
	m.TemporalProperty = "ngay_phat_song" // the on-air date: OGC API datetime= filters on it
	return Entry{File: file, Collection: "bts-sites", Options: importers.Options{IDColumn: "ma_tram", CRS: "EPSG:9214"},
		Metadata: m}, n, err
}

func postalPoints(g *generator, dir string) (Entry, int, error) {
	const n = 350
	header := []string{"Mã điểm", "Tên điểm phục vụ", "Loại hình", "Địa chỉ", "Huyện", "Giờ mở cửa", "Điện thoại", "Kinh độ", "Vĩ độ"}
	kinds := []string{"Bưu cục cấp 1", "Bưu cục cấp 2", "Bưu cục cấp 3", "Điểm Bưu điện – Văn hóa xã", "Điểm Bưu điện – Văn hóa xã"}
	rows := make([][]string, 0, n)
	for i := 1; i <= n; i++ {
		t := g.town()
		lon, lat := g.near(t, 4)
		kind := kinds[g.rng.IntN(len(kinds))]
		if i <= len(g.region.Places) { // one main post office per town
			t = g.region.Places[i-1]
			lon, lat = g.near(t, 0.3)
			kind = "Bưu cục cấp 2"
		}
		commune := g.pick(communes)
		name := "Bưu cục " + commune
		if kind == "Điểm Bưu điện – Văn hóa xã" {
			name = "Điểm BĐ-VHX " + commune
		}
		rows = append(rows, []string{
			fmt.Sprintf("BD-%04d", i), name, kind,
			fmt.Sprintf("Xã %s, %s", commune, districtLabel(t.District)), t.District,
			"07:00–17:30", fmt.Sprintf("0204 38%02d %03d", g.rng.IntN(100), g.rng.IntN(1000)),
			ftoa(lon), ftoa(lat),
		})
	}
	file := "postal-points.csv"
	err := writeCSV(filepath.Join(dir, file), header, rows)
	return Entry{File: file, Collection: "postal-points", Options: importers.Options{IDColumn: "Mã điểm"},
		Metadata: meta(3, "Điểm phục vụ bưu chính", "Postal service points", "so-tttt", "GOVE", "ANNUAL",
			"Bưu cục và điểm Bưu điện – Văn hóa xã (mục 21 của Kế hoạch), kèm loại hình và giờ mở cửa.",
			"bưu chính", "bưu điện", "postal")}, n, err
}

// parking writes the parking places as KML from Google Earth: one folder per
// district, the attributes as ExtendedData.
func parking(g *generator, dir string) (Entry, int, error) {
	const n = 250
	placemarks := make([]KMLPlacemark, 0, n)
	for i := 1; i <= n; i++ {
		t := g.town()
		lon, lat := g.near(t, 1.5)
		car := g.rng.IntN(3) > 0
		kind, capacity, fee := "Xe máy", 50+g.rng.IntN(300), 5000
		if car {
			kind, capacity, fee = "Ô tô", 10+g.rng.IntN(150), 20000+5000*g.rng.IntN(4)
		}
		name := fmt.Sprintf("Bãi đỗ xe %s %s", map[bool]string{true: "ô tô", false: "xe máy"}[car], g.pick(communes))
		placemarks = append(placemarks, KMLPlacemark{
			Folder: t.District, ID: fmt.Sprintf("DX-%04d", i), Name: name,
			Description: fmt.Sprintf("<b>%s</b><br/>Sức chứa: %d chỗ", name, capacity),
			Point:       orb.Point{lon, lat},
			Data: []kv{
				{"ma", fmt.Sprintf("DX-%04d", i)},
				{"loai_xe", kind},
				{"suc_chua", capacity},
				{"gia_ve_vnd", fee},
				{"mo_cua_24h", g.rng.IntN(4) == 0},
				{"huyen", t.District},
			},
		})
	}
	sort.SliceStable(placemarks, func(i, j int) bool { return placemarks[i].Folder < placemarks[j].Folder })
	file := "parking.kml"
	err := writeKML(filepath.Join(dir, file), "Điểm đỗ xe công cộng", placemarks)
	return Entry{File: file, Collection: "parking", Options: importers.Options{IDColumn: "ma"},
		Metadata: meta(4, "Điểm đỗ xe công cộng", "Public parking", "so-gtvt", "TRAN", "QUARTERLY",
			"Bãi và điểm đỗ xe công cộng (mục 27 của Kế hoạch), kèm loại xe, sức chứa và giá vé.",
			"đỗ xe", "giao thông", "parking")}, n, err
}

func trafficSignals(g *generator, dir string) (Entry, int, error) {
	const n = 800
	header := []string{"Mã", "Loại", "Số hiệu", "Tên", "Tuyến đường", "Huyện", "Năm lắp đặt", "Vị trí"}
	kinds := []struct{ kind, code, name string }{
		{"Đèn tín hiệu", "ĐTH", "Đèn tín hiệu giao thông"},
		{"Biển báo cấm", "P.102", "Cấm đi ngược chiều"},
		{"Biển báo cấm", "P.127", "Tốc độ tối đa cho phép"},
		{"Biển báo nguy hiểm", "W.207a", "Giao nhau với đường không ưu tiên"},
		{"Biển báo nguy hiểm", "W.224", "Đường người đi bộ cắt ngang"},
		{"Biển hiệu lệnh", "R.302a", "Hướng phải đi vòng chướng ngại vật"},
		{"Biển chỉ dẫn", "I.434a", "Bến xe buýt"},
	}
	roads := []string{"QL1", "QL17", "QL31", "QL37", "QL279", "ĐT292", "ĐT293", "ĐT295", "ĐT398", "Cao tốc Hà Nội – Bắc Giang"}
	rows := make([][]string, 0, n)
	for i := 1; i <= n; i++ {
		t := g.town()
		lon, lat := g.near(t, 2)
		k := kinds[g.rng.IntN(len(kinds))]
		rows = append(rows, []string{
			fmt.Sprintf("GT-%05d", i), k.kind, k.code, k.name, g.pick(roads), t.District,
			strconv.Itoa(2005 + g.rng.IntN(20)),
			fmt.Sprintf("%s, %s", ftoa(lat), ftoa(lon)), // one "lat, lon" column, as many registers have
		})
	}
	file := "traffic-signals.csv"
	err := writeCSV(filepath.Join(dir, file), header, rows)
	return Entry{File: file, Collection: "traffic-signals", Options: importers.Options{IDColumn: "Mã"},
		Metadata: meta(5, "Đèn tín hiệu và biển báo giao thông", "Traffic lights and road signs", "so-gtvt", "TRAN", "ANNUAL",
			"Vị trí đèn tín hiệu và biển báo hiệu đường bộ (mục 29 của Kế hoạch), kèm số hiệu theo QCVN 41:2019/BGTVT.",
			"đèn tín hiệu", "biển báo", "traffic signals")}, n, err
}

var stationNames = map[string]string{
	"Thành phố Bắc Giang": "Bến xe khách Bắc Giang", "Việt Yên": "Bến xe Việt Yên", "Hiệp Hòa": "Bến xe Hiệp Hòa",
	"Tân Yên": "Bến xe Tân Yên", "Lạng Giang": "Bến xe Lạng Giang", "Yên Dũng": "Bến xe Yên Dũng",
	"Lục Nam": "Bến xe Lục Nam", "Lục Ngạn": "Bến xe Chũ", "Yên Thế": "Bến xe Cầu Gồ", "Sơn Động": "Bến xe An Châu",
}

func busStations(g *generator, dir string) (Entry, int, error) {
	features := make([]feature, 0, len(g.region.Places)+2)
	for i, t := range g.region.Places {
		lon, lat := g.near(t, 0.4)
		class := 4 - min(t.Weight/2, 3) + g.rng.IntN(2)
		name := stationNames[t.District]
		if name == "" {
			name = "Bến xe " + t.Name
		}
		features = append(features, feature{
			ID:   fmt.Sprintf("BX-%02d", i+1),
			Geom: orb.Point{lon, lat},
			Props: []kv{
				{"ten", name},
				{"loai_ben", fmt.Sprintf("Loại %d", class)},
				{"so_chuyen_ngay", 20 + g.rng.IntN(200)},
				{"phi_ra_vao_ben_vnd", 15000 + 5000*g.rng.IntN(6)},
				{"phi_trong_giu_xe_vnd", 5000 + 5000*g.rng.IntN(3)},
				{"dia_chi", fmt.Sprintf("%s, %s", t.Name, districtLabel(t.District))},
			},
		})
	}
	file := "bus-stations.geojson"
	err := writeGeoJSON(filepath.Join(dir, file), features)
	return Entry{File: file, Collection: "bus-stations",
		Metadata: meta(8, "Bến xe khách", "Coach stations", "so-gtvt", "TRAN", "ANNUAL",
			"Bến xe khách trên địa bàn và mức phí ra vào bến (mục 30 của Kế hoạch).",
			"bến xe", "vận tải hành khách", "coach stations")}, len(features), err
}

// vn2000TM3107PRJ is the .prj ArcGIS writes for VN-2000 / TM-3 107-00: no TOWGS84.
const vn2000TM3107PRJ = `PROJCS["VN-2000_TM-3_107-00",GEOGCS["GCS_VN_2000",DATUM["D_Vietnam_2000",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",107.0],PARAMETER["Scale_Factor",0.9999],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]`

var portKinds = []string{"Cảng thủy nội địa", "Bến thủy nội địa", "Bến thủy nội địa", "Khu neo đậu", "Bến khách ngang sông"}

// ports writes the inland ports as a Shapefile with a .prj and Windows-1258
// attributes (.cpg 1258), as the department's GIS software exports them.
// Its .prj is the ESRI one of VN-2000 / TM-3 107-00, which lacks the datum
// shift; the importer recognises it and applies the official one.
func ports(g *generator, dir string) (Entry, int, error) {
	tm3, err := geo.LookupCRS("EPSG:9214")
	if err != nil {
		return Entry{}, 0, err
	}
	layer := ShapeLayer{
		PRJ: vn2000TM3107PRJ, CPG: "1258",
		Fields: []ShapeField{
			{Name: "MA", Type: 'C', Length: 10}, {Name: "TEN", Type: 'C', Length: 80}, {Name: "LOAI", Type: 'C', Length: 60},
			{Name: "SONG", Type: 'C', Length: 40}, {Name: "TAI_TRONG", Type: 'N', Length: 6}, {Name: "MUC_NUOC", Type: 'F', Length: 8, Decimals: 2},
			{Name: "DON_VI", Type: 'C', Length: 80}, {Name: "HOAT_DONG", Type: 'L', Length: 1}, {Name: "NGAY_CP", Type: 'D', Length: 8},
		},
	}
	i := 0
	for _, r := range g.region.Rivers {
		for k := 0; k < 6; k++ {
			i++
			seg := 1 + g.rng.IntN(len(r.Line)-1)
			a, b := r.Line[seg-1], r.Line[seg]
			f := g.rng.Float64()
			lon, lat := round7(a[0]+(b[0]-a[0])*f), round7(a[1]+(b[1]-a[1])*f)
			kind := portKinds[g.rng.IntN(len(portKinds))]
			name := fmt.Sprintf("%s %s", map[bool]string{true: "Cảng", false: "Bến"}[kind == "Cảng thủy nội địa"], g.pick(communes))
			x, y, err := tm3.FromWGS84(lon, lat)
			if err != nil {
				return Entry{}, 0, err
			}
			layer.Features = append(layer.Features, ShapeFeature{
				Geometry: orb.Point{math.Round(x*1000) / 1000, math.Round(y*1000) / 1000},
				Values: []any{
					fmt.Sprintf("CB-%03d", i), name, kind, r.Name,
					100 * (1 + g.rng.IntN(20)),
					math.Round((1.5+g.rng.Float64()*4)*100) / 100,
					g.pick([]string{"Công ty CP Cảng Bắc Giang", "UBND xã", "Hợp tác xã vận tải thủy", "Doanh nghiệp tư nhân"}),
					g.rng.IntN(5) > 0,
					time.Date(2010+g.rng.IntN(15), time.Month(1+g.rng.IntN(12)), 1+g.rng.IntN(28), 0, 0, 0, 0, time.UTC),
				},
			})
		}
	}
	if err := os.MkdirAll(filepath.Join(dir, "ports"), 0o755); err != nil {
		return Entry{}, 0, err
	}
	file := filepath.Join("ports", "cang-ben-thuy-noi-dia.shp")
	err = WriteShapefile(filepath.Join(dir, "ports", "cang-ben-thuy-noi-dia"), layer)
	return Entry{File: file, Collection: "ports", Options: importers.Options{IDColumn: "MA"},
		Metadata: meta(9, "Cảng, bến thủy nội địa", "Inland ports and wharves", "so-gtvt", "TRAN", "ANNUAL",
			"Cảng, bến thủy nội địa và khu neo đậu trên sông Thương, sông Cầu và sông Lục Nam (mục 37 của Kế hoạch).",
			"cảng", "bến thủy", "inland ports")}, len(layer.Features), err
}
