// Package store owns the database: opening it from a URL, the versioned schema migrations, the
// GORM models and the few SQL statements that are not generic (communication fields).
//
// Both SQLite (pure Go, for development and small installations) and PostgreSQL (production) are
// supported with the same schema; the differences are confined to this package.
package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	gosqlite "github.com/glebarez/go-sqlite"
	"github.com/glebarez/sqlite"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/shopspring/decimal"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/logger"
)

// SQLite's built-in LOWER folds ASCII letters only; PostgreSQL's folds every letter. The
// case-insensitive filters and sort orders (store/query, server/resources) use LOWER and must
// give the same results on both databases ("Ärzte" contains "ä"), so SQLite's LOWER is replaced
// on every connection by Go's Unicode lower-casing. Values that are not text stay as they are.
func init() {
	gosqlite.MustRegisterDeterministicScalarFunction("lower", 1, func(_ *gosqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		switch v := args[0].(type) {
		case string:
			return strings.ToLower(v), nil
		case []byte:
			return strings.ToLower(string(v)), nil
		}
		return args[0], nil
	})
}

// Dialect names the SQL database behind a DB.
type Dialect string

// The supported dialects.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is an open database: the GORM handle and which dialect it speaks.
type DB struct {
	Gorm    *gorm.DB
	Dialect Dialect
	// URL is what the database was opened with (PostgreSQL: with the session's time zone);
	// the job queue opens its own pool with it.
	URL string

	limits Limits
	writer *writerGate // SQLite: one transaction at a time
	// tickets hands out the pool's connections to units of work in the order they asked
	// (takeConn); nil for a single-connection database.
	tickets chan struct{}
	waits   waitSlots    // the ends of connection waits (connWait)
	writes  atomic.Int64 // see Writes
	// onQuery is called with every statement QueryRows and Exec run through pgx (OnQuery)
	onQuery atomic.Pointer[func(string)]
}

// Limits bound how requests use the database (api.md section 20).
type Limits struct {
	// MaxConns caps the open connections of the pool (0: a few per core).
	MaxConns int
	// ConnWait is the longest a unit of work waits for a connection of the pool (5 s).
	ConnWait time.Duration
	// WriteQueue is how many SQLite transactions may wait for the single writer (256), and
	// WriteWait how long each may wait (10 s).
	WriteQueue int
	WriteWait  time.Duration
}

// DefaultLimits are the bounds of api.md section 20.
var DefaultLimits = Limits{ConnWait: 5 * time.Second, WriteQueue: 256, WriteWait: 10 * time.Second}

func (l Limits) withDefaults() Limits {
	if l.MaxConns <= 0 {
		l.MaxConns = max(4, 2*runtime.GOMAXPROCS(0))
	}
	if l.ConnWait <= 0 {
		l.ConnWait = DefaultLimits.ConnWait
	}
	if l.WriteQueue <= 0 {
		l.WriteQueue = DefaultLimits.WriteQueue
	}
	if l.WriteWait <= 0 {
		l.WriteWait = DefaultLimits.WriteWait
	}
	return l
}

// sqlitePragmas are appended to every SQLite file name. busy_timeout makes a writer wait for the
// single write lock instead of failing; WAL lets readers proceed while one transaction writes;
// foreign keys are off by default in SQLite. _txlock=immediate takes the write lock at BEGIN:
// a deferred transaction that reads and then writes fails at once with SQLITE_BUSY (the busy
// timeout does not apply to that lock upgrade in WAL mode) when another writer got in between.
const sqlitePragmas = "?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_txlock=immediate"

// Open opens the database named by url:
//
//   - "sqlite:PATH", "sqlite://PATH" or a plain file path: a SQLite file, created together with
//     its parent directory when missing; "sqlite::memory:" is a private in-memory database (for
//     tools and tests; it lives as long as the DB and uses a single connection).
//   - "postgres://…" or "postgresql://…": PostgreSQL (any pgx URL option, e.g. search_path, is
//     passed on). The session time zone is set to UTC so that SQL working on TIMESTAMPTZ
//     values as text agrees with the UTC times the store writes.
//
// The schema is not touched: call Migrate.
func Open(ctx context.Context, url string) (*DB, error) { return OpenWith(ctx, url, DefaultLimits) }

// OpenWith is Open with the given limits (zero fields take the defaults).
func OpenWith(ctx context.Context, url string, limits Limits) (*DB, error) {
	limits = limits.withDefaults()
	cfg := &gorm.Config{
		TranslateError: true,
		Logger:         logger.Discard,
		// Microseconds are what both backends keep: truncating here means a model holds, after
		// a Create, exactly what a later read returns.
		NowFunc: func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) },
	}
	var (
		db  = &DB{limits: limits}
		gdb *gorm.DB
		err error
	)
	switch {
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		dsn, derr := postgresDSN(url)
		if derr != nil {
			return nil, derr
		}
		db.Dialect, db.URL = Postgres, dsn
		pool, perr := openPostgres(dsn)
		if perr != nil {
			return nil, perr
		}
		gdb, err = gorm.Open(postgresDialector{postgres.New(postgres.Config{Conn: pool}).(*postgres.Dialector)}, cfg)
	default:
		path := strings.TrimPrefix(strings.TrimPrefix(url, "sqlite:"), "//")
		if path == "" {
			return nil, errors.New("store: empty SQLite path")
		}
		db.Dialect, db.URL = SQLite, path
		if path == ":memory:" {
			gdb, err = gorm.Open(sqliteDialector{sqlite.Dialector{DSN: ":memory:?_pragma=foreign_keys(1)"}}, cfg)
			if err == nil {
				// Every connection to ":memory:" is a different database: keep exactly one.
				sqlDB, _ := gdb.DB()
				sqlDB.SetMaxOpenConns(1)
				sqlDB.SetConnMaxLifetime(0)
				sqlDB.SetConnMaxIdleTime(0)
			}
			break
		}
		if dir := filepath.Dir(path); dir != "." {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return nil, fmt.Errorf("store: create directory for %s: %w", path, err)
			}
		}
		gdb, err = gorm.Open(sqliteDialector{sqlite.Dialector{DSN: path + sqlitePragmas}}, cfg)
		db.writer = newWriterGate(limits.WriteQueue, limits.WriteWait)
	}
	if err != nil {
		return nil, fmt.Errorf("store: open %s database: %w", db.Dialect, err)
	}
	db.Gorm = gdb
	if err := db.countWrites(); err != nil {
		return nil, err
	}
	sqlDB, err := gdb.DB()
	if err != nil {
		return nil, err
	}
	// gorm.Open pings PostgreSQL but opens SQLite lazily: ping here so that a bad path or an
	// unreachable server is reported by Open, not by the first query.
	if err := sqlDB.PingContext(ctx); err != nil {
		_ = sqlDB.Close()
		return nil, fmt.Errorf("store: connect to %s database: %w", db.Dialect, err)
	}
	if path := strings.TrimPrefix(strings.TrimPrefix(url, "sqlite:"), "//"); db.Dialect == Postgres || path != ":memory:" {
		// database/sql keeps 2 idle connections by default: under concurrent requests every
		// other statement would open a new session (on PostgreSQL a process, authentication,
		// and prepared statements made again) and close it afterwards. Keep the connections a
		// burst needed, and let them go once idle for a while. Open connections are capped
		// (PostgreSQL's max_connections is 100 by default; a SQLite file needs no more than a
		// few readers beside its one writer): a few per core by default, because the database
		// runs on the same cores and more backends than cores only add switching (measured
		// under wrk on 2 cores: 4 PostgreSQL connections served a single item 20 % faster than
		// 16). This is safe because a request never waits for a second connection while it
		// holds one (a unit of work, store.Run or store.Tx, runs every statement on its own).
		sqlDB.SetMaxIdleConns(limits.MaxConns)
		sqlDB.SetMaxOpenConns(limits.MaxConns)
		sqlDB.SetConnMaxIdleTime(5 * time.Minute)
		db.tickets = make(chan struct{}, limits.MaxConns) // see takeConn
	}
	return db, nil
}

// sqliteDialector is glebarez's dialector with three corrections:
//
//   - Every time.Time bound by GORM (including the NowFunc values GORM itself puts into
//     updated_at on Save and Updates, and arguments of Raw and Exec) is written in the store's
//     fixed-width UTC text form instead of the driver's variable-width form with a zone suffix,
//     which would not compare chronologically with the rest of the column. Statements run on
//     the *sql.DB directly do not pass here: use DB.TimeValue there.
//   - Every decimal.Decimal bound by GORM (the decimal fields of the models, arguments of Raw
//     and Exec) is written as the canonical text of a decimal column (CanonicalDecimal:
//     "12.5000"), not as the decimal's shortest form ("12.5"), so that SQLite's TEXT decimal
//     columns hold one form whoever writes them (see decimal.go).
//   - SQLite reports a row kept by an ON DELETE RESTRICT reference with the code of a trigger
//     constraint rather than of a foreign key, which glebarez leaves untranslated; callers see
//     gorm.ErrForeignKeyViolated for every foreign key failure, as on PostgreSQL.
type sqliteDialector struct{ sqlite.Dialector }

// BindVarTo implements gorm.Dialector. GORM appends v to stmt.Vars just before the call; the
// appended value is what gets replaced.
func (d sqliteDialector) BindVarTo(w clause.Writer, stmt *gorm.Statement, v any) {
	var stored any // what to bind instead of v; nil: v itself
	switch x := v.(type) {
	case time.Time:
		stored = timeValue(SQLite, x)
	case *time.Time:
		if x != nil {
			stored = timeValue(SQLite, *x)
		}
	case sql.NullTime:
		if x.Valid {
			stored = timeValue(SQLite, x.Time)
		}
	case decimal.Decimal, *decimal.Decimal: // a nil *Decimal stays: NULL
		if s, ok := CanonicalDecimal(x); ok {
			stored = s
		}
	case decimal.NullDecimal:
		if x.Valid {
			stored, _ = CanonicalDecimal(x.Decimal)
		}
	}
	// stored is tested first: comparing interfaces that hold a []byte would panic.
	if n := len(stmt.Vars); stored != nil && n > 0 && stmt.Vars[n-1] == v {
		stmt.Vars[n-1] = stored
	}
	d.Dialector.BindVarTo(w, stmt, v)
}

// Translate implements gorm.ErrorTranslator.
func (d sqliteDialector) Translate(err error) error { return translateError(err) }

// postgresDialector is GORM's PostgreSQL dialector whose translated errors keep the driver's
// error (for Constraint) behind GORM's sentinel.
type postgresDialector struct{ *postgres.Dialector }

// Translate implements gorm.ErrorTranslator.
func (d postgresDialector) Translate(err error) error { return translateError(err) }

// openPostgres opens the database/sql pool of pgx over dsn. A statement whose context ends
// (the request's deadline, a client gone) is cancelled at the server with a cancel request, so
// that it stops working and releases its locks at once, and the connection stays usable; only
// when the server does not answer the cancel within a second is the connection closed. (pgx's
// default closes the connection at once and leaves the statement running at the server until it
// next writes to the client, which a statement waiting for a lock does not.)
func openPostgres(dsn string) (*sql.DB, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("store: parse PostgreSQL URL: %w", err)
	}
	cfg.BuildContextWatcherHandler = func(c *pgconn.PgConn) ctxwatch.Handler {
		return &pgconn.CancelRequestContextWatcherHandler{Conn: c, DeadlineDelay: time.Second}
	}
	return sql.OpenDB(pgConnector{stdlib.GetConnector(*cfg)}), nil
}

// postgresDSN adds timezone=UTC to a PostgreSQL URL unless the caller chose a time zone.
func postgresDSN(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("store: parse PostgreSQL URL: %w", err)
	}
	q := u.Query()
	if q.Get("timezone") == "" && q.Get("TimeZone") == "" {
		q.Set("timezone", "UTC")
		u.RawQuery = q.Encode()
	}
	return u.String(), nil
}

// Close closes the connection pool.
func (db *DB) Close() error {
	sqlDB, err := db.Gorm.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}
