package query_test

import (
	"context"
	"reflect"
	"testing"

	"webapi/store"
	"webapi/store/query"
	"webapi/store/storetest"
)

// TestScanPaths reads one row of every column type (and NULL, and values of other SQL types
// than the column's) through both scans of a select: outside a transaction on PostgreSQL the
// rows come from pgx and are scanned into slots; in a transaction (and on SQLite) they come
// from database/sql and are scanned into sql.Null*. Both must give the same values.
func TestScanPaths(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		db := storetest.Open(t, b)
		ctx := context.Background()
		if err := db.Gorm.Exec("INSERT INTO organizations (name, enabled, created_at, updated_at) VALUES ('scan', TRUE, ?, ?)",
			db.TimeValue(query.Now()), db.TimeValue(query.Now())).Error; err != nil {
			t.Fatal(err)
		}
		cast := func(v, pgType string) string {
			if db.Dialect == store.Postgres {
				return "CAST(" + v + " AS " + pgType + ")"
			}
			return v
		}
		cols := []query.Column{
			{Expr: query.Expr{SQL: cast("5", "BIGINT")}, Type: query.Int},
			{Expr: query.Expr{SQL: cast("?", "BIGINT"), Args: []any{int64(-7)}}, Type: query.Int},
			{Expr: query.Expr{SQL: cast("2.5", "DOUBLE PRECISION")}, Type: query.Float},
			{Expr: query.Expr{SQL: cast("3", "BIGINT")}, Type: query.Float},
			{Expr: query.Expr{SQL: cast("12.5", "NUMERIC(19,4)")}, Type: query.Decimal},
			{Expr: query.Expr{SQL: "'0.12345'"}, Type: query.Decimal},
			{Expr: query.Expr{SQL: "'text é'"}, Type: query.Text},
			{Expr: query.Expr{SQL: cast("42", "BIGINT")}, Type: query.Text},
			{Expr: query.Expr{SQL: "TRUE"}, Type: query.Bool},
			{Expr: query.Expr{SQL: "1 = 0"}, Type: query.Bool},
			{Expr: query.Expr{SQL: cast("'2024-03-01'", "DATE")}, Type: query.Date},
			{Expr: query.Expr{SQL: cast("'2024-03-01 10:11:12.5+02:00'", "TIMESTAMPTZ")}, Type: query.DateTime},
			{Expr: query.Expr{SQL: "'2024-03-01 08:11:12.5'"}, Type: query.DateTime},
			{Expr: query.Expr{SQL: "t.created_at"}, Type: query.DateTime},
			{Expr: query.Expr{SQL: `'{"a":[1,2]}'`}, Type: query.JSON},
			{Expr: query.Expr{SQL: "'null'"}, Type: query.JSON},
			{Expr: query.Expr{SQL: "'1,20,3'"}, Type: query.IDList},
			{Expr: query.Expr{SQL: "''"}, Type: query.IDList},
		}
		for _, ty := range []query.Type{query.Int, query.Float, query.Decimal, query.Text, query.Bool, query.Date, query.DateTime, query.JSON, query.IDList} {
			cols = append(cols, query.Column{Expr: query.Expr{SQL: "NULL"}, Type: ty})
		}
		read := func(ctx context.Context) (string, []any) {
			t.Helper()
			s := &query.Select{Table: "organizations", IDType: query.Int, Columns: cols, Where: []query.Expr{{SQL: "t.name = 'scan'"}}, Limit: -1}
			var id string
			var values []any
			err := query.Find(ctx, db, s, func(r query.Row) bool {
				id, values = r.ID, append([]any(nil), r.Values...)
				return true
			})
			if err != nil {
				t.Fatal(err)
			}
			return id, values
		}
		id, plain := read(ctx)
		var txID string
		var inTx []any
		if err := db.Tx(ctx, func(ctx context.Context) error { txID, inTx = read(ctx); return nil }); err != nil {
			t.Fatal(err)
		}
		if id == "" || id != txID {
			t.Errorf("ids %q and %q", id, txID)
		}
		if len(plain) != len(cols) || len(inTx) != len(cols) {
			t.Fatalf("%d and %d values of %d columns", len(plain), len(inTx), len(cols))
		}
		for i := range cols {
			if !reflect.DeepEqual(plain[i], inTx[i]) {
				t.Errorf("column %d (%s): %#v outside a transaction, %#v in one", i, cols[i].SQL, plain[i], inTx[i])
			}
		}
		// and what they are (the same on both databases)
		want := map[int]any{0: int64(5), 1: int64(-7), 2: 2.5, 3: float64(3), 4: "12.5000", 5: "0.1235", 6: "text é", 7: "42", 8: true, 9: false}
		for i, w := range want {
			if !reflect.DeepEqual(plain[i], w) {
				t.Errorf("column %d (%s): %#v, want %#v", i, cols[i].SQL, plain[i], w)
			}
		}
	})
}
