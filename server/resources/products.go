package resources

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"sync"

	"webapi/server/jsonapi"
	"webapi/store"
)

// Localization and currency of a request (api.md section 14).

// Locale is the localization and currency a request asked for. The fallback chain of the
// localization is read once per request, and only when a localized value is rendered.
type Locale struct {
	db             *store.DB
	localizationID string // from X-Localization-ID; "" = the default localization
	currency       string // from X-Currency; "USD" by default

	mu    sync.Mutex
	read  bool     // the chain has been read
	chain []string // the chain, once read
}

type localeKey struct{}

// localizationHeader is X-Localization-ID in its canonical form: Get with another makes a new
// string on every request.
var localizationHeader = http.CanonicalHeaderKey("X-Localization-ID")

// WithLocale checks the X-Localization-ID and X-Currency headers of r (an unknown id or code is a
// 400 with source.header) and returns a context that carries them. Without either header it
// carries the default ones: ctx itself when it has a locale already (WithDefaultLocale).
func WithLocale(ctx context.Context, db *store.DB, r *http.Request) (context.Context, error) {
	localizationID, currency := r.Header.Get(localizationHeader), r.Header.Get("X-Currency")
	if localizationID == "" && currency == "" {
		if localeOf(ctx) != nil {
			return ctx, nil
		}
		return WithDefaultLocale(ctx, db), nil
	}
	l := &Locale{db: db, localizationID: localizationID, currency: currency}
	var errs jsonapi.Errors
	err := db.Run(ctx, func(ctx context.Context) error {
		errs = nil // a run again (a broken connection) starts over
		if l.localizationID != "" {
			n, err := strconv.ParseInt(l.localizationID, 10, 64)
			var count int64
			if err == nil {
				if err := db.Conn(ctx).Raw("SELECT COUNT(*) FROM localizations WHERE id = ?", n).Row().Scan(&count); err != nil {
					return err
				}
			}
			if count == 0 {
				errs = append(errs, jsonapi.BadHeader("X-Localization-ID", jsonapi.TitleValue, fmt.Sprintf("The localization %q does not exist.", l.localizationID)))
			}
		}
		if l.currency != "" {
			var count int64
			if err := db.Conn(ctx).Raw("SELECT COUNT(*) FROM currencies WHERE id = ?", l.currency).Row().Scan(&count); err != nil {
				return err
			}
			if count == 0 {
				errs = append(errs, jsonapi.BadHeader("X-Currency", jsonapi.TitleValue, fmt.Sprintf("The currency %q does not exist.", l.currency)))
			}
		}
		return nil
	})
	if err != nil {
		return ctx, translate(ctx, db, nil, err)
	}
	if l.currency == "" {
		l.currency = "USD"
	}
	if errs != nil {
		return ctx, errs
	}
	return context.WithValue(ctx, localeKey{}, l), nil
}

// WithDefaultLocale returns ctx carrying a locale of its own with the default localization and
// currency: that of a request that names neither.
func WithDefaultLocale(ctx context.Context, db *store.DB) context.Context {
	return context.WithValue(ctx, localeKey{}, &Locale{db: db, currency: "USD"})
}

func localeOf(ctx context.Context) *Locale {
	l, _ := ctx.Value(localeKey{}).(*Locale)
	return l
}

// Chain is the requested localization followed by its ancestors: the order in which localized
// values are looked up before the default value. It is read once per request; a failed read
// returns its error and leaves the chain unread, so that a read run again (on a new connection)
// reads it again.
func (l *Locale) Chain(ctx context.Context) ([]string, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.read {
		return l.chain, nil
	}
	chain, err := readChain(ctx, l.db, l.localizationID)
	if err != nil {
		return nil, err
	}
	l.chain, l.read = chain, true
	return chain, nil
}

// readChain reads the chain of the localization id ("" = the default localization).
func readChain(ctx context.Context, db *store.DB, id string) ([]string, error) {
	// the request's own connection (its transaction, if any): a request never waits for a
	// second connection while it holds one
	rows, err := db.Conn(ctx).Raw("SELECT id, parent_localization_id, is_default FROM localizations").Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	parent := map[string]string{}
	def := ""
	for rows.Next() {
		var id int64
		var p *int64
		var isDefault bool
		if err := rows.Scan(&id, &p, &isDefault); err != nil {
			return nil, err
		}
		key := strconv.FormatInt(id, 10)
		if p != nil {
			parent[key] = strconv.FormatInt(*p, 10)
		}
		if isDefault {
			def = key
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	cur := id
	if cur == "" {
		cur = def
	}
	var chain []string
	seen := map[string]bool{}
	for cur != "" && !seen[cur] {
		seen[cur] = true
		chain = append(chain, cur)
		cur = parent[cur]
	}
	return chain, nil
}

// chainRead returns the chain Chain has read (nil before): for what runs while rows are open
// and so cannot query.
func (l *Locale) chainRead() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.chain
}

// productPriceSQL selects a product's price for quantity 1 in the currency currencyArg gives.
// The quantity is a decimal: compared by its key, so that "1", "1.0000" and 1 are all 1.
func productPriceSQL(db *store.DB) string {
	return "(SELECT pp.value FROM product_prices pp WHERE pp.product_id = t.id AND pp.currency_id = ? AND " +
		db.DecimalKey("pp.quantity") + " = " + db.DecimalKey("1") + ")"
}

func currencyArg(ctx context.Context) []any {
	if l := localeOf(ctx); l != nil {
		return []any{l.currency}
	}
	return []any{"USD"}
}

type productName struct {
	Localization *string `json:"localization"`
	Value        string  `json:"value"`
}

// localizedName picks the value for the first localization of chain that has one, else the
// default value (the entry without a localization).
func localizedName(names any, chain []string) (string, bool) {
	raw, ok := names.(json.RawMessage)
	if !ok {
		return "", false
	}
	var list []productName
	if json.Unmarshal(raw, &list) != nil {
		return "", false
	}
	for _, loc := range chain {
		for _, n := range list {
			if n.Localization != nil && *n.Localization == loc {
				return n.Value, true
			}
		}
	}
	for _, n := range list {
		if n.Localization == nil {
			return n.Value, true
		}
	}
	return "", false
}

// prepareProduct reads the localization chain before the products' rows are read: while rows
// are open their connection is busy. A failed read fails the read of the products.
func prepareProduct(ctx context.Context) error {
	if l := localeOf(ctx); l != nil {
		_, err := l.Chain(ctx)
		return err
	}
	return nil
}

// deriveProduct fills a product's name (by the request's localization, whose chain
// prepareProduct has read) and price (in the request's currency).
func deriveProduct(ctx context.Context, r *jsonapi.Resource, rec *jsonapi.Record) {
	var chain []string
	currency := "USD"
	if l := localeOf(ctx); l != nil {
		chain = l.chainRead()
		currency = l.currency
	}
	if name, ok := localizedName(rec.Values[r.AttrIndex("names")], chain); ok {
		rec.Values[r.AttrIndex("name")] = name
	}
	i := r.AttrIndex("price")
	if v, ok := rec.Values[i].(string); ok {
		b, _ := json.Marshal(map[string]string{"value": v, "currency": currency})
		rec.Values[i] = json.RawMessage(b)
	}
}

// checkProductNames: names hold exactly one default entry (no localization), at most one entry
// per localization, and only localizations that exist.
func checkProductNames(ctx context.Context, h *Hook) error {
	raw, ok := h.Cols["names"].(string)
	if !ok {
		return nil
	}
	var list []productName
	if err := json.Unmarshal([]byte(raw), &list); err != nil {
		return jsonapi.Invalid(jsonapi.AttrPointer("names"), jsonapi.TitleType, "This value should be a list of names.")
	}
	var errs jsonapi.Errors
	defaults := 0
	seen := map[string]bool{}
	for i, n := range list {
		at := fmt.Sprintf("%s/%d", jsonapi.AttrPointer("names"), i)
		if blank(n.Value) {
			errs = append(errs, jsonapi.Invalid(at+"/value", jsonapi.TitleNotBlank, "This value should not be blank."))
		}
		if n.Localization == nil {
			defaults++
			continue
		}
		if seen[*n.Localization] {
			errs = append(errs, jsonapi.Invalid(at+"/localization", jsonapi.TitleUnique, "The product already has a name for this localization."))
			continue
		}
		seen[*n.Localization] = true
		id, err := strconv.ParseInt(*n.Localization, 10, 64)
		var count int64
		if err == nil {
			if err := h.DB.Conn(ctx).Raw("SELECT COUNT(*) FROM localizations WHERE id = ?", id).Row().Scan(&count); err != nil {
				return err
			}
		}
		if count == 0 {
			errs = append(errs, jsonapi.EntityNotExist(at+"/localization"))
		}
	}
	if defaults != 1 {
		errs = append(errs, jsonapi.Invalid(jsonapi.AttrPointer("names"), jsonapi.TitleNotBlank,
			"Exactly one name must have no localization: it is the default name."))
	}
	if errs != nil {
		return errs
	}
	return nil
}
