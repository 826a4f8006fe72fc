// Package query builds and runs the SQL of the generic resource engine: selects with filters,
// sort and paging, counts, and the inserts, updates and deletes of writes. It works on column
// expressions and typed values only; public API names never reach it (the resource declarations
// in server/resources translate them).
package query

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"

	"webapi/store"
)

// Type is how a selected column is scanned and represented.
type Type uint8

// The column types and the Go values they produce (nil for NULL).
const (
	Int      Type = iota // int64
	Float                // float64
	Decimal              // string with four decimals ("12.5000")
	Text                 // string
	Bool                 // bool
	Date                 // time.Time (midnight UTC)
	DateTime             // time.Time (UTC)
	JSON                 // json.RawMessage
	IDList               // []string: a comma-separated aggregate of ids
)

// Expr is a piece of SQL with its arguments; `?` marks an argument.
type Expr struct {
	SQL  string
	Args []any
}

// Column is one selected expression.
type Column struct {
	Expr
	Type Type
	// Omit leaves the column out of the statement: its value is nil, whatever its type (not
	// that of NULL: an IDList's NULL is an empty list). A response that does not print it
	// spares the database sending it and the scan decoding it (a relationship page reads only
	// the ids of records with twenty columns).
	Omit bool
}

// Order is one sort key.
type Order struct {
	SQL  string
	Desc bool
	// NotNull: the expression is never NULL (the id). It is then ordered without a NULLS clause,
	// so that PostgreSQL can read it from its index (NULLS FIRST on an ascending key does not
	// match a default index, which would make every page sort the whole table).
	NotNull bool
}

// Select is a query of one table, aliased t. The id is always selected first.
type Select struct {
	Table   string
	IDType  Type // Int or Text
	Columns []Column
	Where   []Expr // combined with AND
	Order   []Order
	Limit   int // < 0: none
	Offset  int
	// Head is Head(Table, Columns), for callers that select the same columns on every request
	// and keep it; empty: built here.
	Head string
	// Keys selects the Order expressions too (Row.Keys), for a keyset scan: After then holds
	// the Keys of the last row read, and the next read continues after it.
	Keys  bool
	After []any
	// Lock locks the selected rows of t until the transaction ends (PostgreSQL; on SQLite the
	// transaction has the database's only write lock already).
	Lock Lock
	// Text, when set, is the whole statement, bound already (store.DB.Bind), and Args its
	// arguments: a statement its caller wrote once and keeps. Columns still say what it
	// selects; the other fields are not used.
	Text string
	Args []any
}

// Lock is a row lock a select takes.
type Lock uint8

// The row locks.
const (
	NoLock Lock = iota
	// ForUpdate: the rows are about to change (not their ids); other writers of them wait,
	// transactions that only reference them do not.
	ForUpdate
	// ForShare: the rows must keep existing (they are referenced); deleting them waits.
	ForShare
	// ForDelete: the rows are about to go; writers and transactions that reference them wait.
	ForDelete
)

// Head returns the "SELECT t.id, … FROM table t" part of a select of cols from table.
func Head(table string, cols []Column) string {
	var sb strings.Builder
	writeHead(&sb, table, cols)
	return sb.String()
}

func writeHead(sb *strings.Builder, table string, cols []Column) {
	sb.WriteString("SELECT t.id")
	for _, c := range cols {
		if c.Omit {
			continue
		}
		sb.WriteString(", ")
		sb.WriteString(c.SQL)
	}
	sb.WriteString(" FROM ")
	sb.WriteString(table)
	sb.WriteString(" t")
}

// Row is one result: the id (as a string), the column values in Select order and, with
// Select.Keys, the values of the Order expressions. Values and Keys are reused for the next row
// (and Values by the next scan, see scanBuf): they are valid only during the call that receives
// the row.
type Row struct {
	ID     string
	Values []any
	Keys   []any
}

// Find runs the select and passes each row to fn until fn returns false.
func Find(ctx context.Context, db *store.DB, s *Select, fn func(Row) bool) error {
	stmt, args := s.Statement(db.Dialect)
	return db.QueryRows(ctx, stmt, args, func(rows store.Rows) error { return s.scan(rows, fn) })
}

// scan passes the rows of the select to fn until fn returns false. Every column is scanned
// into a slot (slot.go), from pgx's wire bytes on PostgreSQL (pgrows.go) and through
// database/sql's Scan on SQLite; the order keys of a keyset scan (Select.Keys) as the driver
// gives them, since they are arguments of the next read.
func (s *Select) scan(rows store.Rows, fn func(Row) bool) error {
	b := takeScanBuf(len(s.Columns)+1, len(s.Columns))
	defer b.release()
	slots, values := b.slots, b.values
	dest := append(b.dest, &slots[0])
	for i, c := range s.Columns {
		if !c.Omit {
			dest = append(dest, &slots[i+1]) // an omitted column's slot stays NULL
		}
	}
	var keys []any
	if s.Keys {
		keys = make([]any, len(s.Order))
		for i := range keys {
			dest = append(dest, &keys[i])
		}
	}
	b.dest = dest[:0]
	pg, _ := rows.(pgx.Rows)
	b.pg.rows = pg
	for rows.Next() {
		var err error
		if pg != nil {
			err = b.pg.scan(dest)
		} else {
			err = rows.Scan(dest...)
		}
		if err != nil {
			return err
		}
		for i, c := range s.Columns {
			if c.Omit {
				values[i] = nil // an omitted IDList made an empty list per row, allocated
				continue
			}
			v, err := slots[i+1].value(c.Type)
			if err != nil {
				return fmt.Errorf("column %d of %s: %w", i, s.Table, err)
			}
			values[i] = v
		}
		if !fn(Row{ID: slots[0].id(), Values: values, Keys: keys}) {
			break
		}
	}
	return rows.Err()
}

// scanBuf is what scan needs besides the rows: the slots, the scan destinations (pointers to
// the slots) and the row's values. A request for one record allocated them afresh, about a
// tenth of its bytes; they are pooled instead, since no row outlives its scan.
type scanBuf struct {
	slots        []slot
	dest, values []any
	pg           pgxRows
}

var scanBufs = sync.Pool{New: func() any { return new(scanBuf) }}

// takeScanBuf is a pooled scanBuf with n NULL slots, v values and no destinations.
func takeScanBuf(n, v int) *scanBuf {
	b := scanBufs.Get().(*scanBuf)
	if cap(b.slots) < n {
		b.slots, b.dest = make([]slot, n), make([]any, 0, n+4)
	}
	if cap(b.values) < v {
		b.values = make([]any, v)
	}
	b.slots, b.values = b.slots[:n], b.values[:v]
	return b
}

// release clears what the buffer refers to (the last row's strings and values) and pools it.
func (b *scanBuf) release() {
	clear(b.slots)
	clear(b.values)
	clear(b.dest[:cap(b.dest)])
	clear(b.pg.cols) // pgx's plans refer to the connection's type map
	b.pg.rows, b.pg.cols = nil, b.pg.cols[:0]
	scanBufs.Put(b)
}

// Statement is the SQL text and the arguments of the select on dialect d. The text and the
// arguments are each allocated once, at their final size: growing them piece by piece was a
// tenth of the bytes a request for one record allocated.
func (s *Select) Statement(d store.Dialect) (string, []any) {
	if s.Text != "" {
		return s.Text, s.Args
	}
	where := s.Where
	if s.After != nil {
		where = append(where[:len(where):len(where)], after(s.Order, s.After))
	}
	size, nargs := len(s.Head)+len(s.Table)+64, 0
	for _, c := range s.Columns {
		if !c.Omit {
			size, nargs = size+len(c.SQL)+2, nargs+len(c.Args)
		}
	}
	for _, w := range where {
		size, nargs = size+len(w.SQL)+7, nargs+len(w.Args)
	}
	for _, o := range s.Order {
		size += 2*len(o.SQL) + 20 // with Keys, the expression is selected too
	}
	var sb strings.Builder
	sb.Grow(size)
	args := make([]any, 0, nargs)
	for _, c := range s.Columns {
		if !c.Omit {
			args = append(args, c.Args...)
		}
	}
	switch {
	case s.Keys:
		cols := s.Columns
		for _, o := range s.Order {
			cols = append(cols[:len(cols):len(cols)], Column{Expr: Expr{SQL: o.SQL}})
		}
		writeHead(&sb, s.Table, cols)
	case s.Head != "":
		sb.WriteString(s.Head)
	default:
		writeHead(&sb, s.Table, s.Columns)
	}
	args = appendWhere(&sb, args, where)
	if len(s.Order) > 0 {
		sb.WriteString(" ORDER BY ")
		for i, o := range s.Order {
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString(o.SQL)
			// NULL sorts as the smallest value on both databases (PostgreSQL's default is the
			// opposite), so results are identical.
			if o.NotNull {
				if o.Desc {
					sb.WriteString(" DESC")
				}
			} else if o.Desc {
				sb.WriteString(" DESC NULLS LAST")
			} else {
				sb.WriteString(" ASC NULLS FIRST")
			}
		}
	}
	switch {
	case s.Limit >= 0:
		sb.WriteString(" LIMIT " + itoa(s.Limit))
		if s.Offset > 0 {
			sb.WriteString(" OFFSET " + itoa(s.Offset))
		}
	case s.Offset > 0 && d == store.SQLite:
		sb.WriteString(" LIMIT -1 OFFSET " + itoa(s.Offset))
	case s.Offset > 0:
		sb.WriteString(" OFFSET " + itoa(s.Offset))
	}
	if d == store.Postgres {
		switch s.Lock {
		case ForUpdate:
			sb.WriteString(" FOR NO KEY UPDATE OF t")
		case ForShare:
			sb.WriteString(" FOR KEY SHARE OF t")
		case ForDelete:
			sb.WriteString(" FOR UPDATE OF t")
		}
	}
	return sb.String(), args
}

// after is the keyset condition "the row comes after the row whose order keys are last", in
// the order Find writes: NULL is the smallest value (first ascending, last descending).
func after(order []Order, last []any) Expr {
	var sb strings.Builder
	var args []any
	for i, o := range order {
		if i > 0 {
			sb.WriteString(" OR ")
		}
		sb.WriteString("(")
		for j := 0; j < i; j++ {
			if last[j] == nil {
				sb.WriteString(order[j].SQL + " IS NULL AND ")
			} else {
				sb.WriteString(order[j].SQL + " = ? AND ")
				args = append(args, last[j])
			}
		}
		switch v := last[i]; {
		case !o.Desc && v == nil:
			sb.WriteString(o.SQL + " IS NOT NULL")
		case !o.Desc:
			sb.WriteString(o.SQL + " > ?")
			args = append(args, v)
		case v == nil:
			sb.WriteString("1 = 0") // nothing comes after NULL, the last value descending
		case o.NotNull:
			sb.WriteString(o.SQL + " < ?")
			args = append(args, v)
		default:
			sb.WriteString("(" + o.SQL + " < ? OR " + o.SQL + " IS NULL)")
			args = append(args, v)
		}
		sb.WriteString(")")
	}
	return Expr{SQL: sb.String(), Args: args}
}

// Count returns the number of rows of the table that match where.
func Count(ctx context.Context, db *store.DB, table string, where []Expr) (int, error) {
	stmt, args := countStatement(table, where)
	var n int64
	err := db.QueryRows(ctx, stmt, args, func(rows store.Rows) error {
		if !rows.Next() {
			return rows.Err()
		}
		return rows.Scan(&n)
	})
	return int(n), err
}

// countStatement is the SQL text and the arguments of Count.
func countStatement(table string, where []Expr) (string, []any) {
	var sb strings.Builder
	sb.WriteString("SELECT COUNT(*) FROM ")
	sb.WriteString(table)
	sb.WriteString(" t")
	args := appendWhere(&sb, nil, where)
	return sb.String(), args
}

func appendWhere(sb *strings.Builder, args []any, where []Expr) []any {
	for i, w := range where {
		if i == 0 {
			sb.WriteString(" WHERE ")
		} else {
			sb.WriteString(" AND ")
		}
		sb.WriteString("(")
		sb.WriteString(w.SQL)
		sb.WriteString(")")
		args = append(args, w.Args...)
	}
	return args
}

func idString(v any) string {
	switch x := v.(type) {
	case int64:
		return strconv.FormatInt(x, 10)
	case []byte:
		return string(x)
	case string:
		return x
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}
