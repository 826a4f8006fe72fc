package search

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"webapi/server/jsonapi"
	"webapi/server/resources"
	ql "webapi/server/search/query"
	"webapi/store"
	"webapi/store/query"
)

// The advanced search: the query language (parsed by server/search/query into a syntax tree)
// turned into conditions on the index. The user's values and field names reach the SQL only as
// arguments.

// selected is a field of `select`: the key of selected_data, its kind and its name.
type selected struct {
	key, kind, field string
}

// Advanced answers GET /api/rest/latest/search/advanced.
func (s *Service) Advanced(w http.ResponseWriter, r *http.Request) {
	r, err := s.prepare(r)
	if err != nil {
		s.api.WritePlainError(w, r, err)
		return
	}
	p, err := plainParams(r, "query")
	if err != nil {
		s.api.WritePlainError(w, r, err)
		return
	}
	text, ok := p["query"]
	if !ok || strings.TrimSpace(text) == "" {
		s.api.WritePlainError(w, r, jsonapi.BadParameter("query", jsonapi.TitleNotBlank, "This value should not be blank."))
		return
	}
	q, err := ql.Parse(text)
	if err != nil {
		s.api.WritePlainError(w, r, queryError(err, "query"))
		return
	}
	types, bad := s.typesOf(q.From)
	if bad != "" {
		s.api.WritePlainError(w, r, jsonapi.BadParameter("query", jsonapi.TitleEntityType, fmt.Sprintf("The entity type %q is not searchable.", bad)))
		return
	}
	sq := &search{types: types, limit: defaultMaxResults}
	if q.Offset != nil {
		sq.offset = *q.Offset
	}
	if q.MaxResults != nil {
		sq.limit = *q.MaxResults
	}
	if q.Where != nil {
		sq.where = append(sq.where, s.expr(q.Where, types))
	}
	if o := q.OrderBy; o != nil {
		e := s.value(string(o.Type), o.Field, types)
		dir := ""
		if o.Desc {
			dir = " DESC"
		}
		// records without the field last, in both directions and on both databases
		sq.order = append(sq.order, query.Expr{SQL: "(" + e.SQL + ") IS NULL", Args: e.Args},
			query.Expr{SQL: "(" + e.SQL + ")" + dir, Args: e.Args})
	}
	var sel []selected
	for _, f := range q.Select {
		key := f.Alias
		if key == "" {
			key = f.Field
		}
		sel = append(sel, selected{key: key, kind: string(f.Type), field: f.Field})
	}
	s.answer(w, r, sq, sel)
}

// condition parses a where-condition (the JSON:API filter[searchQuery]).
func (s *Service) condition(text, param string) (query.Expr, error) {
	e, err := ql.ParseCondition(text)
	if err != nil {
		return query.Expr{}, queryError(err, param)
	}
	return s.expr(e, s.types), nil
}

// queryError is the 400 of a malformed query, naming the parameter.
func queryError(err error, param string) error {
	var qe *ql.Error
	if errors.As(err, &qe) {
		return jsonapi.BadParameter(param, jsonapi.TitleValue, qe.Error())
	}
	return err
}

// expr turns a condition tree into SQL.
func (s *Service) expr(e *ql.Expr, types []string) query.Expr {
	if e.Cond != nil {
		return s.cond(e.Cond, types)
	}
	join := " AND "
	if e.Op == "or" {
		join = " OR "
	}
	var parts []string
	var args []any
	for _, c := range e.Children {
		x := s.expr(c, types)
		parts = append(parts, "("+x.SQL+")")
		args = append(args, x.Args...)
	}
	return query.Expr{SQL: strings.Join(parts, join), Args: args}
}

var nothing = query.Expr{SQL: "1 = 0"}

// cond is one condition: on all_text, or on a field of the types that have it with that kind.
func (s *Service) cond(c *ql.Condition, types []string) query.Expr {
	kind := string(c.Type)
	if c.Field == "all_text" && kind == resources.SearchText {
		return s.textCond(c, query.Expr{SQL: "s.all_lower"}, nil)
	}
	var with []string
	for _, t := range types {
		if s.kinds[t][c.Field] == kind {
			with = append(with, t)
		}
	}
	if len(with) == 0 {
		return nothing // no type searched has the field with that kind
	}
	scope := query.Expr{SQL: "s.entity_type IN ?", Args: []any{with}}
	var x query.Expr
	if kind == resources.SearchText {
		x = s.textCond(c, s.json("lfields", c.Field), ptr(s.json("wfields", c.Field)))
		// A field's text is part of the record's whole text, which the indexes cover: the same
		// test on it first lets them narrow the rows (PostgreSQL: GIN; SQLite: FTS5).
		if pre := s.preFilter(c); pre != nil {
			x = query.Expr{SQL: pre.SQL + " AND (" + x.SQL + ")", Args: append(pre.Args, x.Args...)}
		}
	} else {
		x = s.valueCond(c, s.value(kind, c.Field, types))
	}
	return query.Expr{SQL: scope.SQL + " AND (" + x.SQL + ")", Args: append(scope.Args, x.Args...)}
}

// textCond compares lower-case text (lower) or its words (words; nil: all_text, whose words
// the full-text index finds).
func (s *Service) textCond(c *ql.Condition, lower query.Expr, words *query.Expr) query.Expr {
	v := c.Values[0].Text
	lowerOr := lower // all_text: never null (its index is on the column itself)
	if words != nil {
		lowerOr = query.Expr{SQL: "COALESCE(" + lower.SQL + ", '')", Args: lower.Args}
	}
	switch c.Operator {
	case "~", "!~":
		var x query.Expr
		if words == nil {
			w := s.words(v)
			if w == nil {
				x = nothing
			} else {
				x = *w
			}
		} else {
			ws := strings.Fields(resources.Words(v))
			if len(ws) == 0 {
				x = nothing
			}
			var parts []string
			var args []any
			for _, w := range ws {
				parts = append(parts, "COALESCE("+words.SQL+", '') LIKE ?")
				args = append(append(args, words.Args...), "% "+w+" %")
			}
			if len(parts) > 0 {
				x = query.Expr{SQL: strings.Join(parts, " AND "), Args: args}
			}
		}
		if c.Operator == "!~" {
			return query.Expr{SQL: "NOT (" + x.SQL + ")", Args: x.Args}
		}
		return x
	case "like":
		return query.Expr{SQL: lowerOr.SQL + ` LIKE ? ESCAPE '\'`, Args: append(lowerOr.Args, likeArg(v))}
	case "notlike":
		return query.Expr{SQL: lowerOr.SQL + ` NOT LIKE ? ESCAPE '\'`, Args: append(lowerOr.Args, likeArg(v))}
	case "=":
		return query.Expr{SQL: lower.SQL + " = ?", Args: append(lower.Args, strings.ToLower(v))}
	}
	// !=
	return query.Expr{SQL: lowerOr.SQL + " <> ?", Args: append(lowerOr.Args, strings.ToLower(v))}
}

// preFilter is a test on the record's whole text that a text condition on one of its fields
// implies (nil for negations, which it does not).
func (s *Service) preFilter(c *ql.Condition) *query.Expr {
	v := c.Values[0].Text
	switch c.Operator {
	case "~":
		return s.words(v)
	case "like", "=":
		return &query.Expr{SQL: `s.all_lower LIKE ? ESCAPE '\'`, Args: []any{likeArg(v)}}
	}
	return nil
}

// valueCond compares a number or date-time.
func (s *Service) valueCond(c *ql.Condition, x query.Expr) query.Expr {
	vals := make([]any, len(c.Values))
	for i, v := range c.Values {
		vals[i] = s.arg(c.Type, v)
	}
	switch c.Operator {
	case "in":
		return query.Expr{SQL: x.SQL + " IN ?", Args: append(x.Args, vals)}
	case "!in":
		return query.Expr{SQL: x.SQL + " IS NOT NULL AND " + x.SQL + " NOT IN ?", Args: append(append(x.Args, x.Args...), vals)}
	case "!=":
		return query.Expr{SQL: x.SQL + " IS NOT NULL AND " + x.SQL + " <> ?", Args: append(append(x.Args, x.Args...), vals[0])}
	}
	return query.Expr{SQL: x.SQL + " " + c.Operator + " ?", Args: append(x.Args, vals[0])} // = > < >= <=
}

// arg is a value as the database compares it with the indexed one.
func (s *Service) arg(t ql.FieldType, v ql.Value) any {
	switch t {
	case ql.Integer:
		return v.Int
	case ql.Decimal:
		if s.db.Dialect == store.Postgres {
			return v.Dec // compared as numeric, exactly
		}
		f, _ := strconv.ParseFloat(v.Dec, 64) // SQLite's JSON numbers are integers or reals
		return f
	case ql.DateTime:
		return resources.IndexTime(v.Time)
	}
	return v.Text
}

// value is the indexed value of a field with the given kind (NULL where a record has none of
// that kind).
func (s *Service) value(kind, field string, types []string) query.Expr {
	if kind == resources.SearchText {
		if field == "all_text" {
			return query.Expr{SQL: "s.all_lower"}
		}
		return s.json("lfields", field)
	}
	want := "'number'"
	sqliteWant := "('integer', 'real')"
	if kind == resources.SearchDateTime {
		want, sqliteWant = "'string'", "('text')"
	}
	if s.db.Dialect == store.Postgres {
		cast := "::numeric"
		if kind == resources.SearchDateTime {
			cast = ""
		}
		return query.Expr{SQL: "CASE WHEN jsonb_typeof(s.fields->?) = " + want + " THEN (s.fields->>?)" + cast + " END", Args: []any{field, field}}
	}
	path := `$."` + field + `"`
	return query.Expr{SQL: "CASE WHEN json_type(s.fields, ?) IN " + sqliteWant + " THEN json_extract(s.fields, ?) END", Args: []any{path, path}}
}

// json is a text member of a JSON column of the index.
func (s *Service) json(col, field string) query.Expr {
	if s.db.Dialect == store.Postgres {
		return query.Expr{SQL: "s." + col + "->>?", Args: []any{field}}
	}
	return query.Expr{SQL: "json_extract(s." + col + ", ?)", Args: []any{`$."` + field + `"`}}
}

// selectedValue is the value of a selected field of a record: null where the record's type has
// no such field of that kind.
func (s *Service) selectedValue(h hit, f selected) any {
	if s.kinds[h.Type][f.field] != f.kind {
		return nil
	}
	v := h.Fields[f.field]
	switch f.kind {
	case resources.SearchInteger:
		if n, ok := v.(float64); ok {
			return int64(n)
		}
	case resources.SearchDateTime:
		if t, ok := v.(string); ok {
			if tm, err := time.Parse("2006-01-02T15:04:05.000000Z", t); err == nil {
				return tm.Format(time.RFC3339)
			}
		}
	}
	return v
}

func ptr[T any](v T) *T { return &v }
