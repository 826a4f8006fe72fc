package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"regexp"
	"strings"
	"syscall"

	gosqlite "github.com/glebarez/go-sqlite"
	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"

	// Not a driver (glebarez/sqlite is the only one registered), only the library's constants;
	// importing it also keeps `go mod tidy` from dropping the modernc.org/sqlite v1.62.0 pin,
	// without which glebarez falls back to an old SQLite (see stack.md).
	sqlite3 "modernc.org/sqlite/lib"
)

// The database's errors, sorted into what a caller can act on: a constraint a write broke
// (ConstraintError), the database being unable to serve now (UnavailableError), a value the
// database cannot hold (InvalidValue), and collisions worth another try (retryable). Both
// dialects' errors end up in the same few shapes, so the layers above never look at SQLSTATEs or
// SQLite result codes.

// Reason says why the database could not serve a request.
type Reason string

// The reasons for ErrUnavailable.
const (
	ReasonConnWait   Reason = "connection wait" // no connection of the pool came free in time
	ReasonWriteQueue Reason = "write queue"     // SQLite: too many transactions waiting already
	ReasonWriteWait  Reason = "write wait"      // SQLite: the writer's turn did not come in time
	ReasonDeadline   Reason = "deadline"        // the request ran past its deadline
	ReasonCancelled  Reason = "cancelled"       // the client went away
	ReasonOutage     Reason = "outage"          // the database is down or the connection was lost
	ReasonContention Reason = "contention"      // deadlocks or serialization failures, every try
)

// UnavailableError reports that the database could not serve a request now; trying again
// later may succeed.
type UnavailableError struct {
	Reason Reason
	Err    error
}

func (e *UnavailableError) Error() string {
	if e.Err != nil {
		return "database unavailable (" + string(e.Reason) + "): " + e.Err.Error()
	}
	return "database unavailable (" + string(e.Reason) + ")"
}

func (e *UnavailableError) Unwrap() error { return e.Err }

// Unavailable returns the UnavailableError that err amounts to, or nil when err is something
// else. ctx is the request's context: a statement cancelled because it ran past the request's
// deadline reports an error of its own that only the context explains.
func Unavailable(ctx context.Context, err error) *UnavailableError {
	var u *UnavailableError
	if errors.As(err, &u) {
		return u
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded), ctx != nil && errors.Is(ctx.Err(), context.DeadlineExceeded):
		return &UnavailableError{Reason: ReasonDeadline, Err: err}
	case errors.Is(err, context.Canceled), ctx != nil && ctx.Err() != nil:
		return &UnavailableError{Reason: ReasonCancelled, Err: err}
	case connectionLost(err):
		return &UnavailableError{Reason: ReasonOutage, Err: err}
	case collision(err):
		return &UnavailableError{Reason: ReasonContention, Err: err}
	}
	if code, ok := sqliteCode(err); ok && (code&0xff == sqlite3.SQLITE_BUSY || code&0xff == sqlite3.SQLITE_LOCKED) {
		// another process holds SQLite's write lock beyond the busy timeout
		return &UnavailableError{Reason: ReasonWriteWait, Err: err}
	}
	return nil
}

// connectionLost reports errors of a connection that broke or could not be made: the database
// is down, restarting, or ended the session (pg_terminate_backend).
func connectionLost(err error) bool {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return strings.HasPrefix(pg.Code, "08") || // connection exception
			pg.Code == "57P01" || pg.Code == "57P02" || pg.Code == "57P03" || // shutdown, crash, starting
			strings.HasPrefix(pg.Code, "53") // insufficient resources (too many connections)
	}
	var connect *pgconn.ConnectError
	var netErr net.Error
	return errors.As(err, &connect) || errors.Is(err, driver.ErrBadConn) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.As(err, &netErr) || strings.Contains(err.Error(), "conn closed")
}

// retryable reports whether a unit of work that failed with err is worth running again: the
// database broke a deadlock or a serialization conflict by aborting it, or its connection was
// lost before it committed (its work was rolled back with the session).
func retryable(err error) bool {
	if collision(err) {
		return true
	}
	var u *UnavailableError
	if errors.As(err, &u) {
		return false // waited its turn already
	}
	return connectionLost(err)
}

// collision reports a deadlock or serialization failure: the database aborted the transaction
// to let a concurrent one through.
func collision(err error) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg) && (pg.Code == "40001" || pg.Code == "40P01")
}

// InvalidValue reports whether the database refused a value it cannot hold (PostgreSQL's class
// 22, data exceptions: a date out of range, a number too large, text it cannot encode). The API
// refuses such values before they reach the database; this is the safety net.
func InvalidValue(err error) bool {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return strings.HasPrefix(pg.Code, "22")
	}
	return false
}

// ConstraintKind is the kind of constraint a write broke.
type ConstraintKind uint8

// The constraint kinds.
const (
	Unique     ConstraintKind = iota + 1 // a unique index or primary key
	ForeignKey                           // a reference to a row that does not exist
	Referenced                           // a row that other rows still refer to (ON DELETE RESTRICT)
)

// ConstraintError describes a constraint violation: which kind, on which table, over which
// columns (as far as the database says).
type ConstraintError struct {
	Kind    ConstraintKind
	Table   string
	Columns []string
	Err     error
}

func (e *ConstraintError) Error() string { return e.Err.Error() }
func (e *ConstraintError) Unwrap() error { return e.Err }

var (
	pgKeyColumns     = regexp.MustCompile(`^Key \(([^)]*)\)=`)
	pgReferencedFrom = regexp.MustCompile(`still referenced from table "([^"]+)"`)
	sqliteUnique     = regexp.MustCompile(`UNIQUE constraint failed: ([^(]*)`)
)

// Constraint returns the constraint violation err reports, or nil.
func Constraint(err error) *ConstraintError {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		ce := &ConstraintError{Table: pg.TableName, Err: err}
		if m := pgKeyColumns.FindStringSubmatch(pg.Detail); m != nil {
			for _, c := range strings.Split(m[1], ",") {
				ce.Columns = append(ce.Columns, strings.TrimSpace(c))
			}
		}
		switch pg.Code {
		case "23505":
			ce.Kind = Unique
		case "23503":
			ce.Kind = ForeignKey
			if m := pgReferencedFrom.FindStringSubmatch(pg.Detail); m != nil {
				ce.Kind = Referenced
			}
		default:
			return nil
		}
		return ce
	}
	code, ok := sqliteCode(err)
	if !ok {
		switch {
		case errors.Is(err, gorm.ErrDuplicatedKey):
			return &ConstraintError{Kind: Unique, Err: err}
		case errors.Is(err, gorm.ErrForeignKeyViolated):
			return &ConstraintError{Kind: ForeignKey, Err: err}
		}
		return nil
	}
	switch code {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		ce := &ConstraintError{Kind: Unique, Err: err}
		if m := sqliteUnique.FindStringSubmatch(err.Error()); m != nil {
			for _, tc := range strings.Split(m[1], ",") {
				table, col, _ := strings.Cut(strings.TrimSpace(tc), ".")
				ce.Table = table
				ce.Columns = append(ce.Columns, col)
			}
		}
		return ce
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY, sqlite3.SQLITE_CONSTRAINT_TRIGGER:
		// SQLite does not say which reference failed, nor whether it was missing or still in
		// use: the caller knows from what it did (an insert or update, or a delete).
		if strings.Contains(err.Error(), "FOREIGN KEY constraint failed") {
			return &ConstraintError{Kind: ForeignKey, Err: err}
		}
	}
	return nil
}

func sqliteCode(err error) (int, bool) {
	var se *gosqlite.Error
	if errors.As(err, &se) {
		return se.Code(), true
	}
	return 0, false
}

// translated is a driver error that GORM's sentinel (gorm.ErrDuplicatedKey, …) stands for: it
// matches the sentinel with errors.Is and keeps the original for Constraint.
type translated struct{ sentinel, err error }

func (t translated) Error() string        { return t.err.Error() }
func (t translated) Is(target error) bool { return target == t.sentinel }
func (t translated) Unwrap() error        { return t.err }

// translateError is the ErrorTranslator of both dialects.
func translateError(err error) error {
	ce := Constraint(err)
	switch {
	case ce == nil:
		return err
	case ce.Kind == Unique:
		return translated{gorm.ErrDuplicatedKey, err}
	}
	return translated{gorm.ErrForeignKeyViolated, err}
}
