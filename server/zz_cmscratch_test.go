package server_test

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"webapi/server/apitest"
	"webapi/store/storetest"
)

func TestZZCMScratch(t *testing.T) {
	b := storetest.Backends(t)[0]
	if os.Getenv("PG") != "" {
		b = storetest.Backends(t)[1]
	}
	env := apitest.New(t, b)
	data, _ := os.ReadFile("/tmp/cmscratch/reqs.jsonl")
	for _, line := range strings.Split(string(data), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		var r struct {
			M, P, B string
			H       map[string]string
		}
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatal(err)
		}
		req := httptest.NewRequest(r.M, "http://api.test"+r.P, strings.NewReader(r.B))
		if r.B != "" {
			req.Header.Set("Content-Type", "application/vnd.api+json")
		}
		for k, v := range r.H {
			req.Header.Set(k, v)
		}
		rec := httptest.NewRecorder()
		env.Handler.ServeHTTP(rec, req)
		fmt.Printf(">>> %s %s %v\n%d %v\n%s\n\n", r.M, r.P, r.H, rec.Code, rec.Header(), rec.Body.String())
	}
}
