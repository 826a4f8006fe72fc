// Package query parses the advanced search query language (api.md section 15) into an AST:
//
//	[select …] [from …] [where …] [order_by …] [offset N] [max_results N]
//
// The grammar is built with participle (grammar.go); convert.go checks and types what it
// captured. Every error is an *Error with the 1-based character position of the problem. The
// package imports nothing of this project.
package query

import (
	"fmt"
	"time"
)

// FieldType is the type prefix of a field.
type FieldType string

// The field types. "float" and "double" are accepted as synonyms of decimal; the prefix is
// optional, default text.
const (
	Text     FieldType = "text"
	Integer  FieldType = "integer"
	Decimal  FieldType = "decimal"
	DateTime FieldType = "datetime"
)

// Query is a whole query.
type Query struct {
	Select     []Selected // nil without select
	From       []string   // nil: every searchable type
	Where      *Expr      // nil without where
	OrderBy    *Order     // nil without order_by
	Offset     *int       // nil without offset
	MaxResults *int       // nil without max_results
}

// Selected is a field of select. Alias is "" when none.
type Selected struct {
	Type         FieldType
	Field, Alias string
}

// Order is the order_by clause.
type Order struct {
	Type  FieldType
	Field string
	Desc  bool
}

// Expr is a tree: a leaf holds Cond; "and"/"or" nodes hold two or more Children (flattened: a and
// b and c is one node with 3 children, and so is (a and b) and c). Parentheses only group.
type Expr struct {
	Op       string // "and", "or", or "" for a leaf
	Children []*Expr
	Cond     *Condition
}

// Condition is one `[type] field operator value`.
type Condition struct {
	Type     FieldType
	Field    string  // e.g. "name", "all_text", "timesContacted"
	Operator string  // one of: "~", "!~", "like", "notlike", "=", "!=", ">", "<", ">=", "<=", "in", "!in"
	Values   []Value // one value; several for in / !in
	Pos      int     // 1-based character position of the condition in the input
}

// Value is typed according to the condition's type: Text for text; Int for integer; Dec (the
// decimal literal as written, e.g. "12.50") for decimal; Time (UTC) for datetime.
type Value struct {
	Text string
	Int  int64
	Dec  string
	Time time.Time
	Pos  int // 1-based character position of the value in the input
}

// Error is a malformed or invalid query: Pos is the 1-based character position, Expected says
// what was expected there, Found what was found ("end of input" at the end).
type Error struct {
	Pos             int
	Expected, Found string
}

func (e *Error) Error() string {
	return fmt.Sprintf("Malformed query at position %d: expected %s, found %s.", e.Pos, e.Expected, e.Found)
}

// Limits of a query.
const (
	MaxLength     = 4000    // bytes of the whole input
	MaxDepth      = 32      // nested parentheses in a condition
	MaxConditions = 100     // conditions in where
	MaxValues     = 1000    // values of one in / !in
	MaxSelect     = 50      // fields of select
	MaxFrom       = 50      // types of from
	MaxOffset     = 1000000 // offset
	MaxMaxResults = 1000    // max_results (at least 1)
)

// Parse parses a whole query: [select …] [from …] [where …] [order_by …] [offset N]
// [max_results N], clauses in that order, each at most once. An empty query is valid (all
// fields nil).
func Parse(s string) (*Query, error) {
	if err := checkInput(s); err != nil {
		return nil, err
	}
	g, err := queryParser.ParseString("", s)
	if err != nil {
		return nil, convertError(s, err, func() string { return trailingQuery(g) })
	}
	c := converter{input: s}
	return c.query(g)
}

// ParseCondition parses only a where-condition (what follows `where`), for the JSON:API
// filter[searchQuery].
func ParseCondition(s string) (*Expr, error) {
	if err := checkInput(s); err != nil {
		return nil, err
	}
	g, err := conditionParser.ParseString("", s)
	if err != nil {
		return nil, convertError(s, err, func() string { return `"and", "or" or end of input` })
	}
	c := converter{input: s}
	return c.or(g.Where, 0)
}
