package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// The rows of the asynchronous batch API (api.md section 12): an operation, its chunks (the
// stored request), the errors of its records and the shared included records it wrote. What a
// chunk adds to its operation is counted with increments in the chunk's own transaction, so
// that the totals are exact whichever chunks commit at the same time.

// ChunkCounts is what writing one chunk did.
type ChunkCounts struct {
	Read, Write, Create, Update, Errors int
}

// AsyncError is one error of an operation's records.
type AsyncError struct {
	Status       int
	Title        string
	Detail       string
	Pointer      string
	PropertyPath string
}

// OperationState is what a worker needs of an operation.
type OperationState struct {
	ID             int64
	Status         string
	EntityType     string
	OwnerID        int64
	OrganizationID int64
	StartedAt      *time.Time
}

// CreateOperation stores a new operation on records of entityType with its chunks (the
// payloads, in order; chunk numbers start at 1), in the transaction ctx carries.
func (db *DB) CreateOperation(ctx context.Context, entityType string, ownerID, organizationID int64, payloads [][]byte) (int64, error) {
	op := AsyncOperation{Status: AsyncNew, EntityType: entityType, OwnerID: ownerID, OrganizationID: organizationID}
	conn := db.Conn(ctx)
	if err := conn.Create(&op).Error; err != nil {
		return 0, err
	}
	if err := conn.Exec("UPDATE async_operations SET chunk_count = ? WHERE id = ?", len(payloads), op.ID).Error; err != nil {
		return 0, err
	}
	rows := make([][]any, len(payloads))
	for i, p := range payloads {
		rows[i] = []any{op.ID, i + 1, string(p)}
	}
	if err := db.insertValues(ctx, "async_operation_chunks", "operation_id, chunk, payload", rows); err != nil {
		return 0, err
	}
	return op.ID, nil
}

// Operation reads the state of an operation; nil when there is none.
func (db *DB) Operation(ctx context.Context, id int64) (*OperationState, error) {
	var st OperationState
	started := db.nullTime()
	err := db.Run(ctx, func(ctx context.Context) error {
		return db.Conn(ctx).Raw("SELECT id, status, entity_type, owner_id, organization_id, started_at FROM async_operations WHERE id = ?", id).Row().
			Scan(&st.ID, &st.Status, &st.EntityType, &st.OwnerID, &st.OrganizationID, started)
	})
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, nil
	case err != nil:
		return nil, err
	}
	if st.StartedAt, err = started.value(); err != nil {
		return nil, fmt.Errorf("store: started_at of operation %d: %w", id, err)
	}
	return &st, nil
}

// StartOperation marks a new operation running (a conditional write: of workers starting
// chunks at once, one sets the start time).
func (db *DB) StartOperation(ctx context.Context, id int64, now time.Time) error {
	return db.Tx(ctx, func(ctx context.Context) error {
		return db.Conn(ctx).Exec("UPDATE async_operations SET status = ?, started_at = ?, progress = ?, updated_at = ? WHERE id = ? AND status = ?",
			AsyncRunning, timeValue(db.Dialect, now), decimal.Zero, timeValue(db.Dialect, now), id, AsyncNew).Error
	})
}

// LockChunk reads a chunk's payload and whether it is done, and keeps other transactions from
// processing it until this one ends. Call it inside Tx.
func (db *DB) LockChunk(ctx context.Context, op int64, chunk int) (payload []byte, done bool, err error) {
	lock := ""
	if db.Dialect == Postgres {
		lock = " FOR UPDATE"
	}
	var p string
	var d int
	err = db.Conn(ctx).Raw("SELECT payload, done FROM async_operation_chunks WHERE operation_id = ? AND chunk = ?"+lock, op, chunk).Row().Scan(&p, &d)
	if err != nil {
		return nil, false, err
	}
	return []byte(p), d != 0, nil
}

// FinishChunk records the errors and counts of a chunk, marks it done, and finishes the
// operation when it was the last one; it reports whether it was. Call it inside Tx, after the
// chunk's records are written.
func (db *DB) FinishChunk(ctx context.Context, op int64, chunk int, c ChunkCounts, errs []AsyncError, now time.Time) (bool, error) {
	conn := db.Conn(ctx)
	if err := db.insertErrors(ctx, op, chunk, errs); err != nil {
		return false, err
	}
	if err := conn.Exec("UPDATE async_operation_chunks SET done = 1 WHERE operation_id = ? AND chunk = ?", op, chunk).Error; err != nil {
		return false, err
	}
	// the increment and the totals it leads to, read in one statement under the row's lock
	var t struct{ done, count, read, write, create, update, errors int64 }
	started := db.nullTime()
	row := conn.Raw(`UPDATE async_operations SET chunks_done = chunks_done + 1, read_count = read_count + ?,
		write_count = write_count + ?, create_count = create_count + ?, update_count = update_count + ?,
		error_count = error_count + ? WHERE id = ?
		RETURNING chunks_done, chunk_count, read_count, write_count, create_count, update_count, error_count, started_at`,
		c.Read, c.Write, c.Create, c.Update, c.Errors, op).Row()
	if err := row.Scan(&t.done, &t.count, &t.read, &t.write, &t.create, &t.update, &t.errors, started); err != nil {
		return false, err
	}
	start := now
	if s, err := started.value(); err == nil && s != nil {
		start = *s
	}
	elapsed := int64(now.Sub(start) / time.Second)
	progress := decimal.NewFromInt(t.done).Div(decimal.NewFromInt(max(t.count, 1))).Round(4)
	if t.done < t.count {
		return false, conn.Exec("UPDATE async_operations SET progress = ?, elapsed_time = ?, updated_at = ? WHERE id = ?",
			progress, elapsed, timeValue(db.Dialect, now), op).Error
	}
	summary, err := json.Marshal(map[string]int64{"aggregateTime": now.Sub(start).Milliseconds(), "readCount": t.read,
		"writeCount": t.write, "errorCount": t.errors, "createCount": t.create, "updateCount": t.update})
	if err != nil {
		return false, err
	}
	return true, conn.Exec("UPDATE async_operations SET status = ?, progress = ?, elapsed_time = ?, summary = ?, finished_at = ?, updated_at = ? WHERE id = ?",
		AsyncSuccess, progress, elapsed, string(summary), timeValue(db.Dialect, now), timeValue(db.Dialect, now), op).Error
}

// insertErrors stores the errors of a chunk, numbered from 1 in their order.
func (db *DB) insertErrors(ctx context.Context, op int64, chunk int, errs []AsyncError) error {
	rows := make([][]any, len(errs))
	for i, e := range errs {
		src := map[string]string{}
		if e.Pointer != "" {
			src["pointer"] = e.Pointer
		}
		if e.PropertyPath != "" {
			src["propertyPath"] = e.PropertyPath
		}
		var source any
		if len(src) > 0 {
			j, err := json.Marshal(src)
			if err != nil {
				return err
			}
			source = string(j)
		}
		n := i + 1
		rows[i] = []any{fmt.Sprintf("%d-%d-%d", op, chunk, n), op, chunk, n, e.Status, e.Title, e.Detail, source}
	}
	return db.insertValues(ctx, "async_operation_errors", "id, operation_id, chunk, n, status, title, detail, source", rows)
}

// insertValues inserts rows into table with multi-row statements of at most a few thousand
// arguments each (databases bound a statement's parameters). Call it inside Tx.
func (db *DB) insertValues(ctx context.Context, table, cols string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	return db.insertRows(ctx, table, cols, "("+strings.TrimSuffix(strings.Repeat("?, ", len(rows[0])), ", ")+")", "", rows)
}

// insertRows is insertValues with each row's placeholders (one, such as "(?, ?::jsonb)") and a
// clause after the values (ON CONFLICT …).
func (db *DB) insertRows(ctx context.Context, table, cols, one, suffix string, rows [][]any) error {
	return db.insertRowsWith(ctx, db.Exec, table, cols, one, suffix, rows)
}

// insertRowsWith is insertRows running its statements with exec (DB.Exec or DB.ExecLater).
func (db *DB) insertRowsWith(ctx context.Context, exec func(context.Context, string, []any) error, table, cols, one, suffix string, rows [][]any) error {
	width := len(rows[0])
	per := max(1, 4000/width)
	for start := 0; start < len(rows); start += per {
		part := rows[start:min(start+per, len(rows))]
		var b strings.Builder
		b.WriteString("INSERT INTO " + table + " (" + cols + ") VALUES ")
		args := make([]any, 0, width*len(part))
		for i, r := range part {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(one)
			args = append(args, r...)
		}
		b.WriteString(suffix)
		if err := exec(ctx, b.String(), args); err != nil {
			return err
		}
	}
	return nil
}

// FailOperation ends an operation that cannot be processed as a whole (api.md section 12): status
// failed, one error titled "async operation exception", errorCount 1. An operation that has
// ended already is left as it is.
func (db *DB) FailOperation(ctx context.Context, op int64, detail string, now time.Time) error {
	return db.Tx(ctx, func(ctx context.Context) error {
		conn := db.Conn(ctx)
		res := conn.Exec("UPDATE async_operations SET status = ?, summary = ?, finished_at = ?, updated_at = ?, error_count = 1 WHERE id = ? AND status IN (?, ?)",
			AsyncFailed, `{"aggregateTime":0,"readCount":0,"writeCount":0,"errorCount":1,"createCount":0,"updateCount":0}`,
			timeValue(db.Dialect, now), timeValue(db.Dialect, now), op, AsyncNew, AsyncRunning)
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		// the records some chunks may have written stay; their errors give way to the one that
		// says why the operation failed
		if err := conn.Exec("DELETE FROM async_operation_errors WHERE operation_id = ?", op).Error; err != nil {
			return err
		}
		return db.insertErrors(ctx, op, 0, []AsyncError{{Status: 500, Title: "async operation exception", Detail: detail}})
	})
}

// OperationIncludes returns the ids written for the shared included resources at the positions
// given, by the chunks of op that have committed (and the transaction ctx carries).
func (db *DB) OperationIncludes(ctx context.Context, op int64, ats []int) (map[int]string, error) {
	out := map[int]string{}
	for start := 0; start < len(ats); start += 500 {
		part := ats[start:min(start+500, len(ats))]
		rows, err := db.Conn(ctx).Raw("SELECT included_index, real_id FROM async_operation_includes WHERE operation_id = ? AND included_index IN ?", op, part).Rows()
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var at int
			var id string
			if err := rows.Scan(&at, &id); err != nil {
				rows.Close()
				return nil, err
			}
			out[at] = id
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// KeepOperationIncludes records the ids written for shared included resources. Call it inside Tx.
func (db *DB) KeepOperationIncludes(ctx context.Context, op int64, ids map[int]string) error {
	rows := make([][]any, 0, len(ids))
	for at, id := range ids {
		rows = append(rows, []any{op, at, id})
	}
	return db.insertValues(ctx, "async_operation_includes", "operation_id, included_index, real_id", rows)
}

// PurgeOperations deletes at most limit operations created before `before` (with their chunks,
// errors and shared records by cascade) and returns how many.
func (db *DB) PurgeOperations(ctx context.Context, before time.Time, limit int) (int64, error) {
	var n int64
	err := db.Tx(ctx, func(ctx context.Context) error {
		res := db.Conn(ctx).Exec("DELETE FROM async_operations WHERE id IN (SELECT id FROM async_operations WHERE created_at < ? ORDER BY created_at LIMIT ?)",
			timeValue(db.Dialect, before), limit)
		n = res.RowsAffected
		return res.Error
	})
	return n, err
}

// OverdueOperations lists the operations still running that started before `before` (at most
// limit): they have timed out.
func (db *DB) OverdueOperations(ctx context.Context, before time.Time, limit int) ([]int64, error) {
	var ids []int64
	err := db.Run(ctx, func(ctx context.Context) error {
		ids = nil
		return db.Conn(ctx).Raw("SELECT id FROM async_operations WHERE status = ? AND started_at < ? ORDER BY id LIMIT ?",
			AsyncRunning, timeValue(db.Dialect, before), limit).Scan(&ids).Error
	})
	return ids, err
}

// nullTime scans a nullable date-time column of either dialect (PostgreSQL: a timestamp;
// SQLite: the fixed-width text the store writes).
type nullTime struct {
	sqlite bool
	text   sql.NullString
	time   sql.NullTime
}

func (db *DB) nullTime() *nullTime { return &nullTime{sqlite: db.Dialect != Postgres} }

// Scan implements sql.Scanner.
func (n *nullTime) Scan(v any) error {
	if n.sqlite {
		return n.text.Scan(v)
	}
	return n.time.Scan(v)
}

// value is the time scanned, nil for NULL.
func (n *nullTime) value() (*time.Time, error) {
	switch {
	case n.time.Valid:
		t := n.time.Time.UTC()
		return &t, nil
	case n.text.Valid:
		t, err := time.Parse(SQLiteTimeLayout, n.text.String)
		if err != nil {
			return nil, err
		}
		return &t, nil
	}
	return nil, nil
}
