package query

import (
	"reflect"
	"testing"

	"webapi/store"
)

// The SQL the builders write, without a database: each row is the exact statement text and
// arguments. What the statements find on each database is tested by the conformance suite and
// the HTTP tests; these pin how they are written (operators, NULL order, keyset conditions,
// paging and locks per dialect).

func expectExpr(t *testing.T, got Expr, sql string, args ...any) {
	t.Helper()
	if got.SQL != sql || !reflect.DeepEqual(got.Args, args) {
		t.Errorf("got  %s %#v\nwant %s %#v", got.SQL, got.Args, sql, args)
	}
}

func TestFieldCond(t *testing.T) {
	t.Parallel()
	col, text := Field{SQL: "t.n"}, Field{SQL: "t.s", Text: true}
	p := Period{From: "2024-03-01", To: "2024-04-01"}
	open := Period{From: "9999-01-01"}
	tests := []struct {
		name   string
		field  Field
		op     Op
		values []any
		rng    bool
		sql    string
		args   []any
	}{
		{"exists", col, Exists, []any{true}, false, "t.n IS NOT NULL", nil},
		{"exists false", col, Exists, []any{false}, false, "t.n IS NULL", nil},
		{"empty", col, Empty, []any{true}, false, "t.n IS NULL", nil},
		{"not empty", col, Empty, []any{false}, false, "NOT (t.n IS NULL)", nil},
		{"empty text is null or ''", text, Empty, []any{true}, false, "t.s IS NULL OR t.s = ''", nil},
		{"not empty text", text, Empty, []any{false}, false, "NOT (t.s IS NULL OR t.s = '')", nil},
		{"eq one value", col, Eq, []any{int64(5)}, false, "t.n = ?", []any{int64(5)}},
		{"eq a list", col, Eq, []any{int64(5), int64(7)}, false, "t.n IN ?", []any{[]any{int64(5), int64(7)}}},
		{"eq a period", col, Eq, []any{p}, false, "(t.n >= ? AND t.n < ?)", []any{"2024-03-01", "2024-04-01"}},
		{"eq a period with an open end", col, Eq, []any{open}, false, "t.n >= ?", []any{"9999-01-01"}},
		{"eq periods and values", col, Eq, []any{p, "x", "y"}, false, "(t.n >= ? AND t.n < ?) OR t.n IN ?",
			[]any{"2024-03-01", "2024-04-01", []any{"x", "y"}}},
		{"eq a range", col, Eq, []any{int64(5), int64(7)}, true, "t.n >= ? AND t.n <= ?", []any{int64(5), int64(7)}},
		{"eq a range of periods: from the first's start to the second's end", col, Eq, []any{p, Period{From: "2025-01-01", To: "2026-01-01"}}, true,
			"t.n >= ? AND t.n < ?", []any{"2024-03-01", "2026-01-01"}},
		{"eq a range to an open end", col, Eq, []any{p, open}, true, "t.n >= ?", []any{"2024-03-01"}},
		{"neq excludes NULL", col, Neq, []any{int64(5)}, false, "t.n IS NOT NULL AND NOT (t.n = ?)", []any{int64(5)}},
		{"neq a range", col, Neq, []any{int64(5), int64(7)}, true, "t.n IS NOT NULL AND NOT (t.n >= ? AND t.n <= ?)", []any{int64(5), int64(7)}},
		{"neq_or_null keeps NULL", col, NeqOrNull, []any{int64(5), int64(6)}, false, "t.n IS NULL OR NOT (t.n IN ?)", []any{[]any{int64(5), int64(6)}}},
		{"lt", col, Lt, []any{int64(5)}, false, "t.n < ?", []any{int64(5)}},
		{"lte", col, Lte, []any{int64(5)}, false, "t.n <= ?", []any{int64(5)}},
		{"gt", col, Gt, []any{int64(5)}, false, "t.n > ?", []any{int64(5)}},
		{"gte", col, Gte, []any{int64(5)}, false, "t.n >= ?", []any{int64(5)}},
		{"lt a period: before its start", col, Lt, []any{p}, false, "t.n < ?", []any{"2024-03-01"}},
		{"lte a period: before its end", col, Lte, []any{p}, false, "t.n < ?", []any{"2024-04-01"}},
		{"gt a period: from its end", col, Gt, []any{p}, false, "t.n >= ?", []any{"2024-04-01"}},
		{"gte a period: from its start", col, Gte, []any{p}, false, "t.n >= ?", []any{"2024-03-01"}},
		{"lte a period with an open end: every value", col, Lte, []any{open}, false, "t.n IS NOT NULL", nil},
		{"gt a period with an open end: none", col, Gt, []any{open}, false, "1 = 0", nil},
		{"lt a period with an open end", col, Lt, []any{open}, false, "t.n < ?", []any{"9999-01-01"}},
		{"contains", text, Contains, []any{"ab"}, false, `LOWER(t.s) LIKE LOWER(?) ESCAPE '\'`, []any{"%ab%"}},
		{"not_contains", text, NotContains, []any{"ab"}, false, `NOT (LOWER(t.s) LIKE LOWER(?) ESCAPE '\')`, []any{"%ab%"}},
		{"starts_with", text, StartsWith, []any{"ab"}, false, `LOWER(t.s) LIKE LOWER(?) ESCAPE '\'`, []any{"ab%"}},
		{"not_starts_with", text, NotStartsWith, []any{"ab"}, false, `NOT (LOWER(t.s) LIKE LOWER(?) ESCAPE '\')`, []any{"ab%"}},
		{"ends_with", text, EndsWith, []any{"ab"}, false, `LOWER(t.s) LIKE LOWER(?) ESCAPE '\'`, []any{"%ab"}},
		{"not_ends_with", text, NotEndsWith, []any{"ab"}, false, `NOT (LOWER(t.s) LIKE LOWER(?) ESCAPE '\')`, []any{"%ab"}},
		{"% _ and \\ are literal characters", text, Contains, []any{`50%_a\b`}, false, `LOWER(t.s) LIKE LOWER(?) ESCAPE '\'`, []any{`%50\%\_a\\b%`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			expectExpr(t, FieldCond(tt.field, tt.op, tt.values, tt.rng), tt.sql, tt.args...)
		})
	}
}

func TestUnknownOperatorsPanic(t *testing.T) {
	t.Parallel()
	for name, build := range map[string]func(){
		"a field":                   func() { FieldCond(Field{SQL: "t.n"}, Op("like"), []any{"x"}, false) },
		"a to-many with an order":   func() { LinkCond(Link{Table: "j", Own: "a", Other: "b"}, Lt, []any{int64(1)}) },
		"a to-many with a text op":  func() { LinkCond(Link{Table: "j", Own: "a", Other: "b"}, StartsWith, []any{"x"}) },
		"a to-many, unknown at all": func() { LinkCond(Link{Table: "j", Own: "a", Other: "b"}, Op("x"), nil) },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatal("no panic")
				}
			}()
			build()
		})
	}
}

func TestLinkCond(t *testing.T) {
	t.Parallel()
	l := Link{Table: "account_contacts", Own: "account_id", Other: "contact_id"}
	const sub = "SELECT 1 FROM account_contacts l WHERE l.account_id = t.id"
	ids := []any{int64(3), int64(4), int64(3)}
	tests := []struct {
		name string
		op   Op
		ids  []any
		sql  string
		args []any
	}{
		{"exists", Exists, []any{true}, "EXISTS (" + sub + ")", nil},
		{"exists false", Exists, []any{false}, "NOT EXISTS (" + sub + ")", nil},
		{"empty", Empty, []any{true}, "NOT EXISTS (" + sub + ")", nil},
		{"not empty", Empty, []any{false}, "EXISTS (" + sub + ")", nil},
		{"eq: any of the ids", Eq, ids, "EXISTS (" + sub + " AND l.contact_id IN ?)", []any{ids}},
		{"neq: some, none of the ids", Neq, ids, "EXISTS (" + sub + ") AND NOT EXISTS (" + sub + " AND l.contact_id IN ?)", []any{ids}},
		{"neq_or_null: none of the ids", NeqOrNull, ids, "NOT EXISTS (" + sub + " AND l.contact_id IN ?)", []any{ids}},
		{"contains: all the distinct ids", Contains, ids,
			"(SELECT COUNT(DISTINCT l.contact_id) FROM account_contacts l WHERE l.account_id = t.id AND l.contact_id IN ?) = ?", []any{ids, 2}},
		{"not_contains", NotContains, ids,
			"NOT ((SELECT COUNT(DISTINCT l.contact_id) FROM account_contacts l WHERE l.account_id = t.id AND l.contact_id IN ?) = ?)", []any{ids, 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			expectExpr(t, LinkCond(l, tt.op, tt.ids), tt.sql, tt.args...)
		})
	}
}

func TestLinkExpressions(t *testing.T) {
	t.Parallel()
	l := Link{Table: "calls", Own: "contact_id", Other: "id"}
	expectExpr(t, RelatedTo(l, int64(7)), "t.id IN (SELECT l.id FROM calls l WHERE l.contact_id = ?)", int64(7))
	expectExpr(t, LinkIDs(store.SQLite, l, 1000), "(SELECT string_agg(s.v, ',' ORDER BY s.o) FROM (SELECT CAST(l.id AS TEXT) AS v, l.id AS o "+
		"FROM calls l WHERE l.contact_id = t.id ORDER BY l.id LIMIT 1000) s)")
	expectExpr(t, LinkIDs(store.Postgres, l, 1000), "array_to_string(ARRAY(SELECT l.id FROM calls l WHERE l.contact_id = t.id ORDER BY l.id LIMIT 1000), ',')")
}

// after continues a keyset scan in the order Find writes: NULL first ascending, last descending.
func TestAfter(t *testing.T) {
	t.Parallel()
	id := Order{SQL: "t.id", NotNull: true}
	idDesc := Order{SQL: "t.id", Desc: true, NotNull: true}
	name := Order{SQL: "LOWER(t.name)"}
	nameDesc := Order{SQL: "LOWER(t.name)", Desc: true}
	tests := []struct {
		name  string
		order []Order
		last  []any
		sql   string
		args  []any
	}{
		{"by id", []Order{id}, []any{int64(9)}, "(t.id > ?)", []any{int64(9)}},
		{"by id descending", []Order{idDesc}, []any{int64(9)}, "(t.id < ?)", []any{int64(9)}},
		{"ascending after a value", []Order{name, id}, []any{"b", int64(9)},
			"(LOWER(t.name) > ?) OR (LOWER(t.name) = ? AND t.id > ?)", []any{"b", "b", int64(9)}},
		{"ascending after NULL: every value, then the NULLs after the id", []Order{name, id}, []any{nil, int64(9)},
			"(LOWER(t.name) IS NOT NULL) OR (LOWER(t.name) IS NULL AND t.id > ?)", []any{int64(9)}},
		{"descending after a value: smaller ones and the NULLs", []Order{nameDesc, id}, []any{"b", int64(9)},
			"((LOWER(t.name) < ? OR LOWER(t.name) IS NULL)) OR (LOWER(t.name) = ? AND t.id > ?)", []any{"b", "b", int64(9)}},
		{"descending after NULL: nothing but the same NULLs", []Order{nameDesc, id}, []any{nil, int64(9)},
			"(1 = 0) OR (LOWER(t.name) IS NULL AND t.id > ?)", []any{int64(9)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			expectExpr(t, after(tt.order, tt.last), tt.sql, tt.args...)
		})
	}
}

func TestSelectStatement(t *testing.T) {
	t.Parallel()
	cols := []Column{{Expr: Expr{SQL: "t.name"}, Type: Text}, {Expr: Expr{SQL: "(SELECT p.value FROM prices p WHERE p.cur = ?)", Args: []any{"USD"}}, Type: Decimal}}
	base := func(change func(s *Select)) *Select {
		s := &Select{Table: "accounts", IDType: Int, Columns: cols, Limit: -1}
		change(s)
		return s
	}
	const head = "SELECT t.id, t.name, (SELECT p.value FROM prices p WHERE p.cur = ?) FROM accounts t"
	tests := []struct {
		name     string
		sel      *Select
		sqlite   string // the statement on SQLite
		postgres string // "" = the same as on SQLite
		args     []any
	}{
		{name: "everything", sel: base(func(*Select) {}), sqlite: head, args: []any{"USD"}},
		{name: "the head kept by the caller", sel: base(func(s *Select) { s.Head = "SELECT t.id FROM kept t" }), sqlite: "SELECT t.id FROM kept t", args: []any{"USD"}},
		{name: "conditions, in order after the columns' arguments",
			sel: base(func(s *Select) {
				s.Where = []Expr{{SQL: "t.id IN ?", Args: []any{[]any{int64(1), int64(2)}}}, {SQL: "t.name = ? OR t.name IS NULL", Args: []any{"x"}}}
			}),
			sqlite: head + " WHERE (t.id IN ?) AND (t.name = ? OR t.name IS NULL)", args: []any{"USD", []any{int64(1), int64(2)}, "x"}},
		{name: "NULLs first ascending, last descending; none for a key never NULL",
			sel: base(func(s *Select) {
				s.Order = []Order{{SQL: "LOWER(t.name)"}, {SQL: "t.size", Desc: true}, {SQL: "t.id", NotNull: true}}
			}),
			sqlite: head + " ORDER BY LOWER(t.name) ASC NULLS FIRST, t.size DESC NULLS LAST, t.id", args: []any{"USD"}},
		{name: "the id descending", sel: base(func(s *Select) { s.Order = []Order{{SQL: "t.id", Desc: true, NotNull: true}} }),
			sqlite: head + " ORDER BY t.id DESC", args: []any{"USD"}},
		{name: "an omitted column is not selected, nor are its arguments bound",
			sel: base(func(s *Select) {
				s.Columns = []Column{cols[1], {Expr: Expr{SQL: "t.kind = ?", Args: []any{"x"}}, Omit: true}, cols[0]}
				s.Columns[0].Omit = true
			}),
			sqlite: "SELECT t.id, t.name FROM accounts t", args: []any{}},
		{name: "a kept statement, bound already", sel: base(func(s *Select) {
			s.Where, s.Limit, s.Lock = []Expr{{SQL: "t.id IN ?", Args: []any{[]any{int64(1)}}}}, 1, ForUpdate
			s.Text, s.Args = "SELECT t.id FROM kept t WHERE t.id IN ($1)", []any{int64(7)}
		}), sqlite: "SELECT t.id FROM kept t WHERE t.id IN ($1)", args: []any{int64(7)}},
		{name: "a page", sel: base(func(s *Select) { s.Limit, s.Offset = 11, 20 }), sqlite: head + " LIMIT 11 OFFSET 20", args: []any{"USD"}},
		{name: "the first page", sel: base(func(s *Select) { s.Limit = 11 }), sqlite: head + " LIMIT 11", args: []any{"USD"}},
		{name: "an offset without a limit", sel: base(func(s *Select) { s.Offset = 20 }),
			sqlite: head + " LIMIT -1 OFFSET 20", postgres: head + " OFFSET 20", args: []any{"USD"}},
		{name: "lock for update", sel: base(func(s *Select) { s.Limit, s.Lock = 1, ForUpdate }),
			sqlite: head + " LIMIT 1", postgres: head + " LIMIT 1 FOR NO KEY UPDATE OF t", args: []any{"USD"}},
		{name: "lock for share", sel: base(func(s *Select) { s.Lock = ForShare }),
			sqlite: head, postgres: head + " FOR KEY SHARE OF t", args: []any{"USD"}},
		{name: "lock for delete", sel: base(func(s *Select) { s.Lock = ForDelete }),
			sqlite: head, postgres: head + " FOR UPDATE OF t", args: []any{"USD"}},
		{name: "a keyset chunk selects its keys and continues after the last row",
			sel: base(func(s *Select) {
				s.Head = "SELECT t.id FROM kept t" // not used: the keys are selected too
				s.Where = []Expr{{SQL: "t.size > ?", Args: []any{int64(3)}}}
				s.Order = []Order{{SQL: "LOWER(t.name)"}, {SQL: "t.id", NotNull: true}}
				s.Keys, s.After, s.Limit = true, []any{"b", int64(9)}, 1000
			}),
			sqlite: "SELECT t.id, t.name, (SELECT p.value FROM prices p WHERE p.cur = ?), LOWER(t.name), t.id FROM accounts t" +
				" WHERE (t.size > ?) AND ((LOWER(t.name) > ?) OR (LOWER(t.name) = ? AND t.id > ?))" +
				" ORDER BY LOWER(t.name) ASC NULLS FIRST, t.id LIMIT 1000",
			args: []any{"USD", int64(3), "b", "b", int64(9)}},
		{name: "the first keyset chunk", sel: base(func(s *Select) {
			s.Order = []Order{{SQL: "t.id", NotNull: true}}
			s.Keys, s.Limit = true, 1000
		}), sqlite: "SELECT t.id, t.name, (SELECT p.value FROM prices p WHERE p.cur = ?), t.id FROM accounts t ORDER BY t.id LIMIT 1000", args: []any{"USD"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if tt.postgres == "" {
				tt.postgres = tt.sqlite
			}
			for d, want := range map[store.Dialect]string{store.SQLite: tt.sqlite, store.Postgres: tt.postgres} {
				where := len(tt.sel.Where)
				sql, args := tt.sel.Statement(d)
				if sql != want || !reflect.DeepEqual(args, tt.args) {
					t.Errorf("%s:\n got  %s %#v\n want %s %#v", d, sql, args, want, tt.args)
				}
				if len(tt.sel.Where) != where {
					t.Errorf("%s: the statement changed the select's conditions", d)
				}
			}
		})
	}
}

func TestHead(t *testing.T) {
	t.Parallel()
	if got := Head("contacts", []Column{{Expr: Expr{SQL: "t.first_name"}}, {Expr: Expr{SQL: "t.owner_id"}}}); got != "SELECT t.id, t.first_name, t.owner_id FROM contacts t" {
		t.Fatal(got)
	}
	if got := Head("contacts", nil); got != "SELECT t.id FROM contacts t" {
		t.Fatal(got)
	}
}

func TestWriteStatements(t *testing.T) {
	t.Parallel()
	sql, args := countStatement("calls", []Expr{{SQL: "t.duration > ?", Args: []any{int64(60)}}, {SQL: "t.contact_id IS NULL"}})
	if want := "SELECT COUNT(*) FROM calls t WHERE (t.duration > ?) AND (t.contact_id IS NULL)"; sql != want || !reflect.DeepEqual(args, []any{int64(60)}) {
		t.Errorf("count: %s %#v", sql, args)
	}
	if sql, args := countStatement("calls", nil); sql != "SELECT COUNT(*) FROM calls t" || args != nil {
		t.Errorf("count of everything: %s %#v", sql, args)
	}
	if got, want := insertStatement("accounts", "", []string{"created_at", "name"}), "INSERT INTO accounts (created_at, name) VALUES (?, ?)"; got != want {
		t.Errorf("insert: %s", got)
	}
	if got, want := insertStatement("accounts", "t", []string{"name"}), "INSERT INTO accounts AS t (name) VALUES (?)"; got != want {
		t.Errorf("insert with an alias: %s", got)
	}
	cols := []Column{{Expr: Expr{SQL: "t.name"}}, {Expr: Expr{SQL: "(SELECT 1 FROM x WHERE x.id = t.id AND x.o = ?)", Args: []any{int64(7)}}}}
	if got, want := returningList(store.Postgres, cols), "t.id, t.name, (SELECT 1 FROM x WHERE x.id = t.id AND x.o = ?)"; got != want {
		t.Errorf("returning on PostgreSQL: %s", got)
	}
	if got, want := returningList(store.SQLite, cols[:1]), "id, name"; got != want {
		t.Errorf("returning on SQLite: %s", got)
	}
	if got := withColumnArgs([]any{"a", 1}, cols); !reflect.DeepEqual(got, []any{"a", 1, int64(7)}) {
		t.Errorf("arguments of a returning write: %#v", got)
	}
	if got, want := updateStatement("accounts", []string{"name", "updated_at"}, ""), "UPDATE accounts AS t SET name = ?, updated_at = ? WHERE t.id = ?"; got != want {
		t.Errorf("update: %q, want %q", got, want)
	}
	if got, want := updateStatement("accounts", []string{"name"}, "t.owner_id = ?"), "UPDATE accounts AS t SET name = ? WHERE t.id = ? AND (t.owner_id = ?)"; got != want {
		t.Errorf("update: %s", got)
	}
}
