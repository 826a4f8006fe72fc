package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// On PostgreSQL a transaction begins with its first statement: BEGIN goes to the server in one
// message with it (pgx's Batch.BeginTx) rather than in a round trip of its own. A write holds
// its connection from BEGIN to COMMIT, so on a pool of a few connections the round trips of a
// transaction bound how many writes a second the server makes: a PATCH (BEGIN, the locked
// record, UPDATE, the search index row, COMMIT) made four instead of five.
//
// database/sql begins transactions itself (Tx, River's inserts and GORM take a *sql.Tx), so
// this is done under it, in the driver: pgConn wraps pgx's database/sql connection, its
// BeginTx sends nothing, and the transaction begins with the first statement of the
// connection. A statement of QueryRows (pgx directly) carries BEGIN with it; one through
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
	pending  bool            // database/sql began a transaction that has sent nothing yet
	beginCtx context.Context // the context database/sql began it with (its commit's, as pgx's)
	tx       pgx.Tx          // the transaction once begun
}

// BeginTx implements driver.ConnBeginTx.
func (c *pgConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if sql.IsolationLevel(opts.Isolation) != sql.LevelDefault || opts.ReadOnly {
		return c.Conn.BeginTx(ctx, opts)
	}
	if c.Conn.Conn().IsClosed() {
		return nil, driver.ErrBadConn
	}
	c.pending, c.beginCtx, c.tx = true, ctx, nil
	return pgLazyTx{c}, nil
}

// begin sends the BEGIN of a pending transaction, before a statement through database/sql.
func (c *pgConn) begin(ctx context.Context) error {
	if !c.pending {
		return nil
	}
	c.pending = false
	tx, err := c.Conn.Conn().Begin(ctx)
	if err != nil {
		if pgconn.SafeToRetry(err) {
			return driver.ErrBadConn // nothing reached the server, as stdlib reports it
		}
		return err
	}
	c.tx = tx
	return nil
}

// ExecContext implements driver.ExecerContext.
func (c *pgConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if err := c.begin(ctx); err != nil {
		return nil, err
	}
	return c.Conn.ExecContext(ctx, query, args)
}

// QueryContext implements driver.QueryerContext.
func (c *pgConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if err := c.begin(ctx); err != nil {
		return nil, err
	}
	return c.Conn.QueryContext(ctx, query, args)
}

// PrepareContext implements driver.ConnPrepareContext: a prepared statement runs later
// without passing here, so the transaction begins now.
func (c *pgConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	if err := c.begin(ctx); err != nil {
		return nil, err
	}
	return c.Conn.PrepareContext(ctx, query)
}

// Prepare implements driver.Conn.
func (c *pgConn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

// query runs a statement through pgx and passes its rows to fn; the statement of a pending
// transaction carries its BEGIN.
func (c *pgConn) query(ctx context.Context, query string, args []any, fn func(Rows) error) error {
	if !c.pending {
		rows, err := c.Conn.Conn().Query(ctx, query, args...)
		if err != nil {
			return err
		}
		return readRows(rows, fn)
	}
	br := c.sendBegin(ctx, query, args)
	if _, err := br.Exec(); err != nil { // BEGIN
		_ = br.Close()
		return err
	}
	r, err := br.Query()
	if err != nil {
		_ = br.Close()
		return err
	}
	if err := readRows(r, fn); err != nil {
		_ = br.Close()
		return err
	}
	return br.Close()
}

// exec runs a statement that returns no rows through pgx; the statement of a pending
// transaction carries its BEGIN.
func (c *pgConn) exec(ctx context.Context, query string, args []any) error {
	if !c.pending {
		_, err := c.Conn.Conn().Exec(ctx, query, args...)
		return err
	}
	br := c.sendBegin(ctx, query, args)
	if _, err := br.Exec(); err != nil { // BEGIN
		_ = br.Close()
		return err
	}
	if _, err := br.Exec(); err != nil {
		_ = br.Close()
		return err
	}
	return br.Close()
}

// sendBegin sends the BEGIN of the pending transaction and a statement in one message.
func (c *pgConn) sendBegin(ctx context.Context, query string, args []any) pgx.BatchResults {
	c.pending = false
	var b pgx.Batch
	b.BeginTx(pgx.TxOptions{})
	b.Queue(query, args...)
	br := c.Conn.Conn().SendBatch(ctx, &b)
	c.tx = br.Tx() // closed by Close when BEGIN failed: Commit and Rollback then report it
	return br
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

// Commit implements driver.Tx; a transaction that sent nothing has nothing to commit.
func (t pgLazyTx) Commit() error {
	if ctx, tx := t.c.end(); tx != nil {
		return tx.Commit(ctx)
	}
	return nil
}

// Rollback implements driver.Tx.
func (t pgLazyTx) Rollback() error {
	if ctx, tx := t.c.end(); tx != nil {
		return tx.Rollback(ctx)
	}
	return nil
}

// end ends the connection's transaction, returning the one begun (nil when none was) and the
// context to end it with; the connection keeps neither.
func (c *pgConn) end() (context.Context, pgx.Tx) {
	ctx, tx := c.beginCtx, c.tx
	c.pending, c.beginCtx, c.tx = false, nil, nil
	return ctx, tx
}
