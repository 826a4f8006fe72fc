package query

import (
	"strconv"
	"strings"
	"time"
)

// String is the canonical form of q, which Parse reads back to the same query (positions
// aside): every list in parentheses, every field with its type prefix (`text.name`), text and
// datetime values quoted, and parentheses only where an "or" is inside an "and".
func (q *Query) String() string {
	var parts []string
	if q.Select != nil {
		items := make([]string, len(q.Select))
		for i, s := range q.Select {
			items[i] = string(s.Type) + "." + s.Field
			if s.Alias != "" {
				items[i] += " as " + s.Alias
			}
		}
		parts = append(parts, "select ("+strings.Join(items, ", ")+")")
	}
	if q.From != nil {
		parts = append(parts, "from ("+strings.Join(q.From, ", ")+")")
	}
	if q.Where != nil {
		parts = append(parts, "where "+q.Where.String())
	}
	if q.OrderBy != nil {
		dir := "asc"
		if q.OrderBy.Desc {
			dir = "desc"
		}
		parts = append(parts, "order_by "+string(q.OrderBy.Type)+"."+q.OrderBy.Field+" "+dir)
	}
	if q.Offset != nil {
		parts = append(parts, "offset "+strconv.Itoa(*q.Offset))
	}
	if q.MaxResults != nil {
		parts = append(parts, "max_results "+strconv.Itoa(*q.MaxResults))
	}
	return strings.Join(parts, " ")
}

// String is the canonical form of a condition, which ParseCondition reads back.
func (e *Expr) String() string {
	if e.Cond != nil {
		return e.Cond.String()
	}
	parts := make([]string, len(e.Children))
	for i, c := range e.Children {
		parts[i] = c.String()
		if c.Op != "" && c.Op != e.Op && e.Op == "and" {
			parts[i] = "(" + parts[i] + ")"
		}
	}
	return strings.Join(parts, " "+e.Op+" ")
}

// String is the canonical form of one condition.
func (c *Condition) String() string {
	values := make([]string, len(c.Values))
	for i, v := range c.Values {
		values[i] = v.format(c.Type)
	}
	s := string(c.Type) + "." + c.Field + " " + c.Operator + " "
	if c.Operator == "in" || c.Operator == "!in" {
		return s + "(" + strings.Join(values, ", ") + ")"
	}
	return s + strings.Join(values, ", ")
}

// format writes v as a value of type t.
func (v Value) format(t FieldType) string {
	switch t {
	case Integer:
		return strconv.FormatInt(v.Int, 10)
	case Decimal:
		return v.Dec
	case DateTime:
		return `"` + v.Time.UTC().Format(time.RFC3339Nano) + `"`
	}
	return quoteText(v.Text)
}

// quoteText quotes s with the language's two escapes, \" and \\.
func quoteText(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('"')
	return b.String()
}
