package server_test

// The honest baseline of issue 13 (item 1): a lean hand-written net/http + pgxpool server that
// answers the request classes of the issue with the leanest SQL a person would write: one
// statement for a page (to-many linkage as an ARRAY subquery only where the document prints it),
// one WHERE id = ANY for an include, only the asked-for columns for a sparse fieldset, no
// relationship subquery a document does not need. It applies the administrator's visibility
// (everything of organization 1) and reads no credentials; ours is always sent the
// administrator's bearer token. TestLeanBaselineMatches keeps its documents byte-identical to
// ours; TestHTTPBenchmark (leanbench_test.go, make bench-http) measures both under load.
//
// It reuses the document structs and row scanners of baseline_test.go (the older baseline of
// issue 9, which runs our own SQL shapes) but none of its SQL.

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"webapi/server"
	"webapi/store/demo"
	"webapi/store/storetest"
)

// leanCase is one request class of issue 13: its path and the X-Include header it sends.
type leanCase struct{ name, path, xInclude string }

// leanCases are the GET request classes of issue 13 (its table and the list of its item 2).
var leanCases = []leanCase{
	{"page10", "/api/accounts", ""},
	{"page10_include_contacts", "/api/accounts?include=contacts", ""},
	{"item", "/api/accounts/5", ""},
	{"page10_filter_contains", "/api/accounts?filter[name][contains]=an", ""},
	{"page10_sparse_noHateoas", "/api/accounts?fields[accounts]=name,description,createdAt,updatedAt", "noHateoas"},
	{"item_include_contacts", "/api/accounts/5?include=contacts", ""},
	{"relationship_contacts", "/api/accounts/5/relationships/contacts", ""},
	{"subresource_contacts", "/api/accounts/5/contacts", ""},
	{"page100", "/api/accounts?page[size]=100", ""},
}

// TestLeanBaselineMatches checks, on PostgreSQL, that the lean server answers every request
// class with exactly our document.
func TestLeanBaselineMatches(t *testing.T) {
	t.Parallel()
	be := basePostgresBackend(t)
	db := storetest.Open(t, be)
	if err := demo.Seed(context.Background(), db, 1, nil); err != nil {
		t.Fatal(err)
	}
	e, token := newServer(t, db, server.Config{})
	pool, _ := openBaselinePool(t, be, db)
	lean := leanHandler(pool)
	for _, tc := range leanCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			get := func(h http.Handler, auth string) []byte {
				w := httptest.NewRecorder()
				req := httptest.NewRequest(http.MethodGet, "http://bench.test"+tc.path, nil)
				if auth != "" {
					req.Header.Set("Authorization", auth)
				}
				if tc.xInclude != "" {
					req.Header.Set("X-Include", tc.xInclude)
				}
				h.ServeHTTP(w, req)
				if w.Code != http.StatusOK {
					t.Fatalf("status %d: %s", w.Code, w.Body)
				}
				if ct := w.Header().Get("Content-Type"); ct != "application/vnd.api+json" {
					t.Fatalf("Content-Type %q", ct)
				}
				return w.Body.Bytes()
			}
			ours, theirs := get(e, token), get(lean, "")
			if !bytes.Equal(ours, theirs) {
				t.Fatalf("documents differ\nours: %s\nlean: %s", ours, theirs)
			}
			if len(ours) < 30 {
				t.Fatalf("suspiciously small document: %s", ours)
			}
		})
	}
}

// ---- the lean server ----

// The administrator sees every record of organization 1; linkage lists visible records only.
const (
	leanAccountCols = `a.id, a.name, a.description, a.last_contacted_date, a.last_contacted_date_in,
	a.last_contacted_date_out, a.times_contacted, a.times_contacted_in, a.times_contacted_out,
	a.created_at, a.updated_at,
	ARRAY(SELECT ac.contact_id FROM account_contacts ac JOIN contacts c ON c.id = ac.contact_id AND c.organization_id = 1
		WHERE ac.account_id = a.id ORDER BY ac.contact_id),
	a.default_contact_id, a.owner_id, a.organization_id`
	leanContactCols = `c.id, c.name_prefix, c.first_name, c.middle_name, c.last_name, c.name_suffix,
	c.gender, c.birthday, c.job_title, c.description, c.primary_email, c.primary_phone,
	c.last_contacted_date, c.last_contacted_date_in, c.last_contacted_date_out,
	c.times_contacted, c.times_contacted_in, c.times_contacted_out, c.created_at, c.updated_at,
	c.source_id,
	ARRAY(SELECT ac.account_id FROM account_contacts ac JOIN accounts a ON a.id = ac.account_id AND a.organization_id = 1
		WHERE ac.contact_id = c.id ORDER BY ac.account_id),
	ARRAY(SELECT k.id FROM calls k WHERE k.contact_id = c.id AND k.organization_id = 1 ORDER BY k.id),
	c.owner_id, c.organization_id`
)

type leanSparseAccount struct {
	Type       string `json:"type"`
	ID         string `json:"id"`
	Attributes struct {
		Name        string  `json:"name"`
		Description *string `json:"description"`
		CreatedAt   bTime   `json:"createdAt"`
		UpdatedAt   bTime   `json:"updatedAt"`
	} `json:"attributes"`
}

type leanSparseDoc struct {
	Data []leanSparseAccount `json:"data"`
}

type leanItemIncludeDoc struct {
	Data     bAccount   `json:"data"`
	Included []bContact `json:"included"`
	Links    bLinks     `json:"links"`
}

type leanRelDoc struct {
	Data  []bIdent  `json:"data"`
	Links bRelLinks `json:"links"`
}

// leanHandler serves the GET request classes of leanCases.
func leanHandler(pool *pgxpool.Pool) http.Handler {
	fail := func(w http.ResponseWriter, err error) {
		if err == pgx.ErrNoRows {
			http.Error(w, "not found", http.StatusNotFound)
			return
		}
		http.Error(w, err.Error(), http.StatusInternalServerError)
	}
	contacts := func(ctx context.Context, base, sql string, args ...any) ([]bContact, error) {
		rows, _ := pool.Query(ctx, sql, args...)
		return pgx.CollectRows(rows, func(row pgx.CollectableRow) (bContact, error) { return baseScanContact(row, base) })
	}
	include := func(ctx context.Context, base string, accounts []bAccount) ([]bContact, error) {
		var ids []int64
		seen := map[string]bool{}
		for _, a := range accounts {
			for _, c := range a.Relationships.Contacts.Data {
				if !seen[c.ID] {
					seen[c.ID] = true
					n, _ := strconv.ParseInt(c.ID, 10, 64)
					ids = append(ids, n)
				}
			}
		}
		if len(ids) == 0 {
			return []bContact{}, nil
		}
		return contacts(ctx, base, "SELECT "+leanContactCols+" FROM contacts c WHERE c.id = ANY($1) AND c.organization_id = 1 ORDER BY c.id", ids)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/accounts", func(w http.ResponseWriter, r *http.Request) {
		ctx, q, base := r.Context(), r.URL.Query(), "http://"+r.Host
		size := 10
		if s := q.Get("page[size]"); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 1 || n > 1000 {
				http.Error(w, "bad page[size]", http.StatusBadRequest)
				return
			}
			size = n
		}
		if q.Get("fields[accounts]") == "name,description,createdAt,updatedAt" && r.Header.Get("X-Include") == "noHateoas" {
			rows, _ := pool.Query(ctx, "SELECT id, name, description, created_at, updated_at FROM accounts WHERE organization_id = 1 ORDER BY id LIMIT $1", size)
			data, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (leanSparseAccount, error) {
				var a leanSparseAccount
				var id int64
				var created, updated time.Time
				err := row.Scan(&id, &a.Attributes.Name, &a.Attributes.Description, &created, &updated)
				a.Type, a.ID = "accounts", strconv.FormatInt(id, 10)
				a.Attributes.CreatedAt, a.Attributes.UpdatedAt = bTime(created), bTime(updated)
				return a, err
			})
			if err != nil {
				fail(w, err)
				return
			}
			baseWriteJSON(w, leanSparseDoc{Data: data})
			return
		}
		sql, args := "SELECT "+leanAccountCols+" FROM accounts a WHERE a.organization_id = 1", []any{}
		if s, ok := q["filter[name][contains]"]; ok {
			args = append(args, "%"+strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s[0])+"%")
			sql += " AND a.name ILIKE $1"
		}
		args = append(args, size+1)
		sql += " ORDER BY a.id LIMIT $" + strconv.Itoa(len(args))
		rows, _ := pool.Query(ctx, sql, args...)
		accounts, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (bAccount, error) { return baseScanAccount(row, base) })
		if err != nil {
			fail(w, err)
			return
		}
		doc := bListDoc[bAccount]{Links: basePageLinks(r, base)}
		if len(accounts) > size {
			accounts = accounts[:size]
		} else {
			doc.Links.Next = ""
		}
		doc.Data = accounts
		if q.Get("include") == "contacts" {
			included, err := include(ctx, base, accounts)
			if err != nil {
				fail(w, err)
				return
			}
			doc.Included = &included
		}
		baseWriteJSON(w, doc)
	})
	mux.HandleFunc("GET /api/accounts/{id}", func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		ctx, base := r.Context(), "http://"+r.Host
		rows, _ := pool.Query(ctx, "SELECT "+leanAccountCols+" FROM accounts a WHERE a.id = $1 AND a.organization_id = 1", id)
		a, err := pgx.CollectExactlyOneRow(rows, func(row pgx.CollectableRow) (bAccount, error) { return baseScanAccount(row, base) })
		if err != nil {
			fail(w, err)
			return
		}
		self := bLinks{Self: base + r.URL.RequestURI()}
		if r.URL.Query().Get("include") != "contacts" {
			baseWriteJSON(w, bItemDoc[bAccount]{Data: a, Links: self})
			return
		}
		included, err := include(ctx, base, []bAccount{a})
		if err != nil {
			fail(w, err)
			return
		}
		baseWriteJSON(w, leanItemIncludeDoc{Data: a, Included: included, Links: self})
	})
	mux.HandleFunc("GET /api/accounts/{id}/relationships/contacts", func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		var ids []int64
		err = pool.QueryRow(r.Context(), `SELECT ARRAY(SELECT ac.contact_id FROM account_contacts ac
			JOIN contacts c ON c.id = ac.contact_id AND c.organization_id = 1
			WHERE ac.account_id = a.id ORDER BY ac.contact_id) FROM accounts a WHERE a.id = $1 AND a.organization_id = 1`, id).Scan(&ids)
		if err != nil {
			fail(w, err)
			return
		}
		self := "http://" + r.Host + "/api/accounts/" + r.PathValue("id")
		rel := baseToMany(self, "contacts", "contacts", ids)
		baseWriteJSON(w, leanRelDoc{Data: rel.Data, Links: rel.Links})
	})
	mux.HandleFunc("GET /api/accounts/{id}/contacts", func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		base := "http://" + r.Host
		// a missing or invisible account answers an empty page here (ours: 404); the benchmark
		// asks for a visible one
		list, err := contacts(r.Context(), base, "SELECT "+leanContactCols+` FROM account_contacts l
			JOIN accounts p ON p.id = l.account_id AND p.organization_id = 1
			JOIN contacts c ON c.id = l.contact_id AND c.organization_id = 1
			WHERE l.account_id = $1 ORDER BY c.id LIMIT 11`, id)
		if err != nil {
			fail(w, err)
			return
		}
		doc := bListDoc[bContact]{Links: basePageLinks(r, base)}
		if len(list) > 10 {
			list = list[:10]
		} else {
			doc.Links.Next = ""
		}
		doc.Data = list
		baseWriteJSON(w, doc)
	})
	return mux
}
