package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ory/fosite"
	foauth2 "github.com/ory/fosite/handler/oauth2"
	"github.com/ory/fosite/handler/pkce"
	"golang.org/x/crypto/bcrypt"

	"webapi/store"
)

// storage is fosite's storage over the database. Every method is one unit of work of its own
// (fosite's optional transactions are not implemented): the steps that must not happen twice —
// taking a code, rotating a refresh token, taking a PKCE challenge — are each a single
// conditional statement, so of two requests at once exactly one gets through, in any process.
//
// Access tokens are not stored: they are JWTs verified by their signature (Bearer), and stop
// working with their application (revocation), user or organization (auth.Load).
type storage struct {
	db       *store.DB
	lifetime Lifetimes
}

var (
	_ fosite.Storage                                       = (*storage)(nil)
	_ foauth2.CoreStorage                                  = (*storage)(nil)
	_ foauth2.TokenRevocationStorage                       = (*storage)(nil)
	_ foauth2.ResourceOwnerPasswordCredentialsGrantStorage = (*storage)(nil)
	_ pkce.PKCERequestStorage                              = (*storage)(nil)
)

// errUsed reports a code, refresh token or PKCE challenge taken by another request first; the
// token endpoint answers it invalid_grant (fosite would say server_error or invalid_request).
var errUsed = errors.New("oauth: the grant was used already")

// GetClient implements fosite.ClientManager: a revoked application is unknown (invalid_client).
func (s *storage) GetClient(ctx context.Context, id string) (fosite.Client, error) {
	app, err := s.db.OAuthApplicationOf(ctx, id)
	if err != nil {
		return nil, err
	}
	if app == nil || !app.Active {
		return nil, fosite.ErrNotFound
	}
	return newClient(app), nil
}

// client is an application as fosite sees it, with what the server needs besides.
type client struct {
	fosite.DefaultClient
	app *store.OAuthApplication
}

// scopes are the scopes a client may ask for: only the ones that ask for a refresh token (the
// API has no scopes of its own; permissions are the user's roles).
var scopes = fosite.Arguments{"offline", "offline_access"}

func newClient(app *store.OAuthApplication) *client {
	grants := fosite.Arguments(strings.Fields(app.Grants))
	// The grants that return a refresh token need refresh_token to use it.
	if (grants.Has("password") || grants.Has("authorization_code")) && !grants.Has("refresh_token") {
		grants = append(grants, "refresh_token")
	}
	c := &client{app: app, DefaultClient: fosite.DefaultClient{
		ID:            app.ClientID,
		RedirectURIs:  splitLines(app.RedirectURIs),
		GrantTypes:    grants,
		ResponseTypes: fosite.Arguments{"code"},
		Scopes:        scopes,
		Public:        app.Public,
	}}
	if app.SecretHash != nil {
		c.Secret = []byte(*app.SecretHash)
	}
	return c
}

func splitLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// ClientAssertionJWTValid implements fosite.ClientManager. Clients never authenticate with JWT
// assertions here (none has a JSON Web Key Set): every assertion id counts as seen.
func (s *storage) ClientAssertionJWTValid(context.Context, string) error { return fosite.ErrJTIKnown }

// SetClientAssertionJWT implements fosite.ClientManager (see ClientAssertionJWTValid).
func (s *storage) SetClientAssertionJWT(context.Context, string, time.Time) error {
	return errors.New("oauth: client assertions are not supported")
}

// storedRequest is the JSON of a stored grant's request.
type storedRequest struct {
	ID              string          `json:"id"`
	RequestedAt     time.Time       `json:"requested_at"`
	ClientID        string          `json:"client_id"`
	Scopes          []string        `json:"scopes,omitempty"`
	GrantedScopes   []string        `json:"granted_scopes,omitempty"`
	Audience        []string        `json:"audience,omitempty"`
	GrantedAudience []string        `json:"granted_audience,omitempty"`
	Form            url.Values      `json:"form,omitempty"`
	Session         json.RawMessage `json:"session"`
}

// storedForm are the request parameters kept with a grant: what the token endpoint compares
// (redirect_uri) and PKCE's challenge; never credentials.
var storedForm = []string{"client_id", "redirect_uri", "response_type", "scope", "code_challenge", "code_challenge_method"}

func (s *storage) create(ctx context.Context, t store.OAuthGrantTable, signature string, r fosite.Requester, kind fosite.TokenType, lifetime time.Duration) error {
	sess, err := json.Marshal(r.GetSession())
	if err != nil {
		return err
	}
	form := url.Values{}
	for _, k := range storedForm {
		if v, ok := r.GetRequestForm()[k]; ok {
			form[k] = v
		}
	}
	raw, err := json.Marshal(storedRequest{ID: r.GetID(), RequestedAt: r.GetRequestedAt(), ClientID: r.GetClient().GetID(),
		Scopes: r.GetRequestedScopes(), GrantedScopes: r.GetGrantedScopes(), Audience: r.GetRequestedAudience(),
		GrantedAudience: r.GetGrantedAudience(), Form: form, Session: sess})
	if err != nil {
		return err
	}
	now := time.Now()
	exp := r.GetSession().GetExpiresAt(kind)
	if exp.IsZero() {
		exp = now.Add(lifetime)
	}
	return s.db.CreateOAuthGrant(ctx, t, store.OAuthGrant{Signature: signature, RequestID: r.GetID(), ClientID: r.GetClient().GetID(),
		ExpiresAt: exp, Request: raw}, now)
}

// get reads a grant into session: fosite.ErrNotFound when there is none or its application is
// revoked; inactive says whether it was used or revoked.
func (s *storage) get(ctx context.Context, t store.OAuthGrantTable, signature string, session fosite.Session) (r *fosite.Request, active bool, err error) {
	raw, active, err := s.db.OAuthGrantOf(ctx, t, signature)
	if err != nil {
		return nil, false, err
	}
	if raw == nil {
		return nil, false, fosite.ErrNotFound
	}
	var sr storedRequest
	if err := json.Unmarshal(raw, &sr); err != nil {
		return nil, false, err
	}
	c, err := s.GetClient(ctx, sr.ClientID)
	if err != nil {
		return nil, false, err
	}
	if session != nil {
		if err := json.Unmarshal(sr.Session, session); err != nil {
			return nil, false, err
		}
	}
	return &fosite.Request{ID: sr.ID, RequestedAt: sr.RequestedAt, Client: c, RequestedScope: sr.Scopes, GrantedScope: sr.GrantedScopes,
		RequestedAudience: sr.Audience, GrantedAudience: sr.GrantedAudience, Form: sr.Form, Session: session}, active, nil
}

// CreateAuthorizeCodeSession implements oauth2.AuthorizeCodeStorage.
func (s *storage) CreateAuthorizeCodeSession(ctx context.Context, signature string, r fosite.Requester) error {
	return s.create(ctx, store.OAuthCodes, signature, r, fosite.AuthorizeCode, s.lifetime.AuthCode)
}

// GetAuthorizeCodeSession implements oauth2.AuthorizeCodeStorage: a used code comes back with
// fosite.ErrInvalidatedAuthorizeCode (fosite then revokes what was issued with it).
func (s *storage) GetAuthorizeCodeSession(ctx context.Context, signature string, session fosite.Session) (fosite.Requester, error) {
	r, active, err := s.get(ctx, store.OAuthCodes, signature, session)
	if err != nil {
		return nil, err
	}
	if !active {
		return r, fosite.ErrInvalidatedAuthorizeCode
	}
	return r, nil
}

// InvalidateAuthorizeCodeSession implements oauth2.AuthorizeCodeStorage: it takes the code, or
// fails with errUsed when another request took it first.
func (s *storage) InvalidateAuthorizeCodeSession(ctx context.Context, signature string) error {
	done, err := s.db.DeactivateOAuthGrant(ctx, store.OAuthCodes, signature)
	if err == nil && !done {
		err = errUsed
	}
	return err
}

// CreateAccessTokenSession implements oauth2.AccessTokenStorage: access tokens are not stored.
func (s *storage) CreateAccessTokenSession(context.Context, string, fosite.Requester) error {
	return nil
}

// GetAccessTokenSession implements oauth2.AccessTokenStorage (nothing is stored).
func (s *storage) GetAccessTokenSession(context.Context, string, fosite.Session) (fosite.Requester, error) {
	return nil, fosite.ErrNotFound
}

// DeleteAccessTokenSession implements oauth2.AccessTokenStorage (nothing is stored).
func (s *storage) DeleteAccessTokenSession(context.Context, string) error { return nil }

// RevokeAccessToken implements oauth2.TokenRevocationStorage: access tokens are not stored;
// they expire within their lifetime, or stop at once with their application.
func (s *storage) RevokeAccessToken(context.Context, string) error { return nil }

// CreateRefreshTokenSession implements oauth2.RefreshTokenStorage.
func (s *storage) CreateRefreshTokenSession(ctx context.Context, signature, _ string, r fosite.Requester) error {
	return s.create(ctx, store.OAuthRefreshTokens, signature, r, fosite.RefreshToken, s.lifetime.RefreshToken)
}

// GetRefreshTokenSession implements oauth2.RefreshTokenStorage: a rotated or revoked token
// comes back with fosite.ErrInactiveToken (fosite then revokes the tokens of its request).
func (s *storage) GetRefreshTokenSession(ctx context.Context, signature string, session fosite.Session) (fosite.Requester, error) {
	r, active, err := s.get(ctx, store.OAuthRefreshTokens, signature, session)
	if err != nil {
		return nil, err
	}
	if !active {
		return r, fosite.ErrInactiveToken
	}
	return r, nil
}

// DeleteRefreshTokenSession implements oauth2.RefreshTokenStorage.
func (s *storage) DeleteRefreshTokenSession(ctx context.Context, signature string) error {
	_, err := s.db.DeleteOAuthGrant(ctx, store.OAuthRefreshTokens, signature)
	return err
}

// RotateRefreshToken implements oauth2.RefreshTokenStorage: the old token stops working, or
// errUsed when another request rotated it first.
func (s *storage) RotateRefreshToken(ctx context.Context, _ string, signature string) error {
	done, err := s.db.DeactivateOAuthGrant(ctx, store.OAuthRefreshTokens, signature)
	if err == nil && !done {
		err = errUsed
	}
	return err
}

// RevokeRefreshToken implements oauth2.TokenRevocationStorage: every refresh token of the
// request.
func (s *storage) RevokeRefreshToken(ctx context.Context, requestID string) error {
	return s.db.DeactivateOAuthRequest(ctx, store.OAuthRefreshTokens, requestID)
}

// CreatePKCERequestSession implements pkce.PKCERequestStorage.
func (s *storage) CreatePKCERequestSession(ctx context.Context, signature string, r fosite.Requester) error {
	return s.create(ctx, store.OAuthPKCE, signature, r, fosite.AuthorizeCode, s.lifetime.AuthCode)
}

// GetPKCERequestSession implements pkce.PKCERequestStorage.
func (s *storage) GetPKCERequestSession(ctx context.Context, signature string, session fosite.Session) (fosite.Requester, error) {
	r, _, err := s.get(ctx, store.OAuthPKCE, signature, session)
	if err != nil {
		return nil, err
	}
	return r, nil
}

// DeletePKCERequestSession implements pkce.PKCERequestStorage: the challenge is taken once
// (errUsed for the second of two requests at once).
func (s *storage) DeletePKCERequestSession(ctx context.Context, signature string) error {
	done, err := s.db.DeleteOAuthGrant(ctx, store.OAuthPKCE, signature)
	if err == nil && !done {
		err = errUsed
	}
	return err
}

// dummyHash is compared with the password of an unknown user, so that the answer takes as long
// as for a known one. It is a bcrypt hash at bcrypt.DefaultCost of a random password nobody
// kept, written out rather than computed: computing it took about 100 ms of CPU at the start of
// every process, every command included (issue 13, start time).
var dummyHash = []byte("$2a$10$7GvvZ3ed8V44Eae8TBt80OIhDTFYe2y8LQWKCdwbsS5hWt.o5kdpq")

// Authenticate implements oauth2.ResourceOwnerPasswordCredentialsGrantStorage: the subject is
// the user's id. A wrong password, an unknown user and a disabled one (or organization) are
// all fosite.ErrNotFound: invalid_grant, saying no more.
func (s *storage) Authenticate(ctx context.Context, username, password string) (string, error) {
	id, err := checkPassword(ctx, s.db, username, password)
	if err != nil {
		return "", err
	}
	return strconv.FormatInt(id, 10), nil
}

// checkPassword returns the id of the enabled user named username whose password is password;
// fosite.ErrNotFound otherwise.
func checkPassword(ctx context.Context, db *store.DB, username, password string) (int64, error) {
	c, found, err := db.CredentialsOf(ctx, username)
	if err != nil {
		return 0, err
	}
	hash := dummyHash
	if found && c.PasswordHash != "" {
		hash = []byte(c.PasswordHash)
	}
	ok := bcrypt.CompareHashAndPassword(hash, []byte(password)) == nil
	if !ok || !found || c.PasswordHash == "" || !c.Enabled {
		return 0, fosite.ErrNotFound
	}
	return c.UserID, nil
}
