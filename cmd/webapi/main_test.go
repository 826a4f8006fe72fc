package main

import (
	"bytes"
	"context"
	"path/filepath"
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
