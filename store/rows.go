package store

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"gorm.io/gorm"
)

// The engine's reads (a page, an item, included records) are the hot path of the server: they
// skip GORM's statement pipeline, which adds nothing to a statement that is SQL text and
// arguments already, and on PostgreSQL also database/sql, reading through pgx on the unit's
// own connection. Profiles of a loaded server showed the two layers costing about as much CPU
// as the query's own round trip. So do the writes that return their row (INSERT … RETURNING);
// the other writes keep going through GORM.

// Rows are the rows of QueryRows, valid during its callback.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// QueryRows runs a statement that returns rows (with ? for its arguments, as GORM's Raw takes
// them: a slice argument is a parenthesised list) on the connection of the unit of work in ctx,
// or on one of its own, and passes its rows to fn. A statement that writes (INSERT … RETURNING)
// is counted as GORM's are (TxWrites, Writes).
func (db *DB) QueryRows(ctx context.Context, query string, args []any, fn func(Rows) error) error {
	if writesRows(query) {
		db.countWrite(ctx, query)
	}
	query, args = db.bound(query, args)
	u := unitOf(ctx)
	if u == nil {
		return db.Run(ctx, func(ctx context.Context) error { return db.queryOn(ctx, unitOf(ctx), query, args, fn) })
	}
	return db.queryOn(ctx, u, query, args, fn)
}

// bound is a statement about to run, bound (Bind), told to OnQuery's function.
func (db *DB) bound(query string, args []any) (string, []any) {
	query, args = db.Bind(query, args)
	if f := db.onQuery.Load(); f != nil {
		(*f)(query)
	}
	return query, args
}

// queryOn runs a bound statement on the unit's connection: on PostgreSQL pgx directly, also in
// a transaction (database/sql runs the transaction's statements one at a time on the same
// connection, as this does between them), database/sql on SQLite.
func (db *DB) queryOn(ctx context.Context, u *unit, query string, args []any, fn func(Rows) error) error {
	if db.pgUnit(u) == nil {
		return queryPool(ctx, u.pool, query, args, fn)
	}
	return onPgConn(u, func(c *pgConn) error { return c.query(ctx, query, args, fn) })
}

// pgUnit is u when it is a unit of work on a PostgreSQL connection of the store's (pgConn),
// nil otherwise (SQLite, no unit).
func (db *DB) pgUnit(u *unit) *unit {
	if db.Dialect != Postgres || u == nil || u.conn == nil {
		return nil
	}
	return u
}

// onPgConn runs fn with the PostgreSQL connection of a unit of work.
func onPgConn(u *unit, fn func(c *pgConn) error) error {
	return u.conn.Raw(func(dc any) error {
		c, ok := dc.(*pgConn)
		if !ok {
			return fmt.Errorf("store: a PostgreSQL connection of %T, not the store's", dc)
		}
		return fn(c)
	})
}

// Exec runs a statement that returns no rows (with ? for its arguments, as QueryRows takes
// them). On PostgreSQL inside a unit of work it runs through pgx, as QueryRows does: GORM and
// database/sql made the statement of a search index row cost half as much again as its round
// trip. Elsewhere it runs through GORM, whose binding writes SQLite's times and decimals in
// their stored form. It is counted as GORM's statements are (TxWrites, Writes).
func (db *DB) Exec(ctx context.Context, query string, args []any) error {
	return db.exec(ctx, query, args, false)
}

// ExecLater is Exec for a statement whose caller needs nothing back from it (the search index
// row of a record written): on PostgreSQL inside a transaction it goes to the server with the
// transaction's next statement, or with its COMMIT, a round trip fewer. It runs before any
// later statement, as if sent at once; its error comes with that statement's result instead
// (or with the commit's, which then does not happen: the transaction fails as a whole).
func (db *DB) ExecLater(ctx context.Context, query string, args []any) error {
	return db.exec(ctx, query, args, InTx(ctx))
}

// exec is Exec, and ExecLater when later: the statement is queued where the transaction is the
// store's own (pgLazyTx, which alone sends what is queued), run at once elsewhere.
func (db *DB) exec(ctx context.Context, query string, args []any, later bool) error {
	u := db.pgUnit(unitOf(ctx))
	if u == nil {
		return db.Conn(ctx).Exec(query, args...).Error
	}
	db.countWrite(ctx, query)
	query, args = db.bound(query, args)
	return translateError(onPgConn(u, func(c *pgConn) error {
		if later && c.queue(query, args) {
			return nil
		}
		return c.exec(ctx, query, args)
	}))
}

// sendQueued sends now the statements ExecLater queued in the transaction ctx carries.
func (db *DB) sendQueued(ctx context.Context) error {
	u := db.pgUnit(unitOf(ctx))
	if u == nil {
		return nil
	}
	return translateError(onPgConn(u, func(c *pgConn) error { return c.flush(ctx) }))
}

// dropQueued forgets the statements ExecLater queued in the transaction ctx carries (they
// belong to a savepoint rolled back).
func (db *DB) dropQueued(ctx context.Context) {
	if u := db.pgUnit(unitOf(ctx)); u != nil {
		_ = onPgConn(u, func(c *pgConn) error {
			c.later = nil
			return nil
		})
	}
}

func queryPool(ctx context.Context, pool gorm.ConnPool, query string, args []any, fn func(Rows) error) error {
	rows, err := pool.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	if err := fn(rows); err != nil {
		return err
	}
	if err := rows.Close(); err != nil {
		return err
	}
	return rows.Err()
}

// OnQuery sets a function called with every statement QueryRows, and Exec through pgx, run,
// bound (tests count statements with it, as they count GORM's with its callbacks, and read what
// they say); nil removes it.
func (db *DB) OnQuery(f func(query string)) {
	if f == nil {
		db.onQuery.Store(nil)
		return
	}
	db.onQuery.Store(&f)
}

// Bind turns the ? of query into the dialect's placeholders ($1, $2 … on PostgreSQL),
// expanding a slice argument into a parenthesised list of its elements ((NULL) when empty), as
// GORM does. Byte slices (and JSON) are values, not lists. QueryRows binds what it is given; a
// statement bound already (numbered placeholders, its arguments each one value) passes
// through it as it is, so a caller may bind a statement once and keep it.
func (db *DB) Bind(query string, args []any) (string, []any) {
	if len(args) == 0 || !strings.Contains(query, "?") {
		return query, args
	}
	var sb strings.Builder
	sb.Grow(len(query) + 4*len(args))
	out := make([]any, 0, len(args))
	placeholder := func(v any) {
		out = append(out, v)
		if db.Dialect == Postgres {
			sb.WriteByte('$')
			sb.WriteString(strconv.Itoa(len(out)))
		} else {
			sb.WriteByte('?')
		}
	}
	for n := 0; n < len(args); n++ {
		i := strings.IndexByte(query, '?')
		if i < 0 {
			break
		}
		sb.WriteString(query[:i])
		query = query[i+1:]
		arg := args[n]
		list := listValues(arg)
		if list == nil {
			placeholder(arg)
			continue
		}
		sb.WriteByte('(')
		if len(list) == 0 {
			sb.WriteString("NULL")
		}
		for j, v := range list {
			if j > 0 {
				sb.WriteByte(',')
			}
			placeholder(v)
		}
		sb.WriteByte(')')
	}
	sb.WriteString(query)
	return sb.String(), out
}

// listValues returns the elements of a slice argument (nil when arg is a single value).
func listValues(arg any) []any {
	switch x := arg.(type) {
	case []any:
		if x == nil {
			return []any{}
		}
		return x
	case []byte, json.RawMessage, driver.Valuer, nil:
		return nil
	}
	v := reflect.ValueOf(arg)
	if v.Kind() != reflect.Slice && v.Kind() != reflect.Array {
		return nil
	}
	out := make([]any, v.Len())
	for i := range out {
		out[i] = v.Index(i).Interface()
	}
	return out
}
