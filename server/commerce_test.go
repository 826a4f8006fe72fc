package server_test

// Scenario tests of the commerce types (domain.md "Commerce" and asyncoperations): localizations,
// currencies, countries, regions, products, productprices, weightunits, taxjurisdictions and
// asyncoperations. The expectations (documents, error objects) are those of expect_test.go.

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"webapi/server/apitest"
	"webapi/store"
)

// cmReadOnly asserts that a read-only type refuses every write with 405 and its Allow header.
func cmReadOnly(t *testing.T, env *apitest.Env, typ, id, attrs string) {
	t.Helper()
	var cases []apiCase
	body := fmt.Sprintf(`{"data":{"type":%q,"id":%q,"attributes":{%s}}}`, typ, id, attrs)
	for _, r := range []apitest.Request{
		{Method: http.MethodPost, Path: "/api/" + typ, Body: body},
		{Method: http.MethodPut, Path: "/api/" + typ, Body: body},
		{Method: http.MethodPatch, Path: "/api/" + typ, Body: `{"data":[]}`},
		{Method: http.MethodDelete, Path: "/api/" + typ + "?filter[id]=" + id},
		{Method: http.MethodPost, Path: "/api/" + typ + "/" + id, Body: body},
		{Method: http.MethodPatch, Path: "/api/" + typ + "/" + id, Body: body},
		{Method: http.MethodPut, Path: "/api/" + typ + "/" + id, Body: body},
		{Method: http.MethodDelete, Path: "/api/" + typ + "/" + id},
	} {
		cases = append(cases, apiCase{name: r.Method + " " + r.Path, req: r, status: http.StatusMethodNotAllowed,
			header: map[string]string{"Allow": "GET, HEAD, OPTIONS"}})
	}
	runCases(t, env, cases)
}

// ----- localizations -----

func cmLocalization(id, name, lang, format string, isDefault bool, parent string) string {
	link := "null"
	if parent != "" {
		link = ident("localizations", parent)
	}
	return resObject("localizations", id,
		fmt.Sprintf(`"name":%s,"languageCode":%q,"formattingCode":%q,"default":%t`, jsonText(name), lang, format, isDefault),
		relData{"parentLocalization", link})
}

var (
	cmEnglish = cmLocalization("1", "English (United States)", "en", "en_US", true, "")
	cmGerman  = cmLocalization("2", "German", "de", "de_DE", false, "")
	cmFrench  = cmLocalization("3", "French", "fr", "fr_FR", false, "")
)

func cmLocalizationBody(name, lang, format, parent string) string {
	rels := ""
	if parent != "" {
		rels = fmt.Sprintf(`,"relationships":{"parentLocalization":{"data":{"type":"localizations","id":%q}}}`, parent)
	}
	return fmt.Sprintf(`{"data":{"type":"localizations","attributes":{"name":%s,"languageCode":%q,"formattingCode":%q}%s}}`,
		jsonText(name), lang, format, rels)
}

func cmSetParent(id, parent string) string {
	link := "null"
	if parent != "" {
		link = ident("localizations", parent)
	}
	return fmt.Sprintf(`{"data":{"type":"localizations","id":%q,"relationships":{"parentLocalization":{"data":%s}}}}`, id, link)
}

func TestCommerceLocalizations(t *testing.T) {
	t.Parallel()
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		env.Do(apitest.Request{Path: "/api/localizations"}).
			Expect(t, 200, listDoc(selfLinks("/api/localizations"), cmEnglish, cmGerman, cmFrench))
		env.Do(apitest.Request{Path: "/api/localizations/2"}).Expect(t, 200, itemDoc("/api/localizations/2", cmGerman))

		// create, read, update
		swiss := cmLocalization("4", "Swiss German", "de", "de_CH", false, "2")
		expectCreated(t, env.Do(apitest.Request{Method: http.MethodPost, Path: "/api/localizations",
			Body: cmLocalizationBody("Swiss German", "de", "de_CH", "2")}), "localizations", "4", itemDoc("/api/localizations/4", swiss))
		env.Do(apitest.Request{Path: "/api/localizations/4"}).Expect(t, 200, itemDoc("/api/localizations/4", swiss))
		env.Do(apitest.Request{Path: "/api/localizations?filter[languageCode]=de&sort=-name&meta=title", Header: map[string]string{"X-Include": "noHateoas"}}).
			Expect(t, 200, `{"data":[
				{"type":"localizations","id":"4","meta":{"title":"Swiss German"},"attributes":{"name":"Swiss German","languageCode":"de","formattingCode":"de_CH","default":false},"relationships":{"parentLocalization":{"data":{"type":"localizations","id":"2"}}}},
				{"type":"localizations","id":"2","meta":{"title":"German"},"attributes":{"name":"German","languageCode":"de","formattingCode":"de_DE","default":false},"relationships":{"parentLocalization":{"data":null}}}]}`)
		renamed := cmLocalization("4", "Schweizerdeutsch", "de", "de_CH", false, "2")
		env.Do(apitest.Request{Method: http.MethodPatch, Path: "/api/localizations/4",
			Body: `{"data":{"type":"localizations","id":"4","attributes":{"name":"Schweizerdeutsch"}}}`}).
			Expect(t, 200, itemDoc("/api/localizations/4", renamed))
		env.Do(apitest.Request{Method: http.MethodPatch, Path: "/api/localizations/4", Body: cmSetParent("4", "")}).
			Expect(t, 200, itemDoc("/api/localizations/4", cmLocalization("4", "Schweizerdeutsch", "de", "de_CH", false, "")))
		env.Do(apitest.Request{Method: http.MethodPatch, Path: "/api/localizations/4", Body: cmSetParent("4", "2")}).
			Expect(t, 200, itemDoc("/api/localizations/4", renamed))
		create(t, env, "localizations", cmLocalizationBody("Basel German", "de", "de_CH", "4")) // 5 → 4 → 2

		// errors
		cycle := invalid(linkAt("parentLocalization"), "form constraint", "The parent cannot be the record itself or one of its descendants.")
		post := func(body string, invalid bool) apitest.Request {
			return apitest.Request{Method: http.MethodPost, Path: "/api/localizations", Body: body, Invalid: invalid}
		}
		runCases(t, env, []apiCase{
			{name: "parent is itself", req: apitest.Request{Method: http.MethodPatch, Path: "/api/localizations/1", Body: cmSetParent("1", "1")},
				status: 400, want: errorsDoc(cycle)},
			{name: "parent is a child", req: apitest.Request{Method: http.MethodPatch, Path: "/api/localizations/2", Body: cmSetParent("2", "4")},
				status: 400, want: errorsDoc(cycle)},
			{name: "parent is a grandchild", req: apitest.Request{Method: http.MethodPatch, Path: "/api/localizations/2", Body: cmSetParent("2", "5")},
				status: 400, want: errorsDoc(cycle)},
			{name: "parent does not exist", req: apitest.Request{Method: http.MethodPatch, Path: "/api/localizations/2", Body: cmSetParent("2", "99")},
				status: 400, want: errorsDoc(noEntity(linkAt("parentLocalization")))},
			{name: "required", req: post(`{"data":{"type":"localizations","attributes":{}}}`, true), status: 400,
				want: errorsDoc(notBlank(attrAt("name")), notBlank(attrAt("languageCode")), notBlank(attrAt("formattingCode")))},
			{name: "blank", req: post(cmLocalizationBody("  ", "de", "de_AT", ""), false), status: 400,
				want: errorsDoc(notBlank(attrAt("name")))},
			{name: "length", req: post(cmLocalizationBody("Long", "de", strings.Repeat("x", 17), ""), true), status: 400,
				want: errorsDoc(tooLong(attrAt("formattingCode"), 16))},
			{name: "type", req: post(`{"data":{"type":"localizations","attributes":{"name":42,"languageCode":"de","formattingCode":"de_AT"}}}`, true), status: 400,
				want: errorsDoc(wrongType(attrAt("name"), "string"))},
			{name: "read-only and unknown fields", req: post(`{"data":{"type":"localizations","attributes":{"name":"X","languageCode":"x","formattingCode":"x","default":true,"foo":1}}}`, true), status: 400,
				want: errorsDoc(extraField(attrAt("default")), extraField(attrAt("foo")))},
			{name: "missing parent on create", req: post(cmLocalizationBody("Austrian German", "de", "de_AT", "99"), false), status: 400,
				want: errorsDoc(noEntity(linkAt("parentLocalization")))},
			{name: "null for a required attribute", req: apitest.Request{Method: http.MethodPatch, Path: "/api/localizations/4", Invalid: true,
				Body: `{"data":{"type":"localizations","id":"4","attributes":{"languageCode":null}}}`}, status: 400,
				want: errorsDoc(notBlank(attrAt("languageCode")))},
		})
		// the refused writes changed nothing
		env.Do(apitest.Request{Path: "/api/localizations?page[size]=-1"}).Expect(t, 200, listDoc(selfLinks("/api/localizations?page[size]=-1"),
			cmEnglish, cmGerman, cmFrench, renamed, cmLocalization("5", "Basel German", "de", "de_CH", false, "4")))

		// deleting a parent leaves its children without one
		expectDeleted(t, env, "/api/localizations/4")
		env.Do(apitest.Request{Path: "/api/localizations/5"}).
			Expect(t, 200, itemDoc("/api/localizations/5", cmLocalization("5", "Basel German", "de", "de_CH", false, "")))
	})
}

// ----- read-only reference data -----

func cmCurrency(id, name, symbol string) string {
	return resObject("currencies", id, fmt.Sprintf(`"name":%s,"symbol":%s`, jsonText(name), jsonText(symbol)))
}

func cmCountry(id, name, iso3 string, regions ...string) string {
	return resObject("countries", id, fmt.Sprintf(`"name":%s,"iso3Code":%q`, jsonText(name), iso3),
		relData{"regions", idents("regions", regions...)})
}

func cmRegion(id, name, code, country string) string {
	return resObject("regions", id, fmt.Sprintf(`"name":%s,"code":%q`, jsonText(name), code),
		relData{"country", ident("countries", country)})
}

var (
	cmUSD = cmCurrency("USD", "US Dollar", "$")
	cmEUR = cmCurrency("EUR", "Euro", "€")
	cmGBP = cmCurrency("GBP", "British Pound", "£")
	cmJPY = cmCurrency("JPY", "Japanese Yen", "¥")

	cmCA = cmCountry("CA", "Canada", "CAN")
	cmDE = cmCountry("DE", "Germany", "DEU", "DE-BE", "DE-BY")
	cmFR = cmCountry("FR", "France", "FRA")
	cmGB = cmCountry("GB", "United Kingdom", "GBR")
	cmUS = cmCountry("US", "United States", "USA", "US-CA", "US-NY", "US-TX")

	cmBerlin     = cmRegion("DE-BE", "Berlin", "BE", "DE")
	cmBavaria    = cmRegion("DE-BY", "Bavaria", "BY", "DE")
	cmCalifornia = cmRegion("US-CA", "California", "CA", "US")
	cmNewYork    = cmRegion("US-NY", "New York", "NY", "US")
	cmTexas      = cmRegion("US-TX", "Texas", "TX", "US")
)

func TestCommerceReferenceData(t *testing.T) {
	t.Parallel()
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		notFound := errorDoc(404, "not found http exception", "An entity with the requested identifier does not exist.", "")
		get := func(path string, want string) apiCase {
			return apiCase{name: path, req: apitest.Request{Path: path}, status: 200, want: want}
		}
		runCases(t, env, []apiCase{
			get("/api/currencies", listDoc(selfLinks("/api/currencies"), cmEUR, cmGBP, cmJPY, cmUSD)),
			get("/api/currencies/JPY", itemDoc("/api/currencies/JPY", cmJPY)),
			get("/api/currencies?sort=-id&filter[id]=EUR,USD", listDoc(selfLinks("/api/currencies?sort=-id&filter[id]=EUR,USD"), cmUSD, cmEUR)),
			{name: "currency title", req: apitest.Request{Path: "/api/currencies/EUR?meta=title", Header: map[string]string{"X-Include": "noHateoas"}}, status: 200,
				want: `{"data":{"type":"currencies","id":"EUR","meta":{"title":"Euro"},"attributes":{"name":"Euro","symbol":"€"}}}`},
			{name: "unknown currency", req: apitest.Request{Path: "/api/currencies/XXX"}, status: 404, want: notFound},
			{name: "a currency code is case-sensitive", req: apitest.Request{Path: "/api/currencies/usd"}, status: 404, want: notFound},

			get("/api/countries", listDoc(selfLinks("/api/countries"), cmCA, cmDE, cmFR, cmGB, cmUS)),
			get("/api/countries/DE", itemDoc("/api/countries/DE", cmDE)),
			get("/api/countries?sort=name", listDoc(selfLinks("/api/countries?sort=name"), cmCA, cmFR, cmDE, cmGB, cmUS)),
			get("/api/countries?filter[name][contains]=UNITED&sort=-name", listDoc(selfLinks("/api/countries?filter[name][contains]=UNITED&sort=-name"), cmUS, cmGB)),
			get("/api/countries?filter[iso3Code]=FRA", listDoc(selfLinks("/api/countries?filter[iso3Code]=FRA"), cmFR)),
			{name: "country title", req: apitest.Request{Path: "/api/countries/GB?meta=title&fields[countries]=iso3Code", Header: map[string]string{"X-Include": "noHateoas"}}, status: 200,
				want: `{"data":{"type":"countries","id":"GB","meta":{"title":"United Kingdom"},"attributes":{"iso3Code":"GBR"}}}`},
			{name: "unknown country", req: apitest.Request{Path: "/api/countries/ZZ"}, status: 404, want: notFound},

			get("/api/regions", listDoc(selfLinks("/api/regions"), cmBerlin, cmBavaria, cmCalifornia, cmNewYork, cmTexas)),
			get("/api/regions/US-NY", itemDoc("/api/regions/US-NY", cmNewYork)),
			get("/api/regions?filter[country]=DE&sort=name", listDoc(selfLinks("/api/regions?filter[country]=DE&sort=name"), cmBavaria, cmBerlin)),
			get("/api/regions?filter[name][starts_with]=new", listDoc(selfLinks("/api/regions?filter[name][starts_with]=new"), cmNewYork)),
			{name: "region title", req: apitest.Request{Path: "/api/regions/US-TX?meta=title&fields[regions]=", Header: map[string]string{"X-Include": "noHateoas"}}, status: 200,
				want: `{"data":{"type":"regions","id":"US-TX","meta":{"title":"Texas"}}}`},
			{name: "unknown region", req: apitest.Request{Path: "/api/regions/US-ZZ"}, status: 404, want: notFound},
		})
		cmReadOnly(t, env, "currencies", "USD", `"name":"Dollar"`)
		cmReadOnly(t, env, "countries", "US", `"name":"USA"`)
		cmReadOnly(t, env, "regions", "US-CA", `"name":"Cal"`)
		// nothing changed
		env.Do(apitest.Request{Path: "/api/currencies/USD"}).Expect(t, 200, itemDoc("/api/currencies/USD", cmUSD))
		env.Do(apitest.Request{Path: "/api/countries/US"}).Expect(t, 200, itemDoc("/api/countries/US", cmUS))
		env.Do(apitest.Request{Path: "/api/regions/US-CA"}).Expect(t, 200, itemDoc("/api/regions/US-CA", cmCalifornia))
	})
}

// ----- asyncoperations -----

func TestCommerceAsyncOperations(t *testing.T) {
	t.Parallel()
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		env.Do(apitest.Request{Path: "/api/asyncoperations"}).Expect(t, 200, listDoc(selfLinks("/api/asyncoperations")))

		// No request creates operations yet (the batch API is section 12): store two directly.
		created := store.NewTime(time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC))
		finished := store.NewTime(time.Date(2024, 3, 1, 10, 0, 5, 0, time.UTC))
		ops := []*store.AsyncOperation{
			{Status: "new", EntityType: "accounts", OwnerID: 1, OrganizationID: 1, Timestamps: store.Timestamps{CreatedAt: created, UpdatedAt: created}},
			{Status: "success", EntityType: "contacts", ElapsedTime: 5, OwnerID: 1, OrganizationID: 1,
				Summary:    store.JSON(`{"aggregateTime":4870,"readCount":3,"writeCount":2,"errorCount":1,"createCount":2,"updateCount":0}`),
				Timestamps: store.Timestamps{CreatedAt: created, UpdatedAt: finished}},
		}
		one := decimal.NewFromInt(1)
		ops[1].Progress = &one
		for _, op := range ops {
			if err := env.DB.Gorm.Create(op).Error; err != nil {
				t.Fatal(err)
			}
		}
		op := func(id, attrs string) string {
			return resObject("asyncoperations", id, attrs,
				relData{"owner", ident("users", "1")}, relData{"organization", ident("organizations", "1")})
		}
		op1 := op("1", `"status":"new","progress":null,"createdAt":"2024-03-01T10:00:00Z","updatedAt":"2024-03-01T10:00:00Z",
			"elapsedTime":0,"entityType":"accounts","summary":null`)
		op2 := op("2", `"status":"success","progress":1,"createdAt":"2024-03-01T10:00:00Z","updatedAt":"2024-03-01T10:00:05Z",
			"elapsedTime":5,"entityType":"contacts",
			"summary":{"aggregateTime":4870,"readCount":3,"writeCount":2,"errorCount":1,"createCount":2,"updateCount":0}`)
		runCases(t, env, []apiCase{
			{name: "item", req: apitest.Request{Path: "/api/asyncoperations/1"}, status: 200, want: itemDoc("/api/asyncoperations/1", op1)},
			{name: "finished item", req: apitest.Request{Path: "/api/asyncoperations/2"}, status: 200, want: itemDoc("/api/asyncoperations/2", op2)},
			{name: "collection", req: apitest.Request{Path: "/api/asyncoperations"}, status: 200, want: listDoc(selfLinks("/api/asyncoperations"), op1, op2)},
			{name: "filter and sort", req: apitest.Request{Path: "/api/asyncoperations?filter[status]=success,new&sort=-updatedAt"}, status: 200,
				want: listDoc(selfLinks("/api/asyncoperations?filter[status]=success,new&sort=-updatedAt"), op2, op1)},
			{name: "filter by entity type", req: apitest.Request{Path: "/api/asyncoperations?filter[entityType]=accounts"}, status: 200,
				want: listDoc(selfLinks("/api/asyncoperations?filter[entityType]=accounts"), op1)},
			{name: "missing", req: apitest.Request{Path: "/api/asyncoperations/3"}, status: 404,
				want: errorDoc(404, "not found http exception", "An entity with the requested identifier does not exist.", "")},
		})
		cmReadOnly(t, env, "asyncoperations", "1", `"status":"cancelled"`)
		env.Do(apitest.Request{Path: "/api/asyncoperations/1"}).Expect(t, 200, itemDoc("/api/asyncoperations/1", op1))
	})
}

// ----- products and prices -----

// cmProduct is a product owned by business unit 1 in organization org; names and price are JSON.
func cmProduct(id, sku, names, name, status, price, org string, prices ...string) string {
	return cmProductOf("1", id, sku, names, name, status, price, org, prices...)
}

// cmProductOf is cmProduct owned by the business unit unit.
func cmProductOf(unit, id, sku, names, name, status, price, org string, prices ...string) string {
	return resObject("products", id,
		fmt.Sprintf(`"sku":%s,"names":%s,"name":%s,"status":%q,"price":%s,"createdAt":"<any>","updatedAt":"<any>"`,
			jsonText(sku), names, jsonText(name), status, price),
		relData{"prices", idents("productprices", prices...)}, relData{"owner", ident("businessunits", unit)}, relData{"organization", ident("organizations", org)})
}

func cmProductBody(sku, names, more string) string {
	return fmt.Sprintf(`{"data":{"type":"products","attributes":{"sku":%s,"names":%s%s}}}`, jsonText(sku), names, more)
}

func cmPrice(id, value, quantity, product, currency string) string {
	return resObject("productprices", id, fmt.Sprintf(`"value":%q,"quantity":%q`, value, quantity),
		relData{"product", ident("products", product)}, relData{"currency", ident("currencies", currency)})
}

func cmPriceBody(value, quantity, product, currency string) string {
	attrs := fmt.Sprintf(`"value":%q`, value)
	if quantity != "" {
		attrs += fmt.Sprintf(`,"quantity":%q`, quantity)
	}
	return fmt.Sprintf(`{"data":{"type":"productprices","attributes":{%s},"relationships":{"product":{"data":{"type":"products","id":%q}},"currency":{"data":{"type":"currencies","id":%q}}}}}`,
		attrs, product, currency)
}

const (
	cmChairNames = `[{"localization":null,"value":"Chair"},{"localization":"2","value":"Stuhl"}]`
	cmLampNames  = `[{"localization":null,"value":"Lamp"},{"localization":"1","value":"Lamp (US)"},{"localization":"3","value":"Lampe"}]`
)

func TestCommerceProducts(t *testing.T) {
	t.Parallel()
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		create(t, env, "localizations", cmLocalizationBody("Swiss German", "de", "de_CH", "2")) // 4 → 2

		chair := cmProduct("1", "CHAIR-1", cmChairNames, "Chair", "enabled", "null", "1")
		expectCreated(t, env.Do(apitest.Request{Method: http.MethodPost, Path: "/api/products", Body: cmProductBody("CHAIR-1", cmChairNames, "")}),
			"products", "1", itemDoc("/api/products/1", chair))
		env.Do(apitest.Request{Path: "/api/products/1"}).Expect(t, 200, itemDoc("/api/products/1", chair))
		lamp := cmProduct("2", "LAMP-1", cmLampNames, "Lamp (US)", "disabled", "null", "1")
		expectCreated(t, env.Do(apitest.Request{Method: http.MethodPost, Path: "/api/products", Body: cmProductBody("LAMP-1", cmLampNames, `,"status":"disabled"`)}),
			"products", "2", itemDoc("/api/products/2", lamp))
		env.Do(apitest.Request{Path: "/api/products"}).Expect(t, 200, listDoc(selfLinks("/api/products"), chair, lamp))

		// prices: quantity 1 in each currency, and a quantity 10 price that the price attribute ignores
		create(t, env, "productprices", cmPriceBody("12.5", "", "1", "USD"))
		create(t, env, "productprices", cmPriceBody("11.00", "1", "1", "EUR"))
		create(t, env, "productprices", cmPriceBody("9.99", "10", "1", "USD"))
		create(t, env, "productprices", cmPriceBody("8", "10", "1", "GBP"))

		// name by X-Localization-ID (falling back along parentLocalization to the default) and price by X-Currency
		view := func(path string, h map[string]string, want string) apiCase {
			if h == nil {
				h = map[string]string{}
			}
			h["X-Include"] = "noHateoas"
			return apiCase{name: fmt.Sprint(path, " ", h), req: apitest.Request{Path: path, Header: h}, status: 200, want: want}
		}
		nameAndPrice := func(id, name, price string) string {
			return fmt.Sprintf(`{"type":"products","id":%q,"attributes":{"name":%s,"price":%s}}`, id, jsonText(name), price)
		}
		const usd, eur = `{"value":"12.5000","currency":"USD"}`, `{"value":"11.0000","currency":"EUR"}`
		loc := func(id string) map[string]string { return map[string]string{"X-Localization-ID": id} }
		cur := func(code string) map[string]string { return map[string]string{"X-Currency": code} }
		const fields = "/api/products/%s?fields[products]=name,price"
		runCases(t, env, []apiCase{
			view(fmt.Sprintf(fields, "1"), nil, `{"data":`+nameAndPrice("1", "Chair", usd)+`}`),
			view(fmt.Sprintf(fields, "1"), loc("1"), `{"data":`+nameAndPrice("1", "Chair", usd)+`}`),
			view(fmt.Sprintf(fields, "1"), loc("2"), `{"data":`+nameAndPrice("1", "Stuhl", usd)+`}`),
			view(fmt.Sprintf(fields, "1"), loc("4"), `{"data":`+nameAndPrice("1", "Stuhl", usd)+`}`),
			view(fmt.Sprintf(fields, "1"), loc("3"), `{"data":`+nameAndPrice("1", "Chair", usd)+`}`),
			view(fmt.Sprintf(fields, "2"), nil, `{"data":`+nameAndPrice("2", "Lamp (US)", "null")+`}`),
			view(fmt.Sprintf(fields, "2"), loc("4"), `{"data":`+nameAndPrice("2", "Lamp", "null")+`}`),
			view(fmt.Sprintf(fields, "2"), loc("3"), `{"data":`+nameAndPrice("2", "Lampe", "null")+`}`),
			view(fmt.Sprintf(fields, "1"), cur("USD"), `{"data":`+nameAndPrice("1", "Chair", usd)+`}`),
			view(fmt.Sprintf(fields, "1"), cur("EUR"), `{"data":`+nameAndPrice("1", "Chair", eur)+`}`),
			view(fmt.Sprintf(fields, "1"), cur("GBP"), `{"data":`+nameAndPrice("1", "Chair", "null")+`}`),
			view(fmt.Sprintf(fields, "1"), map[string]string{"X-Currency": "EUR", "X-Localization-ID": "4"}, `{"data":`+nameAndPrice("1", "Stuhl", eur)+`}`),
			view("/api/products?fields[products]=name,price", map[string]string{"X-Currency": "EUR", "X-Localization-ID": "4"},
				`{"data":[`+nameAndPrice("1", "Stuhl", eur)+`,`+nameAndPrice("2", "Lamp", "null")+`]}`),
			view("/api/products?meta=title&fields[products]=sku&sort=-sku", loc("2"), `{"data":[
				{"type":"products","id":"2","meta":{"title":"Lamp"},"attributes":{"sku":"LAMP-1"}},
				{"type":"products","id":"1","meta":{"title":"Chair"},"attributes":{"sku":"CHAIR-1"}}]}`),
			view("/api/products?filter[sku][starts_with]=chair&filter[status]=enabled&fields[products]=sku", nil,
				`{"data":[{"type":"products","id":"1","attributes":{"sku":"CHAIR-1"}}]}`),
			view("/api/products/1?fields[products]=prices", nil,
				`{"data":{"type":"products","id":"1","relationships":{"prices":{"data":`+idents("productprices", "1", "2", "3", "4")+`}}}}`),
		})

		// unknown localizations and currencies
		badLoc := func(v string) string {
			return fmt.Sprintf(`{"status":"400","title":"value constraint","detail":"The localization \"%s\" does not exist.","source":{"header":"X-Localization-ID"}}`, v)
		}
		const badCur = `{"status":"400","title":"value constraint","detail":"The currency \"XXX\" does not exist.","source":{"header":"X-Currency"}}`
		runCases(t, env, []apiCase{
			{name: "unknown localization", req: apitest.Request{Path: "/api/products/1", Header: loc("99")}, status: 400, want: `{"errors":[` + badLoc("99") + `]}`},
			{name: "localization that is no id", req: apitest.Request{Path: "/api/products", Header: loc("de")}, status: 400, want: `{"errors":[` + badLoc("de") + `]}`},
			{name: "unknown currency", req: apitest.Request{Path: "/api/products/1", Header: cur("XXX")}, status: 400, want: `{"errors":[` + badCur + `]}`},
			{name: "both", req: apitest.Request{Path: "/api/products", Header: map[string]string{"X-Localization-ID": "0", "X-Currency": "XXX"}}, status: 400,
				want: `{"errors":[` + badLoc("0") + `,` + badCur + `]}`},
			{name: "on a write", req: apitest.Request{Method: http.MethodPost, Path: "/api/products", Header: cur("XXX"), Body: cmProductBody("X-1", `[{"localization":null,"value":"X"}]`, "")},
				status: 400, want: `{"errors":[` + badCur + `]}`},
		})

		// update: only the members sent change
		chairDisabled := cmProduct("1", "CHAIR-1", cmChairNames, "Chair", "disabled", usd, "1", "1", "2", "3", "4")
		env.Do(apitest.Request{Method: http.MethodPatch, Path: "/api/products/1", Body: `{"data":{"type":"products","id":"1","attributes":{"status":"disabled"}}}`}).
			Expect(t, 200, itemDoc("/api/products/1", chairDisabled))
		const armchair = `[{"localization":"3","value":"Fauteuil"},{"localization":null,"value":"Armchair"}]`
		env.Do(apitest.Request{Method: http.MethodPatch, Path: "/api/products/1", Header: map[string]string{"X-Localization-ID": "2", "X-Currency": "EUR"},
			Body: `{"data":{"type":"products","id":"1","attributes":{"names":` + armchair + `}}}`}).
			Expect(t, 200, itemDoc("/api/products/1", cmProduct("1", "CHAIR-1", armchair, "Armchair", "disabled", eur, "1", "1", "2", "3", "4")))

		// sku is unique per organization
		// (the second organization's administrator creates its own CHAIR-1, which the first
		// organization does not see)
		second := newAdministrator(t, env, "Second")
		otherChair := cmProductOf(second.unit, "3", "CHAIR-1", `[{"localization":null,"value":"Other chair"}]`, "Other chair", "enabled", "null", second.org)
		expectCreated(t, second.Do(apitest.Request{Method: http.MethodPost, Path: "/api/products",
			Body: cmProductBody("CHAIR-1", `[{"localization":null,"value":"Other chair"}]`, "")}),
			"products", "3", itemDoc("/api/products/3", otherChair))
		second.Do(apitest.Request{Method: http.MethodPatch, Path: "/api/products/3", Body: `{"data":{"type":"products","id":"3","attributes":{"sku":"LAMP-1"}}}`}).
			Expect(t, 200, itemDoc("/api/products/3", cmProductOf(second.unit, "3", "LAMP-1", `[{"localization":null,"value":"Other chair"}]`, "Other chair", "enabled", "null", second.org)))
		env.Do(apitest.Request{Path: "/api/products/3"}).Expect(t, 404, notFoundDoc)

		post := func(body string, invalid bool) apitest.Request {
			return apitest.Request{Method: http.MethodPost, Path: "/api/products", Body: body, Invalid: invalid}
		}
		names := func(entries string) string { return cmProductBody("NEW-1", entries, "") }
		oneDefault := invalid(attrAt("names"), "not blank constraint", "Exactly one name must have no localization: it is the default name.")
		runCases(t, env, []apiCase{
			{name: "sku taken", req: post(cmProductBody("LAMP-1", `[{"localization":null,"value":"Lamp"}]`, ""), false), status: 400,
				want: errorsDoc(taken(attrAt("sku")))},
			{name: "sku taken on update", req: apitest.Request{Method: http.MethodPatch, Path: "/api/products/2",
				Body: `{"data":{"type":"products","id":"2","attributes":{"sku":"CHAIR-1"}}}`}, status: 400, want: errorsDoc(taken(attrAt("sku")))},
			{name: "no default name", req: post(names(`[{"localization":"2","value":"Neu"}]`), false), status: 400, want: errorsDoc(oneDefault)},
			{name: "two default names", req: post(names(`[{"localization":null,"value":"New"},{"localization":null,"value":"Novel"}]`), false), status: 400,
				want: errorsDoc(oneDefault)},
			{name: "no default name on update", req: apitest.Request{Method: http.MethodPatch, Path: "/api/products/2",
				Body: `{"data":{"type":"products","id":"2","attributes":{"names":[{"localization":"1","value":"Lamp"}]}}}`}, status: 400, want: errorsDoc(oneDefault)},
			{name: "unknown and repeated localizations, blank value", req: post(names(`[{"localization":null,"value":" "},{"localization":"99","value":"?"},{"localization":"2","value":"Neu"},{"localization":"2","value":"Neuer"}]`), false),
				status: 400, want: errorsDoc(notBlank(attrAt("names/0/value")),
					noEntity(attrAt("names/1/localization")),
					invalid(attrAt("names/3/localization"), "unique entity constraint", "The product already has a name for this localization."))},
			{name: "required", req: post(`{"data":{"type":"products","attributes":{"status":"enabled"}}}`, true), status: 400,
				want: errorsDoc(notBlank(attrAt("sku")), notBlank(attrAt("names")))},
			{name: "length, choice and type", req: post(`{"data":{"type":"products","attributes":{"sku":"`+strings.Repeat("s", 256)+`","names":[{"localization":null,"value":"X"}],"status":"gone"}}}`, true),
				status: 400, want: errorsDoc(tooLong(attrAt("sku"), 255), badChoice(attrAt("status")))},
			{name: "type", req: post(`{"data":{"type":"products","attributes":{"sku":7,"names":[{"localization":null,"value":"X"}]}}}`, true),
				status: 400, want: errorsDoc(wrongType(attrAt("sku"), "string"))},
			{name: "read-only and unknown fields", req: post(`{"data":{"type":"products","attributes":{"sku":"X","names":[{"localization":null,"value":"X"}],"foo":1,"price":{"value":"1","currency":"USD"},"name":"X"},
				"relationships":{"prices":{"data":[]}}}}`, true),
				status: 400, want: errorsDoc(extraField(attrAt("name")), extraField(attrAt("price")), extraField(attrAt("foo")), extraField("/data/relationships/prices"))},
			{name: "missing owner and organization", req: post(`{"data":{"type":"products","attributes":{"sku":"X","names":[{"localization":null,"value":"X"}]},
				"relationships":{"owner":{"data":{"type":"businessunits","id":"99"}},"organization":{"data":{"type":"organizations","id":"99"}}}}}`, false),
				status: 400, want: errorsDoc(noEntity(linkAt("owner")), noEntity(linkAt("organization")))},
		})
		env.Do(apitest.Request{Path: "/api/products?fields[products]=sku", Header: map[string]string{"X-Include": "noHateoas"}}).Expect(t, 200, `{"data":[
			{"type":"products","id":"1","attributes":{"sku":"CHAIR-1"}},
			{"type":"products","id":"2","attributes":{"sku":"LAMP-1"}}]}`)

		// deleting a product deletes its prices
		expectDeleted(t, env, "/api/products/1")
		env.Do(apitest.Request{Path: "/api/productprices"}).Expect(t, 200, listDoc(selfLinks("/api/productprices")))
		expectDeleted(t, second.Env, "/api/products/3")
	})
}

func TestCommerceProductPrices(t *testing.T) {
	t.Parallel()
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		create(t, env, "products", cmProductBody("CHAIR-1", cmChairNames, ""))
		create(t, env, "products", cmProductBody("LAMP-1", cmLampNames, ""))

		first := cmPrice("1", "12.5000", "1.0000", "1", "USD")
		expectCreated(t, env.Do(apitest.Request{Method: http.MethodPost, Path: "/api/productprices", Body: cmPriceBody("12.5", "", "1", "USD")}),
			"productprices", "1", itemDoc("/api/productprices/1", first))
		env.Do(apitest.Request{Path: "/api/productprices/1"}).Expect(t, 200, itemDoc("/api/productprices/1", first))
		bulk := cmPrice("2", "10.0000", "10.0000", "1", "USD")
		expectCreated(t, env.Do(apitest.Request{Method: http.MethodPost, Path: "/api/productprices", Body: cmPriceBody("10", "10", "1", "USD")}),
			"productprices", "2", itemDoc("/api/productprices/2", bulk))
		free := cmPrice("3", "0.0000", "0.5000", "1", "EUR")
		expectCreated(t, env.Do(apitest.Request{Method: http.MethodPost, Path: "/api/productprices", Body: cmPriceBody("0", "0.5", "1", "EUR")}),
			"productprices", "3", itemDoc("/api/productprices/3", free))
		lamp := cmPrice("4", "30.0000", "1.0000", "2", "USD")
		create(t, env, "productprices", cmPriceBody("30.0000", "1", "2", "USD"))

		runCases(t, env, []apiCase{
			{name: "collection", req: apitest.Request{Path: "/api/productprices"}, status: 200, want: listDoc(selfLinks("/api/productprices"), first, bulk, free, lamp)},
			{name: "by product, sorted by value", req: apitest.Request{Path: "/api/productprices?filter[product]=1&sort=-value"}, status: 200,
				want: listDoc(selfLinks("/api/productprices?filter[product]=1&sort=-value"), first, bulk, free)},
			{name: "by currency and quantity", req: apitest.Request{Path: "/api/productprices?filter[currency]=USD&filter[quantity]=1"}, status: 200,
				want: listDoc(selfLinks("/api/productprices?filter[currency]=USD&filter[quantity]=1"), first, lamp)},
			{name: "value range", req: apitest.Request{Path: "/api/productprices?filter[value]=10..20"}, status: 200,
				want: listDoc(selfLinks("/api/productprices?filter[value]=10..20"), first, bulk)},
		})

		// update: only the members sent change
		first = cmPrice("1", "13.0000", "1.0000", "1", "USD")
		env.Do(apitest.Request{Method: http.MethodPatch, Path: "/api/productprices/1", Body: `{"data":{"type":"productprices","id":"1","attributes":{"value":"13"}}}`}).
			Expect(t, 200, itemDoc("/api/productprices/1", first))
		env.Do(apitest.Request{Method: http.MethodPatch, Path: "/api/productprices/3",
			Body: `{"data":{"type":"productprices","id":"3","relationships":{"currency":{"data":{"type":"currencies","id":"GBP"}}}}}`}).
			Expect(t, 200, itemDoc("/api/productprices/3", cmPrice("3", "0.0000", "0.5000", "1", "GBP")))
		env.Do(apitest.Request{Path: "/api/products/1?fields[products]=price", Header: map[string]string{"X-Include": "noHateoas"}}).
			Expect(t, 200, `{"data":{"type":"products","id":"1","attributes":{"price":{"value":"13.0000","currency":"USD"}}}}`)

		post := func(body string, invalid bool) apitest.Request {
			return apitest.Request{Method: http.MethodPost, Path: "/api/productprices", Body: body, Invalid: invalid}
		}
		duplicate := invalid(attrAt("quantity"), "unique entity constraint", "A price for this product, currency and quantity already exists.")
		runCases(t, env, []apiCase{
			{name: "same product, currency and quantity", req: post(cmPriceBody("1", "1.00", "1", "USD"), false), status: 400, want: errorsDoc(duplicate)},
			{name: "same with the default quantity", req: post(cmPriceBody("1", "", "2", "USD"), false), status: 400, want: errorsDoc(duplicate)},
			{name: "duplicate by update", req: apitest.Request{Method: http.MethodPatch, Path: "/api/productprices/2",
				Body: `{"data":{"type":"productprices","id":"2","attributes":{"quantity":"1"}}}`}, status: 400, want: errorsDoc(duplicate)},
			{name: "duplicate by moving to another product", req: apitest.Request{Method: http.MethodPatch, Path: "/api/productprices/4",
				Body: `{"data":{"type":"productprices","id":"4","relationships":{"product":{"data":{"type":"products","id":"1"}}}}}`}, status: 400, want: errorsDoc(duplicate)},
			{name: "negative value", req: post(cmPriceBody("-0.01", "", "2", "EUR"), false), status: 400,
				want: errorsDoc(invalid(attrAt("value"), "range constraint", "This value should be 0 or more."))},
			{name: "zero quantity", req: post(cmPriceBody("1", "0", "2", "EUR"), false), status: 400,
				want: errorsDoc(invalid(attrAt("quantity"), "range constraint", "This value should be greater than 0."))},
			{name: "negative quantity and value", req: post(cmPriceBody("-1", "-1", "2", "EUR"), false), status: 400,
				want: errorsDoc(invalid(attrAt("value"), "range constraint", "This value should be 0 or more."), invalid(attrAt("quantity"), "range constraint", "This value should be greater than 0."))},
			{name: "too precise (the document declares the bound)", req: post(cmPriceBody("1.23456", "", "2", "EUR"), true), status: 400,
				want: errorsDoc(invalid(attrAt("value"), "range constraint", "This value should have at most 15 digits before and 4 digits after the decimal point."))},
			{name: "not a decimal", req: post(cmPriceBody("cheap", "", "2", "EUR"), true), status: 400, want: errorsDoc(wrongType(attrAt("value"), "decimal"))},
			{name: "required", req: post(`{"data":{"type":"productprices","attributes":{},"relationships":{}}}`, true), status: 400,
				want: errorsDoc(notBlank(attrAt("value")), notBlank(linkAt("product")), notBlank(linkAt("currency")))},
			{name: "null value", req: apitest.Request{Method: http.MethodPatch, Path: "/api/productprices/1", Invalid: true,
				Body: `{"data":{"type":"productprices","id":"1","attributes":{"value":null}}}`}, status: 400, want: errorsDoc(notBlank(attrAt("value")))},
			{name: "missing product and currency", req: post(cmPriceBody("1", "", "99", "XXX"), false), status: 400,
				want: errorsDoc(noEntity(linkAt("product")), noEntity(linkAt("currency")))},
			{name: "unknown field", req: post(`{"data":{"type":"productprices","attributes":{"value":"1","price":"1"},
				"relationships":{"product":{"data":{"type":"products","id":"2"}},"currency":{"data":{"type":"currencies","id":"EUR"}}}}}`, true),
				status: 400, want: errorsDoc(extraField(attrAt("price")))},
		})
		env.Do(apitest.Request{Path: "/api/productprices?page[size]=-1"}).Expect(t, 200,
			listDoc(selfLinks("/api/productprices?page[size]=-1"), first, bulk, cmPrice("3", "0.0000", "0.5000", "1", "GBP"), lamp))

		expectDeleted(t, env, "/api/productprices/1")
		env.Do(apitest.Request{Path: "/api/products/1?fields[products]=price,prices", Header: map[string]string{"X-Include": "noHateoas"}}).
			Expect(t, 200, `{"data":{"type":"products","id":"1","attributes":{"price":null},"relationships":{"prices":{"data":`+idents("productprices", "2", "3")+`}}}}`)
	})
}

// ----- weightunits -----

func cmWeightUnit(id, rates string) string {
	return resObject("weightunits", id, `"conversionRates":`+rates)
}

func TestCommerceWeightUnits(t *testing.T) {
	t.Parallel()
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		kg := cmWeightUnit("kg", `{"lbs":2.20462}`)
		lbs := cmWeightUnit("lbs", `{"kg":0.453592}`)
		env.Do(apitest.Request{Path: "/api/weightunits"}).Expect(t, 200, listDoc(selfLinks("/api/weightunits"), kg, lbs))
		env.Do(apitest.Request{Path: "/api/weightunits/lbs"}).Expect(t, 200, itemDoc("/api/weightunits/lbs", lbs))

		// the client assigns the id
		gram := cmWeightUnit("g", `{"kg":0.001,"lbs":0.00220462}`)
		expectCreated(t, env.Do(apitest.Request{Method: http.MethodPost, Path: "/api/weightunits",
			Body: `{"data":{"type":"weightunits","id":"g","attributes":{"conversionRates":{"kg":0.001,"lbs":0.00220462}}}}`}),
			"weightunits", "g", itemDoc("/api/weightunits/g", gram))
		env.Do(apitest.Request{Path: "/api/weightunits/g"}).Expect(t, 200, itemDoc("/api/weightunits/g", gram))
		env.Do(apitest.Request{Path: "/api/weightunits?meta=title&sort=-id", Header: map[string]string{"X-Include": "noHateoas"}}).Expect(t, 200, `{"data":[
			{"type":"weightunits","id":"lbs","meta":{"title":"lbs"},"attributes":{"conversionRates":{"kg":0.453592}}},
			{"type":"weightunits","id":"kg","meta":{"title":"kg"},"attributes":{"conversionRates":{"lbs":2.20462}}},
			{"type":"weightunits","id":"g","meta":{"title":"g"},"attributes":{"conversionRates":{"kg":0.001,"lbs":0.00220462}}}]}`)
		env.Do(apitest.Request{Method: http.MethodPost, Path: "/api/weightunits", Body: `{"data":{"type":"weightunits","id":"t"}}`}).
			Expect(t, 201, itemDoc("/api/weightunits/t", cmWeightUnit("t", "null")))

		// update
		env.Do(apitest.Request{Method: http.MethodPatch, Path: "/api/weightunits/g", Body: `{"data":{"type":"weightunits","id":"g","attributes":{"conversionRates":null}}}`}).
			Expect(t, 200, itemDoc("/api/weightunits/g", cmWeightUnit("g", "null")))
		env.Do(apitest.Request{Method: http.MethodPatch, Path: "/api/weightunits/g", Body: `{"data":{"type":"weightunits","id":"g","attributes":{"conversionRates":{"kg":0.001}}}}`}).
			Expect(t, 200, itemDoc("/api/weightunits/g", cmWeightUnit("g", `{"kg":0.001}`)))
		env.Do(apitest.Request{Method: http.MethodPatch, Path: "/api/weightunits/g", Body: `{"data":{"type":"weightunits","id":"g"}}`}).
			Expect(t, 200, itemDoc("/api/weightunits/g", cmWeightUnit("g", `{"kg":0.001}`)))

		post := func(body string, invalid bool) apitest.Request {
			return apitest.Request{Method: http.MethodPost, Path: "/api/weightunits", Body: body, Invalid: invalid}
		}
		runCases(t, env, []apiCase{
			{name: "without an id", req: post(`{"data":{"type":"weightunits","attributes":{"conversionRates":{"kg":1}}}}`, true), status: 400,
				want: errorsDoc(notBlank("/data/id"))},
			{name: "with an empty id", req: post(`{"data":{"type":"weightunits","id":"","attributes":{"conversionRates":{"kg":1}}}}`, false), status: 400,
				want: errorsDoc(notBlank("/data/id"))},
			{name: "with an existing id", req: post(`{"data":{"type":"weightunits","id":"kg","attributes":{"conversionRates":{"g":1000}}}}`, false), status: 409,
				want: errorDoc(409, "conflict constraint", "The entity already exists.", atPointer("/data/id"))},
			{name: "rates that are not numbers", req: post(`{"data":{"type":"weightunits","id":"oz","attributes":{"conversionRates":{"kg":"a lot"}}}}`, true), status: 400,
				want: errorsDoc(invalid(attrAt("conversionRates")+"/kg", "type constraint", "This value should be of type number."))},
			{name: "unknown field", req: post(`{"data":{"type":"weightunits","id":"oz","attributes":{"symbol":"oz"}}}`, true), status: 400,
				want: errorsDoc(extraField(attrAt("symbol")))},
			{name: "missing", req: apitest.Request{Path: "/api/weightunits/oz"}, status: 404,
				want: errorDoc(404, "not found http exception", "An entity with the requested identifier does not exist.", "")},
		})
		env.Do(apitest.Request{Path: "/api/weightunits/kg"}).Expect(t, 200, itemDoc("/api/weightunits/kg", kg))

		expectDeleted(t, env, "/api/weightunits/g")
		env.Do(apitest.Request{Path: "/api/weightunits?filter[id]=g,kg,t"}).Expect(t, 200, listDoc(selfLinks("/api/weightunits?filter[id]=g,kg,t"), kg, cmWeightUnit("t", "null")))
	})
}

// ----- taxjurisdictions -----

func cmJurisdiction(id, code, description, regionText, zipCodes, country, region string) string {
	regionLink := "null"
	if region != "" {
		regionLink = ident("regions", region)
	}
	return resObject("taxjurisdictions", id,
		fmt.Sprintf(`"code":%s,"description":%s,"regionText":%s,"zipCodes":%s`, jsonText(code), description, regionText, zipCodes),
		relData{"country", ident("countries", country)}, relData{"region", regionLink})
}

func cmJurisdictionBody(code, attrs, country, region string) string {
	rels := fmt.Sprintf(`"country":{"data":{"type":"countries","id":%q}}`, country)
	if region != "" {
		rels += fmt.Sprintf(`,"region":{"data":{"type":"regions","id":%q}}`, region)
	}
	return fmt.Sprintf(`{"data":{"type":"taxjurisdictions","attributes":{"code":%s%s},"relationships":{%s}}}`, jsonText(code), attrs, rels)
}

func cmJurisdictionPatch(id, attrs, rels string) string {
	return fmt.Sprintf(`{"data":{"type":"taxjurisdictions","id":%q,"attributes":{%s},"relationships":{%s}}}`, id, attrs, rels)
}

func TestCommerceTaxJurisdictions(t *testing.T) {
	t.Parallel()
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		const zips = `[{"from":"90001","to":"90099"},{"from":"94105","to":null}]`
		ca := cmJurisdiction("1", "US-CA-SALES", `"California sales tax"`, `"CA"`, zips, "US", "US-CA")
		expectCreated(t, env.Do(apitest.Request{Method: http.MethodPost, Path: "/api/taxjurisdictions",
			Body: cmJurisdictionBody("US-CA-SALES", `,"description":"California sales tax","regionText":"CA","zipCodes":`+zips, "US", "US-CA")}),
			"taxjurisdictions", "1", itemDoc("/api/taxjurisdictions/1", ca))
		env.Do(apitest.Request{Path: "/api/taxjurisdictions/1"}).Expect(t, 200, itemDoc("/api/taxjurisdictions/1", ca))
		berlin := cmJurisdiction("2", "DE-BE-VAT", "null", "null", "[]", "DE", "DE-BE")
		expectCreated(t, env.Do(apitest.Request{Method: http.MethodPost, Path: "/api/taxjurisdictions",
			Body: cmJurisdictionBody("DE-BE-VAT", `,"zipCodes":[]`, "DE", "DE-BE")}),
			"taxjurisdictions", "2", itemDoc("/api/taxjurisdictions/2", berlin))
		gb := cmJurisdiction("3", "GB-VAT", "null", "null", `[{"from":"SW1A","to":null}]`, "GB", "")
		expectCreated(t, env.Do(apitest.Request{Method: http.MethodPost, Path: "/api/taxjurisdictions",
			Body: cmJurisdictionBody("GB-VAT", `,"zipCodes":[{"from":"SW1A","to":null}]`, "GB", "")}),
			"taxjurisdictions", "3", itemDoc("/api/taxjurisdictions/3", gb))

		runCases(t, env, []apiCase{
			{name: "collection", req: apitest.Request{Path: "/api/taxjurisdictions"}, status: 200, want: listDoc(selfLinks("/api/taxjurisdictions"), ca, berlin, gb)},
			{name: "by country", req: apitest.Request{Path: "/api/taxjurisdictions?filter[country]=DE,GB&sort=-code"}, status: 200,
				want: listDoc(selfLinks("/api/taxjurisdictions?filter[country]=DE,GB&sort=-code"), gb, berlin)},
			{name: "by code", req: apitest.Request{Path: "/api/taxjurisdictions?filter[code][ends_with]=vat&filter[region][exists]=yes"}, status: 200,
				want: listDoc(selfLinks("/api/taxjurisdictions?filter[code][ends_with]=vat&filter[region][exists]=yes"), berlin)},
			{name: "title", req: apitest.Request{Path: "/api/taxjurisdictions/3?meta=title&fields[taxjurisdictions]=", Header: map[string]string{"X-Include": "noHateoas"}}, status: 200,
				want: `{"data":{"type":"taxjurisdictions","id":"3","meta":{"title":"GB-VAT"}}}`},
		})

		// update: only the members sent change
		ca = cmJurisdiction("1", "US-CA-SALES", "null", `"CA"`, zips, "US", "US-CA")
		env.Do(apitest.Request{Method: http.MethodPatch, Path: "/api/taxjurisdictions/1", Body: cmJurisdictionPatch("1", `"description":null`, "")}).
			Expect(t, 200, itemDoc("/api/taxjurisdictions/1", ca))
		berlin = cmJurisdiction("2", "DE-BY-VAT", "null", "null", "[]", "DE", "DE-BY")
		env.Do(apitest.Request{Method: http.MethodPatch, Path: "/api/taxjurisdictions/2",
			Body: cmJurisdictionPatch("2", `"code":"DE-BY-VAT"`, `"region":{"data":{"type":"regions","id":"DE-BY"}}`)}).
			Expect(t, 200, itemDoc("/api/taxjurisdictions/2", berlin))
		gb = cmJurisdiction("3", "GB-VAT", "null", "null", `[{"from":"SW1A","to":"SW1Z"}]`, "US", "US-NY")
		env.Do(apitest.Request{Method: http.MethodPatch, Path: "/api/taxjurisdictions/3",
			Body: cmJurisdictionPatch("3", `"zipCodes":[{"from":"SW1A","to":"SW1Z"}]`, `"country":{"data":{"type":"countries","id":"US"}},"region":{"data":{"type":"regions","id":"US-NY"}}`)}).
			Expect(t, 200, itemDoc("/api/taxjurisdictions/3", gb))
		gb = cmJurisdiction("3", "GB-VAT", "null", "null", `[{"from":"SW1A","to":"SW1Z"}]`, "US", "")
		env.Do(apitest.Request{Method: http.MethodPatch, Path: "/api/taxjurisdictions/3", Body: cmJurisdictionPatch("3", "", `"region":{"data":null}`)}).
			Expect(t, 200, itemDoc("/api/taxjurisdictions/3", gb))

		post := func(body string, invalid bool) apitest.Request {
			return apitest.Request{Method: http.MethodPost, Path: "/api/taxjurisdictions", Body: body, Invalid: invalid}
		}
		patch := func(id, attrs, rels string) apitest.Request {
			return apitest.Request{Method: http.MethodPatch, Path: "/api/taxjurisdictions/" + id, Body: cmJurisdictionPatch(id, attrs, rels)}
		}
		foreign := invalid(linkAt("region"), "form constraint", "The region does not belong to the country.")
		runCases(t, env, []apiCase{
			{name: "region of another country", req: post(cmJurisdictionBody("X", "", "US", "DE-BE"), false), status: 400, want: errorsDoc(foreign)},
			{name: "country changed under the region", req: patch("1", "", `"country":{"data":{"type":"countries","id":"DE"}}`), status: 400, want: errorsDoc(foreign)},
			{name: "region changed to another country's", req: patch("2", "", `"region":{"data":{"type":"regions","id":"US-TX"}}`), status: 400, want: errorsDoc(foreign)},
			{name: "code taken", req: post(cmJurisdictionBody("GB-VAT", "", "GB", ""), false), status: 400, want: errorsDoc(taken(attrAt("code")))},
			{name: "code taken on update", req: patch("1", `"code":"DE-BY-VAT"`, ""), status: 400, want: errorsDoc(taken(attrAt("code")))},
			{name: "required", req: post(`{"data":{"type":"taxjurisdictions","attributes":{"description":"x"},"relationships":{}}}`, true), status: 400,
				want: errorsDoc(notBlank(attrAt("code")), notBlank(linkAt("country")))},
			{name: "null country", req: patch("1", "", `"country":{"data":null}`), status: 400, want: errorsDoc(notBlank(linkAt("country")))},
			{name: "length", req: post(cmJurisdictionBody("X", `,"regionText":"`+strings.Repeat("r", 256)+`"`, "US", ""), true), status: 400,
				want: errorsDoc(tooLong(attrAt("regionText"), 255))},
			{name: "missing country and region", req: post(cmJurisdictionBody("X", "", "ZZ", "ZZ-AA"), false), status: 400,
				want: errorsDoc(noEntity(linkAt("country")), noEntity(linkAt("region")))},
			{name: "zip code without from", req: post(cmJurisdictionBody("X", `,"zipCodes":[{"to":"1"}]`, "US", ""), true), status: 400,
				want: errorsDoc(invalid(attrAt("zipCodes")+"/0/from", "not blank constraint", "This value should not be blank."))},
			{name: "unknown field", req: post(cmJurisdictionBody("X", `,"rate":"0.19"`, "US", ""), true), status: 400,
				want: errorsDoc(extraField(attrAt("rate")))},
		})
		env.Do(apitest.Request{Path: "/api/taxjurisdictions"}).Expect(t, 200, listDoc(selfLinks("/api/taxjurisdictions"), ca, berlin, gb))

		expectDeleted(t, env, "/api/taxjurisdictions/2")
		env.Do(apitest.Request{Path: "/api/taxjurisdictions"}).Expect(t, 200, listDoc(selfLinks("/api/taxjurisdictions"), ca, gb))
	})
}
