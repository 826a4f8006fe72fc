package query

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"webapi/store"
	"webapi/store/storetest"
)

// TestScanPaths reads one row of every column type (and NULL, and values of other SQL types
// than the column's) outside a transaction, in one, and on PostgreSQL also through database/sql.
// Rows of pgx (PostgreSQL) reach the slots from their wire bytes (pgrows.go; pgx's plans for
// the other types), rows of database/sql (SQLite, and that third read) through Scan. Every value must be the same each way, and the
// same on both databases.
func TestScanPaths(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		db := storetest.Open(t, b)
		ctx := context.Background()
		if err := db.Gorm.Exec("INSERT INTO organizations (name, enabled, created_at, updated_at) VALUES ('scan', TRUE, ?, ?)",
			db.TimeValue(Now()), db.TimeValue(Now())).Error; err != nil {
			t.Fatal(err)
		}
		utc := func(s string) time.Time {
			tm, err := time.Parse(time.RFC3339Nano, s)
			if err != nil {
				t.Fatal(err)
			}
			return tm.UTC()
		}
		cast := func(v, pgType string) string {
			if db.Dialect == store.Postgres {
				return "CAST(" + v + " AS " + pgType + ")"
			}
			return v
		}
		cols := []Column{
			{Expr: Expr{SQL: cast("5", "BIGINT")}, Type: Int},
			{Expr: Expr{SQL: cast("?", "BIGINT"), Args: []any{int64(-7)}}, Type: Int},
			{Expr: Expr{SQL: cast("2.5", "DOUBLE PRECISION")}, Type: Float},
			{Expr: Expr{SQL: cast("3", "BIGINT")}, Type: Float},
			{Expr: Expr{SQL: cast("12.5", "NUMERIC(19,4)")}, Type: Decimal},
			{Expr: Expr{SQL: "'0.12345'"}, Type: Decimal},
			{Expr: Expr{SQL: "'text é'"}, Type: Text},
			{Expr: Expr{SQL: cast("42", "BIGINT")}, Type: Text},
			{Expr: Expr{SQL: "TRUE"}, Type: Bool},
			{Expr: Expr{SQL: "1 = 0"}, Type: Bool},
			{Expr: Expr{SQL: cast("'2024-03-01'", "DATE")}, Type: Date},
			{Expr: Expr{SQL: cast("'2024-03-01 10:11:12.5+02:00'", "TIMESTAMPTZ")}, Type: DateTime},
			{Expr: Expr{SQL: "'2024-03-01 08:11:12.5'"}, Type: DateTime},
			{Expr: Expr{SQL: "t.created_at"}, Type: DateTime},
			{Expr: Expr{SQL: `'{"a":[1,2]}'`}, Type: JSON},
			{Expr: Expr{SQL: "'null'"}, Type: JSON},
			{Expr: Expr{SQL: "'1,20,3'"}, Type: IDList},
			{Expr: Expr{SQL: "''"}, Type: IDList},
		}
		for _, ty := range []Type{Int, Float, Decimal, Text, Bool, Date, DateTime, JSON, IDList} {
			cols = append(cols, Column{Expr: Expr{SQL: "NULL"}, Type: ty})
		}
		// omitted columns (not selected, their arguments not bound) are nil, an IDList too; the
		// columns after them are read as if they were not there
		for _, ty := range []Type{Int, Float, Decimal, Text, Bool, Date, DateTime, JSON, IDList} {
			cols = append(cols, Column{Expr: Expr{SQL: "no_such_column + ?", Args: []any{int64(1)}}, Type: ty, Omit: true})
		}
		cols = append(cols, Column{Expr: Expr{SQL: "'after'"}, Type: Text})
		// values of other types as text (what they are differs by database; each way the same)
		cols = append(cols, Column{Expr: Expr{SQL: cast("12.5", "NUMERIC(19,4)")}, Type: Text},
			Column{Expr: Expr{SQL: cast("2.25", "DOUBLE PRECISION")}, Type: Text},
			Column{Expr: Expr{SQL: "1 = 1"}, Type: Text})
		// the other integer and float widths, varchar, times before 2000 and before 1970 (whose
		// microseconds PostgreSQL sends negative), a time without zone
		more := len(cols)
		cols = append(cols, Column{Expr: Expr{SQL: cast("-70000", "INTEGER")}, Type: Int},
			Column{Expr: Expr{SQL: cast("-300", "SMALLINT")}, Type: Int},
			Column{Expr: Expr{SQL: cast("1.5", "REAL")}, Type: Float},
			Column{Expr: Expr{SQL: cast("'vé'", "VARCHAR(10)")}, Type: Text},
			Column{Expr: Expr{SQL: cast("'1999-12-31 23:59:59.999999+00:00'", "TIMESTAMPTZ")}, Type: DateTime},
			Column{Expr: Expr{SQL: cast("'1969-07-20 20:17:40.25+00:00'", "TIMESTAMPTZ")}, Type: DateTime},
			Column{Expr: Expr{SQL: cast("'2024-03-01 08:11:12.5'", "TIMESTAMP")}, Type: DateTime},
			Column{Expr: Expr{SQL: cast("'1969-07-20 20:17:40.25+00:00'", "TIMESTAMPTZ")}, Type: Text})
		wantMore := []any{int64(-70000), int64(-300), 1.5, "vé", utc("1999-12-31T23:59:59.999999Z"),
			utc("1969-07-20T20:17:40.25Z"), utc("2024-03-01T08:11:12.5Z")}
		read := func(ctx context.Context) (string, []any) {
			t.Helper()
			s := &Select{Table: "organizations", IDType: Int, Columns: cols, Where: []Expr{{SQL: "t.name = 'scan'"}}, Limit: -1}
			var id string
			var values []any
			err := Find(ctx, db, s, func(r Row) bool {
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
		if db.Dialect == store.Postgres {
			// the same select through database/sql, whose values reach the slots through Scan
			s := &Select{Table: "organizations", IDType: Int, Columns: cols, Where: []Expr{{SQL: "t.name = 'scan'"}}, Limit: -1}
			stmt, args := s.Statement(db.Dialect)
			rows, err := db.Gorm.Raw(stmt, args...).Rows()
			if err != nil {
				t.Fatal(err)
			}
			var viaSQL []any
			if err := s.scan(rows, func(r Row) bool { viaSQL = append([]any(nil), r.Values...); return true }); err != nil {
				t.Fatal(err)
			}
			_ = rows.Close()
			for i := range cols {
				if !reflect.DeepEqual(plain[i], viaSQL[i]) {
					t.Errorf("column %d (%s): %#v from pgx, %#v through database/sql", i, cols[i].SQL, plain[i], viaSQL[i])
				}
			}
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
		want := []any{int64(5), int64(-7), 2.5, float64(3), "12.5000", "0.1235", "text é", "42", true, false,
			utc("2024-03-01T00:00:00Z"), utc("2024-03-01T08:11:12.5Z"), utc("2024-03-01T08:11:12.5Z"), nil,
			json.RawMessage(`{"a":[1,2]}`), nil, []string{"1", "20", "3"}, []string{},
			nil, nil, nil, nil, nil, nil, nil, nil, []string{},
			nil, nil, nil, nil, nil, nil, nil, nil, nil, "after"}
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
		for i, w := range wantMore {
			if i += more; !reflect.DeepEqual(plain[i], w) {
				t.Errorf("column %d (%s): %#v, want %#v", i, cols[i].SQL, plain[i], w)
			}
		}
	})
}

// An infinite time (PostgreSQL's 'infinity' and '-infinity') is not a value of the API: reading
// one is an error, from the wire bytes as through pgx's plan (a timestamp without zone).
func TestScanInfiniteTime(t *testing.T) {
	t.Parallel()
	b, ok := storetest.Postgres(t)
	if !ok {
		return // SQLite has no infinite time
	}
	db := storetest.Open(t, b)
	for _, v := range []string{"CAST('infinity' AS TIMESTAMPTZ)", "CAST('-infinity' AS TIMESTAMPTZ)", "CAST('infinity' AS TIMESTAMP)"} {
		s := &Select{Table: "organizations", IDType: Int, Columns: []Column{{Expr: Expr{SQL: v}, Type: DateTime}}, Limit: -1}
		err := db.Tx(context.Background(), func(ctx context.Context) error {
			if err := db.Conn(ctx).Exec("INSERT INTO organizations (name, enabled, created_at, updated_at) VALUES ('inf', TRUE, ?, ?)", db.TimeValue(Now()), db.TimeValue(Now())).Error; err != nil {
				return err
			}
			return Find(ctx, db, s, func(Row) bool { return true })
		})
		if err == nil || !strings.Contains(err.Error(), "an infinite time") {
			t.Errorf("%s: %v, want an infinite time's error", v, err)
		}
	}
}
