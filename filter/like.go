package filter

import (
	"errors"
	"unicode/utf8"
)

// likePattern is a compiled LIKE pattern: % matches any run of characters, _
// one character, and a backslash makes the next character literal, as in
// CQL2 and PostgreSQL.
type likePattern []likeToken

type likeToken struct {
	kind byte // 'c' a literal character, '_' one character, '%' any run
	r    rune
}

func compileLike(p string) (likePattern, error) {
	var out likePattern
	for i := 0; i < len(p); {
		r, size := utf8.DecodeRuneInString(p[i:])
		i += size
		switch r {
		case '%':
			if len(out) == 0 || out[len(out)-1].kind != '%' {
				out = append(out, likeToken{kind: '%'})
			}
		case '_':
			out = append(out, likeToken{kind: '_'})
		case '\\':
			if i == len(p) {
				return nil, errors.New("a LIKE pattern must not end with the escape character \\")
			}
			r, size = utf8.DecodeRuneInString(p[i:])
			i += size
			out = append(out, likeToken{kind: 'c', r: r})
		default:
			out = append(out, likeToken{kind: 'c', r: r})
		}
	}
	return out, nil
}

// match reports whether all of s matches the pattern.
func (p likePattern) match(s string) bool {
	si, pi := 0, 0
	starP, starS := -1, 0
	for si < len(s) {
		r, size := utf8.DecodeRuneInString(s[si:])
		switch {
		case pi < len(p) && (p[pi].kind == '_' || p[pi].kind == 'c' && p[pi].r == r):
			si += size
			pi++
		case pi < len(p) && p[pi].kind == '%':
			starP, starS = pi, si
			pi++
		case starP >= 0:
			_, skip := utf8.DecodeRuneInString(s[starS:])
			starS += skip
			si, pi = starS, starP+1
		default:
			return false
		}
	}
	for pi < len(p) && p[pi].kind == '%' {
		pi++
	}
	return pi == len(p)
}
