package jsonapi

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Period is a filter value that is a whole period of time: a partial date-time such as
// "2024-03" in `filter[createdAt]=2024-03` matches From <= x < To. A zero To is an open end: the
// period runs past the last storable instant (`filter[createdAt]=9999`), and databases cannot
// compare with a bound in year 10000 (SQLite stores date-times as fixed-width text).
type Period struct{ From, To time.Time }

var boolWords = map[string]bool{"true": true, "1": true, "yes": true, "false": false, "0": false, "no": false}

// parseFilter turns one filter parameter into a condition, checking the filter, the operator
// and every value against the declaration (api.md section 8). room is how many more values the
// field may have (max across its repeated parameters); n is how many this parameter has.
func parseFilter(r *Resource, p Param, room, max int) (conds []Condition, n int, errs Errors) {
	name := strings.TrimSuffix(strings.TrimPrefix(p.Key, "filter["), "]")
	f := r.Filters[name]
	if f == nil || strings.ContainsAny(name, "[]") {
		return nil, 0, Errors{BadParameter(p.Raw, TitleFilter, fmt.Sprintf("Filter %q is not supported.", "filter["+name+"]"))}
	}
	op := p.Op
	if op == "" {
		op = OpEq
	}
	if !f.allows(op) {
		return nil, 0, Errors{BadParameter(p.Raw, TitleFilter, fmt.Sprintf("The operator %q is not supported.", string(op)))}
	}
	c := Condition{Filter: f, Op: op}
	if op == OpExists || op == OpEmpty {
		b, ok := boolWords[strings.ToLower(p.Value)]
		if !ok {
			return nil, 1, Errors{expected(p.Raw, "boolean", p.Value)}
		}
		c.Values = []any{b}
		return []Condition{c}, 1, nil
	}
	kind, enum, target := f.valueKind(r)
	multi := op == OpEq || op == OpNeq || op == OpNeqOrNull || (f.Rel >= 0 && (op == OpContains || op == OpNotContains))
	lists := multi && ((kind != String && kind != Bool) || enum != nil || f.Rel >= 0 || f.ID)
	ranges := lists && f.Rel < 0 && enum == nil && kind != String
	values := []string{p.Value}
	if lists {
		values = strings.Split(p.Value, ",")
	}
	if len(values) > room {
		// databases bound the number of statement parameters (SQLite 32766, PostgreSQL 65535)
		return nil, len(values), Errors{BadParameter(p.Raw, TitleFilter, fmt.Sprintf("A filter accepts at most %d values.", max))}
	}
	fail := func(e *Error) (conds []Condition, n int, errs Errors) {
		e.Parameter = p.Raw
		return nil, len(values), Errors{e}
	}
	for _, v := range values {
		if ranges {
			if from, to, ok := strings.Cut(v, ".."); ok {
				a, e := parseFilterValue(kind, enum, target, from, false)
				b, e2 := parseFilterValue(kind, enum, target, to, true)
				if e == nil {
					e = e2
				}
				if e != nil {
					if e.Title == TitleUnexpectedValue {
						e = expected("", kind.filterName(target), v) // the range as a whole
					}
					return fail(e)
				}
				if len(values) > 1 {
					return nil, len(values), Errors{BadParameter(p.Raw, TitleFilter, "A range cannot be combined with other values.")}
				}
				c.Values, c.Range = []any{a, b}, true
				return []Condition{c}, 1, nil
			}
		}
		val, e := parseFilterValue(kind, enum, target, v, false)
		if e != nil {
			return fail(e)
		}
		c.Values = append(c.Values, val)
	}
	return []Condition{c}, len(values), nil
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

// parseFilterValue parses one value. Its error has no parameter yet (the caller names it): a
// value that is not of the kind, or (range constraint) one that the database could not store.
// rangeEnd makes a partial date-time the end of its period.
func parseFilterValue(k Kind, enum []string, target *Resource, s string, rangeEnd bool) (any, *Error) {
	switch k {
	case Int:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, expected("", "integer", s)
		}
		if target != nil {
			return strconv.FormatInt(n, 10), nil
		}
		return n, nil
	case Float:
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return nil, expected("", "decimal", s)
		}
		return f, nil
	case Decimal:
		if !isDecimal(s) {
			return nil, expected("", "decimal", s)
		}
		// a value the field can hold; trailing zeros of the fraction change nothing
		if !decimalFits(trimFraction(s)) {
			return nil, decimalRangeError("")
		}
		return s, nil
	case Bool:
		b, ok := boolWords[strings.ToLower(s)]
		if !ok {
			return nil, expected("", "boolean", s)
		}
		return b, nil
	case Date:
		t, err := time.Parse("2006-01-02", s)
		if err != nil {
			return nil, expected("", "date", s)
		}
		if !storableTime(t) {
			return nil, timeRangeError("", Date)
		}
		return t, nil
	case DateTime:
		p, instant, ok := parsePeriod(s)
		switch {
		case !ok:
			return nil, expected("", "datetime", s)
		case !storableTime(p.From):
			return nil, timeRangeError("", DateTime)
		case instant:
			return p.From, nil
		case rangeEnd && p.To.IsZero():
			return lastInstant, nil
		case rangeEnd:
			return p.To.Add(-time.Microsecond), nil
		}
		return p, nil
	case String:
		if enum != nil {
			for _, e := range enum {
				if e == s {
					return s, nil
				}
			}
			return nil, expected("", "one of "+quoteAll(enum), s)
		}
		return s, nil
	}
	return nil, expected("", k.String(), s)
}

// parsePeriod parses a full date-time (any offset; the result is UTC; with fractional seconds
// the instant it names, without them the second it names), or a partial one — a year, a month, a
// day, an hour or a minute — as the period it names. A period that ends after the last storable
// instant has an open end.
func parsePeriod(s string) (p Period, instant, ok bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			if strings.Contains(s, ".") {
				return Period{From: t.UTC()}, true, true
			}
			// Date-times are shown with whole seconds, the database keeps microseconds: a
			// value without a fraction is its whole second, so that the value the API shows
			// for a record (a server-set createdAt, say) finds that record with eq, and
			// lte/gt include/exclude it.
			return openEnd(Period{From: t.UTC(), To: t.UTC().Add(time.Second)}), false, true
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
			return openEnd(Period{From: t, To: pl.add(t)}), false, true
		}
	}
	return Period{}, false, false
}

// openEnd drops an end that no stored value can reach.
func openEnd(p Period) Period {
	if p.To.After(lastInstant) {
		p.To = time.Time{}
	}
	return p
}

// trimFraction drops the trailing zeros of a decimal's fraction, and the point when no digit is
// left after it.
func trimFraction(s string) string {
	if !strings.Contains(s, ".") {
		return s
	}
	return strings.TrimSuffix(strings.TrimRight(s, "0"), ".")
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
