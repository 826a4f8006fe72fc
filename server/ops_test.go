package server_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"testing"

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
// asked, how it was answered and how long it took, and not the line's source in the code.
func TestAccessLog(t *testing.T) {
	t.Parallel()
	var out lockedBuffer
	log := slog.New(slog.NewJSONHandler(&out, &slog.HandlerOptions{AddSource: true}))
	env := apitest.NewWith(t, storetest.Backends(t)[0], store.DefaultLimits, server.Config{Logger: log})
	ids := map[string]bool{}
	for _, path := range []string{"/api/accounts?page[size]=1", "/api/accounts/999999"} {
		res := env.Do(apitest.Request{Method: http.MethodGet, Path: path})
		id := res.Header.Get("X-Request-Id")
		if !regexp.MustCompile(`^[A-Za-z]{32}$`).MatchString(id) || ids[id] {
			t.Fatalf("GET %s: request id %q (before: %v)", path, id, ids)
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
			t.Fatalf("GET %s: no access log line with the request id %s in:\n%s", path, id, out.String())
		}
		duration, _ := line["duration"].(float64)
		delete(line, "time")
		delete(line, "duration")
		want := map[string]any{"level": "INFO", "msg": "request", "request_id": id, "method": "GET",
			"status": float64(res.Status), "bytes": float64(len(res.Body)), "remote": "192.0.2.1"}
		want["uri"] = "http://api.test" + path // httptest sends the absolute form
		got, _ := json.Marshal(line)
		if wanted, _ := json.Marshal(want); string(got) != string(wanted) || duration <= 0 {
			t.Errorf("GET %s: access log line %s, duration %v; want %s", path, got, duration, wanted)
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
