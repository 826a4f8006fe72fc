package store

import (
	"context"
	"database/sql"
	"fmt"
)

// The principal of a request (server/auth) is built from users, organizations, business units
// and roles; the server keeps principals it has built, and must stop using one as soon as any of
// those rows changes, in any process that shares the database (a user disabled by a command, a
// role edited through the API). Triggers count such changes in auth_state.generation, in the
// transaction that makes them: a server compares the generation with the one its principal was
// built at, one cheap statement per request, whichever process wrote.

// authTrigger is a change that can change a principal: the events of a table.
type authTrigger struct{ table, events string }

// authTriggers are the changes that can change a principal.
var authTriggers = []authTrigger{
	{"organizations", "UPDATE OF enabled"},
	{"organizations", "DELETE"},
	{"business_units", "INSERT"},
	{"business_units", "UPDATE OF parent_business_unit_id, organization_id"},
	{"business_units", "DELETE"},
	{"users", "UPDATE OF enabled, organization_id, owner_id"},
	{"users", "DELETE"},
	{"user_roles", "UPDATE OF permissions, organization_id"},
	{"user_roles", "DELETE"},
	{"user_user_roles", "INSERT"},
	{"user_user_roles", "DELETE"},
	{"user_business_units", "INSERT"},
	{"user_business_units", "DELETE"},
}

// migrateAuthState is migration 4: the auth_state row and the triggers that count changes.
func migrateAuthState(ctx context.Context, tx *sql.Tx, d Dialect) error {
	stmts := []string{
		"CREATE TABLE auth_state (id INTEGER NOT NULL PRIMARY KEY, generation BIGINT NOT NULL)",
		"INSERT INTO auth_state (id, generation) VALUES (1, 1)",
	}
	if d == Postgres {
		stmts = append(stmts, `CREATE FUNCTION webapi_auth_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE auth_state SET generation = generation + 1 WHERE id = 1;
    RETURN NULL;
END $$`)
	}
	stmts = append(stmts, authTriggerDDL(d, authTriggers)...)
	for _, s := range stmts {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("auth state: %w\n%s", err, s)
		}
	}
	return nil
}

// authTriggerDDL creates the triggers that count the changes triggers lists in
// auth_state.generation (the function webapi_auth_changed on PostgreSQL exists already).
func authTriggerDDL(d Dialect, triggers []authTrigger) []string {
	var stmts []string
	for i, t := range triggers {
		name := fmt.Sprintf("auth_changed_%s_%d", t.table, i)
		if d == Postgres {
			stmts = append(stmts, fmt.Sprintf("CREATE TRIGGER %s AFTER %s ON %s FOR EACH STATEMENT EXECUTE FUNCTION webapi_auth_changed()",
				name, t.events, t.table))
		} else {
			stmts = append(stmts, fmt.Sprintf("CREATE TRIGGER %s AFTER %s ON %s BEGIN UPDATE auth_state SET generation = generation + 1 WHERE id = 1; END",
				name, t.events, t.table))
		}
	}
	return stmts
}

// AuthGeneration returns the count of changes that can change a principal (server/auth reads it
// to know whether the principals it keeps are still current).
func (db *DB) AuthGeneration(ctx context.Context) (int64, error) {
	var gen int64
	err := db.Run(ctx, func(ctx context.Context) error {
		return db.Conn(ctx).Raw("SELECT generation FROM auth_state WHERE id = 1").Row().Scan(&gen)
	})
	return gen, err
}
