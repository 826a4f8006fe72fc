package main

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The log of serve and worker is collected (logwriter): closeLog writes what collected, as the
// commands do on their way out.
func TestCloseLogWritesWhatCollected(t *testing.T) {
	var out bytes.Buffer
	log, _, closeLog := newLog(&out)
	log.Info("shutting down", "n", 1)
	closeLog()
	var line map[string]any
	if err := json.Unmarshal(out.Bytes(), &line); err != nil {
		t.Fatalf("the log after closeLog is %q: %v", out.String(), err)
	}
	if line["msg"] != "shutting down" || line["level"] != "INFO" || line["n"] != 1.0 {
		t.Fatalf("the line is %q", out.String())
	}
}

// A served request's access line reaches stderr while the server runs (at the interval), and the
// lines of a graceful shutdown reach it before the process ends.
func TestServeWritesItsLogWhileRunningAndOnShutdown(t *testing.T) {
	bin := webapiBinary(t)
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "webapi.db")
	runBinary(t, bin, "migrate", "--database="+db)
	serve, c := serveProc(t, bin, db, dir, "--workers", "0")
	waitReady(t, serve, c, 30*time.Second)

	res, err := c.http.Get(c.base + "/healthz?probe=log")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	access := func(l map[string]any) bool {
		return l["msg"] == "request" && l["uri"] == "/healthz?probe=log" && l["status"] == 200.0 && l["method"] == "GET"
	}
	for deadline := time.Now().Add(10 * time.Second); !hasLine(t, serve.log, access); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no access line of GET /healthz?probe=log in %s within 10 s", serve.log)
		}
	}

	serve.stop(t)
	if !hasLine(t, serve.log, func(l map[string]any) bool { return l["msg"] == "shutting down" }) {
		t.Fatalf("no line \"shutting down\" in %s after the process ended", serve.log)
	}
}

// hasLine reports whether a JSON line of the log file at path satisfies match.
func hasLine(t *testing.T, path string, match func(map[string]any) bool) bool {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for l := range strings.Lines(string(b)) {
		var line map[string]any
		if json.Unmarshal([]byte(l), &line) == nil && match(line) {
			return true
		}
	}
	return false
}
