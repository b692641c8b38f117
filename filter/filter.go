package filter

import (
	"github.com/paulmach/orb"
)

// The filter languages (the filter-lang parameter).
const (
	LangText = "cql2-text"
	LangJSON = "cql2-json"
	// LangTextOld is the name of CQL2 text in the drafts of OGC API – Features
	// Part 3, which GDAL 3.6 sends; it is read as cql2-text.
	LangTextOld = "cql-text"
)

// Langs are the filter-lang values Parse accepts, for the API description.
var Langs = []string{LangText, LangJSON, LangTextOld}

// Expr is a filter checked against a collection's queryables, ready to be
// evaluated in memory or written as SQL. It is immutable and safe for
// concurrent use.
type Expr struct {
	root  *Node
	check *expr
	match predicate
}

// Option changes how Parse reads a filter.
type Option func(*options)

type options struct {
	transform func(orb.Geometry) (orb.Geometry, error)
}

// WithTransform has Parse pass every geometry literal through fn before it is
// checked and used, to read literals given in another CRS (filter-crs): fn
// returns the geometry in lon/lat (CRS84) or an error for the client.
func WithTransform(fn func(orb.Geometry) (orb.Geometry, error)) Option {
	return func(o *options) { o.transform = fn }
}

// Parse reads a filter in the language lang ("cql2-text", its old name
// "cql-text", or "cql2-json"; "" is cql2-text) and checks it against the
// queryables. Every error is an *Error, to be answered with 400.
func Parse(src, lang string, q Queryables, opts ...Option) (*Expr, error) {
	var n *Node
	var err error
	switch lang {
	case "", LangText, LangTextOld:
		lang = LangText
		n, err = ParseText(src)
	case LangJSON:
		n, err = ParseJSON(src)
	default:
		return nil, &Error{Lang: lang, Offset: -1, Message: "unknown filter-lang; use cql2-text or cql2-json"}
	}
	if err != nil {
		return nil, err
	}
	return Compile(n, src, lang, q, opts...)
}

// Compile checks a parsed tree against the queryables. src and lang are those
// the tree was read from, for the positions in error messages.
func Compile(n *Node, src, lang string, q Queryables, opts ...Option) (*Expr, error) {
	c := &checker{src: src, lang: lang, q: q}
	for _, o := range opts {
		o(&c.opts)
	}
	e, err := c.predicate(n)
	if err != nil {
		return nil, err
	}
	return &Expr{root: n, check: e, match: compilePredicate(e)}, nil
}

// Match reports whether the filter selects f: whether it is true for f (not
// false, not unknown because of a null).
func (x *Expr) Match(f Feature) bool { return x.match(f) == triTrue }

// Root is the syntax tree of the filter.
func (x *Expr) Root() *Node { return x.root }
