package store_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"webapi/store"
	"webapi/store/storetest"
)

// roundTrips is a TCP proxy in front of PostgreSQL that counts what clients send: pgx writes
// each message it flushes at once and waits for the answer, so each read here is one round
// trip. Once cut is set, the next message a client sends reaches the server and then the
// connection ends, before any answer.
type roundTrips struct {
	ln    net.Listener
	sends atomic.Int64
	cut   atomic.Bool
	wg    sync.WaitGroup
}

func newRoundTrips(t *testing.T, target string) *roundTrips {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &roundTrips{ln: ln}
	p.wg.Go(func() {
		for {
			client, err := ln.Accept()
			if err != nil {
				return
			}
			server, err := net.Dial("tcp", target)
			if err != nil {
				_ = client.Close()
				continue
			}
			p.wg.Go(func() {
				_, _ = io.Copy(client, server)
				_ = client.Close()
			})
			p.wg.Go(func() {
				buf := make([]byte, 64<<10)
				for {
					n, err := client.Read(buf)
					if n > 0 {
						p.sends.Add(1)
						if _, werr := server.Write(buf[:n]); werr != nil || p.cut.CompareAndSwap(true, false) {
							_ = client.Close()
							break
						}
					}
					if err != nil {
						break
					}
				}
				_ = server.Close()
			})
		}
	})
	t.Cleanup(func() { _ = ln.Close() })
	return p
}

// On PostgreSQL a transaction's BEGIN goes with its first statement when QueryRows or Exec runs it;
// a first statement through GORM sends it first, and a transaction without statements sends
// nothing. Either way the transaction is one: what it wrote commits or rolls back with it, and
// the connection goes back to the pool outside any transaction.
func TestTxBeginsWithFirstStatement(t *testing.T) {
	t.Parallel()
	pg, ok := storetest.Postgres(t)
	if !ok {
		t.Skip("PostgreSQL only: SQLite's transactions are database/sql's; unreachable here, see storetest")
	}
	u, err := url.Parse(pg.URL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := newRoundTrips(t, u.Host)
	u.Host = proxy.ln.Addr().String()
	db := storetest.OpenWith(t, storetest.Backend{Name: pg.Name, URL: u.String()}, store.Limits{MaxConns: 2}) // the migration takes two; these statements, run one after another, take the last one used
	ctx := context.Background()
	if err := db.Gorm.Exec("CREATE TABLE lazy_probe (n int)").Error; err != nil {
		t.Fatal(err)
	}
	insert := func(ctx context.Context, n int) error {
		return db.QueryRows(ctx, "INSERT INTO lazy_probe (n) VALUES (?) RETURNING n", []any{n}, func(rows store.Rows) error {
			for rows.Next() {
			}
			return rows.Err()
		})
	}
	gormInsert := func(ctx context.Context, n int) error {
		return db.Conn(ctx).Exec("INSERT INTO lazy_probe (n) VALUES (?)", n).Error
	}
	exec := func(ctx context.Context, n int) error {
		return db.Exec(ctx, "INSERT INTO lazy_probe (n) VALUES (?)", []any{n})
	}
	later := func(ctx context.Context, n any) error {
		return db.ExecLater(ctx, "INSERT INTO lazy_probe (n) VALUES (?)", []any{n})
	}
	failed := errors.New("the transaction fails")
	cases := []struct {
		name   string
		fn     func(ctx context.Context) error
		trips  int64 // BEGIN, statements, COMMIT or ROLLBACK
		stored []int // nil: the transaction fails
	}{
		{"first statement through pgx", func(ctx context.Context) error { return insert(ctx, 1) }, 2, []int{1}},
		{"then a second", func(ctx context.Context) error {
			if err := insert(ctx, 2); err != nil {
				return err
			}
			return insert(ctx, 3)
		}, 3, []int{2, 3}},
		{"rolled back", func(ctx context.Context) error {
			if err := insert(ctx, 4); err != nil {
				return err
			}
			return failed
		}, 2, nil},
		{"first statement through GORM", func(ctx context.Context) error {
			if err := gormInsert(ctx, 5); err != nil {
				return err
			}
			return insert(ctx, 6)
		}, 4, []int{5, 6}},
		{"GORM, rolled back", func(ctx context.Context) error {
			if err := gormInsert(ctx, 7); err != nil {
				return err
			}
			return failed
		}, 3, nil},
		{"first statement through Exec", func(ctx context.Context) error {
			if err := exec(ctx, 8); err != nil {
				return err
			}
			return exec(ctx, 9)
		}, 3, []int{8, 9}},
		{"Exec, rolled back", func(ctx context.Context) error {
			if err := exec(ctx, 10); err != nil {
				return err
			}
			return failed
		}, 2, nil},
		{"a statement queued goes with the COMMIT", func(ctx context.Context) error {
			if err := insert(ctx, 11); err != nil {
				return err
			}
			return later(ctx, 12)
		}, 2, []int{11, 12}},
		{"a statement queued goes with the next", func(ctx context.Context) error {
			if err := later(ctx, 13); err != nil {
				return err
			}
			return insert(ctx, 14)
		}, 2, []int{13, 14}},
		{"a statement queued goes before GORM's", func(ctx context.Context) error {
			if err := later(ctx, 15); err != nil {
				return err
			}
			return gormInsert(ctx, 16)
		}, 3, []int{15, 16}},
		{"a statement queued, rolled back", func(ctx context.Context) error {
			if err := later(ctx, 17); err != nil {
				return err
			}
			return failed
		}, 0, nil},
		{"no statement", func(context.Context) error { return nil }, 0, []int{}},
		{"no statement, rolled back", func(context.Context) error { return failed }, 0, nil},
	}
	// the statements' first runs prepare them (a round trip each): not counted
	for _, c := range cases {
		_ = db.Tx(ctx, c.fn)
	}
	if err := db.Gorm.Exec("DELETE FROM lazy_probe").Error; err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		before := proxy.sends.Load()
		err := db.Tx(ctx, c.fn)
		trips := proxy.sends.Load() - before
		if (c.stored == nil && !errors.Is(err, failed)) || (c.stored != nil && err != nil) {
			t.Errorf("%s: %v", c.name, err)
		}
		if trips != c.trips {
			t.Errorf("%s: %d round trips, want %d", c.name, trips, c.trips)
		}
		got := []int{}
		err = db.QueryRows(ctx, "SELECT n FROM lazy_probe ORDER BY n", nil, func(rows store.Rows) error {
			for rows.Next() {
				var n int
				if err := rows.Scan(&n); err != nil {
					return err
				}
				got = append(got, n)
			}
			return rows.Err()
		})
		if want := c.stored; err != nil || !slices.Equal(got, append([]int{}, want...)) {
			t.Errorf("%s: stored %v (%v), want %v", c.name, got, err, c.stored)
		}
		// out of any transaction (the connection the transaction had is the one used next)
		var pgErr *pgconn.PgError
		if err := db.Gorm.Exec("SAVEPOINT probe").Error; !errors.As(err, &pgErr) || pgErr.Code != "25P01" {
			t.Fatalf("%s: the connection was left in a transaction (a savepoint: %v)", c.name, err)
		}
		if err := db.Gorm.Exec("DELETE FROM lazy_probe").Error; err != nil {
			t.Fatal(err)
		}
	}
	// A queued statement that fails stops the COMMIT: nothing of the transaction stays, and the
	// error is the statement's (not one to try again). (pgx prepares the statements of a batch
	// that failed again: the round trips of this path are not counted.)
	var pgErr *pgconn.PgError
	err = db.Tx(ctx, func(ctx context.Context) error {
		if err := insert(ctx, 18); err != nil {
			return err
		}
		return db.ExecLater(ctx, "INSERT INTO lazy_probe (n) VALUES (1/0)", nil)
	})
	if !errors.As(err, &pgErr) || pgErr.Code != "22012" {
		t.Fatalf("a queued statement that fails: %v", err)
	}
	var n int64
	if err := db.Gorm.Raw("SELECT count(*) FROM lazy_probe").Row().Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d rows after a transaction whose COMMIT did not run (%v)", n, err)
	}
	if err := db.Gorm.Exec("SAVEPOINT probe").Error; !errors.As(err, &pgErr) || pgErr.Code != "25P01" {
		t.Fatalf("the connection was left in a transaction (a savepoint: %v)", err)
	}

	// Queued statements belong to the savepoint they were queued in: sent before it is released
	// (a failure is the savepoint's, the transaction goes on), dropped when it is rolled back.
	var inSavepoint error
	err = db.Tx(ctx, func(ctx context.Context) error {
		inSavepoint = db.Savepoint(ctx, func(ctx context.Context) error {
			if err := insert(ctx, 21); err != nil {
				return err
			}
			return db.ExecLater(ctx, "INSERT INTO lazy_probe (n) VALUES (1/0)", nil)
		})
		if err := db.Savepoint(ctx, func(ctx context.Context) error {
			if err := later(ctx, 22); err != nil {
				return err
			}
			if err := db.ExecLater(ctx, "INSERT INTO lazy_probe (n) VALUES (1/0)", nil); err != nil {
				return err
			}
			return failed // what it queued is never sent: not even its failure shows
		}); !errors.Is(err, failed) {
			return fmt.Errorf("a savepoint rolled back: %w", err)
		}
		return insert(ctx, 23)
	})
	if !errors.As(inSavepoint, &pgErr) || pgErr.Code != "22012" || err != nil {
		t.Fatalf("a queued statement that fails in a savepoint: %v; the transaction: %v", inSavepoint, err)
	}
	var kept []int
	if err := db.Gorm.Raw("SELECT n FROM lazy_probe ORDER BY n").Scan(&kept).Error; err != nil || !slices.Equal(kept, []int{23}) {
		t.Fatalf("stored %v (%v) after the savepoints, want [23]", kept, err)
	}
	if err := db.Gorm.Exec("DELETE FROM lazy_probe").Error; err != nil {
		t.Fatal(err)
	}

	// A connection lost once a queued statement and the COMMIT went out leaves open whether the
	// COMMIT ran: the transaction fails, and is not run again.
	runs := 0
	err = db.Tx(ctx, func(ctx context.Context) error {
		runs++
		if err := insert(ctx, 19); err != nil {
			return err
		}
		if err := later(ctx, 20); err != nil {
			return err
		}
		proxy.cut.Store(true) // the next message is the queued statement with the COMMIT
		return nil
	})
	if err == nil || runs != 1 {
		t.Fatalf("a connection lost with the COMMIT: %v after %d runs, want an error after 1", err, runs)
	}
}
