package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"testing"

	"webapi/server/apitest"
)

// seedOwned creates, as env's user, one record of every type that belongs to an organization,
// and returns their ids by type.
func seedOwned(t *testing.T, env *apitest.Env, tag string) map[string]string {
	t.Helper()
	ids := map[string]string{}
	ids["businessunits"] = create(t, env, "businessunits", `{"data":{"type":"businessunits","attributes":{"name":"Unit `+tag+`"}}}`)
	ids["userroles"] = create(t, env, "userroles", `{"data":{"type":"userroles","attributes":{"role":"ROLE_`+strings.ToUpper(tag)+`","label":"Role `+tag+`"}}}`)
	ids["users"] = create(t, env, "users", `{"data":{"type":"users","attributes":{"username":"user-`+tag+`","email":"user-`+tag+`@example.com"},
		"relationships":{"businessUnits":{"data":[{"type":"businessunits","id":"`+ids["businessunits"]+`"}]},"roles":{"data":[{"type":"userroles","id":"`+ids["userroles"]+`"}]}}}}`)
	ids["contacts"] = create(t, env, "contacts", `{"data":{"type":"contacts","attributes":{"firstName":"Contact `+tag+`"}}}`)
	ids["accounts"] = create(t, env, "accounts", `{"data":{"type":"accounts","attributes":{"name":"Account `+tag+`"},
		"relationships":{"contacts":{"data":[{"type":"contacts","id":"`+ids["contacts"]+`"}]},"defaultContact":{"data":{"type":"contacts","id":"`+ids["contacts"]+`"}}}}}`)
	ids["calls"] = create(t, env, "calls", `{"data":{"type":"calls","attributes":{"subject":"Call `+tag+`","callDateTime":"2026-01-02T03:04:05Z","direction":"incoming"},
		"relationships":{"contact":{"data":{"type":"contacts","id":"`+ids["contacts"]+`"}},"account":{"data":{"type":"accounts","id":"`+ids["accounts"]+`"}}}}}`)
	ids["products"] = create(t, env, "products", cmProductBody("SKU-"+tag, `[{"localization":null,"value":"Product `+tag+`"}]`, ""))
	ids["productprices"] = create(t, env, "productprices", cmPriceBody("9.5", "", ids["products"], "EUR"))
	return ids
}

// docPath is a path of the document with its methods.
type docPath struct {
	template string
	typ      string // the type of its first segment
	item     bool   // names a record by {id}
	methods  []string
}

func documentPaths(t *testing.T) []docPath {
	t.Helper()
	doc, err := apitest.Document()
	if err != nil {
		t.Fatal(err)
	}
	var out []docPath
	for tmpl, item := range doc.Paths.Map() {
		if !strings.HasPrefix(tmpl, "/api/") || strings.HasPrefix(tmpl, "/api/doc") {
			continue
		}
		p := docPath{template: tmpl, typ: strings.Split(tmpl, "/")[2], item: strings.Contains(tmpl, "{id}")}
		for m := range item.Operations() {
			if m != http.MethodOptions && m != http.MethodHead {
				p.methods = append(p.methods, m)
			}
		}
		sort.Strings(p.methods)
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].template < out[j].template })
	return out
}

// identifiers collects every resource identifier ({"type", "id"}) anywhere in a document.
func identifiers(v any, into map[string]bool) {
	switch v := v.(type) {
	case map[string]any:
		typ, ok1 := v["type"].(string)
		id, ok2 := v["id"].(string)
		if ok1 && ok2 {
			into[typ+"/"+id] = true
		}
		for _, x := range v {
			identifiers(x, into)
		}
	case []any:
		for _, x := range v {
			identifiers(x, into)
		}
	}
}

// relationshipNames are the relationships of a record as its owner reads it.
func relationshipNames(t *testing.T, env *apitest.Env, typ, id string) []string {
	t.Helper()
	res := env.Do(apitest.Request{Path: "/api/" + typ + "/" + id})
	res.ExpectStatus(t, 200)
	var doc struct {
		Data struct {
			Relationships map[string]json.RawMessage `json:"relationships"`
		} `json:"data"`
	}
	if err := json.Unmarshal(res.Body, &doc); err != nil {
		t.Fatal(err)
	}
	var names []string
	for n := range doc.Data.Relationships {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// relationshipBody is a valid body for a relationship endpoint of the document: its linkage as
// the owner reads it for a to-one (which may be required), [] for a to-many.
func relationshipBody(t *testing.T, owner *apitest.Env, path string) string {
	t.Helper()
	res := owner.Do(apitest.Request{Path: path})
	res.ExpectStatus(t, 200)
	var doc struct {
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(res.Body, &doc); err != nil {
		t.Fatal(err)
	}
	if strings.HasPrefix(string(doc.Data), "[") {
		return `{"data":[]}`
	}
	return `{"data":` + string(doc.Data) + `}`
}

// No request of one organization's caller, on any path and method of the document, sees, counts,
// finds, changes or deletes a record of another organization (api.md section 17): every item
// path answers exactly the nonexistent-id 404, no list, count or include holds an identifier of
// the other organization, filters by its ids find nothing, deletes by filter delete nothing, and
// linking to its records is the nonexistent-id 400. The paths come from the document, so a new
// path or type is probed without a change here.
func TestIsolationProbe(t *testing.T) {
	t.Parallel()
	paths := documentPaths(t)
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		ours := seedOwned(t, env, "ours")
		second := newAdministrator(t, env, "Second")
		theirs := seedOwned(t, second.Env, "theirs")
		theirs["organizations"], theirs["users2"] = second.org, second.user
		secret := map[string]bool{"organizations/" + second.org: true, "users/" + second.user: true, "businessunits/" + second.unit: true}
		for typ, id := range theirs {
			if typ != "users2" {
				secret[typ+"/"+id] = true
			}
		}
		leaks := func(t *testing.T, what string, res *apitest.Response) {
			t.Helper()
			var doc any
			if len(res.Body) == 0 {
				return
			}
			if err := json.Unmarshal(res.Body, &doc); err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			found := map[string]bool{}
			identifiers(doc, found)
			for k := range found {
				if secret[k] {
					t.Errorf("%s shows %s of the other organization: %.500s", what, k, res.Body)
				}
			}
		}
		for _, p := range paths {
			id := theirs[p.typ]
			for _, m := range p.methods {
				t.Run(m+" "+p.template, func(t *testing.T) {
					c := env.For(t)
					if search := searchProbes[p.template]; search != nil {
						// searches that match every record the caller may view
						res := c.Do(apitest.Request{Path: search("theirs")})
						res.ExpectStatus(t, 200)
						leaks(t, "the search", res)
						plainLeaks(t, res, secret)
						// the same search finds them for their own organization
						if n := searchCount(t, second.For(t).Do(apitest.Request{Path: search("theirs")})); n == 0 {
							t.Fatal("the probe finds nothing even for the other organization")
						}
						return
					}
					if p.item {
						if id == "" {
							return // no record of the type belongs to an organization
						}
						path := strings.Replace(p.template, "{id}", id, 1)
						req := apitest.Request{Method: m, Path: path}
						switch {
						case m == http.MethodPatch && !strings.Contains(p.template, "/relationships/"):
							req.Body = `{"data":{"type":"` + p.typ + `","id":"` + id + `"}}`
						case m != http.MethodGet && m != http.MethodDelete || strings.Contains(p.template, "/relationships/") && m == http.MethodDelete:
							req.Body = relationshipBody(t, second.Env.For(t), path)
						}
						c.Do(req).Expect(t, 404, notFoundDoc)
						return
					}
					switch m {
					case http.MethodGet:
						include := ""
						if id != "" {
							include = "&include=" + strings.Join(relationshipNames(t, second.Env.For(t), p.typ, id), ",")
						}
						res := c.Do(apitest.Request{Path: p.template + "?page[size]=-1" + include, Header: map[string]string{"X-Include": "totalCount"}})
						res.ExpectStatus(t, 200)
						leaks(t, "the list", res)
						if id != "" {
							want := `{"data":[],"links":` + selfLinks(p.template+"?filter[id]="+id) + `}`
							c.Do(apitest.Request{Path: p.template + "?filter[id]=" + id}).Expect(t, 200, want)
						}
					case http.MethodDelete:
						if id == "" {
							return
						}
						c.Do(apitest.Request{Method: m, Path: p.template + "?filter[id]=" + id}).Expect(t, 204, "")
						second.For(t).Do(apitest.Request{Path: "/api/" + p.typ + "/" + id}).ExpectStatus(t, 200)
					}
				})
			}
		}
		// linking one of ours to one of theirs is linking to nothing
		t.Run("links", func(t *testing.T) {
			c := env.For(t)
			c.Do(apitest.Request{Method: http.MethodPatch, Path: "/api/accounts/" + ours["accounts"],
				Body: `{"data":{"type":"accounts","id":"` + ours["accounts"] + `","relationships":{"contacts":{"data":[{"type":"contacts","id":"` + theirs["contacts"] + `"}]}}}}`}).
				Expect(t, 400, errorsDoc(noEntity(linkAt("contacts")+"/0")))
			c.Do(apitest.Request{Method: http.MethodPost, Path: "/api/accounts/" + ours["accounts"] + "/relationships/contacts",
				Body: `{"data":[{"type":"contacts","id":"` + theirs["contacts"] + `"}]}`}).
				Expect(t, 400, errorsDoc(noEntity("/data/0")))
			c.Do(apitest.Request{Method: http.MethodPost, Path: "/api/calls",
				Body: `{"data":{"type":"calls","attributes":{"subject":"X","callDateTime":"2026-01-02T03:04:05Z","direction":"incoming"},"relationships":{"owner":{"data":{"type":"users","id":"` + second.user + `"}}}}}`}).
				Expect(t, 400, errorsDoc(noEntity(linkAt("owner"))))
			// and what was theirs is unchanged
			res := second.For(t).Do(apitest.Request{Path: "/api/contacts/" + theirs["contacts"] + "/relationships/accounts"})
			res.Expect(t, 200, `{"data":`+idents("accounts", theirs["accounts"])+`,"links":{"self":"`+apiHost+`/api/contacts/`+theirs["contacts"]+`/relationships/accounts","related":"`+apiHost+`/api/contacts/`+theirs["contacts"]+`/accounts"}}`)
		})
	})
}

// A user without any role may do nothing: every list of the document is empty, every record
// it names, of its own organization, is a 403 for the action asked, a create is a 403, a delete
// by filter deletes nothing, and nothing changes (api.md section 17: a type missing from all of
// a user's roles means none).
func TestNoRoleSeesNothing(t *testing.T) {
	t.Parallel()
	paths := documentPaths(t)
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		ours := seedOwned(t, env, "ours")
		ours["organizations"], ours["currencies"], ours["localizations"], ours["countries"] = "1", "EUR", "1", "US"
		ours["regions"], ours["weightunits"], ours["contactsources"], ours["taxjurisdictions"] = "US-CA", "kg", "website",
			create(t, env, "taxjurisdictions", `{"data":{"type":"taxjurisdictions","attributes":{"code":"US-CA-1"},"relationships":{"country":{"data":{"type":"countries","id":"US"}}}}}`)
		nobody := create(t, env, "users", `{"data":{"type":"users","attributes":{"username":"nobody","email":"nobody@example.com"}}}`)
		before := snapshot(t, env, ours)
		c := env.As(mustInt(t, nobody))
		for _, p := range paths {
			for _, m := range p.methods {
				t.Run(m+" "+p.template, func(t *testing.T) {
					c := c.For(t)
					if search := searchProbes[p.template]; search != nil {
						res := c.Do(apitest.Request{Path: search("ours")})
						res.ExpectStatus(t, 200)
						if n := searchCount(t, res); n != 0 {
							t.Fatalf("a user without roles finds %d records: %s", n, res.Body)
						}
						return
					}
					id := ours[p.typ]
					relationship := strings.Contains(p.template, "/relationships/")
					switch {
					case !p.item && m == http.MethodGet:
						c.Do(apitest.Request{Path: p.template}).Expect(t, 200, listDoc(selfLinks(p.template)))
					case !p.item && m == http.MethodPost:
						body, ok := validCreate[p.typ]
						if !ok {
							t.Fatalf("no valid body to create %s: add one to validCreate", p.typ)
						}
						body = strings.ReplaceAll(body, "{product}", ours["products"])
						c.Do(apitest.Request{Method: m, Path: p.template, Body: body}).Expect(t, 403, forbidden("CREATE", "/data"))
					case !p.item && m == http.MethodPatch:
						if id != "" { // a synchronous batch that updates a record: refused for EDIT, nothing written
							c.Do(apitest.Request{Method: m, Path: p.template, Header: map[string]string{"X-Mode": "sync"},
								Body: `{"data":[{"type":"` + p.typ + `","id":"` + id + `","meta":{"update":true}}]}`}).Expect(t, 403, forbidden("EDIT", "/data/0"))
						}
					case !p.item && m == http.MethodDelete:
						if id != "" {
							c.Do(apitest.Request{Method: m, Path: p.template + "?filter[id]=" + id}).Expect(t, 204, "")
						}
					case id == "":
					case m == http.MethodGet:
						c.Do(apitest.Request{Path: strings.Replace(p.template, "{id}", id, 1)}).Expect(t, 403, forbidden("VIEW", ""))
					case m == http.MethodPatch && !relationship:
						c.Do(apitest.Request{Method: m, Path: strings.Replace(p.template, "{id}", id, 1),
							Body: `{"data":{"type":"` + p.typ + `","id":"` + id + `"}}`}).Expect(t, 403, forbidden("EDIT", ""))
					case m == http.MethodDelete && !relationship:
						c.Do(apitest.Request{Method: m, Path: strings.Replace(p.template, "{id}", id, 1)}).Expect(t, 403, forbidden("DELETE", ""))
					default: // a relationship's POST, PATCH or DELETE
						path := strings.Replace(p.template, "{id}", id, 1)
						c.Do(apitest.Request{Method: m, Path: path, Body: relationshipBody(t, env.For(t), path)}).Expect(t, 403, forbidden("EDIT", ""))
					}
				})
			}
		}
		if after := snapshot(t, env, ours); after != before {
			t.Fatalf("a user without roles changed something:\nbefore %s\nafter  %s", before, after)
		}
	})
}

// validCreate are valid documents to create a record of each type ({product}: a product's id).
var validCreate = map[string]string{
	"organizations":    `{"data":{"type":"organizations","attributes":{"name":"New"}}}`,
	"businessunits":    `{"data":{"type":"businessunits","attributes":{"name":"New"}}}`,
	"userroles":        `{"data":{"type":"userroles","attributes":{"role":"ROLE_NEW","label":"New"}}}`,
	"users":            `{"data":{"type":"users","attributes":{"username":"new-user","email":"new@example.com"}}}`,
	"accounts":         `{"data":{"type":"accounts","attributes":{"name":"New"}}}`,
	"contacts":         `{"data":{"type":"contacts","attributes":{"firstName":"New"}}}`,
	"calls":            `{"data":{"type":"calls","attributes":{"subject":"New","callDateTime":"2026-01-02T03:04:05Z","direction":"incoming"}}}`,
	"localizations":    `{"data":{"type":"localizations","attributes":{"name":"New","languageCode":"nl","formattingCode":"nl_NL"}}}`,
	"products":         `{"data":{"type":"products","attributes":{"sku":"NEW","names":[{"localization":null,"value":"New"}]}}}`,
	"productprices":    `{"data":{"type":"productprices","attributes":{"value":"1"},"relationships":{"product":{"data":{"type":"products","id":"{product}"}},"currency":{"data":{"type":"currencies","id":"EUR"}}}}}`,
	"weightunits":      `{"data":{"type":"weightunits","id":"st","attributes":{"conversionRates":null}}}`,
	"taxjurisdictions": `{"data":{"type":"taxjurisdictions","attributes":{"code":"NEW"},"relationships":{"country":{"data":{"type":"countries","id":"US"}}}}}`,
}

// snapshot is the administrator's view of the records of ids, with their linkage: what must
// not change.
func snapshot(t *testing.T, env *apitest.Env, ids map[string]string) string {
	t.Helper()
	types := make([]string, 0, len(ids))
	for typ := range ids {
		types = append(types, typ)
	}
	sort.Strings(types)
	var b strings.Builder
	for _, typ := range types {
		res := env.For(t).Do(apitest.Request{Path: "/api/" + typ + "/" + ids[typ]})
		res.ExpectStatus(t, 200)
		var doc map[string]any
		if err := json.Unmarshal(res.Body, &doc); err != nil {
			t.Fatal(err)
		}
		data, _ := json.Marshal(doc["data"])
		b.Write(data)
		b.WriteByte('\n')
	}
	return b.String()
}

func mustInt(t testing.TB, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// searchProbes are searches of each search endpoint that match every record the caller may
// view whose text has the word given.
var searchProbes = map[string]func(word string) string{
	"/api/rest/latest/search": func(w string) string { return "/api/rest/latest/search?search=" + w },
	"/api/rest/latest/search/advanced": func(w string) string {
		return "/api/rest/latest/search/advanced?query=" + url.QueryEscape(`where all_text ~ `+w+` or integer timesContacted >= 0`)
	},
	"/api/search": func(w string) string { return "/api/search?filter[searchText]=" + w + "&include=entity&page[size]=100" },
}

// plainLeaks fails when a plain search result names a record of secret ("type/id").
func plainLeaks(t *testing.T, res *apitest.Response, secret map[string]bool) {
	t.Helper()
	var r struct {
		Data []struct {
			EntityName string `json:"entity_name"`
			RecordID   int64  `json:"record_id"`
		} `json:"data"`
	}
	if json.Unmarshal(res.Body, &r) != nil {
		return // not a plain result
	}
	for _, d := range r.Data {
		if k := fmt.Sprintf("%s/%d", d.EntityName, d.RecordID); secret[k] {
			t.Errorf("the search shows %s of the other organization: %.500s", k, res.Body)
		}
	}
}

// searchCount is the number of records a search answer holds.
func searchCount(t *testing.T, res *apitest.Response) int {
	t.Helper()
	var r struct {
		RecordsCount *int              `json:"records_count"`
		Data         []json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(res.Body, &r); err != nil {
		t.Fatal(err)
	}
	if r.RecordsCount != nil {
		return *r.RecordsCount + len(r.Data)
	}
	return len(r.Data)
}
