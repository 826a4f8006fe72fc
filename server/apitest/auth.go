package apitest

import (
	"net/http"
	"strconv"
	"strings"

	"webapi/server/auth"
)

// testScheme stands for the bearer tokens of OAuth until the token server lands: "Bearer
// test-<user id>" names the user. TRANSITIONAL: replaced by real tokens.
type testScheme struct{}

func (testScheme) Name() string      { return "Bearer" }
func (testScheme) Challenge() string { return `Bearer realm="webapi"` }
func (testScheme) Verify(r *http.Request) (auth.Identity, error) {
	_, cred, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	id, err := strconv.ParseInt(strings.TrimPrefix(cred, "test-"), 10, 64)
	if !strings.HasPrefix(cred, "test-") || err != nil {
		return auth.Identity{}, &auth.Failure{Detail: "The access token is invalid."}
	}
	return auth.Identity{UserID: id}, nil
}

// token is the Authorization header value that authenticates as the user.
func (e *Env) token(userID int64) string { return "Bearer test-" + strconv.FormatInt(userID, 10) }

// As is the same server and database with requests authenticated as the user (by id).
func (e *Env) As(userID int64) *Env {
	c := *e
	c.Auth = e.token(userID)
	return &c
}

// authorize adds the Env's credentials to a request that does not name its own (a test of
// missing credentials sends an empty Authorization header).
func (e *Env) authorize(h http.Header, req Request) {
	for k := range req.Header {
		if strings.EqualFold(k, "Authorization") {
			return
		}
	}
	if e.Auth != "" {
		h.Set("Authorization", e.Auth)
	}
}
