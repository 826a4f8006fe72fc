package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"gorm.io/gorm"
)

// Every statement of a request runs on a connection taken for one unit of work (Run for reads,
// Tx for a transaction) and given back at its end. Taking it is bounded (Limits.ConnWait): a
// request that cannot get a connection in time fails with ErrUnavailable rather than queueing
// without end, and nothing holds a connection while it writes to a client.

type connKey struct{}

// unit is the unit of work a context carries: its connection or transaction, and the GORM
// handle on it, made when a statement first needs it (the engine's reads, QueryRows, do not).
type unit struct {
	ctx  context.Context // the unit's own, for the GORM handle
	pool gorm.ConnPool   // *sql.Conn (Run) or *sql.Tx (Tx)
	conn *sql.Conn       // the connection (of the transaction, in Tx)
	g    *gorm.DB
}

func (u *unit) gorm(db *DB) *gorm.DB {
	if u.g == nil {
		u.g = db.Gorm.Session(&gorm.Session{Context: u.ctx, NewDB: true})
		u.g.Statement.ConnPool = u.pool
	}
	return u.g
}

func unitOf(ctx context.Context) *unit {
	u, _ := ctx.Value(connKey{}).(*unit)
	return u
}

// Conn is the handle to run statements on: the transaction or connection of the unit of work
// carried by ctx, else (for tools, tests and seeding) the pool itself.
func (db *DB) Conn(ctx context.Context) *gorm.DB {
	if u := unitOf(ctx); u != nil {
		return u.gorm(db)
	}
	return db.Gorm.WithContext(ctx)
}

// InUnit reports whether ctx carries a unit of work (Run or Tx) already.
func InUnit(ctx context.Context) bool { return unitOf(ctx) != nil }

type txKey struct{}

// InTx reports whether ctx carries a transaction.
func InTx(ctx context.Context) bool {
	_, ok := ctx.Value(txKey{}).(bool)
	return ok
}

// maxAttempts bounds how often a unit of work is tried when the database reports a deadlock, a
// serialization failure or a connection lost before anything was committed.
const maxAttempts = 5

// Run runs fn with one connection of the pool, taken within Limits.ConnWait; statements of fn
// (through Conn) use it. Inside a unit of work already, fn joins it. fn is run again when the
// connection turns out to be broken (a database restarted since it was last used): it must only
// read, and return Final(err) once it has passed on something it read.
func (db *DB) Run(ctx context.Context, fn func(ctx context.Context) error) error {
	if InUnit(ctx) {
		return fn(ctx)
	}
	return db.retry(ctx, func() error {
		conn, err := db.takeConn(ctx)
		if err != nil {
			return err
		}
		defer db.releaseConn(conn)
		return fn(db.bind(ctx, conn))
	})
}

// Tx runs fn in a transaction and commits when fn returns nil. A nested call joins the
// transaction already in ctx, so that a whole request (primary and included resources) is one
// unit. On SQLite, transactions wait for the single writer's turn (Limits.WriteQueue,
// Limits.WriteWait). A deadlock, a serialization failure or a lost connection before the commit
// makes Tx run fn again (a few times, with a short pause): fn must not keep state from one run
// to the next except through its return.
func (db *DB) Tx(ctx context.Context, fn func(ctx context.Context) error) error {
	if InTx(ctx) {
		return fn(ctx)
	}
	if InUnit(ctx) {
		panic("store: Tx inside Run: a unit of work holds one connection")
	}
	return db.retry(ctx, func() error {
		if db.writer != nil {
			release, err := db.writer.acquire(ctx)
			if err != nil {
				return err
			}
			defer release()
		}
		conn, err := db.takeConn(ctx)
		if err != nil {
			return err
		}
		defer db.releaseConn(conn)
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		done := false
		defer func() {
			if !done {
				_ = tx.Rollback() // fn panicked: the transaction must not outlive it
			}
		}()
		writes := new(txWrites)
		tctx := context.WithValue(context.WithValue(ctx, txKey{}, true), txWritesKey{}, writes)
		tctx = context.WithValue(tctx, connKey{}, &unit{ctx: tctx, pool: tx, conn: conn})
		if err := fn(tctx); err != nil {
			done = true
			_ = tx.Rollback()
			return err
		}
		done = true
		if err := tx.Commit(); err != nil {
			var nc *notCommitted
			if errors.As(err, &nc) {
				return nc.err // a statement that went with the COMMIT failed, and it never ran
			}
			// A commit that fails on a lost connection may or may not have happened: never
			// run it again.
			return noRetry{err}
		}
		if writes.principals.Load() {
			db.writes.Add(1)
		}
		return nil
	})
}

// bind returns ctx carrying a GORM handle whose statements run on conn.
func (db *DB) bind(ctx context.Context, conn *sql.Conn) context.Context {
	return context.WithValue(ctx, connKey{}, &unit{ctx: ctx, pool: conn, conn: conn})
}

// takeConn takes a connection from the pool, waiting at most Limits.ConnWait; releaseConn gives
// it back. Requests get connections in the order they asked for them: database/sql hands a
// freed connection to a random one of the requests waiting (Go 1.26), which under load left
// some waiting many times longer than the rest (p99 2–3× a FIFO pool's). So a request first
// takes a ticket (one per connection of the pool; blocked senders on a channel are served in
// order), and database/sql then has a connection for it unless statements outside units of
// work (GORM's on the pool, which take no ticket) hold them. A free ticket is taken without a
// select: a channel with room has no one waiting in line before this request.
func (db *DB) takeConn(ctx context.Context) (*sql.Conn, error) {
	sqlDB, err := db.Gorm.DB()
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err // the wait below need not end with the request: one that has ended waits for nothing
	}
	wait, cancel := db.connWait(ctx)
	defer cancel()
	unavailable := func(err error) error {
		if ctx.Err() == nil && wait.Err() != nil {
			return &UnavailableError{Reason: ReasonConnWait, Err: err}
		}
		return err
	}
	if db.tickets != nil {
		select {
		case db.tickets <- struct{}{}:
		default:
			select {
			case db.tickets <- struct{}{}:
			case <-wait.Done():
				return nil, unavailable(wait.Err())
			case <-ctx.Done():
				return nil, context.Cause(ctx)
			}
		}
	}
	conn, err := sqlDB.Conn(wait)
	if err != nil {
		if db.tickets != nil {
			<-db.tickets
		}
		return nil, unavailable(err)
	}
	return conn, nil
}

// connWait is the context that bounds a wait for a connection: it ends Limits.ConnWait after
// now, or up to waitSlot later. A context.WithTimeout per unit of work was a runtime timer made
// and stopped for every request (a fiftieth of the CPU of a GET of one record): the waits that
// start within waitSlot of each other share one timer instead. The shared context is not ended
// by the request's: a request whose client goes away while database/sql makes it wait (which
// only statements outside units of work can cause) gives up when the wait ends, not at once.
// A request whose deadline comes before gets a context of its own, ended by that deadline too.
func (db *DB) connWait(ctx context.Context) (context.Context, context.CancelFunc) {
	now := time.Now()
	if d, ok := ctx.Deadline(); ok && d.Before(now.Add(db.limits.ConnWait+waitSlot)) {
		return context.WithDeadline(ctx, now.Add(db.limits.ConnWait))
	}
	end, done := db.waits.slot(now, db.limits.ConnWait)
	return &waitCtx{Context: context.WithoutCancel(ctx), end: end, done: done}, func() {}
}

// waitSlot is how much later than asked a shared wait may end.
const waitSlot = 10 * time.Millisecond

// waitSlots hands out the shared end of connection waits (connWait).
type waitSlots struct {
	mu   sync.Mutex
	end  time.Time
	done chan struct{} // closed at end
}

// slot returns an end between d and d+waitSlot after now, and the channel closed then.
func (s *waitSlots) slot(now time.Time, d time.Duration) (time.Time, <-chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done == nil || s.end.Sub(now) < d {
		done := make(chan struct{})
		s.end, s.done = now.Add(d+waitSlot), done
		time.AfterFunc(d+waitSlot, func() { close(done) })
	}
	return s.end, s.done
}

// waitCtx is a shared connection wait: the request's values, the slot's end.
type waitCtx struct {
	context.Context // context.WithoutCancel of the request's
	end             time.Time
	done            <-chan struct{}
}

func (c *waitCtx) Deadline() (time.Time, bool) { return c.end, true }
func (c *waitCtx) Done() <-chan struct{}       { return c.done }
func (c *waitCtx) Err() error {
	select {
	case <-c.done:
		return context.DeadlineExceeded
	default:
		return nil
	}
}

// releaseConn gives back a connection of takeConn.
func (db *DB) releaseConn(conn *sql.Conn) {
	_ = conn.Close()
	if db.tickets != nil {
		<-db.tickets
	}
}

// retry runs attempt until it succeeds, fails with an error that is not worth another try, or
// has been tried maxAttempts times.
func (db *DB) retry(ctx context.Context, attempt func() error) error {
	var err error
	for n := 1; ; n++ {
		err = attempt()
		var nr noRetry
		if errors.As(err, &nr) {
			return nr.err
		}
		if err == nil || n == maxAttempts || !retryable(err) || ctx.Err() != nil {
			return err
		}
		// a short pause that grows, so that the transactions that collided do not meet again
		select {
		case <-time.After(time.Duration(n*n) * 5 * time.Millisecond):
		case <-ctx.Done():
			return err
		}
	}
}

// Final marks the error of a unit of work that must not run again (it has had an effect a
// second run would repeat).
func Final(err error) error {
	if err == nil {
		return nil
	}
	return noRetry{err}
}

// noRetry wraps an error that must reach the caller without another attempt.
type noRetry struct{ err error }

func (e noRetry) Error() string { return e.err.Error() }
func (e noRetry) Unwrap() error { return e.err }

// LockKey takes a transaction-scoped lock on an arbitrary key (PostgreSQL advisory lock) for
// checks that no unique index covers: two transactions that check and then write the same key
// (an upsert's match, a unique value within a scope) run one after the other. On SQLite the
// single writer of Tx serializes them already. Call it inside Tx.
func (db *DB) LockKey(ctx context.Context, key string) error {
	if db.Dialect != Postgres {
		return nil
	}
	h := fnv.New64a()
	h.Write([]byte(key))
	return db.Conn(ctx).Exec("SELECT pg_advisory_xact_lock(?)", int64(h.Sum64())).Error
}

// LockRows locks rows of table by id for an update that keeps their ids (PostgreSQL: SELECT …
// FOR NO KEY UPDATE, in id order so that two transactions locking overlapping sets never wait
// for each other in a cycle; transactions that only reference the rows are not held up), so
// that what the transaction reads of them next is current and stays so until it commits. On
// SQLite the single writer of Tx has the whole database already. Call it inside Tx.
func (db *DB) LockRows(ctx context.Context, table string, ids []any) error {
	if db.Dialect != Postgres || len(ids) == 0 {
		return nil
	}
	return db.Conn(ctx).Exec("SELECT id FROM "+table+" WHERE id IN ? ORDER BY id FOR NO KEY UPDATE", ids).Error
}

// Limits returns the bounds the database was opened with.
func (db *DB) Limits() Limits { return db.limits }

// Writes counts what this handle did that may have changed a principal (the rows of the
// tables authTriggers watches): every committed transaction that wrote one of those tables,
// and every such statement outside a transaction. The resolver of principals (server/auth)
// compares it to learn that a principal may have changed here; a change by another process it
// learns from the database, some time later. A write of other tables (an account, a contact)
// leaves it alone, so that the next request needs no statement to check its principal.
func (db *DB) Writes() int64 { return db.writes.Load() }

// txWrites is what a transaction's statements that may write did so far: how many ran
// (TxWrites), and whether one wrote a table of principals (counted in Writes once it commits).
type txWrites struct {
	n          atomic.Int64
	principals atomic.Bool
}

type txWritesKey struct{}

// TxWrites counts the statements that may have written (every INSERT, UPDATE, DELETE, raw
// statement, and rows read from a writing statement) run so far in the transaction ctx carries;
// 0 outside one. A caller that read a record in a write's own statement (RETURNING) compares
// two counts to know that nothing wrote since, so that what it read is still current.
func TxWrites(ctx context.Context) int64 {
	if w, ok := ctx.Value(txWritesKey{}).(*txWrites); ok {
		return w.n.Load()
	}
	return 0
}

// countWrites registers the callbacks that count the statements that may write, whatever GORM
// calls them (INSERT … RETURNING is read as rows): in a transaction all of them (TxWrites), and
// (see Writes) those whose text names a table of principals. Naming one elsewhere in a write (an
// access predicate's subquery) counts too: a needless check of the principal, never a missed one.
func (db *DB) countWrites() error {
	inc := func(g *gorm.DB) { db.countWrite(g.Statement.Context, g.Statement.SQL.String()) }
	incRows := func(g *gorm.DB) {
		if sql := g.Statement.SQL.String(); writesRows(sql) {
			db.countWrite(g.Statement.Context, sql)
		}
	}
	cb := db.Gorm.Callback()
	for _, err := range []error{
		cb.Create().After("gorm:create").Register("webapi:count_create", inc),
		cb.Update().After("gorm:update").Register("webapi:count_update", inc),
		cb.Delete().After("gorm:delete").Register("webapi:count_delete", inc),
		cb.Raw().After("gorm:raw").Register("webapi:count_exec", inc),
		cb.Row().After("gorm:row").Register("webapi:count_rows", incRows),
		cb.Query().After("gorm:query").Register("webapi:count_query", incRows),
	} {
		if err != nil {
			return fmt.Errorf("store: count writes: %w", err)
		}
	}
	return nil
}

// countWrite counts a statement that may have written (see countWrites), run with ctx.
func (db *DB) countWrite(ctx context.Context, sql string) {
	tx, inTx := ctx.Value(txWritesKey{}).(*txWrites)
	if inTx {
		tx.n.Add(1)
	}
	if !namesAuthTable(sql) {
		return
	}
	if inTx {
		tx.principals.Store(true) // counted when the transaction commits
		return
	}
	db.writes.Add(1)
}

// principalTables are the tables the triggers of auth_state watch, each once.
var principalTables = func() []string {
	var out []string
	for _, t := range slices.Concat(authTriggers, oauthTriggers) {
		if !slices.Contains(out, t.table) {
			out = append(out, t.table)
		}
	}
	return out
}()

// namesAuthTable reports whether a statement's text names a table whose changes the triggers of
// auth_state count (authTriggers, oauthTriggers), as a whole word.
func namesAuthTable(sql string) bool {
	for _, table := range principalTables {
		for i := 0; ; {
			j := strings.Index(sql[i:], table)
			if j < 0 {
				break
			}
			j += i
			end := j + len(table)
			if (j == 0 || !identByte(sql[j-1])) && (end == len(sql) || !identByte(sql[end])) {
				return true
			}
			i = end
		}
	}
	return false
}

func identByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// writesRows reports whether a statement read as rows may write: INSERT … RETURNING and the
// like, or a WITH whose text holds a writing statement (a recursive read does not).
func writesRows(sql string) bool {
	sql = strings.TrimLeft(sql, " \t\n(")
	for _, kw := range []string{"INSERT", "UPDATE", "DELETE"} {
		if len(sql) >= len(kw) && strings.EqualFold(sql[:len(kw)], kw) {
			return true
		}
	}
	if len(sql) >= 4 && strings.EqualFold(sql[:4], "WITH") {
		upper := strings.ToUpper(sql)
		return strings.Contains(upper, "INSERT ") || strings.Contains(upper, "UPDATE ") || strings.Contains(upper, "DELETE ")
	}
	return false
}
