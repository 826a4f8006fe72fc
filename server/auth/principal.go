package auth

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"webapi/store"
)

// Load resolves an identity into a principal: the user's organization and business units, the
// descendants of those units, and the widest level of each permission among the user's roles.
// A user or organization that is disabled, or missing, cannot authenticate (a *Failure).
func Load(ctx context.Context, db *store.DB, id Identity) (*Principal, error) {
	p := &Principal{UserID: id.UserID, ClientID: id.ClientID, Permissions: map[string]Permissions{}}
	err := db.Run(ctx, func(ctx context.Context) error {
		conn := db.Conn(ctx)
		var userEnabled, orgEnabled bool
		err := conn.Raw(`SELECT u.owner_id, u.organization_id, u.enabled, o.enabled
			FROM users u JOIN organizations o ON o.id = u.organization_id WHERE u.id = ?`, id.UserID).
			Row().Scan(&p.BusinessUnitID, &p.OrganizationID, &userEnabled, &orgEnabled)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return &Failure{Detail: "The credentials name no user."}
		case err != nil:
			return err
		case !userEnabled:
			return &Failure{Detail: "The user is disabled."}
		case !orgEnabled:
			return &Failure{Detail: "The user's organization is disabled."}
		}
		if p.BusinessUnits, err = int64s(conn.Raw(
			"SELECT business_unit_id FROM user_business_units WHERE user_id = ? ORDER BY business_unit_id", id.UserID)); err != nil {
			return err
		}
		// the units and all their descendants, within the organization
		if p.Division, err = int64s(conn.Raw(`WITH RECURSIVE division(id) AS (
				SELECT business_unit_id FROM user_business_units WHERE user_id = ?
				UNION
				SELECT b.id FROM business_units b JOIN division d ON b.parent_business_unit_id = d.id
				WHERE b.organization_id = ?)
			SELECT id FROM division ORDER BY id`, id.UserID, p.OrganizationID)); err != nil {
			return err
		}
		rows, err := conn.Raw(`SELECT r.permissions FROM user_roles r JOIN user_user_roles ur ON ur.user_role_id = r.id
			WHERE ur.user_id = ? AND (r.organization_id IS NULL OR r.organization_id = ?)`, id.UserID, p.OrganizationID).Rows()
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var raw sql.NullString
			if err := rows.Scan(&raw); err != nil {
				return err
			}
			if err := p.grant(raw.String); err != nil {
				return err
			}
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// grant widens the principal's permissions by those of one role ({"accounts": {"VIEW":
// "organization", …}, …}).
func (p *Principal) grant(raw string) error {
	if strings.TrimSpace(raw) == "" {
		return nil
	}
	var perms map[string]map[string]string
	if err := json.Unmarshal([]byte(raw), &perms); err != nil {
		return fmt.Errorf("auth: a role's permissions: %w", err)
	}
	for typ, byAction := range perms {
		cur := p.Permissions[typ]
		for a, name := range ActionNames {
			if l, ok := ParseLevel(byAction[name]); ok && l > cur[a] {
				cur[a] = l
			}
		}
		p.Permissions[typ] = cur
	}
	return nil
}

func int64s(q interface{ Rows() (*sql.Rows, error) }) ([]int64, error) {
	rows, err := q.Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
