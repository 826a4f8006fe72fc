package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"

	"webapi/store"
	"webapi/store/demo"
	"webapi/store/storetest"
)

// each runs test on every available backend, in parallel, with a fresh migrated database.
func each(t *testing.T, test func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			test(t, storetest.Open(t, b))
		})
	}
}

func count(t *testing.T, db *store.DB, table string) int64 {
	t.Helper()
	var n int64
	if err := db.Gorm.Table(table).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// ids returns the ids of table in order, as strings (integer and code ids alike).
func ids(t *testing.T, db *store.DB, table string) []string {
	t.Helper()
	var out []string
	if err := db.Gorm.Table(table).Order("id").Pluck("CAST(id AS TEXT)", &out).Error; err != nil {
		t.Fatal(err)
	}
	return out
}

func TestFixedRows(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *store.DB) {
		for table, want := range map[string][]string{
			"organizations":   {"1"},
			"business_units":  {"1"},
			"user_roles":      {"1", "2", "3"},
			"users":           {"1"},
			"contact_sources": {"call", "other", "tv", "website"},
			"localizations":   {"1", "2", "3"},
			"currencies":      {"EUR", "GBP", "JPY", "USD"},
			"countries":       {"CA", "DE", "FR", "GB", "US"},
			"regions":         {"DE-BE", "DE-BY", "US-CA", "US-NY", "US-TX"},
			"weight_units":    {"kg", "lbs"},
		} {
			if got := ids(t, db, table); !slices.Equal(got, want) {
				t.Errorf("%s ids = %v, want %v", table, got, want)
			}
		}
		for _, table := range []string{"accounts", "contacts", "calls", "products", "product_prices",
			"tax_jurisdictions", "async_operations", "account_contacts"} {
			if n := count(t, db, table); n != 0 {
				t.Errorf("%s has %d rows, want none", table, n)
			}
		}

		var org store.Organization
		if err := db.Gorm.First(&org, 1).Error; err != nil {
			t.Fatal(err)
		}
		if org.Name != "Default Organization" || !org.Enabled {
			t.Errorf("organization 1 = %+v", org)
		}
		if age := time.Since(org.CreatedAt.Time); age < 0 || age > time.Hour || org.UpdatedAt != org.CreatedAt {
			t.Errorf("organization 1 timestamps %v %v, want the migration time", org.CreatedAt, org.UpdatedAt)
		}
		var bu store.BusinessUnit
		if err := db.Gorm.First(&bu, 1).Error; err != nil {
			t.Fatal(err)
		}
		if bu.Name != "Main" || bu.OrganizationID != 1 || bu.ParentBusinessUnitID != nil {
			t.Errorf("business unit 1 = %+v", bu)
		}

		var admin store.User
		if err := db.Gorm.First(&admin, 1).Error; err != nil {
			t.Fatal(err)
		}
		if admin.Username != "admin" || admin.Email != "admin@example.com" || *admin.FirstName != "John" ||
			*admin.LastName != "Doe" || !admin.Enabled || admin.OwnerID != 1 || admin.OrganizationID != 1 ||
			admin.LoginCount != 0 || admin.LastLogin != nil {
			t.Errorf("user 1 = %+v", admin)
		}
		if err := bcrypt.CompareHashAndPassword([]byte(*admin.Password), []byte("admin123")); err != nil {
			t.Errorf("admin password: %v", err)
		}
		if n := count(t, db, "user_user_roles"); n != 1 {
			t.Errorf("user_user_roles has %d rows", n)
		}
		if err := db.Gorm.Where("user_id = 1 AND user_role_id = 1").First(&store.UserUserRole{}).Error; err != nil {
			t.Errorf("admin's role: %v", err)
		}
		if err := db.Gorm.Where("user_id = 1 AND business_unit_id = 1").First(&store.UserBusinessUnit{}).Error; err != nil {
			t.Errorf("admin's business unit: %v", err)
		}

		var roles []store.UserRole
		if err := db.Gorm.Order("id").Find(&roles).Error; err != nil {
			t.Fatal(err)
		}
		type perms map[string]map[string]string
		levels := func(r store.UserRole) perms {
			var p perms
			if err := json.Unmarshal(r.Permissions, &p); err != nil {
				t.Fatalf("%s permissions: %v", r.Role, err)
			}
			if len(p) != 17 {
				t.Errorf("%s has permissions on %d types, want 17", r.Role, len(p))
			}
			return p
		}
		want := []struct {
			role, label, view        string
			write                    map[string]string // type → CREATE/EDIT/DELETE level; others "none"
			writeEverywhere, allSame string
		}{
			{role: "ROLE_ADMINISTRATOR", label: "Administrator", view: "system", writeEverywhere: "system"},
			{role: "ROLE_USER", label: "User", view: "organization",
				write: map[string]string{"accounts": "user", "contacts": "user", "calls": "user"}},
			{role: "ROLE_MANAGER", label: "Manager", view: "organization",
				write: map[string]string{"accounts": "division", "contacts": "division", "calls": "division",
					"products": "division", "productprices": "division"}},
		}
		for i, w := range want {
			r := roles[i]
			if r.Role != w.role || r.Label != w.label || r.OrganizationID != nil {
				t.Errorf("role %d = %s %s %v", r.ID, r.Role, r.Label, r.OrganizationID)
			}
			for typ, p := range levels(r) {
				wantWrite := w.writeEverywhere
				if wantWrite == "" {
					wantWrite = w.write[typ]
					if wantWrite == "" {
						wantWrite = "none"
					}
				}
				wantP := map[string]string{"VIEW": w.view, "CREATE": wantWrite, "EDIT": wantWrite, "DELETE": wantWrite}
				if fmt.Sprint(p) != fmt.Sprint(wantP) {
					t.Errorf("%s on %s = %v, want %v", r.Role, typ, p, wantP)
				}
			}
		}

		var locs []store.Localization
		if err := db.Gorm.Order("id").Find(&locs).Error; err != nil {
			t.Fatal(err)
		}
		gotLocs := fmt.Sprint(func() (s []string) {
			for _, l := range locs {
				s = append(s, fmt.Sprintf("%d %s %s %s %v %v", l.ID, l.Name, l.LanguageCode, l.FormattingCode, l.IsDefault, l.ParentLocalizationID))
			}
			return
		}())
		if wantLocs := "[1 English (United States) en en_US true <nil> 2 German de de_DE false <nil> 3 French fr fr_FR false <nil>]"; gotLocs != wantLocs {
			t.Errorf("localizations = %s", gotLocs)
		}
		var usd, eur store.Currency
		db.Gorm.First(&usd, "id = ?", "USD")
		db.Gorm.First(&eur, "id = ?", "EUR")
		if *usd.Name != "US Dollar" || *usd.Symbol != "$" || *eur.Symbol != "€" {
			t.Errorf("currencies %+v %+v", usd, eur)
		}
		var de store.Country
		db.Gorm.First(&de, "id = ?", "DE")
		if *de.Name != "Germany" || *de.ISO3Code != "DEU" {
			t.Errorf("country DE = %+v", de)
		}
		var by store.Region
		db.Gorm.First(&by, "id = ?", "DE-BY")
		if *by.Name != "Bavaria" || *by.Code != "BY" || by.CountryID != "DE" {
			t.Errorf("region DE-BY = %+v", by)
		}
		var kg store.WeightUnit
		db.Gorm.First(&kg, "id = ?", "kg")
		if string(kg.ConversionRates) != `{"lbs":2.20462}` {
			t.Errorf("kg conversion rates = %s", kg.ConversionRates)
		}
	})
}

func TestMigrateIsIdempotent(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *store.DB) {
		for range 2 {
			if err := store.Migrate(context.Background(), db); err != nil {
				t.Fatal(err)
			}
		}
		if n := count(t, db, "users"); n != 1 {
			t.Errorf("users = %d after migrating again", n)
		}
		var version int64
		if err := db.Gorm.Raw("SELECT MAX(version_id) FROM goose_db_version").Scan(&version).Error; err != nil {
			t.Fatal(err)
		}
		if want := store.LatestVersion(); version != want {
			t.Errorf("schema version %d, want %d", version, want)
		}
	})
}

// TestMigrateEmpty migrates a database from nothing (storetest.Open copies a template on SQLite).
func TestMigrateEmpty(t *testing.T) {
	t.Parallel()
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			db := storetest.OpenEmpty(t, b)
			start := time.Now()
			if err := store.Migrate(context.Background(), db); err != nil {
				t.Fatal(err)
			}
			t.Logf("migrated in %v", time.Since(start))
			if n := count(t, db, "regions"); n != 5 {
				t.Errorf("regions = %d", n)
			}
		})
	}
}

func TestGeneratedIDsFollowFixedRows(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *store.DB) {
		g := db.Gorm
		org := store.Organization{Name: "Second", Enabled: true}
		unit := store.BusinessUnit{Name: "Branch", OrganizationID: 1}
		role := store.UserRole{Role: "ROLE_AUDITOR", Label: "Auditor"}
		loc := store.Localization{Name: "Spanish", LanguageCode: "es", FormattingCode: "es_ES"}
		for _, row := range []any{&org, &unit, &role, &loc} {
			if err := g.Create(row).Error; err != nil {
				t.Fatalf("create %T: %v", row, err)
			}
		}
		user := store.User{Username: "jane", Email: "jane@example.com", Enabled: true, OwnerID: unit.ID, OrganizationID: 1}
		if err := g.Create(&user).Error; err != nil {
			t.Fatal(err)
		}
		account := store.Account{Name: "Acme", OwnerID: user.ID, OrganizationID: 1}
		if err := g.Create(&account).Error; err != nil {
			t.Fatal(err)
		}
		for name, got := range map[string]int64{"organization": org.ID, "business unit": unit.ID,
			"role": role.ID, "localization": loc.ID, "user": user.ID} {
			fixedMax := map[string]int64{"role": 3, "localization": 3}[name]
			if fixedMax == 0 {
				fixedMax = 1
			}
			if got != fixedMax+1 {
				t.Errorf("new %s id = %d, want %d", name, got, fixedMax+1)
			}
		}
		if account.ID != 1 {
			t.Errorf("first account id = %d", account.ID)
		}
		// Defaults of the schema reach models whose fields are left empty.
		product := store.Product{SKU: "X-1", Names: store.JSON(`[{"localization":null,"value":"X"}]`), OwnerID: 1, OrganizationID: 1}
		if err := g.Create(&product).Error; err != nil {
			t.Fatal(err)
		}
		var status string
		g.Table("products").Where("id = ?", product.ID).Pluck("status", &status)
		if status != "enabled" || product.Status != "enabled" {
			t.Errorf("product status %q (model %q), want the default", status, product.Status)
		}
	})
}

func TestErrorsAreTranslated(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *store.DB) {
		g := db.Gorm
		dup := store.User{Username: "admin", Email: "other@example.com", OwnerID: 1, OrganizationID: 1}
		if err := g.Create(&dup).Error; !errors.Is(err, gorm.ErrDuplicatedKey) {
			t.Errorf("duplicate username: %v, want ErrDuplicatedKey", err)
		}
		bad := store.Account{Name: "Orphan", OwnerID: 999, OrganizationID: 1}
		if err := g.Create(&bad).Error; !errors.Is(err, gorm.ErrForeignKeyViolated) {
			t.Errorf("unknown owner: %v, want ErrForeignKeyViolated", err)
		}
		// RESTRICT: the admin owns an account, so the admin cannot be deleted.
		if err := g.Create(&store.Account{Name: "Owned", OwnerID: 1, OrganizationID: 1}).Error; err != nil {
			t.Fatal(err)
		}
		if err := g.Delete(&store.User{}, 1).Error; !errors.Is(err, gorm.ErrForeignKeyViolated) {
			t.Errorf("delete owner: %v, want ErrForeignKeyViolated", err)
		}
	})
}

func TestValuesRoundTrip(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *store.DB) {
		g := db.Gorm
		base := time.Date(2024, 3, 10, 8, 30, 0, 123456789, time.FixedZone("CET", 3600))
		birthday := store.NewDate(time.Date(1980, 2, 29, 23, 0, 0, 0, time.UTC))
		contact := store.Contact{FirstName: ptr("Ann"), Birthday: &birthday, OwnerID: 1, OrganizationID: 1}
		if err := g.Create(&contact).Error; err != nil {
			t.Fatal(err)
		}
		// Times 9 s, 10 s and 100 s apart: text comparison of a variable-width form would
		// order "…:09" after "…:10" in places; the fixed-width form must not.
		offsets := []time.Duration{100 * time.Second, 9 * time.Second, 10 * time.Second, 0}
		for i, off := range offsets {
			c := store.Call{Subject: fmt.Sprint("call ", i), CallDateTime: store.NewTime(base.Add(off)),
				Direction: store.DirectionIncoming, ContactID: &contact.ID, OwnerID: 1, OrganizationID: 1}
			if err := g.Create(&c).Error; err != nil {
				t.Fatal(err)
			}
		}
		var calls []store.Call
		if err := g.Where("call_date_time > ?", db.TimeValue(base.Add(5*time.Second))).
			Order("call_date_time").Find(&calls).Error; err != nil {
			t.Fatal(err)
		}
		var got []time.Duration
		for _, c := range calls {
			got = append(got, c.CallDateTime.Sub(base.Truncate(time.Microsecond)))
			if c.CallDateTime.Location() != time.UTC {
				t.Errorf("scanned time in %v, want UTC", c.CallDateTime.Location())
			}
		}
		if want := []time.Duration{9 * time.Second, 10 * time.Second, 100 * time.Second}; !slices.Equal(got, want) {
			t.Errorf("calls after base+5s = %v, want %v", got, want)
		}
		// What a generic scan yields is readable by ParseTime.
		var raw any
		row := g.Raw("SELECT call_date_time FROM calls WHERE subject = ?", "call 3").Row()
		if err := row.Scan(&raw); err != nil {
			t.Fatal(err)
		}
		if pt, err := db.ParseTime(raw); err != nil || !pt.Equal(base.Truncate(time.Microsecond)) {
			t.Errorf("ParseTime(%T %v) = %v, %v", raw, raw, pt, err)
		}
		if db.Dialect == store.SQLite && raw != "2024-03-10 07:30:00.123456" {
			t.Errorf("SQLite stores %q, want the fixed-width UTC form", raw)
		}

		var back store.Contact
		if err := g.Where("birthday = ?", db.DateValue(birthday.Time)).First(&back).Error; err != nil {
			t.Fatal(err)
		}
		if back.Birthday.String() != "1980-02-29" || back.LastContactedDate != nil || back.MiddleName != nil {
			t.Errorf("contact read back = %+v", back)
		}
		var rawDate any
		if err := g.Raw("SELECT birthday FROM contacts WHERE id = ?", contact.ID).Row().Scan(&rawDate); err != nil {
			t.Fatal(err)
		}
		if pt, err := db.ParseTime(rawDate); err != nil || pt.Format(time.DateOnly) != "1980-02-29" {
			t.Errorf("ParseTime(%T %v) = %v, %v", rawDate, rawDate, pt, err)
		}

		product := store.Product{SKU: "P-1", Names: store.MustJSON([]store.LocalizedValue{{Value: "Chair"}, {Localization: ptr("2"), Value: "Stuhl"}}),
			Status: store.ProductEnabled, OwnerID: 1, OrganizationID: 1}
		if err := g.Create(&product).Error; err != nil {
			t.Fatal(err)
		}
		price := store.ProductPrice{Value: decimal.RequireFromString("12.5"), Quantity: decimal.NewFromInt(1),
			ProductID: product.ID, CurrencyID: "EUR", OrganizationID: 1}
		if err := g.Create(&price).Error; err != nil {
			t.Fatal(err)
		}
		var p store.Product
		var pp store.ProductPrice
		g.First(&p, product.ID)
		g.First(&pp, price.ID)
		var names []store.LocalizedValue
		if err := json.Unmarshal(p.Names, &names); err != nil || len(names) != 2 || names[0].Localization != nil || *names[1].Localization != "2" {
			t.Errorf("names = %s (%v)", p.Names, err)
		}
		if !pp.Value.Equal(decimal.RequireFromString("12.5")) || !pp.Quantity.Equal(decimal.NewFromInt(1)) {
			t.Errorf("price = %v × %v", pp.Value, pp.Quantity)
		}
		// Deleting a product takes its prices along (CASCADE).
		if err := g.Delete(&store.Product{}, product.ID).Error; err != nil {
			t.Fatal(err)
		}
		if n := count(t, db, "product_prices"); n != 0 {
			t.Errorf("%d prices left after deleting the product", n)
		}

		// A nullable JSON column: empty is NULL.
		op := store.AsyncOperation{EntityType: "accounts", OwnerID: 1, OrganizationID: 1}
		if err := g.Create(&op).Error; err != nil {
			t.Fatal(err)
		}
		var nulls int64
		g.Table("async_operations").Where("summary IS NULL AND request IS NULL AND progress IS NULL AND status = 'new'").Count(&nulls)
		if nulls != 1 || op.Status != store.AsyncNew {
			t.Errorf("async operation defaults: %d rows with NULLs, status %q", nulls, op.Status)
		}
	})
}

func TestRecomputeCommunication(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *store.DB) {
		g := db.Gorm
		var contacts [2]store.Contact
		var accounts [2]store.Account
		for i := range 2 {
			contacts[i] = store.Contact{LastName: ptr(fmt.Sprint("C", i)), OwnerID: 1, OrganizationID: 1}
			if err := g.Create(&contacts[i]).Error; err != nil {
				t.Fatal(err)
			}
			accounts[i] = store.Account{Name: fmt.Sprint("A", i), OwnerID: 1, OrganizationID: 1}
			if err := g.Create(&accounts[i]).Error; err != nil {
				t.Fatal(err)
			}
		}
		day := func(d int) time.Time { return time.Date(2024, 1, d, 12, 0, 0, 0, time.UTC) }
		call := func(d int, dir string, contact *store.Contact, account *store.Account) {
			c := store.Call{Subject: "s", CallDateTime: store.NewTime(day(d)), Direction: dir, OwnerID: 1, OrganizationID: 1}
			if contact != nil {
				c.ContactID = &contact.ID
			}
			if account != nil {
				c.AccountID = &account.ID
			}
			if err := g.Create(&c).Error; err != nil {
				t.Fatal(err)
			}
		}
		in, out := store.DirectionIncoming, store.DirectionOutgoing
		call(3, in, &contacts[0], &accounts[0])
		call(9, in, &contacts[0], nil)
		call(5, out, &contacts[0], &accounts[0])
		call(10, out, nil, &accounts[0])
		call(7, in, &contacts[1], &accounts[1])

		// Only the listed rows change.
		err := g.Transaction(func(tx *gorm.DB) error {
			if err := store.RecomputeCommunication(tx, db.Dialect, "accounts", []int64{accounts[0].ID}); err != nil {
				return err
			}
			return store.RecomputeCommunication(tx, db.Dialect, "contacts", []int64{contacts[0].ID})
		})
		if err != nil {
			t.Fatal(err)
		}
		type comm struct {
			last, in, out string
			n, nIn, nOut  int64
		}
		show := func(t *store.Time) string {
			if t == nil {
				return "-"
			}
			return t.Format("Jan 2")
		}
		read := func(m any, id int64) comm {
			if err := g.First(m, id).Error; err != nil {
				t.Fatal(err)
			}
			var c store.Communication
			switch v := m.(type) {
			case *store.Account:
				c = v.Communication
			case *store.Contact:
				c = v.Communication
			}
			return comm{show(c.LastContactedDate), show(c.LastContactedDateIn), show(c.LastContactedDateOut),
				c.TimesContacted, c.TimesContactedIn, c.TimesContactedOut}
		}
		check := func(what string, got, want comm) {
			t.Helper()
			if got != want {
				t.Errorf("%s = %+v, want %+v", what, got, want)
			}
		}
		none := comm{"-", "-", "-", 0, 0, 0}
		check("account 0", read(&store.Account{}, accounts[0].ID), comm{"Jan 10", "Jan 3", "Jan 10", 3, 1, 2})
		check("contact 0", read(&store.Contact{}, contacts[0].ID), comm{"Jan 9", "Jan 9", "Jan 5", 3, 2, 1})
		check("account 1 (not listed)", read(&store.Account{}, accounts[1].ID), none)

		// nil ids: every row; rows whose calls are gone go back to none.
		if err := g.Where("account_id = ?", accounts[0].ID).Delete(&store.Call{}).Error; err != nil {
			t.Fatal(err)
		}
		for _, table := range []string{"accounts", "contacts"} {
			if err := store.RecomputeCommunication(g, db.Dialect, table, nil); err != nil {
				t.Fatal(err)
			}
		}
		check("account 0 without calls", read(&store.Account{}, accounts[0].ID), none)
		check("account 1", read(&store.Account{}, accounts[1].ID), comm{"Jan 7", "Jan 7", "-", 1, 1, 0})
		check("contact 0", read(&store.Contact{}, contacts[0].ID), comm{"Jan 9", "Jan 9", "-", 1, 1, 0})

		if err := store.RecomputeCommunication(g, db.Dialect, "users", nil); err == nil {
			t.Error("RecomputeCommunication accepted the table users")
		}
	})
}

// TestConcurrentWriters runs read-then-write transactions at once: on SQLite they must wait
// for each other (busy timeout, immediate transactions), not fail with "database is locked".
func TestConcurrentWriters(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *store.DB) {
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for w := range 8 {
			wg.Go(func() {
				for i := range 10 {
					err := db.Gorm.Transaction(func(tx *gorm.DB) error {
						var n int64
						if err := tx.Model(&store.Organization{}).Count(&n).Error; err != nil {
							return err
						}
						time.Sleep(time.Millisecond)
						return tx.Create(&store.Organization{Name: fmt.Sprintf("org %d-%d (%d)", w, i, n)}).Error
					})
					if err != nil {
						errs <- err
						return
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		if n := count(t, db, "organizations"); n != 81 {
			t.Errorf("organizations = %d, want 81", n)
		}
	})
}

func TestDemoSeed(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var last, total int
		start := time.Now()
		if err := demo.Seed(ctx, db, 1, func(done, all int) {
			if done <= last || (total != 0 && all != total) {
				t.Errorf("progress %d/%d after %d/%d", done, all, last, total)
			}
			last, total = done, all
		}); err != nil {
			t.Fatal(err)
		}
		t.Logf("seeded scale 1 in %v", time.Since(start))
		if last != total || total == 0 {
			t.Errorf("progress ended at %d/%d", last, total)
		}
		for table, want := range map[string]int64{
			"business_units": 1 + demo.BusinessUnitsPerScale,
			"users":          1 + demo.UsersPerScale,
			"accounts":       demo.AccountsPerScale,
			"contacts":       demo.ContactsPerScale,
			"calls":          demo.CallsPerScale,
			"products":       demo.ProductsPerScale,
		} {
			if n := count(t, db, table); n != want {
				t.Errorf("%s = %d, want %d", table, n, want)
			}
		}
		var check struct {
			Prices, Links, NoDefault, BadDefault, Unlinked, Calls, CallsWithAccount, CountedOnAccounts, CountedOnContacts int64
		}
		g := db.Gorm
		g.Raw("SELECT COUNT(*) FROM product_prices").Scan(&check.Prices)
		g.Raw("SELECT COUNT(*) FROM account_contacts").Scan(&check.Links)
		g.Raw("SELECT COUNT(*) FROM accounts WHERE default_contact_id IS NULL").Scan(&check.NoDefault)
		g.Raw(`SELECT COUNT(*) FROM accounts a WHERE NOT EXISTS (SELECT 1 FROM account_contacts ac
			WHERE ac.account_id = a.id AND ac.contact_id = a.default_contact_id)`).Scan(&check.BadDefault)
		g.Raw(`SELECT COUNT(*) FROM accounts a WHERE (SELECT COUNT(*) FROM account_contacts ac
			WHERE ac.account_id = a.id) NOT BETWEEN 1 AND 3`).Scan(&check.Unlinked)
		g.Raw("SELECT COUNT(*) FROM calls WHERE account_id IS NOT NULL").Scan(&check.CallsWithAccount)
		g.Raw("SELECT SUM(times_contacted) FROM accounts").Scan(&check.CountedOnAccounts)
		g.Raw("SELECT SUM(times_contacted) FROM contacts").Scan(&check.CountedOnContacts)
		if check.Prices < 2*demo.ProductsPerScale || check.Links < demo.AccountsPerScale ||
			check.NoDefault != 0 || check.BadDefault != 0 || check.Unlinked != 0 ||
			check.CallsWithAccount == 0 || check.CountedOnAccounts != check.CallsWithAccount ||
			check.CountedOnContacts != demo.CallsPerScale {
			t.Errorf("demo data: %+v", check)
		}
		var manager int64
		g.Raw("SELECT COUNT(*) FROM user_user_roles WHERE user_role_id = 3").Scan(&manager)
		if manager != 1 {
			t.Errorf("%d managers, want 1", manager)
		}

		if err := demo.Seed(ctx, db, 1, nil); !errors.Is(err, demo.ErrNotEmpty) {
			t.Errorf("second Seed: %v, want ErrNotEmpty", err)
		}
	})
}

func TestOpen(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	for _, url := range []string{
		filepath.Join(dir, "plain", "a.db"),
		"sqlite:" + filepath.Join(dir, "prefixed", "b.db"),
		"sqlite://" + filepath.Join(dir, "slashes", "c.db"),
	} {
		db, err := store.Open(ctx, url)
		if err != nil {
			t.Fatalf("Open(%q): %v", url, err)
		}
		if db.Dialect != store.SQLite {
			t.Errorf("Open(%q).Dialect = %s", url, db.Dialect)
		}
		if err := db.Close(); err != nil {
			t.Error(err)
		}
	}
	for _, name := range []string{"plain/a.db", "prefixed/b.db", "slashes/c.db"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Error(err)
		}
	}

	mem, err := store.Open(ctx, "sqlite::memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer mem.Close()
	if err := store.Migrate(ctx, mem); err != nil {
		t.Fatal(err)
	}
	if n := count(t, mem, "currencies"); n != 4 {
		t.Errorf("in-memory database has %d currencies", n)
	}

	if _, err := store.Open(ctx, "postgres://nobody@127.0.0.1:1/none?sslmode=disable&connect_timeout=2"); err == nil {
		t.Error("Open of an unreachable PostgreSQL succeeded")
	}
}

func ptr[T any](v T) *T { return &v }

// TestTimesWrittenByGORM checks that the times GORM binds by itself (updated_at on Save and
// Updates) and plain time.Time arguments end up in the fixed-width form on SQLite.
func TestTimesWrittenByGORM(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *store.DB) {
		g := db.Gorm
		org := store.Organization{Name: "Timed", Enabled: true}
		if err := g.Create(&org).Error; err != nil {
			t.Fatal(err)
		}
		when := time.Date(2030, 5, 6, 7, 8, 9, 120000000, time.FixedZone("X", -7200))
		steps := []func() error{
			func() error { org.Name = "Saved"; return g.Save(&org).Error },
			func() error {
				return g.Model(&store.Organization{}).Where("id = ?", org.ID).Updates(map[string]any{"name": "Mapped"}).Error
			},
			func() error { return g.Model(&org).Updates(store.Organization{Name: "Struct"}).Error },
			func() error {
				return g.Exec("UPDATE organizations SET created_at = ? WHERE id = ?", when, org.ID).Error
			},
		}
		for i, step := range steps {
			if err := step(); err != nil {
				t.Fatalf("step %d: %v", i, err)
			}
			var created, updated any
			if err := g.Raw("SELECT created_at, updated_at FROM organizations WHERE id = ?", org.ID).Row().Scan(&created, &updated); err != nil {
				t.Fatal(err)
			}
			for _, v := range []any{created, updated} {
				if db.Dialect == store.SQLite {
					s, _ := v.(string)
					if _, err := time.Parse(store.SQLiteTimeLayout, s); err != nil || len(s) != len(store.SQLiteTimeLayout) {
						t.Errorf("step %d: stored %T %q, want the fixed-width form", i, v, v)
					}
				}
			}
			if i == len(steps)-1 {
				if got, err := db.ParseTime(created); err != nil || !got.Equal(when) {
					t.Errorf("created_at = %v (%v), want %v", got, err, when)
				}
			}
		}
		var n int64
		g.Model(&store.Organization{}).Where("updated_at > ? AND created_at = ?", time.Now().Add(-time.Minute), when).Count(&n)
		if n != 1 {
			t.Errorf("time.Time comparisons found %d rows, want 1", n)
		}
	})
}
