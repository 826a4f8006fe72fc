package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// On PostgreSQL a transaction begins with its first statement: BEGIN goes to the server in one
// message with it (pgx's Batch.BeginTx) rather than in a round trip of its own. A write holds
// its connection from BEGIN to COMMIT, so on a pool of a few connections the round trips of a
// transaction bound how many writes a second the server makes. Statements whose caller needs
// nothing back (a write's search index row: DB.ExecLater) wait to go with the next statement or
// the COMMIT in the same way. A PATCH (BEGIN, the locked record, UPDATE, the search index row,
// COMMIT) made five round trips and makes three; a POST makes two.
//
// database/sql begins transactions itself (Tx, River's inserts and GORM take a *sql.Tx), so
// this is done under it, in the driver: pgConn wraps pgx's database/sql connection, its
// BeginTx sends nothing, and the transaction begins with the first statement of the
// connection. A statement through pgx (QueryRows, Exec) carries BEGIN with it; one through
// database/sql (GORM, River) sends BEGIN first, as before. A transaction that runs no
// statement sends nothing at all. Transactions with options (an isolation level, read only)
// begin at once, as pgx's own BeginTx does.

// pgConnector makes the connections of the pool pgConns.
type pgConnector struct{ driver.Connector }

func (c pgConnector) Connect(ctx context.Context) (driver.Conn, error) {
	dc, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	sc, ok := dc.(*stdlib.Conn)
	if !ok {
		_ = dc.Close()
		return nil, fmt.Errorf("store: a PostgreSQL connection of %T, not pgx's", dc)
	}
	return &pgConn{Conn: sc}, nil
}

// pgConn is a connection of the pool whose transactions begin with their first statement.
// database/sql uses a connection from one goroutine at a time, so its fields need no lock.
type pgConn struct {
	*stdlib.Conn
	lazy     bool            // the transaction under way is one of pgLazyTx
	pending  bool            // and it has sent nothing yet
	later    []queued        // statements that go with the next one or the COMMIT (ExecLater)
	beginCtx context.Context // the context database/sql began it with (its commit's, as pgx's)
	tx       pgx.Tx          // the transaction once begun
}

// queued is a statement bound already, with its arguments.
type queued struct {
	sql  string
	args []any
}

// BeginTx implements driver.ConnBeginTx.
func (c *pgConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if sql.IsolationLevel(opts.Isolation) != sql.LevelDefault || opts.ReadOnly {
		return c.Conn.BeginTx(ctx, opts)
	}
	if c.Conn.Conn().IsClosed() {
		return nil, driver.ErrBadConn
	}
	c.lazy, c.pending, c.beginCtx, c.tx, c.later = true, true, ctx, nil, nil
	return pgLazyTx{c}, nil
}

// flush sends what must reach the server before a statement through database/sql: the
// pending BEGIN and the statements queued to go later.
func (c *pgConn) flush(ctx context.Context) error {
	b, n := c.batch("", nil)
	if b == nil {
		return nil
	}
	br, err := c.sendBatch(ctx, b, n)
	if err != nil {
		if pgconn.SafeToRetry(err) {
			return driver.ErrBadConn // nothing reached the server, as stdlib reports it
		}
		return err
	}
	return br.Close()
}

// batch is the batch of the pending BEGIN, the queued statements and then query (none when
// empty), with the number of results before query's; nil when nothing is pending or queued.
func (c *pgConn) batch(query string, args []any) (*pgx.Batch, int) {
	if !c.pending && len(c.later) == 0 {
		return nil, 0
	}
	b, n := &pgx.Batch{}, len(c.later)
	if c.pending {
		b.BeginTx(pgx.TxOptions{})
		n++
	}
	for _, q := range c.later {
		b.Queue(q.sql, q.args...)
	}
	if query != "" {
		b.Queue(query, args...)
	}
	return b, n
}

// sendBatch sends b in one message and reads the results of its first n statements (the
// BEGIN, the queued ones): the next result is the statement's that came with them.
func (c *pgConn) sendBatch(ctx context.Context, b *pgx.Batch, n int) (pgx.BatchResults, error) {
	began := c.pending
	c.pending, c.later = false, nil
	br := c.Conn.Conn().SendBatch(ctx, b)
	if began {
		c.tx = br.Tx() // closed by Close when BEGIN failed: Commit and Rollback then report it
	}
	for range n {
		if _, err := br.Exec(); err != nil {
			_ = br.Close()
			return nil, err
		}
	}
	return br, nil
}

// ExecContext implements driver.ExecerContext.
func (c *pgConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if err := c.flush(ctx); err != nil {
		return nil, err
	}
	return c.Conn.ExecContext(ctx, query, args)
}

// QueryContext implements driver.QueryerContext.
func (c *pgConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if err := c.flush(ctx); err != nil {
		return nil, err
	}
	return c.Conn.QueryContext(ctx, query, args)
}

// PrepareContext implements driver.ConnPrepareContext: a prepared statement runs later
// without passing here, so what is pending goes now.
func (c *pgConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	if err := c.flush(ctx); err != nil {
		return nil, err
	}
	return c.Conn.PrepareContext(ctx, query)
}

// Prepare implements driver.Conn.
func (c *pgConn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

// query runs a statement through pgx and passes its rows to fn; a pending BEGIN and the
// queued statements go with it.
func (c *pgConn) query(ctx context.Context, query string, args []any, fn func(Rows) error) error {
	b, n := c.batch(query, args)
	if b == nil {
		rows, err := c.Conn.Conn().Query(ctx, query, args...)
		if err != nil {
			return err
		}
		return readRows(rows, fn)
	}
	br, err := c.sendBatch(ctx, b, n)
	if err != nil {
		return err
	}
	rows, err := br.Query()
	if err == nil {
		err = readRows(rows, fn)
	}
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	return err
}

// exec runs a statement that returns no rows through pgx, as query does.
func (c *pgConn) exec(ctx context.Context, query string, args []any) error {
	return c.query(ctx, query, args, func(Rows) error { return nil })
}

// queue queues a statement bound already to go with the next one or the COMMIT; false when the
// connection has no transaction of pgLazyTx, which alone sends them.
func (c *pgConn) queue(query string, args []any) bool {
	if !c.lazy {
		return false
	}
	c.later = append(c.later, queued{query, args})
	return true
}

// readRows passes rows to fn and closes them.
func readRows(rows pgx.Rows, fn func(Rows) error) error {
	defer rows.Close()
	if err := fn(rows); err != nil {
		return err
	}
	rows.Close()
	return rows.Err()
}

// pgLazyTx is the driver.Tx of a transaction that begins with its first statement.
type pgLazyTx struct{ c *pgConn }

// Commit implements driver.Tx; a transaction that sent nothing has nothing to commit. The
// statements queued to go later go with the COMMIT; when the server refuses one, the COMMIT
// does not run, the transaction is rolled back, and the error says so (notCommitted).
func (t pgLazyTx) Commit() error {
	c := t.c
	if len(c.later) == 0 {
		if ctx, tx := c.end(); tx != nil {
			return tx.Commit(ctx)
		}
		return nil
	}
	ctx := c.beginCtx
	b, n := c.batch("commit", nil)
	br, err := c.sendBatch(ctx, b, n)
	_, tx := c.end()
	if err != nil {
		if tx != nil {
			_ = tx.Rollback(ctx) // as pgx's, it closes a connection it cannot roll back
		}
		// The server refused a statement before the COMMIT, so it skipped the COMMIT (a batch
		// stops at its first error). Any other error (a connection lost after the batch went
		// out) leaves open whether the COMMIT ran.
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) {
			return &notCommitted{err}
		}
		return err
	}
	tag, err := br.Exec()
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if err == nil && tag.String() == "ROLLBACK" {
		err = pgx.ErrTxCommitRollback // as pgx's Commit reports a transaction that had failed
	}
	return err
}

// Rollback implements driver.Tx; the statements queued to go later never go.
func (t pgLazyTx) Rollback() error {
	if ctx, tx := t.c.end(); tx != nil {
		return tx.Rollback(ctx)
	}
	return nil
}

// end ends the connection's transaction, returning the one begun (nil when none was) and the
// context to end it with; the connection keeps nothing of it.
func (c *pgConn) end() (context.Context, pgx.Tx) {
	ctx, tx := c.beginCtx, c.tx
	c.lazy, c.pending, c.later, c.beginCtx, c.tx = false, false, nil, nil, nil
	return ctx, tx
}

// notCommitted reports that a transaction's COMMIT did not run: a statement sent with it
// failed first. Nothing was committed, so the unit of work may run again.
type notCommitted struct{ err error }

func (e *notCommitted) Error() string { return e.err.Error() }
func (e *notCommitted) Unwrap() error { return e.err }
