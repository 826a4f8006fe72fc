package query

import (
	"context"
	"strconv"
	"strings"

	"webapi/store"
)

func itoa(n int) string { return strconv.Itoa(n) }

// Insert adds a row and returns its id. An explicit id may be among the columns.
func Insert(ctx context.Context, db *store.DB, table string, cols []string, vals []any) (string, error) {
	var id any
	if err := db.Conn(ctx).Raw(insertStatement(table, cols), vals...).Row().Scan(&id); err != nil {
		return "", err
	}
	return idString(id), nil
}

// insertStatement is the SQL text of Insert: one argument per column.
func insertStatement(table string, cols []string) string {
	var sb strings.Builder
	sb.WriteString("INSERT INTO ")
	sb.WriteString(table)
	sb.WriteString(" (")
	sb.WriteString(strings.Join(cols, ", "))
	sb.WriteString(") VALUES (")
	for i := range cols {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString("?")
	}
	sb.WriteString(") RETURNING id")
	return sb.String()
}

// Update sets columns of the row with the given id.
func Update(ctx context.Context, db *store.DB, table string, id any, cols []string, vals []any) error {
	if len(cols) == 0 {
		return nil
	}
	return db.Conn(ctx).Exec(updateStatement(table, cols), append(vals, id)...).Error
}

// updateStatement is the SQL text of Update: one argument per column, then the id.
func updateStatement(table string, cols []string) string {
	var sb strings.Builder
	sb.WriteString("UPDATE ")
	sb.WriteString(table)
	sb.WriteString(" SET ")
	for i, c := range cols {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(c)
		sb.WriteString(" = ?")
	}
	sb.WriteString(" WHERE id = ?")
	return sb.String()
}

// Delete removes rows by id.
func Delete(ctx context.Context, db *store.DB, table string, ids []any) error {
	return db.Conn(ctx).Exec("DELETE FROM "+table+" WHERE id IN ?", ids).Error
}

// SetLinks replaces the related ids of one row in a join table.
func SetLinks(ctx context.Context, db *store.DB, l Link, own any, ids []any) error {
	conn := db.Conn(ctx)
	if err := conn.Exec("DELETE FROM "+l.Table+" WHERE "+l.Own+" = ?", own).Error; err != nil {
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
	q := "UPDATE " + l.Table + " SET " + l.Own + " = NULL WHERE " + l.Own + " = ?"
	args := []any{own}
	if len(ids) > 0 {
		q += " AND " + l.Other + " NOT IN ?"
		args = append(args, ids)
	}
	if err := conn.Exec(q, args...).Error; err != nil {
		return err
	}
	if len(ids) == 0 {
		return nil
	}
	return conn.Exec("UPDATE "+l.Table+" SET "+l.Own+" = ? WHERE "+l.Other+" IN ?", own, ids).Error
}
