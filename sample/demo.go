package sample

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"

	"github.com/paulmach/orb"

	"github.com/vn-opendata/geodata/catalog"
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
	steps := []func(*generator, string) (Entry, int, error){
		schools, btsSites, postalPoints, parking, trafficSignals, busNetwork, busStations, ports,
	}
	for _, step := range steps {
		e, n, err := step(g, dir)
		if err != nil {
			return st, err
		}
		m.Entries = append(m.Entries, e)
		st.Files++
		st.Features += n
		if e.Collection == "bus-routes" { // the bus network writes its stops too
			stops, n, err := busStops(g, dir)
			if err != nil {
				return st, err
			}
			m.Entries = append(m.Entries, stops)
			st.Files++
			st.Features += n
		}
	}
	return st, writeManifest(dir, m)
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

func schools(g *generator, dir string) (Entry, int, error) {
	const n = 1800
	header := []string{"Mã trường", "Tên trường", "Cấp học", "Địa chỉ", "Huyện", "Số học sinh", "Ngày thành lập", "Điện thoại", "Kinh độ", "Vĩ độ"}
	rows := make([][]string, 0, n)
	for i := 1; i <= n; i++ {
		t := g.town()
		lon, lat := g.near(t, 3)
		lv := schoolLevels[g.weighted(len(schoolLevels), func(i int) int { return schoolLevels[i].weight })]
		commune := g.pick(communes)
		students := lv.students[0] + g.rng.IntN(lv.students[1]-lv.students[0])
		opened := fmt.Sprintf("%04d-%02d-%02d", 1960+g.rng.IntN(60), 1+g.rng.IntN(12), 1+g.rng.IntN(28))
		rows = append(rows, []string{
			fmt.Sprintf("BG-TR-%05d", i),
			fmt.Sprintf("%s %s", lv.prefix, commune),
			lv.name,
			fmt.Sprintf("Xã %s, %s", commune, districtLabel(t.District)),
			t.District,
			strconv.Itoa(students),
			opened,
			fmt.Sprintf("0204 3%03d %03d", g.rng.IntN(1000), g.rng.IntN(1000)),
			ftoa(lon), ftoa(lat),
		})
	}
	file := "schools.csv"
	err := writeCSV(filepath.Join(dir, file), header, rows)
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

func btsSites(g *generator, dir string) (Entry, int, error) {
	const n = 1500
	features := make([]feature, 0, n)
	for i := 1; i <= n; i++ {
		t := g.town()
		lon, lat := g.near(t, 5)
		op := operators[g.weighted(len(operators), func(i int) int { return operators[i].weight })].name
		tech := []string{"2G/3G/4G", "4G", "4G/5G", "3G/4G"}[g.rng.IntN(4)]
		features = append(features, feature{
			ID:   fmt.Sprintf("BTS-%05d", i),
			Geom: orb.Point{lon, lat},
			Props: []kv{
				{"ma_tram", fmt.Sprintf("BTS-%05d", i)},
				{"nha_mang", op},
				{"cong_nghe", tech},
				{"chieu_cao_cot_m", math.Round((18+g.rng.Float64()*42)*2) / 2},
				{"dia_chi", fmt.Sprintf("Xã %s, %s", g.pick(communes), districtLabel(t.District))},
				{"huyen", t.District},
				{"ngay_phat_song", fmt.Sprintf("%04d-%02d-%02d", 2005+g.rng.IntN(20), 1+g.rng.IntN(12), 1+g.rng.IntN(28))},
			},
		})
	}
	file := "bts-sites.geojson"
	err := writeGeoJSON(filepath.Join(dir, file), features)
	m := meta(2, "Vị trí trạm thu phát sóng di động (BTS)", "BTS antenna sites", "so-tttt", "TECH", "QUARTERLY",
		"Vị trí cột ăng-ten trạm BTS của các doanh nghiệp viễn thông (mục 22 của Kế hoạch), kèm nhà mạng, công nghệ và chiều cao cột.",
		"BTS", "viễn thông", "telecom")
	m.TemporalProperty = "ngay_phat_song" // the on-air date: OGC API datetime= filters on it
	return Entry{File: file, Collection: "bts-sites", Metadata: m}, n, err
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

func parking(g *generator, dir string) (Entry, int, error) {
	const n = 250
	features := make([]feature, 0, n)
	for i := 1; i <= n; i++ {
		t := g.town()
		lon, lat := g.near(t, 1.5)
		car := g.rng.IntN(3) > 0
		kind, capacity, fee := "Xe máy", 50+g.rng.IntN(300), 5000
		if car {
			kind, capacity, fee = "Ô tô", 10+g.rng.IntN(150), 20000+5000*g.rng.IntN(4)
		}
		features = append(features, feature{
			ID:   fmt.Sprintf("DX-%04d", i),
			Geom: orb.Point{lon, lat},
			Props: []kv{
				{"ten", fmt.Sprintf("Bãi đỗ xe %s %s", map[bool]string{true: "ô tô", false: "xe máy"}[car], g.pick(communes))},
				{"loai_xe", kind},
				{"suc_chua", capacity},
				{"gia_ve_vnd", fee},
				{"mo_cua_24h", g.rng.IntN(4) == 0},
				{"huyen", t.District},
			},
		})
	}
	file := "parking.geojson"
	err := writeGeoJSON(filepath.Join(dir, file), features)
	return Entry{File: file, Collection: "parking",
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

var portKinds = []string{"Cảng thủy nội địa", "Bến thủy nội địa", "Bến thủy nội địa", "Khu neo đậu", "Bến khách ngang sông"}

func ports(g *generator, dir string) (Entry, int, error) {
	header := []string{"Mã", "Tên cảng, bến", "Loại", "Sông", "Trọng tải tối đa (tấn)", "Đơn vị quản lý", "Kinh độ", "Vĩ độ"}
	var rows [][]string
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
			rows = append(rows, []string{
				fmt.Sprintf("CB-%03d", i), name, kind, r.Name,
				strconv.Itoa(100 * (1 + g.rng.IntN(20))),
				g.pick([]string{"Công ty CP Cảng Bắc Giang", "UBND xã", "Hợp tác xã vận tải thủy", "Doanh nghiệp tư nhân"}),
				ftoa(lon), ftoa(lat),
			})
		}
	}
	file := "ports.csv"
	err := writeCSV(filepath.Join(dir, file), header, rows)
	return Entry{File: file, Collection: "ports", Options: importers.Options{IDColumn: "Mã"},
		Metadata: meta(9, "Cảng, bến thủy nội địa", "Inland ports and wharves", "so-gtvt", "TRAN", "ANNUAL",
			"Cảng, bến thủy nội địa và khu neo đậu trên sông Thương, sông Cầu và sông Lục Nam (mục 37 của Kế hoạch).",
			"cảng", "bến thủy", "inland ports")}, len(rows), err
}
