package server_test
import ("fmt";"net/http/httptest";"testing";"github.com/labstack/echo/v4")
func TestZZCMEcho(t *testing.T){
	e := echo.New()
	g := e.Group("")
	h := func(name string) echo.HandlerFunc { return func(c echo.Context) error { return c.String(200, name+" "+c.Path()) } }
	g.GET("/api/accounts/:id", h("get"))
	g.PUT("/api/accounts/:id", h("put"))
	e.Any("/api/:type/:id", h("any"))
	for _, m := range []string{"GET","CONNECT","FOO","TRACE"} {
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, httptest.NewRequest(m, "/api/accounts/1", nil))
		fmt.Println(m, rec.Code, rec.Body.String())
	}
}
