package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"
)

// The statements of WSSE authentication (server/wsse): users' API keys and the nonces already
// used (migration 6 says why keys are stored as they are).

// APIKeyOf returns the id and the API key of the user named username; found is false when there
// is no such user or the user has no key.
func (db *DB) APIKeyOf(ctx context.Context, username string) (userID int64, key string, found bool, err error) {
	err = db.Run(ctx, func(ctx context.Context) error {
		err := db.Conn(ctx).Raw(`SELECT k.user_id, k.api_key FROM users u JOIN user_api_keys k ON k.user_id = u.id
			WHERE u.username = ?`, username).Row().Scan(&userID, &key)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return nil
		case err != nil:
			return err
		}
		found = true
		return nil
	})
	return userID, key, found, err
}

// SetAPIKey makes key the API key of the user named username, replacing the key it had (each
// user has at most one); found is false when there is no such user.
func (db *DB) SetAPIKey(ctx context.Context, username, key string, now time.Time) (found bool, err error) {
	err = db.Tx(ctx, func(ctx context.Context) error {
		// SQLite needs the WHERE of INSERT … SELECT to tell ON CONFLICT from a join's ON.
		res := db.Conn(ctx).Exec(`INSERT INTO user_api_keys (user_id, api_key, created_at)
			SELECT id, ?, ? FROM users WHERE username = ?
			ON CONFLICT (user_id) DO UPDATE SET api_key = excluded.api_key, created_at = excluded.created_at`,
			key, now, username)
		found = res.RowsAffected > 0
		return res.Error
	})
	return found, err
}

// UseNonce records that user userID used nonce, in a header valid until expires; fresh is false
// when the nonce is recorded already and has not expired yet at now (a replay). One statement
// decides, so two processes that get the same nonce at once cannot both take it: the primary key
// lets one insert through and makes the other find the row (PostgreSQL makes it wait for the
// first's commit). A recorded nonce that has expired but is not purged yet is taken again.
func (db *DB) UseNonce(ctx context.Context, userID int64, nonce string, expires, now time.Time) (fresh bool, err error) {
	err = db.Tx(ctx, func(ctx context.Context) error {
		res := db.Conn(ctx).Exec(`INSERT INTO wsse_nonces (user_id, nonce, expires_at) VALUES (?, ?, ?)
			ON CONFLICT (user_id, nonce) DO UPDATE SET expires_at = excluded.expires_at
			WHERE wsse_nonces.expires_at < ?`, userID, nonce, expires, now)
		fresh = res.RowsAffected > 0
		return res.Error
	})
	return fresh, err
}

// PurgeNonces deletes at most limit nonces that expired before now and returns how many it
// deleted (fewer than limit: none is left). The work of one call is bounded by limit; the
// expires_at index finds the rows. PostgreSQL skips rows that another process is deleting at the
// same moment rather than wait for it.
func (db *DB) PurgeNonces(ctx context.Context, now time.Time, limit int) (int64, error) {
	return db.purgeExpired(ctx, "wsse_nonces", "(user_id, nonce)", now, limit)
}

// purgeExpired deletes, in one transaction, at most limit rows of table whose expires_at is
// before now, oldest first, and returns how many. key is the table's primary key (a column or a
// parenthesized row of columns). PostgreSQL skips rows another process is deleting at the same
// moment rather than wait for it.
func (db *DB) purgeExpired(ctx context.Context, table, key string, now time.Time, limit int) (int64, error) {
	lock := ""
	if db.Dialect == Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	cols := strings.Trim(key, "()")
	var n int64
	err := db.Tx(ctx, func(ctx context.Context) error {
		res := db.Conn(ctx).Exec("DELETE FROM "+table+" WHERE "+key+" IN (SELECT "+cols+" FROM "+table+
			" WHERE expires_at < ? ORDER BY expires_at LIMIT ?"+lock+")", now, limit)
		n = res.RowsAffected
		return res.Error
	})
	return n, err
}
