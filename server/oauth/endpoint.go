package oauth

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/ory/fosite"

	"webapi/store"
)

// The bounds of a token request.
const (
	maxBody   = 64 << 10
	maxParams = 32
)

// tokenResponse is the body of a successful token request (api.md section 16): exactly these
// members (fosite's own writer adds scope and writes token_type in lower case).
type tokenResponse struct {
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token,omitempty"`
}

// Token is POST /oauth2-token: the body (form or JSON) becomes the form fosite reads; fosite
// authenticates the client and runs the grant; the server adds its own rules (the user must be
// active and of the application's organization) and counts logins.
func (p *Provider) Token(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	ctx := r.Context()
	release, ok := p.admit(ctx)
	if !ok {
		h.Set("Retry-After", "1")
		p.writeError(w, r, fosite.ErrTemporarilyUnavailable.WithHint("Too many token requests are being checked at once: try again in a second."))
		return
	}
	defer release()
	p.purge(ctx)
	form, rfcErr := readTokenForm(r)
	if rfcErr != nil {
		p.writeError(w, r, rfcErr)
		return
	}
	grant := form.Get("grant_type")
	switch {
	case grant == "":
		p.writeError(w, r, fosite.ErrInvalidRequest.WithHint("The grant_type parameter is missing."))
		return
	case !slices.Contains(grantTypes, grant):
		p.writeError(w, r, fosite.ErrUnsupportedGrantType.WithHintf("The grant type %q is not supported (%s).", grant, strings.Join(grantTypes, ", ")))
		return
	}
	if _, _, basic := r.BasicAuth(); !basic && form.Get("client_id") == "" {
		p.writeError(w, r, fosite.ErrInvalidClient.WithHint("The client must authenticate: HTTP Basic, or client_id (and client_secret) in the body."))
		return
	}
	body := form.Encode()
	req := r.Clone(ctx)
	req.Body = io.NopCloser(strings.NewReader(body))
	req.ContentLength = int64(len(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Form, req.PostForm, req.MultipartForm = nil, nil, nil

	if grant == "authorization_code" && form.Get("code_verifier") == "" {
		// fosite takes a code's challenge before it compares the verifier: after a wrong
		// verifier, a confidential client's code would pass without any. A code that had a
		// challenge needs a verifier, always.
		challenged, err := p.codeHasChallenge(req, form.Get("code"))
		if err != nil {
			p.writeError(w, req, err)
			return
		}
		if challenged {
			p.writeError(w, req, fosite.ErrInvalidGrant.WithHint("The code_verifier is missing."))
			return
		}
	}
	sess := &fosite.DefaultSession{}
	ar, err := p.fosite.NewAccessRequest(ctx, req, sess)
	if err != nil {
		p.writeError(w, req, err)
		return
	}
	app := ar.GetClient().(*client).app
	if grant == "client_credentials" {
		sess.Subject = strconv.FormatInt(app.UserID, 10)
	}
	userID, err := strconv.ParseInt(sess.Subject, 10, 64)
	if err != nil {
		p.writeError(w, req, fmt.Errorf("oauth: session subject %q: %w", sess.Subject, err))
		return
	}
	active, orgID, err := p.db.UserActive(ctx, userID)
	if err != nil {
		p.writeError(w, req, err)
		return
	}
	if !active || orgID != app.OrganizationID {
		p.writeError(w, req, fosite.ErrInvalidGrant.WithHint("The user is disabled, or may not log in through this application."))
		return
	}
	for _, s := range ar.GetRequestedScopes() {
		ar.GrantScope(s)
	}
	if grant == "password" {
		ar.GrantScope("offline") // a password grant returns a refresh token unasked
	}
	resp, err := p.fosite.NewAccessResponse(ctx, ar)
	if err != nil {
		p.writeError(w, req, err)
		return
	}
	if grant == "password" || grant == "authorization_code" {
		if err := p.db.RecordLogin(ctx, userID, time.Now()); err != nil {
			p.log.Warn("oauth: recording a login failed", "user", userID, "error", err)
		}
	}
	out := tokenResponse{TokenType: "Bearer", ExpiresIn: int64(p.lifetimes.AccessToken / time.Second), AccessToken: resp.GetAccessToken()}
	if rt, ok := resp.GetExtra("refresh_token").(string); ok && grant != "client_credentials" {
		out.RefreshToken = rt
	}
	writeJSON(w, http.StatusOK, out)
}

// codeHasChallenge reports whether the code was issued with a PKCE challenge.
func (p *Provider) codeHasChallenge(r *http.Request, code string) (bool, error) {
	if code == "" {
		return false, nil
	}
	raw, _, err := p.db.OAuthGrantOf(r.Context(), store.OAuthCodes, p.strategy.AuthorizeCodeSignature(r.Context(), code))
	if err != nil || raw == nil {
		return false, err
	}
	var sr storedRequest
	if err := json.Unmarshal(raw, &sr); err != nil {
		return false, err
	}
	return sr.Form.Get("code_challenge") != "", nil
}

// readTokenForm reads the parameters of a token request from a form or JSON body: each at
// most once, text without control characters, a bounded body and number of parameters.
func readTokenForm(r *http.Request) (url.Values, *fosite.RFC6749Error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || (mt != "application/x-www-form-urlencoded" && mt != "application/json") {
		return nil, fosite.ErrInvalidRequest.WithHint("The body must be application/x-www-form-urlencoded or application/json.")
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return nil, fosite.ErrInvalidRequest.WithHint("The body could not be read.")
	}
	if len(b) > maxBody {
		return nil, fosite.ErrInvalidRequest.WithHintf("The body is larger than %d bytes.", maxBody)
	}
	var form url.Values
	if mt == "application/json" {
		if form, err = jsonForm(b); err != nil {
			return nil, fosite.ErrInvalidRequest.WithHint("The JSON body must be an object whose members are strings: " + err.Error())
		}
	} else {
		if form, err = url.ParseQuery(string(b)); err != nil {
			return nil, fosite.ErrInvalidRequest.WithHint("The form body is malformed.")
		}
	}
	if len(form) > maxParams {
		return nil, fosite.ErrInvalidRequest.WithHintf("The body has more than %d parameters.", maxParams)
	}
	for k, vs := range form {
		if len(vs) != 1 {
			return nil, fosite.ErrInvalidRequest.WithHintf("The parameter %q is repeated.", printable(k))
		}
		if !plainText(k) || !plainText(vs[0]) {
			return nil, fosite.ErrInvalidRequest.WithHint("The parameters must be UTF-8 text without control characters.")
		}
	}
	return form, nil
}

// jsonForm reads a JSON object of strings, refusing repeated members.
func jsonForm(b []byte) (url.Values, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, errors.New("not an object")
	}
	form := url.Values{}
	for i := 0; dec.More(); i++ {
		if i >= maxParams {
			return nil, fmt.Errorf("more than %d members", maxParams)
		}
		t, err := dec.Token()
		if err != nil {
			return nil, errors.New("malformed")
		}
		k, _ := t.(string)
		if _, dup := form[k]; dup {
			return nil, fmt.Errorf("the member %q is repeated", printable(k))
		}
		t, err = dec.Token()
		if err != nil {
			return nil, errors.New("malformed")
		}
		v, ok := t.(string)
		if !ok {
			return nil, fmt.Errorf("the member %q is not a string", printable(k))
		}
		form[k] = []string{v}
	}
	if t, err := dec.Token(); err != nil || t != json.Delim('}') {
		return nil, errors.New("malformed")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("text after the object")
	}
	return form, nil
}

// plainText reports whether s is UTF-8 without control characters.
func plainText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return false
		}
	}
	return true
}

// printable shortens and cleans a client's text for an error message.
func printable(s string) string {
	if len(s) > 64 {
		s = s[:64]
	}
	return strings.ToValidUTF8(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, s), "")
}

// errorBody is an error of RFC 6749 section 5.2.
type errorBody struct {
	Error       string `json:"error"`
	Description string `json:"error_description,omitempty"`
}

// writeError answers a failed token request: the RFC 6749 error of err (invalid_grant for a
// grant another request took first), 401 with a Basic challenge for a client that
// authenticated with Basic and failed, and 500 (logged, not shown) for the server's own errors.
func (p *Provider) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var rfc *fosite.RFC6749Error
	var unavailable *store.UnavailableError
	switch {
	case errors.Is(err, errUsed):
		rfc = fosite.ErrInvalidGrant.WithHint("The grant was used already.")
	case errors.As(err, &unavailable):
		rfc = fosite.ErrTemporarilyUnavailable.WithHint("The server is busy: try again shortly.")
	case errors.As(err, &rfc) && rfc.ErrorField != fosite.ErrServerError.ErrorField:
	default:
		p.log.Error("oauth: token request", "error", err)
		rfc = fosite.ErrServerError
	}
	status := rfc.CodeField
	if status == 0 {
		status = http.StatusBadRequest
	}
	if status == http.StatusUnauthorized {
		if _, _, basic := r.BasicAuth(); basic {
			w.Header().Set("WWW-Authenticate", `Basic realm="webapi"`)
		}
	}
	writeJSON(w, status, errorBody{Error: rfc.ErrorField, Description: rfc.GetDescription()})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
