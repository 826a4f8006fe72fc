package jsonapi

import (
	"net/http/httptest"
	"testing"
)

func TestNegotiate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		accept, contentType string
		want                Format
		status              int // 0: acceptable
	}{
		{"", "", FormatJSONAPI, 0},
		{"*/*", "", FormatJSONAPI, 0},
		{"application/*", "", FormatJSONAPI, 0},
		{"application/vnd.api+json", "", FormatJSONAPI, 0},
		{`application/vnd.api+json; ext="https://jsonapi.org/ext/atomic"`, "", FormatJSONAPI, 0},
		{"application/vnd.api+json; q=0.5", "", FormatJSONAPI, 0},
		{"application/vnd.api+json; charset=utf-8", "", FormatJSONAPI, 406},
		{"application/vnd.api+json; charset=utf-8, application/vnd.api+json", "", FormatJSONAPI, 0},
		{"application/vnd.api+json; charset=utf-8, */*", "", FormatJSONAPI, 406},
		{"application/json", "", FormatPlain, 0},
		{"application/json", "application/json", FormatPlain, 0},
		{"application/json", "application/vnd.api+json", FormatPlain, 406}, // the error in the only format it accepts
		{"application/json, application/vnd.api+json", "", FormatJSONAPI, 0},
		{"text/html", "", FormatJSONAPI, 406},
		{"text/html, */*;q=0.1", "", FormatJSONAPI, 0},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("GET", "/api/accounts", nil)
		if tt.accept != "" {
			r.Header.Set("Accept", tt.accept)
		}
		if tt.contentType != "" {
			r.Header.Set("Content-Type", tt.contentType)
		}
		got, err := Negotiate(r)
		status := 0
		if err != nil {
			status = err.Status
		}
		if got != tt.want || status != tt.status {
			t.Errorf("Accept %q, Content-Type %q: got format %d status %d, want %d %d", tt.accept, tt.contentType, got, status, tt.want, tt.status)
		}
	}
}

func TestCheckContentType(t *testing.T) {
	t.Parallel()
	for ct, ok := range map[string]bool{
		"application/vnd.api+json":                 true,
		`application/vnd.api+json; profile="x y"`:  true,
		"application/vnd.api+json; charset=utf-8":  false,
		"application/json":                         true,
		"application/json; charset=utf-8":          true,
		"text/plain":                               false,
		"":                                         false,
		"application/x-www-form-urlencoded":        false,
		"application/vnd.api+json; ext=a; foo=bar": false,
	} {
		r := httptest.NewRequest("POST", "/api/accounts", nil)
		r.Header.Set("Content-Type", ct)
		if err := checkContentType(r); (err == nil) != ok {
			t.Errorf("Content-Type %q: error %v, want ok=%v", ct, err, ok)
		}
	}
}
