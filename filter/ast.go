package filter

// Node is one node of a parsed filter; CQL2 text and CQL2 JSON give the same
// tree. Op names follow CQL2 JSON: "and", "=", "like", "s_intersects", "+",
// "casei", …, plus the leaf kinds below.
type Node struct {
	Op   string
	Args []*Node
	Name string // OpProperty: the property; OpFunction: the function
	// Value is the value of a leaf: bool, int64, float64 or string for
	// OpLiteral; time.Time (UTC) for OpDate and OpTime; orb.Geometry for
	// OpGeometry; []float64 (4 or 6 numbers) for OpBBox.
	Value any
	Pos   int    // CQL2 text: byte offset where the node starts
	Path  string // CQL2 JSON: JSON pointer of the node
}

// The leaf and structural kinds of Node.Op besides the CQL2 operators.
const (
	OpLiteral  = "literal"  // Value: bool, int64, float64 or string
	OpProperty = "property" // Name
	OpDate     = "date"     // Value: time.Time, midnight UTC
	OpTime     = "timestamp"
	OpInterval = "interval" // Args: start and end; a literal ".." is open
	OpGeometry = "geometry" // Value: orb.Geometry
	OpBBox     = "bbox"     // Value: []float64
	OpArray    = "array"    // Args: the elements
	OpFunction = "function" // Name, Args: a function CQL2 does not define
)

// The CQL2 operators, by family.
var (
	logicalOps    = map[string]bool{"and": true, "or": true, "not": true}
	comparisonOps = map[string]bool{"=": true, "<>": true, "<": true, ">": true, "<=": true, ">=": true}
	arithmeticOps = map[string]bool{"+": true, "-": true, "*": true, "/": true, "%": true, "div": true, "^": true}
	spatialOps    = map[string]bool{"s_intersects": true, "s_equals": true, "s_disjoint": true, "s_touches": true,
		"s_within": true, "s_overlaps": true, "s_crosses": true, "s_contains": true}
	temporalOps = map[string]bool{"t_after": true, "t_before": true, "t_contains": true, "t_disjoint": true,
		"t_during": true, "t_equals": true, "t_finishedby": true, "t_finishes": true, "t_intersects": true,
		"t_meets": true, "t_metby": true, "t_overlappedby": true, "t_overlaps": true, "t_startedby": true, "t_starts": true}
	arrayOps = map[string]bool{"a_equals": true, "a_contains": true, "a_containedby": true, "a_overlaps": true}
)

// jsonOpNames are the spellings of CQL2 JSON where they differ from our lower-case op names.
var jsonOpNames = map[string]string{
	"isnull": "isNull", "t_finishedby": "t_finishedBy", "t_metby": "t_metBy", "t_overlappedby": "t_overlappedBy",
	"t_startedby": "t_startedBy", "a_containedby": "a_containedBy",
}

func lit(v any, pos int) *Node { return &Node{Op: OpLiteral, Value: v, Pos: pos} }
