package filter

import (
	"strings"
	"unicode"

	"github.com/vn-opendata/geodata/geo"
)

// caseFold is CASEI: every character to lower case, one by one, as
// PostgreSQL's lower() does in a UTF-8 database (the two agree on every code point).
func caseFold(s string) string { return strings.Map(unicode.ToLower, s) }

// strokeLetters are letters whose mark is part of the letter: Unicode does not
// decompose them, as it does not decompose đ (which geo.Fold maps itself).
// ACCENTI maps them to strokeBases, so that ACCENTI('København') equals
// ACCENTI('Kobenhavn') as the CQL2 test suite expects. Migration 0003's
// geodata_accenti translates the same letters; a test holds the two equal.
const (
	strokeLetters = "ØøŁłĦħŦŧɃƀƗɨƵƶǤǥ"
	strokeBases   = "OoLlHhTtBbIiZzGg"
)

var strokes = func() *strings.Replacer {
	var pairs []string
	bases := []rune(strokeBases)
	for i, r := range []rune(strokeLetters) {
		pairs = append(pairs, string(r), string(bases[i]))
	}
	return strings.NewReplacer(pairs...)
}()

// accentFold is ACCENTI: geo.Fold (NFD, drop combining marks, đ → d, lower
// case) after the stroke letters. It folds case too, so that
// ACCENTI(name) LIKE ACCENTI('truong%') finds "Trường" (CASEI of it changes nothing).
func accentFold(s string) string { return geo.Fold(strokes.Replace(s)) }
