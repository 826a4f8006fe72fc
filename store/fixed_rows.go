package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// permissionTypes are the resource types roles are granted permissions on, as they were when
// migration 2 ran. Deliberately a frozen copy rather than a shared list: a type added later gets
// its permissions from its own migration.
var permissionTypes = []string{
	"organizations", "businessunits", "userroles", "users",
	"accounts", "contacts", "contactsources", "calls",
	"localizations", "currencies", "countries", "regions",
	"products", "productprices", "weightunits", "taxjurisdictions",
	"asyncoperations",
}

// permissionsJSON builds a complete permission matrix: view on every type, write (CREATE,
// EDIT, DELETE) at writeLevel on the types in writable and at "none" elsewhere.
func permissionsJSON(view, writeLevel string, writable ...string) string {
	perms := map[string]map[string]string{}
	for _, t := range permissionTypes {
		w := "none"
		if len(writable) == 0 || slices.Contains(writable, t) {
			w = writeLevel
		}
		perms[t] = map[string]string{"VIEW": view, "CREATE": w, "EDIT": w, "DELETE": w}
	}
	b, err := json.Marshal(perms) // map keys are sorted: the stored text is stable
	if err != nil {
		panic(err)
	}
	return string(b)
}

// insertFixedRows is migration 2: the rows every database has (domain.md, "Data every new
// database has"), with the ids listed there. Plain SQL rather than the models: a migration must
// keep doing what it did when it was written, whatever later happens to the models.
func insertFixedRows(ctx context.Context, tx *sql.Tx, d Dialect) error {
	// The administrator's initial password is "admin123"; it is meant to be changed at once.
	hash, err := bcrypt.GenerateFromPassword([]byte("admin123"), bcrypt.DefaultCost)
	if err != nil {
		return err
	}
	now := timeValue(d, time.Now())
	// ins inserts rows with timestamps (join tables pass stamp=false); after the first failure
	// it does nothing, so the sequence below reads as a list.
	ins := func(table, cols string, stamp bool, rows ...[]any) {
		if err == nil {
			var ts any
			if stamp {
				ts = now
			}
			err = insertRows(ctx, tx, d, table, strings.Split(cols, ","), ts, rows)
		}
	}
	ins("organizations", "id,name,enabled", true, []any{1, "Default Organization", true})
	ins("business_units", "id,name,organization_id", true, []any{1, "Main", 1})
	ins("user_roles", "id,role,label,permissions", true,
		[]any{1, "ROLE_ADMINISTRATOR", "Administrator", permissionsJSON("system", "system")},
		[]any{2, "ROLE_USER", "User", permissionsJSON("organization", "user",
			"accounts", "contacts", "calls")},
		[]any{3, "ROLE_MANAGER", "Manager", permissionsJSON("organization", "division",
			"accounts", "contacts", "calls", "products", "productprices")},
	)
	ins("users", "id,username,email,first_name,last_name,enabled,password,login_count,owner_id,organization_id", true,
		[]any{1, "admin", "admin@example.com", "John", "Doe", true, string(hash), 0, 1, 1})
	ins("user_user_roles", "user_id,user_role_id", false, []any{1, 1})
	ins("user_business_units", "user_id,business_unit_id", false, []any{1, 1})
	ins("contact_sources", "id,name", true,
		[]any{"tv", "TV"}, []any{"call", "Call"}, []any{"website", "Website"}, []any{"other", "Other"})
	ins("localizations", "id,name,language_code,formatting_code,is_default", true,
		[]any{1, "English (United States)", "en", "en_US", true},
		[]any{2, "German", "de", "de_DE", false},
		[]any{3, "French", "fr", "fr_FR", false},
	)
	ins("currencies", "id,name,symbol", true,
		[]any{"USD", "US Dollar", "$"}, []any{"EUR", "Euro", "€"},
		[]any{"GBP", "British Pound", "£"}, []any{"JPY", "Japanese Yen", "¥"})
	ins("countries", "id,name,iso3_code", true,
		[]any{"US", "United States", "USA"}, []any{"CA", "Canada", "CAN"},
		[]any{"DE", "Germany", "DEU"}, []any{"FR", "France", "FRA"},
		[]any{"GB", "United Kingdom", "GBR"})
	ins("regions", "id,name,code,country_id", true,
		[]any{"US-CA", "California", "CA", "US"}, []any{"US-NY", "New York", "NY", "US"},
		[]any{"US-TX", "Texas", "TX", "US"}, []any{"DE-BE", "Berlin", "BE", "DE"},
		[]any{"DE-BY", "Bavaria", "BY", "DE"})
	ins("weight_units", "id,conversion_rates", true,
		[]any{"kg", `{"lbs":2.20462}`}, []any{"lbs", `{"kg":0.453592}`})
	if err != nil {
		return err
	}
	if d == Postgres {
		// Identity columns do not notice explicit ids: without this the first ordinary insert
		// would be given id 1 again and fail.
		for _, table := range []string{"organizations", "business_units", "user_roles", "users", "localizations"} {
			q := fmt.Sprintf("SELECT setval(pg_get_serial_sequence('%[1]s', 'id'), (SELECT MAX(id) FROM %[1]s))", table)
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("reset id sequence of %s: %w", table, err)
			}
		}
	}
	return nil
}

// insertRows inserts rows into table with one multi-row INSERT. When now is not nil, created_at
// and updated_at are appended to every row with that value.
func insertRows(ctx context.Context, tx *sql.Tx, d Dialect, table string, cols []string, now any, rows [][]any) error {
	if now != nil {
		cols = append(cols[:len(cols):len(cols)], "created_at", "updated_at")
	}
	var (
		b    strings.Builder
		args []any
	)
	fmt.Fprintf(&b, "INSERT INTO %s (%s) VALUES ", table, strings.Join(cols, ", "))
	for i, row := range rows {
		if now != nil {
			row = append(row[:len(row):len(row)], now, now)
		}
		if len(row) != len(cols) {
			return fmt.Errorf("insert into %s: %d values for %d columns", table, len(row), len(cols))
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for j := range row {
			if j > 0 {
				b.WriteString(", ")
			}
			args = append(args, row[j])
			b.WriteString(placeholder(d, len(args)))
		}
		b.WriteByte(')')
	}
	if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
		return fmt.Errorf("insert into %s: %w", table, err)
	}
	return nil
}

// placeholder is the n-th (1-based) bind parameter in raw database/sql statements.
func placeholder(d Dialect, n int) string {
	if d == Postgres {
		return fmt.Sprintf("$%d", n)
	}
	return "?"
}
