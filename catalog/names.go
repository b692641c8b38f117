package catalog

import (
	"slices"
	"strings"
	"sync"

	"github.com/vn-opendata/geodata/geo"
	"github.com/vn-opendata/geodata/store"
)

// searchNames is what name search needs of a snapshot, worked out on first use:
// which properties name a feature and say where it is, and every feature's name
// folded (geo.Fold), so that a search compares strings instead of folding them.
type searchNames struct {
	propsOnce     sync.Once
	name, address int
	foldOnce      sync.Once
	folded        []string
}

func (s *Snapshot) nameProperties() *searchNames {
	n := &s.names
	n.propsOnce.Do(func() {
		n.name = findProperty(s.Collection.Schema, []string{"ten", "name", "title", "tieude"}, []string{"ten"})
		n.address = findProperty(s.Collection.Schema,
			[]string{"diachi", "address", "tuyenduong", "duong", "huyen", "quanhuyen", "song", "tuyen"}, []string{"diachi"})
	})
	return n
}

func (s *Snapshot) foldedNames() []string {
	n := s.nameProperties()
	n.foldOnce.Do(func() {
		n.folded = make([]string, len(s.Features))
		for i := range s.Features {
			n.folded[i] = geo.Fold(s.featureName(i, n.name))
		}
	})
	return n.folded
}

func (s *Snapshot) featureName(i, prop int) string {
	if prop < 0 {
		return s.Features[i].ID
	}
	if v, ok := s.Features[i].Props[prop].(string); ok {
		return v
	}
	return ""
}

// NameProperty is the schema position of the features' name: the first string
// property called name, title, tên or tiêu đề, else the first whose name starts
// with tên ("Tên trường", "ten_tuyen"), accents and case aside; −1 when none.
func (s *Snapshot) NameProperty() int { return s.nameProperties().name }

// AddressProperty is the schema position of where a feature is: its address,
// else its road, district or river; −1 when none.
func (s *Snapshot) AddressProperty() int { return s.nameProperties().address }

// SearchName is feature i's name folded for search (geo.Fold); its id when the
// collection has no name property. The first call folds every name of the snapshot.
func (s *Snapshot) SearchName(i int32) string { return s.foldedNames()[i] }

// findProperty returns the first string property whose folded name is one of
// exact (tried in that order), else the first that starts with one of prefixes.
func findProperty(schema []store.Property, exact, prefixes []string) int {
	keys := make([]string, len(schema))
	for i, p := range schema {
		if p.Type == "string" {
			keys[i] = propertyKey(p.Name)
		}
	}
	for _, want := range exact {
		if i := slices.Index(keys, want); i >= 0 {
			return i
		}
	}
	for i, k := range keys {
		for _, p := range prefixes {
			if k != "" && strings.HasPrefix(k, p) {
				return i
			}
		}
	}
	return -1
}

// propertyKey folds a property name to lower-case ASCII letters and digits:
// "Tên trường" → "tentruong", "dia_chi" → "diachi".
func propertyKey(name string) string {
	var b strings.Builder
	for _, r := range geo.Fold(name) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	return b.String()
}
