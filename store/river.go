package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"gorm.io/gorm"
)

// migrateRiver creates River's tables (the job queue of the batch API) in the migration's
// transaction, so that they come and go with the rest of the schema. River's own migrator
// applies only what the database lacks: a later River version that adds tables gets a new
// migration here calling it again.
func migrateRiver(ctx context.Context, tx *sql.Tx, d Dialect) error {
	var driver riverdriver.Driver[*sql.Tx] = riversqlite.New(nil)
	if d == Postgres {
		driver = riverdatabasesql.New(nil)
	}
	m, err := rivermigrate.New(driver, nil)
	if err == nil {
		_, err = m.MigrateTx(ctx, tx, rivermigrate.DirectionUp, nil)
	}
	if err != nil {
		return fmt.Errorf("river: %w", err)
	}
	return nil
}

// SQLTx is the database/sql transaction of the unit of work ctx carries (nil outside Tx): what
// River inserts its jobs with, so that they commit or roll back with the request that made them.
func SQLTx(ctx context.Context) *sql.Tx {
	if !InTx(ctx) {
		return nil
	}
	g, _ := ctx.Value(connKey{}).(*gorm.DB)
	tx, _ := g.Statement.ConnPool.(*sql.Tx)
	return tx
}

// Savepoint runs fn inside a savepoint of the transaction ctx carries: when fn fails, what it
// wrote is undone and the transaction goes on (a batch records the error of one record and
// writes the others). Call it inside Tx.
func (db *DB) Savepoint(ctx context.Context, fn func(ctx context.Context) error) error {
	conn := db.Conn(ctx)
	if err := conn.Exec("SAVEPOINT record").Error; err != nil {
		return err
	}
	if err := fn(ctx); err != nil {
		if rerr := conn.Exec("ROLLBACK TO SAVEPOINT record").Error; rerr != nil {
			return rerr
		}
		// the savepoint stays after ROLLBACK TO; releasing it keeps nesting shallow
		if rerr := conn.Exec("RELEASE SAVEPOINT record").Error; rerr != nil {
			return rerr
		}
		return err
	}
	return conn.Exec("RELEASE SAVEPOINT record").Error
}

// JobPool opens the pool the job queue runs its own statements on. On SQLite it is a second
// handle on the file with a single connection (River's advice for its SQLite driver; the
// store's transactions keep theirs); nil for a database in memory, which no second handle can
// reach: it gets no workers.
func (db *DB) JobPool() (*sql.DB, error) {
	if db.Dialect != SQLite {
		return nil, errors.New("store: JobPool is for SQLite; PostgreSQL's job queue uses pgx")
	}
	if db.URL == ":memory:" {
		return nil, nil
	}
	pool, err := sql.Open("sqlite", db.URL+sqlitePragmas)
	if err != nil {
		return nil, err
	}
	pool.SetMaxOpenConns(1)
	return pool, nil
}
