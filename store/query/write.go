package query

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"webapi/store"
)

func itoa(n int) string { return strconv.Itoa(n) }

// Insert adds a row and returns its id. An explicit id may be among the columns.
func Insert(ctx context.Context, db *store.DB, table string, cols []string, vals []any) (string, error) {
	var id any
	if err := db.Conn(ctx).Raw(insertStatement(table, "", cols)+" RETURNING id", vals...).Row().Scan(&id); err != nil {
		return "", err
	}
	return idString(id), nil
}

// InsertMany inserts rows (each with a value per column) with multi-row statements of at most
// a few thousand arguments each, and returns their ids in the order of rows. Both databases
// return the rows of one INSERT … VALUES … RETURNING in the order of its VALUES (as GORM's
// batch create relies on too).
func InsertMany(ctx context.Context, db *store.DB, table string, cols []string, rows [][]any) ([]string, error) {
	ids := make([]string, 0, len(rows))
	per := max(1, 4000/max(1, len(cols)))
	for start := 0; start < len(rows); start += per {
		part := rows[start:min(start+per, len(rows))]
		one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
		var sb strings.Builder
		sb.WriteString("INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES ")
		args := make([]any, 0, len(part)*len(cols))
		for i, r := range part {
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString(one)
			args = append(args, r...)
		}
		sb.WriteString(" RETURNING id")
		res, err := db.Conn(ctx).Raw(sb.String(), args...).Rows()
		if err != nil {
			return nil, err
		}
		for res.Next() {
			var id any
			if err := res.Scan(&id); err != nil {
				res.Close()
				return nil, err
			}
			ids = append(ids, idString(id))
		}
		res.Close()
		if err := res.Err(); err != nil {
			return nil, err
		}
	}
	if len(ids) != len(rows) {
		return nil, fmt.Errorf("query: %d rows inserted into %s, %d ids returned", len(rows), table, len(ids))
	}
	return ids, nil
}

// insertStatement is the SQL text of an insert into table (named alias, unless empty): one
// argument per column.
func insertStatement(table, alias string, cols []string) string {
	var sb strings.Builder
	sb.WriteString("INSERT INTO ")
	sb.WriteString(table)
	if alias != "" {
		sb.WriteString(" AS ")
		sb.WriteString(alias)
	}
	sb.WriteString(" (")
	sb.WriteString(strings.Join(cols, ", "))
	sb.WriteString(") VALUES (")
	for i := range cols {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString("?")
	}
	sb.WriteString(")")
	return sb.String()
}

// Update sets columns of the row with the given id, if the row (alias t) meets only (the
// caller's access: empty for none), and reports whether it did.
func Update(ctx context.Context, db *store.DB, table string, id any, cols []string, vals []any, only Expr) (bool, error) {
	if len(cols) == 0 {
		return true, nil
	}
	args := append(append(vals[:len(vals):len(vals)], id), only.Args...)
	res := db.Conn(ctx).Exec(updateStatement(table, cols, only.SQL), args...)
	return res.RowsAffected > 0, res.Error
}

// updateStatement is the SQL text of Update: one argument per column, then the id, then the
// condition's.
func updateStatement(table string, cols []string, only string) string {
	var sb strings.Builder
	sb.WriteString("UPDATE ")
	sb.WriteString(table)
	sb.WriteString(" AS t SET ")
	for i, c := range cols {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(c)
		sb.WriteString(" = ?")
	}
	sb.WriteString(" WHERE t.id = ?")
	if only != "" {
		sb.WriteString(" AND (" + only + ")")
	}
	return sb.String()
}

// Delete removes the rows with the given ids that meet only (alias t; empty for none), and
// reports how many it removed.
func Delete(ctx context.Context, db *store.DB, table string, ids []any, only Expr) (int64, error) {
	q := "DELETE FROM " + table + " AS t WHERE t.id IN ?"
	if only.SQL != "" {
		q += " AND (" + only.SQL + ")"
	}
	res := db.Conn(ctx).Exec(q, append([]any{ids}, only.Args...)...)
	return res.RowsAffected, res.Error
}

// SetLinks replaces the related ids of one row in a join table: the rows that meet l.Only (the
// related records the caller may see) go, the ids given come; the others stay.
func SetLinks(ctx context.Context, db *store.DB, l Link, own any, ids []any) error {
	q := "DELETE FROM " + l.Table + " AS l WHERE l." + l.Own + " = ?"
	if l.Only.SQL != "" {
		q += " AND (" + l.Only.SQL + ")"
	}
	if err := db.Conn(ctx).Exec(q, append([]any{own}, l.Only.Args...)...).Error; err != nil {
		return err
	}
	return AddLinks(ctx, db, l, own, ids)
}

// linkChunk bounds the rows of one insert into a join table (two parameters each, well within
// both databases' parameter limits).
const linkChunk = 500

// AddLinks adds related ids to a join table, skipping those already there (also those a
// concurrent transaction adds at the same moment: the join table's primary key decides).
func AddLinks(ctx context.Context, db *store.DB, l Link, own any, ids []any) error {
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), linkChunk)]
		ids = ids[len(chunk):]
		var sb strings.Builder
		sb.WriteString("INSERT INTO " + l.Table + " (" + l.Own + ", " + l.Other + ") VALUES ")
		args := make([]any, 0, 2*len(chunk))
		for i, id := range chunk {
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString("(?, ?)")
			args = append(args, own, id)
		}
		sb.WriteString(" ON CONFLICT DO NOTHING")
		if err := db.Conn(ctx).Exec(sb.String(), args...).Error; err != nil {
			return err
		}
	}
	return nil
}

// SetForeignKey points the rows of Link.Table with the given ids at own through their foreign
// key column (Link.Own), and unlinks the other rows that pointed at it. It writes an inverse
// to-many association stored as a foreign key on the related table.
func SetForeignKey(ctx context.Context, db *store.DB, l Link, own any, ids []any) error {
	conn := db.Conn(ctx)
	// only the rows that meet l.Only (those the caller may see) are unlinked
	q := "UPDATE " + l.Table + " AS l SET " + l.Own + " = NULL WHERE l." + l.Own + " = ?"
	args := []any{own}
	if len(ids) > 0 {
		q += " AND l." + l.Other + " NOT IN ?"
		args = append(args, ids)
	}
	if l.Only.SQL != "" {
		q += " AND (" + l.Only.SQL + ")"
		args = append(args, l.Only.Args...)
	}
	if err := conn.Exec(q, args...).Error; err != nil {
		return err
	}
	if len(ids) == 0 {
		return nil
	}
	return conn.Exec("UPDATE "+l.Table+" SET "+l.Own+" = ? WHERE "+l.Other+" IN ?", own, ids).Error
}

// InsertReturning inserts a row as Insert does and returns it as Find would read it with the
// given columns, in the same statement. On PostgreSQL the columns are a select's (alias t,
// with their arguments; subqueries see the database as it was before the statement). SQLite's
// RETURNING does not know the alias: there they must be plain columns of the table ("t.name")
// or constants (NULL).
func InsertReturning(ctx context.Context, db *store.DB, table string, cols []string, vals []any, ret *Returned) (Row, error) {
	alias := ""
	if db.Dialect == store.Postgres {
		alias = "t"
	}
	stmt := insertStatement(table, alias, cols) + " RETURNING " + ret.list
	row, found, err := returning(ctx, db, table, stmt, withColumnArgs(vals, ret.Columns), ret.Columns)
	if err == nil && !found {
		err = sql.ErrNoRows
	}
	return row, err
}

// UpdateReturning is Update that also returns the row as updated, read with the given columns
// as InsertReturning reads them (false when no row was updated).
func UpdateReturning(ctx context.Context, db *store.DB, table string, id any, cols []string, vals []any, only Expr, ret *Returned) (Row, bool, error) {
	stmt := updateStatement(table, cols, only.SQL) + " RETURNING " + ret.list
	args := append(append(vals[:len(vals):len(vals)], id), only.Args...)
	return returning(ctx, db, table, stmt, withColumnArgs(args, ret.Columns), ret.Columns)
}

// Returned is what a write returns (InsertReturning, UpdateReturning): its columns, and their
// RETURNING list, written once: a caller keeps it for the writes of a type, and each write
// spent as much on writing the list again (linkage subqueries, a kilobyte or two) as on the
// rest of its statement.
type Returned struct {
	Columns []Column
	list    string
}

// NewReturned is the Returned of columns on dialect d.
func NewReturned(d store.Dialect, columns []Column) *Returned {
	return &Returned{Columns: columns, list: returningList(d, columns)}
}

// returningList is the RETURNING list of the id and columns: as they are on PostgreSQL, named
// without the alias t on SQLite (plain columns of the table there).
func returningList(d store.Dialect, columns []Column) string {
	var sb strings.Builder
	if d == store.Postgres {
		sb.WriteString("t.id")
	} else {
		sb.WriteString("id")
	}
	for _, c := range columns {
		sb.WriteString(", ")
		if d == store.Postgres {
			sb.WriteString(c.Expr.SQL)
		} else {
			sb.WriteString(strings.TrimPrefix(c.Expr.SQL, "t."))
		}
	}
	return sb.String()
}

// withColumnArgs is args followed by the arguments of the columns (those of a RETURNING list,
// which follows the rest of the statement).
func withColumnArgs(args []any, columns []Column) []any {
	out := args[:len(args):len(args)]
	for _, c := range columns {
		out = append(out, c.Args...)
	}
	return out
}

// returning runs a write that returns the id and columns of at most one row, read as a select
// of those columns is.
func returning(ctx context.Context, db *store.DB, table, stmt string, args []any, columns []Column) (Row, bool, error) {
	var (
		row   Row
		found bool
	)
	sel := &Select{Table: table, Columns: columns}
	err := db.QueryRows(ctx, stmt, args, func(rows store.Rows) error {
		return sel.scan(rows, func(r Row) bool {
			row, found = Row{ID: r.ID, Values: slices.Clone(r.Values)}, true // r's values are the scan's own
			return true
		})
	})
	if err != nil {
		return Row{}, false, err
	}
	return row, found, nil
}
