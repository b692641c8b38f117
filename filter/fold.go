package filter

import (
	"strings"
	"sync"
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
//
// Strings of Latin, Vietnamese, Greek and Cyrillic letters take a table, rune
// by rune: every mark these letters decompose into is dropped, so folding
// rune by rune gives what folding the whole string gives (NFD only reorders
// such marks; TestAccentFoldTable proves it). Other strings take geo.Fold.
func accentFold(s string) string {
	table := accentTable()
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		f, ok := table.fold(r)
		if !ok {
			return geo.Fold(strokes.Replace(s))
		}
		b.WriteString(f)
	}
	return b.String()
}

// The blocks of accentTable: Basic Latin to Cyrillic Supplement, and Latin
// Extended Additional, where the Vietnamese letters with two marks are.
const (
	tableLowEnd    = 0x0530
	tableHighStart = 0x1E00
	tableHighEnd   = 0x1F00
)

type foldTable struct{ low, high []string }

func (t *foldTable) fold(r rune) (string, bool) {
	switch {
	case r < tableLowEnd:
		return t.low[r], true
	case r >= tableHighStart && r < tableHighEnd:
		return t.high[r-tableHighStart], true
	}
	return "", false
}

// accentTable holds the ACCENTI of each rune of its blocks, built on first use.
var accentTable = sync.OnceValue(func() *foldTable {
	t := &foldTable{low: make([]string, tableLowEnd), high: make([]string, tableHighEnd-tableHighStart)}
	for r := range rune(tableLowEnd) {
		t.low[r] = geo.Fold(strokes.Replace(string(r)))
	}
	for r := rune(tableHighStart); r < tableHighEnd; r++ {
		t.high[r-tableHighStart] = geo.Fold(strokes.Replace(string(r)))
	}
	return t
})
