package query_test

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"webapi/store"
	"webapi/store/query"
	"webapi/store/storetest"
)

// TestScanPaths reads one row of every column type (and NULL, and values of other SQL types
// than the column's) outside a transaction and in one. On PostgreSQL the rows come from pgx and
// are scanned into slots; on SQLite they come from database/sql and are scanned into sql.Null*.
// Every value must be the same, and the same on both databases.
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
		utc := func(s string) time.Time {
			tm, err := time.Parse(time.RFC3339Nano, s)
			if err != nil {
				t.Fatal(err)
			}
			return tm.UTC()
		}
		want := []any{int64(5), int64(-7), 2.5, float64(3), "12.5000", "0.1235", "text é", "42", true, false,
			utc("2024-03-01T00:00:00Z"), utc("2024-03-01T08:11:12.5Z"), utc("2024-03-01T08:11:12.5Z"), nil,
			json.RawMessage(`{"a":[1,2]}`), nil, []string{"1", "20", "3"}, []string{},
			nil, nil, nil, nil, nil, nil, nil, nil, []string{}}
		for i, w := range want {
			if i == 13 { // created_at: a time of the last minute
				if tm, ok := plain[i].(time.Time); !ok || tm.Location() != time.UTC || time.Since(tm) > time.Minute {
					t.Errorf("column %d (%s): %#v, want a time of the last minute in UTC", i, cols[i].SQL, plain[i])
				}
				continue
			}
			if !reflect.DeepEqual(plain[i], w) {
				t.Errorf("column %d (%s): %#v, want %#v", i, cols[i].SQL, plain[i], w)
			}
		}
	})
}
