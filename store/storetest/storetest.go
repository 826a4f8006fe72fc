// Package storetest gives database tests a fresh, migrated database on every backend.
//
//	for _, b := range storetest.Backends(t) {
//		t.Run(b.Name, func(t *testing.T) {
//			t.Parallel()
//			db := storetest.Open(t, b)
//			…
//		})
//	}
//
// SQLite always runs. PostgreSQL runs when the server at WEBAPI_TEST_POSTGRES (default
// postgres://postgres@127.0.0.1:5432/test?sslmode=disable) answers; otherwise it is skipped
// with a log line, or the test fails when WEBAPI_REQUIRE_POSTGRES=1 (CI sets it so that a
// missing server cannot pass silently). Every Open is isolated (its own SQLite file or its own
// PostgreSQL schema), so tests may run in parallel.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"webapi/store"
)

// DefaultPostgresURL is used when WEBAPI_TEST_POSTGRES is not set.
const DefaultPostgresURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// Backend is a database a test can run on. URL is the database's URL for PostgreSQL and empty
// for SQLite (each Open makes a new file).
type Backend struct {
	Name string
	URL  string
}

// Backends returns the backends available to this test: SQLite, and PostgreSQL when reachable.
func Backends(t testing.TB) []Backend {
	t.Helper()
	backends := []Backend{{Name: string(store.SQLite)}}
	pgURL, err := postgresAdmin()
	switch {
	case err == nil:
		backends = append(backends, Backend{Name: string(store.Postgres), URL: pgURL})
	case os.Getenv("WEBAPI_REQUIRE_POSTGRES") == "1":
		t.Fatalf("PostgreSQL required (WEBAPI_REQUIRE_POSTGRES=1) but unreachable at %s: %v", pgURL, err)
	default:
		t.Logf("skipping the PostgreSQL backend: %s: %v", pgURL, err)
	}
	return backends
}

// Postgres returns the PostgreSQL backend of Backends, false where PostgreSQL is unreachable
// (Backends fails the test instead under WEBAPI_REQUIRE_POSTGRES=1).
func Postgres(t testing.TB) (Backend, bool) {
	t.Helper()
	for _, b := range Backends(t) {
		if b.Name == string(store.Postgres) {
			return b, true
		}
	}
	return Backend{}, false
}

// Open returns a fresh migrated database on backend b, closed (and for PostgreSQL dropped) when
// the test ends.
func Open(t testing.TB, b Backend) *store.DB {
	t.Helper()
	return OpenWith(t, b, store.DefaultLimits)
}

// OpenWith is Open with the given limits of the database's use (pool, waits, SQLite queue).
// On PostgreSQL the connections' application_name is the test's schema, so that a test can
// find (and end: pg_terminate_backend) its own sessions.
func OpenWith(t testing.TB, b Backend, limits store.Limits) *store.DB {
	t.Helper()
	switch store.Dialect(b.Name) {
	case store.SQLite:
		return openSQLite(t, limits)
	case store.Postgres:
		return openPostgres(t, b.URL, limits)
	}
	t.Fatalf("storetest: unknown backend %q", b.Name)
	return nil
}

// OpenEmpty returns a fresh database on backend b without any schema, for tests of the
// migrations themselves.
func OpenEmpty(t testing.TB, b Backend) *store.DB {
	t.Helper()
	switch store.Dialect(b.Name) {
	case store.SQLite:
		db, err := store.Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "empty.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = db.Close() })
		return db
	case store.Postgres:
		return openPostgresSchema(t, b.URL, store.DefaultLimits)
	}
	t.Fatalf("storetest: unknown backend %q", b.Name)
	return nil
}

// The SQLite template: the bytes of a freshly migrated database file, made once per process.
// Copying a file is much faster than migrating (the admin password alone is a bcrypt hash).
var (
	templateOnce  sync.Once
	templateBytes []byte
	templateErr   error
)

func sqliteTemplate() ([]byte, error) {
	templateOnce.Do(func() {
		dir, err := os.MkdirTemp("", "webapi-storetest-")
		if err != nil {
			templateErr = err
			return
		}
		defer os.RemoveAll(dir)
		path := filepath.Join(dir, "template.db")
		ctx := context.Background()
		db, err := store.Open(ctx, "sqlite:"+path)
		if err != nil {
			templateErr = err
			return
		}
		templateErr = store.Migrate(ctx, db)
		// Closing the last connection checkpoints the WAL into the main file, so the file
		// alone is the whole database.
		if err := db.Close(); templateErr == nil {
			templateErr = err
		}
		if templateErr == nil {
			templateBytes, templateErr = os.ReadFile(path)
		}
	})
	return templateBytes, templateErr
}

func openSQLite(t testing.TB, limits store.Limits) *store.DB {
	t.Helper()
	tmpl, err := sqliteTemplate()
	if err != nil {
		t.Fatalf("storetest: migrate the SQLite template: %v", err)
	}
	path := filepath.Join(t.TempDir(), "test.db")
	if err := os.WriteFile(path, tmpl, 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := store.OpenWith(context.Background(), "sqlite:"+path, limits)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// The PostgreSQL administration connection (creating and dropping schemas), shared per process.
var (
	adminOnce sync.Once
	adminURL  string
	adminDB   *store.DB
	adminErr  error
)

func postgresAdmin() (string, error) {
	adminOnce.Do(func() {
		adminURL = os.Getenv("WEBAPI_TEST_POSTGRES")
		if adminURL == "" {
			adminURL = DefaultPostgresURL
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		adminDB, adminErr = store.Open(ctx, adminURL)
	})
	return adminURL, adminErr
}

func openPostgres(t testing.TB, base string, limits store.Limits) *store.DB {
	t.Helper()
	db := openPostgresSchema(t, base, limits)
	if err := store.Migrate(context.Background(), db); err != nil {
		t.Fatalf("storetest: migrate: %v", err)
	}
	return db
}

// openPostgresSchema opens base in a new empty schema, dropped when the test ends.
func openPostgresSchema(t testing.TB, base string, limits store.Limits) *store.DB {
	t.Helper()
	if _, err := postgresAdmin(); err != nil {
		t.Fatalf("storetest: PostgreSQL: %v", err)
	}
	ctx := context.Background()
	var rnd [8]byte
	_, _ = rand.Read(rnd[:])
	schema := "t_" + hex.EncodeToString(rnd[:])
	if err := adminDB.Gorm.Exec("CREATE SCHEMA " + schema).Error; err != nil {
		t.Fatalf("storetest: %v", err)
	}
	// Registered first, so it runs after the test's database is closed.
	t.Cleanup(func() {
		if err := adminDB.Gorm.Exec("DROP SCHEMA " + schema + " CASCADE").Error; err != nil {
			t.Errorf("storetest: drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	q.Set("application_name", schema)
	u.RawQuery = q.Encode()
	db, err := store.OpenWith(ctx, u.String(), limits)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// OpenAgain returns a second handle on the database of db (opened by Open on backend b), as
// another server process sharing the database would have: its own pool and connections, the
// same data. It is closed when the test ends.
func OpenAgain(t testing.TB, b Backend, db *store.DB) *store.DB {
	t.Helper()
	again, err := store.OpenWith(context.Background(), URL(t, b, db), db.Limits())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = again.Close() })
	return again
}

// URL returns the URL of the database of db (opened by Open on backend b), for what opens it by
// itself: a second handle, a command's --database.
func URL(t testing.TB, b Backend, db *store.DB) string {
	t.Helper()
	switch store.Dialect(b.Name) {
	case store.SQLite:
		var file string
		if err := db.Gorm.Raw("SELECT file FROM pragma_database_list WHERE name = 'main'").Row().Scan(&file); err != nil {
			t.Fatalf("storetest: the SQLite file: %v", err)
		}
		if file == "" {
			t.Fatal("storetest: an in-memory SQLite database has no URL")
		}
		return "sqlite:" + file
	case store.Postgres:
		var schema string
		if err := db.Gorm.Raw("SELECT current_schema()").Row().Scan(&schema); err != nil {
			t.Fatalf("storetest: the PostgreSQL schema: %v", err)
		}
		u, err := url.Parse(b.URL)
		if err != nil {
			t.Fatal(err)
		}
		q := u.Query()
		q.Set("search_path", schema)
		q.Set("application_name", schema)
		u.RawQuery = q.Encode()
		return u.String()
	}
	t.Fatalf("storetest: unknown backend %q", b.Name)
	return ""
}

// Each runs test on every backend, each in a parallel subtest named after it.
func Each(t *testing.T, test func(t *testing.T, b Backend)) {
	t.Helper()
	for _, b := range Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			test(t, b)
		})
	}
}
