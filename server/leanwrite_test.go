package server_test

// The write request classes of issue 13 in the lean server (leanbaseline_test.go): POST
// /api/accounts and PATCH /api/accounts/{id}, as a person would hand-write them for the same
// answer and the same effect on the database as ours:
//
//   - POST: one INSERT … RETURNING of the account (owner the administrator, user 1, and its
//     organization 1; createdAt = updatedAt = now, at the column's microsecond precision), then
//     the account's search index row, in one transaction;
//   - PATCH: one UPDATE … RETURNING of the attributes sent and updatedAt, in organization 1 only
//     (the administrator may edit everything there: no row is a 404, as ours answers), returning
//     what the document prints, then the index row, in one transaction.
//
// The index row (store/search.go, api.md section 15) is made in Go, as ours makes it: title the
// name with single spaces, the text fields as given, lower-cased and as words, timesContacted and
// createdAt (fixed width, microseconds). The lean server takes name and description only, what the
// benchmark sends; anything else in the document (relationships, other attributes, meta) is
// refused rather than ignored, so it never answers a write it did not make. It sends no ETag
// (ours does, as on GET of an item, where the lean server sends none either).
// TestLeanBaselineWrites checks documents, headers and the rows written against ours.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// leanAccountIn is the request document of a POST or PATCH of an account.
type leanAccountIn struct {
	Data struct {
		Type       string  `json:"type"`
		ID         *string `json:"id"`
		Attributes struct {
			Name        leanOptString `json:"name"`
			Description leanOptString `json:"description"`
		} `json:"attributes"`
	} `json:"data"`
}

// leanOptString is an attribute that may be absent (!Set), null (Value nil) or a string: PATCH
// changes only what is present, and null clears.
type leanOptString struct {
	Set   bool
	Value *string
}

func (o *leanOptString) UnmarshalJSON(b []byte) error {
	o.Set = true
	return json.Unmarshal(b, &o.Value)
}

// leanReadAccount decodes the request document of a write of an account; it answers the
// request itself (and returns false) when the document is not one it takes.
func leanReadAccount(w http.ResponseWriter, r *http.Request) (*leanAccountIn, bool) {
	if r.Header.Get("Content-Type") != "application/vnd.api+json" {
		http.Error(w, "unsupported media type", http.StatusUnsupportedMediaType)
		return nil, false
	}
	var in leanAccountIn
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)) // ours limits bodies as well
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return nil, false
	}
	if in.Data.Type != "accounts" {
		http.Error(w, "data.type must be accounts", http.StatusConflict)
		return nil, false
	}
	// name is required, not blank and at most 255 characters; null only clears description
	if name := in.Data.Attributes.Name; name.Set && (name.Value == nil || strings.TrimSpace(*name.Value) == "" || utf8.RuneCountInString(*name.Value) > 255) {
		http.Error(w, "name must not be blank and at most 255 characters", http.StatusBadRequest)
		return nil, false
	}
	return &in, true
}

// leanNow is the time a write sets, at the precision of the columns (so that the index's
// createdAt is the stored one), as ours sets it.
func leanNow() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// leanPutSearch writes an account's index row; a PATCH replaces the row the account has.
const leanPutSearch = `INSERT INTO search_index (entity_type, record_id, organization_id, owner_id, title,
	fields, lfields, wfields, all_lower, all_words)
VALUES ('accounts', $1, $2, $3, $4, $5::jsonb, $6::jsonb, $7::jsonb, $8, $9)
ON CONFLICT (entity_type, record_id) DO UPDATE SET organization_id = excluded.organization_id,
	owner_id = excluded.owner_id, title = excluded.title, fields = excluded.fields, lfields = excluded.lfields,
	wfields = excluded.wfields, all_lower = excluded.all_lower, all_words = excluded.all_words`

// leanWrites adds the write request classes to the lean server's mux.
func leanWrites(mux *http.ServeMux, pool *pgxpool.Pool, fail func(http.ResponseWriter, error)) {
	// write runs the statement that writes the account (its RETURNING read as leanAccountRow
	// reads an account) and the account's index row in one transaction.
	write := func(ctx context.Context, sql string, args ...any) (leanAccountRow, error) {
		var a leanAccountRow
		err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
			rows, _ := tx.Query(ctx, sql, args...)
			var err error
			a, err = pgx.CollectExactlyOneRow(rows, func(row pgx.CollectableRow) (leanAccountRow, error) {
				var a leanAccountRow
				return a, a.scan(row)
			})
			if err != nil {
				return err
			}
			_, err = tx.Exec(ctx, leanPutSearch, leanSearchArgs(&a)...)
			return err
		})
		return a, err
	}
	// written is the document of an account a write answers with: its link is its own
	written := func(r *http.Request, a *leanAccountRow) func([]byte) []byte {
		return func(b []byte) []byte {
			base := leanBase(r.Host)
			b = leanAccountOf(append(b, `{"data":`...), base, a)
			b = append(b, `,"links":{"self":"`...)
			b = append(b, base...)
			b = append(b, "/api/accounts/"...)
			b = strconv.AppendInt(b, a.id, 10)
			return append(b, `"}}`...)
		}
	}
	mux.HandleFunc("POST /api/accounts", func(w http.ResponseWriter, r *http.Request) {
		in, ok := leanReadAccount(w, r)
		if !ok {
			return
		}
		at := &in.Data.Attributes
		if !at.Name.Set {
			http.Error(w, "name is required", http.StatusBadRequest)
			return
		}
		// a new account has no contacts yet: nothing to read for its linkage
		a, err := write(r.Context(), `INSERT INTO accounts AS a (name, description, owner_id, organization_id, created_at, updated_at)
			VALUES ($1, $2, 1, 1, $3, $3) RETURNING `+leanAccountAttrCols+`, '{}'::bigint[], `+leanAccountToOneCols,
			*at.Name.Value, at.Description.Value, leanNow())
		if err != nil {
			fail(w, err)
			return
		}
		w.Header().Set("Location", "http://"+r.Host+"/api/accounts/"+strconv.FormatInt(a.id, 10))
		leanSendStatus(w, http.StatusCreated, written(r, &a))
	})
	mux.HandleFunc("PATCH /api/accounts/{id}", func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		in, ok := leanReadAccount(w, r)
		if !ok {
			return
		}
		switch {
		case in.Data.ID == nil:
			http.Error(w, "data.id is required", http.StatusBadRequest)
			return
		case *in.Data.ID != r.PathValue("id"):
			http.Error(w, "data.id must be the id of the URL", http.StatusConflict)
			return
		}
		// only what the document sets changes; the administrator edits any account of its
		// organization, and the default contact stays among the contacts (neither is written)
		at := &in.Data.Attributes
		set, args := []string{}, []any{id}
		for _, f := range []struct {
			column string
			v      leanOptString
		}{{"name", at.Name}, {"description", at.Description}} {
			if f.v.Set {
				args = append(args, f.v.Value)
				set = append(set, f.column+" = $"+strconv.Itoa(len(args)))
			}
		}
		args = append(args, leanNow())
		set = append(set, "updated_at = $"+strconv.Itoa(len(args)))
		a, err := write(r.Context(), "UPDATE accounts AS a SET "+strings.Join(set, ", ")+
			" WHERE a.id = $1 AND a.organization_id = 1 RETURNING "+leanAccountCols, args...)
		if err != nil {
			fail(w, err) // no row: not found
			return
		}
		leanSendStatus(w, http.StatusOK, written(r, &a))
	})
}

// leanSearchArgs are the arguments of leanPutSearch for account a as written.
func leanSearchArgs(a *leanAccountRow) []any {
	fields := map[string]any{
		"timesContacted": a.times,
		"createdAt":      a.created.UTC().Format("2006-01-02T15:04:05.000000Z"),
	}
	lower, words := map[string]string{}, map[string]string{}
	var texts []string
	for _, f := range []struct{ name, v string }{{"name", a.name}, {"description", a.description.String}} {
		if f.v == "" {
			continue // an empty text is not in the index
		}
		fields[f.name], lower[f.name], words[f.name] = f.v, strings.ToLower(f.v), " "+leanWords(f.v)+" "
		texts = append(texts, f.v)
	}
	all := strings.Join(texts, "\n")
	return []any{strconv.FormatInt(a.id, 10), a.org, a.owner, strings.Join(strings.Fields(a.name), " "),
		leanJSON(fields), leanJSON(lower), leanJSON(words), strings.ToLower(all), leanCapWords(leanWords(all))}
}

func leanJSON(v any) string {
	b, _ := json.Marshal(v) // maps of strings and numbers
	return string(b)
}

// leanWords is text as the index compares words: lower case, every run of characters that are
// neither letters nor digits one space.
func leanWords(s string) string {
	return strings.Join(strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}), " ")
}

// leanCapWords keeps the first 256 KiB of words (PostgreSQL refuses a tsvector above 1 MiB),
// cut at a word.
func leanCapWords(w string) string {
	const max = 256 << 10
	if len(w) <= max {
		return w
	}
	if i := strings.LastIndexByte(w[:max], ' '); i > 0 {
		return w[:i]
	}
	return w[:max]
}

// ---- the check against ours ----

// leanWritten is what a write left in the database for one account, as JSON (jsonb's text: keys
// in a fixed order): the accounts row without id and the columns named by skip (what differs
// between two writes of the same request), its search index row without record_id and fields,
// and the fields without createdAt (which leanRead checks against the row's created_at); and
// the row's timestamps.
type leanWritten struct {
	account, search, fields string
	createdAt, updatedAt    time.Time
}

// leanRead reads the rows of account id.
func leanRead(t *testing.T, pool *pgxpool.Pool, id string, skip ...string) leanWritten {
	t.Helper()
	var w leanWritten
	var indexed string
	err := pool.QueryRow(context.Background(), `SELECT (to_jsonb(a) - $2::text[])::text, a.created_at, a.updated_at,
		(to_jsonb(s) - 'record_id' - 'fields')::text, (s.fields - 'createdAt')::text, s.fields->>'createdAt'
		FROM accounts a JOIN search_index s ON s.entity_type = 'accounts' AND s.record_id = a.id::text
		WHERE a.id = $1`, id, append([]string{"id"}, skip...)).
		Scan(&w.account, &w.createdAt, &w.updatedAt, &w.search, &w.fields, &indexed)
	if err != nil {
		t.Fatalf("the rows of account %s: %v", id, err)
	}
	if want := w.createdAt.UTC().Format("2006-01-02T15:04:05.000000Z"); indexed != want {
		t.Fatalf("account %s: createdAt %q in the index, %q in the row", id, indexed, want)
	}
	return w
}

// leanCounts are the rows of the tables a write of an account may change.
func leanCounts(t *testing.T, pool *pgxpool.Pool) [3]int64 {
	t.Helper()
	var n [3]int64
	err := pool.QueryRow(context.Background(), `SELECT (SELECT count(*) FROM accounts),
		(SELECT count(*) FROM search_index WHERE entity_type = 'accounts'), (SELECT count(*) FROM account_contacts)`).Scan(&n[0], &n[1], &n[2])
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// leanDocStamps are a document's id and timestamps.
type leanDocStamps struct {
	Data struct {
		ID         string `json:"id"`
		Attributes struct {
			CreatedAt string `json:"createdAt"`
			UpdatedAt string `json:"updatedAt"`
		} `json:"attributes"`
	} `json:"data"`
}

var leanStampRE = regexp.MustCompile(`"(createdAt|updatedAt)":"[^"]*"`)

// TestLeanBaselineWrites checks, on PostgreSQL, that the lean server answers the write request
// classes as ours does (status, Content-Type, Location, the document byte for byte but for the
// new id and the timestamps) and writes the same rows (the account and its search index row,
// and nothing else).
func TestLeanBaselineWrites(t *testing.T) {
	t.Parallel()
	e, token, pool := baselineSetup(t)
	lean := leanHandler(pool)
	var post, patch *leanCase
	for i := range leanCases {
		switch leanCases[i].method {
		case http.MethodPost:
			post = &leanCases[i]
		case http.MethodPatch:
			patch = &leanCases[i]
		}
	}
	send := func(t *testing.T, h http.Handler, auth, method, path, body string, status int) *httptest.ResponseRecorder {
		t.Helper()
		w := httptest.NewRecorder()
		req := httptest.NewRequest(method, "http://bench.test"+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/vnd.api+json")
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		h.ServeHTTP(w, req)
		if w.Code != status {
			t.Fatalf("%s %s: status %d, want %d: %s", method, path, w.Code, status, w.Body)
		}
		if ct := w.Header().Get("Content-Type"); status < 300 && ct != "application/vnd.api+json" {
			t.Fatalf("%s %s: Content-Type %q", method, path, ct)
		}
		return w
	}
	stamps := func(t *testing.T, doc []byte) leanDocStamps {
		t.Helper()
		var d leanDocStamps
		if err := json.Unmarshal(doc, &d); err != nil {
			t.Fatalf("%v: %s", err, doc)
		}
		return d
	}
	secs := func(tm time.Time) string { return tm.UTC().Format("2006-01-02T15:04:05Z") }

	t.Run("post", func(t *testing.T) {
		for i, body := range []string{
			post.body("Lean test", "", 1), // what the load run sends
			`{"data":{"type":"accounts","attributes":{"name":"  Müller & Söhne —\tÜnïcode <GmbH>  ","description":"Line one\nLine two: \"quoted\", a.b@example.com; 50% off, ½ price"}}}`,
			`{"data":{"type":"accounts","attributes":{"name":"Only a name"}}}`,
			`{"data":{"type":"accounts","attributes":{"name":"Empty description","description":""}}}`,
		} {
			t.Run(strconv.Itoa(i), func(t *testing.T) {
				// one server after the other: each must add one account and its index row
				var docs [2][]byte
				var rows [2]leanWritten
				for j, srv := range []struct {
					h    http.Handler
					auth string
				}{{e, token}, {lean, ""}} {
					before, start := leanCounts(t, pool), leanNow()
					w := send(t, srv.h, srv.auth, http.MethodPost, "/api/accounts", body, http.StatusCreated)
					end := leanNow()
					if after := leanCounts(t, pool); after != [3]int64{before[0] + 1, before[1] + 1, before[2]} {
						t.Fatalf("server %d: rows of accounts, their index, account_contacts %v before, %v after", j, before, after)
					}
					d := stamps(t, w.Body.Bytes())
					id := d.Data.ID
					if loc, want := w.Header().Get("Location"), "http://bench.test/api/accounts/"+id; loc != want {
						t.Fatalf("server %d: Location %q, want %q", j, loc, want)
					}
					r := leanRead(t, pool, id, "created_at", "updated_at")
					if r.createdAt.Before(start) || r.createdAt.After(end) || !r.updatedAt.Equal(r.createdAt) {
						t.Fatalf("server %d: createdAt %s, updatedAt %s, written between %s and %s", j, r.createdAt, r.updatedAt, start, end)
					}
					if a := d.Data.Attributes; a.CreatedAt != secs(r.createdAt) || a.UpdatedAt != secs(r.updatedAt) {
						t.Fatalf("server %d: the document says %s / %s, the row %s", j, a.CreatedAt, a.UpdatedAt, r.createdAt)
					}
					// the timestamps are compared above, each against its own request
					r.createdAt, r.updatedAt = time.Time{}, time.Time{}
					rows[j] = r
					doc := bytes.ReplaceAll(w.Body.Bytes(), []byte(`"type":"accounts","id":"`+id+`"`), []byte(`"type":"accounts","id":"ID"`))
					for _, end := range []string{`"`, `/`} {
						doc = bytes.ReplaceAll(doc, []byte("/api/accounts/"+id+end), []byte("/api/accounts/ID"+end))
					}
					docs[j] = leanStampRE.ReplaceAll(doc, []byte(`"$1":"T"`))
				}
				if !bytes.Equal(docs[0], docs[1]) {
					t.Fatalf("documents differ (id and timestamps aside)\nours: %s\nlean: %s", docs[0], docs[1])
				}
				if rows[0] != rows[1] || !strings.Contains(rows[0].search, `"title": "`) {
					t.Fatalf("rows differ (id and timestamps aside)\nours: %+v\nlean: %+v", rows[0], rows[1])
				}
			})
		}
	})

	t.Run("patch", func(t *testing.T) {
		for i, tc := range []struct {
			id    string
			attrs string // the attributes sent
			other string // the same attributes with other values
		}{
			{"5", "", ""}, // the load run's request (a description)
			{"6", `{"name":"Renamed — Ünïcode & Co.\t(2)","description":null}`, `{"name":"Intermediate","description":"intermediate"}`},
			{"7", `{"name":"Only the name"}`, `{"name":"Intermediate"}`},
			{"8", `{"description":"Only the description"}`, `{"description":"intermediate"}`},
			{"9", `{}`, `{}`},
		} {
			t.Run(strconv.Itoa(i), func(t *testing.T) {
				path := "/api/accounts/" + tc.id
				body := func(attrs string) string {
					return `{"data":{"type":"accounts","id":"` + tc.id + `","attributes":` + attrs + `}}`
				}
				want, other := body(tc.attrs), body(tc.other)
				if tc.attrs == "" {
					want, other = patch.body("", tc.id, 1), patch.body("", tc.id, 2)
				}
				// ours writes the attributes; then other values (ours again), so that the lean
				// server's write of the first values is seen in the rows
				w := send(t, e, token, http.MethodPatch, path, want, http.StatusOK)
				oursDoc, oursRows := w.Body.Bytes(), leanRead(t, pool, tc.id, "updated_at")
				// (after ours' first write: the demo data come without their index rows, which
				// the first write of a record adds)
				before := leanCounts(t, pool)
				send(t, e, token, http.MethodPatch, path, other, http.StatusOK)
				between := leanRead(t, pool, tc.id, "updated_at")
				if tc.attrs != "{}" && between.account == oursRows.account {
					t.Fatalf("the second PATCH changed nothing: %s", between.account)
				}
				w = send(t, lean, "", http.MethodPatch, path, want, http.StatusOK)
				leanDoc, leanRows := w.Body.Bytes(), leanRead(t, pool, tc.id, "updated_at")
				if loc := w.Header().Values("Location"); loc != nil {
					t.Fatalf("Location %q on a PATCH", loc)
				}
				if after := leanCounts(t, pool); after != before {
					t.Fatalf("rows of accounts, their index, account_contacts %v before, %v after", before, after)
				}
				if !leanRows.updatedAt.After(between.updatedAt) {
					t.Fatalf("updatedAt %s, not after the previous write's %s", leanRows.updatedAt, between.updatedAt)
				}
				for j, r := range []struct {
					doc []byte
					at  time.Time
				}{{oursDoc, oursRows.updatedAt}, {leanDoc, leanRows.updatedAt}} {
					if d := stamps(t, r.doc); d.Data.Attributes.UpdatedAt != secs(r.at) {
						t.Fatalf("server %d: the document says updatedAt %s, the row %s", j, d.Data.Attributes.UpdatedAt, r.at)
					}
				}
				norm := func(doc []byte) []byte {
					return regexp.MustCompile(`"updatedAt":"[^"]*"`).ReplaceAll(doc, []byte(`"updatedAt":"T"`))
				}
				if !bytes.Equal(norm(oursDoc), norm(leanDoc)) {
					t.Fatalf("documents differ (updatedAt aside)\nours: %s\nlean: %s", oursDoc, leanDoc)
				}
				// updated_at is compared above; created_at is in the rows' JSON
				for _, r := range []*leanWritten{&oursRows, &leanRows} {
					r.createdAt, r.updatedAt = time.Time{}, time.Time{}
				}
				if oursRows != leanRows {
					t.Fatalf("rows differ (updated_at aside)\nours: %+v\nlean: %+v", oursRows, leanRows)
				}
			})
		}
	})

	t.Run("patch_elsewhere", func(t *testing.T) {
		// an account of another organization, and one that does not exist: not found for both,
		// and nothing written
		ctx := context.Background()
		var id string
		err := pool.QueryRow(ctx, `WITH o AS (INSERT INTO organizations (name, created_at, updated_at) VALUES ('Elsewhere', now(), now()) RETURNING id)
			INSERT INTO accounts (name, owner_id, organization_id, created_at, updated_at) SELECT 'Elsewhere Ltd', 1, o.id, now(), now() FROM o
			RETURNING id::text`).Scan(&id)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range []string{id, "999999"} {
			before := leanCounts(t, pool)
			var row string
			read := func() string {
				_ = pool.QueryRow(ctx, "SELECT to_jsonb(a)::text FROM accounts a WHERE id = $1", id).Scan(&row)
				return row
			}
			was := read()
			body := fmt.Sprintf(`{"data":{"type":"accounts","id":"%s","attributes":{"name":"Taken over"}}}`, id)
			send(t, e, token, http.MethodPatch, "/api/accounts/"+id, body, http.StatusNotFound)
			send(t, lean, "", http.MethodPatch, "/api/accounts/"+id, body, http.StatusNotFound)
			if after := leanCounts(t, pool); after != before || read() != was {
				t.Fatalf("account %s: written (%v, %v; %s, %s)", id, before, after, was, row)
			}
		}
	})
}
