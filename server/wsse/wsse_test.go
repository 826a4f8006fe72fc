package wsse_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"webapi/server"
	"webapi/server/apitest"
	"webapi/server/auth"
	"webapi/server/wsse"
	"webapi/store"
	"webapi/store/storetest"
)

// clock is a settable clock for Scheme.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// start is the clock's time at the start of every test: a whole second, in a zone that is not
// UTC (Created keeps its offset).
var start = time.Date(2026, 5, 4, 10, 0, 0, 0, time.FixedZone("", 3*3600))

const key = "0123456789abcdef0123456789abcdef01234567"

// setKey gives user username the API key k.
func setKey(t *testing.T, db *store.DB, username, k string) {
	t.Helper()
	found, err := db.SetAPIKey(context.Background(), username, k, time.Now())
	if err != nil || !found {
		t.Fatalf("SetAPIKey(%s): found %v, %v", username, found, err)
	}
}

// headers returns the WSSE headers of username with k at created, with the nonce n (bytes).
func headers(username, k, n string, created time.Time) map[string]string {
	authz, x := wsse.HeadersWith(username, k, []byte(n), created.Format(time.RFC3339))
	return map[string]string{"Authorization": authz, "X-WSSE": x}
}

// verify runs s.Verify on a request with the headers and returns the user, or the detail of the
// failure (any other error fails the test).
func verify(t *testing.T, s *wsse.Scheme, h map[string]string) (int64, string) {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, "/api/accounts", nil)
	for k, v := range h {
		r.Header.Set(k, v)
	}
	id, err := s.Verify(r)
	var f *auth.Failure
	switch {
	case errors.As(err, &f):
		return 0, f.Detail
	case err != nil:
		t.Fatalf("Verify: %v", err)
	}
	return id.UserID, ""
}

func newScheme(db *store.DB, clk *clock) *wsse.Scheme {
	return &wsse.Scheme{DB: db, Now: clk.Now, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
}

func nonces(t *testing.T, db *store.DB) int64 {
	t.Helper()
	var n int64
	if err := db.Gorm.Raw("SELECT COUNT(*) FROM wsse_nonces").Row().Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestTimes: a header is valid from 60 s before its Created until 3600 s after it.
func TestTimes(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		db := storetest.Open(t, b)
		setKey(t, db, "admin", key)
		clk := &clock{t: start}
		s := newScheme(db, clk)
		for i, c := range []struct {
			created time.Time
			detail  string
		}{
			{start, ""},
			{start.Add(-3600 * time.Second), ""},
			{start.Add(-3601 * time.Second), "The X-WSSE header has expired."},
			{start.Add(-30 * 24 * time.Hour), "The X-WSSE header has expired."},
			{start.Add(59 * time.Second), ""},
			{start.Add(60 * time.Second), ""},
			{start.Add(61 * time.Second), "The X-WSSE Created is in the future."},
			{start.Add(24 * time.Hour), "The X-WSSE Created is in the future."},
			{start.UTC().Add(-10 * time.Minute), ""}, // another zone, the same rules
		} {
			user, detail := verify(t, s, headers("admin", key, fmt.Sprintf("nonce %d", i), c.created))
			if detail != c.detail || (detail == "" && user != 1) {
				t.Errorf("Created %s at %s: user %d, %q; want %q", c.created.Format(time.RFC3339), start.Format(time.RFC3339), user, detail, c.detail)
			}
		}
		// the same header, later: valid until Created + 3600 s exactly
		h := headers("admin", key, "late", start)
		clk.Set(start.Add(3601 * time.Second))
		if _, detail := verify(t, s, h); detail != "The X-WSSE header has expired." {
			t.Errorf("after 3601 s: %q", detail)
		}
		clk.Set(start.Add(3600 * time.Second))
		if _, detail := verify(t, s, h); detail != "" {
			t.Errorf("after 3600 s: %q", detail)
		}
	})
}

// TestCredentials: the digest must be made with the user's current key; every way of getting it
// wrong gets the same answer, which does not tell whether the user exists.
func TestCredentials(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		db := storetest.Open(t, b)
		clk := &clock{t: start}
		s := newScheme(db, clk)
		const invalid = "The X-WSSE credentials are invalid."
		if _, detail := verify(t, s, headers("admin", "", "no key yet", start)); detail != invalid {
			t.Errorf("a user without a key, the empty key: %q", detail)
		}
		setKey(t, db, "admin", key)
		for name, h := range map[string]map[string]string{
			"wrong key":                   headers("admin", "x"+key[1:], "n1", start),
			"unknown user":                headers("nobody", key, "n2", start),
			"username of another case":    headers("Admin", key, "n3", start),
			"the digest of another nonce": withNonce(headers("admin", key, "n4", start), "n5"),
		} {
			if _, detail := verify(t, s, h); detail != invalid {
				t.Errorf("%s: %q, want %q", name, detail, invalid)
			}
		}
		if n := nonces(t, db); n != 0 {
			t.Errorf("refused headers took %d nonces", n)
		}
		// a new key replaces the old one
		if user, detail := verify(t, s, headers("admin", key, "old key", start)); user != 1 {
			t.Fatalf("the key: %q", detail)
		}
		setKey(t, db, "admin", "new"+key[3:])
		if _, detail := verify(t, s, headers("admin", key, "old key again", start)); detail != invalid {
			t.Errorf("the old key after a new one: %q", detail)
		}
		if user, detail := verify(t, s, headers("admin", "new"+key[3:], "new key", start)); user != 1 {
			t.Errorf("the new key: %q", detail)
		}
		var keys int64
		db.Gorm.Raw("SELECT COUNT(*) FROM user_api_keys").Row().Scan(&keys)
		if keys != 1 {
			t.Errorf("%d keys, want 1 (one per user)", keys)
		}
		if found, err := db.SetAPIKey(context.Background(), "nobody", key, time.Now()); found || err != nil {
			t.Errorf("SetAPIKey of an unknown user: found %v, %v", found, err)
		}
	})
}

// withNonce replaces the nonce of an X-WSSE header, keeping its digest.
func withNonce(h map[string]string, n string) map[string]string {
	x := h["X-WSSE"]
	i := strings.Index(x, `Nonce="`) + len(`Nonce="`)
	j := i + strings.IndexByte(x[i:], '"')
	return map[string]string{"Authorization": h["Authorization"], "X-WSSE": x[:i] + base64.StdEncoding.EncodeToString([]byte(n)) + x[j:]}
}

// TestHeaderForms: what the request must carry besides a valid token.
func TestHeaderForms(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		db := storetest.Open(t, b)
		setKey(t, db, "admin", key)
		s := newScheme(db, &clock{t: start})
		h := headers("admin", key, "forms", start)
		for name, c := range map[string]struct {
			authz  string
			xwsse  []string
			detail string
		}{
			"no X-WSSE":        {h["Authorization"], nil, "The request has no X-WSSE header."},
			"two X-WSSE":       {h["Authorization"], []string{h["X-WSSE"], h["X-WSSE"]}, "The request has more than one X-WSSE header."},
			"another profile":  {`WSSE profile="Digest"`, []string{h["X-WSSE"]}, `The Authorization header must be WSSE profile="UsernameToken".`},
			"no profile":       {`WSSE`, []string{h["X-WSSE"]}, `The Authorization header must be WSSE profile="UsernameToken".`},
			"a long X-WSSE":    {h["Authorization"], []string{h["X-WSSE"] + strings.Repeat(" ", 1<<20)}, "The X-WSSE header is too long."},
			"an empty X-WSSE":  {h["Authorization"], []string{""}, "The X-WSSE header must be a UsernameToken."},
			"a broken X-WSSE":  {h["Authorization"], []string{h["X-WSSE"][:40]}, `The X-WSSE header must be UsernameToken followed by Name="value" pairs separated by commas.`},
			"a partial X-WSSE": {h["Authorization"], []string{h["X-WSSE"][:strings.Index(h["X-WSSE"], ", Created")]}, "The X-WSSE header lacks Created."},
		} {
			r := httptest.NewRequest(http.MethodGet, "/api/accounts", nil)
			r.Header.Set("Authorization", c.authz)
			for _, v := range c.xwsse {
				r.Header.Add("X-WSSE", v)
			}
			_, err := s.Verify(r)
			var f *auth.Failure
			if !errors.As(err, &f) || f.Detail != c.detail {
				t.Errorf("%s: %v, want %q", name, err, c.detail)
			}
		}
		if user, detail := verify(t, s, h); user != 1 {
			t.Errorf("the headers themselves: %q", detail)
		}
	})
}

// TestReplay: a nonce is taken once, by every server process sharing the database: two servers
// over two handles of one database, the same headers sent to both, one after the other and then
// all at once.
func TestReplay(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		clk := &clock{t: start}
		schemeA, schemeB := &wsse.Scheme{Now: clk.Now}, &wsse.Scheme{Now: clk.Now}
		envA := apitest.NewWith(t, b, store.DefaultLimits, server.Config{Schemes: []auth.Scheme{schemeA}})
		schemeA.DB = envA.DB // the environment opens the database: the scheme gets it once it exists
		dbB := storetest.OpenAgain(t, b, envA.DB)
		schemeB.DB = dbB
		serverB, err := server.New(dbB, server.Config{Schemes: []auth.Scheme{schemeB}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			t.Fatal(err)
		}
		setKey(t, envA.DB, "admin", key)
		send := func(h http.Handler, headers map[string]string) (int, string) {
			r := httptest.NewRequest(http.MethodGet, "/api/accounts", nil)
			for k, v := range headers {
				r.Header.Set(k, v)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			return w.Code, errorDetail(t, w.Body.Bytes())
		}

		h := headers("admin", key, "once", start)
		if code, detail := send(envA.Handler, h); code != http.StatusOK {
			t.Fatalf("server A: %d %s", code, detail)
		}
		for name, srv := range map[string]http.Handler{"server A": envA.Handler, "server B": serverB} {
			if code, detail := send(srv, h); code != http.StatusUnauthorized || detail != "Previously used nonce detected." {
				t.Errorf("the replay on %s: %d %q", name, code, detail)
			}
		}
		// a nonce is the user's: the same nonce is the replay however it is padded
		unpadded := headers("admin", key, "once", start.Add(time.Second))
		unpadded["X-WSSE"] = strings.Replace(unpadded["X-WSSE"], `=="`, `"`, 1)
		if code, detail := send(serverB, unpadded); code != http.StatusUnauthorized || detail != "Previously used nonce detected." {
			t.Errorf("the nonce without its padding: %d %q", code, detail)
		}

		// all at once: exactly one of the requests gets through
		for round := range 3 {
			h := headers("admin", key, fmt.Sprintf("race %d", round), start)
			var ok, replayed atomic.Int32
			var wg sync.WaitGroup
			for i := range 8 {
				srv := http.Handler(envA.Handler)
				if i%2 == 1 {
					srv = serverB
				}
				wg.Add(1)
				go func() {
					defer wg.Done()
					code, detail := send(srv, h)
					switch {
					case code == http.StatusOK:
						ok.Add(1)
					case code == http.StatusUnauthorized && detail == "Previously used nonce detected.":
						replayed.Add(1)
					default:
						t.Errorf("%d %s", code, detail)
					}
				}()
			}
			wg.Wait()
			if ok.Load() != 1 || replayed.Load() != 7 {
				t.Errorf("round %d: %d accepted, %d refused as replays; want 1 and 7", round, ok.Load(), replayed.Load())
			}
		}
	})
}

// errorDetail returns the detail of the first error of a JSON:API error document ("" for
// anything else).
func errorDetail(t *testing.T, body []byte) string {
	t.Helper()
	var doc struct {
		Errors []struct {
			Detail string `json:"detail"`
		} `json:"errors"`
	}
	if json.Unmarshal(body, &doc) != nil || len(doc.Errors) == 0 {
		return ""
	}
	return doc.Errors[0].Detail
}

// TestNonceLifetime: a nonce is kept while its header is valid (and a few minutes more, for
// clocks that differ), then it may be taken again and is purged.
func TestNonceLifetime(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		db := storetest.Open(t, b)
		setKey(t, db, "admin", key)
		clk := &clock{t: start}
		s := newScheme(db, clk)
		s.PurgeInterval = 24 * time.Hour // no purge in this test
		if user, detail := verify(t, s, headers("admin", key, "reused", start)); user != 1 {
			t.Fatal(detail)
		}
		// a header of the same nonce made later, while the first one is valid: a replay
		clk.Set(start.Add(3000 * time.Second))
		if _, detail := verify(t, s, headers("admin", key, "reused", clk.Now())); detail != "Previously used nonce detected." {
			t.Errorf("within the lifetime: %q", detail)
		}
		// once the first has expired (and the margin passed), the nonce is free again
		clk.Set(start.Add(3600*time.Second + 6*time.Minute))
		if user, detail := verify(t, s, headers("admin", key, "reused", clk.Now())); user != 1 {
			t.Errorf("after the lifetime: %q", detail)
		}
		if _, detail := verify(t, s, headers("admin", key, "reused", clk.Now())); detail != "Previously used nonce detected." {
			t.Errorf("taken again, then replayed: %q", detail)
		}
	})
}

// TestPurge: expired nonces are deleted, in batches, by the requests that come at least
// PurgeInterval after the previous purge.
func TestPurge(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		db := storetest.Open(t, b)
		setKey(t, db, "admin", key)
		clk := &clock{t: start}
		s := newScheme(db, clk)
		s.PurgeInterval, s.PurgeBatch = time.Minute, 3
		n := 0
		use := func() {
			t.Helper()
			n++
			if user, detail := verify(t, s, headers("admin", key, fmt.Sprint("purge ", n), clk.Now())); user != 1 {
				t.Fatal(detail)
			}
		}
		// five expired nonces, written directly
		for i := range 5 {
			fresh, err := db.UseNonce(ctx, 1, fmt.Sprint("old ", i), start.Add(-time.Duration(i+1)*time.Second), start.Add(-time.Hour))
			if err != nil || !fresh {
				t.Fatalf("UseNonce: %v %v", fresh, err)
			}
		}
		use() // purges the first batch (3)
		if got := nonces(t, db); got != 3 {
			t.Fatalf("after the first purge: %d nonces, want 3 (2 expired, 1 new)", got)
		}
		use() // the batch was full: purges again, the last 2
		if got := nonces(t, db); got != 2 {
			t.Fatalf("after the second purge: %d nonces, want the 2 new ones", got)
		}
		use() // nothing was left: no purge until a minute has passed
		clk.Set(start.Add(3600*time.Second + 5*time.Minute))
		use() // a minute has passed, but the first nonces expire only now
		if got := nonces(t, db); got != 4 {
			t.Fatalf("nonces just at their expiry: %d, want 4", got)
		}
		clk.Set(start.Add(3600*time.Second + 7*time.Minute))
		use()
		if got := nonces(t, db); got != 2 {
			t.Fatalf("after the lifetime: %d nonces, want the 2 new ones", got)
		}
		// PurgeNonces itself: bounded, and it reports how many it deleted
		for i := range 4 {
			db.UseNonce(ctx, 1, fmt.Sprint("expired ", i), start, start)
		}
		later := start.Add(48 * time.Hour)
		for _, want := range []int64{3, 3, 0} {
			if got, err := db.PurgeNonces(ctx, later, 3); err != nil || got != want {
				t.Errorf("PurgeNonces: %d, %v; want %d", got, err, want)
			}
		}
	})
}

// TestAPIRequest: with the scheme configured, a WSSE request authenticates an /api/ request; a
// wrong digest is refused with 401, the challenge and a JSON:API error document.
func TestAPIRequest(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		scheme := &wsse.Scheme{}
		env := apitest.NewWith(t, b, store.DefaultLimits, server.Config{Schemes: []auth.Scheme{scheme}})
		scheme.DB = env.DB
		setKey(t, env.DB, "admin", key)

		_, h, err := wsse.Headers("admin", key, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		authz := `WSSE profile="UsernameToken"`
		res := env.Do(apitest.Request{Path: "/api/accounts", Header: map[string]string{"Authorization": authz, "X-WSSE": h}})
		if res.Status != http.StatusOK {
			t.Fatalf("GET /api/accounts: %d %s", res.Status, res.Body)
		}

		for name, c := range map[string]struct {
			header map[string]string
			detail string
		}{
			"wrong digest": {map[string]string{"Authorization": authz, "X-WSSE": mustHeader(t, "admin", "wrong", time.Now())},
				"The X-WSSE credentials are invalid."},
			"replay": {map[string]string{"Authorization": authz, "X-WSSE": h}, "Previously used nonce detected."},
			"expired": {map[string]string{"Authorization": authz, "X-WSSE": mustHeader(t, "admin", key, time.Now().Add(-2*time.Hour))},
				"The X-WSSE header has expired."},
			"no X-WSSE": {map[string]string{"Authorization": authz}, "The request has no X-WSSE header."},
		} {
			res := env.DoUnlisted(apitest.Request{Method: http.MethodGet, Path: "/api/accounts", Header: c.header})
			if res.Status != http.StatusUnauthorized {
				t.Errorf("%s: %d %s", name, res.Status, res.Body)
				continue
			}
			if got := res.Header.Values("WWW-Authenticate"); len(got) != 1 || got[0] != `WSSE realm="webapi", profile="UsernameToken"` {
				t.Errorf("%s: WWW-Authenticate %q", name, got)
			}
			if err := apitest.ValidateErrorDocument(res); err != nil {
				t.Errorf("%s: %v", name, err)
			}
			var doc struct {
				Errors []struct {
					Status, Title, Detail string
				} `json:"errors"`
			}
			if err := json.Unmarshal(res.Body, &doc); err != nil || len(doc.Errors) != 1 {
				t.Fatalf("%s: %s", name, res.Body)
			}
			if e := doc.Errors[0]; e.Status != "401" || e.Title != "authentication exception" || e.Detail != c.detail {
				t.Errorf("%s: %+v, want detail %q", name, e, c.detail)
			}
		}
	})
}

func mustHeader(t *testing.T, username, k string, now time.Time) string {
	t.Helper()
	_, x, err := wsse.Headers(username, k, now)
	if err != nil {
		t.Fatal(err)
	}
	return x
}
