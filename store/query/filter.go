package query

import (
	"strings"
	"time"

	"webapi/store"
)

// Op is a filter operator (the names of api.md section 8).
type Op string

// The operators.
const (
	Eq            Op = "eq"
	Neq           Op = "neq"
	Lt            Op = "lt"
	Lte           Op = "lte"
	Gt            Op = "gt"
	Gte           Op = "gte"
	Exists        Op = "exists"
	NeqOrNull     Op = "neq_or_null"
	Empty         Op = "empty"
	Contains      Op = "contains"
	NotContains   Op = "not_contains"
	StartsWith    Op = "starts_with"
	NotStartsWith Op = "not_starts_with"
	EndsWith      Op = "ends_with"
	NotEndsWith   Op = "not_ends_with"
)

// Period is a value that stands for a whole period: From <= x < To. A nil To is an open end (a
// period that runs past the last storable instant: a bound in year 10000 would compare wrongly
// with SQLite's date-time text).
type Period struct{ From, To any }

// Field is a filterable column expression.
type Field struct {
	SQL  string
	Text bool // a string column: empty also matches '', text operators apply
}

// FieldCond is the condition of one operator on a column. values are typed (times already in the
// database's form); with rng they are the inclusive bounds of a range.
func FieldCond(f Field, op Op, values []any, rng bool) Expr {
	col := f.SQL
	switch op {
	case Exists:
		if values[0].(bool) {
			return Expr{SQL: col + " IS NOT NULL"}
		}
		return Expr{SQL: col + " IS NULL"}
	case Empty:
		e := col + " IS NULL"
		if f.Text {
			e = col + " IS NULL OR " + col + " = ''"
		}
		if values[0].(bool) {
			return Expr{SQL: e}
		}
		return Expr{SQL: "NOT (" + e + ")"}
	case Eq:
		return equal(col, values, rng)
	case Neq:
		e := equal(col, values, rng)
		return Expr{SQL: col + " IS NOT NULL AND NOT (" + e.SQL + ")", Args: e.Args}
	case NeqOrNull:
		e := equal(col, values, rng)
		return Expr{SQL: col + " IS NULL OR NOT (" + e.SQL + ")", Args: e.Args}
	case Lt, Lte, Gt, Gte:
		return compare(col, op, values[0])
	case Contains, NotContains, StartsWith, NotStartsWith, EndsWith, NotEndsWith:
		return like(col, op, values[0].(string))
	}
	panic("query: unknown operator " + string(op))
}

func equal(col string, values []any, rng bool) Expr {
	if rng {
		lo, hi := values[0], values[1]
		if p, ok := lo.(Period); ok {
			lo = p.From
		}
		if p, ok := hi.(Period); ok {
			if p.To == nil {
				return Expr{SQL: col + " >= ?", Args: []any{lo}}
			}
			return Expr{SQL: col + " >= ? AND " + col + " < ?", Args: []any{lo, p.To}}
		}
		return Expr{SQL: col + " >= ? AND " + col + " <= ?", Args: []any{lo, hi}}
	}
	var parts []string
	var args, plain []any
	for _, v := range values {
		if p, ok := v.(Period); ok {
			if p.To == nil {
				parts = append(parts, col+" >= ?")
				args = append(args, p.From)
			} else {
				parts = append(parts, "("+col+" >= ? AND "+col+" < ?)")
				args = append(args, p.From, p.To)
			}
			continue
		}
		plain = append(plain, v)
	}
	switch len(plain) {
	case 0:
	case 1:
		parts = append(parts, col+" = ?")
		args = append(args, plain[0])
	default:
		parts = append(parts, col+" IN ?")
		args = append(args, plain)
	}
	return Expr{SQL: strings.Join(parts, " OR "), Args: args}
}

// compare handles the ordering operators; a period compares by its bounds (lt 2024 is before
// 2024, lte 2024 is up to its end).
func compare(col string, op Op, v any) Expr {
	if p, ok := v.(Period); ok {
		switch {
		case p.To == nil && op == Lte:
			return Expr{SQL: col + " IS NOT NULL"} // every stored value is before the open end
		case p.To == nil && op == Gt:
			return Expr{SQL: "1 = 0"} // and none after it
		}
		switch op {
		case Lt:
			return Expr{SQL: col + " < ?", Args: []any{p.From}}
		case Lte:
			return Expr{SQL: col + " < ?", Args: []any{p.To}}
		case Gt:
			return Expr{SQL: col + " >= ?", Args: []any{p.To}}
		default:
			return Expr{SQL: col + " >= ?", Args: []any{p.From}}
		}
	}
	sym := map[Op]string{Lt: "<", Lte: "<=", Gt: ">", Gte: ">="}[op]
	return Expr{SQL: col + " " + sym + " ?", Args: []any{v}}
}

// like builds the text operators. They are case-insensitive on both databases (LOWER on both
// sides; on SQLite the store replaces LOWER by a Unicode one, so it folds every letter as
// PostgreSQL's does) and treat % and _ in the value as literal characters (escaped, with an
// explicit ESCAPE character).
func like(col string, op Op, v string) Expr {
	esc := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(v)
	var pattern string
	switch op {
	case Contains, NotContains:
		pattern = "%" + esc + "%"
	case StartsWith, NotStartsWith:
		pattern = esc + "%"
	default:
		pattern = "%" + esc
	}
	e := "LOWER(" + col + ") LIKE LOWER(?) ESCAPE '\\'"
	switch op {
	case NotContains, NotStartsWith, NotEndsWith:
		e = "NOT (" + e + ")"
	}
	return Expr{SQL: e, Args: []any{pattern}}
}

// Link is a to-many association seen from table t: the rows of Table whose Own column equals
// t.id carry the related ids in Other (a join table, or the related table itself with its
// foreign key).
type Link struct {
	Table, Own, Other string
	// Only, when set, is a condition on the link's rows (alias l) that the related rows must
	// meet to count: the caller's access to them (a linkage lists only what the caller may see,
	// and a filter cannot probe the rest).
	Only Expr
}

// from is the subquery text "FROM <table> l WHERE l.<own> = t.id [AND (<only>)]" and its args.
func (l Link) from() (string, []any) {
	sql := " FROM " + l.Table + " l WHERE l." + l.Own + " = t.id"
	if l.Only.SQL == "" {
		return sql, nil
	}
	return sql + " AND (" + l.Only.SQL + ")", l.Only.Args
}

// LinkCond is the condition of one operator on a to-many association (api.md section 8:
// eq = has any of the ids, neq = has some and none of them, contains = has all of them, exists
// = has any).
func LinkCond(l Link, op Op, ids []any) Expr {
	from, only := l.from()
	sub := "SELECT 1" + from
	in := sub + " AND l." + l.Other + " IN ?"
	inArgs := append(append([]any{}, only...), ids)
	switch op {
	case Exists, Empty:
		has := ids[0].(bool)
		if op == Empty {
			has = !has
		}
		if has {
			return Expr{SQL: "EXISTS (" + sub + ")", Args: only}
		}
		return Expr{SQL: "NOT EXISTS (" + sub + ")", Args: only}
	case Eq:
		return Expr{SQL: "EXISTS (" + in + ")", Args: inArgs}
	case Neq:
		return Expr{SQL: "EXISTS (" + sub + ") AND NOT EXISTS (" + in + ")", Args: append(append([]any{}, only...), inArgs...)}
	case NeqOrNull:
		return Expr{SQL: "NOT EXISTS (" + in + ")", Args: inArgs}
	case Contains, NotContains:
		// The distinct members found are compared with the number of distinct ids asked for:
		// a repeated id (contains=3,3) must not make the condition impossible.
		distinct := map[any]bool{}
		for _, id := range ids {
			distinct[id] = true
		}
		e := "(SELECT COUNT(DISTINCT l." + l.Other + ")" + from + " AND l." + l.Other + " IN ?) = ?"
		if op == NotContains {
			e = "NOT (" + e + ")"
		}
		return Expr{SQL: e, Args: append(inArgs, len(distinct))}
	}
	panic("query: operator " + string(op) + " is not defined for to-many associations")
}

// RelatedTo restricts t to the rows related to the row own of the other side of l (the
// members of a to-many association, for its subresource).
func RelatedTo(l Link, own any) Expr {
	return Expr{SQL: "t.id IN (SELECT l." + l.Other + " FROM " + l.Table + " l WHERE l." + l.Own + " = ?)", Args: []any{own}}
}

// RowExists is the condition that table has a row (alias a) whose id is id and that meets cond.
func RowExists(table, a string, id any, cond Expr) Expr {
	return Expr{SQL: "EXISTS (SELECT 1 FROM " + table + " " + a + " WHERE " + a + ".id = ? AND (" + cond.SQL + "))",
		Args: append([]any{id}, cond.Args...)}
}

// LinkIDs is the column expression that aggregates the related ids of a to-many association
// on dialect d (comma-separated), ordered, capped at limit.
func LinkIDs(d store.Dialect, l Link, limit int) Expr {
	from, only := l.from()
	if d == store.Postgres {
		// an ARRAY of the subquery keeps its order: no aggregate sorting its input again for
		// every row (string_agg with ORDER BY ran a sort per record, which halved what
		// PostgreSQL served of the selects that print linkage)
		return Expr{SQL: "array_to_string(ARRAY(SELECT l." + l.Other + from + " ORDER BY l." + l.Other + " LIMIT " + itoa(limit) + "), ',')", Args: only}
	}
	// string_agg with ORDER BY (SQLite 3.44+); the derived table caps the linkage without
	// losing the order
	return Expr{SQL: "(SELECT string_agg(s.v, ',' ORDER BY s.o) FROM (SELECT CAST(l." + l.Other + " AS TEXT) AS v, l." + l.Other +
		" AS o" + from + " ORDER BY l." + l.Other + " LIMIT " + itoa(limit) + ") s)", Args: only}
}

// Now is the current time as both databases store it (UTC, microseconds).
func Now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }
