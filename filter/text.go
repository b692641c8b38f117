package filter

import (
	"math"
	"strconv"
	"strings"
)

// Limits that keep a hostile filter from exhausting the server.
const (
	// MaxDepth is the deepest nesting of expressions a filter may have.
	MaxDepth = 64
	// MaxVertices is the most coordinates the geometry literals of one filter may hold.
	MaxVertices = 10000
)

// ParseText reads a CQL2 text filter into its syntax tree. It checks the syntax
// only; Compile checks names and types.
func ParseText(src string) (*Node, error) {
	toks, lerr := lex(src)
	if lerr != nil {
		return nil, lerr
	}
	p := &textParser{src: src, toks: toks}
	n, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tokEOF {
		return nil, p.errorf(t.pos, "unexpected %s after the end of the filter", describe(t))
	}
	return n, nil
}

type textParser struct {
	src      string
	toks     []token
	i        int
	depth    int
	vertices int
}

func (p *textParser) peek() token        { return p.toks[p.i] }
func (p *textParser) peekAt(k int) token { return p.toks[min(p.i+k, len(p.toks)-1)] }
func (p *textParser) next() token {
	t := p.toks[p.i]
	if p.i < len(p.toks)-1 {
		p.i++
	}
	return t
}

func (p *textParser) errorf(pos int, format string, args ...any) *Error {
	return textError(p.src, pos, format, args...)
}

// isKeyword reports whether t is the unquoted word kw (case-insensitive).
func isKeyword(t token, kw string) bool {
	return t.kind == tokIdent && strings.EqualFold(t.text, kw)
}

func isSymbol(t token, s string) bool { return t.kind == tokSymbol && t.text == s }

func (p *textParser) acceptKeyword(kw string) bool {
	if isKeyword(p.peek(), kw) {
		p.next()
		return true
	}
	return false
}

func (p *textParser) expectSymbol(s string) *Error {
	t := p.next()
	if !isSymbol(t, s) {
		return p.errorf(t.pos, "expected %q, found %s", s, describe(t))
	}
	return nil
}

func describe(t token) string {
	switch t.kind {
	case tokEOF:
		return "the end of the filter"
	case tokString:
		return "'" + t.text + "'"
	case tokQuoted:
		return `"` + t.text + `"`
	}
	return strconv.Quote(t.text)
}

func (p *textParser) enter(pos int) *Error {
	p.depth++
	if p.depth > MaxDepth {
		return p.errorf(pos, "the filter is nested more than %d levels deep", MaxDepth)
	}
	return nil
}

func (p *textParser) leave() { p.depth-- }

// parseOr: booleanTerm {OR booleanTerm}.
func (p *textParser) parseOr() (*Node, *Error) {
	return p.parseChain("or", p.parseAnd)
}

// parseAnd: booleanFactor {AND booleanFactor}.
func (p *textParser) parseAnd() (*Node, *Error) {
	return p.parseChain("and", p.parseNot)
}

func (p *textParser) parseChain(op string, operand func() (*Node, *Error)) (*Node, *Error) {
	pos := p.peek().pos
	first, err := operand()
	if err != nil {
		return nil, err
	}
	args := []*Node{first}
	for p.acceptKeyword(op) {
		n, err := operand()
		if err != nil {
			return nil, err
		}
		args = append(args, n)
	}
	if len(args) == 1 {
		return first, nil
	}
	return &Node{Op: op, Args: args, Pos: pos}, nil
}

// parseNot: [NOT] booleanPrimary.
func (p *textParser) parseNot() (*Node, *Error) {
	t := p.peek()
	if !isKeyword(t, "not") {
		return p.parsePrimary()
	}
	p.next()
	if err := p.enter(t.pos); err != nil {
		return nil, err
	}
	defer p.leave()
	n, err := p.parseNot()
	if err != nil {
		return nil, err
	}
	return &Node{Op: "not", Args: []*Node{n}, Pos: t.pos}, nil
}

// parsePrimary: "(" booleanExpression ")" | predicate | booleanLiteral. A
// parenthesis may also open an arithmetic operand, "(a - 1) > b": the boolean
// reading is tried first, then the predicate reading.
func (p *textParser) parsePrimary() (*Node, *Error) {
	t := p.peek()
	if err := p.enter(t.pos); err != nil {
		return nil, err
	}
	defer p.leave()
	if !isSymbol(t, "(") {
		return p.parsePredicate()
	}
	start := p.i
	p.next()
	n, boolErr := p.parseOr()
	if boolErr == nil {
		if boolErr = p.expectSymbol(")"); boolErr == nil && !p.continuesPredicate() {
			return n, nil
		}
	}
	p.i = start
	n, predErr := p.parsePredicate()
	if predErr == nil {
		return n, nil
	}
	if boolErr != nil && boolErr.Offset > predErr.Offset {
		return nil, boolErr
	}
	return nil, predErr
}

// continuesPredicate reports whether the next token goes on with a comparison,
// which means a parenthesized group was an operand, not a whole condition.
func (p *textParser) continuesPredicate() bool {
	t := p.peek()
	if t.kind == tokSymbol {
		return t.text != ")" && t.text != ","
	}
	for _, kw := range []string{"like", "between", "in", "is", "div"} {
		if isKeyword(t, kw) {
			return true
		}
	}
	return isKeyword(t, "not") && (isKeyword(p.peekAt(1), "like") || isKeyword(p.peekAt(1), "between") || isKeyword(p.peekAt(1), "in"))
}

// parsePredicate: a comparison, LIKE, BETWEEN, IN or IS NULL predicate, a
// spatial, temporal or array function, a function call or a boolean literal.
func (p *textParser) parsePredicate() (*Node, *Error) {
	t := p.peek()
	if t.kind == tokIdent && isSymbol(p.peekAt(1), "(") {
		op := strings.ToLower(t.text)
		if spatialOps[op] || temporalOps[op] || arrayOps[op] {
			return p.parseBinaryFunction(op)
		}
	}
	lhs, err := p.parseArith()
	if err != nil {
		return nil, err
	}
	t = p.peek()
	if t.kind == tokSymbol && comparisonOps[t.text] {
		p.next()
		rhs, err := p.parseArith()
		if err != nil {
			return nil, err
		}
		return &Node{Op: t.text, Args: []*Node{lhs, rhs}, Pos: lhs.Pos}, nil
	}
	if isKeyword(t, "is") {
		p.next()
		not := p.acceptKeyword("not")
		if u := p.next(); !isKeyword(u, "null") {
			return nil, p.errorf(u.pos, "expected NULL after IS, found %s", describe(u))
		}
		n := &Node{Op: "isNull", Args: []*Node{lhs}, Pos: lhs.Pos}
		if not {
			n = &Node{Op: "not", Args: []*Node{n}, Pos: lhs.Pos}
		}
		return n, nil
	}
	not := false
	if isKeyword(t, "not") {
		u := p.peekAt(1)
		if isKeyword(u, "like") || isKeyword(u, "between") || isKeyword(u, "in") {
			p.next()
			not = true
			t = u
		}
	}
	var n *Node
	switch {
	case isKeyword(t, "like"):
		p.next()
		pat, err := p.parseArith()
		if err != nil {
			return nil, err
		}
		n = &Node{Op: "like", Args: []*Node{lhs, pat}, Pos: lhs.Pos}
	case isKeyword(t, "between"):
		p.next()
		lo, err := p.parseArith()
		if err != nil {
			return nil, err
		}
		if u := p.next(); !isKeyword(u, "and") {
			return nil, p.errorf(u.pos, "expected AND in BETWEEN, found %s", describe(u))
		}
		hi, err := p.parseArith()
		if err != nil {
			return nil, err
		}
		n = &Node{Op: "between", Args: []*Node{lhs, lo, hi}, Pos: lhs.Pos}
	case isKeyword(t, "in"):
		p.next()
		items, err := p.parseList(t)
		if err != nil {
			return nil, err
		}
		n = &Node{Op: "in", Args: append([]*Node{lhs}, items...), Pos: lhs.Pos}
	default:
		if lhs.Op == OpFunction || lhs.Op == OpProperty || lhs.Op == OpLiteral && isBool(lhs.Value) {
			return lhs, nil // a boolean literal or property, or a function that answers true or false
		}
		return nil, p.errorf(t.pos, "expected a comparison (=, <>, <, >, <=, >=, LIKE, BETWEEN, IN or IS NULL), found %s", describe(t))
	}
	if not {
		n = &Node{Op: "not", Args: []*Node{n}, Pos: n.Pos}
	}
	return n, nil
}

func isBool(v any) bool {
	_, ok := v.(bool)
	return ok
}

// parseList reads "(" item {"," item} ")" after IN.
func (p *textParser) parseList(in token) ([]*Node, *Error) {
	if err := p.expectSymbol("("); err != nil {
		return nil, err
	}
	var items []*Node
	for {
		n, err := p.parseArith()
		if err != nil {
			return nil, err
		}
		items = append(items, n)
		t := p.next()
		if isSymbol(t, ")") {
			return items, nil
		}
		if !isSymbol(t, ",") {
			return nil, p.errorf(t.pos, "expected \",\" or \")\" in the IN list that starts at character %d, found %s",
				textError(p.src, in.pos, "").Column, describe(t))
		}
	}
}

// parseBinaryFunction reads S_*, T_* and A_* functions: name "(" a "," b ")".
func (p *textParser) parseBinaryFunction(op string) (*Node, *Error) {
	t := p.next()
	p.next() // (
	a, err := p.parseArith()
	if err != nil {
		return nil, err
	}
	if err := p.expectSymbol(","); err != nil {
		return nil, err
	}
	b, err := p.parseArith()
	if err != nil {
		return nil, err
	}
	if err := p.expectSymbol(")"); err != nil {
		return nil, err
	}
	return &Node{Op: op, Args: []*Node{a, b}, Pos: t.pos}, nil
}

// parseArith: term {("+" | "-") term}.
func (p *textParser) parseArith() (*Node, *Error) {
	t := p.peek()
	if err := p.enter(t.pos); err != nil {
		return nil, err
	}
	defer p.leave()
	n, err := p.parseTerm()
	if err != nil {
		return nil, err
	}
	for {
		t := p.peek()
		if !isSymbol(t, "+") && !isSymbol(t, "-") {
			return n, nil
		}
		p.next()
		m, err := p.parseTerm()
		if err != nil {
			return nil, err
		}
		n = &Node{Op: t.text, Args: []*Node{n, m}, Pos: n.Pos}
	}
}

// parseTerm: power {("*" | "/" | "%" | DIV) power}.
func (p *textParser) parseTerm() (*Node, *Error) {
	n, err := p.parsePower()
	if err != nil {
		return nil, err
	}
	for {
		t := p.peek()
		op := ""
		switch {
		case isSymbol(t, "*") || isSymbol(t, "/") || isSymbol(t, "%"):
			op = t.text
		case isKeyword(t, "div"):
			op = "div"
		default:
			return n, nil
		}
		p.next()
		m, err := p.parsePower()
		if err != nil {
			return nil, err
		}
		n = &Node{Op: op, Args: []*Node{n, m}, Pos: n.Pos}
	}
}

// parsePower: unary ["^" power].
func (p *textParser) parsePower() (*Node, *Error) {
	n, err := p.parseUnary()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); isSymbol(t, "^") {
		p.next()
		if err := p.enter(t.pos); err != nil {
			return nil, err
		}
		defer p.leave()
		m, err := p.parsePower()
		if err != nil {
			return nil, err
		}
		n = &Node{Op: "^", Args: []*Node{n, m}, Pos: n.Pos}
	}
	return n, nil
}

// parseUnary: ["-" | "+"] factor. A minus before a number makes a negative
// number; before anything else it multiplies by -1, as CQL2 JSON writes it.
func (p *textParser) parseUnary() (*Node, *Error) {
	t := p.peek()
	if !isSymbol(t, "-") && !isSymbol(t, "+") {
		return p.parseFactor()
	}
	p.next()
	if err := p.enter(t.pos); err != nil {
		return nil, err
	}
	defer p.leave()
	n, err := p.parseUnary()
	if err != nil {
		return nil, err
	}
	if t.text == "+" {
		return n, nil
	}
	if n.Op == OpLiteral {
		switch v := n.Value.(type) {
		case int64:
			if v != math.MinInt64 {
				return lit(-v, t.pos), nil
			}
		case float64:
			return lit(-v, t.pos), nil
		}
	}
	return &Node{Op: "*", Args: []*Node{lit(int64(-1), t.pos), n}, Pos: t.pos}, nil
}

// parseFactor: a literal, a property, a function, a parenthesized expression or
// a parenthesized list (an array).
func (p *textParser) parseFactor() (*Node, *Error) {
	t := p.next()
	switch t.kind {
	case tokNumber:
		return p.number(t)
	case tokString:
		return lit(t.text, t.pos), nil
	case tokQuoted:
		return &Node{Op: OpProperty, Name: t.text, Pos: t.pos}, nil
	case tokSymbol:
		if t.text == "(" {
			return p.parseGroup(t)
		}
		return nil, p.errorf(t.pos, "expected a value, found %s", describe(t))
	case tokIdent:
		return p.parseWord(t)
	}
	return nil, p.errorf(t.pos, "expected a value, found %s", describe(t))
}

func (p *textParser) number(t token) (*Node, *Error) {
	if !strings.ContainsAny(t.text, ".eE") {
		if v, err := strconv.ParseInt(t.text, 10, 64); err == nil {
			return lit(v, t.pos), nil
		}
	}
	v, err := strconv.ParseFloat(t.text, 64)
	if err != nil || math.IsInf(v, 0) {
		return nil, p.errorf(t.pos, "number %s is out of range", t.text)
	}
	return lit(v, t.pos), nil
}

// parseGroup reads what follows "(": an expression and ")", or a list of
// values separated by commas (an array, as A_* functions take).
func (p *textParser) parseGroup(open token) (*Node, *Error) {
	if isSymbol(p.peek(), ")") {
		p.next()
		return &Node{Op: OpArray, Pos: open.pos}, nil
	}
	n, err := p.parseArith()
	if err != nil {
		return nil, err
	}
	if !isSymbol(p.peek(), ",") {
		if err := p.expectSymbol(")"); err != nil {
			return nil, err
		}
		return n, nil
	}
	arr := &Node{Op: OpArray, Args: []*Node{n}, Pos: open.pos}
	for p.acceptSymbol(",") {
		m, err := p.parseArith()
		if err != nil {
			return nil, err
		}
		arr.Args = append(arr.Args, m)
	}
	if err := p.expectSymbol(")"); err != nil {
		return nil, err
	}
	return arr, nil
}

func (p *textParser) acceptSymbol(s string) bool {
	if isSymbol(p.peek(), s) {
		p.next()
		return true
	}
	return false
}

// parseWord reads what an unquoted word starts: a keyword literal, a function
// or geometry literal, or a property name.
func (p *textParser) parseWord(t token) (*Node, *Error) {
	word := strings.ToLower(t.text)
	switch word {
	case "true", "false":
		return lit(word == "true", t.pos), nil
	case "null":
		return nil, p.errorf(t.pos, "NULL is not a value in CQL2; use IS NULL or IS NOT NULL")
	case "and", "or", "not", "like", "between", "in", "is", "div":
		return nil, p.errorf(t.pos, "expected a value, found the keyword %s (quote a property of that name: \"%s\")", strings.ToUpper(word), t.text)
	}
	if wktTypes[word] {
		if isSymbol(p.peek(), "(") || isKeyword(p.peek(), "z") && isSymbol(p.peekAt(1), "(") {
			g, err := p.parseWKT(t)
			if err != nil {
				return nil, err
			}
			return &Node{Op: OpGeometry, Value: g, Pos: t.pos}, nil
		}
		if isKeyword(p.peek(), "empty") {
			return nil, p.errorf(p.peek().pos, "empty geometries are not supported")
		}
	}
	if !isSymbol(p.peek(), "(") {
		return &Node{Op: OpProperty, Name: t.text, Pos: t.pos}, nil
	}
	switch word {
	case "casei", "accenti":
		return p.parseCall(t, word, 1)
	case "date", "timestamp":
		return p.parseInstant(t, word)
	case "interval":
		return p.parseInterval(t)
	case "bbox":
		return p.parseBBox(t)
	}
	if spatialOps[word] || temporalOps[word] || arrayOps[word] {
		return p.parseBinaryFunction(word)
	}
	n, err := p.parseCall(t, OpFunction, -1)
	if err != nil {
		return nil, err
	}
	n.Name = t.text
	return n, nil
}

// parseCall reads "(" args ")" of a function; want is the argument count, -1 any.
func (p *textParser) parseCall(t token, op string, want int) (*Node, *Error) {
	p.next() // (
	n := &Node{Op: op, Pos: t.pos}
	if !isSymbol(p.peek(), ")") {
		for {
			a, err := p.parseArith()
			if err != nil {
				return nil, err
			}
			n.Args = append(n.Args, a)
			if !p.acceptSymbol(",") {
				break
			}
		}
	}
	if err := p.expectSymbol(")"); err != nil {
		return nil, err
	}
	if want >= 0 && len(n.Args) != want {
		return nil, p.errorf(t.pos, "%s takes %d argument, not %d", strings.ToUpper(op), want, len(n.Args))
	}
	return n, nil
}

// parseInstant reads DATE('YYYY-MM-DD') or TIMESTAMP('YYYY-MM-DDTHH:MM:SSZ').
func (p *textParser) parseInstant(t token, word string) (*Node, *Error) {
	p.next() // (
	s := p.next()
	if s.kind != tokString {
		return nil, p.errorf(s.pos, "%s takes a quoted string, found %s", strings.ToUpper(word), describe(s))
	}
	if err := p.expectSymbol(")"); err != nil {
		return nil, err
	}
	v, err := parseInstant(word, s.text)
	if err != nil {
		return nil, p.errorf(s.pos, "%s", err)
	}
	op := OpDate
	if word == "timestamp" {
		op = OpTime
	}
	return &Node{Op: op, Value: v, Pos: t.pos}, nil
}

// parseInterval reads INTERVAL(start, end); each end is a date or timestamp
// string, '..' for an open end, a property or a function.
func (p *textParser) parseInterval(t token) (*Node, *Error) {
	n, err := p.parseCall(t, OpInterval, 2)
	if err != nil {
		return nil, err
	}
	for _, end := range n.Args {
		if err := intervalEnd(end); err != nil {
			return nil, p.errorf(end.Pos, "%s", err)
		}
	}
	return n, nil
}

// parseBBox reads BBOX(minx, miny, maxx, maxy) or its six-number 3D form.
func (p *textParser) parseBBox(t token) (*Node, *Error) {
	p.next() // (
	var nums []float64
	for {
		v, err := p.signedNumber()
		if err != nil {
			return nil, err
		}
		nums = append(nums, v)
		if !p.acceptSymbol(",") {
			break
		}
	}
	if err := p.expectSymbol(")"); err != nil {
		return nil, err
	}
	if len(nums) != 4 && len(nums) != 6 {
		return nil, p.errorf(t.pos, "BBOX takes 4 or 6 numbers, not %d", len(nums))
	}
	return &Node{Op: OpBBox, Value: nums, Pos: t.pos}, nil
}

// signedNumber reads a number with an optional sign, as coordinates are written.
func (p *textParser) signedNumber() (float64, *Error) {
	neg := false
	if isSymbol(p.peek(), "-") || isSymbol(p.peek(), "+") {
		neg = p.next().text == "-"
	}
	t := p.next()
	if t.kind != tokNumber {
		return 0, p.errorf(t.pos, "expected a number, found %s", describe(t))
	}
	v, err := strconv.ParseFloat(t.text, 64)
	if err != nil || math.IsInf(v, 0) {
		return 0, p.errorf(t.pos, "number %s is out of range", t.text)
	}
	if neg {
		v = -v
	}
	return v, nil
}
