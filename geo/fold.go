package geo

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Fold makes Vietnamese text comparable regardless of accents and case: NFD, drop
// combining marks, đ/Đ → d, lower case. "Trường Lục Ngạn" → "truong luc ngan".
// It lives in geo because every layer (importers, filter, handlers) needs the very
// same folding and geo is the one package they may all import; the SQL function
// geodata_fold of the migrations gives identical results.
func Fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r == 'đ' || r == 'Đ':
			b.WriteByte('d')
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}
