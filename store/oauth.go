package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// The statements of the OAuth 2.0 server (server/oauth): its applications, the grants fosite
// stores (authorization codes, refresh tokens, PKCE challenges) and its signing key. Migration 5
// (migrations/00005_oauth.sql) says what each table holds.

// oauthTriggers count the changes of applications in auth_state (see authstate.go): a revoked,
// deleted or reassigned application's tokens must stop working at once in every process, and
// servers keep principals (with the application they came through) until the generation moves.
var oauthTriggers = []authTrigger{
	{"oauth_applications", "UPDATE OF active, user_id, organization_id, client_id"},
	{"oauth_applications", "DELETE"},
}

// migrateOAuth is migration 5: the tables of 00005_oauth.sql, then the triggers on
// applications (webapi_auth_changed, on PostgreSQL, is migration 4's).
func migrateOAuth(ctx context.Context, tx *sql.Tx, d Dialect) error {
	stmts, err := renderDDL(d, "00005_oauth.sql")
	if err != nil {
		return err
	}
	stmts = append(stmts, authTriggerDDL(d, oauthTriggers)...)
	for _, s := range stmts {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("00005_oauth.sql: %w\n%s", err, s)
		}
	}
	return nil
}

// OAuthApplication is a row of oauth_applications.
type OAuthApplication struct {
	ID             int64   `gorm:"column:id;primaryKey"`
	ClientID       string  `gorm:"column:client_id"`
	SecretHash     *string `gorm:"column:secret_hash"` // bcrypt; nil for a public client
	Name           string  `gorm:"column:name"`
	UserID         int64   `gorm:"column:user_id"`
	OrganizationID int64   `gorm:"column:organization_id"`
	Grants         string  `gorm:"column:grants"`        // space-separated
	RedirectURIs   string  `gorm:"column:redirect_uris"` // newline-separated
	Public         bool    `gorm:"column:is_public"`
	SkipConsent    bool    `gorm:"column:skip_consent"`
	Active         bool    `gorm:"column:active"`
	Timestamps
}

// TableName implements gorm's Tabler.
func (OAuthApplication) TableName() string { return "oauth_applications" }

// CreateOAuthApplication inserts app (its ID is set) for the user named username, in that
// user's organization; found is false when there is no such user.
func (db *DB) CreateOAuthApplication(ctx context.Context, app *OAuthApplication, username string) (found bool, err error) {
	err = db.Tx(ctx, func(ctx context.Context) error {
		conn := db.Conn(ctx)
		err := conn.Raw("SELECT id, organization_id FROM users WHERE username = ?", username).Row().Scan(&app.UserID, &app.OrganizationID)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return nil
		case err != nil:
			return err
		}
		found = true
		return conn.Create(app).Error
	})
	return found, err
}

// OAuthApplicationOf returns the application whose client id is clientID, revoked or not; nil
// when there is none.
func (db *DB) OAuthApplicationOf(ctx context.Context, clientID string) (*OAuthApplication, error) {
	var apps []OAuthApplication
	err := db.Run(ctx, func(ctx context.Context) error {
		return db.Conn(ctx).Where("client_id = ?", clientID).Limit(1).Find(&apps).Error
	})
	if err != nil || len(apps) == 0 {
		return nil, err
	}
	return &apps[0], nil
}

// OAuthApplicationListing is an application with the username it acts as.
type OAuthApplicationListing struct {
	OAuthApplication
	Username string `gorm:"column:username"`
}

// OAuthApplications returns every application, by id.
func (db *DB) OAuthApplications(ctx context.Context) ([]OAuthApplicationListing, error) {
	var apps []OAuthApplicationListing
	err := db.Run(ctx, func(ctx context.Context) error {
		return db.Conn(ctx).Raw(`SELECT a.*, u.username FROM oauth_applications a JOIN users u ON u.id = a.user_id
			ORDER BY a.id`).Scan(&apps).Error
	})
	return apps, err
}

// RevokeOAuthApplication revokes the application clientID, and its refresh tokens and codes, in
// one transaction (the trigger moves auth_state: servers drop the principals of its tokens);
// found is false when there is no such application. Revoking a revoked one changes nothing.
func (db *DB) RevokeOAuthApplication(ctx context.Context, clientID string, now time.Time) (found bool, err error) {
	err = db.Tx(ctx, func(ctx context.Context) error {
		conn := db.Conn(ctx)
		var n int64
		if err := conn.Raw("SELECT COUNT(*) FROM oauth_applications WHERE client_id = ?", clientID).Row().Scan(&n); err != nil {
			return err
		}
		if found = n > 0; !found {
			return nil
		}
		if err := conn.Exec("UPDATE oauth_applications SET active = ?, updated_at = ? WHERE client_id = ? AND active = ?",
			false, now, clientID, true).Error; err != nil {
			return err
		}
		for _, t := range oauthGrantTables {
			if err := conn.Exec("UPDATE "+string(t)+" SET active = ? WHERE client_id = ? AND active = ?", false, clientID, true).Error; err != nil {
				return err
			}
		}
		return nil
	})
	return found, err
}

// OAuthGrantTable names a table of grants fosite stores.
type OAuthGrantTable string

// The grant tables.
const (
	OAuthCodes         OAuthGrantTable = "oauth_authorization_codes"
	OAuthRefreshTokens OAuthGrantTable = "oauth_refresh_tokens"
	OAuthPKCE          OAuthGrantTable = "oauth_pkce_requests"
)

var oauthGrantTables = []OAuthGrantTable{OAuthCodes, OAuthRefreshTokens, OAuthPKCE}

// OAuthGrant is a row of a grant table.
type OAuthGrant struct {
	Signature string
	RequestID string
	ClientID  string
	ExpiresAt time.Time
	Request   []byte // JSON
}

// CreateOAuthGrant inserts an active grant into table t.
func (db *DB) CreateOAuthGrant(ctx context.Context, t OAuthGrantTable, g OAuthGrant, now time.Time) error {
	return db.Tx(ctx, func(ctx context.Context) error {
		return db.Conn(ctx).Exec("INSERT INTO "+string(t)+
			" (signature, request_id, client_id, active, expires_at, request, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
			g.Signature, g.RequestID, g.ClientID, true, g.ExpiresAt, string(g.Request), now).Error
	})
}

// OAuthGrantOf returns the request of the grant of table t with signature, and whether it is
// still active; request is nil when there is no such grant.
func (db *DB) OAuthGrantOf(ctx context.Context, t OAuthGrantTable, signature string) (request []byte, active bool, err error) {
	err = db.Run(ctx, func(ctx context.Context) error {
		var raw string
		err := db.Conn(ctx).Raw("SELECT request, active FROM "+string(t)+" WHERE signature = ?", signature).Row().Scan(&raw, &active)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return nil
		case err != nil:
			return err
		}
		request = []byte(raw)
		return nil
	})
	return request, active, err
}

// DeactivateOAuthGrant makes the active grant of table t with signature inactive and reports
// whether it did: of two callers at once, exactly one does (the UPDATE's condition is
// evaluated on the row as the first committed it, PostgreSQL making the second wait), which is
// what makes codes single-use and refresh tokens rotate once.
func (db *DB) DeactivateOAuthGrant(ctx context.Context, t OAuthGrantTable, signature string) (bool, error) {
	var done bool
	err := db.Tx(ctx, func(ctx context.Context) error {
		res := db.Conn(ctx).Exec("UPDATE "+string(t)+" SET active = ? WHERE signature = ? AND active = ?", false, signature, true)
		done = res.RowsAffected == 1
		return res.Error
	})
	return done, err
}

// DeactivateOAuthRequest makes every grant of table t issued for the request requestID
// inactive (a reused code or refresh token revokes what came of the same authorization).
func (db *DB) DeactivateOAuthRequest(ctx context.Context, t OAuthGrantTable, requestID string) error {
	return db.Tx(ctx, func(ctx context.Context) error {
		return db.Conn(ctx).Exec("UPDATE "+string(t)+" SET active = ? WHERE request_id = ? AND active = ?", false, requestID, true).Error
	})
}

// DeleteOAuthGrant deletes the grant of table t with signature and reports whether there was
// one (of two callers at once, one).
func (db *DB) DeleteOAuthGrant(ctx context.Context, t OAuthGrantTable, signature string) (bool, error) {
	var done bool
	err := db.Tx(ctx, func(ctx context.Context) error {
		res := db.Conn(ctx).Exec("DELETE FROM "+string(t)+" WHERE signature = ?", signature)
		done = res.RowsAffected == 1
		return res.Error
	})
	return done, err
}

// PurgeOAuthGrants deletes at most limit grants of each table that expired before now, and
// returns how many it deleted in all.
func (db *DB) PurgeOAuthGrants(ctx context.Context, now time.Time, limit int) (int64, error) {
	var n int64
	for _, t := range oauthGrantTables {
		m, err := db.purgeExpired(ctx, string(t), "signature", now, limit)
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// OAuthKey returns the PEM of the server's signing key, creating it with generate when there is
// none yet. Of processes starting at once, one inserts and all return the same key.
func (db *DB) OAuthKey(ctx context.Context, generate func() (string, error), now time.Time) (string, error) {
	read := func() (string, error) {
		var pem string
		err := db.Run(ctx, func(ctx context.Context) error {
			err := db.Conn(ctx).Raw("SELECT private_key FROM oauth_keys WHERE id = 1").Row().Scan(&pem)
			if errors.Is(err, sql.ErrNoRows) {
				return nil
			}
			return err
		})
		return pem, err
	}
	pem, err := read()
	if err != nil || pem != "" {
		return pem, err
	}
	fresh, err := generate()
	if err != nil {
		return "", err
	}
	err = db.Tx(ctx, func(ctx context.Context) error {
		return db.Conn(ctx).Exec("INSERT INTO oauth_keys (id, private_key, created_at) VALUES (1, ?, ?) ON CONFLICT (id) DO NOTHING", fresh, now).Error
	})
	if err != nil {
		return "", err
	}
	return read()
}

// Credentials are what a password login needs of a user.
type Credentials struct {
	UserID         int64
	OrganizationID int64
	PasswordHash   string // "" when the user has no password
	Enabled        bool   // the user and its organization both
}

// CredentialsOf returns the credentials of the user named username; found is false when there
// is no such user.
func (db *DB) CredentialsOf(ctx context.Context, username string) (c Credentials, found bool, err error) {
	err = db.Run(ctx, func(ctx context.Context) error {
		var hash sql.NullString
		var userEnabled, orgEnabled bool
		err := db.Conn(ctx).Raw(`SELECT u.id, u.organization_id, u.password, u.enabled, o.enabled
			FROM users u JOIN organizations o ON o.id = u.organization_id WHERE u.username = ?`, username).
			Row().Scan(&c.UserID, &c.OrganizationID, &hash, &userEnabled, &orgEnabled)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return nil
		case err != nil:
			return err
		}
		found, c.PasswordHash, c.Enabled = true, hash.String, userEnabled && orgEnabled
		return nil
	})
	return c, found, err
}

// UserActive reports whether user id exists and may authenticate (it and its organization are
// enabled), and its organization.
func (db *DB) UserActive(ctx context.Context, id int64) (active bool, organizationID int64, err error) {
	err = db.Run(ctx, func(ctx context.Context) error {
		var userEnabled, orgEnabled bool
		err := db.Conn(ctx).Raw(`SELECT u.organization_id, u.enabled, o.enabled
			FROM users u JOIN organizations o ON o.id = u.organization_id WHERE u.id = ?`, id).
			Row().Scan(&organizationID, &userEnabled, &orgEnabled)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return nil
		case err != nil:
			return err
		}
		active = userEnabled && orgEnabled
		return nil
	})
	return active, organizationID, err
}

// RecordLogin counts one login of user id (api.md section 16: password grants and completed
// authorization-code flows) at now.
func (db *DB) RecordLogin(ctx context.Context, id int64, now time.Time) error {
	return db.Tx(ctx, func(ctx context.Context) error {
		return db.Conn(ctx).Exec("UPDATE users SET login_count = login_count + 1, last_login = ? WHERE id = ?", now, id).Error
	})
}

// SetPassword makes hash (bcrypt) the password of the user named username; found is false when
// there is no such user.
func (db *DB) SetPassword(ctx context.Context, username, hash string, now time.Time) (found bool, err error) {
	err = db.Tx(ctx, func(ctx context.Context) error {
		res := db.Conn(ctx).Exec("UPDATE users SET password = ?, updated_at = ? WHERE username = ?", hash, now, username)
		found = res.RowsAffected > 0
		return res.Error
	})
	return found, err
}
