package server_test

// Time and connection bounds (api.md section 20), over real connections: clients that stop
// reading hold no database connection, a request that cannot get a connection in time or runs
// past its deadline gets 503 with Retry-After, and service resumes by itself after the database
// ends every session.
//
// Unlike the other tests of the package, these do not run in parallel with other tests (their
// backends do with each other): they time waits and deadlines of a few hundred milliseconds
// (a request must hold the pool's only connection within 300 ms, say), which a machine busy
// with other tests would blur. Sequential tests run before the parallel ones, on a quiet machine.

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"webapi/server"
	"webapi/server/apitest"
	"webapi/store"
	"webapi/store/storetest"
)

// tbServe serves env over a real socket whose send buffer is small, so that a client that does
// not read blocks the server's writes after a few kilobytes.
func tbServe(t *testing.T, env *apitest.Env) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(env.Handler)
	srv.Listener = smallBuffers{ln}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv.URL
}

type smallBuffers struct{ net.Listener }

func (l smallBuffers) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetWriteBuffer(4096)
	}
	return c, err
}

// tbSeedAccounts inserts n accounts with a long description each (so that a list of them is
// megabytes long), in a few statements.
func tbSeedAccounts(t *testing.T, db *store.DB, n int) {
	t.Helper()
	now := db.TimeValue(time.Now())
	desc := strings.Repeat("padding ", 128)
	for start := 0; start < n; start += 500 {
		var rows []string
		var args []any
		for i := start; i < min(n, start+500); i++ {
			rows = append(rows, "(?, ?, 1, 1, ?, ?)")
			args = append(args, fmt.Sprintf("Seeded %05d", i), desc, now, now)
		}
		err := db.Gorm.Exec("INSERT INTO accounts (name, description, owner_id, organization_id, created_at, updated_at) VALUES "+
			strings.Join(rows, ", "), args...).Error
		if err != nil {
			t.Fatal(err)
		}
	}
}

// tbExpect503 checks a 503 of api.md section 20: Retry-After 1 and one error with the detail.
func tbExpect503(t *testing.T, res *apitest.Response, detail string) {
	t.Helper()
	res.Expect(t, http.StatusServiceUnavailable, errorDoc(503, "service unavailable", detail, ""))
	if got := res.Header.Get("Retry-After"); got != "1" {
		t.Fatalf("Retry-After %q, want 1", got)
	}
}

func TestSlowReadersHoldNoConnection(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			// two connections only: two stalled clients would take them all if a stalled
			// response held one
			env := apitest.NewWith(t, b, store.Limits{MaxConns: 2}, server.Config{})
			tbSeedAccounts(t, env.DB, 3000)
			base := tbServe(t, env)
			for range 6 {
				c, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { c.Close() })
				_ = c.(*net.TCPConn).SetReadBuffer(4096)
				fmt.Fprintf(c, "GET /api/accounts?page%%5Bsize%%5D=-1 HTTP/1.1\r\nHost: api.test\r\n\r\n")
			}
			// the stalled responses have filled their sockets once a few chunks of rows are
			// read; every one of them now waits in a write
			sqlDB, _ := env.DB.Gorm.DB()
			deadline := time.Now().Add(10 * time.Second)
			for sqlDB.Stats().InUse > 0 && time.Now().Before(deadline) {
				time.Sleep(20 * time.Millisecond)
			}
			if n := sqlDB.Stats().InUse; n > 0 {
				t.Fatalf("%d database connections in use while every client has stopped reading", n)
			}
			client := &http.Client{Timeout: 4 * time.Second} // below the 5 s connection wait
			for i := range 20 {
				res, err := env.Send(client, base, apitest.Request{Path: fmt.Sprintf("/api/accounts/%d?fields[accounts]=name", i+1)})
				if err != nil {
					t.Fatalf("while clients stall: %v", err)
				}
				res.ExpectStatus(t, http.StatusOK)
			}
			res, err := env.Send(client, base, apitest.Request{Method: http.MethodPost, Path: "/api/accounts", Body: protoAccountBody("Written meanwhile")})
			if err != nil {
				t.Fatal(err)
			}
			res.ExpectStatus(t, http.StatusCreated)
		})
	}
}

// tbHold makes the database wait: on PostgreSQL it locks account 1 in a transaction of its own;
// on SQLite it takes the write lock of the file. It returns the function that lets go.
func tbHold(t *testing.T, b storetest.Backend, db *store.DB) func() {
	t.Helper()
	ctx := context.Background()
	var other *sql.DB
	if b.Name == string(store.SQLite) {
		// a second handle on the same file, like another process
		var file string
		if err := db.Gorm.Raw("SELECT file FROM pragma_database_list WHERE name = 'main'").Row().Scan(&file); err != nil {
			t.Fatal(err)
		}
		odb, err := store.Open(ctx, "sqlite:"+file)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { odb.Close() })
		other, _ = odb.Gorm.DB()
	} else {
		other, _ = db.Gorm.DB()
	}
	conn, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec("UPDATE accounts SET description = 'held' WHERE id = 1"); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	release := func() {
		once.Do(func() {
			_ = tx.Rollback()
			_ = conn.Close()
		})
	}
	t.Cleanup(release)
	return release
}

func TestDeadlineAndConnectionWait(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			// PostgreSQL: the holder's connection and the waiting PATCH's take the pool of two;
			// SQLite: the holder is another handle, the waiting PATCH takes the pool of one
			conns := 2
			if b.Name == string(store.SQLite) {
				conns = 1
			}
			env := apitest.NewWith(t, b, store.Limits{MaxConns: conns, ConnWait: 300 * time.Millisecond},
				server.Config{RequestTimeout: 1500 * time.Millisecond})
			protoCreateAccounts(t, env, 1)
			release := tbHold(t, b, env.DB)
			patch := apitest.Request{Method: http.MethodPatch, Path: "/api/accounts/1",
				Body: `{"data":{"type":"accounts","id":"1","attributes":{"description":"waits"}}}`}
			// The PATCH waits on the held row (PostgreSQL) or the file's write lock (SQLite)
			// until its deadline; meanwhile a read finds the pool taken and gives up after the
			// connection wait.
			var wg sync.WaitGroup
			var waited *apitest.Response
			wg.Add(1)
			go func() {
				defer wg.Done()
				waited = env.For(t).Do(patch)
			}()
			time.Sleep(300 * time.Millisecond)
			res := env.Do(apitest.Request{Path: "/api/accounts/1"})
			tbExpect503(t, res, "No database connection became free within 300ms.")
			wg.Wait()
			tbExpect503(t, waited, "The request ran past its deadline.")
			if b.Name == string(store.Postgres) {
				// the statement was cancelled at the database: no session waits for the lock
				var waiting int
				err := env.DB.Gorm.Raw(`SELECT COUNT(*) FROM pg_stat_activity
					WHERE application_name = current_setting('application_name') AND wait_event_type = 'Lock'`).Row().Scan(&waiting)
				if err != nil || waiting != 0 {
					t.Fatalf("%d sessions still wait for the lock after the deadline (%v)", waiting, err)
				}
			}
			release()
			// nothing was changed by the request that timed out, and service resumes
			res = env.Do(apitest.Request{Path: "/api/accounts/1?fields[accounts]=description"})
			res.ExpectStatus(t, http.StatusOK)
			if got := attrOf(t, res, "description"); got != nil {
				t.Fatalf("description %v after a PATCH that timed out", got)
			}
			env.Do(patch).ExpectStatus(t, http.StatusOK)
		})
	}
}

// Ending every session of the server at the database (what a restart or a failover does)
// mid-load: requests in flight get 503, never 500, and service resumes by itself.
func TestDatabaseSessionsTerminated(t *testing.T) {
	pg, ok := storetest.Postgres(t)
	if !ok {
		t.Skip("PostgreSQL only: it ends sessions (SQLite has none); unreachable here, see storetest")
	}
	env := apitest.New(t, pg)
	protoCreateAccounts(t, env, 3)
	terminate := sessionEnder(t, pg, env)
	base := tbServe(t, env)
	client := &http.Client{Timeout: 10 * time.Second}
	stop := make(chan struct{})
	var mu sync.Mutex
	statuses := map[int]int{}
	var failures []string
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				req := apitest.Request{Path: "/api/accounts?include=contacts"}
				if i%3 == 0 {
					req = apitest.Request{Method: http.MethodPost, Path: "/api/accounts", Body: protoAccountBody(fmt.Sprintf("Load %d-%d", w, i))}
				}
				res, err := env.Send(client, base, req)
				mu.Lock()
				if err != nil {
					failures = append(failures, err.Error())
				} else {
					statuses[res.Status]++
					if res.Status == 503 && res.Header.Get("Retry-After") != "1" {
						failures = append(failures, "503 without Retry-After")
					}
				}
				mu.Unlock()
			}
		}()
	}
	time.Sleep(300 * time.Millisecond)
	ended := 0
	for range 5 {
		ended += terminate()
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond)
	close(stop)
	wg.Wait()
	if ended == 0 {
		t.Fatal("no session of the server was found to end")
	}
	for _, f := range failures {
		t.Error(f)
	}
	for status := range statuses {
		if status != 200 && status != 201 && status != 503 {
			t.Errorf("statuses %v: only 200, 201 and 503 are expected", statuses)
		}
	}
	// service resumed: the next requests all succeed, on new sessions
	for i := range 10 {
		res, err := env.Send(client, base, apitest.Request{Path: fmt.Sprintf("/api/accounts/%d", i%3+1)})
		if err != nil {
			t.Fatal(err)
		}
		res.ExpectStatus(t, http.StatusOK)
	}
	res, err := client.Get(base + "/readyz")
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("readyz after recovery: %v %v", res, err)
	}
	res.Body.Close()
	var doc struct{ Data []json.RawMessage }
	r, err := env.Send(client, base, apitest.Request{Path: "/api/accounts?page[size]=-1"})
	if err != nil {
		t.Fatal(err)
	}
	_ = json.Unmarshal(r.Body, &doc)
	t.Logf("statuses under load: %v; %d sessions ended; %d accounts", statuses, ended, len(doc.Data))
}

// A GET reads a record and its included records in one unit of work (jsonapi.Store.Read): when
// the pooled connection it takes turns out to have been ended by the database (a restart, an
// administrator's pg_terminate_backend), the unit runs again on a new connection and the
// request is answered, as a read of its own is; the reads inside leave their errors to the unit
// (a lost connection is a 503 only once the unit has given up).
func TestReadUnitRetriesALostConnection(t *testing.T) {
	pg, ok := storetest.Postgres(t)
	if !ok {
		t.Skip("PostgreSQL only: it ends sessions (SQLite has none); unreachable here, see storetest")
	}
	env := apitest.NewWith(t, pg, store.Limits{MaxConns: 2}, server.Config{}) // two: the migration takes them
	protoCreateAccounts(t, env, 1)
	terminate := sessionEnder(t, pg, env)
	for _, path := range []string{"/api/accounts/1", "/api/accounts/1?include=contacts"} {
		env.Do(apitest.Request{Path: path}).ExpectStatus(t, http.StatusOK) // its connection is pooled
		if n := terminate(); n == 0 {
			t.Fatal("no session of the server was found to end")
		}
		env.Do(apitest.Request{Path: path}).ExpectStatus(t, http.StatusOK)
	}
}

// sessionEnder returns a function that ends every database session of env's server (as an
// administrator's pg_terminate_backend or a restart would) and says how many it ended.
func sessionEnder(t *testing.T, pg storetest.Backend, env *apitest.Env) func() int {
	t.Helper()
	var app string
	if err := env.DB.Gorm.Raw("SELECT current_setting('application_name')").Row().Scan(&app); err != nil {
		t.Fatal(err)
	}
	admin, err := store.Open(context.Background(), pg.URL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = admin.Close() })
	return func() int {
		var n int
		if err := admin.Gorm.Raw("SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = ?", app).Row().Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
}
