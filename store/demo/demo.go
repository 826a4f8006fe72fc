// Package demo loads the demo data set: business units, users, accounts, contacts, calls and
// products with prices, in the default organization, for trying the API and for benchmarks.
//
// The data is generated in memory first (deterministically: a fixed random seed and a fixed
// reference time, so every load of the same scale is identical), with references between rows
// held as indexes; the rows are then inserted table by table in batches, in one transaction,
// resolving the indexes to the ids the database assigned.
package demo

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
	"unicode"

	"github.com/shopspring/decimal"
	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"

	"webapi/store"
)

// Password is the password of every demo user (their usernames are "first.last").
const Password = "demo1234"

// Counts per unit of scale: Seed with scale n inserts n times as many rows.
const (
	BusinessUnitsPerScale = 3
	UsersPerScale         = 20
	AccountsPerScale      = 200
	ContactsPerScale      = 500
	CallsPerScale         = 1000
	ProductsPerScale      = 50
)

// ReferenceTime is the demo data's "now": every generated time lies before it. Fixed rather
// than the clock so that two loads are identical.
var ReferenceTime = time.Date(2025, time.January, 1, 9, 0, 0, 0, time.UTC)

// ErrNotEmpty is returned by Seed when the database already holds accounts.
var ErrNotEmpty = errors.New("demo: the database already has accounts; load the demo data into an empty database")

// batchSize rows per INSERT: about 10,000 bind parameters for the widest table (contacts),
// under SQLite's limit of 32,766.
const batchSize = 400

// organizationID is the default organization every demo row belongs to (a fixed row).
const organizationID = 1

// Role ids of the fixed rows.
const (
	roleUser    = 2
	roleManager = 3
)

// Seed loads the demo data set at the given scale (≥ 1) into db, which must be migrated and
// hold no accounts yet. progress, when not nil, is called after every batch with the rows
// inserted so far and the total.
//
// Every demo user has the password Password. The communication fields of accounts and contacts
// are computed from the calls by RecomputeCommunication at the end.
func Seed(ctx context.Context, db *store.DB, scale int, progress func(done, total int)) error {
	if scale < 1 {
		return fmt.Errorf("demo: scale must be at least 1, not %d", scale)
	}
	if progress == nil {
		progress = func(int, int) {}
	}
	// One hash for all users: bcrypt is deliberately slow, and a thousand hashes (scale 50)
	// would take a minute.
	hash, err := bcrypt.GenerateFromPassword([]byte(Password), bcrypt.DefaultCost)
	if err != nil {
		return err
	}
	p := generate(scale, string(hash))
	err = db.Gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&store.Account{}).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return ErrNotEmpty
		}
		if err := p.insert(tx, db.Dialect, progress); err != nil {
			return err
		}
		// the rows went in around the write pipeline: the search index is to be built
		return tx.Exec("UPDATE search_state SET reindex = 1 WHERE id = 1").Error
	})
	if err == nil && db.Dialect == store.Postgres {
		// Statistics for the bulk-loaded tables now rather than whenever autovacuum gets to
		// them: without them PostgreSQL plans a filtered page as a scan and sort of the whole
		// table (ten times slower at scale 50), so the first minutes of a demo, and benchmarks,
		// would measure the planner's guesses.
		err = analyze(ctx, db)
	}
	return err
}

// analyze updates the PostgreSQL statistics of the tables of the current schema (only those: a
// bare ANALYZE would visit every schema of the database).
func analyze(ctx context.Context, db *store.DB) error {
	var tables []string
	if err := db.Gorm.WithContext(ctx).Raw("SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename").Scan(&tables).Error; err != nil {
		return err
	}
	if len(tables) == 0 {
		return nil
	}
	return db.Gorm.WithContext(ctx).Exec("ANALYZE " + strings.Join(tables, ", ")).Error
}

// The plan: generated rows with references as indexes into the other slices (-1: none, or for
// a unit's parent, the fixed unit "Main").
type (
	unitRow struct {
		m      store.BusinessUnit
		parent int
	}
	userRow struct {
		m     store.User
		owner int // unit
		roles []int64
		units []int
	}
	contactRow struct {
		m     store.Contact
		owner int // user
	}
	accountRow struct {
		m        store.Account
		owner    int   // user
		contacts []int // the first is the default contact
	}
	callRow struct {
		m                     store.Call
		owner, contact, accnt int
	}
	productRow struct {
		m      store.Product
		owner  int // unit
		prices []store.ProductPrice
	}
	plan struct {
		units    []unitRow
		users    []userRow
		contacts []contactRow
		accounts []accountRow
		calls    []callRow
		products []productRow
	}
)

// generator carries the random source and the sets that keep names unique.
type generator struct {
	r         *rand.Rand
	usernames map[string]bool
	companies map[string]bool
}

func generate(scale int, passwordHash string) *plan {
	g := &generator{
		r:         rand.New(rand.NewPCG(0x5eed, 0xc0ffee)),
		usernames: map[string]bool{"admin": true},
		companies: map[string]bool{},
	}
	p := &plan{}
	for k := range scale {
		g.group(p, k, passwordHash)
	}
	return p
}

// group generates one unit of scale: a regional business unit with a sales and a support unit
// under it, and the users, accounts, contacts, calls and products of that region.
func (g *generator) group(p *plan, k int, passwordHash string) {
	r := g.r
	region := businessRegions[k%len(businessRegions)]
	if k >= len(businessRegions) {
		region = fmt.Sprintf("%s %d", region, k/len(businessRegions)+1)
	}
	u0 := len(p.units)
	for i, name := range []string{region, region + " Sales", region + " Support"} {
		parent := -1
		if i > 0 {
			parent = u0
		}
		created := g.timeBetween(ReferenceTime.AddDate(-4, 0, 0), ReferenceTime.AddDate(-3, 0, 0))
		p.units = append(p.units, unitRow{parent: parent, m: store.BusinessUnit{
			Name:           name,
			Phone:          ptr(g.phone()),
			Email:          ptr(strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@example.com"),
			OrganizationID: organizationID,
			Timestamps:     stamps(created, created),
		}})
	}

	// Users: one manager of the region, the others sales (two thirds) or support people.
	us0 := len(p.users)
	for i := range UsersPerScale {
		_, first, last := g.person()
		owner, roles, units := u0+1, []int64{roleUser}, []int{u0 + 1}
		title := pick(r, userTitles)
		switch {
		case i == 0:
			owner, roles, units = u0, []int64{roleManager}, []int{u0, u0 + 1, u0 + 2}
			title = "Regional Manager"
		case i%3 == 0:
			owner, units = u0+2, []int{u0 + 2}
		}
		username := g.username(first, last)
		created := g.timeBetween(ReferenceTime.AddDate(-3, 0, 0), ReferenceTime.AddDate(0, -2, 0))
		m := store.User{
			Username:       username,
			Email:          username + "@example.com",
			FirstName:      ptr(first),
			LastName:       ptr(last),
			Title:          ptr(title),
			Enabled:        true,
			Password:       ptr(passwordHash),
			LoginCount:     int64(r.IntN(300)),
			OrganizationID: organizationID,
			Timestamps:     stamps(created, created),
		}
		if r.IntN(2) == 0 {
			m.Birthday = ptr(store.NewDate(g.timeBetween(time.Date(1965, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2000, 12, 31, 0, 0, 0, 0, time.UTC))))
		}
		if m.LoginCount > 0 {
			m.LastLogin = ptr(store.NewTime(g.timeBetween(ReferenceTime.AddDate(0, 0, -30), ReferenceTime)))
		}
		p.users = append(p.users, userRow{m: m, owner: owner, roles: roles, units: units})
	}
	groupUser := func() int { return us0 + 1 + r.IntN(UsersPerScale-1) } // not the manager

	// Accounts, and which of the region's contacts belong to each (1–3, in order; contacts
	// left over have no account).
	a0, c0 := len(p.accounts), len(p.contacts)
	contactAccount := make([]int, ContactsPerScale)
	for i := range contactAccount {
		contactAccount[i] = -1
	}
	next := 0
	for i := range AccountsPerScale {
		n := 1 + r.IntN(3)
		n = min(n, ContactsPerScale-next-(AccountsPerScale-i-1)) // leave one for each later account
		created := g.timeBetween(ReferenceTime.AddDate(-3, 0, 0), ReferenceTime.AddDate(0, -1, 0))
		row := accountRow{owner: groupUser(), m: store.Account{
			Name:           g.company(),
			OrganizationID: organizationID,
			Timestamps:     stamps(created, g.timeBetween(created, ReferenceTime)),
		}}
		if r.IntN(3) == 0 {
			row.m.Description = ptr(pick(r, accountDescriptions))
		}
		for range n {
			row.contacts = append(row.contacts, c0+next)
			contactAccount[next] = a0 + i
			next++
		}
		p.accounts = append(p.accounts, row)
	}

	// Contacts: the employees of the accounts (sharing their email domain and owner), then
	// individuals without an account.
	for i := range ContactsPerScale {
		gender, first, last := g.person()
		owner, domain := groupUser(), "mail.example"
		if a := contactAccount[i]; a >= 0 {
			owner, domain = p.accounts[a].owner, domainOf(p.accounts[a].m.Name)
		}
		// A contact appears no earlier than its account, and is called only once it exists.
		from := ReferenceTime.AddDate(-3, 0, 0)
		if a := contactAccount[i]; a >= 0 {
			from = p.accounts[a].m.CreatedAt.Time
		}
		created := g.timeBetween(from, ReferenceTime.AddDate(0, -1, 0))
		m := store.Contact{
			FirstName:      ptr(first),
			LastName:       ptr(last),
			OrganizationID: organizationID,
			Timestamps:     stamps(created, g.timeBetween(created, ReferenceTime)),
		}
		if r.IntN(10) > 0 {
			m.Gender = ptr(gender)
		}
		if r.IntN(3) == 0 {
			m.NamePrefix = ptr(pick(r, namePrefixes[gender]))
		}
		if r.IntN(10) == 0 {
			m.MiddleName = ptr(string(pick(r, maleFirstNames)[0]) + ".")
		}
		if r.IntN(30) == 0 {
			m.NameSuffix = ptr(pick(r, nameSuffixes))
		}
		if r.IntN(5) < 3 {
			m.Birthday = ptr(store.NewDate(g.timeBetween(time.Date(1955, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2002, 12, 31, 0, 0, 0, 0, time.UTC))))
		}
		if r.IntN(5) < 4 {
			m.JobTitle = ptr(pick(r, jobTitles))
		}
		if r.IntN(10) < 9 {
			m.PrimaryEmail = ptr(fmt.Sprintf("%s.%s%s@%s", slug(first), slug(last), g.digits(), domain))
		}
		if r.IntN(20) < 17 {
			m.PrimaryPhone = ptr(g.phone())
		}
		if r.IntN(5) > 0 {
			m.SourceID = ptr(pick(r, []string{"tv", "call", "website", "other"}))
		}
		p.contacts = append(p.contacts, contactRow{m: m, owner: owner})
	}

	// Calls with random contacts of the region and, when the contact has one, its account.
	for range CallsPerScale {
		ci := r.IntN(ContactsPerScale)
		contact := &p.contacts[c0+ci]
		at := g.timeBetween(later(contact.m.CreatedAt.Time, ReferenceTime.AddDate(-2, 0, 0)), ReferenceTime.Add(-time.Hour))
		direction := store.DirectionOutgoing
		if r.IntN(20) < 9 {
			direction = store.DirectionIncoming
		}
		done := at.Add(time.Duration(1+r.IntN(60)) * time.Minute)
		m := store.Call{
			Subject:        pick(r, callSubjects),
			PhoneNumber:    contact.m.PrimaryPhone,
			CallDateTime:   store.NewTime(at),
			Direction:      direction,
			OrganizationID: organizationID,
			Timestamps:     stamps(done, done),
		}
		if r.IntN(10) > 0 {
			m.Duration = ptr(int64(20 + r.IntN(40)*r.IntN(60)))
		}
		if r.IntN(10) < 3 {
			m.Notes = ptr(pick(r, callNotes))
		}
		accnt := -1
		if a := contactAccount[ci]; a >= 0 {
			accnt = a
		}
		p.calls = append(p.calls, callRow{m: m, owner: contact.owner, contact: c0 + ci, accnt: accnt})
	}

	// Products with names in one to three localizations and prices in two to four currencies.
	for range ProductsPerScale {
		line, kind := pick(r, productLines), productKinds[r.IntN(len(productKinds))]
		names := []store.LocalizedValue{{Value: line + " " + kind[0]}}
		if n := r.IntN(3); n >= 1 {
			names = append(names, store.LocalizedValue{Localization: ptr("2"), Value: line + " " + kind[1]})
			if n == 2 {
				names = append(names, store.LocalizedValue{Localization: ptr("3"), Value: kind[2] + " " + line})
			}
		}
		created := g.timeBetween(ReferenceTime.AddDate(-2, 0, 0), ReferenceTime.AddDate(0, -1, 0))
		status := store.ProductEnabled
		if r.IntN(10) == 0 {
			status = store.ProductDisabled
		}
		row := productRow{owner: u0 + r.IntN(BusinessUnitsPerScale), m: store.Product{
			SKU:            fmt.Sprintf("%s-%05d", strings.ToUpper(line[:3]), len(p.products)+1),
			Names:          store.MustJSON(names),
			Status:         status,
			OrganizationID: organizationID,
			Timestamps:     stamps(created, created),
		}}
		row.prices = g.prices(created)
		p.products = append(p.products, row)
	}
}

// exchangeRates convert the USD list price into the other fixed currencies.
var exchangeRates = []struct {
	currency string
	rate     decimal.Decimal
	places   int32
}{
	{"EUR", decimal.RequireFromString("0.92"), 2},
	{"GBP", decimal.RequireFromString("0.79"), 2},
	{"JPY", decimal.RequireFromString("150"), 0},
}

// prices returns a USD price, one to three other currencies, and sometimes a volume price.
func (g *generator) prices(created time.Time) []store.ProductPrice {
	r := g.r
	usd := decimal.NewFromInt(int64(4 + r.IntN(1500))).Add(decimal.RequireFromString("0.99"))
	one := decimal.NewFromInt(1)
	price := func(currency string, value, quantity decimal.Decimal) store.ProductPrice {
		return store.ProductPrice{
			Value: value, Quantity: quantity, CurrencyID: currency,
			OrganizationID: organizationID, Timestamps: stamps(created, created),
		}
	}
	prices := []store.ProductPrice{price("USD", usd, one)}
	others := 1 + r.IntN(len(exchangeRates))
	for _, i := range r.Perm(len(exchangeRates))[:others] {
		x := exchangeRates[i]
		prices = append(prices, price(x.currency, usd.Mul(x.rate).Round(x.places), one))
	}
	if r.IntN(10) < 3 {
		prices = append(prices, price("USD", usd.Mul(decimal.RequireFromString("0.9")).Round(2), decimal.NewFromInt(10)))
	}
	return prices
}

// person returns a gender and a matching first name, and a last name.
func (g *generator) person() (gender, first, last string) {
	if g.r.IntN(2) == 0 {
		return "male", pick(g.r, maleFirstNames), pick(g.r, lastNames)
	}
	return "female", pick(g.r, femaleFirstNames), pick(g.r, lastNames)
}

// username returns "first.last", numbered when taken.
func (g *generator) username(first, last string) string {
	base := slug(first) + "." + slug(last)
	name := base
	for n := 2; g.usernames[name]; n++ {
		name = fmt.Sprintf("%s%d", base, n)
	}
	g.usernames[name] = true
	return name
}

// company returns a company name not used before ("Acme Logistics Inc."), falling back to a
// numbered branch once the combinations run short (large scales).
func (g *generator) company() string {
	r := g.r
	for attempt := 0; ; attempt++ {
		name := pick(r, companyStems) + " " + pick(r, companyIndustries) + " " + pick(r, companySuffixes)
		if attempt >= 10 {
			name = fmt.Sprintf("%s (Branch %d)", name, len(g.companies))
		}
		if !g.companies[name] {
			g.companies[name] = true
			return name
		}
	}
}

// digits occasionally returns a number that tells apart contacts of the same name.
func (g *generator) digits() string {
	if g.r.IntN(4) == 0 {
		return fmt.Sprint(g.r.IntN(90) + 10)
	}
	return ""
}

// phone returns a number from the 555-01xx range reserved for fiction.
func (g *generator) phone() string {
	return fmt.Sprintf("+1-%03d-555-01%02d", 200+g.r.IntN(800), g.r.IntN(100))
}

// timeBetween returns a random time in [from, to), truncated to the second.
func (g *generator) timeBetween(from, to time.Time) time.Time {
	span := to.Sub(from)
	if span <= 0 {
		return from
	}
	return from.Add(time.Duration(g.r.Int64N(int64(span)))).Truncate(time.Second)
}

// domainOf makes an email domain from a company name: "Acme Logistics Inc." → acmelogistics.example.
func domainOf(company string) string {
	words := strings.Fields(company)
	if len(words) > 2 {
		words = words[:2]
	}
	return slug(strings.Join(words, "")) + ".example"
}

// slug lowercases s and keeps ASCII letters and digits (ü → u).
func slug(s string) string {
	var b strings.Builder
	for _, c := range strings.ToLower(s) {
		switch {
		case c == 'ü':
			b.WriteByte('u')
		case c < unicode.MaxASCII && (unicode.IsLetter(c) || unicode.IsDigit(c)):
			b.WriteRune(c)
		}
	}
	return b.String()
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func pick[T any](r *rand.Rand, list []T) T { return list[r.IntN(len(list))] }

func ptr[T any](v T) *T { return &v }

func stamps(created, updated time.Time) store.Timestamps {
	return store.Timestamps{CreatedAt: store.NewTime(created), UpdatedAt: store.NewTime(updated)}
}

// insert writes the plan, table by table, resolving indexes to the assigned ids.
func (p *plan) insert(tx *gorm.DB, dialect store.Dialect, progress func(done, total int)) error {
	var links, prices int
	for _, u := range p.users {
		links += len(u.roles) + len(u.units)
	}
	for _, a := range p.accounts {
		links += len(a.contacts)
	}
	for _, pr := range p.products {
		prices += len(pr.prices)
	}
	w := &writer{tx: tx, progress: progress, total: len(p.units) + len(p.users) + len(p.contacts) +
		len(p.accounts) + len(p.calls) + len(p.products) + links + prices}

	// Business units: the top level first, so that the others can point at their ids.
	const mainUnitID = 1
	var top, sub []store.BusinessUnit
	for _, u := range p.units {
		if u.parent < 0 {
			u.m.ParentBusinessUnitID = ptr(int64(mainUnitID))
			top = append(top, u.m)
		}
	}
	if err := create(w, top); err != nil {
		return err
	}
	unitIDs := make([]int64, len(p.units))
	t := 0
	for i, u := range p.units {
		if u.parent < 0 {
			unitIDs[i] = top[t].ID
			t++
		}
	}
	for _, u := range p.units {
		if u.parent >= 0 {
			u.m.ParentBusinessUnitID = ptr(unitIDs[u.parent])
			sub = append(sub, u.m)
		}
	}
	if err := create(w, sub); err != nil {
		return err
	}
	t = 0
	for i, u := range p.units {
		if u.parent >= 0 {
			unitIDs[i] = sub[t].ID
			t++
		}
	}

	users := make([]store.User, len(p.users))
	for i, u := range p.users {
		users[i] = u.m
		users[i].OwnerID = unitIDs[u.owner]
	}
	if err := create(w, users); err != nil {
		return err
	}
	var roles []store.UserUserRole
	var members []store.UserBusinessUnit
	for i, u := range p.users {
		for _, role := range u.roles {
			roles = append(roles, store.UserUserRole{UserID: users[i].ID, UserRoleID: role})
		}
		for _, unit := range u.units {
			members = append(members, store.UserBusinessUnit{UserID: users[i].ID, BusinessUnitID: unitIDs[unit]})
		}
	}
	if err := create(w, roles); err != nil {
		return err
	}
	if err := create(w, members); err != nil {
		return err
	}

	contacts := make([]store.Contact, len(p.contacts))
	for i, c := range p.contacts {
		contacts[i] = c.m
		contacts[i].OwnerID = users[c.owner].ID
	}
	if err := create(w, contacts); err != nil {
		return err
	}

	accounts := make([]store.Account, len(p.accounts))
	var accountContacts []store.AccountContact
	for i, a := range p.accounts {
		accounts[i] = a.m
		accounts[i].OwnerID = users[a.owner].ID
		accounts[i].DefaultContactID = ptr(contacts[a.contacts[0]].ID)
	}
	if err := create(w, accounts); err != nil {
		return err
	}
	for i, a := range p.accounts {
		for _, c := range a.contacts {
			accountContacts = append(accountContacts, store.AccountContact{AccountID: accounts[i].ID, ContactID: contacts[c].ID})
		}
	}
	if err := create(w, accountContacts); err != nil {
		return err
	}

	calls := make([]store.Call, len(p.calls))
	for i, c := range p.calls {
		calls[i] = c.m
		calls[i].OwnerID = users[c.owner].ID
		calls[i].ContactID = ptr(contacts[c.contact].ID)
		if c.accnt >= 0 {
			calls[i].AccountID = ptr(accounts[c.accnt].ID)
		}
	}
	if err := create(w, calls); err != nil {
		return err
	}
	for _, table := range []string{"accounts", "contacts"} {
		if err := store.RecomputeCommunication(tx, dialect, table, nil); err != nil {
			return fmt.Errorf("demo: communication fields of %s: %w", table, err)
		}
	}

	products := make([]store.Product, len(p.products))
	for i, pr := range p.products {
		products[i] = pr.m
		products[i].OwnerID = unitIDs[pr.owner]
	}
	if err := create(w, products); err != nil {
		return err
	}
	var productPrices []store.ProductPrice
	for i, pr := range p.products {
		for _, price := range pr.prices {
			price.ProductID = products[i].ID
			productPrices = append(productPrices, price)
		}
	}
	return create(w, productPrices)
}

// writer counts inserted rows for the progress callback.
type writer struct {
	tx          *gorm.DB
	progress    func(done, total int)
	done, total int
}

// create inserts rows in batches; GORM writes the assigned ids back into rows.
func create[T any](w *writer, rows []T) error {
	for start := 0; start < len(rows); start += batchSize {
		batch := rows[start:min(start+batchSize, len(rows))]
		if err := w.tx.Create(&batch).Error; err != nil {
			var zero T
			return fmt.Errorf("demo: insert %T: %w", zero, err)
		}
		w.done += len(batch)
		w.progress(w.done, w.total)
	}
	return nil
}
