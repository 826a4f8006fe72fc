package server_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"webapi/server/apitest"
	"webapi/store"
	"webapi/store/storetest"
)

const rlBase = "http://api.test"

// rlBackends runs fn on a fresh server over each database backend.
func rlBackends(t *testing.T, fn func(t *testing.T, env *apitest.Env)) {
	t.Helper()
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			fn(t, apitest.New(t, b))
		})
	}
}

// rlPost creates a resource and asserts that it got the id want.
func rlPost(t *testing.T, env *apitest.Env, typ, want, body string) {
	t.Helper()
	res := env.Do(apitest.Request{Method: http.MethodPost, Path: "/api/" + typ, Body: body})
	res.ExpectStatus(t, http.StatusCreated)
	if loc := res.Header.Get("Location"); loc != rlBase+"/api/"+typ+"/"+want {
		t.Fatalf("POST /api/%s: Location %q, want id %s", typ, loc, want)
	}
}

// rlSeed writes the records every relationship test starts from.
func rlSeed(t *testing.T, env *apitest.Env) {
	t.Helper()
	rlPost(t, env, "businessunits", "2", `{"data":{"type":"businessunits","attributes":{"name":"Sales"},"relationships":{
		"organization":{"data":{"type":"organizations","id":"1"}},"parentBusinessUnit":{"data":{"type":"businessunits","id":"1"}}}}}`)
	rlPost(t, env, "users", "2", `{"data":{"type":"users","attributes":{"username":"jane","email":"jane@example.com","firstName":"Jane","lastName":"Roe"},
		"relationships":{"roles":{"data":[{"type":"userroles","id":"2"}]},"businessUnits":{"data":[{"type":"businessunits","id":"1"},{"type":"businessunits","id":"2"}]}}}}`)
	rlPost(t, env, "contacts", "1", `{"data":{"type":"contacts","attributes":{"firstName":"Ann","lastName":"Smith","primaryEmail":"ann@example.com"},
		"relationships":{"source":{"data":{"type":"contactsources","id":"website"}}}}}`)
	rlPost(t, env, "contacts", "2", `{"data":{"type":"contacts","attributes":{"firstName":"Bob","lastName":"Jones"}}}`)
	rlPost(t, env, "contacts", "3", `{"data":{"type":"contacts","attributes":{"firstName":"Cid","lastName":"Brown"}}}`)
	rlPost(t, env, "accounts", "1", `{"data":{"type":"accounts","attributes":{"name":"Acme"},"relationships":{
		"contacts":{"data":[{"type":"contacts","id":"1"},{"type":"contacts","id":"2"}]},"defaultContact":{"data":{"type":"contacts","id":"2"}}}}}`)
	rlPost(t, env, "accounts", "2", `{"data":{"type":"accounts","attributes":{"name":"Globex"}}}`)
	rlPost(t, env, "calls", "1", `{"data":{"type":"calls","attributes":{"subject":"Intro","callDateTime":"2024-03-01T10:00:00Z","direction":"incoming"},
		"relationships":{"contact":{"data":{"type":"contacts","id":"1"}},"account":{"data":{"type":"accounts","id":"1"}}}}}`)
	rlPost(t, env, "calls", "2", `{"data":{"type":"calls","attributes":{"subject":"Cold call","callDateTime":"2024-03-02T10:00:00Z","direction":"outgoing"}}}`)
	rlPost(t, env, "localizations", "4", `{"data":{"type":"localizations","attributes":{"name":"Swiss German","languageCode":"de","formattingCode":"de_CH"},
		"relationships":{"parentLocalization":{"data":{"type":"localizations","id":"2"}}}}}`)
	rlPost(t, env, "products", "1", `{"data":{"type":"products","attributes":{"sku":"CHAIR-1","names":[{"localization":null,"value":"Chair"}]}}}`)
	rlPost(t, env, "productprices", "1", `{"data":{"type":"productprices","attributes":{"value":"10.5"},"relationships":{
		"product":{"data":{"type":"products","id":"1"}},"currency":{"data":{"type":"currencies","id":"USD"}}}}}`)
	rlPost(t, env, "productprices", "2", `{"data":{"type":"productprices","attributes":{"value":"9"},"relationships":{
		"product":{"data":{"type":"products","id":"1"}},"currency":{"data":{"type":"currencies","id":"EUR"}}}}}`)
	rlPost(t, env, "taxjurisdictions", "1", `{"data":{"type":"taxjurisdictions","attributes":{"code":"CA-SALES"},"relationships":{
		"country":{"data":{"type":"countries","id":"US"}},"region":{"data":{"type":"regions","id":"US-CA"}}}}}`)
	rlPost(t, env, "taxjurisdictions", "2", `{"data":{"type":"taxjurisdictions","attributes":{"code":"DE-VAT"},"relationships":{
		"country":{"data":{"type":"countries","id":"DE"}}}}}`)
	// No request creates asynchronous operations here (that is the batch API): store one.
	at := store.NewTime(time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC))
	op := &store.AsyncOperation{Status: "new", EntityType: "accounts", OwnerID: 1, OrganizationID: 1, Timestamps: store.Timestamps{CreatedAt: at, UpdatedAt: at}}
	if err := env.DB.Gorm.Create(op).Error; err != nil {
		t.Fatal(err)
	}
}

func TestRelationshipsDump(t *testing.T) {
	rlBackends(t, func(t *testing.T, env *apitest.Env) {
		rlSeed(t, env)
		for _, p := range []string{"/api/userroles/1/organization", "/api/accounts/1/contacts?page[size]=1&page[number]=2&X", "/api/accounts/1/relationships/contacts?page[size]=1&page[number]=2&sort=-id",
			"/api/accounts/2/defaultContact", "/api/accounts/1/relationships/defaultContact", "/api/countries/FR/regions"} {
			res := env.Do(apitest.Request{Path: p, Header: map[string]string{"X-Include": "totalCount"}})
			fmt.Println(p, res.Status, res.Header, string(res.Body))
		}
	})
}
