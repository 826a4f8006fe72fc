package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// NewOrganization is what CreateOrganization makes: an organization, its main business unit,
// and its administrator.
type NewOrganization struct {
	Name string
	// UnitName is the name of the main business unit ("Main" when empty, as organization 1's).
	UnitName string
	// The administrator: a member and owned by the main unit, with ROLE_ADMINISTRATOR.
	AdminUsername string
	AdminEmail    string
	AdminPassword string // the bcrypt hash, never the password
}

// CreatedOrganization are the ids of what CreateOrganization made.
type CreatedOrganization struct {
	OrganizationID int64
	BusinessUnitID int64
	UserID         int64
}

// ErrNoAdministratorRole reports that the role ROLE_ADMINISTRATOR for every organization (of
// migration 2) is gone or was given an organization.
var ErrNoAdministratorRole = errors.New("store: no role ROLE_ADMINISTRATOR for every organization")

// CreateOrganization creates an organization with its main business unit and an administrator
// user (ROLE_ADMINISTRATOR, member and owned by that unit), in one transaction: all of them or
// nothing. A name, username or e-mail that exists already is a Unique ConstraintError.
func (db *DB) CreateOrganization(ctx context.Context, o NewOrganization) (CreatedOrganization, error) {
	if o.UnitName == "" {
		o.UnitName = "Main"
	}
	var out CreatedOrganization
	err := db.Tx(ctx, func(ctx context.Context) error {
		conn := db.Conn(ctx)
		var roleID int64
		err := conn.Raw("SELECT id FROM user_roles WHERE role = ? AND organization_id IS NULL", "ROLE_ADMINISTRATOR").Row().Scan(&roleID)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return ErrNoAdministratorRole
		case err != nil:
			return err
		}
		org := Organization{Name: o.Name, Enabled: true}
		if err := conn.Create(&org).Error; err != nil {
			return fmt.Errorf("organization: %w", err)
		}
		unit := BusinessUnit{Name: o.UnitName, OrganizationID: org.ID}
		if err := conn.Create(&unit).Error; err != nil {
			return fmt.Errorf("business unit: %w", err)
		}
		pw := o.AdminPassword
		user := User{Username: o.AdminUsername, Email: o.AdminEmail, Enabled: true, Password: &pw,
			OwnerID: unit.ID, OrganizationID: org.ID}
		if err := conn.Create(&user).Error; err != nil {
			return fmt.Errorf("user: %w", err)
		}
		if err := conn.Create(&UserUserRole{UserID: user.ID, UserRoleID: roleID}).Error; err != nil {
			return err
		}
		if err := conn.Create(&UserBusinessUnit{UserID: user.ID, BusinessUnitID: unit.ID}).Error; err != nil {
			return err
		}
		out = CreatedOrganization{OrganizationID: org.ID, BusinessUnitID: unit.ID, UserID: user.ID}
		return nil
	})
	return out, err
}
