package server_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"webapi/server"
	"webapi/store/storetest"
)

func BenchmarkZZClass(b *testing.B) {
	dbURL := defaultHTTPBenchDB
	db := keptDemoDB(b, dbURL, 50)
	e, token := newServer(b, db, server.Config{})
	pool, _ := openBaselinePool(b, storetest.Backend{Name: "postgres", URL: dbURL}, db)
	lean := leanHandler(pool)
	for _, c := range leanCases {
		if c.name != os.Getenv("ZZ") {
			continue
		}
		for _, s := range []struct {
			n    string
			h    http.Handler
			auth string
		}{{"ours", e, token}, {"lean", lean, ""}} {
			b.Run(c.name+"/"+s.n, func(b *testing.B) {
				req := httptest.NewRequest(http.MethodGet, "http://bench.test"+c.path, nil)
				if s.auth != "" {
					req.Header.Set("Authorization", s.auth)
				}
				if c.xInclude != "" {
					req.Header.Set("X-Include", c.xInclude)
				}
				b.ReportAllocs()
				for range b.N {
					w := httptest.NewRecorder()
					s.h.ServeHTTP(w, req)
					if w.Code != 200 {
						b.Fatal(w.Code)
					}
				}
			})
		}
	}
}
