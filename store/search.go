package store

import (
	"context"
	"database/sql"
	"errors"
)

// The search index (api.md section 15): one row per searchable record, kept in the
// transaction of every write that changes it (server/resources). Besides the record's type,
// id, organization and owner (for access control in SQL) it holds:
//
//   - title, and fields: the record's title and its searchable fields with their values as
//     JSON ({"name": "Cloth World", "timesContacted": 3, "createdAt": "2024-…Z"});
//   - lfields: the text fields lower-cased, for `like`, `=` and `!=`;
//   - wfields: the text fields as words (lower-cased, anything but letters and digits a
//     space, padded with spaces), for `~`;
//   - all_lower and all_words: the same of all the record's text together.
//
// Words and lower case are made in Go, so that both databases match the same records: SQLite's
// lower() knows only ASCII, and PostgreSQL's text search parser would keep an e-mail address
// whole where SQLite's tokenizer splits it. PostgreSQL finds words with a tsvector of all_words
// (the simple configuration, a GIN index) and substrings with a trigram index on all_lower;
// SQLite with an FTS5 table over all_words.

// SearchRow is one record in the search index.
type SearchRow struct {
	Type, ID       string
	OrganizationID any // int64 or nil
	OwnerID        any
	Title          string
	Fields         string // JSON
	LowerFields    string // JSON
	WordFields     string // JSON
	AllLower       string
	AllWords       string
}

// migrateSearch is migration 9: the search index, empty; it marks the index as needing a
// build (NeedsReindex), which the commands that open the database then run.
func migrateSearch(ctx context.Context, tx *sql.Tx, d Dialect) error {
	json := "TEXT"
	if d == Postgres {
		json = "JSONB"
	}
	stmts := []string{`CREATE TABLE search_index (
    entity_type VARCHAR(64) NOT NULL,
    record_id VARCHAR(255) NOT NULL,
    organization_id BIGINT,
    owner_id BIGINT,
    title TEXT NOT NULL,
    fields ` + json + ` NOT NULL,
    lfields ` + json + ` NOT NULL,
    wfields ` + json + ` NOT NULL,
    all_lower TEXT NOT NULL,
    all_words TEXT NOT NULL,
    PRIMARY KEY (entity_type, record_id))`,
		`CREATE INDEX idx_search_index_organization ON search_index (organization_id, entity_type)`,
		// whether the index is to be built from the records (1 after this migration: the
		// records that exist are not in it yet)
		`CREATE TABLE search_state (id INTEGER NOT NULL PRIMARY KEY, reindex INTEGER NOT NULL)`,
		`INSERT INTO search_state (id, reindex) VALUES (1, 1)`,
	}
	if d == Postgres {
		stmts = append(stmts,
			`ALTER TABLE search_index ADD COLUMN tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', all_words)) STORED`,
			// A small pending list: every search reads it, and the write that fills it merges it
			// (with the default 4 MB, one insert in thousands waited 90 ms, and searches slowed)
			`CREATE INDEX idx_search_index_tsv ON search_index USING GIN (tsv) WITH (gin_pending_list_limit = 256)`,
			// the extension lives in public whatever the schema (tests run one schema each);
			// concurrent migrations wait for each other's CREATE EXTENSION
			`SELECT pg_advisory_xact_lock(7158123)`,
			`CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public`,
			`CREATE INDEX idx_search_index_trgm ON search_index USING GIN (all_lower public.gin_trgm_ops) WITH (gin_pending_list_limit = 256)`,
		)
	} else {
		stmts = append(stmts,
			`CREATE VIRTUAL TABLE search_fts USING fts5(all_words, content='search_index', content_rowid='rowid')`,
			`CREATE TRIGGER search_index_ai AFTER INSERT ON search_index BEGIN
    INSERT INTO search_fts (rowid, all_words) VALUES (new.rowid, new.all_words); END`,
			`CREATE TRIGGER search_index_ad AFTER DELETE ON search_index BEGIN
    INSERT INTO search_fts (search_fts, rowid, all_words) VALUES ('delete', old.rowid, old.all_words); END`,
			`CREATE TRIGGER search_index_au AFTER UPDATE ON search_index BEGIN
    INSERT INTO search_fts (search_fts, rowid, all_words) VALUES ('delete', old.rowid, old.all_words);
    INSERT INTO search_fts (rowid, all_words) VALUES (new.rowid, new.all_words); END`,
		)
	}
	for _, s := range stmts {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			return err
		}
	}
	return nil
}

// PutSearch writes the index rows of records (replacing what they had). Call it inside Tx.
func (db *DB) PutSearch(ctx context.Context, rows []SearchRow) error {
	if len(rows) == 0 {
		return nil
	}
	cast := ""
	if db.Dialect == Postgres {
		cast = "::jsonb"
	}
	values := make([][]any, len(rows))
	for i, r := range rows {
		values[i] = []any{r.Type, r.ID, r.OrganizationID, r.OwnerID, r.Title, r.Fields, r.LowerFields, r.WordFields, r.AllLower, r.AllWords}
	}
	// the rows go with the transaction's next statement or its COMMIT (ExecLater), a round
	// trip fewer for every write; should they fail, the write fails as it did before
	return db.insertRowsWith(ctx, db.ExecLater, "search_index", "entity_type, record_id, organization_id, owner_id, title, fields, lfields, wfields, all_lower, all_words",
		"(?, ?, ?, ?, ?, ?"+cast+", ?"+cast+", ?"+cast+", ?, ?)", ` ON CONFLICT (entity_type, record_id) DO UPDATE SET organization_id = excluded.organization_id,
    owner_id = excluded.owner_id, title = excluded.title, fields = excluded.fields, lfields = excluded.lfields,
    wfields = excluded.wfields, all_lower = excluded.all_lower, all_words = excluded.all_words`, values)
}

// DropSearch removes the index rows of records of type typ. Call it inside Tx.
func (db *DB) DropSearch(ctx context.Context, typ string, ids []string) error {
	for start := 0; start < len(ids); start += 500 {
		part := ids[start:min(start+500, len(ids))]
		if err := db.Conn(ctx).Exec("DELETE FROM search_index WHERE entity_type = ? AND record_id IN ?", typ, part).Error; err != nil {
			return err
		}
	}
	return nil
}

// ClearSearch removes the index rows of the types given (all types when none). Call it inside Tx.
func (db *DB) ClearSearch(ctx context.Context, types []string) error {
	if len(types) == 0 {
		return db.Conn(ctx).Exec("DELETE FROM search_index").Error
	}
	return db.Conn(ctx).Exec("DELETE FROM search_index WHERE entity_type IN ?", types).Error
}

// NeedsReindex reports whether the search index must be built (a migration created it empty
// over existing data, or records were written around it, as the demo data are).
func (db *DB) NeedsReindex(ctx context.Context) (bool, error) {
	var n int
	err := db.Gorm.WithContext(ctx).Raw("SELECT reindex FROM search_state WHERE id = 1").Row().Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return n != 0, err
}

// SetReindex records whether the search index must be built.
func (db *DB) SetReindex(ctx context.Context, needed bool) error {
	n := 0
	if needed {
		n = 1
	}
	return db.Gorm.WithContext(ctx).Exec("UPDATE search_state SET reindex = ? WHERE id = 1", n).Error
}
