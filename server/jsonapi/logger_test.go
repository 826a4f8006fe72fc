package jsonapi

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// The engine logs the cause of a 500 through the API's logger, with the request id the response
// quotes.
func TestLogsThroughTheAPILogger(t *testing.T) {
	t.Parallel()
	s, _ := testSchema(t)
	var log bytes.Buffer
	api := &API{Schema: s, Store: unusedStore{}, Limits: DefaultLimits, Logger: slog.New(slog.NewTextHandler(&log, nil))}
	w := httptest.NewRecorder()
	w.Header().Set("X-Request-Id", "req-1")
	api.Get(w, httptest.NewRequest(http.MethodGet, "http://api.test/api/things/1", nil), "things", "1")
	want := `{"errors":[{"status":"500","title":"internal server error","detail":"An unexpected error occurred. Quote the request id req-1 when you report it.","meta":{"requestId":"req-1"}}]}`
	if w.Code != http.StatusInternalServerError || w.Body.String() != want {
		t.Fatalf("%d %s\nwant 500 %s", w.Code, w.Body, want)
	}
	for _, s := range []string{"level=ERROR", `msg="request failed"`, "request_id=req-1", "method=GET", "path=/api/things/1", `error="the store was used"`} {
		if !strings.Contains(log.String(), s) {
			t.Errorf("the log %q lacks %q", log.String(), s)
		}
	}
}
