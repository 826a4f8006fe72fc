package resources

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/crypto/bcrypt"

	"webapi/server/jsonapi"
	"webapi/store"
	"webapi/store/query"
)

// The behaviours particular to one type (domain.md), as hooks of the generic store.

// titleOf joins the non-blank values of the named string attributes with single spaces.
func titleOf(names ...string) func(r *jsonapi.Resource, rec *jsonapi.Record) string {
	return func(r *jsonapi.Resource, rec *jsonapi.Record) string {
		parts := make([]string, 0, len(names))
		for _, n := range names {
			if s, ok := rec.Values[r.AttrIndex(n)].(string); ok {
				if s = strings.Join(strings.Fields(s), " "); s != "" {
					parts = append(parts, s)
				}
			}
		}
		return strings.Join(parts, " ")
	}
}

var (
	userName    = titleOf("firstName", "lastName")
	contactName = titleOf("namePrefix", "firstName", "middleName", "lastName", "nameSuffix")
)

// userTitle is "firstName lastName", or the username when both are blank.
func userTitle(r *jsonapi.Resource, rec *jsonapi.Record) string {
	if t := userName(r, rec); t != "" {
		return t
	}
	return titleOf("username")(r, rec)
}

// contactTitle is the name parts, else the primary email, else the primary phone.
func contactTitle(r *jsonapi.Resource, rec *jsonapi.Record) string {
	for _, f := range []func(*jsonapi.Resource, *jsonapi.Record) string{contactName, titleOf("primaryEmail"), titleOf("primaryPhone")} {
		if t := f(r, rec); t != "" {
			return t
		}
	}
	return ""
}

// productTitle is the default name (the entry of names without a localization).
func productTitle(r *jsonapi.Resource, rec *jsonapi.Record) string {
	name, _ := localizedName(rec.Values[r.AttrIndex("names")], nil)
	return name
}

// current reads columns of the record a hook writes (update) from the database.
func (h *Hook) current(ctx context.Context, cols ...string) ([]any, error) {
	out := make([]any, len(cols))
	dest := make([]any, len(cols))
	for i := range out {
		dest[i] = &out[i]
	}
	err := h.DB.Conn(ctx).Raw("SELECT "+strings.Join(cols, ", ")+" FROM "+h.Decl.Table+" WHERE id = ?", h.IDs[0]).Row().Scan(dest...)
	return out, err
}

// final is the value a column has after the write: the written one, else the current one.
func (h *Hook) final(ctx context.Context, col string) (any, error) {
	if v, ok := h.Cols[col]; ok {
		return v, nil
	}
	if h.Op != Update {
		return nil, nil
	}
	v, err := h.current(ctx, col)
	if err != nil {
		return nil, err
	}
	return v[0], nil
}

func blank(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return strings.TrimSpace(x) == ""
	case []byte:
		return strings.TrimSpace(string(x)) == ""
	}
	return false
}

// contactNameRule: at least one of firstName, lastName, primaryEmail, primaryPhone is not blank.
func contactNameRule(ctx context.Context, h *Hook) error {
	if h.Op == Delete {
		return nil
	}
	for _, col := range []string{"first_name", "last_name", "primary_email", "primary_phone"} {
		v, err := h.final(ctx, col)
		if err != nil {
			return err
		}
		if !blank(v) {
			return nil
		}
	}
	return jsonapi.Invalid(jsonapi.AttrPointer("firstName"), jsonapi.TitleNotBlank,
		"At least one of the fields First name, Last name, Primary email or Primary phone must be defined.")
}

// hashPassword stores a slow salted hash (bcrypt) instead of the password.
func hashPassword(_ context.Context, h *Hook) error {
	pw, ok := h.Cols["password"].(string)
	if !ok {
		return nil
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.DefaultCost)
	if err != nil {
		if errors.Is(err, bcrypt.ErrPasswordTooLong) {
			return jsonapi.Invalid(jsonapi.AttrPointer("password"), jsonapi.TitleLength, "This value is too long. It should have 72 bytes or less.")
		}
		return err
	}
	h.Cols["password"] = string(hash)
	return nil
}

// defaultContactJoins adds an account's default contact to its contacts when it is not there.
func defaultContactJoins(ctx context.Context, h *Hook) error {
	if h.Op == Delete {
		return nil
	}
	if h.Op == Update {
		_, setsDefault := h.Cols["default_contact_id"]
		if _, setsContacts := h.Link("contacts"); !setsDefault && !setsContacts {
			return nil // the contacts hold the default contact already, as the last write left them
		}
	}
	// what the write set, or on an update the current value (the write may have replaced the
	// contacts); a new account without one needs no statement
	v, err := h.final(ctx, "default_contact_id")
	if err != nil || v == nil {
		return err
	}
	return query.AddLinks(ctx, h.DB, query.Link{Table: "account_contacts", Own: "account_id", Other: "contact_id"}, h.IDs[0], []any{v})
}

// callLinks are the accounts and contacts whose communication fields a call write affects.
type callLinks struct{ accounts, contacts map[int64]bool }

func (cl *callLinks) read(ctx context.Context, db *store.DB, ids []any) error {
	rows, err := db.Conn(ctx).Raw("SELECT account_id, contact_id FROM calls WHERE id IN ?", ids).Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var a, c *int64
		if err := rows.Scan(&a, &c); err != nil {
			return err
		}
		if a != nil {
			cl.accounts[*a] = true
		}
		if c != nil {
			cl.contacts[*c] = true
		}
	}
	return rows.Err()
}

// rememberCallLinks notes what a call pointed at before it changes or goes.
func rememberCallLinks(ctx context.Context, h *Hook) error {
	cl := &callLinks{accounts: map[int64]bool{}, contacts: map[int64]bool{}}
	h.State = cl
	if h.Op == Create {
		return nil
	}
	return cl.read(ctx, h.DB, h.IDs)
}

// recomputeCommunication keeps the communication fields of the accounts and contacts a call
// was and is linked to current, in the same transaction.
func recomputeCommunication(ctx context.Context, h *Hook) error {
	cl := h.State.(*callLinks)
	if h.Op != Delete {
		if err := cl.read(ctx, h.DB, h.IDs); err != nil {
			return err
		}
	}
	// accounts before contacts, each in id order: the fixed lock order of api.md section 20
	for _, t := range []struct {
		table string
		set   map[int64]bool
	}{{"accounts", cl.accounts}, {"contacts", cl.contacts}} {
		if len(t.set) == 0 {
			continue
		}
		ids := slices.Sorted(maps.Keys(t.set))
		// Lock the rows first: the recount that follows then starts after every concurrent
		// transaction that changed their calls has committed, and sees all of them (an UPDATE
		// alone would count from the snapshot it started with, and lose concurrent calls).
		if err := h.DB.LockRows(ctx, t.table, anys(ids)); err != nil {
			return err
		}
		if err := store.RecomputeCommunication(h.DB.Conn(ctx), h.DB.Dialect, t.table, ids); err != nil {
			return err
		}
		h.Touch(t.table, anys(ids)...) // their communication fields are searchable
	}
	return nil
}

func anys[T any](xs []T) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

// noCycle rejects a parent that is the record itself or one of its descendants.
func noCycle(rel, table, col string) func(ctx context.Context, h *Hook) error {
	return func(ctx context.Context, h *Hook) error {
		ids, ok := h.Link(rel)
		if h.Op != Update || !ok || len(ids) == 0 {
			return nil
		}
		self := fmt.Sprint(h.IDs[0])
		cur := ids[0]
		for steps := 0; cur != "" && steps < 10000; steps++ {
			if cur == self {
				return jsonapi.Invalid(jsonapi.RelPointer(rel), jsonapi.TitleForm, "The parent cannot be the record itself or one of its descendants.")
			}
			var parent *int64
			n, _ := strconv.ParseInt(cur, 10, 64)
			if err := h.DB.Conn(ctx).Raw("SELECT "+col+" FROM "+table+" WHERE id = ?", n).Row().Scan(&parent); err != nil {
				return err
			}
			cur = ""
			if parent != nil {
				cur = strconv.FormatInt(*parent, 10)
			}
		}
		return nil
	}
}

// checkPermissions: every key of a role's permissions is a resource type. A role created
// without permissions has none: {} (permissions is an object, never null).
func checkPermissions(_ context.Context, h *Hook) error {
	raw, ok := h.Cols["permissions"].(string)
	if !ok {
		if _, given := h.Cols["permissions"]; h.Op == Create && !given {
			h.Cols["permissions"] = "{}"
		}
		return nil
	}
	var perms map[string]any
	if err := json.Unmarshal([]byte(raw), &perms); err != nil {
		return err
	}
	var errs jsonapi.Errors
	for typ := range perms {
		if h.Schema.Resource(typ) == nil {
			errs = append(errs, jsonapi.Invalid(jsonapi.AttrPointer("permissions")+"/"+typ, jsonapi.TitleChoice,
				fmt.Sprintf("%q is not a resource type.", typ)))
		}
	}
	if errs != nil {
		return errs
	}
	return nil
}

// taxJurisdictionRules: zip codes are a list whose ranges all have a "to" (null for a single
// code), and the region belongs to the country.
func taxJurisdictionRules(ctx context.Context, h *Hook) error {
	if h.Op == Delete {
		return nil
	}
	if err := normalizeZipCodes(h); err != nil {
		return err
	}
	return regionInCountry(ctx, h)
}

// normalizeZipCodes stores zipCodes as a list (never null: domain.md) whose entries always have
// "to", so that documents show blank values as null (api.md section 1).
func normalizeZipCodes(h *Hook) error {
	raw, given := h.Cols["zip_codes"]
	if !given {
		if h.Op == Create {
			h.Cols["zip_codes"] = "[]"
		}
		return nil
	}
	s, ok := raw.(string)
	if !ok {
		return nil
	}
	var ranges []map[string]any
	if err := json.Unmarshal([]byte(s), &ranges); err != nil {
		return nil // the schema check of the attribute reports it
	}
	for _, r := range ranges {
		if _, ok := r["to"]; !ok {
			r["to"] = nil
		}
	}
	b, err := json.Marshal(ranges)
	if err != nil {
		return err
	}
	h.Cols["zip_codes"] = string(b)
	return nil
}

// regionInCountry: a tax jurisdiction's region belongs to its country.
func regionInCountry(ctx context.Context, h *Hook) error {
	region, err := h.final(ctx, "region_id")
	if err != nil || region == nil {
		return err
	}
	country, err := h.final(ctx, "country_id")
	if err != nil {
		return err
	}
	var n int64
	if err := h.DB.Conn(ctx).Raw("SELECT COUNT(*) FROM regions WHERE id = ? AND country_id = ?", asText(region), asText(country)).Row().Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return jsonapi.Invalid(jsonapi.RelPointer("region"), jsonapi.TitleForm, "The region does not belong to the country.")
	}
	return nil
}

func asText(v any) any {
	if b, ok := v.([]byte); ok {
		return string(b)
	}
	return v
}

// productPriceRules: a price follows its product's organization, and (product, currency,
// quantity) is unique.
func productPriceRules(ctx context.Context, h *Hook) error {
	if h.Op == Delete {
		return nil
	}
	product, err := h.final(ctx, "product_id")
	if err != nil {
		return err
	}
	if _, changed := h.Cols["product_id"]; changed {
		var org *int64
		if err := h.DB.Conn(ctx).Raw("SELECT organization_id FROM products WHERE id = ?", product).Row().Scan(&org); err != nil {
			return err
		}
		h.Cols["organization_id"] = org
	}
	currency, err := h.final(ctx, "currency_id")
	if err != nil {
		return err
	}
	quantity, err := h.final(ctx, "quantity")
	if err != nil {
		return err
	}
	if quantity == nil {
		quantity = "1"
	}
	// concurrent writes of the same (product, currency, quantity) check one after the other
	qty := fmt.Sprint(asText(quantity))
	if c, ok := store.CanonicalDecimal(qty); ok {
		qty = c // 1 and 1.0 are the same quantity, and the same key
	}
	if err := h.DB.LockKey(ctx, fmt.Sprint("product_prices\x00", product, "\x00", asText(currency), "\x00", qty)); err != nil {
		return err
	}
	// quantities are decimals: compared by their keys, so that 1 and 1.0000 are the same
	q := "SELECT COUNT(*) FROM product_prices WHERE product_id = ? AND currency_id = ? AND " + h.DB.DecimalKey("quantity") + " = ?"
	args := []any{product, asText(currency), h.DB.DecimalArg(fmt.Sprint(asText(quantity)))}
	if h.Op == Update {
		q += " AND id <> ?"
		args = append(args, h.IDs[0])
	}
	var n int64
	if err := h.DB.Conn(ctx).Raw(q, args...).Row().Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return jsonapi.Invalid(jsonapi.AttrPointer("quantity"), jsonapi.TitleUnique,
			"A price for this product, currency and quantity already exists.")
	}
	return nil
}
