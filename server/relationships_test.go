package server_test

// Tests of api.md section 9: the related resources of every relationship
// (/api/{type}/{id}/{association}) and the relationship endpoints
// (/api/{type}/{id}/relationships/{association}) with their reads, writes, errors, the plain
// format and the behaviours that follow a relationship change (both sides of an association,
// communication fields, the default contact). Every test runs on every backend over a fresh
// database that rlSeed fills (shared with included_test.go).

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"webapi/gen"
	"webapi/server/apitest"
	"webapi/store"
)

// rlData GETs path (which must answer 200) and returns its primary data as JSON text.
func rlData(t *testing.T, env *apitest.Env, path string, header map[string]string) string {
	t.Helper()
	res := env.Do(apitest.Request{Path: path, Header: header})
	res.ExpectStatus(t, http.StatusOK)
	if strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		return string(res.Body)
	}
	var doc struct {
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(res.Body, &doc); err != nil {
		t.Fatal(err)
	}
	return string(doc.Data)
}

// rlSeed writes the records the relationship tests start from:
//
//	businessunits 2 Sales (parent 1 Main); users 2 jane (roles 2, business units 1 and 2)
//	contacts 1 Ann Smith (source website), 2 Bob Jones, 3 Cid Brown
//	accounts 1 Acme (contacts 1 and 2, default contact 2), 2 Globex
//	calls 1 Intro (contact 1, account 1, incoming), 2 Cold call (outgoing, no links)
//	localizations 4 Swiss German (parent 2); products 1 CHAIR-1 with prices 1 (USD) and 2 (EUR)
//	taxjurisdictions 1 CA-SALES (US, US-CA), 2 DE-VAT (DE); asyncoperations 1
func rlSeed(t *testing.T, env *apitest.Env) {
	t.Helper()
	createAs(t, env, "businessunits", "2", `{"data":{"type":"businessunits","attributes":{"name":"Sales"},"relationships":{
		"organization":{"data":{"type":"organizations","id":"1"}},"parentBusinessUnit":{"data":{"type":"businessunits","id":"1"}}}}}`)
	createAs(t, env, "users", "2", `{"data":{"type":"users","attributes":{"username":"jane","email":"jane@example.com","firstName":"Jane","lastName":"Roe"},
		"relationships":{"roles":{"data":[{"type":"userroles","id":"2"}]},"businessUnits":{"data":[{"type":"businessunits","id":"1"},{"type":"businessunits","id":"2"}]}}}}`)
	createAs(t, env, "contacts", "1", `{"data":{"type":"contacts","attributes":{"firstName":"Ann","lastName":"Smith","primaryEmail":"ann@example.com"},
		"relationships":{"source":{"data":{"type":"contactsources","id":"website"}}}}}`)
	createAs(t, env, "contacts", "2", `{"data":{"type":"contacts","attributes":{"firstName":"Bob","lastName":"Jones"}}}`)
	createAs(t, env, "contacts", "3", `{"data":{"type":"contacts","attributes":{"firstName":"Cid","lastName":"Brown"}}}`)
	createAs(t, env, "accounts", "1", `{"data":{"type":"accounts","attributes":{"name":"Acme"},"relationships":{
		"contacts":{"data":[{"type":"contacts","id":"1"},{"type":"contacts","id":"2"}]},"defaultContact":{"data":{"type":"contacts","id":"2"}}}}}`)
	createAs(t, env, "accounts", "2", `{"data":{"type":"accounts","attributes":{"name":"Globex"}}}`)
	createAs(t, env, "calls", "1", `{"data":{"type":"calls","attributes":{"subject":"Intro","callDateTime":"2024-03-01T10:00:00Z","direction":"incoming"},
		"relationships":{"contact":{"data":{"type":"contacts","id":"1"}},"account":{"data":{"type":"accounts","id":"1"}}}}}`)
	createAs(t, env, "calls", "2", `{"data":{"type":"calls","attributes":{"subject":"Cold call","callDateTime":"2024-03-02T10:00:00Z","direction":"outgoing"}}}`)
	createAs(t, env, "localizations", "4", `{"data":{"type":"localizations","attributes":{"name":"Swiss German","languageCode":"de","formattingCode":"de_CH"},
		"relationships":{"parentLocalization":{"data":{"type":"localizations","id":"2"}}}}}`)
	createAs(t, env, "products", "1", `{"data":{"type":"products","attributes":{"sku":"CHAIR-1","names":[{"localization":null,"value":"Chair"}]}}}`)
	createAs(t, env, "productprices", "1", `{"data":{"type":"productprices","attributes":{"value":"10.5"},"relationships":{
		"product":{"data":{"type":"products","id":"1"}},"currency":{"data":{"type":"currencies","id":"USD"}}}}}`)
	createAs(t, env, "productprices", "2", `{"data":{"type":"productprices","attributes":{"value":"9"},"relationships":{
		"product":{"data":{"type":"products","id":"1"}},"currency":{"data":{"type":"currencies","id":"EUR"}}}}}`)
	createAs(t, env, "taxjurisdictions", "1", `{"data":{"type":"taxjurisdictions","attributes":{"code":"CA-SALES"},"relationships":{
		"country":{"data":{"type":"countries","id":"US"}},"region":{"data":{"type":"regions","id":"US-CA"}}}}}`)
	createAs(t, env, "taxjurisdictions", "2", `{"data":{"type":"taxjurisdictions","attributes":{"code":"DE-VAT"},"relationships":{
		"country":{"data":{"type":"countries","id":"DE"}}}}}`)
	// No request creates asynchronous operations here (that is the batch API): store one.
	at := store.NewTime(time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC))
	op := &store.AsyncOperation{Status: "new", EntityType: "accounts", OwnerID: 1, OrganizationID: 1, Timestamps: store.Timestamps{CreatedAt: at, UpdatedAt: at}}
	if err := env.DB.Gorm.Create(op).Error; err != nil {
		t.Fatal(err)
	}
}

// ---- related resources of every relationship ----

// rlRelated is one relationship of one seeded record and the records it points at.
type rlRelated struct {
	typ, id, assoc string
	target         string
	toMany         bool
	ids            []string // the related ids in id order; none for a to-one: data null
	missing        string   // an id of typ that does not exist
}

// rlEveryRelationship lists every relationship of every type of the document (at least one
// row each; TestRelationshipsSubresources checks that none is left out), over rlSeed.
var rlEveryRelationship = []rlRelated{
	{"businessunits", "2", "organization", "organizations", false, []string{"1"}, "99"},
	{"businessunits", "2", "parentBusinessUnit", "businessunits", false, []string{"1"}, "99"},
	{"businessunits", "1", "parentBusinessUnit", "businessunits", false, nil, "99"},
	{"businessunits", "1", "users", "users", true, []string{"1", "2"}, "99"},
	{"businessunits", "2", "users", "users", true, []string{"2"}, "99"},
	{"userroles", "2", "organization", "organizations", false, nil, "99"},
	{"userroles", "2", "users", "users", true, []string{"2"}, "99"},
	{"userroles", "3", "users", "users", true, nil, "99"},
	{"users", "2", "roles", "userroles", true, []string{"2"}, "99"},
	{"users", "2", "businessUnits", "businessunits", true, []string{"1", "2"}, "99"},
	{"users", "2", "owner", "businessunits", false, []string{"1"}, "99"},
	{"users", "2", "organization", "organizations", false, []string{"1"}, "99"},
	{"accounts", "1", "contacts", "contacts", true, []string{"1", "2"}, "99"},
	{"accounts", "2", "contacts", "contacts", true, nil, "99"},
	{"accounts", "1", "defaultContact", "contacts", false, []string{"2"}, "99"},
	{"accounts", "2", "defaultContact", "contacts", false, nil, "99"},
	{"accounts", "1", "owner", "users", false, []string{"1"}, "99"},
	{"accounts", "1", "organization", "organizations", false, []string{"1"}, "99"},
	{"contacts", "1", "source", "contactsources", false, []string{"website"}, "99"},
	{"contacts", "2", "source", "contactsources", false, nil, "99"},
	{"contacts", "1", "accounts", "accounts", true, []string{"1"}, "99"},
	{"contacts", "3", "accounts", "accounts", true, nil, "99"},
	{"contacts", "1", "calls", "calls", true, []string{"1"}, "99"},
	{"contacts", "2", "calls", "calls", true, nil, "99"},
	{"contacts", "1", "owner", "users", false, []string{"1"}, "99"},
	{"contacts", "1", "organization", "organizations", false, []string{"1"}, "99"},
	{"calls", "1", "contact", "contacts", false, []string{"1"}, "99"},
	{"calls", "2", "contact", "contacts", false, nil, "99"},
	{"calls", "1", "account", "accounts", false, []string{"1"}, "99"},
	{"calls", "2", "account", "accounts", false, nil, "99"},
	{"calls", "1", "owner", "users", false, []string{"1"}, "99"},
	{"calls", "1", "organization", "organizations", false, []string{"1"}, "99"},
	{"localizations", "4", "parentLocalization", "localizations", false, []string{"2"}, "99"},
	{"localizations", "1", "parentLocalization", "localizations", false, nil, "99"},
	{"countries", "US", "regions", "regions", true, []string{"US-CA", "US-NY", "US-TX"}, "XX"},
	{"countries", "FR", "regions", "regions", true, nil, "XX"},
	{"regions", "DE-BY", "country", "countries", false, []string{"DE"}, "XX-YY"},
	{"products", "1", "prices", "productprices", true, []string{"1", "2"}, "99"},
	{"products", "1", "owner", "businessunits", false, []string{"1"}, "99"},
	{"products", "1", "organization", "organizations", false, []string{"1"}, "99"},
	{"productprices", "2", "product", "products", false, []string{"1"}, "99"},
	{"productprices", "2", "currency", "currencies", false, []string{"EUR"}, "99"},
	{"taxjurisdictions", "1", "country", "countries", false, []string{"US"}, "99"},
	{"taxjurisdictions", "1", "region", "regions", false, []string{"US-CA"}, "99"},
	{"taxjurisdictions", "2", "region", "regions", false, nil, "99"},
	{"asyncoperations", "1", "owner", "users", false, []string{"1"}, "99"},
	{"asyncoperations", "1", "organization", "organizations", false, []string{"1"}, "99"},
}

// rlDocumentRelationships lists "type/association" for every relationship path of the document.
func rlDocumentRelationships(t *testing.T) []string {
	t.Helper()
	var doc struct {
		Paths map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(gen.SpecJSON, &doc); err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`^/api/([a-z]+)/\{id\}/relationships/([A-Za-z]+)$`)
	var out []string
	for p := range doc.Paths {
		if m := re.FindStringSubmatch(p); m != nil {
			out = append(out, m[1]+"/"+m[2])
		}
	}
	sort.Strings(out)
	return out
}

func TestRelationshipsSubresources(t *testing.T) {
	t.Parallel()
	covered := map[string]bool{}
	for _, r := range rlEveryRelationship {
		covered[r.typ+"/"+r.assoc] = true
	}
	for _, rel := range rlDocumentRelationships(t) {
		if !covered[rel] {
			t.Errorf("the relationship %s of the document has no row in rlEveryRelationship", rel)
		}
	}
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		rlSeed(t, env)
		for _, r := range rlEveryRelationship {
			t.Run(r.typ+"/"+r.id+"/"+r.assoc, func(t *testing.T) {
				env := env.For(t)
				// The related resources are rendered exactly as their own item endpoint renders them.
				related := make([]string, len(r.ids))
				for i, id := range r.ids {
					related[i] = rlData(t, env, "/api/"+r.target+"/"+id, nil)
				}
				path := "/api/" + r.typ + "/" + r.id + "/" + r.assoc
				var data, linkage string
				switch {
				case r.toMany:
					data, linkage = "["+strings.Join(related, ",")+"]", idents(r.target, r.ids...)
				case len(r.ids) == 0:
					data, linkage = "null", "null"
				default:
					data, linkage = related[0], ident(r.target, r.ids[0])
				}
				res := env.Do(apitest.Request{Path: path, Header: map[string]string{"X-Include": "totalCount"}})
				res.Expect(t, http.StatusOK, itemDoc(path, data))
				count := ""
				if r.toMany {
					count = fmt.Sprint(len(r.ids))
				}
				if got := res.Header.Get("X-Include-Total-Count"); got != count {
					t.Fatalf("X-Include-Total-Count %q, want %q", got, count)
				}
				env.Do(apitest.Request{Path: "/api/" + r.typ + "/" + r.id + "/relationships/" + r.assoc}).
					Expect(t, http.StatusOK, relationship(r.typ, r.id, r.assoc, linkage))
				// the linkage inside the parent's own document agrees
				env.Do(apitest.Request{Path: "/api/" + r.typ + "/" + r.id + "?fields[" + r.typ + "]=" + r.assoc}).
					Expect(t, http.StatusOK, itemDoc("/api/"+r.typ+"/"+r.id+"?fields["+r.typ+"]="+r.assoc, `{"type":`+jsonText(r.typ)+`,"id":`+jsonText(r.id)+`,"links":{"self":`+jsonText(apiHost+"/api/"+r.typ+"/"+r.id)+
						`},"relationships":{`+jsonText(r.assoc)+`:`+relationship(r.typ, r.id, r.assoc, linkage)+`}}`))
				// a missing parent
				env.Do(apitest.Request{Path: "/api/" + r.typ + "/" + r.missing + "/" + r.assoc}).Expect(t, http.StatusNotFound, notFoundDoc)
				env.Do(apitest.Request{Path: "/api/" + r.typ + "/" + r.missing + "/relationships/" + r.assoc}).Expect(t, http.StatusNotFound, notFoundDoc)
			})
		}
		t.Run("an id that is not valid for the type", func(t *testing.T) {
			env := env.For(t)
			env.Do(apitest.Request{Path: "/api/accounts/abc/contacts"}).Expect(t, http.StatusNotFound, notFoundDoc)
			env.Do(apitest.Request{Path: "/api/accounts/abc/relationships/defaultContact"}).Expect(t, http.StatusNotFound, notFoundDoc)
		})
		t.Run("a missing parent comes before bad query parameters", func(t *testing.T) {
			env := env.For(t)
			for _, path := range []string{"/api/accounts/999999/contacts", "/api/accounts/999999/relationships/contacts",
				"/api/accounts/0999/contacts", "/api/accounts/abc/relationships/contacts"} {
				env.Do(apitest.Request{Path: path + "?page[size]=abc", Invalid: true}).Expect(t, http.StatusNotFound, notFoundDoc)
			}
			env.Do(apitest.Request{Path: "/api/accounts/1/contacts?page[size]=abc", Invalid: true}).
				Expect(t, http.StatusBadRequest, errorsDoc(badValue("page[size]", "integer", "abc")))
			env.Do(apitest.Request{Path: "/api/accounts/1/relationships/contacts?page[size]=abc", Invalid: true}).
				Expect(t, http.StatusBadRequest, errorsDoc(badValue("page[size]", "integer", "abc")))
		})
		t.Run("an id in another form than the parent's own", func(t *testing.T) {
			env := env.For(t)
			// read through the parent: the links name it as the store does
			env.Do(apitest.Request{Path: "/api/accounts/01/relationships/defaultContact"}).
				Expect(t, http.StatusOK, relationship("accounts", "1", "defaultContact", ident("contacts", "2")))
		})
	})
}

// ---- a to-many subresource is a full collection ----

// rlContact is a contact rendered with fields[contacts]=firstName.
func rlContact(id, firstName string) string {
	return `{"type":"contacts","id":` + jsonText(id) + `,"links":{"self":` + jsonText(apiHost+"/api/contacts/"+id) + `},"attributes":{"firstName":` + jsonText(firstName) + `}}`
}

func rlGet(path string) apitest.Request { return apitest.Request{Path: path} }

func TestRelationshipsToManyCollection(t *testing.T) {
	t.Parallel()
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		rlSeed(t, env)
		createAs(t, env, "contacts", "4", `{"data":{"type":"contacts","attributes":{"firstName":"Dee","lastName":"Smith"},
			"relationships":{"accounts":{"data":[{"type":"accounts","id":"1"}]}}}}`)
		ann, bob, dee := rlContact("1", "Ann"), rlContact("2", "Bob"), rlContact("4", "Dee")
		const coll = "/api/accounts/1/contacts"
		q := func(query string) string { return coll + "?fields[contacts]=firstName&" + query }
		total := func(n string) map[string]string { return map[string]string{"X-Include-Total-Count": n} }
		withTotal := func(path string) apitest.Request {
			return apitest.Request{Path: path, Header: map[string]string{"X-Include": "totalCount"}}
		}
		page := func(query, data, more string) string {
			return `{"data":` + data + `,"links":{"self":` + jsonText(uriOf(apiHost+q(query))) + more + `}}`
		}
		runCases(t, env, []apiCase{
			{name: "sort", req: rlGet(q("sort=-firstName")), status: 200, want: itemDoc(q("sort=-firstName"), "["+dee+","+bob+","+ann+"]")},
			{name: "filter", req: rlGet(q("filter[lastName]=Smith")), status: 200, want: itemDoc(q("filter[lastName]=Smith"), "["+ann+","+dee+"]")},
			{name: "filter with an operator", req: rlGet(q("filter[id]>1")), status: 200, want: itemDoc(q("filter[id]>1"), "["+bob+","+dee+"]")},
			{name: "filter by a relationship", req: rlGet(q("filter[source]=website")), status: 200, want: itemDoc(q("filter[source]=website"), "["+ann+"]")},
			{name: "filter matching none", req: rlGet(q("filter[firstName]=Zed")), status: 200, want: itemDoc(q("filter[firstName]=Zed"), "[]")},
			{name: "first page", req: withTotal(q("page[size]=2")), status: 200, header: total("3"),
				want: page("page[size]=2", "["+ann+","+bob+"]", `,"next":`+jsonText(apiHost+coll+"?fields%5Bcontacts%5D=firstName&page%5Bsize%5D=2&page%5Bnumber%5D=2"))},
			{name: "last page", req: withTotal(q("page[size]=2&page[number]=2")), status: 200, header: total("3"),
				want: page("page[size]=2&page[number]=2", "["+dee+"]", `,"first":`+jsonText(apiHost+coll+"?fields%5Bcontacts%5D=firstName&page%5Bsize%5D=2")+
					`,"prev":`+jsonText(apiHost+coll+"?fields%5Bcontacts%5D=firstName&page%5Bsize%5D=2"))},
			{name: "middle page", req: rlGet(q("page[size]=1&page[number]=2&sort=-id")), status: 200,
				want: page("page[size]=1&page[number]=2&sort=-id", "["+bob+"]", `,"first":`+jsonText(apiHost+coll+"?fields%5Bcontacts%5D=firstName&page%5Bsize%5D=1&sort=-id")+
					`,"prev":`+jsonText(apiHost+coll+"?fields%5Bcontacts%5D=firstName&page%5Bsize%5D=1&sort=-id")+
					`,"next":`+jsonText(apiHost+coll+"?fields%5Bcontacts%5D=firstName&page%5Bsize%5D=1&sort=-id&page%5Bnumber%5D=3"))},
			{name: "past the end", req: rlGet(q("page[number]=5")), status: 200,
				want: page("page[number]=5", "[]", `,"first":`+jsonText(apiHost+coll+"?fields%5Bcontacts%5D=firstName")+
					`,"prev":`+jsonText(apiHost+coll+"?fields%5Bcontacts%5D=firstName&page%5Bnumber%5D=4"))},
			{name: "total count with a filter", req: withTotal(q("filter[lastName]=Smith")), status: 200, header: total("2"),
				want: itemDoc(q("filter[lastName]=Smith"), "["+ann+","+dee+"]")},
			{name: "include and fields of the included type", req: rlGet(coll + "?fields[contacts]=firstName,source&include=source&fields[contactsources]=name&filter[id]=1"), status: 200,
				want: `{"data":[{"type":"contacts","id":"1","links":{"self":"http://api.test/api/contacts/1"},"attributes":{"firstName":"Ann"},
					"relationships":{"source":` + relationship("contacts", "1", "source", ident("contactsources", "website")) + `}}],
					"included":[{"type":"contactsources","id":"website","links":{"self":"http://api.test/api/contactsources/website"},"attributes":{"name":"Website"}}],
					"links":{"self":"http://api.test/api/accounts/1/contacts?fields%5Bcontacts%5D=firstName,source&include=source&fields%5Bcontactsources%5D=name&filter%5Bid%5D=1"}}`},
			{name: "include back to the parent", req: rlGet(coll + "?fields[contacts]=accounts&include=accounts&fields[accounts]=name&filter[id]=2"), status: 200,
				want: `{"data":[{"type":"contacts","id":"2","links":{"self":"http://api.test/api/contacts/2"},
					"relationships":{"accounts":` + relationship("contacts", "2", "accounts", idents("accounts", "1")) + `}}],
					"included":[{"type":"accounts","id":"1","links":{"self":"http://api.test/api/accounts/1"},"attributes":{"name":"Acme"}}],
					"links":{"self":"http://api.test/api/accounts/1/contacts?fields%5Bcontacts%5D=accounts&include=accounts&fields%5Baccounts%5D=name&filter%5Bid%5D=2"}}`},
			{name: "meta title", req: rlGet(coll + "?fields[contacts]=&meta=title&filter[id]=1,4"), status: 200,
				want: itemDoc(coll+"?fields[contacts]=&meta=title&filter[id]=1,4", `[{"type":"contacts","id":"1","links":{"self":"http://api.test/api/contacts/1"},"meta":{"title":"Ann Smith"}},
					{"type":"contacts","id":"4","links":{"self":"http://api.test/api/contacts/4"},"meta":{"title":"Dee Smith"}}]`)},
			{name: "no links", req: apitest.Request{Path: q("filter[id]=2"), Header: map[string]string{"X-Include": "noHateoas"}}, status: 200,
				want: `{"data":[{"type":"contacts","id":"2","attributes":{"firstName":"Bob"}}]}`},
			{name: "the filters of another type", req: apitest.Request{Path: coll + "?filter[name]=Acme"}, status: 400,
				want: `{"errors":[{"status":"400","title":"filter constraint","detail":"Filter \"filter[name]\" is not supported.","source":{"parameter":"filter[name]"}}]}`},
			{name: "unknown sort field", req: apitest.Request{Path: coll + "?sort=name"}, status: 400,
				want: `{"errors":[{"status":"400","title":"sort constraint","detail":"Sorting by \"name\" field is not supported.","source":{"parameter":"sort"}}]}`},
			{name: "unknown include", req: apitest.Request{Path: coll + "?include=owner.nope"}, status: 400,
				want: `{"errors":[{"status":"400","title":"filter constraint","detail":"The relationship \"owner.nope\" does not exist.","source":{"parameter":"include"}}]}`},
			{name: "regions of a country, by name", req: rlGet("/api/countries/US/regions?filter[name][contains]=york&fields[regions]=name"), status: 200,
				want: itemDoc("/api/countries/US/regions?filter[name][contains]=york&fields[regions]=name",
					`[{"type":"regions","id":"US-NY","links":{"self":"http://api.test/api/regions/US-NY"},"attributes":{"name":"New York"}}]`)},
			{name: "business units of a user, sorted", req: rlGet("/api/users/2/businessUnits?sort=-name&fields[businessunits]=name"), status: 200,
				want: itemDoc("/api/users/2/businessUnits?sort=-name&fields[businessunits]=name",
					`[{"type":"businessunits","id":"2","links":{"self":"http://api.test/api/businessunits/2"},"attributes":{"name":"Sales"}},
					{"type":"businessunits","id":"1","links":{"self":"http://api.test/api/businessunits/1"},"attributes":{"name":"Main"}}]`)},
			{name: "a to-one with include, fields and meta", req: rlGet("/api/accounts/1/defaultContact?fields[contacts]=firstName,accounts&include=accounts&fields[accounts]=name&meta=title"), status: 200,
				want: `{"data":{"type":"contacts","id":"2","links":{"self":"http://api.test/api/contacts/2"},"meta":{"title":"Bob Jones"},"attributes":{"firstName":"Bob"},
					"relationships":{"accounts":` + relationship("contacts", "2", "accounts", idents("accounts", "1")) + `}},
					"included":[{"type":"accounts","id":"1","links":{"self":"http://api.test/api/accounts/1"},"meta":{"title":"Acme"},"attributes":{"name":"Acme"}}],
					"links":{"self":"http://api.test/api/accounts/1/defaultContact?fields%5Bcontacts%5D=firstName,accounts&include=accounts&fields%5Baccounts%5D=name&meta=title"}}`},
		})
	})
}

// ---- relationship endpoints: reading identifiers ----

func TestRelationshipsIdentifiers(t *testing.T) {
	t.Parallel()
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		rlSeed(t, env)
		const rel = "/api/countries/US/relationships/regions"
		links := func(more string) string {
			return `"links":{"self":"http://api.test/api/countries/US/relationships/regions","related":"http://api.test/api/countries/US/regions"` + more + `}`
		}
		runCases(t, env, []apiCase{
			{name: "to-many", req: rlGet(rel), status: 200, want: relationship("countries", "US", "regions", idents("regions", "US-CA", "US-NY", "US-TX"))},
			{name: "to-many sorted", req: rlGet(rel + "?sort=-name"), status: 200, want: relationship("countries", "US", "regions", idents("regions", "US-TX", "US-NY", "US-CA"))},
			{name: "to-many first page", req: apitest.Request{Path: rel + "?page[size]=2", Header: map[string]string{"X-Include": "totalCount"}}, status: 200,
				header: map[string]string{"X-Include-Total-Count": "3"},
				want:   `{"data":` + idents("regions", "US-CA", "US-NY") + `,` + links(`,"next":"http://api.test/api/countries/US/relationships/regions?page%5Bsize%5D=2&page%5Bnumber%5D=2"`) + `}`},
			{name: "to-many last page", req: rlGet(rel + "?page[size]=2&page[number]=2&sort=name"), status: 200,
				want: `{"data":` + idents("regions", "US-TX") + `,` + links(`,"first":"http://api.test/api/countries/US/relationships/regions?page%5Bsize%5D=2&sort=name"`+
					`,"prev":"http://api.test/api/countries/US/relationships/regions?page%5Bsize%5D=2&sort=name"`) + `}`},
			{name: "to-many without paging", req: rlGet(rel + "?page[size]=-1"), status: 200, want: relationship("countries", "US", "regions", idents("regions", "US-CA", "US-NY", "US-TX"))},
			{name: "to-many without links", req: apitest.Request{Path: rel, Header: map[string]string{"X-Include": "noHateoas"}}, status: 200,
				want: `{"data":` + idents("regions", "US-CA", "US-NY", "US-TX") + `}`},
			{name: "empty to-many", req: rlGet("/api/accounts/2/relationships/contacts"), status: 200, want: relationship("accounts", "2", "contacts", "[]")},
			{name: "to-one", req: rlGet("/api/accounts/1/relationships/defaultContact"), status: 200, want: relationship("accounts", "1", "defaultContact", ident("contacts", "2"))},
			{name: "to-one null", req: rlGet("/api/accounts/2/relationships/defaultContact"), status: 200, want: relationship("accounts", "2", "defaultContact", "null")},
			{name: "to-one with a string id", req: rlGet("/api/contacts/1/relationships/source"), status: 200, want: relationship("contacts", "1", "source", ident("contactsources", "website"))},
			{name: "bad sort", req: rlGet(rel + "?sort=nope"), status: 400,
				want: `{"errors":[{"status":"400","title":"sort constraint","detail":"Sorting by \"nope\" field is not supported.","source":{"parameter":"sort"}}]}`},
			{name: "bad page size", req: rlGet(rel + "?page[size]=0"), status: 400,
				want: `{"errors":[{"status":"400","title":"filter constraint","detail":"The value should be greater than or equals to 1, or -1 for every record.","source":{"parameter":"page[size]"}}]}`},
		})
	})
}

// ---- relationship endpoints: writing ----

// rlLinked is what one relationship must hold after a change: its linkage.
type rlLinked struct{ rel, data string } // rel is "type/id/association"

// rlExpectLinks asserts the linkage of each relationship through its relationship endpoint.
func rlExpectLinks(t *testing.T, env *apitest.Env, links []rlLinked) {
	t.Helper()
	for _, l := range links {
		parts := strings.Split(l.rel, "/")
		env.Do(apitest.Request{Path: "/api/" + parts[0] + "/" + parts[1] + "/relationships/" + parts[2]}).
			Expect(t, http.StatusOK, relationship(parts[0], parts[1], parts[2], l.data))
	}
}

// rlChange is a relationship write that must succeed (204, no body) and what it leaves.
type rlChange struct {
	name   string
	method string
	path   string // typ/id/association
	body   string
	after  []rlLinked
	plain  bool // Accept and Content-Type application/json, a bare id body
}

// rlApply makes the changes in order, each on what the previous ones left (so not in parallel).
func rlApply(t *testing.T, env *apitest.Env, changes []rlChange) {
	t.Helper()
	for _, c := range changes {
		t.Run(c.name, func(t *testing.T) {
			env := env.For(t)
			req := apitest.Request{Method: c.method, Path: "/api/" + rlRelPath(c.path), Body: c.body}
			if c.plain {
				req.Header = map[string]string{"Accept": "application/json", "Content-Type": "application/json"}
			}
			res := env.Do(req)
			res.Expect(t, http.StatusNoContent, "")
			rlExpectLinks(t, env, c.after)
		})
	}
}

// rlRelPath turns "type/id/association" into "type/id/relationships/association".
func rlRelPath(rel string) string {
	parts := strings.Split(rel, "/")
	return parts[0] + "/" + parts[1] + "/relationships/" + parts[2]
}

func rlIdentsBody(typ string, ids ...string) string { return `{"data":` + idents(typ, ids...) + `}` }
func rlIdentBody(typ, id string) string {
	if id == "" {
		return `{"data":null}`
	}
	return `{"data":` + ident(typ, id) + `}`
}

func TestRelationshipsWrite(t *testing.T) {
	t.Parallel()
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		rlSeed(t, env)
		rlApply(t, env, []rlChange{
			{name: "replace a to-many", method: "PATCH", path: "accounts/2/contacts", body: rlIdentsBody("contacts", "3", "1"),
				after: []rlLinked{{"accounts/2/contacts", idents("contacts", "1", "3")}, {"contacts/1/accounts", idents("accounts", "1", "2")},
					{"contacts/3/accounts", idents("accounts", "2")}, {"accounts/1/contacts", idents("contacts", "1", "2")}}},
			{name: "add members, one already present", method: "POST", path: "accounts/2/contacts", body: rlIdentsBody("contacts", "3", "2"),
				after: []rlLinked{{"accounts/2/contacts", idents("contacts", "1", "2", "3")}, {"contacts/2/accounts", idents("accounts", "1", "2")}}},
			{name: "add present members only", method: "POST", path: "accounts/2/contacts", body: rlIdentsBody("contacts", "1", "2"),
				after: []rlLinked{{"accounts/2/contacts", idents("contacts", "1", "2", "3")}}},
			{name: "add nothing", method: "POST", path: "accounts/2/contacts", body: rlIdentsBody("contacts"),
				after: []rlLinked{{"accounts/2/contacts", idents("contacts", "1", "2", "3")}}},
			{name: "remove members", method: "DELETE", path: "accounts/2/contacts", body: rlIdentsBody("contacts", "1", "3"),
				after: []rlLinked{{"accounts/2/contacts", idents("contacts", "2")}, {"contacts/1/accounts", idents("accounts", "1")},
					{"contacts/3/accounts", "[]"}}},
			{name: "remove absent members", method: "DELETE", path: "accounts/2/contacts", body: rlIdentsBody("contacts", "1", "3"),
				after: []rlLinked{{"accounts/2/contacts", idents("contacts", "2")}}},
			{name: "clear a to-many", method: "PATCH", path: "accounts/2/contacts", body: rlIdentsBody("contacts"),
				after: []rlLinked{{"accounts/2/contacts", "[]"}, {"contacts/2/accounts", idents("accounts", "1")}}},
			{name: "add from the inverse side", method: "POST", path: "contacts/3/accounts", body: rlIdentsBody("accounts", "1", "2"),
				after: []rlLinked{{"contacts/3/accounts", idents("accounts", "1", "2")}, {"accounts/1/contacts", idents("contacts", "1", "2", "3")},
					{"accounts/2/contacts", idents("contacts", "3")}}},
			{name: "remove from the inverse side", method: "DELETE", path: "contacts/3/accounts", body: rlIdentsBody("accounts", "1"),
				after: []rlLinked{{"contacts/3/accounts", idents("accounts", "2")}, {"accounts/1/contacts", idents("contacts", "1", "2")}}},
			{name: "replace from the inverse side", method: "PATCH", path: "contacts/3/accounts", body: rlIdentsBody("accounts", "1"),
				after: []rlLinked{{"contacts/3/accounts", idents("accounts", "1")}, {"accounts/1/contacts", idents("contacts", "1", "2", "3")},
					{"accounts/2/contacts", "[]"}}},
			{name: "replace a to-one", method: "PATCH", path: "accounts/1/defaultContact", body: rlIdentBody("contacts", "1"),
				after: []rlLinked{{"accounts/1/defaultContact", ident("contacts", "1")}, {"accounts/1/contacts", idents("contacts", "1", "2", "3")}}},
			{name: "clear a to-one", method: "PATCH", path: "accounts/1/defaultContact", body: rlIdentBody("contacts", ""),
				after: []rlLinked{{"accounts/1/defaultContact", "null"}, {"accounts/1/contacts", idents("contacts", "1", "2", "3")}}},
			{name: "the owner", method: "PATCH", path: "accounts/2/owner", body: rlIdentBody("users", "2"),
				after: []rlLinked{{"accounts/2/owner", ident("users", "2")}}},
			{name: "roles of a user", method: "POST", path: "users/2/roles", body: rlIdentsBody("userroles", "3"),
				after: []rlLinked{{"users/2/roles", idents("userroles", "2", "3")}, {"userroles/3/users", idents("users", "2")}}},
			{name: "users of a role", method: "DELETE", path: "userroles/2/users", body: rlIdentsBody("users", "2"),
				after: []rlLinked{{"users/2/roles", idents("userroles", "3")}, {"userroles/2/users", "[]"}}},
			{name: "users of a business unit", method: "PATCH", path: "businessunits/2/users", body: rlIdentsBody("users", "1"),
				after: []rlLinked{{"businessunits/2/users", idents("users", "1")}, {"users/1/businessUnits", idents("businessunits", "1", "2")},
					{"users/2/businessUnits", idents("businessunits", "1")}}},
			{name: "parent business unit", method: "PATCH", path: "businessunits/2/parentBusinessUnit", body: rlIdentBody("businessunits", ""),
				after: []rlLinked{{"businessunits/2/parentBusinessUnit", "null"}}},
			{name: "contact of a call", method: "PATCH", path: "calls/2/contact", body: rlIdentBody("contacts", "3"),
				after: []rlLinked{{"calls/2/contact", ident("contacts", "3")}, {"contacts/3/calls", idents("calls", "2")}}},
			{name: "a code id", method: "PATCH", path: "contacts/2/source", body: rlIdentBody("contactsources", "tv"),
				after: []rlLinked{{"contacts/2/source", ident("contactsources", "tv")}}},
			{name: "region of a tax jurisdiction", method: "PATCH", path: "taxjurisdictions/2/region", body: rlIdentBody("regions", "DE-BE"),
				after: []rlLinked{{"taxjurisdictions/2/region", ident("regions", "DE-BE")}}},
			{name: "currency of a price", method: "PATCH", path: "productprices/2/currency", body: rlIdentBody("currencies", "GBP"),
				after: []rlLinked{{"productprices/2/currency", ident("currencies", "GBP")}}},
			{name: "parent localization", method: "PATCH", path: "localizations/4/parentLocalization", body: rlIdentBody("localizations", "3"),
				after: []rlLinked{{"localizations/4/parentLocalization", ident("localizations", "3")}}},
		})
	})
}

// ---- relationship endpoints: the methods a relationship does not have ----

func TestRelationshipsMethodNotAllowed(t *testing.T) {
	t.Parallel()
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		rlSeed(t, env)
		const toOne, readOnly = "GET, HEAD, OPTIONS, PATCH", "GET, HEAD, OPTIONS"
		var cases []apiCase
		add := func(allow, rel string, body string, methods ...string) {
			for _, m := range methods {
				cases = append(cases, apiCase{name: m + " " + rel, req: apitest.Request{Method: m, Path: "/api/" + rlRelPath(rel), Body: body},
					status: http.StatusMethodNotAllowed, header: map[string]string{"Allow": allow}})
			}
		}
		add(toOne, "accounts/1/defaultContact", rlIdentBody("contacts", "1"), "POST", "DELETE", "PUT")
		add(toOne, "calls/1/account", rlIdentBody("accounts", "2"), "POST", "DELETE")
		add(toOne, "contacts/1/source", rlIdentBody("contactsources", "tv"), "POST", "DELETE")
		add(readOnly, "contacts/1/calls", rlIdentsBody("calls", "2"), "PATCH", "POST", "DELETE")
		add(readOnly, "products/1/prices", rlIdentsBody("productprices", "1"), "PATCH", "POST", "DELETE")
		add(readOnly, "countries/US/regions", rlIdentsBody("regions", "DE-BE"), "PATCH", "POST", "DELETE")
		add(readOnly, "regions/US-CA/country", rlIdentBody("countries", "DE"), "PATCH", "POST", "DELETE")
		add(readOnly, "asyncoperations/1/owner", rlIdentBody("users", "2"), "PATCH")
		add("DELETE, GET, HEAD, OPTIONS, PATCH, POST", "accounts/1/contacts", rlIdentsBody("contacts", "3"), "PUT")
		runCases(t, env, cases)
		t.Run("nothing changed", func(t *testing.T) {
			rlExpectLinks(t, env.For(t), []rlLinked{{"accounts/1/defaultContact", ident("contacts", "2")}, {"calls/1/account", ident("accounts", "1")},
				{"contacts/1/calls", idents("calls", "1")}, {"products/1/prices", idents("productprices", "1", "2")},
				{"countries/US/regions", idents("regions", "US-CA", "US-NY", "US-TX")}, {"regions/US-CA/country", ident("countries", "US")},
				{"asyncoperations/1/owner", ident("users", "1")}, {"accounts/1/contacts", idents("contacts", "1", "2")}})
		})
	})
}

// ---- relationship endpoints: errors ----

func TestRelationshipsErrors(t *testing.T) {
	t.Parallel()
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		rlSeed(t, env)
		req := func(method, rel, body string, invalid bool) apitest.Request {
			return apitest.Request{Method: method, Path: "/api/" + rlRelPath(rel), Body: body, Invalid: invalid}
		}
		wrongType := func(ptr, typ string) string {
			return errorsDoc(invalid(ptr, "request data constraint", fmt.Sprintf("The 'type' property should be %q.", typ)))
		}
		runCases(t, env, []apiCase{
			{name: "add a missing contact", req: req("POST", "accounts/1/contacts", rlIdentsBody("contacts", "99"), false), status: 400,
				want: errorsDoc(noEntity("/data/0"))},
			{name: "replace with a missing contact", req: req("PATCH", "accounts/1/contacts", rlIdentsBody("contacts", "3", "99"), false), status: 400,
				want: errorsDoc(noEntity("/data/1"))},
			{name: "remove a missing contact", req: req("DELETE", "accounts/1/contacts", rlIdentsBody("contacts", "99"), false), status: 400,
				want: errorsDoc(noEntity("/data/0"))},
			{name: "several missing", req: req("POST", "accounts/1/contacts", rlIdentsBody("contacts", "98", "3", "99"), false), status: 400,
				want: errorsDoc(noEntity("/data/0"), noEntity("/data/2"))},
			{name: "an id that is not an integer", req: req("POST", "accounts/1/contacts", rlIdentsBody("contacts", "abc"), false), status: 400,
				want: errorsDoc(noEntity("/data/0"))},
			{name: "a missing default contact", req: req("PATCH", "accounts/1/defaultContact", rlIdentBody("contacts", "99"), false), status: 400,
				want: errorsDoc(noEntity("/data"))},
			{name: "a missing code", req: req("PATCH", "contacts/1/source", rlIdentBody("contactsources", "radio"), false), status: 400,
				want: errorsDoc(noEntity("/data"))},
			{name: "a wrong type in a to-many", req: req("POST", "accounts/1/contacts", `{"data":[{"type":"contacts","id":"3"},{"type":"users","id":"1"}]}`, true), status: 400,
				want: wrongType("/data/1/type", "contacts")},
			{name: "a wrong type in a to-one", req: req("PATCH", "accounts/1/defaultContact", rlIdentBody("users", "1"), true), status: 400,
				want: wrongType("/data/type", "contacts")},
			{name: "an object for a to-many", req: req("PATCH", "accounts/1/contacts", rlIdentBody("contacts", "3"), true), status: 400,
				want: errorsDoc(invalid("/data", "request data constraint", "The data of a to-many relationship should be an array."))},
			{name: "no data", req: req("PATCH", "accounts/1/defaultContact", `{}`, true), status: 400,
				want: errorsDoc(invalid("", "request data constraint", "The relationship should be an object with a 'data' property."))},
			{name: "a required to-one cleared", req: req("PATCH", "accounts/1/owner", rlIdentBody("users", ""), false), status: 400,
				want: errorsDoc(invalid("/data", "not blank constraint", "This value should not be blank."))},
			{name: "a missing parent", req: req("POST", "accounts/99/contacts", rlIdentsBody("contacts", "3"), false), status: 404, want: notFoundDoc},
			{name: "a missing parent of a to-one", req: req("PATCH", "accounts/99/defaultContact", rlIdentBody("contacts", "3"), false), status: 404, want: notFoundDoc},
			{name: "a region of another country", req: req("PATCH", "taxjurisdictions/1/region", rlIdentBody("regions", "DE-BE"), false), status: 400,
				want: errorsDoc(invalid("/data", "form constraint", "The region does not belong to the country."))},
		})
		t.Run("nothing changed", func(t *testing.T) {
			rlExpectLinks(t, env.For(t), []rlLinked{{"accounts/1/contacts", idents("contacts", "1", "2")}, {"accounts/1/defaultContact", ident("contacts", "2")},
				{"contacts/3/accounts", "[]"}, {"contacts/1/source", ident("contactsources", "website")}, {"accounts/1/owner", ident("users", "1")},
				{"taxjurisdictions/1/region", ident("regions", "US-CA")}})
		})
	})
}

// ---- relationship endpoints in the plain format ----

func TestRelationshipsPlain(t *testing.T) {
	t.Parallel()
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		rlSeed(t, env)
		accept := map[string]string{"Accept": "application/json"}
		isPlain := map[string]string{"Content-Type": "application/json"}
		get := func(path string) apitest.Request { return apitest.Request{Path: path, Header: accept} }
		runCases(t, env, []apiCase{
			{name: "to-many", req: get("/api/accounts/1/relationships/contacts"), status: 200, want: `[1,2]`, header: isPlain},
			{name: "to-many paged", req: get("/api/countries/US/relationships/regions?page[size]=2&sort=-id"), status: 200, want: `["US-TX","US-NY"]`, header: isPlain},
			{name: "empty to-many", req: get("/api/accounts/2/relationships/contacts"), status: 200, want: `[]`, header: isPlain},
			{name: "to-one", req: get("/api/accounts/1/relationships/defaultContact"), status: 200, want: `2`, header: isPlain},
			{name: "to-one with a string id", req: get("/api/contacts/1/relationships/source"), status: 200, want: `"website"`, header: isPlain},
			{name: "to-one null", req: get("/api/accounts/2/relationships/defaultContact"), status: 200, want: `null`, header: isPlain},
			{name: "related to-one null", req: get("/api/accounts/2/defaultContact"), status: 200, want: `null`, header: isPlain},
			{name: "related to-one", req: get("/api/contacts/1/source"), status: 200, want: `{"id":"website","name":"Website"}`, header: isPlain},
			{name: "related to-many", req: get("/api/users/2/businessUnits?fields[businessunits]=name,parentBusinessUnit&sort=-id"), status: 200,
				want: `[{"id":2,"name":"Sales","parentBusinessUnit":1},{"id":1,"name":"Main","parentBusinessUnit":null}]`, header: isPlain},
		})
		plainBody := map[string]string{"Accept": "application/json", "Content-Type": "application/json"}
		rlApply(t, env, []rlChange{
			{name: "replace a to-many", method: "PATCH", path: "accounts/2/contacts", body: `[3,1]`, plain: true,
				after: []rlLinked{{"accounts/2/contacts", idents("contacts", "1", "3")}, {"contacts/3/accounts", idents("accounts", "2")}}},
			{name: "string ids are fine too", method: "POST", path: "accounts/2/contacts", body: `["2"]`, plain: true,
				after: []rlLinked{{"accounts/2/contacts", idents("contacts", "1", "2", "3")}}},
			{name: "remove", method: "DELETE", path: "accounts/2/contacts", body: `[1,3]`, plain: true,
				after: []rlLinked{{"accounts/2/contacts", idents("contacts", "2")}}},
			{name: "clear", method: "PATCH", path: "accounts/2/contacts", body: `[]`, plain: true,
				after: []rlLinked{{"accounts/2/contacts", "[]"}}},
			{name: "replace a to-one", method: "PATCH", path: "accounts/2/defaultContact", body: `3`, plain: true,
				after: []rlLinked{{"accounts/2/defaultContact", ident("contacts", "3")}, {"accounts/2/contacts", idents("contacts", "3")}}},
			{name: "clear a to-one", method: "PATCH", path: "accounts/2/defaultContact", body: `null`, plain: true,
				after: []rlLinked{{"accounts/2/defaultContact", "null"}}},
			{name: "a code id", method: "PATCH", path: "contacts/2/source", body: `"call"`, plain: true,
				after: []rlLinked{{"contacts/2/source", ident("contactsources", "call")}}},
		})
		runCases(t, env, []apiCase{
			{name: "a missing member", req: apitest.Request{Method: "POST", Path: "/api/accounts/2/relationships/contacts", Header: plainBody, Body: `[3,99]`}, status: 400,
				want: `[{"code":400,"title":"form constraint","detail":"The entity does not exist.","source":"/1"}]`, header: isPlain},
			{name: "a missing to-one", req: apitest.Request{Method: "PATCH", Path: "/api/accounts/2/relationships/defaultContact", Header: plainBody, Body: `99`}, status: 400,
				want: `[{"code":400,"title":"form constraint","detail":"The entity does not exist."}]`, header: isPlain},
			{name: "a missing parent", req: apitest.Request{Method: "PATCH", Path: "/api/accounts/99/relationships/contacts", Header: plainBody, Body: `[1]`}, status: 404,
				want: `[{"code":404,"title":"not found http exception","detail":"An entity with the requested identifier does not exist."}]`, header: isPlain},
		})
	})
}

// ---- what follows a relationship change ----

func TestRelationshipsSideEffects(t *testing.T) {
	t.Parallel()
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		rlSeed(t, env)
		comm := func(typ, id, last, in, out string, times, timesIn, timesOut int) apiCase {
			date := func(s string) string {
				if s == "" {
					return "null"
				}
				return jsonText(s)
			}
			path := "/api/" + typ + "/" + id + "?fields[" + typ + "]=lastContactedDate,lastContactedDateIn,lastContactedDateOut,timesContacted,timesContactedIn,timesContactedOut"
			return apiCase{name: "communication of " + typ + "/" + id, req: rlGet(path), status: 200,
				want: itemDoc(path, fmt.Sprintf(`{"type":%q,"id":%q,"links":{"self":"%s/api/%s/%s"},"attributes":{"lastContactedDate":%s,"lastContactedDateIn":%s,
					"lastContactedDateOut":%s,"timesContacted":%d,"timesContactedIn":%d,"timesContactedOut":%d}}`,
					typ, id, apiHost, typ, id, date(last), date(in), date(out), times, timesIn, timesOut))}
		}
		runCases(t, env, []apiCase{
			comm("accounts", "1", "2024-03-01T10:00:00Z", "2024-03-01T10:00:00Z", "", 1, 1, 0),
			comm("accounts", "2", "", "", "", 0, 0, 0),
		})
		t.Run("the account of a call", func(t *testing.T) {
			rlApply(t, env, []rlChange{
				{name: "move call 1", method: "PATCH", path: "calls/1/account", body: rlIdentBody("accounts", "2"),
					after: []rlLinked{{"calls/1/account", ident("accounts", "2")}}},
				{name: "link call 2", method: "PATCH", path: "calls/2/account", body: rlIdentBody("accounts", "2"),
					after: []rlLinked{{"calls/2/account", ident("accounts", "2")}}},
			})
			runCases(t, env, []apiCase{
				comm("accounts", "1", "", "", "", 0, 0, 0),
				comm("accounts", "2", "2024-03-02T10:00:00Z", "2024-03-01T10:00:00Z", "2024-03-02T10:00:00Z", 2, 1, 1),
			})
			rlApply(t, env, []rlChange{{name: "unlink call 1", method: "PATCH", path: "calls/1/account", body: rlIdentBody("accounts", ""),
				after: []rlLinked{{"calls/1/account", "null"}}}})
			runCases(t, env, []apiCase{comm("accounts", "2", "2024-03-02T10:00:00Z", "", "2024-03-02T10:00:00Z", 1, 0, 1)})
		})
		t.Run("the contact of a call", func(t *testing.T) {
			rlApply(t, env, []rlChange{{name: "move call 1", method: "PATCH", path: "calls/1/contact", body: rlIdentBody("contacts", "3"),
				after: []rlLinked{{"contacts/3/calls", idents("calls", "1")}, {"contacts/1/calls", "[]"}}}})
			runCases(t, env, []apiCase{
				comm("contacts", "1", "", "", "", 0, 0, 0),
				comm("contacts", "3", "2024-03-01T10:00:00Z", "2024-03-01T10:00:00Z", "", 1, 1, 0),
			})
		})
		t.Run("a default contact joins the contacts", func(t *testing.T) {
			rlApply(t, env, []rlChange{
				{name: "set", method: "PATCH", path: "accounts/2/defaultContact", body: rlIdentBody("contacts", "3"),
					after: []rlLinked{{"accounts/2/defaultContact", ident("contacts", "3")}, {"accounts/2/contacts", idents("contacts", "3")},
						{"contacts/3/accounts", idents("accounts", "2")}}},
				{name: "switch", method: "PATCH", path: "accounts/2/defaultContact", body: rlIdentBody("contacts", "1"),
					after: []rlLinked{{"accounts/2/defaultContact", ident("contacts", "1")}, {"accounts/2/contacts", idents("contacts", "1", "3")}}},
				// replacing the contacts keeps the default contact among them
				{name: "replace the contacts", method: "PATCH", path: "accounts/2/contacts", body: rlIdentsBody("contacts", "2"),
					after: []rlLinked{{"accounts/2/defaultContact", ident("contacts", "1")}, {"accounts/2/contacts", idents("contacts", "1", "2")}}},
			})
		})
	})
}

// ---- conditional relationship writes ----

func TestRelationshipsConditional(t *testing.T) {
	t.Parallel()
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		rlSeed(t, env)
		etag := func() string {
			t.Helper()
			res := env.Do(rlGet("/api/accounts/1"))
			res.ExpectStatus(t, http.StatusOK)
			return res.Header.Get("ETag")
		}
		write := func(method, rel, body, ifMatch string) *apitest.Response {
			return env.Do(apitest.Request{Method: method, Path: "/api/" + rlRelPath(rel), Body: body, Header: map[string]string{"If-Match": ifMatch}})
		}
		const stale = `{"errors":[{"status":"412","title":"precondition failed exception","detail":"The resource has been modified: its ETag does not match If-Match.","source":{"header":"If-Match"}}]}`
		tag := etag()
		write("POST", "accounts/1/contacts", rlIdentsBody("contacts", "3"), `"stale"`).Expect(t, http.StatusPreconditionFailed, stale)
		write("PATCH", "accounts/1/defaultContact", rlIdentBody("contacts", ""), `"stale"`).Expect(t, http.StatusPreconditionFailed, stale)
		rlExpectLinks(t, env, []rlLinked{{"accounts/1/contacts", idents("contacts", "1", "2")}, {"accounts/1/defaultContact", ident("contacts", "2")}})
		if etag() != tag {
			t.Fatal("the ETag changed without a change")
		}
		write("POST", "accounts/1/contacts", rlIdentsBody("contacts", "3"), tag).Expect(t, http.StatusNoContent, "")
		// the linkage is part of the resource: its ETag changed, the old one is stale
		write("DELETE", "accounts/1/contacts", rlIdentsBody("contacts", "3"), tag).Expect(t, http.StatusPreconditionFailed, stale)
		write("DELETE", "accounts/1/contacts", rlIdentsBody("contacts", "3"), `"other", `+etag()).Expect(t, http.StatusNoContent, "")
		rlExpectLinks(t, env, []rlLinked{{"accounts/1/contacts", idents("contacts", "1", "2")}})
	})
}

// A caller's statement for a relationship's first page, and for a record by its id, is written
// once and kept, and each request puts its own id in (resources' plan.kept): requests of one
// caller that alternate parents (one whose id is also the organization's), page sizes, integer
// and text ids each get their own records, the first time and from the kept statement.
func TestRelationshipsKeptStatements(t *testing.T) {
	t.Parallel()
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		rlSeed(t, env)
		plain := map[string]string{"X-Include": "noHateoas"}
		page := func(path, data string) apiCase {
			return apiCase{name: path, req: apitest.Request{Path: path, Header: plain}, status: http.StatusOK, want: `{"data":` + data + `}`}
		}
		item := func(typ, id, name string) {
			t.Helper()
			var got struct {
				ID         string `json:"id"`
				Attributes struct {
					Name string `json:"name"`
				} `json:"attributes"`
			}
			if err := json.Unmarshal([]byte(rlData(t, env, "/api/"+typ+"/"+id, nil)), &got); err != nil {
				t.Fatal(err)
			}
			if got.ID != id || got.Attributes.Name != name {
				t.Fatalf("/api/%s/%s: id %q, name %q; want %q", typ, id, got.ID, got.Attributes.Name, name)
			}
		}
		for range 2 {
			runCases(t, env, []apiCase{
				page("/api/accounts/1/relationships/contacts", idents("contacts", "1", "2")),
				page("/api/accounts/2/relationships/contacts", "[]"),
				page("/api/accounts/1/relationships/contacts?page[size]=1", idents("contacts", "1")),
				page("/api/contacts/2/relationships/accounts", idents("accounts", "1")),
				page("/api/countries/US/relationships/regions?page[size]=1", idents("regions", "US-CA")),
				page("/api/countries/US/relationships/regions", idents("regions", "US-CA", "US-NY", "US-TX")),
				page("/api/countries/DE/relationships/regions?page[size]=2", idents("regions", "DE-BE", "DE-BY")),
				page("/api/countries/FR/relationships/regions", "[]"),
				{name: "a missing parent", req: rlGet("/api/accounts/3/relationships/contacts"), status: http.StatusNotFound, want: notFoundDoc},
			})
			item("accounts", "1", "Acme")
			item("accounts", "2", "Globex")
			item("countries", "US", "United States")
			item("countries", "DE", "Germany")
		}
	})
}
