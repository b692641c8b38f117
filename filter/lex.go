package filter

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

type tokKind uint8

const (
	tokEOF tokKind = iota
	tokIdent
	tokQuoted // a "double-quoted" property name
	tokNumber
	tokString
	tokSymbol // ( ) , = <> < > <= >= + - * / % ^
)

type token struct {
	kind tokKind
	text string // identifier, number or symbol as written; the value of a string
	pos  int
}

// lex splits CQL2 text into tokens.
func lex(src string) ([]token, *Error) {
	if !utf8.ValidString(src) {
		for i, r := range src {
			if r == utf8.RuneError {
				return nil, textError(src, i, "invalid UTF-8")
			}
		}
	}
	var toks []token
	i := 0
	for i < len(src) {
		r, size := utf8.DecodeRuneInString(src[i:])
		switch {
		case unicode.IsSpace(r):
			i += size
		case r == '\'':
			s, end, err := lexString(src, i)
			if err != nil {
				return nil, err
			}
			toks = append(toks, token{kind: tokString, text: s, pos: i})
			i = end
		case r == '"':
			end := strings.IndexByte(src[i+1:], '"')
			if end < 0 {
				return nil, textError(src, i, "unterminated quoted property name")
			}
			if end == 0 {
				return nil, textError(src, i, "empty quoted property name")
			}
			toks = append(toks, token{kind: tokQuoted, text: src[i+1 : i+1+end], pos: i})
			i += end + 2
		case r >= '0' && r <= '9' || r == '.' && i+1 < len(src) && src[i+1] >= '0' && src[i+1] <= '9':
			end := lexNumber(src, i)
			toks = append(toks, token{kind: tokNumber, text: src[i:end], pos: i})
			i = end
		case identStart(r):
			end := i + size
			for end < len(src) {
				r, size := utf8.DecodeRuneInString(src[end:])
				if !identPart(r) {
					break
				}
				end += size
			}
			toks = append(toks, token{kind: tokIdent, text: src[i:end], pos: i})
			i = end
		default:
			sym := lexSymbol(src[i:])
			if sym == "" {
				return nil, textError(src, i, "unexpected character %q", r)
			}
			toks = append(toks, token{kind: tokSymbol, text: sym, pos: i})
			i += len(sym)
		}
	}
	return append(toks, token{kind: tokEOF, pos: len(src)}), nil
}

// lexString reads a 'quoted' literal starting at i; a quote inside is doubled
// (”) or escaped (\') as CQL2 allows. It returns the value and the end offset.
func lexString(src string, i int) (string, int, *Error) {
	var b strings.Builder
	j := i + 1
	for j < len(src) {
		c := src[j]
		switch {
		case c == '\'' && j+1 < len(src) && src[j+1] == '\'':
			b.WriteByte('\'')
			j += 2
		case c == '\'':
			return b.String(), j + 1, nil
		case c == '\\' && j+1 < len(src) && src[j+1] == '\'':
			b.WriteByte('\'')
			j += 2
		default:
			b.WriteByte(c)
			j++
		}
	}
	return "", 0, textError(src, i, "unterminated string: a closing ' is missing")
}

func lexNumber(src string, i int) int {
	digits := func(j int) int {
		for j < len(src) && src[j] >= '0' && src[j] <= '9' {
			j++
		}
		return j
	}
	j := digits(i)
	if j < len(src) && src[j] == '.' {
		j = digits(j + 1)
	}
	if j < len(src) && (src[j] == 'e' || src[j] == 'E') {
		k := j + 1
		if k < len(src) && (src[k] == '+' || src[k] == '-') {
			k++
		}
		if k < len(src) && src[k] >= '0' && src[k] <= '9' {
			j = digits(k)
		}
	}
	return j
}

func lexSymbol(s string) string {
	for _, sym := range []string{"<>", "<=", ">=", "(", ")", ",", "=", "<", ">", "+", "-", "*", "/", "%", "^"} {
		if strings.HasPrefix(s, sym) {
			return sym
		}
	}
	return ""
}

// identStart and identPart follow the identifier production of the CQL2 BNF
// (the XML name characters), by Unicode category.
func identStart(r rune) bool {
	return r == ':' || r == '_' || unicode.IsLetter(r) || unicode.Is(unicode.Nl, r)
}

func identPart(r rune) bool {
	return identStart(r) || r == '.' || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) ||
		unicode.Is(unicode.Mc, r) || r == 0x203F || r == 0x2040
}
