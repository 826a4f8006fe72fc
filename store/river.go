package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/pressly/goose/v3"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
)

// riverMigration creates River's tables (the job queue of the batch API) with the rest of the
// schema. River's own migrator applies only what the database lacks: a later River version
// that adds tables gets a new migration here calling it again.
//
// On PostgreSQL not in one transaction: a River migration adds an enum value that a later one
// uses, which PostgreSQL refuses within one transaction; River applies each of its versions in
// a transaction of its own. On SQLite in goose's transaction: a database in memory has one
// connection, which goose holds.
func riverMigration(d Dialect) *goose.GoFunc {
	if d == Postgres {
		return &goose.GoFunc{RunDB: func(ctx context.Context, db *sql.DB) error {
			m, err := rivermigrate.New(riverdatabasesql.New(db), nil)
			if err == nil {
				_, err = m.Migrate(ctx, rivermigrate.DirectionUp, nil)
			}
			return riverError(err)
		}}
	}
	return &goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error {
		m, err := rivermigrate.New(riversqlite.New(nil), nil)
		if err == nil {
			_, err = m.MigrateTx(ctx, tx, rivermigrate.DirectionUp, nil)
		}
		return riverError(err)
	}}
}

func riverError(err error) error {
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
	tx, _ := unitOf(ctx).pool.(*sql.Tx)
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
	// What fn queued to go later (its search index rows: ExecLater) belongs to the savepoint:
	// it is sent before the savepoint is released, and its failure is fn's, undone by the
	// rollback to the savepoint like the rest; when fn fails, it is not sent at all.
	err := fn(ctx)
	if err == nil {
		err = db.sendQueued(ctx)
	} else {
		db.dropQueued(ctx)
	}
	if err != nil {
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
