package storetest

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"webapi/store"
	"webapi/store/demo"
)

// KeptDemo opens a benchmark's PostgreSQL database (OpenKept) with the demo data at scale,
// loading them only when it has no accounts: the data are kept from one run to the next (drop
// the database to start afresh).
func KeptDemo(t testing.TB, dbURL string, scale int) *store.DB {
	t.Helper()
	db := OpenKept(t, dbURL)
	var accounts int64
	if err := db.Gorm.Raw("SELECT COUNT(*) FROM accounts").Row().Scan(&accounts); err != nil {
		t.Fatal(err)
	}
	if accounts == 0 {
		start := time.Now()
		if err := demo.Seed(context.Background(), db, scale, nil); err != nil {
			t.Fatal(err)
		}
		t.Logf("demo data at scale %d loaded in %s", scale, time.Since(start).Round(time.Second))
	} else {
		t.Logf("reusing the demo data of %s (%d accounts)", Redact(dbURL), accounts)
	}
	return db
}

// OpenKept opens the PostgreSQL database at dbURL, creating it when missing, and migrates it;
// it is closed (not dropped) when the test ends.
func OpenKept(t testing.TB, dbURL string) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dbURL)
	if err != nil && strings.Contains(err.Error(), "does not exist") {
		u, perr := url.Parse(dbURL)
		if perr != nil {
			t.Fatal(perr)
		}
		name := strings.TrimPrefix(u.Path, "/")
		if !regexp.MustCompile(`^[a-z_][a-z0-9_]*$`).MatchString(name) {
			t.Fatalf("the database name %q: want lower case letters, digits and _", name)
		}
		u.Path = "/postgres"
		admin, aerr := store.Open(ctx, u.String())
		if aerr != nil {
			t.Fatalf("create the database %s: %v", name, aerr)
		}
		if err := admin.Gorm.Exec("CREATE DATABASE " + name).Error; err != nil {
			t.Fatalf("create the database %s: %v", name, err)
		}
		_ = admin.Close()
		t.Logf("created the database %s", name)
		db, err = store.Open(ctx, dbURL)
	}
	if err != nil {
		t.Fatalf("open %s: %v", Redact(dbURL), err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if db.Dialect != store.Postgres {
		t.Fatalf("a kept benchmark database is a PostgreSQL one, not %s", db.Dialect)
	}
	if err := store.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	return db
}

// Redact is a database URL without its password, for logs.
func Redact(dbURL string) string {
	if u, err := url.Parse(dbURL); err == nil {
		return u.Redacted()
	}
	return dbURL
}
