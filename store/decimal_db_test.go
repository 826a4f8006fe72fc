package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"gorm.io/gorm"

	"webapi/store"
	"webapi/store/storetest"
)

// Decimal columns store, compare and return decimals exactly on every backend (api.md section
// 20): 15 digits before the point and 4 after, which a float64 cannot hold.

// newProduct creates a product for prices to belong to.
func newProduct(t *testing.T, db *store.DB, sku string) int64 {
	t.Helper()
	p := store.Product{SKU: sku, Names: store.JSON(`[{"localization":null,"value":"X"}]`), OwnerID: 1, OrganizationID: 1}
	if err := db.Gorm.Create(&p).Error; err != nil {
		t.Fatal(err)
	}
	return p.ID
}

// insertPrice writes a price with SQL, the value and quantity given as the database gets them.
func insertPrice(db *store.DB, product int64, currency string, value, quantity any) error {
	now := db.TimeValue(time.Now())
	return db.Gorm.Exec(`INSERT INTO product_prices (value, quantity, product_id, currency_id, organization_id, created_at, updated_at)
		VALUES (?, ?, ?, ?, 1, ?, ?)`, value, quantity, product, currency, now, now).Error
}

// rawValue reads a decimal column as the database returns it, as text.
func rawValue(t *testing.T, db *store.DB, table, column string, id int64) *string {
	t.Helper()
	var s *string
	if err := db.Gorm.Raw("SELECT "+column+" FROM "+table+" WHERE id = ?", id).Row().Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestDecimalsRoundTrip(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *store.DB) {
		product := newProduct(t, db, "P-1")
		// client text → stored and returned text, both through a model and through SQL
		for i, c := range []struct{ in, want string }{
			{"123456789012345.1234", "123456789012345.1234"},
			{"-999999999999999.9999", "-999999999999999.9999"},
			{"999999999999999.9999", "999999999999999.9999"},
			{"0.0001", "0.0001"},
			{"-0.0001", "-0.0001"},
			{"0", "0.0000"},
			{"-0", "0.0000"},
			{"0012.50", "12.5000"},
			{"12.5", "12.5000"},
		} {
			quantity := fmt.Sprint(i + 1)
			m := store.ProductPrice{Value: decimal.RequireFromString(c.in), Quantity: decimal.RequireFromString(quantity),
				ProductID: product, CurrencyID: "USD", OrganizationID: 1}
			if err := db.Gorm.Create(&m).Error; err != nil {
				t.Fatal(err)
			}
			if err := insertPrice(db, product, "EUR", db.DecimalValue(c.in), db.DecimalValue(quantity)); err != nil {
				t.Fatal(err)
			}
			var viaSQL int64
			db.Gorm.Raw("SELECT MAX(id) FROM product_prices").Scan(&viaSQL)
			for _, id := range []int64{m.ID, viaSQL} {
				if got := rawValue(t, db, "product_prices", "value", id); got == nil || *got != c.want {
					t.Errorf("%s stored as %v, want %s", c.in, got, c.want)
				}
				if got := rawValue(t, db, "product_prices", "quantity", id); got == nil || *got != quantity+".0000" {
					t.Errorf("quantity %s stored as %v", quantity, got)
				}
				var back store.ProductPrice
				if err := db.Gorm.First(&back, id).Error; err != nil {
					t.Fatal(err)
				}
				if got := back.Value.StringFixed(4); got != c.want {
					t.Errorf("%s read into the model as %s, want %s", c.in, got, c.want)
				}
			}
		}
		if db.Dialect == store.SQLite {
			var notText int64
			db.Gorm.Raw("SELECT COUNT(*) FROM product_prices WHERE typeof(value) <> 'text' OR typeof(quantity) <> 'text'").Scan(&notText)
			if notText != 0 {
				t.Errorf("%d prices hold decimals that are not text", notText)
			}
		}
		// a nullable decimal column
		half := decimal.RequireFromString("0.5")
		ops := []store.AsyncOperation{{EntityType: "accounts", OwnerID: 1, OrganizationID: 1, Progress: &half},
			{EntityType: "accounts", OwnerID: 1, OrganizationID: 1}}
		if err := db.Gorm.Create(&ops).Error; err != nil {
			t.Fatal(err)
		}
		if got := rawValue(t, db, "async_operations", "progress", ops[0].ID); got == nil || *got != "0.5000" {
			t.Errorf("progress 0.5 stored as %v", got)
		}
		if got := rawValue(t, db, "async_operations", "progress", ops[1].ID); got != nil {
			t.Errorf("no progress stored as %q", *got)
		}
	})
}

// comparableDecimals are the values of TestDecimalComparisons: both signs, every magnitude a
// column holds, neighbours one last place apart.
var comparableDecimals = []string{
	"0", "0.0001", "-0.0001", "0.001", "0.5", "-0.5", "1", "9.5", "-9.5", "10", "-10", "10.5",
	"123456789012345.1233", "123456789012345.1234", "-123456789012345.1233", "-123456789012345.1234",
	"999999999999999.9999", "-999999999999999.9999", "100000000000000",
}

func TestDecimalComparisons(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *store.DB) {
		product := newProduct(t, db, "P-1")
		for i, v := range comparableDecimals {
			if err := insertPrice(db, product, "USD", db.DecimalValue(v), db.DecimalValue(fmt.Sprint(i+1))); err != nil {
				t.Fatal(err)
			}
		}
		key := db.DecimalKey("value")
		values := func(where string, args ...any) []string {
			t.Helper()
			var out []string
			q := "SELECT value FROM product_prices"
			if where != "" {
				q += " WHERE " + where
			}
			if err := db.Gorm.Raw(q+" ORDER BY "+key, args...).Scan(&out).Error; err != nil {
				t.Fatal(err)
			}
			return out
		}
		// what the comparison of each stored value with probe gives, in numeric order
		want := func(probe string, keep func(cmp int) bool) []string {
			p := decimal.RequireFromString(probe)
			var out []decimal.Decimal
			for _, v := range comparableDecimals {
				if d := decimal.RequireFromString(v); keep(d.Cmp(p)) {
					out = append(out, d)
				}
			}
			slices.SortFunc(out, decimal.Decimal.Cmp)
			s := make([]string, len(out))
			for i, d := range out {
				s[i] = d.StringFixed(4)
			}
			return s
		}

		if got, all := values(""), want("0", func(int) bool { return true }); !slices.Equal(got, all) {
			t.Errorf("sorted:\n got %v\nwant %v", got, all)
		}
		var desc []string
		db.Gorm.Raw("SELECT value FROM product_prices ORDER BY " + key + " DESC").Scan(&desc)
		all := want("0", func(int) bool { return true })
		slices.Reverse(all)
		if !slices.Equal(desc, all) {
			t.Errorf("sorted descending: %v", desc)
		}
		ops := map[string]func(int) bool{
			"=": func(c int) bool { return c == 0 }, "<>": func(c int) bool { return c != 0 },
			"<": func(c int) bool { return c < 0 }, "<=": func(c int) bool { return c <= 0 },
			">": func(c int) bool { return c > 0 }, ">=": func(c int) bool { return c >= 0 },
		}
		probes := append(slices.Clone(comparableDecimals), "123456789012345.12335", "123456789012345.1", "0.00005",
			"-0.00005", "1.0", "-10.0000", "0012.5", "1000000000000000", "-1000000000000000", "0.00000000001")
		for _, probe := range probes {
			for op, keep := range ops {
				if got, w := values(key+" "+op+" ?", db.DecimalArg(probe)), want(probe, keep); !slices.Equal(got, w) {
					t.Errorf("value %s %s:\n got %v\nwant %v", op, probe, got, w)
				}
			}
		}
		// equality tells numbers one last place apart
		if got := values(key+" = ?", db.DecimalArg("123456789012345.1234")); !slices.Equal(got, []string{"123456789012345.1234"}) {
			t.Errorf("= …1234 found %v", got)
		}
		// lists and ranges
		if got := values(key+" IN ?", []any{db.DecimalArg("9.5"), db.DecimalArg("10.00"), db.DecimalArg("11")}); !slices.Equal(got, []string{"9.5000", "10.0000"}) {
			t.Errorf("IN (9.5, 10.00, 11) found %v", got)
		}
		if got := values(key+" >= ? AND "+key+" <= ?", db.DecimalArg("-10"), db.DecimalArg("0.0001")); !slices.Equal(got,
			[]string{"-10.0000", "-9.5000", "-0.5000", "-0.0001", "0.0000", "0.0001"}) {
			t.Errorf("-10..0.0001 found %v", got)
		}
		// a key compares with a key: the constant 1
		if got := values(db.DecimalKey("quantity") + " = " + db.DecimalKey("1")); !slices.Equal(got, []string{"0.0000"}) {
			t.Errorf("quantity = 1 found %v", got)
		}
	})
}

func TestDecimalQuantityIsUnique(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *store.DB) {
		product := newProduct(t, db, "P-1")
		// the text as written, not the canonical form: the database itself must see 1 = 1.0000
		if err := insertPrice(db, product, "USD", "5", "1"); err != nil {
			t.Fatal(err)
		}
		for _, q := range []any{"1.0000", "1.0", "01", int64(1)} {
			if err := insertPrice(db, product, "USD", "6", q); !errors.Is(err, gorm.ErrDuplicatedKey) {
				t.Errorf("quantity %v next to 1: %v, want ErrDuplicatedKey", q, err)
			}
		}
		dup := store.ProductPrice{Value: decimal.NewFromInt(6), Quantity: decimal.RequireFromString("1.00"), ProductID: product, CurrencyID: "USD", OrganizationID: 1}
		if err := db.Gorm.Create(&dup).Error; !errors.Is(err, gorm.ErrDuplicatedKey) {
			t.Errorf("model with quantity 1.00 next to 1: %v, want ErrDuplicatedKey", err)
		}
		// other quantities, currencies and products are other prices
		for _, p := range []struct {
			product  int64
			currency string
			quantity string
		}{{product, "USD", "1.0001"}, {product, "USD", "0.9999"}, {product, "EUR", "1"}, {newProduct(t, db, "P-2"), "USD", "1.0"}} {
			if err := insertPrice(db, p.product, p.currency, "7", p.quantity); err != nil {
				t.Errorf("%+v: %v", p, err)
			}
		}
	})
}

// TestMigrateUpgradesDecimals upgrades a database of the previous schema version in place: the
// prices and operations stored before keep their rows, ids, and values (in the canonical text
// on SQLite, whose old NUMERIC columns held REALs), and the schema ends up as a new database's.
func TestMigrateUpgradesDecimals(t *testing.T) {
	t.Parallel()
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db := storetest.OpenEmpty(t, b)
			if err := store.MigrateTo(ctx, db, 2); err != nil {
				t.Fatal(err)
			}
			product := newProduct(t, db, "OLD-1")
			// as the previous version wrote them: the client's text, which SQLite's NUMERIC
			// affinity turned into REAL or INTEGER
			old := []struct{ value, quantity, wantValue, wantQuantity string }{
				{"12.5", "1", "12.5000", "1.0000"},
				{"7", "10", "7.0000", "10.0000"},
				{"0.0001", "0.5", "0.0001", "0.5000"},
				{"123456789012345.1234", "2.0", "123456789012345.1234", "2.0000"},
			}
			if db.Dialect == store.SQLite {
				old[3].wantValue = "123456789012345.1200" // what the REAL kept
			}
			for _, o := range old {
				if err := insertPrice(db, product, "USD", o.value, o.quantity); err != nil {
					t.Fatal(err)
				}
			}
			// a deleted price: its id must not come back
			if err := insertPrice(db, product, "EUR", "1", "1"); err != nil {
				t.Fatal(err)
			}
			if err := db.Gorm.Exec("DELETE FROM product_prices WHERE currency_id = 'EUR'").Error; err != nil {
				t.Fatal(err)
			}
			now := db.TimeValue(time.Now())
			if err := db.Gorm.Exec(`INSERT INTO async_operations (status, progress, entity_type, owner_id, organization_id, created_at, updated_at)
				VALUES ('running', '0.25', 'accounts', 1, 1, ?, ?), ('new', NULL, 'contacts', 1, 1, ?, ?)`, now, now, now, now).Error; err != nil {
				t.Fatal(err)
			}
			if db.Dialect == store.SQLite {
				var kinds []string
				db.Gorm.Raw("SELECT typeof(value) FROM product_prices ORDER BY id").Scan(&kinds)
				if !slices.Equal(kinds, []string{"real", "integer", "real", "real"}) {
					t.Fatalf("the previous schema stored %v", kinds)
				}
			}

			if err := store.Migrate(ctx, db); err != nil {
				t.Fatal(err)
			}
			var version int64
			db.Gorm.Raw("SELECT MAX(version_id) FROM goose_db_version").Scan(&version)
			if version != store.LatestVersion() {
				t.Errorf("schema version %d after the upgrade", version)
			}
			var rows []struct {
				ID, ProductID, OrganizationID int64
				Value, Quantity, CurrencyID   string
				CreatedAt                     store.Time
			}
			if err := db.Gorm.Raw(`SELECT id, CAST(value AS TEXT) AS value, CAST(quantity AS TEXT) AS quantity, product_id, currency_id,
				organization_id, created_at FROM product_prices ORDER BY id`).Scan(&rows).Error; err != nil {
				t.Fatal(err)
			}
			if len(rows) != len(old) {
				t.Fatalf("%d prices after the upgrade, want %d", len(rows), len(old))
			}
			for i, r := range rows {
				o := old[i]
				if r.ID != int64(i+1) || r.Value != o.wantValue || r.Quantity != o.wantQuantity || r.ProductID != product ||
					r.CurrencyID != "USD" || r.OrganizationID != 1 || time.Since(r.CreatedAt.Time).Abs() > time.Hour {
					t.Errorf("price %d after the upgrade: %+v, want value %s quantity %s", i+1, r, o.wantValue, o.wantQuantity)
				}
			}
			if db.Dialect == store.SQLite {
				var notText int64
				db.Gorm.Raw("SELECT COUNT(*) FROM product_prices WHERE typeof(value) <> 'text' OR typeof(quantity) <> 'text'").Scan(&notText)
				if notText != 0 {
					t.Errorf("%d upgraded prices hold decimals that are not text", notText)
				}
			}
			if got := rawValue(t, db, "async_operations", "progress", 1); got == nil || *got != "0.2500" {
				t.Errorf("progress after the upgrade: %v", got)
			}
			if got := rawValue(t, db, "async_operations", "progress", 2); got != nil {
				t.Errorf("no progress became %q", *got)
			}

			// ids go on after the deleted one; the uniqueness holds for the rows copied
			if err := insertPrice(db, product, "EUR", db.DecimalValue("3"), db.DecimalValue("1")); err != nil {
				t.Fatal(err)
			}
			var last int64
			db.Gorm.Raw("SELECT MAX(id) FROM product_prices").Scan(&last)
			if last != int64(len(old)+2) {
				t.Errorf("new price id %d, want %d (ids are never reused)", last, len(old)+2)
			}
			if err := insertPrice(db, product, "USD", "1", "1.0"); !errors.Is(err, gorm.ErrDuplicatedKey) {
				t.Errorf("quantity 1.0 next to an upgraded 1: %v, want ErrDuplicatedKey", err)
			}
			op := store.AsyncOperation{EntityType: "accounts", OwnerID: 1, OrganizationID: 1}
			if err := db.Gorm.Create(&op).Error; err != nil || op.ID != 3 {
				t.Errorf("new async operation %d, %v", op.ID, err)
			}

			fresh := storetest.Open(t, b)
			if got, want := schemaOf(t, db), schemaOf(t, fresh); !slices.Equal(got, want) {
				t.Errorf("upgraded schema differs from a new database's:\n got %v\nwant %v", got, want)
			}
			if db.Dialect == store.SQLite {
				var problems int64
				db.Gorm.Raw("SELECT COUNT(*) FROM pragma_foreign_key_check()").Scan(&problems)
				var integrity string
				db.Gorm.Raw("PRAGMA integrity_check").Scan(&integrity)
				if problems != 0 || integrity != "ok" {
					t.Errorf("after the upgrade: foreign key problems %v, integrity %q", problems, integrity)
				}
			}
		})
	}
}

// schemaOf describes the tables, columns and indexes of db, comparable between databases.
func schemaOf(t *testing.T, db *store.DB) []string {
	t.Helper()
	q := `SELECT type || ' ' || name || ': ' || COALESCE(sql, '') FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name`
	if db.Dialect == store.Postgres {
		q = `SELECT table_name || '.' || column_name || ' ' || data_type || COALESCE('(' || numeric_precision || ',' || numeric_scale || ')', '') ||
			' ' || is_nullable || ' ' || COALESCE(column_default, '') FROM information_schema.columns WHERE table_schema = current_schema()
			UNION ALL SELECT indexname || ': ' || replace(indexdef, current_schema() || '.', '') FROM pg_indexes WHERE schemaname = current_schema()
			ORDER BY 1`
	}
	var out []string
	if err := db.Gorm.Raw(q).Scan(&out).Error; err != nil {
		t.Fatal(err)
	}
	if len(out) == 0 {
		t.Fatal("no schema found")
	}
	return out
}
