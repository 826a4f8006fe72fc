package jsonapi

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Period is a filter value that is a whole period of time: a partial date-time such as
// "2024-03" in `filter[createdAt]=2024-03` matches From <= x < To.
type Period struct{ From, To time.Time }

// maxFilterValues bounds the values of one filter.
const maxFilterValues = 1000

var boolWords = map[string]bool{"true": true, "1": true, "yes": true, "false": false, "0": false, "no": false}

// parseFilter turns one filter parameter into a condition, checking the filter, the operator
// and every value against the declaration (api.md section 8).
func parseFilter(r *Resource, p Param) ([]Condition, Errors) {
	name := strings.TrimSuffix(strings.TrimPrefix(p.Key, "filter["), "]")
	f := r.Filters[name]
	if f == nil || strings.ContainsAny(name, "[]") {
		return nil, Errors{BadParameter(p.Raw, TitleFilter, fmt.Sprintf("Filter %q is not supported.", "filter["+name+"]"))}
	}
	op := p.Op
	if op == "" {
		op = OpEq
	}
	if !f.allows(op) {
		return nil, Errors{BadParameter(p.Raw, TitleFilter, fmt.Sprintf("The operator %q is not supported.", string(op)))}
	}
	c := Condition{Filter: f, Op: op}
	if op == OpExists || op == OpEmpty {
		b, ok := boolWords[strings.ToLower(p.Value)]
		if !ok {
			return nil, Errors{expected(p.Raw, "boolean", p.Value)}
		}
		c.Values = []any{b}
		return []Condition{c}, nil
	}
	kind, enum, target := f.valueKind(r)
	multi := op == OpEq || op == OpNeq || op == OpNeqOrNull || (f.Rel >= 0 && (op == OpContains || op == OpNotContains))
	lists := multi && ((kind != String && kind != Bool) || enum != nil || f.Rel >= 0 || f.ID)
	ranges := lists && f.Rel < 0 && enum == nil && kind != String
	values := []string{p.Value}
	if lists {
		values = strings.Split(p.Value, ",")
		if len(values) > maxFilterValues {
			// databases bound the number of statement parameters (SQLite 32766, PostgreSQL 65535)
			return nil, Errors{BadParameter(p.Raw, TitleFilter, fmt.Sprintf("A filter accepts at most %d values.", maxFilterValues))}
		}
	}
	for _, v := range values {
		if ranges {
			if from, to, ok := strings.Cut(v, ".."); ok {
				a, err1 := parseFilterValue(kind, enum, target, from, false)
				b, err2 := parseFilterValue(kind, enum, target, to, true)
				if err1 != "" || err2 != "" {
					return nil, Errors{expected(p.Raw, kind.filterName(target), v)}
				}
				if len(values) > 1 {
					return nil, Errors{BadParameter(p.Raw, TitleFilter, "A range cannot be combined with other values.")}
				}
				c.Values, c.Range = []any{a, b}, true
				return []Condition{c}, nil
			}
		}
		val, errKind := parseFilterValue(kind, enum, target, v, false)
		if errKind != "" {
			return nil, Errors{expected(p.Raw, errKind, v)}
		}
		c.Values = append(c.Values, val)
	}
	return []Condition{c}, nil
}

func (f *Filter) allows(op Operator) bool {
	for _, o := range f.Operators {
		if o == op {
			return true
		}
	}
	return false
}

// valueKind is the kind of the filter's values; for associations the related type's id kind.
func (f *Filter) valueKind(r *Resource) (k Kind, enum []string, target *Resource) {
	switch {
	case f.Attr >= 0:
		a := &r.Attrs[f.Attr]
		return a.Kind, a.Enum, nil
	case f.Rel >= 0:
		t := r.targets[f.Rel]
		if t.IntID {
			return Int, nil, t
		}
		return String, nil, t
	case r.IntID:
		return Int, nil, r
	}
	return String, nil, r
}

func (k Kind) filterName(target *Resource) string {
	switch k {
	case Float, Decimal:
		return "decimal"
	case DateTime:
		return "datetime"
	}
	return k.String()
}

// parseFilterValue parses one value; it returns the name of the expected kind when the value
// does not parse. rangeEnd makes a partial date-time the end of its period.
func parseFilterValue(k Kind, enum []string, target *Resource, s string, rangeEnd bool) (any, string) {
	switch k {
	case Int:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, "integer"
		}
		if target != nil {
			return strconv.FormatInt(n, 10), ""
		}
		return n, ""
	case Float:
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return nil, "decimal"
		}
		return f, ""
	case Decimal:
		if !isDecimal(s) {
			return nil, "decimal"
		}
		return s, ""
	case Bool:
		b, ok := boolWords[strings.ToLower(s)]
		if !ok {
			return nil, "boolean"
		}
		return b, ""
	case Date:
		t, err := time.Parse("2006-01-02", s)
		if err != nil {
			return nil, "date"
		}
		return t, ""
	case DateTime:
		p, ok := parsePeriod(s)
		if !ok {
			return nil, "datetime"
		}
		if p.To.IsZero() {
			return p.From, ""
		}
		if rangeEnd {
			return p.To.Add(-time.Microsecond), ""
		}
		return p, ""
	case String:
		if enum != nil {
			for _, e := range enum {
				if e == s {
					return s, ""
				}
			}
			return nil, "one of " + quoteAll(enum)
		}
		return s, ""
	}
	return nil, k.String()
}

// parsePeriod parses a full date-time (any offset; the result is UTC; without fractional seconds
// the second it names), or a partial one — a year, a month, a day, an hour or a minute — as the
// period it names.
func parsePeriod(s string) (Period, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			if !strings.Contains(s, ".") {
				// Date-times are shown with whole seconds, the database keeps microseconds: a
				// value without a fraction is its whole second, so that the value the API shows
				// for a record (a server-set createdAt, say) finds that record with eq, and
				// lte/gt include/exclude it.
				return Period{From: t.UTC(), To: t.UTC().Add(time.Second)}, true
			}
			return Period{From: t.UTC()}, true
		}
	}
	for _, pl := range []struct {
		layout string
		add    func(time.Time) time.Time
	}{
		{"2006", func(t time.Time) time.Time { return t.AddDate(1, 0, 0) }},
		{"2006-01", func(t time.Time) time.Time { return t.AddDate(0, 1, 0) }},
		{"2006-01-02", func(t time.Time) time.Time { return t.AddDate(0, 0, 1) }},
		{"2006-01-02T15", func(t time.Time) time.Time { return t.Add(time.Hour) }},
		{"2006-01-02T15:04", func(t time.Time) time.Time { return t.Add(time.Minute) }},
	} {
		if t, err := time.Parse(pl.layout, s); err == nil {
			return Period{From: t, To: pl.add(t)}, true
		}
	}
	return Period{}, false
}

// isDecimal accepts a plain decimal number: optional minus, digits, optional fraction.
func isDecimal(s string) bool {
	s = strings.TrimPrefix(s, "-")
	whole, frac, hasFrac := strings.Cut(s, ".")
	if whole == "" || (hasFrac && frac == "") {
		return false
	}
	for _, part := range []string{whole, frac} {
		for i := 0; i < len(part); i++ {
			if part[i] < '0' || part[i] > '9' {
				return false
			}
		}
	}
	return true
}

// quoteAll lists values as "a", "b".
func quoteAll(values []string) string {
	q := make([]string, len(values))
	for i, v := range values {
		q[i] = strconv.Quote(v)
	}
	return strings.Join(q, ", ")
}
