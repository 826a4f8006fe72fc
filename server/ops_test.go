package server_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"webapi/gen"
	"webapi/server/apitest"
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
