package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"webapi/gen"
	"webapi/server"
	"webapi/server/apitest"
	"webapi/store"
	"webapi/store/storetest"
)

func TestHealthAndSchemaDocuments(t *testing.T) {
	t.Parallel()
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			env := apitest.New(t, b)
			for _, tc := range []struct {
				path, contentType string
				body              []byte
			}{
				{"/healthz", "text/plain; charset=UTF-8", []byte("ok\n")},
				{"/readyz", "text/plain; charset=UTF-8", []byte("ok\n")},
				{"/api/doc/openapi.yaml", "application/yaml", gen.SpecYAML},
				{"/api/doc/openapi.json", "application/json", gen.SpecJSON},
			} {
				res := env.DoUnlisted(apitest.Request{Method: http.MethodGet, Path: tc.path})
				if res.Status != http.StatusOK || res.Header.Get("Content-Type") != tc.contentType || !bytes.Equal(res.Body, tc.body) {
					t.Errorf("GET %s: %d %q, %d bytes; want 200 %q, %d bytes", tc.path, res.Status, res.Header.Get("Content-Type"), len(res.Body), tc.contentType, len(tc.body))
				}
			}
			sqlDB, err := env.DB.Gorm.DB()
			if err != nil {
				t.Fatal(err)
			}
			sqlDB.Close()
			res := env.DoUnlisted(apitest.Request{Method: http.MethodGet, Path: "/readyz"})
			if res.Status != http.StatusServiceUnavailable {
				t.Errorf("GET /readyz with the database closed: %d, want 503", res.Status)
			}
		})
	}
}

// Every request is one line of the access log, tied to its response by the request id: what was
// asked, how it was answered and how long it took, and not the line's source in the code. The
// line is the same whether it goes through the Logger (a JSON handler) or is appended by hand
// into Config.AccessLog (what serve does); a line with a byte the JSON handler escapes (here a
// hostile X-Real-IP) is escaped in both.
func TestAccessLog(t *testing.T) {
	t.Parallel()
	for _, direct := range []bool{false, true} {
		t.Run(map[bool]string{false: "logger", true: "direct"}[direct], func(t *testing.T) {
			t.Parallel()
			var out lockedBuffer
			cfg := server.Config{Logger: slog.New(slog.NewJSONHandler(&out, &slog.HandlerOptions{AddSource: true}))}
			if direct {
				cfg.Logger, cfg.AccessLog = slog.New(slog.NewJSONHandler(io.Discard, nil)), &out
			}
			env := apitest.NewWith(t, storetest.Backends(t)[0], store.DefaultLimits, cfg)
			ids := map[string]bool{}
			for _, tc := range []struct{ path, realIP, remote string }{
				{"/api/accounts?page[size]=1", "", "192.0.2.1"},
				{"/api/accounts/999999", "", "192.0.2.1"},
				{"/api/accounts/999999", "203.0.113.9\\\"<é>\t", "203.0.113.9\\\"<é>\t"},
			} {
				req := apitest.Request{Method: http.MethodGet, Path: tc.path}
				if tc.realIP != "" {
					req.Header = map[string]string{"X-Real-Ip": tc.realIP}
				}
				res := env.Do(req)
				id := res.Header.Get("X-Request-Id")
				if !regexp.MustCompile(`^[A-Za-z]{32}$`).MatchString(id) || ids[id] {
					t.Fatalf("GET %s: request id %q (before: %v)", tc.path, id, ids)
				}
				ids[id] = true
				var line map[string]any
				for _, text := range strings.Split(strings.TrimSpace(out.String()), "\n") {
					var l map[string]any
					if err := json.Unmarshal([]byte(text), &l); err != nil {
						t.Fatalf("log line %q: %v", text, err)
					}
					if l["msg"] == "request" && l["request_id"] == id {
						line = l
					}
				}
				if line == nil {
					t.Fatalf("GET %s: no access log line with the request id %s in:\n%s", tc.path, id, out.String())
				}
				duration, _ := line["duration"].(float64)
				stamp, _ := line["time"].(string)
				delete(line, "time")
				delete(line, "duration")
				want := map[string]any{"level": "INFO", "msg": "request", "request_id": id, "method": "GET",
					"status": float64(res.Status), "bytes": float64(len(res.Body)), "remote": tc.remote}
				want["uri"] = "http://api.test" + tc.path // httptest sends the absolute form
				got, _ := json.Marshal(line)
				if wanted, _ := json.Marshal(want); string(got) != string(wanted) || duration <= 0 {
					t.Errorf("GET %s: access log line %s, duration %v; want %s", tc.path, got, duration, wanted)
				}
				if at, err := time.Parse(time.RFC3339Nano, stamp); err != nil || time.Since(at) > time.Minute || time.Since(at) < 0 {
					t.Errorf("GET %s: the line's time %q (%v)", tc.path, stamp, err)
				}
			}
		})
	}
}

// The access line appended by hand is the JSON handler's, byte for byte; a string the handler
// would escape is left to the handler.
func TestAccessLineIsTheJSONHandlers(t *testing.T) {
	at := []time.Time{
		time.Date(2026, 12, 2, 1, 45, 32, 123456789, time.UTC),
		time.Date(2026, 12, 2, 1, 45, 32, 0, time.UTC),
		time.Date(2026, 12, 2, 1, 45, 32, 120000000, time.FixedZone("", 5*3600+30*60)),
		time.Now(), // with a monotonic reading, in the local zone
	}
	for i, tc := range []struct {
		requestID, method, uri, remote string
		status                         int
		bytes                          int64
		d                              time.Duration
		plain                          bool
	}{
		{"AbCdEfGhIjKlMnOpQrStUvWxYz012345", "GET", "/api/accounts/5/relationships/contacts", "127.0.0.1", 200, 230, 1234567, true},
		{"", "PATCH", "/api/accounts?filter[name][contains]=a%20b&fields[accounts]=name,<x>&y=~!@#$%^*()_+{}|:?`", "::1", 404, 0, 0, true},
		{"id", "DELETE", "/api/x\x7f", "10.0.0.1", 503, 1 << 40, -5, true},
		{"id", "GET", `/api/"quoted"`, "10.0.0.1", 200, 1, 1, false},
		{"id", "GET", `/api/back\slash`, "10.0.0.1", 200, 1, 1, false},
		{"id", "GET", "/api/tab\there", "10.0.0.1", 200, 1, 1, false},
		{"id", "GET", "/api/caf\u00e9", "10.0.0.1", 200, 1, 1, false},
		{"id", "GET", "/api/\xff", "10.0.0.1", 200, 1, 1, false},
		{"id", "GET", "/api/accounts", "1.2.3.4\u2028", 200, 1, 1, false},
	} {
		for _, t0 := range at {
			var want bytes.Buffer
			line := slog.NewRecord(t0, slog.LevelInfo, "request", 0)
			line.AddAttrs(slog.String("request_id", tc.requestID), slog.String("method", tc.method), slog.String("uri", tc.uri),
				slog.Int("status", tc.status), slog.Int64("bytes", tc.bytes), slog.Duration("duration", tc.d), slog.String("remote", tc.remote))
			if err := slog.NewJSONHandler(&want, nil).Handle(context.Background(), line); err != nil {
				t.Fatal(err)
			}
			got, ok := server.AppendAccessLine([]byte("kept"), t0, tc.requestID, tc.method, tc.uri, tc.status, tc.bytes, tc.d, tc.remote)
			switch {
			case ok != tc.plain:
				t.Errorf("case %d: appended by hand: %v, want %v", i, ok, tc.plain)
			case ok && string(got) != "kept"+want.String():
				t.Errorf("case %d at %v:\n got %s\nwant %s", i, t0, got, want.String())
			case !ok && string(got) != "kept":
				t.Errorf("case %d: a line left to the handler appended %q", i, got)
			}
		}
	}
}

// A panic is answered with a 500 that carries the request id and nothing internal.
func TestRecoveryHidesInternals(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, storetest.Backends(t)[0])
	env.Handler.GET("/api/accounts/:id/explode", func(echo.Context) error { panic("secret internal detail") })
	res := env.DoUnlisted(apitest.Request{Method: http.MethodGet, Path: "/api/accounts/1/explode"})
	reqID := res.Header.Get("X-Request-Id")
	if res.Status != http.StatusInternalServerError || reqID == "" {
		t.Fatalf("status %d, request id %q", res.Status, reqID)
	}
	res.Expect(t, http.StatusInternalServerError, `{"errors":[{"status":"500","title":"internal server error",
		"detail":"An unexpected error occurred. Quote the request id `+reqID+` when you report it.","meta":{"requestId":"`+reqID+`"}}]}`)
	if strings.Contains(string(res.Body), "secret") {
		t.Fatal("the response leaks the panic")
	}
}

// The served documents carry an entity tag and are revalidated, not downloaded again: a client
// that has the current one gets 304 (the sandbox and generators in CI fetch them often). Both
// forms list JSON:API before plain JSON, so clients generated from either send JSON:API.
func TestSchemaDocumentsRevalidate(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, storetest.Backends(t)[0])
	for _, path := range []string{"/api/doc/openapi.yaml", "/api/doc/openapi.json"} {
		res := env.DoUnlisted(apitest.Request{Method: http.MethodGet, Path: path})
		tag := res.Header.Get("ETag")
		if res.Status != 200 || len(tag) < 10 || res.Header.Get("Cache-Control") != "no-cache" {
			t.Fatalf("GET %s: %d, ETag %q, Cache-Control %q", path, res.Status, tag, res.Header.Get("Cache-Control"))
		}
		for _, inm := range []string{tag, `"other", ` + tag, "W/" + tag, "*"} {
			res := env.DoUnlisted(apitest.Request{Method: http.MethodGet, Path: path, Header: map[string]string{"If-None-Match": inm}})
			if res.Status != http.StatusNotModified || len(res.Body) != 0 || res.Header.Get("ETag") != tag {
				t.Fatalf("GET %s with If-None-Match %s: %d, %d bytes", path, inm, res.Status, len(res.Body))
			}
		}
		res = env.DoUnlisted(apitest.Request{Method: http.MethodGet, Path: path, Header: map[string]string{"If-None-Match": `"stale"`}})
		if res.Status != 200 || len(res.Body) == 0 {
			t.Fatalf("GET %s with a stale tag: %d", path, res.Status)
		}
		res = env.DoUnlisted(apitest.Request{Method: http.MethodHead, Path: path})
		if res.Status != 200 || len(res.Body) != 0 || res.Header.Get("ETag") != tag {
			t.Fatalf("HEAD %s: %d, %d bytes, ETag %q", path, res.Status, len(res.Body), res.Header.Get("ETag"))
		}
	}
	js := string(gen.SpecJSON)
	post := js[strings.Index(js, `"operationId": "createAccount"`):]
	if strings.Index(post, "application/vnd.api+json") > strings.Index(post, `"application/json"`) {
		t.Fatal("the JSON form lists application/json before application/vnd.api+json")
	}
}
