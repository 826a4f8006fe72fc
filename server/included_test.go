package server_test

// Tests of api.md sections 10 and 11: creating and updating related resources through the
// top-level `included` of a POST or PATCH, upsert and validate, on every backend, over the data of
// rlSeed (relationships_test.go).

import (
	"encoding/json"
	"net/http"
	"sort"
	"strings"
	"testing"

	"webapi/server/apitest"
)

// ---- expected documents ----

// incWith merges maps into a new one; later ones win.
func incWith(maps ...map[string]any) map[string]any {
	out := map[string]any{}
	for _, m := range maps {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

// incMeta is the meta of an included resource the request wrote (its members).
func incMeta(includeID string) string { return `"includeId":` + jsonText(includeID) }

var (
	incStamps  = map[string]any{"createdAt": apitest.Any, "updatedAt": apitest.Any}
	incNoCalls = map[string]any{"lastContactedDate": nil, "lastContactedDateIn": nil, "lastContactedDateOut": nil,
		"timesContacted": 0, "timesContactedIn": 0, "timesContactedOut": 0}
	incContactBlank = map[string]any{"namePrefix": nil, "firstName": nil, "middleName": nil, "lastName": nil, "nameSuffix": nil,
		"gender": nil, "birthday": nil, "jobTitle": nil, "description": nil, "primaryEmail": nil, "primaryPhone": nil}
	incAdmin = ident("users", "1")
	incOrg   = ident("organizations", "1")
	// incCall1 is the communication of account 1 and contact 1 of rlSeed (their call 1).
	incCall1 = map[string]any{"lastContactedDate": "2024-03-01T10:00:00Z", "lastContactedDateIn": "2024-03-01T10:00:00Z",
		"timesContacted": 1, "timesContactedIn": 1}
	incAnnAttrs = map[string]any{"firstName": "Ann", "lastName": "Smith", "primaryEmail": "ann@example.com"}
)

// incAccount is an account without calls owned by the administrator.
func incAccount(id, meta string, attrs map[string]any, contacts, defaultContact string) string {
	return withMeta(resObject("accounts", id, jsonMembers(incWith(map[string]any{"description": nil}, incNoCalls, incStamps, attrs)), relData{"contacts", contacts},
		relData{"defaultContact", defaultContact}, relData{"owner", incAdmin}, relData{"organization", incOrg}), meta)
}

// incContact is a contact without calls owned by the administrator.
func incContact(id, meta string, attrs map[string]any, source, accounts string) string {
	return withMeta(resObject("contacts", id, jsonMembers(incWith(incContactBlank, incNoCalls, incStamps, attrs)), relData{"source", source},
		relData{"accounts", accounts}, relData{"calls", "[]"}, relData{"owner", incAdmin}, relData{"organization", incOrg}), meta)
}

// incAnn is contact 1 of rlSeed (with its call 1 and source website), more attributes changed.
func incAnn(meta string, more map[string]any, accounts string) string {
	return withMeta(resObject("contacts", "1", jsonMembers(incWith(incContactBlank, incNoCalls, incStamps, incAnnAttrs, incCall1, more)), relData{"source", ident("contactsources", "website")},
		relData{"accounts", accounts}, relData{"calls", idents("calls", "1")}, relData{"owner", incAdmin},
		relData{"organization", incOrg}), meta)
}

// incProduct is a product of business unit 1 with a default name only and no prices.
func incProduct(id, sku, name, status string) string {
	return resObject("products", id, jsonMembers(incWith(incStamps, map[string]any{"sku": sku, "names": []any{map[string]any{"localization": nil, "value": name}},
		"name": name, "status": status, "price": nil})), relData{"prices", "[]"},
		relData{"owner", ident("businessunits", "1")}, relData{"organization", incOrg})
}

// incJurisdiction is a tax jurisdiction without zip codes.
func incJurisdiction(id, code string, description any, country, region string) string {
	return resObject("taxjurisdictions", id, jsonMembers(map[string]any{"code": code, "description": description, "regionText": nil, "zipCodes": []any{}}), relData{"country", country},
		relData{"region", region})
}

func incWeightUnit(id, rates string) string {
	var v any
	if err := json.Unmarshal([]byte(rates), &v); err != nil {
		panic(err)
	}
	return resObject("weightunits", id, jsonMembers(map[string]any{"conversionRates": v}))
}

// ---- requests ----

func incPost(typ, body string) apitest.Request {
	return apitest.Request{Method: http.MethodPost, Path: "/api/" + typ, Body: body}
}

func incPatch(typ, id, body string) apitest.Request {
	return apitest.Request{Method: http.MethodPatch, Path: "/api/" + typ + "/" + id, Body: body}
}

// incCounts counts the rows of every table of the database.
func incCounts(t *testing.T, env *apitest.Env) map[string]int64 {
	t.Helper()
	tables, err := env.DB.Gorm.Migrator().GetTables()
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(tables)
	out := map[string]int64{}
	for _, tb := range tables {
		var n int64
		if err := env.DB.Gorm.Table(tb).Count(&n).Error; err != nil {
			t.Fatalf("count %s: %v", tb, err)
		}
		out[tb] = n
	}
	if _, ok := out["accounts"]; !ok {
		t.Fatalf("the tables %v do not include accounts", tables)
	}
	return out
}

// incUnchanged asserts that every table has as many rows as before.
func incUnchanged(t *testing.T, env *apitest.Env, before map[string]int64) {
	t.Helper()
	after := incCounts(t, env)
	for tb, n := range before {
		if after[tb] != n {
			t.Errorf("table %s: %d rows, want %d as before", tb, after[tb], n)
		}
	}
	if len(after) != len(before) {
		t.Errorf("tables %v, want %v", after, before)
	}
}

// incFailCase is a write that must be refused with exactly these errors and change nothing.
type incFailCase struct {
	name    string
	req     apitest.Request
	invalid bool // the document rejects the request too
	status  int  // 0 = 400
	want    []apiError
}

// incFails runs the cases one after the other (not in parallel: each compares the row counts of
// every table before and after its request, which a request beside it would change).
func incFails(t *testing.T, env *apitest.Env, cases []incFailCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := env.For(t)
			before := incCounts(t, env)
			c.req.Invalid = c.invalid
			status := c.status
			if status == 0 {
				status = http.StatusBadRequest
			}
			env.Do(c.req).Expect(t, status, errorsDoc(c.want...))
			incUnchanged(t, env, before)
		})
	}
}

// ---- writing through included: the reference example ----

// incGartner is the reference example of api.md section 10: an account created with two new
// contacts, one of them the default contact, given request-local ids.
const incGartner = `{"data":{"type":"accounts","attributes":{"name":"Gartner management group"},
	"relationships":{
		"organization":{"data":{"type":"organizations","id":"1"}},
		"owner":{"data":{"type":"users","id":"1"}},
		"contacts":{"data":[{"type":"contacts","id":"john_doe"},{"type":"contacts","id":"nancy_jones"}]},
		"defaultContact":{"data":{"type":"contacts","id":"john_doe"}}}},
	"included":[
		{"type":"contacts","id":"john_doe","attributes":{"firstName":"John","lastName":"Doe","primaryEmail":"john.doe@example.com"},
			"relationships":{"source":{"data":{"type":"contactsources","id":"website"}}}},
		{"type":"contacts","id":"nancy_jones","attributes":{"firstName":"Nancy","lastName":"Jones","primaryEmail":"nancy.jones@example.com"}}]}`

func TestIncludedReferenceExample(t *testing.T) {
	t.Parallel()
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		gartner := map[string]any{"name": "Gartner management group"}
		john := map[string]any{"firstName": "John", "lastName": "Doe", "primaryEmail": "john.doe@example.com"}
		nancy := map[string]any{"firstName": "Nancy", "lastName": "Jones", "primaryEmail": "nancy.jones@example.com"}
		website := ident("contactsources", "website")
		account1 := idents("accounts", "1")

		t.Run("create", func(t *testing.T) {
			env := env.For(t)
			expectCreated(t, env.Do(incPost("accounts", incGartner)), "accounts", "1", itemDoc(resURL("accounts", "1"), incAccount("1", "", gartner, idents("contacts", "1", "2"), ident("contacts", "1")),
				incContact("1", incMeta("john_doe"), john, website, account1),
				incContact("2", incMeta("nancy_jones"), nancy, "null", account1)))
			// stored: each side shows the other
			env.Do(rlGet("/api/accounts/1")).Expect(t, 200, itemDoc("/api/accounts/1", incAccount("1", "", gartner, idents("contacts", "1", "2"), ident("contacts", "1"))))
			env.Do(rlGet("/api/contacts/1")).Expect(t, 200, itemDoc("/api/contacts/1", incContact("1", "", john, website, account1)))
			env.Do(rlGet("/api/contacts/2")).Expect(t, 200, itemDoc("/api/contacts/2", incContact("2", "", nancy, "null", account1)))
		})
		t.Run("update", func(t *testing.T) {
			env := env.For(t)
			renamed := map[string]any{"name": "Gartner Inc."}
			nancyMoved := incWith(nancy, map[string]any{"primaryEmail": "nancy@gartner.example.com"})
			expectUpdated(t, env.Do(incPatch("accounts", "1", `{"data":{"type":"accounts","id":"1","attributes":{"name":"Gartner Inc."},
				"relationships":{"defaultContact":{"data":{"type":"contacts","id":"2"}}}},
				"included":[{"type":"contacts","id":"2","meta":{"update":true},"attributes":{"primaryEmail":"nancy@gartner.example.com"}}]}`)),
				itemDoc(resURL("accounts", "1"), incAccount("1", "", renamed, idents("contacts", "1", "2"), ident("contacts", "2")), incContact("2", incMeta("2"), nancyMoved, "null", account1)))
			env.Do(rlGet("/api/accounts/1")).Expect(t, 200, itemDoc("/api/accounts/1", incAccount("1", "", renamed, idents("contacts", "1", "2"), ident("contacts", "2"))))
			env.Do(rlGet("/api/contacts/2")).Expect(t, 200, itemDoc("/api/contacts/2", incContact("2", "", nancyMoved, "null", account1)))
			env.Do(rlGet("/api/contacts/1")).Expect(t, 200, itemDoc("/api/contacts/1", incContact("1", "", john, website, account1)))
		})
		t.Run("update creating a related resource", func(t *testing.T) {
			env := env.For(t)
			jim := map[string]any{"firstName": "Jim", "gender": "male"}
			expectUpdated(t, env.Do(incPatch("accounts", "1", `{"data":{"type":"accounts","id":"1",
				"relationships":{"contacts":{"data":[{"type":"contacts","id":"1"},{"type":"contacts","id":"2"},{"type":"contacts","id":"jim"}]}}},
				"included":[{"type":"contacts","id":"jim","attributes":{"firstName":"Jim","gender":"male"},
					"relationships":{"source":{"data":{"type":"contactsources","id":"call"}}}}]}`)),
				itemDoc(resURL("accounts", "1"), incAccount("1", "", map[string]any{"name": "Gartner Inc."}, idents("contacts", "1", "2", "3"), ident("contacts", "2")), incContact("3", incMeta("jim"), jim, ident("contactsources", "call"), account1)))
		})
		t.Run("update with include: what it wrote first, then what the include loads", func(t *testing.T) {
			env := env.For(t)
			jim := map[string]any{"firstName": "Jim", "gender": "male"}
			nancyRenamed := incWith(nancy, map[string]any{"primaryEmail": "nancy@gartner.example.com", "jobTitle": "CFO"})
			req := incPatch("accounts", "1", `{"data":{"type":"accounts","id":"1","attributes":{"description":"Research"},
				"relationships":{"defaultContact":{"data":{"type":"contacts","id":"2"}}}},
				"included":[{"type":"contacts","id":"2","meta":{"update":true},"attributes":{"jobTitle":"CFO"}}]}`)
			req.Path += "?include=contacts"
			// contact 2 once, with its meta, though the include reaches it too
			expectUpdated(t, env.Do(req), itemDoc(resURL("accounts", "1"),
				incAccount("1", "", map[string]any{"name": "Gartner Inc.", "description": "Research"}, idents("contacts", "1", "2", "3"), ident("contacts", "2")),
				incContact("2", incMeta("2"), nancyRenamed, "null", account1),
				incContact("1", "", john, website, account1),
				incContact("3", "", jim, ident("contactsources", "call"), account1)))
		})
		t.Run("a new resource linked from an included one", func(t *testing.T) {
			env := env.For(t)
			// the contact is reachable through the call, which points at the primary account
			expectCreated(t, env.Do(incPost("accounts", `{"data":{"type":"accounts","id":"acc","attributes":{"name":"Initech"}},
				"included":[
					{"type":"calls","id":"c1","attributes":{"subject":"Kick-off","callDateTime":"2024-05-01T09:30:00Z","direction":"outgoing"},
						"relationships":{"account":{"data":{"type":"accounts","id":"acc"}},"contact":{"data":{"type":"contacts","id":"peter"}}}},
					{"type":"contacts","id":"peter","attributes":{"firstName":"Peter","lastName":"Gibbons"}}]}`)),
				"accounts", "2", itemDoc(resURL("accounts", "2"), resObject("accounts", "2", jsonMembers(incWith(incStamps, map[string]any{"name": "Initech", "description": nil,
					"lastContactedDate": "2024-05-01T09:30:00Z", "lastContactedDateIn": nil, "lastContactedDateOut": "2024-05-01T09:30:00Z",
					"timesContacted": 1, "timesContactedIn": 0, "timesContactedOut": 1})), relData{"contacts", "[]"},
					relData{"defaultContact", "null"}, relData{"owner", incAdmin}, relData{"organization", incOrg}),
					withMeta(resObject("calls", "1", jsonMembers(incWith(incStamps, map[string]any{"subject": "Kick-off", "phoneNumber": nil, "notes": nil,
						"callDateTime": "2024-05-01T09:30:00Z", "direction": "outgoing", "duration": nil})), relData{"contact", ident("contacts", "4")},
						relData{"account", ident("accounts", "2")}, relData{"owner", incAdmin}, relData{"organization", incOrg}), incMeta("c1")),
					withMeta(resObject("contacts", "4", jsonMembers(incWith(incContactBlank, incStamps, map[string]any{"firstName": "Peter", "lastName": "Gibbons",
						"lastContactedDate": "2024-05-01T09:30:00Z", "lastContactedDateIn": nil, "lastContactedDateOut": "2024-05-01T09:30:00Z",
						"timesContacted": 1, "timesContactedIn": 0, "timesContactedOut": 1})), relData{"source", "null"},
						relData{"accounts", "[]"}, relData{"calls", idents("calls", "1")}, relData{"owner", incAdmin}, relData{"organization", incOrg}), incMeta("peter"))))
		})
	})
}

// ---- writing through included: errors and atomicity ----

func TestIncludedErrors(t *testing.T) {
	t.Parallel()
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		rlSeed(t, env)
		// account accepts a body of an account named X linked to the contacts with the given
		// (request-local or real) ids, with the given included resources.
		account := func(contacts []string, included ...string) apitest.Request {
			ids := make([]string, len(contacts))
			for i, id := range contacts {
				ids[i] = ident("contacts", id)
			}
			return incPost("accounts", `{"data":{"type":"accounts","attributes":{"name":"X"},"relationships":{"contacts":{"data":[`+strings.Join(ids, ",")+
				`]}}},"included":[`+strings.Join(included, ",")+`]}`)
		}
		contact := func(id, attrs string) string {
			return `{"type":"contacts","id":` + jsonText(id) + `,"attributes":{` + attrs + `}}`
		}
		const unreachable = "The entity should have a relationship with the primary entity and this should be explicitly specified in the request."
		incFails(t, env, []incFailCase{
			{name: "an unreachable included resource", req: account([]string{"a"}, contact("a", `"firstName":"A"`), contact("b", `"firstName":"B"`)),
				want: []apiError{invalid("/included/1", "request data constraint", unreachable)}},
			{name: "reachable only from an unreachable one", req: account(nil,
				contact("a", `"firstName":"A"`), `{"type":"calls","id":"c","attributes":{"subject":"S","callDateTime":"2024-01-01T00:00:00Z","direction":"incoming"},
					"relationships":{"contact":{"data":{"type":"contacts","id":"a"}}}}`),
				want: []apiError{invalid("/included/0", "request data constraint", unreachable), invalid("/included/1", "request data constraint", unreachable)}},
			{name: "validation errors in included resources",
				req: account([]string{"a", "b"}, contact("a", `"firstName":"A","gender":"other"`), contact("b", `"primaryEmail":"not an address","birthday":7`)),
				want: []apiError{invalid("/included/0/attributes/gender", "choice constraint", "The value you selected is not a valid choice."),
					invalid("/included/1/attributes/birthday", "type constraint", "This value should be of type date."),
					invalid("/included/1/attributes/primaryEmail", "email constraint", "This value is not a valid email address."),
					invalid("/included/1/attributes/firstName", "not blank constraint", "At least one of the fields First name, Last name, Primary email or Primary phone must be defined.")}},
			{name: "errors of the primary and of an included resource together", invalid: true,
				req: incPost("accounts", `{"data":{"type":"accounts","attributes":{"description":"no name"},"relationships":{"contacts":{"data":[{"type":"contacts","id":"a"}]}}},
					"included":[{"type":"contacts","id":"a","attributes":{"firstName":"A","color":"red"}}]}`),
				want: []apiError{invalid("/data/attributes/name", "not blank constraint", "This value should not be blank."),
					invalid("/included/0/attributes/color", "extra fields constraint", `This form should not contain extra fields: "color".`)}},
			{name: "a missing related record in an included resource", req: account([]string{"a"}, `{"type":"contacts","id":"a","attributes":{"firstName":"A"},
				"relationships":{"source":{"data":{"type":"contactsources","id":"radio"}}}}`),
				want: []apiError{noEntity("/included/0/relationships/source/data")}},
			{name: "a rule of the type, checked at write time", req: account([]string{"a"}, contact("a", `"jobTitle":"CEO"`)),
				want: []apiError{invalid("/included/0/attributes/firstName", "not blank constraint", "At least one of the fields First name, Last name, Primary email or Primary phone must be defined.")}},
			{name: "an included update of a missing record", req: account([]string{"99"}, `{"type":"contacts","id":"99","meta":{"update":true},"attributes":{"firstName":"A"}}`),
				want: []apiError{noEntity("/included/0/id")}},
			{name: "two meta options on an included resource", req: account([]string{"1"}, `{"type":"contacts","id":"1","meta":{"update":true,"upsert":true},"attributes":{"firstName":"A"}}`),
				want: []apiError{invalid("/included/0/meta", "request data constraint", "Only one meta option can be used.")}},
			{name: "two meta options on the primary data", req: incPost("accounts", `{"data":{"type":"accounts","meta":{"upsert":["name"],"validate":true},"attributes":{"name":"X"}}}`),
				want: []apiError{invalid("/meta", "request data constraint", "Only one meta option can be used.")}},
			{name: "two included resources with one id", req: account([]string{"a"}, contact("a", `"firstName":"A"`), contact("a", `"firstName":"B"`)),
				want: []apiError{invalid("/included/1", "request data constraint", "Another resource of the request has the same type and id.")}},
			{name: "an included resource without an id", invalid: true, req: account(nil, `{"type":"contacts","attributes":{"firstName":"A"}}`),
				want: []apiError{invalid("/included/0/id", "request data constraint", "The 'id' property is required.")}},
			{name: "an included resource of an unknown type", req: account(nil, `{"type":"widgets","id":"w","attributes":{}}`),
				want: []apiError{invalid("/included/0/type", "entity type constraint", "Unknown entity type: widgets.")}},
			{name: "an included update of a type without updates", req: incPatch("contacts", "1",
				`{"data":{"type":"contacts","id":"1","relationships":{"source":{"data":{"type":"contactsources","id":"tv"}}}},
					"included":[{"type":"contactsources","id":"tv","meta":{"update":true},"attributes":{"name":"Television"}}]}`),
				want: []apiError{invalid("/included/0/type", "action not allowed exception", `The resources of the type "contactsources" cannot be changed.`)}},
		})
		env.Do(rlGet("/api/accounts?fields[accounts]=name")).Expect(t, 200, itemDoc("/api/accounts?fields[accounts]=name", `[
			{"type":"accounts","id":"1","links":{"self":"http://api.test/api/accounts/1"},"attributes":{"name":"Acme"}},
			{"type":"accounts","id":"2","links":{"self":"http://api.test/api/accounts/2"},"attributes":{"name":"Globex"}}]`))
	})
}

func TestIncludedAtomic(t *testing.T) {
	t.Parallel()
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		rlSeed(t, env)
		t.Run("a create whose last included resource fails", func(t *testing.T) {
			env := env.For(t)
			before := incCounts(t, env)
			// the account, the first contact and the call are written before the last contact fails
			env.Do(incPost("accounts", `{"data":{"type":"accounts","attributes":{"name":"Doomed"},
				"relationships":{"contacts":{"data":[{"type":"contacts","id":"ok"},{"type":"contacts","id":"bad"}]}}},
				"included":[
					{"type":"contacts","id":"ok","attributes":{"firstName":"Fine"}},
					{"type":"calls","id":"call","attributes":{"subject":"S","callDateTime":"2024-01-01T00:00:00Z","direction":"incoming"},
						"relationships":{"contact":{"data":{"type":"contacts","id":"ok"}}}},
					{"type":"contacts","id":"bad","attributes":{"jobTitle":"nameless"}}]}`)).
				Expect(t, 400, errorsDoc(invalid("/included/2/attributes/firstName", "not blank constraint", "At least one of the fields First name, Last name, Primary email or Primary phone must be defined.")))
			incUnchanged(t, env, before)
		})
		t.Run("an update whose last included resource fails", func(t *testing.T) {
			env := env.For(t)
			before := incCounts(t, env)
			account1 := rlData(t, env, "/api/accounts/1", nil)
			contact1 := rlData(t, env, "/api/contacts/1", nil)
			env.Do(incPatch("accounts", "1", `{"data":{"type":"accounts","id":"1","attributes":{"name":"Renamed"},
				"relationships":{"contacts":{"data":[{"type":"contacts","id":"1"},{"type":"contacts","id":"new"},{"type":"contacts","id":"3"}]}}},
				"included":[
					{"type":"contacts","id":"1","meta":{"update":true},"attributes":{"firstName":"Annie"}},
					{"type":"contacts","id":"new","attributes":{"firstName":"New"}},
					{"type":"contacts","id":"3","meta":{"update":true},"attributes":{"firstName":null,"lastName":" "}}]}`)).
				Expect(t, 400, errorsDoc(invalid("/included/2/attributes/firstName", "not blank constraint", "At least one of the fields First name, Last name, Primary email or Primary phone must be defined.")))
			incUnchanged(t, env, before)
			env.Do(rlGet("/api/accounts/1")).Expect(t, 200, itemDoc("/api/accounts/1", account1))
			env.Do(rlGet("/api/contacts/1")).Expect(t, 200, itemDoc("/api/contacts/1", contact1))
		})
	})
}

// ---- upsert ----

func TestUpsert(t *testing.T) {
	t.Parallel()
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		rlSeed(t, env)
		acme := map[string]any{"name": "Acme"}
		t.Run("accounts by name", func(t *testing.T) {
			env := env.For(t)
			upsert := func(name, description string) apitest.Request {
				return incPost("accounts", `{"data":{"type":"accounts","meta":{"upsert":["name"]},"attributes":{"name":`+jsonText(name)+`,"description":`+jsonText(description)+`}}}`)
			}
			expectCreated(t, env.Do(upsert("Initech", "new")), "accounts", "3",
				itemDoc(resURL("accounts", "3"), incAccount("3", "", map[string]any{"name": "Initech", "description": "new"}, "[]", "null")))
			expectUpdated(t, env.Do(upsert("Acme", "found")),
				itemDoc(resURL("accounts", "1"), incAccount("1", "", incWith(acme, incCall1, map[string]any{"description": "found"}), idents("contacts", "1", "2"), ident("contacts", "2"))))
			expectUpdated(t, env.Do(upsert("Initech", "found again")),
				itemDoc(resURL("accounts", "3"), incAccount("3", "", map[string]any{"name": "Initech", "description": "found again"}, "[]", "null")))
			createAs(t, env, "accounts", "4", `{"data":{"type":"accounts","attributes":{"name":"Acme"}}}`)
			before := incCounts(t, env)
			env.Do(upsert("Acme", "ambiguous")).Expect(t, http.StatusConflict,
				errorsDoc(apiError{409, "conflict constraint", "The upsert operation founds more than one entity.", atPointer("/meta/upsert")}))
			incUnchanged(t, env, before)
			env.Do(rlGet("/api/accounts?filter[name]=Acme&fields[accounts]=description")).Expect(t, 200, itemDoc("/api/accounts?filter[name]=Acme&fields[accounts]=description",
				`[
				{"type":"accounts","id":"1","links":{"self":"http://api.test/api/accounts/1"},"attributes":{"description":"found"}},
				{"type":"accounts","id":"4","links":{"self":"http://api.test/api/accounts/4"},"attributes":{"description":null}}]`))
		})
		t.Run("contacts by primary email", func(t *testing.T) {
			env := env.For(t)
			upsert := func(email, jobTitle string) apitest.Request {
				return incPost("contacts", `{"data":{"type":"contacts","meta":{"upsert":["primaryEmail"]},"attributes":{"primaryEmail":`+jsonText(email)+`,"jobTitle":`+jsonText(jobTitle)+`}}}`)
			}
			expectUpdated(t, env.Do(upsert("ann@example.com", "CTO")), itemDoc(resURL("contacts", "1"), incAnn("", map[string]any{"jobTitle": "CTO"}, idents("accounts", "1"))))
			expectCreated(t, env.Do(upsert("zoe@example.com", "CFO")), "contacts", "4", itemDoc(resURL("contacts", "4"), incContact("4", "",
				map[string]any{"primaryEmail": "zoe@example.com", "jobTitle": "CFO"}, "null", "[]")))
		})
		t.Run("products by sku", func(t *testing.T) {
			env := env.For(t)
			upsert := func(sku, name, status string) apitest.Request {
				return incPost("products", `{"data":{"type":"products","meta":{"upsert":["sku"]},"attributes":{"sku":`+jsonText(sku)+
					`,"names":[{"localization":null,"value":`+jsonText(name)+`}],"status":`+jsonText(status)+`}}}`)
			}
			// prices of product 1 stay
			p1 := resObject("products", "1", jsonMembers(incWith(incStamps, map[string]any{"sku": "CHAIR-1", "names": []any{map[string]any{"localization": nil, "value": "Armchair"}},
				"name": "Armchair", "status": "disabled", "price": map[string]any{"value": "10.5000", "currency": "USD"}})), relData{"prices", idents("productprices", "1", "2")},
				relData{"owner", ident("businessunits", "1")}, relData{"organization", incOrg})
			expectUpdated(t, env.Do(upsert("CHAIR-1", "Armchair", "disabled")), itemDoc(resURL("products", "1"), p1))
			expectCreated(t, env.Do(upsert("DESK-1", "Desk", "enabled")), "products", "2", itemDoc(resURL("products", "2"), incProduct("2", "DESK-1", "Desk", "enabled")))
		})
		t.Run("tax jurisdictions by code", func(t *testing.T) {
			env := env.For(t)
			upsert := func(code, description, country string) apitest.Request {
				return incPost("taxjurisdictions", `{"data":{"type":"taxjurisdictions","meta":{"upsert":["code"]},"attributes":{"code":`+jsonText(code)+
					`,"description":`+jsonText(description)+`},"relationships":{"country":{"data":{"type":"countries","id":`+jsonText(country)+`}}}}}`)
			}
			expectUpdated(t, env.Do(upsert("DE-VAT", "German VAT", "DE")), itemDoc(resURL("taxjurisdictions", "2"), incJurisdiction("2", "DE-VAT", "German VAT", ident("countries", "DE"), "null")))
			expectCreated(t, env.Do(upsert("FR-VAT", "French VAT", "FR")), "taxjurisdictions", "3", itemDoc(resURL("taxjurisdictions", "3"), incJurisdiction("3", "FR-VAT", "French VAT", ident("countries", "FR"), "null")))
		})
		t.Run("weight units by id", func(t *testing.T) {
			env := env.For(t)
			post := func(id, upsert, rates string) apitest.Request {
				return incPost("weightunits", `{"data":{"type":"weightunits","id":`+jsonText(id)+`,"meta":{"upsert":`+upsert+`},"attributes":{"conversionRates":`+rates+`}}}`)
			}
			patch := func(id, upsert, rates string) apitest.Request {
				return incPatch("weightunits", id, `{"data":{"type":"weightunits","id":`+jsonText(id)+`,"meta":{"upsert":`+upsert+`},"attributes":{"conversionRates":`+rates+`}}}`)
			}
			expectCreated(t, env.Do(post("g", "true", `{"kg":0.001}`)), "weightunits", "g", itemDoc(resURL("weightunits", "g"), incWeightUnit("g", `{"kg":0.001}`)))
			expectUpdated(t, env.Do(post("g", `["id"]`, `{"kg":0.001,"lbs":0.00220462}`)), itemDoc(resURL("weightunits", "g"), incWeightUnit("g", `{"kg":0.001,"lbs":0.00220462}`)))
			expectCreated(t, env.Do(post("oz", `["id"]`, `{"g":28.3495}`)), "weightunits", "oz", itemDoc(resURL("weightunits", "oz"), incWeightUnit("oz", `{"g":28.3495}`)))
			expectUpdated(t, env.Do(post("kg", "true", `{"lbs":2.2}`)), itemDoc(resURL("weightunits", "kg"), incWeightUnit("kg", `{"lbs":2.2}`)))
			expectCreated(t, env.Do(patch("st", "true", `{"lbs":14}`)), "weightunits", "st", itemDoc(resURL("weightunits", "st"), incWeightUnit("st", `{"lbs":14}`)))
			expectUpdated(t, env.Do(patch("st", `["id"]`, `{"lbs":14,"kg":6.35}`)), itemDoc(resURL("weightunits", "st"), incWeightUnit("st", `{"lbs":14,"kg":6.35}`)))
			expectUpdated(t, env.Do(patch("lbs", "true", `null`)), itemDoc(resURL("weightunits", "lbs"), incWeightUnit("lbs", `null`)))
			// without upsert, PATCH of a missing id is still a 404
			env.Do(incPatch("weightunits", "t", `{"data":{"type":"weightunits","id":"t","attributes":{"conversionRates":null}}}`)).Expect(t, 404, notFoundDoc)
		})
		t.Run("not allowed", func(t *testing.T) {
			notAllowed := func(detail string) []apiError {
				return []apiError{invalid("/meta/upsert", "value constraint", detail)}
			}
			incFails(t, env.For(t), []incFailCase{
				{name: "a type without upsert", req: incPost("calls", `{"data":{"type":"calls","meta":{"upsert":true},
					"attributes":{"subject":"S","callDateTime":"2024-01-01T00:00:00Z","direction":"incoming"}}}`),
					want: notAllowed("The upsert operation is not allowed.")},
				{name: "a type without upsert, by fields", req: incPost("calls", `{"data":{"type":"calls","meta":{"upsert":["subject"]},
					"attributes":{"subject":"S","callDateTime":"2024-01-01T00:00:00Z","direction":"incoming"}}}`),
					want: notAllowed("The upsert operation is not allowed.")},
				{name: "by id, server-assigned ids", req: incPost("accounts", `{"data":{"type":"accounts","meta":{"upsert":true},"attributes":{"name":"Acme"}}}`),
					want: notAllowed("The upsert operation cannot use the entity identifier to find an entity.")},
				{name: "by id as a list, server-assigned ids", req: incPost("accounts", `{"data":{"type":"accounts","meta":{"upsert":["id"]},"attributes":{"name":"Acme"}}}`),
					want: notAllowed("The upsert operation cannot use the entity identifier to find an entity.")},
				{name: "by id on PATCH, server-assigned ids", req: incPatch("accounts", "1", `{"data":{"type":"accounts","id":"1","meta":{"upsert":true},"attributes":{"name":"Acme"}}}`),
					want: notAllowed("The upsert operation cannot use the entity identifier to find an entity.")},
				{name: "an undeclared field", req: incPost("accounts", `{"data":{"type":"accounts","meta":{"upsert":["description"]},"attributes":{"name":"Acme","description":"x"}}}`),
					want: notAllowed("The upsert operation cannot use this field to find an entity.")},
				{name: "a declared field with another", req: incPost("accounts", `{"data":{"type":"accounts","meta":{"upsert":["name","description"]},"attributes":{"name":"Acme","description":"x"}}}`),
					want: notAllowed("The upsert operation cannot use this field to find an entity.")},
				{name: "fields on PATCH", req: incPatch("accounts", "1", `{"data":{"type":"accounts","id":"1","meta":{"upsert":["name"]},"attributes":{"name":"Acme"}}}`),
					want: notAllowed("The upsert operation cannot use this field to find an entity.")},
				{name: "by fields on a type with client ids", req: incPost("weightunits", `{"data":{"type":"weightunits","id":"t","meta":{"upsert":["conversionRates"]},"attributes":{"conversionRates":null}}}`),
					want: notAllowed("The upsert operation cannot use this field to find an entity.")},
			})
		})
		t.Run("inside included", func(t *testing.T) {
			env := env.For(t)
			// an included contact found by its primary email is updated and linked; another is created
			res := env.Do(incPost("accounts", `{"data":{"type":"accounts","attributes":{"name":"Umbrella"},
				"relationships":{"contacts":{"data":[{"type":"contacts","id":"bob"},{"type":"contacts","id":"eve"}]}}},
				"included":[
					{"type":"contacts","id":"bob","meta":{"upsert":["primaryEmail"]},"attributes":{"primaryEmail":"ann@example.com","jobTitle":"Chair"}},
					{"type":"contacts","id":"eve","meta":{"upsert":["primaryEmail"]},"attributes":{"firstName":"Eve","primaryEmail":"eve@example.com"}}]}`))
			expectCreated(t, res, "accounts", "5", itemDoc(resURL("accounts", "5"), incAccount("5", "", map[string]any{"name": "Umbrella"}, idents("contacts", "1", "5"), "null"),
				incAnn(incMeta("bob"), map[string]any{"jobTitle": "Chair"}, idents("accounts", "1", "5")),
				incContact("5", incMeta("eve"), map[string]any{"firstName": "Eve", "primaryEmail": "eve@example.com"}, "null", idents("accounts", "5"))))
			incFails(t, env, []incFailCase{
				{name: "not allowed inside included", req: incPost("accounts", `{"data":{"type":"accounts","attributes":{"name":"X"},
					"relationships":{"contacts":{"data":[{"type":"contacts","id":"c"}]}}},
					"included":[{"type":"contacts","id":"c","meta":{"upsert":["lastName"]},"attributes":{"lastName":"Smith"}}]}`),
					want: []apiError{invalid("/included/0/meta/upsert", "value constraint", "The upsert operation cannot use this field to find an entity.")}},
			})
		})
	})
}

// ---- validate ----

// incIDs are the ids of the records a write answered with: "" for the primary resource, and
// each included resource by its meta.includeId.
type incIDs map[string]string

// incIDsOf reads the ids of a write's response.
func incIDsOf(t *testing.T, res *apitest.Response) incIDs {
	t.Helper()
	var doc struct {
		Data     struct{ ID string }
		Included []struct {
			ID   string
			Meta struct{ IncludeID string }
		}
	}
	if err := json.Unmarshal(res.Body, &doc); err != nil {
		t.Fatalf("%v: %s", err, res.Body)
	}
	ids := incIDs{"": doc.Data.ID}
	for _, inc := range doc.Included {
		ids[inc.Meta.IncludeID] = inc.ID
	}
	return ids
}

// incValidateCase is a POST or PATCH that is sent with "meta":{"validate":true} and then for real.
type incValidateCase struct {
	name   string
	req    apitest.Request // without the validate option
	status int             // of the real request: 201 (with Location) or 200
	want   func(ids incIDs) string
	kept   []string // records (besides an updated primary one) the validated request must leave as they are
}

// run asserts that the validated request answers exactly as the real one (for the ids it
// reports), that it stores nothing (every table keeps its rows and an updated record is
// unchanged), and then that the real request answers the same.
func (c incValidateCase) run(t *testing.T, env *apitest.Env) {
	t.Helper()
	before := incCounts(t, env)
	kept := c.kept
	if c.req.Method == http.MethodPatch {
		kept = append([]string{c.req.Path}, kept...)
	}
	unchanged := make([]string, len(kept))
	for i, path := range kept {
		unchanged[i] = rlData(t, env, path, nil)
	}
	expect := func(res *apitest.Response) incIDs {
		t.Helper()
		ids := incIDsOf(t, res)
		if c.status == http.StatusCreated {
			expectCreated(t, res, strings.TrimPrefix(c.req.Path, "/api/"), ids[""], c.want(ids))
		} else {
			expectUpdated(t, res, c.want(ids))
		}
		return ids
	}
	validated := c.req
	validated.Body = strings.Replace(c.req.Body, `{"data":{`, `{"data":{"meta":{"validate":true},`, 1)
	ids := expect(env.Do(validated))
	incUnchanged(t, env, before)
	if c.status == http.StatusCreated {
		env.Do(rlGet(c.req.Path+"/"+ids[""])).Expect(t, 404, notFoundDoc)
	}
	for k, id := range ids {
		if k != "" && k != id { // an included resource it created (contacts in these cases)
			env.Do(rlGet("/api/contacts/"+id)).Expect(t, 404, notFoundDoc)
		}
	}
	for i, path := range kept {
		env.Do(rlGet(path)).Expect(t, 200, itemDoc(path, unchanged[i]))
	}
	expect(env.Do(c.req))
}

func TestValidate(t *testing.T) {
	t.Parallel()
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		rlSeed(t, env)
		initech := map[string]any{"name": "Initech", "description": "validated"}
		acme := incWith(incCall1, map[string]any{"name": "Acme"})
		cases := []incValidateCase{
			{name: "create an account", status: 201,
				req: incPost("accounts", `{"data":{"type":"accounts","attributes":{"name":"Initech","description":"validated"},
					"relationships":{"contacts":{"data":[{"type":"contacts","id":"3"}]}}}}`),
				want: func(ids incIDs) string {
					return itemDoc(resURL("accounts", ids[""]), incAccount(ids[""], "", initech, idents("contacts", "3"), "null"))
				}},
			{name: "update an account", status: 200,
				req: incPatch("accounts", "1", `{"data":{"type":"accounts","id":"1","attributes":{"description":"validated"},
					"relationships":{"defaultContact":{"data":{"type":"contacts","id":"3"}}}}}`),
				want: func(incIDs) string {
					return itemDoc(resURL("accounts", "1"), incAccount("1", "", incWith(acme, map[string]any{"description": "validated"}), idents("contacts", "1", "2", "3"), ident("contacts", "3")))
				}},
			{name: "create a contact", status: 201,
				req: incPost("contacts", `{"data":{"type":"contacts","attributes":{"firstName":"Val","primaryEmail":"val@example.com"}}}`),
				want: func(ids incIDs) string {
					return itemDoc(resURL("contacts", ids[""]), incContact(ids[""], "", map[string]any{"firstName": "Val", "primaryEmail": "val@example.com"}, "null", "[]"))
				}},
			{name: "update a contact", status: 200,
				req: incPatch("contacts", "1", `{"data":{"type":"contacts","id":"1","attributes":{"jobTitle":"CTO"},
					"relationships":{"accounts":{"data":[{"type":"accounts","id":"1"},{"type":"accounts","id":"2"}]}}}}`),
				want: func(incIDs) string {
					return itemDoc(resURL("contacts", "1"), incAnn("", map[string]any{"jobTitle": "CTO"}, idents("accounts", "1", "2")))
				}},
			{name: "create a product", status: 201,
				req: incPost("products", `{"data":{"type":"products","attributes":{"sku":"DESK-1","names":[{"localization":null,"value":"Desk"}]}}}`),
				want: func(ids incIDs) string {
					return itemDoc(resURL("products", ids[""]), incProduct(ids[""], "DESK-1", "Desk", "enabled"))
				}},
			{name: "update a product", status: 200,
				req: incPatch("products", "1", `{"data":{"type":"products","id":"1","attributes":{"status":"disabled"}}}`),
				want: func(incIDs) string {
					return itemDoc(resURL("products", "1"), resObject("products", "1", jsonMembers(incWith(incStamps, map[string]any{"sku": "CHAIR-1",
						"names": []any{map[string]any{"localization": nil, "value": "Chair"}}, "name": "Chair", "status": "disabled",
						"price": map[string]any{"value": "10.5000", "currency": "USD"}})), relData{"prices", idents("productprices", "1", "2")},
						relData{"owner", ident("businessunits", "1")}, relData{"organization", incOrg}))
				}},
			{name: "create an account with included contacts", status: 201,
				req: incPost("accounts", `{"data":{"type":"accounts","attributes":{"name":"Initech","description":"validated"},
					"relationships":{"contacts":{"data":[{"type":"contacts","id":"new"},{"type":"contacts","id":"1"}]},"defaultContact":{"data":{"type":"contacts","id":"new"}}}},
					"included":[{"type":"contacts","id":"new","attributes":{"firstName":"New"}},
						{"type":"contacts","id":"1","meta":{"update":true},"attributes":{"jobTitle":"Advisor"}}]}`),
				kept: []string{"/api/contacts/1"},
				want: func(ids incIDs) string {
					id, contact := ids[""], ids["new"]
					return itemDoc(resURL("accounts", id), incAccount(id, "", initech, idents("contacts", "1", contact), ident("contacts", contact)), incContact(contact, incMeta("new"), map[string]any{"firstName": "New"}, "null", idents("accounts", id)),
						incAnn(incMeta("1"), map[string]any{"jobTitle": "Advisor"}, idents("accounts", "1", "2", id)))
				}},
			{name: "update an account with included contacts", status: 200,
				req: incPatch("accounts", "2", `{"data":{"type":"accounts","id":"2","attributes":{"name":"Globex Corp."},
					"relationships":{"contacts":{"data":[{"type":"contacts","id":"new"}]}}},
					"included":[{"type":"contacts","id":"new","attributes":{"lastName":"Newman"}}]}`),
				want: func(ids incIDs) string {
					return itemDoc(resURL("accounts", "2"), incAccount("2", "", map[string]any{"name": "Globex Corp."}, idents("contacts", ids["new"]), "null"), incContact(ids["new"], incMeta("new"), map[string]any{"lastName": "Newman"}, "null", idents("accounts", "2")))
				}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) { c.run(t, env.For(t)) })
		}
		t.Run("refused", func(t *testing.T) {
			incFails(t, env.For(t), []incFailCase{
				{name: "a type without validate", req: incPost("calls", `{"data":{"type":"calls","meta":{"validate":true},
					"attributes":{"subject":"S","callDateTime":"2024-01-01T00:00:00Z","direction":"incoming"}}}`),
					want: []apiError{invalid("/meta/validate", "value constraint", "The option is not supported.")}},
				{name: "a type without validate, on PATCH", req: incPatch("calls", "1", `{"data":{"type":"calls","id":"1","meta":{"validate":true},"attributes":{"subject":"S"}}}`),
					want: []apiError{invalid("/meta/validate", "value constraint", "The option is not supported.")}},
				{name: "an included resource of a type without validate", req: incPost("accounts", `{"data":{"type":"accounts","id":"x","attributes":{"name":"X"}},
					"included":[{"type":"calls","id":"c","meta":{"validate":true},"attributes":{"subject":"S","callDateTime":"2024-01-01T00:00:00Z","direction":"incoming"},
						"relationships":{"account":{"data":{"type":"accounts","id":"x"}}}}]}`),
					want: []apiError{invalid("/included/0/meta/validate", "value constraint", "The option is not supported.")}},
				{name: "validation errors are reported as by the real request", req: incPost("accounts", `{"data":{"type":"accounts","meta":{"validate":true},
					"attributes":{"name":" "},"relationships":{"contacts":{"data":[{"type":"contacts","id":"99"}]}}}}`),
					want: []apiError{invalid("/data/attributes/name", "not blank constraint", "This value should not be blank."), noEntity("/data/relationships/contacts/data/0")}},
			})
		})
	})
}
