package filter

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

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
//
// Strings of runes below U+1F00 (Latin, Vietnamese, Greek, Cyrillic) take a
// table, rune by rune: when every combining mark a rune decomposes
// into is dropped, folding rune by rune gives what folding the whole string
// gives, for NFD only reorders such marks. Other strings take geo.Fold.
func accentFold(s string) string {
	table := accentTable()
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if r >= rune(len(table)) || !table[r].ok {
			return geo.Fold(strokes.Replace(s))
		}
		b.WriteString(table[r].fold)
	}
	return b.String()
}

type runeFold struct {
	fold string
	ok   bool // the rune's decomposition keeps no mark
}

// accentTable holds the ACCENTI of single runes below U+1F00 (Latin, Greek,
// Cyrillic, and Latin Extended Additional, where Vietnamese letters with two
// marks are), built on first use.
var accentTable = sync.OnceValue(func() []runeFold {
	t := make([]runeFold, 0x1F00)
	for i := range t {
		r := rune(i)
		if !utf8.ValidRune(r) {
			continue
		}
		ok := true
		for _, d := range norm.NFD.String(string(r)) {
			if norm.NFD.PropertiesString(string(d)).CCC() != 0 && !unicode.Is(unicode.Mn, d) {
				ok = false // a mark that stays, and that NFD may reorder
			}
		}
		t[i] = runeFold{fold: geo.Fold(strokes.Replace(string(r))), ok: ok}
	}
	return t
})
