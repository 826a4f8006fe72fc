package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"webapi/gen"
	"webapi/store"
)

func run(t *testing.T, args ...string) string {
	t.Helper()
	cmd := root()
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	cmd.SetArgs(args)
	if err := cmd.Execute(); err != nil {
		t.Fatalf("webapi %v: %v\n%s", args, err, out.String())
	}
	return out.String()
}

func TestCommands(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "nested", "webapi.db")
	if got := run(t, "migrate", "--database", db); got != "database is up to date\n" {
		t.Fatalf("migrate printed %q", got)
	}
	run(t, "migrate", "--database", db) // idempotent
	run(t, "seed", "demo", "--database", db, "--scale", "1")

	s, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var accounts, contacts int64
	s.Gorm.Raw("SELECT COUNT(*) FROM accounts").Scan(&accounts)
	s.Gorm.Raw("SELECT COUNT(*) FROM contacts").Scan(&contacts)
	if accounts != 200 || contacts != 500 {
		t.Fatalf("demo data: %d accounts, %d contacts; want 200, 500", accounts, contacts)
	}

	if got := run(t, "openapi"); got != string(gen.SpecYAML) {
		t.Fatal("openapi does not print the embedded YAML document")
	}
	if got := run(t, "openapi", "--json"); got != string(gen.SpecJSON) {
		t.Fatal("openapi --json does not print the embedded JSON document")
	}
}

// TestSearchIndexCommands: the demo data are indexed when seeded; an index left to be built (a
// migration over existing records) is built when the database is next opened; `search reindex`
// rebuilds the types given.
func TestSearchIndexCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "s.db")
	run := func(args ...string) {
		t.Helper()
		cmd := root()
		cmd.SetArgs(append([]string{"--database", "sqlite:" + db}, args...))
		cmd.SetOut(io.Discard)
		cmd.SetErr(io.Discard)
		if err := cmd.Execute(); err != nil {
			t.Fatalf("webapi %v: %v", args, err)
		}
	}
	counts := func() string {
		t.Helper()
		s, err := store.Open(context.Background(), "sqlite:"+db)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		var parts []string
		rows, err := s.Gorm.Raw("SELECT entity_type || ' ' || COUNT(*) FROM search_index GROUP BY entity_type ORDER BY entity_type").Rows()
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var p string
			if err := rows.Scan(&p); err != nil {
				t.Fatal(err)
			}
			parts = append(parts, p)
		}
		var flag int
		if err := s.Gorm.Raw("SELECT reindex FROM search_state").Row().Scan(&flag); err != nil {
			t.Fatal(err)
		}
		return strings.Join(parts, ", ") + fmt.Sprintf("; reindex %d", flag)
	}
	const full = "accounts 200, calls 1000, contacts 500, products 50, users 21; reindex 0"
	run("seed", "demo")
	if got := counts(); got != full {
		t.Fatalf("after seed demo: %s", got)
	}
	s, err := store.Open(context.Background(), "sqlite:"+db)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Gorm.Exec("DELETE FROM search_index").Error; err != nil {
		t.Fatal(err)
	}
	if err := s.SetReindex(context.Background(), true); err != nil {
		t.Fatal(err)
	}
	s.Close()
	run("migrate")
	if got := counts(); got != full {
		t.Fatalf("after migrate: %s", got)
	}
	run("search", "reindex", "--type", "accounts")
	if got := counts(); got != full {
		t.Fatalf("after search reindex: %s", got)
	}
}
