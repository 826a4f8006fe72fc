package oauth

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ory/fosite"
)

// The authorization-code flow's pages (api.md section 16): GET /oauth2-token/authorize checks
// the client and its redirect_uri first (an unregistered one is refused with 400, never
// redirected to), then shows a login page; its POST checks the password and shows the consent
// page (skipped for applications registered with skip_consent), whose POST redirects to the
// client with the code, or with error=access_denied.
//
// The pending authorization travels in a hidden field, MACed with a key derived from the
// signing key: the authorize parameters, the user once logged in, an expiry, and the value of
// the CSRF cookie it belongs to (a page posted from another site has not got it). Every step
// checks the parameters again with fosite (a client revoked meanwhile is refused).

const (
	csrfCookie = "webapi_oauth_csrf"
	// flowLifetime is how long a login or consent page may be answered.
	flowLifetime = 10 * time.Minute
	// maxQuery bounds the authorize parameters.
	maxQuery = 8 << 10
)

// flowState is the pending authorization of a page.
type flowState struct {
	Params  string `json:"p"`           // the authorize parameters, URL-encoded
	UserID  int64  `json:"u,omitempty"` // 0 until logged in
	CSRF    string `json:"c"`
	Expires int64  `json:"e"` // Unix seconds
}

func (p *Provider) sealFlow(f flowState) string {
	b, _ := json.Marshal(f)
	m := hmac.New(sha256.New, p.formKey)
	m.Write(b)
	return base64.RawURLEncoding.EncodeToString(b) + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

var errFlow = errors.New("the page has expired or was not sent by this server: start again")

func (p *Provider) openFlow(r *http.Request, sealed string) (flowState, error) {
	var f flowState
	body, mac, ok := strings.Cut(sealed, ".")
	if !ok || len(sealed) > 2*maxQuery {
		return f, errFlow
	}
	b, err1 := base64.RawURLEncoding.DecodeString(body)
	sum, err2 := base64.RawURLEncoding.DecodeString(mac)
	if err1 != nil || err2 != nil {
		return f, errFlow
	}
	m := hmac.New(sha256.New, p.formKey)
	m.Write(b)
	if !hmac.Equal(m.Sum(nil), sum) || json.Unmarshal(b, &f) != nil || time.Now().Unix() > f.Expires {
		return f, errFlow
	}
	c, err := r.Cookie(csrfCookie)
	if err != nil || f.CSRF == "" || subtle.ConstantTimeCompare([]byte(c.Value), []byte(f.CSRF)) != 1 {
		return f, errFlow
	}
	return f, nil
}

// Authorize serves GET and POST /oauth2-token/authorize.
func (p *Provider) Authorize(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
	h.Set("Referrer-Policy", "no-referrer")
	if r.Method == http.MethodPost {
		// the login form compares a password with bcrypt: as many at once as token requests
		release, ok := p.admit(r.Context())
		if !ok {
			h.Set("Retry-After", "1")
			p.errorPage(w, http.StatusServiceUnavailable, "Too many sign-ins are being checked at once: try again in a second.")
			return
		}
		defer release()
		p.authorizePost(w, r)
		return
	}
	if len(r.URL.RawQuery) > maxQuery {
		p.errorPage(w, http.StatusBadRequest, "The authorization request is too long.")
		return
	}
	params, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil || !plainParams(params) {
		p.errorPage(w, http.StatusBadRequest, "The authorization request is malformed.")
		return
	}
	ar, ok := p.checkAuthorize(w, r, params)
	if !ok {
		return
	}
	csrf := ""
	if c, err := r.Cookie(csrfCookie); err == nil && len(c.Value) == 64 && plainText(c.Value) {
		csrf = c.Value
	} else {
		if csrf, err = randomHex(32); err != nil {
			p.errorPage(w, http.StatusInternalServerError, "The server could not start the login.")
			return
		}
		http.SetCookie(w, &http.Cookie{Name: csrfCookie, Value: csrf, Path: "/oauth2-token", HttpOnly: true,
			Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode})
	}
	p.page(w, http.StatusOK, pageData{Login: true, App: ar.GetClient().(*client).app.Name,
		Flow: p.sealFlow(flowState{Params: params.Encode(), CSRF: csrf, Expires: time.Now().Add(flowLifetime).Unix()})})
}

// plainParams reports whether every parameter appears once, as text without control
// characters, and there are not too many.
func plainParams(params url.Values) bool {
	if len(params) > maxParams {
		return false
	}
	for k, vs := range params {
		if len(vs) != 1 || !plainText(k) || !plainText(vs[0]) {
			return false
		}
	}
	return true
}

// checkAuthorize lets fosite check the authorize parameters and adds the server's rules; on a
// refusal it answers (a redirect with the error once the redirect URI is known to be the
// client's, else 400 without one) and returns false.
func (p *Provider) checkAuthorize(w http.ResponseWriter, r *http.Request, params url.Values) (fosite.AuthorizeRequester, bool) {
	ctx := r.Context()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "/oauth2-token/authorize?"+params.Encode(), nil)
	if err != nil {
		p.errorPage(w, http.StatusBadRequest, "The authorization request is malformed.")
		return nil, false
	}
	ar, err := p.fosite.NewAuthorizeRequest(ctx, req)
	if err != nil {
		p.authorizeError(ctx, w, ar, err)
		return nil, false
	}
	app := ar.GetClient().(*client).app
	challenge, method := params.Get("code_challenge"), params.Get("code_challenge_method")
	switch {
	case !strings.Contains(" "+app.Grants+" ", " authorization_code "):
		err = fosite.ErrUnauthorizedClient.WithHint("The application may not use the authorization code grant.")
	case !ar.GetResponseTypes().ExactOne("code"):
		err = fosite.ErrUnsupportedResponseType.WithHint("The response_type must be code.")
	case challenge == "" && app.Public:
		err = fosite.ErrInvalidRequest.WithHint("A public client must send a PKCE code_challenge (S256).")
	case challenge != "" && method != "S256":
		err = fosite.ErrInvalidRequest.WithHint("The code_challenge_method must be S256.")
	}
	if err != nil {
		p.authorizeError(ctx, w, ar, err)
		return nil, false
	}
	return ar, true
}

// authorizeError answers a refused authorize request: redirected to the client with the error
// when its redirect URI was found valid, else a page with 400 (500 for the server's errors).
func (p *Provider) authorizeError(ctx context.Context, w http.ResponseWriter, ar fosite.AuthorizeRequester, err error) {
	if ar != nil && ar.IsRedirectURIValid() {
		p.fosite.WriteAuthorizeError(ctx, w, ar, err)
		return
	}
	rfc := fosite.ErrorToRFC6749Error(err)
	if rfc.CodeField >= 500 {
		p.log.Error("oauth: authorize request", "error", err)
		p.errorPage(w, http.StatusInternalServerError, "The server could not handle the authorization request.")
		return
	}
	p.errorPage(w, http.StatusBadRequest, "The authorization request is invalid: "+rfc.GetDescription())
}

// authorizePost answers the login and consent pages.
func (p *Provider) authorizePost(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := r.ParseForm(); err != nil || !plainParams(r.PostForm) {
		p.errorPage(w, http.StatusBadRequest, "The form is malformed.")
		return
	}
	f, err := p.openFlow(r, r.PostForm.Get("flow"))
	if err != nil {
		p.errorPage(w, http.StatusBadRequest, err.Error())
		return
	}
	params, err := url.ParseQuery(f.Params)
	if err != nil {
		p.errorPage(w, http.StatusBadRequest, errFlow.Error())
		return
	}
	ar, ok := p.checkAuthorize(w, r, params)
	if !ok {
		return
	}
	ctx := r.Context()
	app := ar.GetClient().(*client).app
	if f.UserID == 0 { // the login page
		uid, err := checkPassword(ctx, p.db, r.PostForm.Get("username"), r.PostForm.Get("password"))
		if err == nil {
			var active bool
			var org int64
			if active, org, err = p.db.UserActive(ctx, uid); err == nil && (!active || org != app.OrganizationID) {
				err = fosite.ErrNotFound
			}
		}
		switch {
		case errors.Is(err, fosite.ErrNotFound):
			p.page(w, http.StatusOK, pageData{Login: true, App: app.Name, Error: "The username or password is wrong.",
				Username: r.PostForm.Get("username"), Flow: r.PostForm.Get("flow")})
			return
		case err != nil:
			p.authorizeError(ctx, w, ar, err)
			return
		}
		if !app.SkipConsent {
			f.UserID, f.Expires = uid, time.Now().Add(flowLifetime).Unix()
			p.page(w, http.StatusOK, pageData{Consent: true, App: app.Name, Flow: p.sealFlow(f)})
			return
		}
		f.UserID = uid
	} else { // the consent page
		switch r.PostForm.Get("decision") {
		case "allow":
		case "deny":
			p.fosite.WriteAuthorizeError(ctx, w, ar, fosite.ErrAccessDenied.WithHint("The user denied the application."))
			return
		default:
			p.errorPage(w, http.StatusBadRequest, "The consent form has no decision.")
			return
		}
		active, org, err := p.db.UserActive(ctx, f.UserID)
		if err == nil && (!active || org != app.OrganizationID) {
			err = fosite.ErrAccessDenied.WithHint("The user may no longer log in.")
		}
		if err != nil {
			p.authorizeError(ctx, w, ar, err)
			return
		}
	}
	p.issueCode(ctx, w, ar, f.UserID)
}

// issueCode redirects to the client with a code for user uid.
func (p *Provider) issueCode(ctx context.Context, w http.ResponseWriter, ar fosite.AuthorizeRequester, uid int64) {
	for _, s := range ar.GetRequestedScopes() {
		ar.GrantScope(s)
	}
	ar.GrantScope("offline") // the code's tokens include a refresh token
	resp, err := p.fosite.NewAuthorizeResponse(ctx, ar, &fosite.DefaultSession{Subject: strconv.FormatInt(uid, 10)})
	if err != nil {
		p.authorizeError(ctx, w, ar, err)
		return
	}
	p.fosite.WriteAuthorizeResponse(ctx, w, ar, resp)
}

// pageData fills the page template.
type pageData struct {
	Login, Consent bool
	App            string
	Flow           string
	Username       string
	Error          string
	Message        string
}

func (p *Provider) errorPage(w http.ResponseWriter, status int, msg string) {
	p.page(w, status, pageData{Message: msg})
}

func (p *Provider) page(w http.ResponseWriter, status int, d pageData) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := pageTemplate.Execute(w, d); err != nil {
		p.log.Warn("oauth: rendering a page", "error", err)
	}
}

var pageTemplate = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{if .Login}}Log in{{else if .Consent}}Authorize {{.App}}{{else}}Authorization{{end}}</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 24rem; margin: 4rem auto; padding: 0 1rem; color: #222; }
label { display: block; margin: .8rem 0 .2rem; }
input[type=text], input[type=password] { width: 100%; padding: .4rem; box-sizing: border-box; }
button { margin-top: 1rem; padding: .4rem 1rem; }
.error { color: #a00; }
</style>
</head>
<body>
{{- if .Login}}
<h1>Log in</h1>
<p>to authorize <strong>{{.App}}</strong></p>
{{if .Error}}<p class="error">{{.Error}}</p>{{end}}
<form method="post" action="/oauth2-token/authorize">
<input type="hidden" name="flow" value="{{.Flow}}">
<label for="username">Username</label>
<input type="text" id="username" name="username" value="{{.Username}}" autocomplete="username" required autofocus>
<label for="password">Password</label>
<input type="password" id="password" name="password" autocomplete="current-password" required>
<button type="submit">Log in</button>
</form>
{{- else if .Consent}}
<h1>Authorize {{.App}}</h1>
<p><strong>{{.App}}</strong> asks to use the API in your name.</p>
<form method="post" action="/oauth2-token/authorize">
<input type="hidden" name="flow" value="{{.Flow}}">
<button type="submit" name="decision" value="allow">Allow</button>
<button type="submit" name="decision" value="deny">Deny</button>
</form>
{{- else}}
<h1>Authorization</h1>
<p class="error">{{.Message}}</p>
{{- end}}
</body>
</html>
`))
