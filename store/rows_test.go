package store

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestBind(t *testing.T) {
	for _, tc := range []struct {
		name     string
		dialect  Dialect
		query    string
		args     []any
		want     string
		wantArgs []any
	}{
		{"no arguments", Postgres, "SELECT 1", nil, "SELECT 1", nil},
		{"numbered in order", Postgres, "a = ? AND b = ?", []any{1, "x"}, "a = $1 AND b = $2", []any{1, "x"}},
		{"a list", Postgres, "id IN ? AND o = ?", []any{[]any{int64(1), int64(2)}, 3}, "id IN ($1,$2) AND o = $3", []any{int64(1), int64(2), 3}},
		{"an empty list", Postgres, "id IN ?", []any{[]any{}}, "id IN (NULL)", []any{}},
		{"typed lists", Postgres, "a IN ? OR b IN ?", []any{[]string{"x"}, []int64{7, 8}}, "a IN ($1) OR b IN ($2,$3)", []any{"x", int64(7), int64(8)}},
		{"bytes are a value", Postgres, "j = ?", []any{json.RawMessage(`{}`)}, "j = $1", []any{json.RawMessage(`{}`)}},
		{"SQLite keeps ?", SQLite, "id IN ? AND o = ?", []any{[]any{"a", "b"}, 3}, "id IN (?,?) AND o = ?", []any{"a", "b", 3}},
		{"bound already (kept by its caller)", Postgres, "id IN ($1) AND o = $2", []any{int64(1), 3}, "id IN ($1) AND o = $2", []any{int64(1), 3}},
		{"bound already on SQLite", SQLite, "id IN (?) AND o = ?", []any{"a", 3}, "id IN (?) AND o = ?", []any{"a", 3}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := &DB{Dialect: tc.dialect}
			got, gotArgs := db.Bind(tc.query, tc.args)
			if got != tc.want || !reflect.DeepEqual(gotArgs, tc.wantArgs) {
				t.Fatalf("Bind(%q, %v) = %q %v, want %q %v", tc.query, tc.args, got, gotArgs, tc.want, tc.wantArgs)
			}
		})
	}
}

func TestWritesRows(t *testing.T) {
	for sql, want := range map[string]bool{
		"SELECT 1": false,
		"INSERT INTO users (username) VALUES (?) RETURNING id":                                   true,
		" update users SET enabled = ? RETURNING id":                                             true,
		"DELETE FROM user_roles WHERE id = ? RETURNING id":                                       true,
		"WITH RECURSIVE division(id) AS (SELECT id FROM business_units) SELECT id FROM division": false,
		"WITH gone AS (DELETE FROM users WHERE id = ? RETURNING id) SELECT count(*) FROM gone":   true,
	} {
		if got := writesRows(sql); got != want {
			t.Errorf("writesRows(%q) = %v, want %v", sql, got, want)
		}
	}
	for sql, want := range map[string]bool{
		"UPDATE users SET enabled = ?":                 true,
		`INSERT INTO "user_user_roles" (a) VALUES (?)`: true,
		"UPDATE accounts SET name = ?":                 false,
		"UPDATE superusers SET x = 1":                  false,
		"DELETE FROM user_business_units_archive":      false,
		"UPDATE contacts SET owner_id = ? WHERE x IN (SELECT m.user_id FROM user_business_units m)": true,
	} {
		if got := namesAuthTable(sql); got != want {
			t.Errorf("namesAuthTable(%q) = %v, want %v", sql, got, want)
		}
	}
}
