package server_test

import (
	"fmt"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"webapi/server/apitest"
	"webapi/store/storetest"
)

func TestZZScratch(t *testing.T) {
	b := storetest.Backends(t)[0]
	if os.Getenv("PG") != "" {
		b = storetest.Backends(t)[1]
	}
	env := apitest.New(t, b)
	data, _ := os.ReadFile("/tmp/scratch/reqs.txt")
	for _, line := range strings.Split(string(data), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		parts := strings.SplitN(line, " ", 3)
		body := ""
		if len(parts) == 3 {
			body = parts[2]
		}
		req := httptest.NewRequest(parts[0], "http://api.test"+parts[1], strings.NewReader(body))
		if body != "" {
			req.Header.Set("Content-Type", "application/vnd.api+json")
		}
		rec := httptest.NewRecorder()
		env.Handler.ServeHTTP(rec, req)
		fmt.Printf(">>> %s %s\n%d %v\n%s\n\n", parts[0], parts[1], rec.Code, rec.Header(), rec.Body.String())
	}
}
