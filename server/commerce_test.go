package server_test

// Scenario tests of the commerce types (domain.md "Commerce" and asyncoperations): localizations,
// currencies, countries, regions, products, productprices, weightunits, taxjurisdictions and
// asyncoperations. The helpers of protocol_test.go (protoBackends, runCases, protoError, …) are
// shared.

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

// cmE is one expected validation error.
type cmE struct{ title, detail, pointer string }

// cmErrors is the error document of a request that failed with these errors.
func cmErrors(status int, errs ...cmE) string {
	parts := make([]string, len(errs))
	for i, e := range errs {
		parts[i] = fmt.Sprintf(`{"status":"%d","title":%s,"detail":%s,"source":{"pointer":%s}}`,
			status, jsonText(e.title), jsonText(e.detail), jsonText(e.pointer))
	}
	return `{"errors":[` + strings.Join(parts, ",") + `]}`
}

func cmAttr(name string) string { return "/data/attributes/" + name }
func cmLink(name string) string { return "/data/relationships/" + name + "/data" }

func cmNotBlank(ptr string) cmE {
	return cmE{"not blank constraint", "This value should not be blank.", ptr}
}
func cmTooLong(ptr string, n int) cmE {
	return cmE{"length constraint", fmt.Sprintf("This value is too long. It should have %d characters or less.", n), ptr}
}
func cmChoice(ptr string) cmE {
	return cmE{"choice constraint", "The value you selected is not a valid choice.", ptr}
}
func cmType(ptr, typ string) cmE {
	return cmE{"type constraint", "This value should be of type " + typ + ".", ptr}
}
func cmTaken(ptr string) cmE {
	return cmE{"unique entity constraint", "This value is already used.", ptr}
}
func cmNoEntity(ptr string) cmE { return cmE{"form constraint", "The entity does not exist.", ptr} }
func cmExtra(ptr, name string) cmE {
	return cmE{"extra fields constraint", fmt.Sprintf("This form should not contain extra fields: %q.", name), ptr}
}

// cmObject is a resource object of typ/id with its self link; attrs and rels are JSON object
// bodies ("" = the member is absent).
func cmObject(typ, id, attrs, rels string) string {
	s := fmt.Sprintf(`{"type":%q,"id":%q,"links":{"self":"%s/api/%s/%s"}`, typ, id, protoBase, typ, id)
	if attrs != "" {
		s += `,"attributes":{` + attrs + `}`
	}
	if rels != "" {
		s += `,"relationships":{` + rels + `}`
	}
	return s + "}"
}

// cmRels renders relationship members of typ/id: name, linkage, name, linkage, …
func cmRels(typ, id string, nameAndData ...string) string {
	parts := make([]string, 0, len(nameAndData)/2)
	for i := 0; i < len(nameAndData); i += 2 {
		parts = append(parts, jsonText(nameAndData[i])+":"+protoRel(typ, id, nameAndData[i], nameAndData[i+1]))
	}
	return strings.Join(parts, ",")
}

// cmIdents is a to-many linkage.
func cmIdents(typ string, ids ...string) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = protoIdent(typ, id)
	}
	return "[" + strings.Join(parts, ",") + "]"
}

// cmCollection is a collection document without paging links beyond self.
func cmCollection(self string, objects ...string) string {
	return `{"data":[` + strings.Join(objects, ",") + `],"links":{"self":` + jsonText(uriOf(protoBase+self)) + `}}`
}

// cmCreate posts body to /api/typ, asserts 201 with Location and ETag, and returns the new id.
func cmCreate(t *testing.T, env *apitest.Env, typ, body string) string {
	t.Helper()
	res := env.Do(apitest.Request{Method: http.MethodPost, Path: "/api/" + typ, Body: body})
	res.ExpectStatus(t, http.StatusCreated)
	doc, _ := res.JSON(t).(map[string]any)
	data, _ := doc["data"].(map[string]any)
	id, _ := data["id"].(string)
	if id == "" {
		t.Fatalf("POST /api/%s: no id in %s", typ, res.Body)
	}
	if loc := res.Header.Get("Location"); loc != protoBase+"/api/"+typ+"/"+id {
		t.Fatalf("POST /api/%s: Location %q", typ, loc)
	}
	if res.Header.Get("ETag") == "" {
		t.Fatalf("POST /api/%s: no ETag", typ)
	}
	return id
}

// cmCreated asserts a 201 answer: the exact document, Location and ETag.
func cmCreated(t *testing.T, res *apitest.Response, location, want string) {
	t.Helper()
	res.Expect(t, http.StatusCreated, want)
	if got := res.Header.Get("Location"); got != protoBase+location {
		t.Fatalf("Location %q, want %q", got, protoBase+location)
	}
	if res.Header.Get("ETag") == "" {
		t.Fatal("no ETag on a created resource")
	}
}

// cmDeleted deletes path, expecting 204 without a body, then a 404 on GET.
func cmDeleted(t *testing.T, env *apitest.Env, path string) {
	t.Helper()
	env.Do(apitest.Request{Method: http.MethodDelete, Path: path}).Expect(t, http.StatusNoContent, "")
	env.Do(apitest.Request{Path: path}).Expect(t, http.StatusNotFound,
		protoError(404, "not found http exception", "An entity with the requested identifier does not exist.", ""))
	env.Do(apitest.Request{Method: http.MethodDelete, Path: path}).Expect(t, http.StatusNotFound,
		protoError(404, "not found http exception", "An entity with the requested identifier does not exist.", ""))
}

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
		link = protoIdent("localizations", parent)
	}
	return cmObject("localizations", id,
		fmt.Sprintf(`"name":%s,"languageCode":%q,"formattingCode":%q,"default":%t`, jsonText(name), lang, format, isDefault),
		cmRels("localizations", id, "parentLocalization", link))
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
		link = protoIdent("localizations", parent)
	}
	return fmt.Sprintf(`{"data":{"type":"localizations","id":%q,"relationships":{"parentLocalization":{"data":%s}}}}`, id, link)
}

func TestCommerceLocalizations(t *testing.T) {
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		env.Do(apitest.Request{Path: "/api/localizations"}).
			Expect(t, 200, cmCollection("/api/localizations", cmEnglish, cmGerman, cmFrench))
		env.Do(apitest.Request{Path: "/api/localizations/2"}).Expect(t, 200, protoItem(cmGerman, "/api/localizations/2"))

		// create, read, update
		swiss := cmLocalization("4", "Swiss German", "de", "de_CH", false, "2")
		cmCreated(t, env.Do(apitest.Request{Method: http.MethodPost, Path: "/api/localizations",
			Body: cmLocalizationBody("Swiss German", "de", "de_CH", "2")}), "/api/localizations/4", protoItem(swiss, "/api/localizations/4"))
		env.Do(apitest.Request{Path: "/api/localizations/4"}).Expect(t, 200, protoItem(swiss, "/api/localizations/4"))
		env.Do(apitest.Request{Path: "/api/localizations?filter[languageCode]=de&sort=-name&meta=title", Header: map[string]string{"X-Include": "noHateoas"}}).
			Expect(t, 200, `{"data":[
				{"type":"localizations","id":"4","meta":{"title":"Swiss German"},"attributes":{"name":"Swiss German","languageCode":"de","formattingCode":"de_CH","default":false},"relationships":{"parentLocalization":{"data":{"type":"localizations","id":"2"}}}},
				{"type":"localizations","id":"2","meta":{"title":"German"},"attributes":{"name":"German","languageCode":"de","formattingCode":"de_DE","default":false},"relationships":{"parentLocalization":{"data":null}}}]}`)
		renamed := cmLocalization("4", "Schweizerdeutsch", "de", "de_CH", false, "2")
		env.Do(apitest.Request{Method: http.MethodPatch, Path: "/api/localizations/4",
			Body: `{"data":{"type":"localizations","id":"4","attributes":{"name":"Schweizerdeutsch"}}}`}).
			Expect(t, 200, protoItem(renamed, "/api/localizations/4"))
		env.Do(apitest.Request{Method: http.MethodPatch, Path: "/api/localizations/4", Body: cmSetParent("4", "")}).
			Expect(t, 200, protoItem(cmLocalization("4", "Schweizerdeutsch", "de", "de_CH", false, ""), "/api/localizations/4"))
		env.Do(apitest.Request{Method: http.MethodPatch, Path: "/api/localizations/4", Body: cmSetParent("4", "2")}).
			Expect(t, 200, protoItem(renamed, "/api/localizations/4"))
		cmCreate(t, env, "localizations", cmLocalizationBody("Basel German", "de", "de_CH", "4")) // 5 → 4 → 2

		// errors
		cycle := cmE{"form constraint", "The parent cannot be the record itself or one of its descendants.", cmLink("parentLocalization")}
		post := func(body string, invalid bool) apitest.Request {
			return apitest.Request{Method: http.MethodPost, Path: "/api/localizations", Body: body, Invalid: invalid}
		}
		runCases(t, env, []apiCase{
			{name: "parent is itself", req: apitest.Request{Method: http.MethodPatch, Path: "/api/localizations/1", Body: cmSetParent("1", "1")},
				status: 400, want: cmErrors(400, cycle)},
			{name: "parent is a child", req: apitest.Request{Method: http.MethodPatch, Path: "/api/localizations/2", Body: cmSetParent("2", "4")},
				status: 400, want: cmErrors(400, cycle)},
			{name: "parent is a grandchild", req: apitest.Request{Method: http.MethodPatch, Path: "/api/localizations/2", Body: cmSetParent("2", "5")},
				status: 400, want: cmErrors(400, cycle)},
			{name: "parent does not exist", req: apitest.Request{Method: http.MethodPatch, Path: "/api/localizations/2", Body: cmSetParent("2", "99")},
				status: 400, want: cmErrors(400, cmNoEntity(cmLink("parentLocalization")))},
			{name: "required", req: post(`{"data":{"type":"localizations","attributes":{}}}`, true), status: 400,
				want: cmErrors(400, cmNotBlank(cmAttr("name")), cmNotBlank(cmAttr("languageCode")), cmNotBlank(cmAttr("formattingCode")))},
			{name: "blank", req: post(cmLocalizationBody("  ", "de", "de_AT", ""), false), status: 400,
				want: cmErrors(400, cmNotBlank(cmAttr("name")))},
			{name: "length", req: post(cmLocalizationBody("Long", "de", strings.Repeat("x", 17), ""), true), status: 400,
				want: cmErrors(400, cmTooLong(cmAttr("formattingCode"), 16))},
			{name: "type", req: post(`{"data":{"type":"localizations","attributes":{"name":42,"languageCode":"de","formattingCode":"de_AT"}}}`, true), status: 400,
				want: cmErrors(400, cmType(cmAttr("name"), "string"))},
			{name: "read-only and unknown fields", req: post(`{"data":{"type":"localizations","attributes":{"name":"X","languageCode":"x","formattingCode":"x","default":true,"foo":1}}}`, true), status: 400,
				want: cmErrors(400, cmExtra(cmAttr("default"), "default"), cmExtra(cmAttr("foo"), "foo"))},
			{name: "missing parent on create", req: post(cmLocalizationBody("Austrian German", "de", "de_AT", "99"), false), status: 400,
				want: cmErrors(400, cmNoEntity(cmLink("parentLocalization")))},
			{name: "null for a required attribute", req: apitest.Request{Method: http.MethodPatch, Path: "/api/localizations/4", Invalid: true,
				Body: `{"data":{"type":"localizations","id":"4","attributes":{"languageCode":null}}}`}, status: 400,
				want: cmErrors(400, cmNotBlank(cmAttr("languageCode")))},
		})
		// the refused writes changed nothing
		env.Do(apitest.Request{Path: "/api/localizations?page[size]=-1"}).Expect(t, 200, cmCollection("/api/localizations?page[size]=-1",
			cmEnglish, cmGerman, cmFrench, renamed, cmLocalization("5", "Basel German", "de", "de_CH", false, "4")))

		// deleting a parent leaves its children without one
		cmDeleted(t, env, "/api/localizations/4")
		env.Do(apitest.Request{Path: "/api/localizations/5"}).
			Expect(t, 200, protoItem(cmLocalization("5", "Basel German", "de", "de_CH", false, ""), "/api/localizations/5"))
	})
}

// ----- read-only reference data -----

func cmCurrency(id, name, symbol string) string {
	return cmObject("currencies", id, fmt.Sprintf(`"name":%s,"symbol":%s`, jsonText(name), jsonText(symbol)), "")
}

func cmCountry(id, name, iso3 string, regions ...string) string {
	return cmObject("countries", id, fmt.Sprintf(`"name":%s,"iso3Code":%q`, jsonText(name), iso3),
		cmRels("countries", id, "regions", cmIdents("regions", regions...)))
}

func cmRegion(id, name, code, country string) string {
	return cmObject("regions", id, fmt.Sprintf(`"name":%s,"code":%q`, jsonText(name), code),
		cmRels("regions", id, "country", protoIdent("countries", country)))
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
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		notFound := protoError(404, "not found http exception", "An entity with the requested identifier does not exist.", "")
		get := func(path string, want string) apiCase {
			return apiCase{name: path, req: apitest.Request{Path: path}, status: 200, want: want}
		}
		runCases(t, env, []apiCase{
			get("/api/currencies", cmCollection("/api/currencies", cmEUR, cmGBP, cmJPY, cmUSD)),
			get("/api/currencies/JPY", protoItem(cmJPY, "/api/currencies/JPY")),
			get("/api/currencies?sort=-id&filter[id]=EUR,USD", cmCollection("/api/currencies?sort=-id&filter[id]=EUR,USD", cmUSD, cmEUR)),
			{name: "currency title", req: apitest.Request{Path: "/api/currencies/EUR?meta=title", Header: map[string]string{"X-Include": "noHateoas"}}, status: 200,
				want: `{"data":{"type":"currencies","id":"EUR","meta":{"title":"Euro"},"attributes":{"name":"Euro","symbol":"€"}}}`},
			{name: "unknown currency", req: apitest.Request{Path: "/api/currencies/XXX"}, status: 404, want: notFound},
			{name: "a currency code is case-sensitive", req: apitest.Request{Path: "/api/currencies/usd"}, status: 404, want: notFound},

			get("/api/countries", cmCollection("/api/countries", cmCA, cmDE, cmFR, cmGB, cmUS)),
			get("/api/countries/DE", protoItem(cmDE, "/api/countries/DE")),
			get("/api/countries?sort=name", cmCollection("/api/countries?sort=name", cmCA, cmFR, cmDE, cmGB, cmUS)),
			get("/api/countries?filter[name][contains]=UNITED&sort=-name", cmCollection("/api/countries?filter[name][contains]=UNITED&sort=-name", cmUS, cmGB)),
			get("/api/countries?filter[iso3Code]=FRA", cmCollection("/api/countries?filter[iso3Code]=FRA", cmFR)),
			{name: "country title", req: apitest.Request{Path: "/api/countries/GB?meta=title&fields[countries]=iso3Code", Header: map[string]string{"X-Include": "noHateoas"}}, status: 200,
				want: `{"data":{"type":"countries","id":"GB","meta":{"title":"United Kingdom"},"attributes":{"iso3Code":"GBR"}}}`},
			{name: "unknown country", req: apitest.Request{Path: "/api/countries/ZZ"}, status: 404, want: notFound},

			get("/api/regions", cmCollection("/api/regions", cmBerlin, cmBavaria, cmCalifornia, cmNewYork, cmTexas)),
			get("/api/regions/US-NY", protoItem(cmNewYork, "/api/regions/US-NY")),
			get("/api/regions?filter[country]=DE&sort=name", cmCollection("/api/regions?filter[country]=DE&sort=name", cmBavaria, cmBerlin)),
			get("/api/regions?filter[name][starts_with]=new", cmCollection("/api/regions?filter[name][starts_with]=new", cmNewYork)),
			{name: "region title", req: apitest.Request{Path: "/api/regions/US-TX?meta=title&fields[regions]=", Header: map[string]string{"X-Include": "noHateoas"}}, status: 200,
				want: `{"data":{"type":"regions","id":"US-TX","meta":{"title":"Texas"}}}`},
			{name: "unknown region", req: apitest.Request{Path: "/api/regions/US-ZZ"}, status: 404, want: notFound},
		})
		cmReadOnly(t, env, "currencies", "USD", `"name":"Dollar"`)
		cmReadOnly(t, env, "countries", "US", `"name":"USA"`)
		cmReadOnly(t, env, "regions", "US-CA", `"name":"Cal"`)
		// nothing changed
		env.Do(apitest.Request{Path: "/api/currencies/USD"}).Expect(t, 200, protoItem(cmUSD, "/api/currencies/USD"))
		env.Do(apitest.Request{Path: "/api/countries/US"}).Expect(t, 200, protoItem(cmUS, "/api/countries/US"))
		env.Do(apitest.Request{Path: "/api/regions/US-CA"}).Expect(t, 200, protoItem(cmCalifornia, "/api/regions/US-CA"))
	})
}

// ----- asyncoperations -----

func TestCommerceAsyncOperations(t *testing.T) {
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		env.Do(apitest.Request{Path: "/api/asyncoperations"}).Expect(t, 200, cmCollection("/api/asyncoperations"))

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
			return cmObject("asyncoperations", id, attrs,
				cmRels("asyncoperations", id, "owner", protoIdent("users", "1"), "organization", protoIdent("organizations", "1")))
		}
		op1 := op("1", `"status":"new","progress":null,"createdAt":"2024-03-01T10:00:00Z","updatedAt":"2024-03-01T10:00:00Z",
			"elapsedTime":0,"entityType":"accounts","summary":null`)
		op2 := op("2", `"status":"success","progress":1,"createdAt":"2024-03-01T10:00:00Z","updatedAt":"2024-03-01T10:00:05Z",
			"elapsedTime":5,"entityType":"contacts",
			"summary":{"aggregateTime":4870,"readCount":3,"writeCount":2,"errorCount":1,"createCount":2,"updateCount":0}`)
		runCases(t, env, []apiCase{
			{name: "item", req: apitest.Request{Path: "/api/asyncoperations/1"}, status: 200, want: protoItem(op1, "/api/asyncoperations/1")},
			{name: "finished item", req: apitest.Request{Path: "/api/asyncoperations/2"}, status: 200, want: protoItem(op2, "/api/asyncoperations/2")},
			{name: "collection", req: apitest.Request{Path: "/api/asyncoperations"}, status: 200, want: cmCollection("/api/asyncoperations", op1, op2)},
			{name: "filter and sort", req: apitest.Request{Path: "/api/asyncoperations?filter[status]=success,new&sort=-updatedAt"}, status: 200,
				want: cmCollection("/api/asyncoperations?filter[status]=success,new&sort=-updatedAt", op2, op1)},
			{name: "filter by entity type", req: apitest.Request{Path: "/api/asyncoperations?filter[entityType]=accounts"}, status: 200,
				want: cmCollection("/api/asyncoperations?filter[entityType]=accounts", op1)},
			{name: "missing", req: apitest.Request{Path: "/api/asyncoperations/3"}, status: 404,
				want: protoError(404, "not found http exception", "An entity with the requested identifier does not exist.", "")},
		})
		cmReadOnly(t, env, "asyncoperations", "1", `"status":"cancelled"`)
		env.Do(apitest.Request{Path: "/api/asyncoperations/1"}).Expect(t, 200, protoItem(op1, "/api/asyncoperations/1"))
	})
}

// ----- products and prices -----

// cmProduct is a product owned by business unit 1 in organization org; names and price are JSON.
func cmProduct(id, sku, names, name, status, price, org string, prices ...string) string {
	return cmObject("products", id,
		fmt.Sprintf(`"sku":%s,"names":%s,"name":%s,"status":%q,"price":%s,"createdAt":"<any>","updatedAt":"<any>"`,
			jsonText(sku), names, jsonText(name), status, price),
		cmRels("products", id, "prices", cmIdents("productprices", prices...),
			"owner", protoIdent("businessunits", "1"), "organization", protoIdent("organizations", org)))
}

func cmProductBody(sku, names, more string) string {
	return fmt.Sprintf(`{"data":{"type":"products","attributes":{"sku":%s,"names":%s%s}}}`, jsonText(sku), names, more)
}

func cmPrice(id, value, quantity, product, currency string) string {
	return cmObject("productprices", id, fmt.Sprintf(`"value":%q,"quantity":%q`, value, quantity),
		cmRels("productprices", id, "product", protoIdent("products", product), "currency", protoIdent("currencies", currency)))
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
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		cmCreate(t, env, "localizations", cmLocalizationBody("Swiss German", "de", "de_CH", "2")) // 4 → 2

		chair := cmProduct("1", "CHAIR-1", cmChairNames, "Chair", "enabled", "null", "1")
		cmCreated(t, env.Do(apitest.Request{Method: http.MethodPost, Path: "/api/products", Body: cmProductBody("CHAIR-1", cmChairNames, "")}),
			"/api/products/1", protoItem(chair, "/api/products/1"))
		env.Do(apitest.Request{Path: "/api/products/1"}).Expect(t, 200, protoItem(chair, "/api/products/1"))
		lamp := cmProduct("2", "LAMP-1", cmLampNames, "Lamp (US)", "disabled", "null", "1")
		cmCreated(t, env.Do(apitest.Request{Method: http.MethodPost, Path: "/api/products", Body: cmProductBody("LAMP-1", cmLampNames, `,"status":"disabled"`)}),
			"/api/products/2", protoItem(lamp, "/api/products/2"))
		env.Do(apitest.Request{Path: "/api/products"}).Expect(t, 200, cmCollection("/api/products", chair, lamp))

		// prices: quantity 1 in each currency, and a quantity 10 price that the price attribute ignores
		cmCreate(t, env, "productprices", cmPriceBody("12.5", "", "1", "USD"))
		cmCreate(t, env, "productprices", cmPriceBody("11.00", "1", "1", "EUR"))
		cmCreate(t, env, "productprices", cmPriceBody("9.99", "10", "1", "USD"))
		cmCreate(t, env, "productprices", cmPriceBody("8", "10", "1", "GBP"))

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
				`{"data":{"type":"products","id":"1","relationships":{"prices":{"data":`+cmIdents("productprices", "1", "2", "3", "4")+`}}}}`),
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
			Expect(t, 200, protoItem(chairDisabled, "/api/products/1"))
		const armchair = `[{"localization":"3","value":"Fauteuil"},{"localization":null,"value":"Armchair"}]`
		env.Do(apitest.Request{Method: http.MethodPatch, Path: "/api/products/1", Header: map[string]string{"X-Localization-ID": "2", "X-Currency": "EUR"},
			Body: `{"data":{"type":"products","id":"1","attributes":{"names":` + armchair + `}}}`}).
			Expect(t, 200, protoItem(cmProduct("1", "CHAIR-1", armchair, "Armchair", "disabled", eur, "1", "1", "2", "3", "4"), "/api/products/1"))

		// sku is unique per organization
		cmCreate(t, env, "organizations", `{"data":{"type":"organizations","attributes":{"name":"Second"}}}`)
		other := `,"relationships":{"organization":{"data":{"type":"organizations","id":"2"}}}`
		otherChair := cmProduct("3", "CHAIR-1", `[{"localization":null,"value":"Other chair"}]`, "Other chair", "enabled", "null", "2")
		cmCreated(t, env.Do(apitest.Request{Method: http.MethodPost, Path: "/api/products",
			Body: strings.TrimSuffix(cmProductBody("CHAIR-1", `[{"localization":null,"value":"Other chair"}]`, ""), "}}") + other + "}}"}),
			"/api/products/3", protoItem(otherChair, "/api/products/3"))
		env.Do(apitest.Request{Method: http.MethodPatch, Path: "/api/products/3", Body: `{"data":{"type":"products","id":"3","attributes":{"sku":"LAMP-1"}}}`}).
			Expect(t, 200, protoItem(cmProduct("3", "LAMP-1", `[{"localization":null,"value":"Other chair"}]`, "Other chair", "enabled", "null", "2"), "/api/products/3"))

		post := func(body string, invalid bool) apitest.Request {
			return apitest.Request{Method: http.MethodPost, Path: "/api/products", Body: body, Invalid: invalid}
		}
		names := func(entries string) string { return cmProductBody("NEW-1", entries, "") }
		oneDefault := cmE{"not blank constraint", "Exactly one name must have no localization: it is the default name.", cmAttr("names")}
		runCases(t, env, []apiCase{
			{name: "sku taken", req: post(cmProductBody("LAMP-1", `[{"localization":null,"value":"Lamp"}]`, ""), false), status: 400,
				want: cmErrors(400, cmTaken(cmAttr("sku")))},
			{name: "sku taken on update", req: apitest.Request{Method: http.MethodPatch, Path: "/api/products/2",
				Body: `{"data":{"type":"products","id":"2","attributes":{"sku":"CHAIR-1"}}}`}, status: 400, want: cmErrors(400, cmTaken(cmAttr("sku")))},
			{name: "no default name", req: post(names(`[{"localization":"2","value":"Neu"}]`), false), status: 400, want: cmErrors(400, oneDefault)},
			{name: "two default names", req: post(names(`[{"localization":null,"value":"New"},{"localization":null,"value":"Novel"}]`), false), status: 400,
				want: cmErrors(400, oneDefault)},
			{name: "no default name on update", req: apitest.Request{Method: http.MethodPatch, Path: "/api/products/2",
				Body: `{"data":{"type":"products","id":"2","attributes":{"names":[{"localization":"1","value":"Lamp"}]}}}`}, status: 400, want: cmErrors(400, oneDefault)},
			{name: "unknown and repeated localizations, blank value", req: post(names(`[{"localization":null,"value":" "},{"localization":"99","value":"?"},{"localization":"2","value":"Neu"},{"localization":"2","value":"Neuer"}]`), false),
				status: 400, want: cmErrors(400,
					cmNotBlank(cmAttr("names/0/value")),
					cmNoEntity(cmAttr("names/1/localization")),
					cmE{"unique entity constraint", "The product already has a name for this localization.", cmAttr("names/3/localization")})},
			{name: "required", req: post(`{"data":{"type":"products","attributes":{"status":"enabled"}}}`, true), status: 400,
				want: cmErrors(400, cmNotBlank(cmAttr("sku")), cmNotBlank(cmAttr("names")))},
			{name: "length, choice and type", req: post(`{"data":{"type":"products","attributes":{"sku":"`+strings.Repeat("s", 256)+`","names":[{"localization":null,"value":"X"}],"status":"gone"}}}`, true),
				status: 400, want: cmErrors(400, cmTooLong(cmAttr("sku"), 255), cmChoice(cmAttr("status")))},
			{name: "type", req: post(`{"data":{"type":"products","attributes":{"sku":7,"names":[{"localization":null,"value":"X"}]}}}`, true),
				status: 400, want: cmErrors(400, cmType(cmAttr("sku"), "string"))},
			{name: "read-only and unknown fields", req: post(`{"data":{"type":"products","attributes":{"sku":"X","names":[{"localization":null,"value":"X"}],"foo":1,"price":{"value":"1","currency":"USD"},"name":"X"},
				"relationships":{"prices":{"data":[]}}}}`, true),
				status: 400, want: cmErrors(400, cmExtra(cmAttr("name"), "name"), cmExtra(cmAttr("price"), "price"), cmExtra(cmAttr("foo"), "foo"),
					cmExtra("/data/relationships/prices", "prices"))},
			{name: "missing owner and organization", req: post(`{"data":{"type":"products","attributes":{"sku":"X","names":[{"localization":null,"value":"X"}]},
				"relationships":{"owner":{"data":{"type":"businessunits","id":"99"}},"organization":{"data":{"type":"organizations","id":"99"}}}}}`, false),
				status: 400, want: cmErrors(400, cmNoEntity(cmLink("owner")), cmNoEntity(cmLink("organization")))},
		})
		env.Do(apitest.Request{Path: "/api/products?fields[products]=sku", Header: map[string]string{"X-Include": "noHateoas"}}).Expect(t, 200, `{"data":[
			{"type":"products","id":"1","attributes":{"sku":"CHAIR-1"}},
			{"type":"products","id":"2","attributes":{"sku":"LAMP-1"}},
			{"type":"products","id":"3","attributes":{"sku":"LAMP-1"}}]}`)

		// deleting a product deletes its prices
		cmDeleted(t, env, "/api/products/1")
		env.Do(apitest.Request{Path: "/api/productprices"}).Expect(t, 200, cmCollection("/api/productprices"))
		cmDeleted(t, env, "/api/products/3")
	})
}

func TestCommerceProductPrices(t *testing.T) {
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		cmCreate(t, env, "products", cmProductBody("CHAIR-1", cmChairNames, ""))
		cmCreate(t, env, "products", cmProductBody("LAMP-1", cmLampNames, ""))

		first := cmPrice("1", "12.5000", "1.0000", "1", "USD")
		cmCreated(t, env.Do(apitest.Request{Method: http.MethodPost, Path: "/api/productprices", Body: cmPriceBody("12.5", "", "1", "USD")}),
			"/api/productprices/1", protoItem(first, "/api/productprices/1"))
		env.Do(apitest.Request{Path: "/api/productprices/1"}).Expect(t, 200, protoItem(first, "/api/productprices/1"))
		bulk := cmPrice("2", "10.0000", "10.0000", "1", "USD")
		cmCreated(t, env.Do(apitest.Request{Method: http.MethodPost, Path: "/api/productprices", Body: cmPriceBody("10", "10", "1", "USD")}),
			"/api/productprices/2", protoItem(bulk, "/api/productprices/2"))
		free := cmPrice("3", "0.0000", "0.5000", "1", "EUR")
		cmCreated(t, env.Do(apitest.Request{Method: http.MethodPost, Path: "/api/productprices", Body: cmPriceBody("0", "0.5", "1", "EUR")}),
			"/api/productprices/3", protoItem(free, "/api/productprices/3"))
		lamp := cmPrice("4", "30.0000", "1.0000", "2", "USD")
		cmCreate(t, env, "productprices", cmPriceBody("30.0000", "1", "2", "USD"))

		runCases(t, env, []apiCase{
			{name: "collection", req: apitest.Request{Path: "/api/productprices"}, status: 200, want: cmCollection("/api/productprices", first, bulk, free, lamp)},
			{name: "by product, sorted by value", req: apitest.Request{Path: "/api/productprices?filter[product]=1&sort=-value"}, status: 200,
				want: cmCollection("/api/productprices?filter[product]=1&sort=-value", first, bulk, free)},
			{name: "by currency and quantity", req: apitest.Request{Path: "/api/productprices?filter[currency]=USD&filter[quantity]=1"}, status: 200,
				want: cmCollection("/api/productprices?filter[currency]=USD&filter[quantity]=1", first, lamp)},
			{name: "value range", req: apitest.Request{Path: "/api/productprices?filter[value]=10..20"}, status: 200,
				want: cmCollection("/api/productprices?filter[value]=10..20", first, bulk)},
		})

		// update: only the members sent change
		first = cmPrice("1", "13.0000", "1.0000", "1", "USD")
		env.Do(apitest.Request{Method: http.MethodPatch, Path: "/api/productprices/1", Body: `{"data":{"type":"productprices","id":"1","attributes":{"value":"13"}}}`}).
			Expect(t, 200, protoItem(first, "/api/productprices/1"))
		env.Do(apitest.Request{Method: http.MethodPatch, Path: "/api/productprices/3",
			Body: `{"data":{"type":"productprices","id":"3","relationships":{"currency":{"data":{"type":"currencies","id":"GBP"}}}}}`}).
			Expect(t, 200, protoItem(cmPrice("3", "0.0000", "0.5000", "1", "GBP"), "/api/productprices/3"))
		env.Do(apitest.Request{Path: "/api/products/1?fields[products]=price", Header: map[string]string{"X-Include": "noHateoas"}}).
			Expect(t, 200, `{"data":{"type":"products","id":"1","attributes":{"price":{"value":"13.0000","currency":"USD"}}}}`)

		post := func(body string, invalid bool) apitest.Request {
			return apitest.Request{Method: http.MethodPost, Path: "/api/productprices", Body: body, Invalid: invalid}
		}
		duplicate := cmE{"unique entity constraint", "A price for this product, currency and quantity already exists.", cmAttr("quantity")}
		runCases(t, env, []apiCase{
			{name: "same product, currency and quantity", req: post(cmPriceBody("1", "1.00", "1", "USD"), false), status: 400, want: cmErrors(400, duplicate)},
			{name: "same with the default quantity", req: post(cmPriceBody("1", "", "2", "USD"), false), status: 400, want: cmErrors(400, duplicate)},
			{name: "duplicate by update", req: apitest.Request{Method: http.MethodPatch, Path: "/api/productprices/2",
				Body: `{"data":{"type":"productprices","id":"2","attributes":{"quantity":"1"}}}`}, status: 400, want: cmErrors(400, duplicate)},
			{name: "duplicate by moving to another product", req: apitest.Request{Method: http.MethodPatch, Path: "/api/productprices/4",
				Body: `{"data":{"type":"productprices","id":"4","relationships":{"product":{"data":{"type":"products","id":"1"}}}}}`}, status: 400, want: cmErrors(400, duplicate)},
			{name: "negative value", req: post(cmPriceBody("-0.01", "", "2", "EUR"), false), status: 400,
				want: cmErrors(400, cmE{"range constraint", "This value should be 0 or more.", cmAttr("value")})},
			{name: "zero quantity", req: post(cmPriceBody("1", "0", "2", "EUR"), false), status: 400,
				want: cmErrors(400, cmE{"range constraint", "This value should be greater than 0.", cmAttr("quantity")})},
			{name: "negative quantity and value", req: post(cmPriceBody("-1", "-1", "2", "EUR"), false), status: 400,
				want: cmErrors(400, cmE{"range constraint", "This value should be 0 or more.", cmAttr("value")},
					cmE{"range constraint", "This value should be greater than 0.", cmAttr("quantity")})},
			{name: "too precise (the document declares the bound)", req: post(cmPriceBody("1.23456", "", "2", "EUR"), true), status: 400,
				want: cmErrors(400, cmE{"range constraint", "This value should have at most 15 digits before and 4 digits after the decimal point.", cmAttr("value")})},
			{name: "not a decimal", req: post(cmPriceBody("cheap", "", "2", "EUR"), true), status: 400, want: cmErrors(400, cmType(cmAttr("value"), "decimal"))},
			{name: "required", req: post(`{"data":{"type":"productprices","attributes":{},"relationships":{}}}`, true), status: 400,
				want: cmErrors(400, cmNotBlank(cmAttr("value")), cmNotBlank(cmLink("product")), cmNotBlank(cmLink("currency")))},
			{name: "null value", req: apitest.Request{Method: http.MethodPatch, Path: "/api/productprices/1", Invalid: true,
				Body: `{"data":{"type":"productprices","id":"1","attributes":{"value":null}}}`}, status: 400, want: cmErrors(400, cmNotBlank(cmAttr("value")))},
			{name: "missing product and currency", req: post(cmPriceBody("1", "", "99", "XXX"), false), status: 400,
				want: cmErrors(400, cmNoEntity(cmLink("product")), cmNoEntity(cmLink("currency")))},
			{name: "unknown field", req: post(`{"data":{"type":"productprices","attributes":{"value":"1","price":"1"},
				"relationships":{"product":{"data":{"type":"products","id":"2"}},"currency":{"data":{"type":"currencies","id":"EUR"}}}}}`, true),
				status: 400, want: cmErrors(400, cmExtra(cmAttr("price"), "price"))},
		})
		env.Do(apitest.Request{Path: "/api/productprices?page[size]=-1"}).Expect(t, 200,
			cmCollection("/api/productprices?page[size]=-1", first, bulk, cmPrice("3", "0.0000", "0.5000", "1", "GBP"), lamp))

		cmDeleted(t, env, "/api/productprices/1")
		env.Do(apitest.Request{Path: "/api/products/1?fields[products]=price,prices", Header: map[string]string{"X-Include": "noHateoas"}}).
			Expect(t, 200, `{"data":{"type":"products","id":"1","attributes":{"price":null},"relationships":{"prices":{"data":`+cmIdents("productprices", "2", "3")+`}}}}`)
	})
}

// ----- weightunits -----

func cmWeightUnit(id, rates string) string {
	return cmObject("weightunits", id, `"conversionRates":`+rates, "")
}

func TestCommerceWeightUnits(t *testing.T) {
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		kg := cmWeightUnit("kg", `{"lbs":2.20462}`)
		lbs := cmWeightUnit("lbs", `{"kg":0.453592}`)
		env.Do(apitest.Request{Path: "/api/weightunits"}).Expect(t, 200, cmCollection("/api/weightunits", kg, lbs))
		env.Do(apitest.Request{Path: "/api/weightunits/lbs"}).Expect(t, 200, protoItem(lbs, "/api/weightunits/lbs"))

		// the client assigns the id
		gram := cmWeightUnit("g", `{"kg":0.001,"lbs":0.00220462}`)
		cmCreated(t, env.Do(apitest.Request{Method: http.MethodPost, Path: "/api/weightunits",
			Body: `{"data":{"type":"weightunits","id":"g","attributes":{"conversionRates":{"kg":0.001,"lbs":0.00220462}}}}`}),
			"/api/weightunits/g", protoItem(gram, "/api/weightunits/g"))
		env.Do(apitest.Request{Path: "/api/weightunits/g"}).Expect(t, 200, protoItem(gram, "/api/weightunits/g"))
		env.Do(apitest.Request{Path: "/api/weightunits?meta=title&sort=-id", Header: map[string]string{"X-Include": "noHateoas"}}).Expect(t, 200, `{"data":[
			{"type":"weightunits","id":"lbs","meta":{"title":"lbs"},"attributes":{"conversionRates":{"kg":0.453592}}},
			{"type":"weightunits","id":"kg","meta":{"title":"kg"},"attributes":{"conversionRates":{"lbs":2.20462}}},
			{"type":"weightunits","id":"g","meta":{"title":"g"},"attributes":{"conversionRates":{"kg":0.001,"lbs":0.00220462}}}]}`)
		env.Do(apitest.Request{Method: http.MethodPost, Path: "/api/weightunits", Body: `{"data":{"type":"weightunits","id":"t"}}`}).
			Expect(t, 201, protoItem(cmWeightUnit("t", "null"), "/api/weightunits/t"))

		// update
		env.Do(apitest.Request{Method: http.MethodPatch, Path: "/api/weightunits/g", Body: `{"data":{"type":"weightunits","id":"g","attributes":{"conversionRates":null}}}`}).
			Expect(t, 200, protoItem(cmWeightUnit("g", "null"), "/api/weightunits/g"))
		env.Do(apitest.Request{Method: http.MethodPatch, Path: "/api/weightunits/g", Body: `{"data":{"type":"weightunits","id":"g","attributes":{"conversionRates":{"kg":0.001}}}}`}).
			Expect(t, 200, protoItem(cmWeightUnit("g", `{"kg":0.001}`), "/api/weightunits/g"))
		env.Do(apitest.Request{Method: http.MethodPatch, Path: "/api/weightunits/g", Body: `{"data":{"type":"weightunits","id":"g"}}`}).
			Expect(t, 200, protoItem(cmWeightUnit("g", `{"kg":0.001}`), "/api/weightunits/g"))

		post := func(body string, invalid bool) apitest.Request {
			return apitest.Request{Method: http.MethodPost, Path: "/api/weightunits", Body: body, Invalid: invalid}
		}
		runCases(t, env, []apiCase{
			{name: "without an id", req: post(`{"data":{"type":"weightunits","attributes":{"conversionRates":{"kg":1}}}}`, true), status: 400,
				want: cmErrors(400, cmNotBlank("/data/id"))},
			{name: "with an empty id", req: post(`{"data":{"type":"weightunits","id":"","attributes":{"conversionRates":{"kg":1}}}}`, false), status: 400,
				want: cmErrors(400, cmNotBlank("/data/id"))},
			{name: "with an existing id", req: post(`{"data":{"type":"weightunits","id":"kg","attributes":{"conversionRates":{"g":1000}}}}`, false), status: 409,
				want: cmErrors(409, cmE{"conflict constraint", "The entity already exists.", "/data/id"})},
			{name: "rates that are not numbers", req: post(`{"data":{"type":"weightunits","id":"oz","attributes":{"conversionRates":{"kg":"a lot"}}}}`, true), status: 400,
				want: cmErrors(400, cmE{"type constraint", "This value should be of type number.", cmAttr("conversionRates") + "/kg"})},
			{name: "unknown field", req: post(`{"data":{"type":"weightunits","id":"oz","attributes":{"symbol":"oz"}}}`, true), status: 400,
				want: cmErrors(400, cmExtra(cmAttr("symbol"), "symbol"))},
			{name: "missing", req: apitest.Request{Path: "/api/weightunits/oz"}, status: 404,
				want: protoError(404, "not found http exception", "An entity with the requested identifier does not exist.", "")},
		})
		env.Do(apitest.Request{Path: "/api/weightunits/kg"}).Expect(t, 200, protoItem(kg, "/api/weightunits/kg"))

		cmDeleted(t, env, "/api/weightunits/g")
		env.Do(apitest.Request{Path: "/api/weightunits?filter[id]=g,kg,t"}).Expect(t, 200, cmCollection("/api/weightunits?filter[id]=g,kg,t", kg, cmWeightUnit("t", "null")))
	})
}

// ----- taxjurisdictions -----

func cmJurisdiction(id, code, description, regionText, zipCodes, country, region string) string {
	regionLink := "null"
	if region != "" {
		regionLink = protoIdent("regions", region)
	}
	return cmObject("taxjurisdictions", id,
		fmt.Sprintf(`"code":%s,"description":%s,"regionText":%s,"zipCodes":%s`, jsonText(code), description, regionText, zipCodes),
		cmRels("taxjurisdictions", id, "country", protoIdent("countries", country), "region", regionLink))
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
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		const zips = `[{"from":"90001","to":"90099"},{"from":"94105","to":null}]`
		ca := cmJurisdiction("1", "US-CA-SALES", `"California sales tax"`, `"CA"`, zips, "US", "US-CA")
		cmCreated(t, env.Do(apitest.Request{Method: http.MethodPost, Path: "/api/taxjurisdictions",
			Body: cmJurisdictionBody("US-CA-SALES", `,"description":"California sales tax","regionText":"CA","zipCodes":`+zips, "US", "US-CA")}),
			"/api/taxjurisdictions/1", protoItem(ca, "/api/taxjurisdictions/1"))
		env.Do(apitest.Request{Path: "/api/taxjurisdictions/1"}).Expect(t, 200, protoItem(ca, "/api/taxjurisdictions/1"))
		berlin := cmJurisdiction("2", "DE-BE-VAT", "null", "null", "[]", "DE", "DE-BE")
		cmCreated(t, env.Do(apitest.Request{Method: http.MethodPost, Path: "/api/taxjurisdictions",
			Body: cmJurisdictionBody("DE-BE-VAT", `,"zipCodes":[]`, "DE", "DE-BE")}),
			"/api/taxjurisdictions/2", protoItem(berlin, "/api/taxjurisdictions/2"))
		gb := cmJurisdiction("3", "GB-VAT", "null", "null", `[{"from":"SW1A","to":null}]`, "GB", "")
		cmCreated(t, env.Do(apitest.Request{Method: http.MethodPost, Path: "/api/taxjurisdictions",
			Body: cmJurisdictionBody("GB-VAT", `,"zipCodes":[{"from":"SW1A","to":null}]`, "GB", "")}),
			"/api/taxjurisdictions/3", protoItem(gb, "/api/taxjurisdictions/3"))

		runCases(t, env, []apiCase{
			{name: "collection", req: apitest.Request{Path: "/api/taxjurisdictions"}, status: 200, want: cmCollection("/api/taxjurisdictions", ca, berlin, gb)},
			{name: "by country", req: apitest.Request{Path: "/api/taxjurisdictions?filter[country]=DE,GB&sort=-code"}, status: 200,
				want: cmCollection("/api/taxjurisdictions?filter[country]=DE,GB&sort=-code", gb, berlin)},
			{name: "by code", req: apitest.Request{Path: "/api/taxjurisdictions?filter[code][ends_with]=vat&filter[region][exists]=yes"}, status: 200,
				want: cmCollection("/api/taxjurisdictions?filter[code][ends_with]=vat&filter[region][exists]=yes", berlin)},
			{name: "title", req: apitest.Request{Path: "/api/taxjurisdictions/3?meta=title&fields[taxjurisdictions]=", Header: map[string]string{"X-Include": "noHateoas"}}, status: 200,
				want: `{"data":{"type":"taxjurisdictions","id":"3","meta":{"title":"GB-VAT"}}}`},
		})

		// update: only the members sent change
		ca = cmJurisdiction("1", "US-CA-SALES", "null", `"CA"`, zips, "US", "US-CA")
		env.Do(apitest.Request{Method: http.MethodPatch, Path: "/api/taxjurisdictions/1", Body: cmJurisdictionPatch("1", `"description":null`, "")}).
			Expect(t, 200, protoItem(ca, "/api/taxjurisdictions/1"))
		berlin = cmJurisdiction("2", "DE-BY-VAT", "null", "null", "[]", "DE", "DE-BY")
		env.Do(apitest.Request{Method: http.MethodPatch, Path: "/api/taxjurisdictions/2",
			Body: cmJurisdictionPatch("2", `"code":"DE-BY-VAT"`, `"region":{"data":{"type":"regions","id":"DE-BY"}}`)}).
			Expect(t, 200, protoItem(berlin, "/api/taxjurisdictions/2"))
		gb = cmJurisdiction("3", "GB-VAT", "null", "null", `[{"from":"SW1A","to":"SW1Z"}]`, "US", "US-NY")
		env.Do(apitest.Request{Method: http.MethodPatch, Path: "/api/taxjurisdictions/3",
			Body: cmJurisdictionPatch("3", `"zipCodes":[{"from":"SW1A","to":"SW1Z"}]`, `"country":{"data":{"type":"countries","id":"US"}},"region":{"data":{"type":"regions","id":"US-NY"}}`)}).
			Expect(t, 200, protoItem(gb, "/api/taxjurisdictions/3"))
		gb = cmJurisdiction("3", "GB-VAT", "null", "null", `[{"from":"SW1A","to":"SW1Z"}]`, "US", "")
		env.Do(apitest.Request{Method: http.MethodPatch, Path: "/api/taxjurisdictions/3", Body: cmJurisdictionPatch("3", "", `"region":{"data":null}`)}).
			Expect(t, 200, protoItem(gb, "/api/taxjurisdictions/3"))

		post := func(body string, invalid bool) apitest.Request {
			return apitest.Request{Method: http.MethodPost, Path: "/api/taxjurisdictions", Body: body, Invalid: invalid}
		}
		patch := func(id, attrs, rels string) apitest.Request {
			return apitest.Request{Method: http.MethodPatch, Path: "/api/taxjurisdictions/" + id, Body: cmJurisdictionPatch(id, attrs, rels)}
		}
		foreign := cmE{"form constraint", "The region does not belong to the country.", cmLink("region")}
		runCases(t, env, []apiCase{
			{name: "region of another country", req: post(cmJurisdictionBody("X", "", "US", "DE-BE"), false), status: 400, want: cmErrors(400, foreign)},
			{name: "country changed under the region", req: patch("1", "", `"country":{"data":{"type":"countries","id":"DE"}}`), status: 400, want: cmErrors(400, foreign)},
			{name: "region changed to another country's", req: patch("2", "", `"region":{"data":{"type":"regions","id":"US-TX"}}`), status: 400, want: cmErrors(400, foreign)},
			{name: "code taken", req: post(cmJurisdictionBody("GB-VAT", "", "GB", ""), false), status: 400, want: cmErrors(400, cmTaken(cmAttr("code")))},
			{name: "code taken on update", req: patch("1", `"code":"DE-BY-VAT"`, ""), status: 400, want: cmErrors(400, cmTaken(cmAttr("code")))},
			{name: "required", req: post(`{"data":{"type":"taxjurisdictions","attributes":{"description":"x"},"relationships":{}}}`, true), status: 400,
				want: cmErrors(400, cmNotBlank(cmAttr("code")), cmNotBlank(cmLink("country")))},
			{name: "null country", req: patch("1", "", `"country":{"data":null}`), status: 400, want: cmErrors(400, cmNotBlank(cmLink("country")))},
			{name: "length", req: post(cmJurisdictionBody("X", `,"regionText":"`+strings.Repeat("r", 256)+`"`, "US", ""), true), status: 400,
				want: cmErrors(400, cmTooLong(cmAttr("regionText"), 255))},
			{name: "missing country and region", req: post(cmJurisdictionBody("X", "", "ZZ", "ZZ-AA"), false), status: 400,
				want: cmErrors(400, cmNoEntity(cmLink("country")), cmNoEntity(cmLink("region")))},
			{name: "zip code without from", req: post(cmJurisdictionBody("X", `,"zipCodes":[{"to":"1"}]`, "US", ""), true), status: 400,
				want: cmErrors(400, cmE{"not blank constraint", "This value should not be blank.", cmAttr("zipCodes") + "/0/from"})},
			{name: "unknown field", req: post(cmJurisdictionBody("X", `,"rate":"0.19"`, "US", ""), true), status: 400,
				want: cmErrors(400, cmExtra(cmAttr("rate"), "rate"))},
		})
		env.Do(apitest.Request{Path: "/api/taxjurisdictions"}).Expect(t, 200, cmCollection("/api/taxjurisdictions", ca, berlin, gb))

		cmDeleted(t, env, "/api/taxjurisdictions/2")
		env.Do(apitest.Request{Path: "/api/taxjurisdictions"}).Expect(t, 200, cmCollection("/api/taxjurisdictions", ca, gb))
	})
}
