package apitest

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"webapi/server"
	"webapi/server/auth"
	"webapi/server/oauth"
	"webapi/server/wsse"
	"webapi/store"
)

// signingKey is the key every test server signs its access tokens with: generating one per
// server would cost more than the test.
var signingKey = sync.OnceValues(func() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 2048) })

// tokens are the bearer tokens of a test server's users, obtained from its own token endpoint:
// an Env and the Envs made from it (For, As) share them.
type tokens struct {
	mu     sync.Mutex
	byUser map[int64]string
}

// token is the Authorization header value that authenticates as the user: a bearer token
// issued by the server's token endpoint to an OAuth application created for the user
// (client_credentials), as an integrator's client would get one.
func (e *Env) token(t testing.TB, userID int64) string {
	t.Helper()
	e.tokens.mu.Lock()
	defer e.tokens.mu.Unlock()
	if tok, ok := e.tokens.byUser[userID]; ok {
		return tok
	}
	tok, err := Token(e.Handler, e.DB, userID)
	if err != nil {
		t.Fatalf("a token for user %d: %v", userID, err)
	}
	e.tokens.byUser[userID] = tok
	return tok
}

// Token returns the Authorization header value of a bearer token for the user, issued by the
// token endpoint of the server h over db to an OAuth application created for the user
// (client_credentials).
func Token(h http.Handler, db *store.DB, userID int64) (string, error) {
	ctx := context.Background()
	var username string
	if err := db.Gorm.Raw("SELECT username FROM users WHERE id = ?", userID).Row().Scan(&username); err != nil {
		return "", err
	}
	_, id, secret, err := oauth.CreateApplication(ctx, db, oauth.AppSpec{Name: "apitest " + username, Username: username})
	if err != nil {
		return "", err
	}
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {secret}}
	req := httptest.NewRequest(http.MethodPost, "http://api.test/oauth2-token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var res struct {
		TokenType   string `json:"token_type"`
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &res); err != nil || rec.Code != http.StatusOK || res.TokenType != "Bearer" {
		return "", fmt.Errorf("POST /oauth2-token → %d %s", rec.Code, rec.Body.String())
	}
	return "Bearer " + res.AccessToken, nil
}

// As is the same server and database with requests authenticated as the user (by id).
func (e *Env) As(userID int64) *Env {
	c := *e
	c.Auth = e.token(e.T, userID)
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

// Secure gives cfg what a real server authenticates with, where it has none: the authorization
// server over db (signing with a key shared by the tests) and the Bearer and WSSE schemes.
func Secure(db *store.DB, cfg *server.Config) error {
	if cfg.OAuth == nil {
		key, err := signingKey()
		if err != nil {
			return err
		}
		if cfg.OAuth, err = oauth.New(context.Background(), db, oauth.Config{Key: key}); err != nil {
			return err
		}
	}
	if cfg.Schemes == nil {
		cfg.Schemes = []auth.Scheme{cfg.OAuth.Bearer(), wsse.New(db)}
	}
	return nil
}
