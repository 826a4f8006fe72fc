package query

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/alecthomas/participle/v2/lexer"
)

var (
	identifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	integerRE  = regexp.MustCompile(`^-?[0-9]+$`)
	decimalRE  = regexp.MustCompile(`^-?[0-9]{1,15}(\.[0-9]{1,4})?$`)
	wholeRE    = regexp.MustCompile(`^[0-9]+$`)
)

// typeNames maps the type names (lower case) to their types.
var typeNames = map[string]FieldType{
	"text": Text, "integer": Integer, "decimal": Decimal, "float": Decimal, "double": Decimal, "datetime": DateTime,
}

// operators are those of each type, and what an error says when another is used.
var operators = map[FieldType]struct {
	ops      []string
	expected string
}{
	Text:     {[]string{"~", "!~", "like", "notlike", "=", "!="}, "an operator for a text field (~, !~, like, notlike, =, !=)"},
	Integer:  {[]string{"=", "!=", ">", "<", ">=", "<=", "in", "!in"}, "an operator for an integer field (=, !=, >, <, >=, <=, in, !in)"},
	Decimal:  {[]string{"=", "!=", ">", "<", ">=", "<=", "in", "!in"}, "an operator for a decimal field (=, !=, >, <, >=, <=, in, !in)"},
	DateTime: {[]string{"=", "!=", ">", "<", ">=", "<=", "in", "!in"}, "an operator for a datetime field (=, !=, >, <, >=, <=, in, !in)"},
}

// dateTimeLayouts are the accepted forms of a datetime value (UTC unless it says otherwise).
var dateTimeLayouts = []string{"2006-01-02 15:04:05", "2006-01-02", time.RFC3339Nano, "2006-01-02T15:04:05"}

// converter checks and types the captured grammar.
type converter struct {
	input      string
	conditions int
}

func (c *converter) pos(p lexer.Position) int { return charPos(c.input, p.Offset) }

func (c *converter) errAt(p lexer.Position, expected, found string) *Error {
	return &Error{Pos: c.pos(p), Expected: expected, Found: found}
}

func (c *converter) query(g *gQuery) (*Query, error) {
	q := &Query{}
	if g.Select != nil {
		q.Select = make([]Selected, 0, len(g.Select.Items))
		for i, it := range g.Select.Items {
			if i == MaxSelect {
				return nil, c.errAt(it.Pos, "at most "+strconv.Itoa(MaxSelect)+" fields in select", quoteFound(it.Field.Value))
			}
			t, f, err := c.field(it.Type, it.Field.Pos, it.Field.Value)
			if err != nil {
				return nil, err
			}
			s := Selected{Type: t, Field: f}
			if it.Alias != nil {
				if !identifier.MatchString(it.Alias.Value) {
					return nil, c.errAt(it.Alias.Pos, "an alias (letters, digits and _)", quoteFound(it.Alias.Value))
				}
				s.Alias = it.Alias.Value
			}
			q.Select = append(q.Select, s)
		}
	}
	if g.From != nil {
		q.From = make([]string, 0, len(g.From.Types))
		for i, t := range g.From.Types {
			if i == MaxFrom {
				return nil, c.errAt(t.Pos, "at most "+strconv.Itoa(MaxFrom)+" types in from", quoteFound(t.Value))
			}
			if !identifier.MatchString(t.Value) {
				return nil, c.errAt(t.Pos, "a type name (letters, digits and _)", quoteFound(t.Value))
			}
			q.From = append(q.From, t.Value)
		}
	}
	if g.Where != nil {
		e, err := c.or(g.Where, 0)
		if err != nil {
			return nil, err
		}
		q.Where = e
	}
	if g.Order != nil {
		t, f, err := c.field(g.Order.Type, g.Order.Field.Pos, g.Order.Field.Value)
		if err != nil {
			return nil, err
		}
		q.OrderBy = &Order{Type: t, Field: f, Desc: g.Order.Dir != nil && strings.EqualFold(*g.Order.Dir, "desc")}
	}
	if g.Offset != nil {
		n, ok := whole(g.Offset.Value, 0, MaxOffset)
		if !ok {
			return nil, c.errAt(g.Offset.Pos, "a whole number from 0 to "+strconv.Itoa(MaxOffset), quoteFound(g.Offset.Value))
		}
		q.Offset = &n
	}
	if g.Max != nil {
		n, ok := whole(g.Max.Value, 1, MaxMaxResults)
		if !ok {
			return nil, c.errAt(g.Max.Pos, "a whole number from 1 to "+strconv.Itoa(MaxMaxResults), quoteFound(g.Max.Value))
		}
		q.MaxResults = &n
	}
	return q, nil
}

// whole parses s as a whole number in [lo, hi].
func whole(s string, lo, hi int) (int, bool) {
	if !wholeRE.MatchString(s) || len(s) > 10 {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, false
	}
	return n, true
}

// field types and checks a field written as `[type] field` or `type.field`.
func (c *converter) field(prefix *gTypePrefix, pos lexer.Position, word string) (FieldType, string, error) {
	t := Text
	if prefix != nil {
		tt, ok := typeNames[strings.ToLower(prefix.Value)]
		if !ok { // the grammar only takes a prefix that is a type name
			return "", "", c.errAt(prefix.Pos, "a type (text, integer, decimal, datetime)", quoteFound(prefix.Value))
		}
		t = tt
	}
	field := word
	if before, after, ok := strings.Cut(word, "."); ok && prefix == nil {
		tt, ok := typeNames[strings.ToLower(before)]
		if !ok {
			return "", "", c.errAt(pos, "a field name, or a type (text, integer, decimal, datetime) and a field name", quoteFound(word))
		}
		t, field = tt, after
	}
	if !identifier.MatchString(field) {
		return "", "", c.errAt(pos, "a field name (letters, digits and _)", quoteFound(word))
	}
	return t, field, nil
}

func (c *converter) or(g *gOr, depth int) (*Expr, error) {
	if len(g.And) == 1 {
		return c.and(g.And[0], depth)
	}
	e := &Expr{Op: "or"}
	for _, a := range g.And {
		child, err := c.and(a, depth)
		if err != nil {
			return nil, err
		}
		e.add(child)
	}
	return e, nil
}

func (c *converter) and(g *gAnd, depth int) (*Expr, error) {
	if len(g.Terms) == 1 {
		return c.term(g.Terms[0], depth)
	}
	e := &Expr{Op: "and"}
	for _, t := range g.Terms {
		child, err := c.term(t, depth)
		if err != nil {
			return nil, err
		}
		e.add(child)
	}
	return e, nil
}

// add appends child to e, flattening a child of the same operator.
func (e *Expr) add(child *Expr) {
	if child.Op == e.Op {
		e.Children = append(e.Children, child.Children...)
		return
	}
	e.Children = append(e.Children, child)
}

func (c *converter) term(g *gTerm, depth int) (*Expr, error) {
	if g.Group != nil {
		if depth == MaxDepth {
			return nil, c.errAt(g.Pos, "at most "+strconv.Itoa(MaxDepth)+" nested parentheses", `"("`)
		}
		return c.or(g.Group, depth+1)
	}
	cond, err := c.condition(g.Cond)
	if err != nil {
		return nil, err
	}
	return &Expr{Cond: cond}, nil
}

func (c *converter) condition(g *gCond) (*Condition, error) {
	c.conditions++
	if c.conditions > MaxConditions {
		return nil, c.errAt(g.Pos, "at most "+strconv.Itoa(MaxConditions)+" conditions", "condition "+strconv.Itoa(c.conditions))
	}
	t, f, err := c.field(g.Type, g.Field.Pos, g.Field.Value)
	if err != nil {
		return nil, err
	}
	cond := &Condition{Type: t, Field: f, Operator: strings.ToLower(g.Operator.Value), Pos: c.pos(g.Pos)}
	ops := operators[t]
	valid := false
	for _, op := range ops.ops {
		valid = valid || op == cond.Operator
	}
	if !valid {
		return nil, c.errAt(g.Operator.Pos, ops.expected, quoteFound(g.Operator.Value))
	}
	list := cond.Operator == "in" || cond.Operator == "!in"
	switch {
	case list && g.List == nil:
		return nil, c.errAt(g.Value.Pos, `a list of values in parentheses, such as (1, 2)`, foundValue(g.Value))
	case !list && g.List != nil:
		return nil, c.errAt(g.List.Pos, "one value (a list is for in and !in)", `"("`)
	case list && len(g.List.Values) > MaxValues:
		v := g.List.Values[MaxValues]
		return nil, c.errAt(v.Pos, "at most "+strconv.Itoa(MaxValues)+" values in a list", "value "+strconv.Itoa(MaxValues+1))
	}
	values := []*gValue{g.Value}
	if list {
		values = g.List.Values
	}
	cond.Values = make([]Value, 0, len(values))
	for _, gv := range values {
		v, err := c.value(t, gv)
		if err != nil {
			return nil, err
		}
		cond.Values = append(cond.Values, v)
	}
	return cond, nil
}

// foundValue is how an error shows a value as written.
func foundValue(g *gValue) string {
	if g.String != nil {
		return foundToken(lexer.Token{Type: stringToken, Value: *g.String})
	}
	return quoteFound(*g.Word)
}

func (c *converter) value(t FieldType, g *gValue) (Value, error) {
	v := Value{Pos: c.pos(g.Pos)}
	var s string
	if g.String != nil {
		u, err := c.unquote(g)
		if err != nil {
			return v, err
		}
		s = u
	} else {
		s = *g.Word
	}
	switch t {
	case Integer:
		n, err := strconv.ParseInt(s, 10, 64)
		if !integerRE.MatchString(s) || err != nil {
			return v, c.errAt(g.Pos, "an integer", foundValue(g))
		}
		v.Int = n
	case Decimal:
		if !decimalRE.MatchString(s) {
			return v, c.errAt(g.Pos, "a decimal number (at most 15 digits before the point and 4 after)", foundValue(g))
		}
		v.Dec = s
	case DateTime:
		tm, ok := parseDateTime(s)
		if !ok {
			return v, c.errAt(g.Pos, `a date and time such as "2013-01-01 00:00:00" (years 0001 to 9999)`, foundValue(g))
		}
		v.Time = tm
	default:
		v.Text = s
	}
	return v, nil
}

// unquote reads a quoted string: \" and \\ are its only escapes.
func (c *converter) unquote(g *gValue) (string, error) {
	raw := *g.String
	body := raw[1 : len(raw)-1]
	if !strings.Contains(body, `\`) {
		return body, nil
	}
	var b strings.Builder
	for i := 0; i < len(body); i++ {
		ch := body[i]
		if ch != '\\' {
			b.WriteByte(ch)
			continue
		}
		// the lexer pairs every backslash with the character after it
		next, size := decodeRune(body[i+1:])
		if next != '"' && next != '\\' {
			p := g.Pos
			p.Offset += 1 + i
			return "", c.errAt(p, `\" or \\ (the only escapes)`, quoteFound(`\`+body[i+1:i+1+size]))
		}
		b.WriteByte(byte(next))
		i += size
	}
	return b.String(), nil
}

// parseDateTime reads a datetime value in one of dateTimeLayouts, in years 0001 to 9999.
func parseDateTime(s string) (time.Time, bool) {
	for _, layout := range dateTimeLayouts {
		t, err := time.Parse(layout, s)
		if err != nil {
			continue
		}
		t = t.UTC()
		if t.Year() < 1 || t.Year() > 9999 {
			return time.Time{}, false
		}
		return t, true
	}
	return time.Time{}, false
}
