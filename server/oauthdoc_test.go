package server_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"webapi/server/apitest"
	"webapi/server/oauth"
)

// The OAuth 2.0 flows of the document's oauth2 security scheme name the server's real token
// and authorize endpoints, and the document describes what they answer (issue 9, item 7): each
// exchange below is validated against it, requests and responses, as every other exchange.
func TestOAuthEndpointsDocumented(t *testing.T) {
	t.Parallel()
	doc, err := apitest.Document()
	if err != nil {
		t.Fatal(err)
	}
	flows := doc.Components.SecuritySchemes["oauth2"].Value.Flows
	tokenURL, authorizeURL := flows.ClientCredentials.TokenURL, flows.AuthorizationCode.AuthorizationURL
	if flows.Password.TokenURL != tokenURL || flows.AuthorizationCode.TokenURL != tokenURL {
		t.Fatalf("the flows have different token URLs")
	}
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		env = env.For(t)
		ctx := context.Background()
		var admin string
		if err := env.DB.Gorm.Raw("SELECT username FROM users WHERE id = 1").Row().Scan(&admin); err != nil {
			t.Fatal(err)
		}
		_, id, secret, err := oauth.CreateApplication(ctx, env.DB, oauth.AppSpec{Name: "doc client", Username: admin})
		if err != nil {
			t.Fatal(err)
		}
		form := "application/x-www-form-urlencoded"
		noAuth := func(h map[string]string) map[string]string {
			h["Authorization"] = "" // the token endpoint needs no API credentials
			return h
		}
		oauthError := func(res *apitest.Response, want string) {
			t.Helper()
			var body struct {
				Error string `json:"error"`
			}
			if err := json.Unmarshal(res.Body, &body); err != nil || body.Error != want {
				t.Errorf("error %q (%v), want %q: %s", body.Error, err, want, res.Body)
			}
		}

		// the token endpoint, form and JSON
		res := env.Do(apitest.Request{Method: http.MethodPost, Path: tokenURL, Header: noAuth(map[string]string{"Content-Type": form}),
			Body: url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {secret}}.Encode()})
		res.ExpectStatus(t, http.StatusOK)
		body, _ := json.Marshal(map[string]string{"grant_type": "client_credentials", "client_id": id, "client_secret": secret})
		res = env.Do(apitest.Request{Method: http.MethodPost, Path: tokenURL, Header: noAuth(map[string]string{"Content-Type": "application/json"}),
			Body: string(body)})
		res.ExpectStatus(t, http.StatusOK)
		var tok struct {
			AccessToken string `json:"access_token"`
		}
		if err := json.Unmarshal(res.Body, &tok); err != nil || tok.AccessToken == "" {
			t.Fatalf("no access token: %s", res.Body)
		}
		// the token authenticates an operation of the document
		env.Do(apitest.Request{Path: "/api/accounts", Header: map[string]string{"Authorization": "Bearer " + tok.AccessToken}}).
			ExpectStatus(t, http.StatusOK)
		// refusals: a grant type the document does not list, none at all, a wrong secret (Basic)
		res = env.Do(apitest.Request{Method: http.MethodPost, Path: tokenURL, Header: noAuth(map[string]string{"Content-Type": form}),
			Body: "grant_type=implicit&client_id=" + id, Invalid: true})
		res.ExpectStatus(t, http.StatusBadRequest)
		oauthError(res, "unsupported_grant_type")
		res = env.Do(apitest.Request{Method: http.MethodPost, Path: tokenURL, Header: noAuth(map[string]string{"Content-Type": form}),
			Body: "client_id=" + id, Invalid: true})
		res.ExpectStatus(t, http.StatusBadRequest)
		oauthError(res, "invalid_request")
		res = env.Do(apitest.Request{Method: http.MethodPost, Path: tokenURL, Body: "grant_type=client_credentials",
			Header: map[string]string{"Content-Type": form, "Authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte(id+":wrong"))}})
		res.ExpectStatus(t, http.StatusUnauthorized)
		oauthError(res, "invalid_client")
		if got := res.Header.Get("WWW-Authenticate"); got != `Basic realm="webapi"` {
			t.Errorf("WWW-Authenticate %q", got)
		}

		// the authorize endpoint: the login page, a redirect with an error, 400 pages
		_, pub, _, err := oauth.CreateApplication(ctx, env.DB, oauth.AppSpec{Name: "doc public client", Username: admin,
			Grants: []string{"authorization_code"}, RedirectURIs: []string{"https://client.example.com/cb"}, Public: true})
		if err != nil {
			t.Fatal(err)
		}
		q := url.Values{"response_type": {"code"}, "client_id": {pub}, "redirect_uri": {"https://client.example.com/cb"}, "state": {"state-1234"},
			"code_challenge": {"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"}, "code_challenge_method": {"S256"}}
		res = env.Do(apitest.Request{Path: authorizeURL + "?" + q.Encode(), Header: noAuth(map[string]string{})})
		res.ExpectStatus(t, http.StatusOK)
		if !strings.Contains(string(res.Body), `action="`+authorizeURL+`"`) {
			t.Errorf("the login page does not post to %s", authorizeURL)
		}
		q.Del("code_challenge")
		q.Del("code_challenge_method")
		res = env.Do(apitest.Request{Path: authorizeURL + "?" + q.Encode(), Header: noAuth(map[string]string{})})
		res.ExpectStatus(t, http.StatusSeeOther)
		if loc := res.Header.Get("Location"); !strings.HasPrefix(loc, "https://client.example.com/cb?") || !strings.Contains(loc, "error=invalid_request") {
			t.Errorf("Location %q", loc)
		}
		q.Set("redirect_uri", "https://elsewhere.example.com/cb")
		env.Do(apitest.Request{Path: authorizeURL + "?" + q.Encode(), Header: noAuth(map[string]string{})}).ExpectStatus(t, http.StatusBadRequest)
		env.Do(apitest.Request{Method: http.MethodPost, Path: authorizeURL, Header: noAuth(map[string]string{"Content-Type": form}),
			Body: "flow=forged&decision=allow"}).ExpectStatus(t, http.StatusBadRequest)
	})
}
