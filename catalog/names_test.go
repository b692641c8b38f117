package catalog_test

import (
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"github.com/vn-opendata/geodata/catalog"
	"github.com/vn-opendata/geodata/store"
)

// The name and address properties are found by their folded names, whatever
// the language and accents of the headings; names are folded for search.
func TestNameAndAddressProperties(t *testing.T) {
	cases := []struct {
		schema        []string
		name, address int
	}{
		{[]string{"Mã trường", "Tên trường", "Cấp học", "Địa chỉ", "Huyện"}, 1, 3},
		{[]string{"so_hieu", "ten_tuyen", "don_vi_khai_thac"}, 1, -1},
		{[]string{"ten", "loai_xe", "huyen"}, 0, 2},
		{[]string{"Mã", "Tên cảng, bến", "Loại", "Sông"}, 1, 3},
		{[]string{"name", "address"}, 0, 1},
		{[]string{"ma_tram", "nha_mang"}, -1, -1},
		{[]string{"Tên đơn vị", "Tên"}, 1, -1}, // an exact "Tên" wins over a prefix
	}
	for _, c := range cases {
		var schema []store.Property
		props := "{"
		for i, name := range c.schema {
			schema = append(schema, store.Property{Name: name, Type: "string"})
			if i > 0 {
				props += ","
			}
			props += `"` + name + `":"Trường Tiểu học Đồng Sơn"`
		}
		b := catalog.NewSnapshotBuilder(store.Collection{ID: "c", Schema: schema})
		g, err := wkb.Marshal(orb.Point{106.2, 21.3})
		if err != nil {
			t.Fatal(err)
		}
		if err := b.Add(&store.StoredFeature{ID: "F-1", WKB: g, Properties: []byte(props + "}")}); err != nil {
			t.Fatal(err)
		}
		snap := b.Build()
		if snap.NameProperty() != c.name || snap.AddressProperty() != c.address {
			t.Errorf("%v: name %d, address %d; want %d, %d", c.schema, snap.NameProperty(), snap.AddressProperty(), c.name, c.address)
		}
		want := "truong tieu hoc dong son"
		if c.name < 0 {
			want = "f-1"
		}
		if got := snap.SearchName(0); got != want {
			t.Errorf("%v: search name %q, want %q", c.schema, got, want)
		}
	}
}
