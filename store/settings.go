package store

import (
	"context"
	"fmt"
	"time"
)

// SettingValue is one stored value of a configuration setting: the global one (OrganizationID
// 0) or an organization's, which overrides the global one for that organization.
type SettingValue struct {
	OrganizationID int64
	Value          JSON
}

// SettingValues returns every stored value of the setting name, the global one first.
func (db *DB) SettingValues(ctx context.Context, name string) ([]SettingValue, error) {
	var out []SettingValue
	err := db.Run(ctx, func(ctx context.Context) error {
		out = out[:0]
		rows, err := db.Conn(ctx).Raw(`SELECT COALESCE(organization_id, 0), value FROM config_settings
			WHERE name = ? ORDER BY organization_id IS NOT NULL, organization_id`, name).Rows()
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var v SettingValue
			if err := rows.Scan(&v.OrganizationID, &v.Value); err != nil {
				return err
			}
			out = append(out, v)
		}
		return rows.Err()
	})
	return out, err
}

// SetSetting stores value as the setting name, globally (organizationID 0) or for one
// organization. An organization that does not exist is a ForeignKey ConstraintError.
func (db *DB) SetSetting(ctx context.Context, name string, organizationID int64, value JSON, now time.Time) error {
	if value.IsNull() {
		return fmt.Errorf("store: setting %s: no value", name)
	}
	var org any // NULL for the global value
	if organizationID != 0 {
		org = organizationID
	}
	return db.Tx(ctx, func(ctx context.Context) error {
		// Two processes setting the same value at once would both find no row and insert:
		// the second would break the unique index. The lock makes them take turns.
		if err := db.LockKey(ctx, fmt.Sprintf("config_settings %s %d", name, organizationID)); err != nil {
			return err
		}
		conn := db.Conn(ctx)
		res := conn.Exec(`UPDATE config_settings SET value = ?, updated_at = ?
			WHERE name = ? AND organization_id IS NOT DISTINCT FROM ?`, value, now, name, org)
		if res.Error != nil || res.RowsAffected > 0 {
			return res.Error
		}
		return conn.Exec(`INSERT INTO config_settings (name, organization_id, value, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?)`, name, org, value, now, now).Error
	})
}

// OrganizationExists reports whether organization id exists.
func (db *DB) OrganizationExists(ctx context.Context, id int64) (bool, error) {
	var n int64
	err := db.Run(ctx, func(ctx context.Context) error {
		return db.Conn(ctx).Raw("SELECT COUNT(*) FROM organizations WHERE id = ?", id).Row().Scan(&n)
	})
	return n > 0, err
}
