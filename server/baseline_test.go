package server_test

// The performance baseline (the issue: at least 0.7× the requests per second of a minimal
// hand-written net/http + pgx server that returns the same documents). baselineHandler is such a
// server for exactly the requests the benchmarks make: plain structs in member order,
// encoding/json, hand-written SQL over pgxpool, no framework. TestBaselineMatches keeps its
// documents byte-identical to ours, so the comparison stays honest.

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"webapi/server"
	"webapi/store"
	"webapi/store/demo"
	"webapi/store/storetest"
)

// baselineCases are the requests of the comparison, named as in BenchmarkList. The first four
// are the ones the issue names; page100_filter is BenchmarkList's filter request.
var baselineCases = []benchCase{
	{"page10", "/api/accounts"},
	{"page10_include_contacts", "/api/accounts?include=contacts"},
	{"page10_filter", "/api/contacts?filter[lastName][contains]=son"},
	{"page100_filter", "/api/contacts?page[size]=100&filter[lastName]~son"},
	{"item", "/api/accounts/5"},
}

// postgresBackend returns the PostgreSQL backend, skipping when there is none (storetest.Backends
// fails instead when WEBAPI_REQUIRE_POSTGRES=1).
func basePostgresBackend(t testing.TB) storetest.Backend {
	t.Helper()
	pg, ok := storetest.Postgres(t)
	if !ok {
		t.Skip("the baseline needs PostgreSQL")
	}
	return pg
}

// openBaselinePool opens a pgx pool on the schema of db (a storetest PostgreSQL database), with
// the session settings the store uses (UTC).
func openBaselinePool(t testing.TB, be storetest.Backend, db *store.DB) (*pgxpool.Pool, *atomic.Int64) {
	t.Helper()
	var schema string
	if err := db.Gorm.Raw("SELECT current_schema()").Scan(&schema).Error; err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(be.URL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	q.Set("timezone", "UTC")
	u.RawQuery = q.Encode()
	cfg, err := pgxpool.ParseConfig(u.String())
	if err != nil {
		t.Fatal(err)
	}
	var statements atomic.Int64
	cfg.ConnConfig.Tracer = baseCountingTracer{&statements}
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool, &statements
}

// baseCountingTracer counts the statements the baseline runs (stmts/op).
type baseCountingTracer struct{ n *atomic.Int64 }

func (c baseCountingTracer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	c.n.Add(1)
	return ctx
}

func (baseCountingTracer) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// baselineSetup is what the baselines' byte-identity tests share: a PostgreSQL database with
// the demo data at scale 1, our server over it with the administrator's token, and a pgx pool
// for a baseline.
func baselineSetup(t *testing.T) (http.Handler, string, *pgxpool.Pool) {
	t.Helper()
	be := basePostgresBackend(t)
	db := storetest.Open(t, be)
	if err := demo.Seed(context.Background(), db, 1, nil); err != nil {
		t.Fatal(err)
	}
	e, token := newServer(t, db, server.Config{})
	pool, _ := openBaselinePool(t, be, db)
	return e, token, pool
}

// TestBaselineMatches checks that the baseline answers the benchmark requests with exactly our
// documents.
func TestBaselineMatches(t *testing.T) {
	t.Parallel()
	e, token, pool := baselineSetup(t)
	base := baselineHandler(pool)
	for _, tc := range baselineCases { // reads: in parallel
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			get := func(h http.Handler) []byte {
				w := httptest.NewRecorder()
				req := httptest.NewRequest(http.MethodGet, "http://bench.test"+tc.path, nil)
				req.Header.Set("Authorization", token) // the baseline reads none
				h.ServeHTTP(w, req)
				if w.Code != http.StatusOK {
					t.Fatalf("status %d: %s", w.Code, w.Body)
				}
				return w.Body.Bytes()
			}
			ours, theirs := get(e), get(base)
			if !bytes.Equal(ours, theirs) {
				t.Fatalf("documents differ\nours:     %s\nbaseline: %s", ours, theirs)
			}
			if len(ours) < 1000 {
				t.Fatalf("suspiciously small document: %s", ours)
			}
		})
	}
}

// BenchmarkBaseline runs the requests of BenchmarkList through the baseline, on the same demo
// data (WEBAPI_BENCH_SCALE), with the same sub-benchmark names under "postgres".
func BenchmarkBaseline(b *testing.B) {
	be := basePostgresBackend(b)
	b.Run(be.Name, func(b *testing.B) {
		db := storetest.Open(b, be)
		if err := demo.Seed(context.Background(), db, benchScale(), nil); err != nil {
			b.Fatal(err)
		}
		pool, statements := openBaselinePool(b, be, db)
		h := baselineHandler(pool)
		benchRequests(b, h, "", statements, baselineCases)
	})
}

// ---- the baseline server ----

type bLinks struct {
	Self string `json:"self"`
}

type bRelLinks struct {
	Self    string `json:"self"`
	Related string `json:"related"`
}

type bIdent struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

type bToOne struct {
	Data  *bIdent   `json:"data"`
	Links bRelLinks `json:"links"`
}

type bToMany struct {
	Data  []bIdent  `json:"data"`
	Links bRelLinks `json:"links"`
}

// bTime is a date-time rendered in UTC with seconds; bDate a date.
type bTime time.Time

func (t bTime) MarshalJSON() ([]byte, error) {
	return time.Time(t).UTC().AppendFormat([]byte{'"'}, "2006-01-02T15:04:05Z\""), nil
}

type bDate time.Time

func (t bDate) MarshalJSON() ([]byte, error) {
	return time.Time(t).AppendFormat([]byte{'"'}, "2006-01-02\""), nil
}

type bAccount struct {
	Type       string `json:"type"`
	ID         string `json:"id"`
	Links      bLinks `json:"links"`
	Attributes struct {
		Name                 string  `json:"name"`
		Description          *string `json:"description"`
		LastContactedDate    *bTime  `json:"lastContactedDate"`
		LastContactedDateIn  *bTime  `json:"lastContactedDateIn"`
		LastContactedDateOut *bTime  `json:"lastContactedDateOut"`
		TimesContacted       int64   `json:"timesContacted"`
		TimesContactedIn     int64   `json:"timesContactedIn"`
		TimesContactedOut    int64   `json:"timesContactedOut"`
		CreatedAt            bTime   `json:"createdAt"`
		UpdatedAt            bTime   `json:"updatedAt"`
	} `json:"attributes"`
	Relationships struct {
		Contacts       bToMany `json:"contacts"`
		DefaultContact bToOne  `json:"defaultContact"`
		Owner          bToOne  `json:"owner"`
		Organization   bToOne  `json:"organization"`
	} `json:"relationships"`
}

type bContact struct {
	Type       string `json:"type"`
	ID         string `json:"id"`
	Links      bLinks `json:"links"`
	Attributes struct {
		NamePrefix           *string `json:"namePrefix"`
		FirstName            *string `json:"firstName"`
		MiddleName           *string `json:"middleName"`
		LastName             *string `json:"lastName"`
		NameSuffix           *string `json:"nameSuffix"`
		Gender               *string `json:"gender"`
		Birthday             *bDate  `json:"birthday"`
		JobTitle             *string `json:"jobTitle"`
		Description          *string `json:"description"`
		PrimaryEmail         *string `json:"primaryEmail"`
		PrimaryPhone         *string `json:"primaryPhone"`
		LastContactedDate    *bTime  `json:"lastContactedDate"`
		LastContactedDateIn  *bTime  `json:"lastContactedDateIn"`
		LastContactedDateOut *bTime  `json:"lastContactedDateOut"`
		TimesContacted       int64   `json:"timesContacted"`
		TimesContactedIn     int64   `json:"timesContactedIn"`
		TimesContactedOut    int64   `json:"timesContactedOut"`
		CreatedAt            bTime   `json:"createdAt"`
		UpdatedAt            bTime   `json:"updatedAt"`
	} `json:"attributes"`
	Relationships struct {
		Source       bToOne  `json:"source"`
		Accounts     bToMany `json:"accounts"`
		Calls        bToMany `json:"calls"`
		Owner        bToOne  `json:"owner"`
		Organization bToOne  `json:"organization"`
	} `json:"relationships"`
}

type bPageLinks struct {
	Self string `json:"self"`
	Next string `json:"next,omitempty"`
}

type bListDoc[T any] struct {
	Data     []T         `json:"data"`
	Included *[]bContact `json:"included,omitempty"`
	Links    bPageLinks  `json:"links"`
}

type bItemDoc[T any] struct {
	Data  T      `json:"data"`
	Links bLinks `json:"links"`
}

const (
	bAccountSQL = `SELECT a.id, a.name, a.description, a.last_contacted_date, a.last_contacted_date_in,
	a.last_contacted_date_out, a.times_contacted, a.times_contacted_in, a.times_contacted_out,
	a.created_at, a.updated_at,
	ARRAY(SELECT ac.contact_id FROM account_contacts ac WHERE ac.account_id = a.id ORDER BY ac.contact_id LIMIT 1000),
	a.default_contact_id, a.owner_id, a.organization_id
FROM accounts a`
	bContactSQL = `SELECT c.id, c.name_prefix, c.first_name, c.middle_name, c.last_name, c.name_suffix,
	c.gender, c.birthday, c.job_title, c.description, c.primary_email, c.primary_phone,
	c.last_contacted_date, c.last_contacted_date_in, c.last_contacted_date_out,
	c.times_contacted, c.times_contacted_in, c.times_contacted_out, c.created_at, c.updated_at,
	c.source_id,
	ARRAY(SELECT ac.account_id FROM account_contacts ac WHERE ac.contact_id = c.id ORDER BY ac.account_id LIMIT 1000),
	ARRAY(SELECT k.id FROM calls k WHERE k.contact_id = c.id ORDER BY k.id LIMIT 1000),
	c.owner_id, c.organization_id
FROM contacts c`
)

// baselineHandler serves GET /api/accounts (optionally with include=contacts),
// GET /api/accounts/{id} and GET /api/contacts with a lastName contains filter and page[size].
func baselineHandler(pool *pgxpool.Pool) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/accounts", func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		base := "http://" + r.Host
		rows, _ := pool.Query(ctx, bAccountSQL+" ORDER BY a.id LIMIT 11")
		accounts, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (bAccount, error) { return baseScanAccount(row, base) })
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		doc := bListDoc[bAccount]{Links: basePageLinks(r, base)}
		if len(accounts) > 10 {
			accounts = accounts[:10]
		} else {
			doc.Links.Next = ""
		}
		doc.Data = accounts
		if r.URL.Query().Get("include") == "contacts" {
			ids := baseContactIDs(accounts)
			included := []bContact{}
			if len(ids) > 0 {
				rows, _ := pool.Query(ctx, bContactSQL+" WHERE c.id = ANY($1) ORDER BY c.id", ids)
				included, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (bContact, error) { return baseScanContact(row, base) })
				if err != nil {
					http.Error(w, err.Error(), http.StatusInternalServerError)
					return
				}
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
		base := "http://" + r.Host
		rows, _ := pool.Query(r.Context(), bAccountSQL+" WHERE a.id = $1", id)
		a, err := pgx.CollectExactlyOneRow(rows, func(row pgx.CollectableRow) (bAccount, error) { return baseScanAccount(row, base) })
		switch {
		case err == pgx.ErrNoRows:
			http.NotFound(w, r)
			return
		case err != nil:
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		baseWriteJSON(w, bItemDoc[bAccount]{Data: a, Links: bLinks{Self: base + r.URL.RequestURI()}})
	})
	mux.HandleFunc("GET /api/contacts", func(w http.ResponseWriter, r *http.Request) {
		size, contains := 10, ""
		for _, part := range strings.Split(r.URL.RawQuery, "&") {
			part, _ = url.QueryUnescape(part)
			switch k, v, _ := strings.Cut(part, "="); {
			case k == "page[size]":
				size, _ = strconv.Atoi(v)
			case k == "filter[lastName][contains]":
				contains = v
			case strings.HasPrefix(part, "filter[lastName]~"):
				contains = strings.TrimPrefix(part, "filter[lastName]~")
			}
		}
		if size < 1 || size > 1000 {
			http.Error(w, "bad page[size]", http.StatusBadRequest)
			return
		}
		base := "http://" + r.Host
		pattern := "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(contains) + "%"
		rows, _ := pool.Query(r.Context(), bContactSQL+" WHERE c.last_name ILIKE $1 ORDER BY c.id LIMIT $2", pattern, size+1)
		contacts, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (bContact, error) { return baseScanContact(row, base) })
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		doc := bListDoc[bContact]{Links: basePageLinks(r, base)}
		if len(contacts) > size {
			contacts = contacts[:size]
		} else {
			doc.Links.Next = ""
		}
		doc.Data = contacts
		baseWriteJSON(w, doc)
	})
	return mux
}

// pageLinks are the links of page 1: self and next (dropped by the caller on the last page).
// Their query is percent-encoded as RFC 3986 requires: brackets and operators escaped.
func basePageLinks(r *http.Request, base string) bPageLinks {
	self := base + r.URL.EscapedPath()
	var parts []string
	for _, part := range strings.Split(r.URL.RawQuery, "&") {
		if part, err := url.QueryUnescape(part); err == nil && part != "" {
			parts = append(parts, baseEscaper.Replace(part))
		}
	}
	next := self + "?"
	if len(parts) > 0 {
		self += "?" + strings.Join(parts, "&")
		next = self + "&"
	}
	return bPageLinks{Self: self, Next: next + "page%5Bnumber%5D=2"}
}

// baseEscaper percent-encodes what the baseline's requests have in a query that a URI does not allow.
var baseEscaper = strings.NewReplacer("%", "%25", "[", "%5B", "]", "%5D", "<", "%3C", ">", "%3E", "^", "%5E", "+", "%2B", "&", "%26", " ", "%20")

func baseWriteJSON(w http.ResponseWriter, doc any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/vnd.api+json")
	_, _ = w.Write(bytes.TrimSuffix(buf.Bytes(), []byte{'\n'}))
}

func baseScanAccount(row pgx.CollectableRow, base string) (bAccount, error) {
	var a bAccount
	var id int64
	var last, lastIn, lastOut *time.Time
	var created, updated time.Time
	var contacts []int64
	var defaultContact *int64
	var owner, org int64
	at := &a.Attributes
	err := row.Scan(&id, &at.Name, &at.Description, &last, &lastIn, &lastOut,
		&at.TimesContacted, &at.TimesContactedIn, &at.TimesContactedOut, &created, &updated,
		&contacts, &defaultContact, &owner, &org)
	if err != nil {
		return a, err
	}
	a.Type, a.ID = "accounts", strconv.FormatInt(id, 10)
	self := base + "/api/accounts/" + a.ID
	a.Links.Self = self
	at.LastContactedDate, at.LastContactedDateIn, at.LastContactedDateOut = baseOptTime(last), baseOptTime(lastIn), baseOptTime(lastOut)
	at.CreatedAt, at.UpdatedAt = bTime(created), bTime(updated)
	rel := &a.Relationships
	rel.Contacts = baseToMany(self, "contacts", "contacts", contacts)
	rel.DefaultContact = baseToOne(self, "defaultContact", "contacts", baseOptID(defaultContact))
	rel.Owner = baseToOne(self, "owner", "users", strconv.FormatInt(owner, 10))
	rel.Organization = baseToOne(self, "organization", "organizations", strconv.FormatInt(org, 10))
	return a, nil
}

func baseScanContact(row pgx.CollectableRow, base string) (bContact, error) {
	var c bContact
	var id int64
	var birthday, last, lastIn, lastOut *time.Time
	var created, updated time.Time
	var source *string
	var accounts, calls []int64
	var owner, org int64
	at := &c.Attributes
	err := row.Scan(&id, &at.NamePrefix, &at.FirstName, &at.MiddleName, &at.LastName, &at.NameSuffix,
		&at.Gender, &birthday, &at.JobTitle, &at.Description, &at.PrimaryEmail, &at.PrimaryPhone,
		&last, &lastIn, &lastOut, &at.TimesContacted, &at.TimesContactedIn, &at.TimesContactedOut,
		&created, &updated, &source, &accounts, &calls, &owner, &org)
	if err != nil {
		return c, err
	}
	c.Type, c.ID = "contacts", strconv.FormatInt(id, 10)
	self := base + "/api/contacts/" + c.ID
	c.Links.Self = self
	if birthday != nil {
		d := bDate(*birthday)
		at.Birthday = &d
	}
	at.LastContactedDate, at.LastContactedDateIn, at.LastContactedDateOut = baseOptTime(last), baseOptTime(lastIn), baseOptTime(lastOut)
	at.CreatedAt, at.UpdatedAt = bTime(created), bTime(updated)
	rel := &c.Relationships
	src := ""
	if source != nil {
		src = *source
	}
	rel.Source = baseToOne(self, "source", "contactsources", src)
	rel.Accounts = baseToMany(self, "accounts", "accounts", accounts)
	rel.Calls = baseToMany(self, "calls", "calls", calls)
	rel.Owner = baseToOne(self, "owner", "users", strconv.FormatInt(owner, 10))
	rel.Organization = baseToOne(self, "organization", "organizations", strconv.FormatInt(org, 10))
	return c, nil
}

func baseOptTime(t *time.Time) *bTime {
	if t == nil {
		return nil
	}
	v := bTime(*t)
	return &v
}

func baseOptID(n *int64) string {
	if n == nil {
		return ""
	}
	return strconv.FormatInt(*n, 10)
}

func baseRelLinks(self, name string) bRelLinks {
	return bRelLinks{Self: self + "/relationships/" + name, Related: self + "/" + name}
}

// baseToOne is a to-one relationship; id "" is null.
func baseToOne(self, name, typ, id string) bToOne {
	rel := bToOne{Links: baseRelLinks(self, name)}
	if id != "" {
		rel.Data = &bIdent{Type: typ, ID: id}
	}
	return rel
}

func baseToMany(self, name, typ string, ids []int64) bToMany {
	rel := bToMany{Data: make([]bIdent, len(ids)), Links: baseRelLinks(self, name)}
	for i, id := range ids {
		rel.Data[i] = bIdent{Type: typ, ID: strconv.FormatInt(id, 10)}
	}
	return rel
}

// baseContactIDs are the ids of the accounts' contacts, each once, in order of appearance: what
// include=contacts reads.
func baseContactIDs(accounts []bAccount) []int64 {
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
	return ids
}
