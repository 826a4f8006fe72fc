package main

// Helpers of the process-level tests of the batch API (crash_test.go, batchbench_test.go): the
// webapi binary built once, `webapi serve` and `webapi worker` as real processes that can be
// killed, and a small API client.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	binOnce sync.Once
	binDir  string
	binPath string
	binErr  error
)

// webapiBinary builds this command once per test process (go build, into a temporary directory
// removed when the process ends) and returns its path.
func webapiBinary(t testing.TB) string {
	t.Helper()
	binOnce.Do(func() {
		if binDir, binErr = os.MkdirTemp("", "webapi-bin-"); binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "webapi")
		start := time.Now()
		cmd := exec.Command(goTool(), "build", "-o", binPath, ".")
		out, err := cmd.CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
			return
		}
		t.Logf("built %s in %s", binPath, time.Since(start).Round(time.Millisecond))
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// goTool is the go command that runs this test: the one in GOROOT, else the one on PATH.
func goTool() string {
	if p := filepath.Join(runtime.GOROOT(), "bin", "go"); fileExists(p) {
		return p
	}
	return "go"
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		_ = os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// envInt reads a positive integer from the environment, def when unset.
func envInt(t testing.TB, name string, def int) int {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(strings.ReplaceAll(v, "_", ""))
	if err != nil || n <= 0 {
		t.Fatalf("%s=%q: want a positive integer", name, v)
	}
	return n
}

// runBinary runs a short command of the binary and returns its standard output.
func runBinary(t testing.TB, bin string, args ...string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("webapi %s: %v\n%s%s", strings.Join(args, " "), err, out.String(), errOut.String())
	}
	return out.String()
}

// proc is a webapi process (serve or worker) that the test starts, kills and restarts. Its
// output goes to a log file, appended to across restarts.
type proc struct {
	name string
	bin  string
	args []string
	log  string

	cmd  *exec.Cmd
	done chan struct{}
	// starts counts the starts, kills the SIGKILLs
	starts, kills int
}

func newProc(t testing.TB, name, bin, logDir string, args ...string) *proc {
	p := &proc{name: name, bin: bin, args: args, log: filepath.Join(logDir, name+".log")}
	t.Cleanup(func() {
		if p.running() {
			p.kill(t)
		}
		if t.Failed() {
			b, _ := os.ReadFile(p.log)
			if len(b) > 4000 {
				b = append([]byte("…"), b[len(b)-4000:]...)
			}
			t.Logf("the end of %s's log (%s):\n%s", p.name, p.log, b)
		}
	})
	return p
}

func (p *proc) start(t testing.TB) {
	t.Helper()
	f, err := os.OpenFile(p.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(f, "--- start %d at %s\n", p.starts+1, time.Now().Format(time.RFC3339Nano))
	p.cmd = exec.Command(p.bin, p.args...)
	p.cmd.Stdout, p.cmd.Stderr = f, f
	p.cmd.SysProcAttr = childAttr()
	if err := p.cmd.Start(); err != nil {
		f.Close()
		t.Fatalf("start %s: %v", p.name, err)
	}
	p.starts++
	done := make(chan struct{})
	p.done = done
	cmd := p.cmd
	go func() {
		_ = cmd.Wait()
		f.Close()
		close(done)
	}()
}

func (p *proc) running() bool {
	if p.done == nil {
		return false
	}
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

func (p *proc) pid() int { return p.cmd.Process.Pid }

// kill ends the process with SIGKILL and waits for it.
func (p *proc) kill(t testing.TB) {
	t.Helper()
	if !p.running() {
		t.Fatalf("%s is not running (it exited by itself: see %s)", p.name, p.log)
	}
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
	p.kills++
}

// stop ends the process with SIGTERM (a graceful shutdown), and with SIGKILL after 30 s.
func (p *proc) stop(t testing.TB) {
	t.Helper()
	if !p.running() {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		t.Errorf("%s did not stop within 30 s of SIGTERM", p.name)
		p.kill(t)
	}
}

// peakRSS returns VmHWM (the peak resident set size) of the running process in KiB, from
// /proc/<pid>/status (Linux); -1 when it cannot be read.
func (p *proc) peakRSS() int64 { return p.statusKiB("VmHWM") }

// statusKiB returns a field of /proc/<pid>/status counted in kB (VmRSS, VmHWM, RssAnon,
// RssFile …) of the running process (Linux); -1 when it cannot be read.
func (p *proc) statusKiB(field string) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.pid()))
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				if n, err := strconv.ParseInt(f[0], 10, 64); err == nil {
					return n
				}
			}
		}
	}
	return -1
}

// cpuTime returns the CPU time (user and system) the running process has used so far, from
// /proc/<pid>/stat (Linux, at 100 ticks a second); -1 when it cannot be read.
func (p *proc) cpuTime() time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.pid()))
	if err != nil {
		return -1
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:]) // after the command's name
	if len(f) < 13 {
		return -1
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return -1
	}
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

// freeAddr returns a local address that was free a moment ago.
func freeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// batchServer prepares the database at dbURL with the binary (prepareAPI), starts `webapi serve
// --workers 0` on it with the extra arguments, and returns a client holding a token, and the
// server's process.
func batchServer(t testing.TB, bin, dbURL, logDir string, extra ...string) (*apiClient, *proc) {
	t.Helper()
	id, secret := prepareAPI(t, bin, dbURL)
	serve, c := serveProc(t, bin, dbURL, logDir, append([]string{"--workers", "0"}, extra...)...)
	for i := 0; ; i++ {
		res, err := c.http.Get(c.base + "/healthz")
		if err == nil {
			res.Body.Close()
			break
		}
		if i == 300 || !serve.running() {
			t.Fatalf("serve does not answer: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	c.token = c.fetchToken(t, id, secret)
	return c, serve
}

// prepareAPI makes the database at dbURL ready to serve the API, with the binary: migrated, the
// API switched on, and an OAuth application acting as admin (client_credentials), whose client
// id and secret it returns.
func prepareAPI(t testing.TB, bin, dbURL string) (clientID, secret string) {
	t.Helper()
	d := "--database=" + dbURL
	runBinary(t, bin, "migrate", d)
	runBinary(t, bin, "config", "set", "web_api", "true", d)
	var app struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
	}
	out := runBinary(t, bin, "oauth-app", "create", "--name", "process test", "--user", "admin", "--grant", "client_credentials", "--json", d)
	if err := json.Unmarshal([]byte(out), &app); err != nil {
		t.Fatalf("oauth-app create printed %q: %v", out, err)
	}
	return app.ClientID, app.ClientSecret
}

// serveProc starts `webapi serve` (the binary, a process of its own) on dbURL at a free local
// address, with the extra arguments, and returns its process and a client of that address
// without a token. It does not wait for the server to answer.
func serveProc(t testing.TB, bin, dbURL, logDir string, extra ...string) (*proc, *apiClient) {
	t.Helper()
	addr := freeAddr(t)
	serve := newProc(t, "serve", bin, logDir, append([]string{"serve", "--database=" + dbURL, "--addr", addr}, extra...)...)
	serve.start(t)
	return serve, &apiClient{base: "http://" + addr, http: &http.Client{Timeout: 60 * time.Second}}
}

// fetchToken asks the server for an access token of the client-credentials application.
func (c *apiClient) fetchToken(t testing.TB, clientID, secret string) string {
	t.Helper()
	res, err := c.http.PostForm(c.base+"/oauth2-token", url.Values{"grant_type": {"client_credentials"},
		"client_id": {clientID}, "client_secret": {secret}})
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(res.Body).Decode(&tok); err != nil || res.StatusCode != 200 || tok.AccessToken == "" {
		t.Fatalf("token: %d %v", res.StatusCode, err)
	}
	return tok.AccessToken
}

// apiClient calls the API with a bearer token.
type apiClient struct {
	base, token string
	http        *http.Client
}

// do sends a request and returns the response (its body read) and the body.
func (c *apiClient) do(t testing.TB, method, path string, header map[string]string, body []byte) (*http.Response, []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", "application/vnd.api+json")
	if body != nil {
		req.Header.Set("Content-Type", "application/vnd.api+json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := c.http.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the body: %v", method, path, err)
	}
	return res, b
}

// submitBatch sends an asynchronous batch of type typ and returns its operation's id.
func (c *apiClient) submitBatch(t testing.TB, typ string, body []byte) string {
	t.Helper()
	res, b := c.do(t, http.MethodPatch, "/api/"+typ, nil, body)
	if res.StatusCode != http.StatusAccepted {
		t.Fatalf("PATCH /api/%s: %s, want 202: %.2000s", typ, res.Status, b)
	}
	var doc struct {
		Data struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	if err := json.Unmarshal(b, &doc); err != nil || doc.Data.ID == "" {
		t.Fatalf("the 202 response: %v: %.2000s", err, b)
	}
	if got, want := res.Header.Get("Content-Location"), c.base+"/api/asyncoperations/"+doc.Data.ID; got != want {
		t.Errorf("Content-Location %q, want %q", got, want)
	}
	return doc.Data.ID
}

// asyncOperation is an asynchronous operation as the API shows it.
type asyncOperation struct {
	Status      string         `json:"status"`
	Progress    *float64       `json:"progress"`
	ElapsedTime int            `json:"elapsedTime"`
	Summary     map[string]int `json:"summary"`
}

func (o asyncOperation) String() string {
	p := "null"
	if o.Progress != nil {
		p = strconv.FormatFloat(*o.Progress, 'f', 3, 64)
	}
	return fmt.Sprintf("status %s, progress %s, elapsedTime %d s, summary %v", o.Status, p, o.ElapsedTime, o.Summary)
}

func (c *apiClient) operation(t testing.TB, id string) asyncOperation {
	t.Helper()
	res, b := c.do(t, http.MethodGet, "/api/asyncoperations/"+id, nil, nil)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET /api/asyncoperations/%s: %s: %.2000s", id, res.Status, b)
	}
	var doc struct {
		Data struct {
			Attributes asyncOperation `json:"attributes"`
		} `json:"data"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("GET /api/asyncoperations/%s: %v: %.2000s", id, err, b)
	}
	return doc.Data.Attributes
}

// waitOperation polls the operation every interval until it has ended (success, failed or
// cancelled) or the wait is over (then the last state, false).
func (c *apiClient) waitOperation(t testing.TB, id string, wait, interval time.Duration) (asyncOperation, bool) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for {
		op := c.operation(t, id)
		if op.Status != "new" && op.Status != "running" {
			return op, true
		}
		if time.Now().After(deadline) {
			return op, false
		}
		time.Sleep(interval)
	}
}

// operationError is one asyncoperationerrors resource.
type operationError struct {
	ID         string `json:"id"`
	Attributes struct {
		Status int    `json:"status"`
		Title  string `json:"title"`
		Detail string `json:"detail"`
		Source struct {
			Pointer      string `json:"pointer"`
			PropertyPath string `json:"propertyPath"`
		} `json:"source"`
	} `json:"attributes"`
}

// operationErrors reads every error of the operation, size per page, and returns them with the
// total count the first page announced (X-Include: totalCount).
func (c *apiClient) operationErrors(t testing.TB, id string, size int) ([]operationError, int) {
	t.Helper()
	var all []operationError
	total := -1
	for page := 1; ; page++ {
		path := fmt.Sprintf("/api/asyncoperations/%s/errors?page%%5Bsize%%5D=%d&page%%5Bnumber%%5D=%d", id, size, page)
		res, b := c.do(t, http.MethodGet, path, map[string]string{"X-Include": "totalCount"}, nil)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %s: %.2000s", path, res.Status, b)
		}
		if page == 1 {
			n, err := strconv.Atoi(res.Header.Get("X-Include-Total-Count"))
			if err != nil {
				t.Errorf("X-Include-Total-Count %q", res.Header.Get("X-Include-Total-Count"))
			}
			total = n
		}
		var doc struct {
			Data []operationError `json:"data"`
		}
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		all = append(all, doc.Data...)
		if len(doc.Data) < size {
			return all, total
		}
		if page > 100000 {
			t.Fatal("the errors never end")
		}
	}
}
