package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"testing"

	"webapi/server/apitest"
)

// accessWorld is organization 1 arranged for the access levels of api.md section 17:
//
//	Main (1) ─┬─ Sales ── Inside
//	          └─ Other
//
// The caller is a member of Sales, with one role whose accounts permissions the test sets; a
// colleague is also in Sales, a third user in Inside (Sales' division), a fourth in Other. Each
// of them, and the administrator (in Main), owns one account.
type accessWorld struct {
	admin  *apitest.Env
	caller *apitest.Env
	role   string
	// users and their accounts, by who: "caller", "colleague", "division", "other", "admin"
	users, accounts map[string]string
	// the business units by name: "Main", "Sales", "Inside", "Other"
	units map[string]string
}

// seeUsersAndUnits are the permissions of the probe role besides the type under test: it sees
// users and business units, so that owners are linked and may be named.
const seeUsersAndUnits = `"users":{"VIEW":"organization","CREATE":"none","EDIT":"none","DELETE":"none"},` +
	`"businessunits":{"VIEW":"organization","CREATE":"none","EDIT":"none","DELETE":"none"}`

var accessOwners = []string{"caller", "colleague", "division", "other", "admin"}

func newAccessWorld(t *testing.T, env *apitest.Env) *accessWorld {
	t.Helper()
	w := &accessWorld{admin: env, users: map[string]string{"admin": "1"}, accounts: map[string]string{}}
	unit := func(name, parent string) string {
		return create(t, env, "businessunits", `{"data":{"type":"businessunits","attributes":{"name":"`+name+`"},
			"relationships":{"parentBusinessUnit":{"data":{"type":"businessunits","id":"`+parent+`"}}}}}`)
	}
	sales := unit("Sales", "1")
	inside := unit("Inside", sales)
	other := unit("Other", "1")
	w.units = map[string]string{"Main": "1", "Sales": sales, "Inside": inside, "Other": other}
	// the probe role sees users (so that owners are linked) and gets its accounts levels per step
	w.role = create(t, env, "userroles", `{"data":{"type":"userroles","attributes":{"role":"ROLE_PROBE","label":"Probe",
		"permissions":{`+seeUsersAndUnits+`}}}}`)
	user := func(name, unit string, roles string) string {
		return create(t, env, "users", `{"data":{"type":"users","attributes":{"username":"`+name+`","email":"`+name+`@example.com","password":"password-`+name+`"},
			"relationships":{"owner":{"data":{"type":"businessunits","id":"`+unit+`"}},"businessUnits":{"data":[{"type":"businessunits","id":"`+unit+`"}]},
			"roles":{"data":`+roles+`}}}}`)
	}
	w.users["caller"] = user("caller", sales, idents("userroles", w.role))
	w.users["colleague"] = user("colleague", sales, "[]")
	w.users["division"] = user("division", inside, "[]")
	w.users["other"] = user("other", other, "[]")
	for _, who := range accessOwners {
		w.accounts[who] = create(t, env, "accounts", accountOwnedBy("Account of "+who, w.users[who]))
	}
	id, _ := strconv.ParseInt(w.users["caller"], 10, 64)
	w.caller = env.As(id).For(t)
	return w
}

func accountOwnedBy(name, owner string) string {
	rel := ""
	if owner != "" {
		rel = `,"relationships":{"owner":{"data":{"type":"users","id":"` + owner + `"}}}`
	}
	return `{"data":{"type":"accounts","attributes":{"name":"` + name + `"}` + rel + `}}`
}

// setLevel gives the probe role level for every action on accounts (or on typ, when given).
func (w *accessWorld) setLevel(t *testing.T, level string, typ ...string) {
	t.Helper()
	on := "accounts"
	if len(typ) > 0 {
		on = typ[0]
	}
	w.setPermissions(t, fmt.Sprintf(`%q:{"VIEW":%q,"CREATE":%q,"EDIT":%q,"DELETE":%q}`, on, level, level, level, level))
}

// setPermissions gives the probe role perms (members of its permissions object) besides
// seeUsersAndUnits.
func (w *accessWorld) setPermissions(t *testing.T, perms string) {
	t.Helper()
	w.setRole(t, seeUsersAndUnits+`,`+perms)
}

// setRole gives the probe role perms (members of its permissions object) and nothing else.
func (w *accessWorld) setRole(t *testing.T, perms string) {
	t.Helper()
	w.admin.For(t).Do(apitest.Request{Method: http.MethodPatch, Path: "/api/userroles/" + w.role,
		Body: `{"data":{"type":"userroles","id":"` + w.role + `","attributes":{"permissions":{` + perms + `}}}}`}).
		ExpectStatus(t, http.StatusOK)
}

func forbidden(action, pointer string) string {
	source := ""
	if pointer != "" {
		source = atPointer(pointer)
	}
	return errorDoc(403, "access denied exception", `No access by "`+action+`" permission to the entity.`, source)
}

// Every access level of a user-owned type, in lists, counts, items, subresources, relationship
// endpoints, writes, owners and deletes by filter; the role is changed between the steps through
// the API, so each step also proves that a changed role takes effect on the next request.
func TestAccessLevels(t *testing.T) {
	t.Parallel()
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		w := newAccessWorld(t, env)
		levels := []struct {
			level string
			sees  []string // whose accounts the caller sees (and may edit and delete)
		}{
			{"none", nil},
			{"user", []string{"caller"}},
			{"businessUnit", []string{"caller", "colleague"}},
			{"division", []string{"caller", "colleague", "division"}},
			{"organization", accessOwners},
			{"system", accessOwners},
		}
		for _, l := range levels {
			t.Run(l.level, func(t *testing.T) {
				w.setLevel(t, l.level)
				c := w.caller.For(t)
				var want []string
				for _, who := range accessOwners {
					if slices.Contains(l.sees, who) {
						want = append(want, w.accounts[who])
					}
				}
				res := c.Do(apitest.Request{Path: "/api/accounts?page[size]=100", Header: map[string]string{"X-Include": "totalCount"}})
				res.ExpectStatus(t, 200)
				if got := idsOf(t, res); !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
					t.Fatalf("list: %v, want %v", got, want)
				}
				if got := res.Header.Get("X-Include-Total-Count"); got != strconv.Itoa(len(want)) {
					t.Fatalf("total count %s, want %d", got, len(want))
				}
				// the same through a filter that names every account
				all := w.accounts["caller"]
				for _, who := range accessOwners[1:] {
					all += "," + w.accounts[who]
				}
				if got := idsOf(t, c.Do(apitest.Request{Path: "/api/accounts?filter[id]=" + all})); !slices.Equal(got, want) && len(want) > 0 {
					t.Fatalf("filtered list: %v, want %v", got, want)
				}
				for _, who := range accessOwners {
					id := w.accounts[who]
					path := "/api/accounts/" + id
					if slices.Contains(l.sees, who) {
						c.Do(apitest.Request{Path: path + "?fields[accounts]=name", Header: map[string]string{"X-Include": "noHateoas"}}).
							Expect(t, 200, `{"data":{"type":"accounts","id":"`+id+`","attributes":{"name":"Account of `+who+`"}}}`)
						c.Do(apitest.Request{Method: http.MethodPatch, Path: path + "?fields[accounts]=description", Header: map[string]string{"X-Include": "noHateoas"},
							Body: `{"data":{"type":"accounts","id":"` + id + `","attributes":{"description":"seen at ` + l.level + `"}}}`}).
							Expect(t, 200, `{"data":{"type":"accounts","id":"`+id+`","attributes":{"description":"seen at `+l.level+`"}}}`)
						c.Do(apitest.Request{Path: path + "/contacts"}).ExpectStatus(t, 200)
						c.Do(apitest.Request{Path: path + "/relationships/contacts"}).ExpectStatus(t, 200)
						continue
					}
					// visible to the organization, but not to this caller: 403, and nothing changes
					c.Do(apitest.Request{Path: path}).Expect(t, 403, forbidden("VIEW", ""))
					c.Do(apitest.Request{Path: path + "/contacts"}).Expect(t, 403, forbidden("VIEW", ""))
					c.Do(apitest.Request{Path: path + "/relationships/contacts"}).Expect(t, 403, forbidden("VIEW", ""))
					c.Do(apitest.Request{Path: path + "/owner"}).Expect(t, 403, forbidden("VIEW", ""))
					c.Do(apitest.Request{Method: http.MethodPatch, Path: path, Body: `{"data":{"type":"accounts","id":"` + id + `","attributes":{"description":"x"}}}`}).
						Expect(t, 403, forbidden("EDIT", ""))
					c.Do(apitest.Request{Method: http.MethodDelete, Path: path}).Expect(t, 403, forbidden("DELETE", ""))
					w.admin.For(t).Do(apitest.Request{Path: path + "?fields[accounts]=name", Header: map[string]string{"X-Include": "noHateoas"}}).
						Expect(t, 200, `{"data":{"type":"accounts","id":"`+id+`","attributes":{"name":"Account of `+who+`"}}}`)
				}
				// creating: only with CREATE, owned by the caller unless an owner within the level is named
				if l.level == "none" {
					c.Do(apitest.Request{Method: http.MethodPost, Path: "/api/accounts", Body: accountOwnedBy("Mine", "")}).Expect(t, 403, forbidden("CREATE", "/data"))
					return
				}
				mine := create(t, c, "accounts", accountOwnedBy("Mine", ""))
				c.Do(apitest.Request{Path: "/api/accounts/" + mine + "/owner?fields[users]=username", Header: map[string]string{"X-Include": "noHateoas"}}).
					Expect(t, 200, `{"data":{"type":"users","id":"`+w.users["caller"]+`","attributes":{"username":"caller"}}}`)
				expectDeleted(t, c, "/api/accounts/"+mine)
				for _, who := range accessOwners[1:] {
					body := accountOwnedBy("For "+who, w.users[who])
					if !slices.Contains(l.sees, who) {
						c.Do(apitest.Request{Method: http.MethodPost, Path: "/api/accounts", Body: body}).
							Expect(t, 403, forbidden("CREATE", linkAt("owner")))
						// nor may a record be handed over to them
						c.Do(apitest.Request{Method: http.MethodPatch, Path: "/api/accounts/" + w.accounts["caller"],
							Body: `{"data":{"type":"accounts","id":"` + w.accounts["caller"] + `","relationships":{"owner":{"data":{"type":"users","id":"` + w.users[who] + `"}}}}}`}).
							Expect(t, 403, forbidden("EDIT", linkAt("owner")))
						continue
					}
					expectDeleted(t, c, "/api/accounts/"+create(t, c, "accounts", body))
				}
			})
		}
		// a delete by filter removes only what the caller sees
		t.Run("delete by filter", func(t *testing.T) {
			w.setLevel(t, "user")
			c := w.caller.For(t)
			c.Do(apitest.Request{Method: http.MethodDelete, Path: "/api/accounts?filter[id]=" + w.accounts["caller"] + "," + w.accounts["colleague"]}).Expect(t, 204, "")
			admin := w.admin.For(t)
			admin.Do(apitest.Request{Path: "/api/accounts/" + w.accounts["caller"]}).Expect(t, 404, notFoundDoc)
			admin.Do(apitest.Request{Path: "/api/accounts/" + w.accounts["colleague"]}).ExpectStatus(t, 200)
		})
	})
}

// The levels of a business-unit-owned type (products): user and businessUnit both mean the
// caller's units, division adds their descendants, organization every unit.
func TestAccessLevelsOfUnitOwnedTypes(t *testing.T) {
	t.Parallel()
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		w := newAccessWorld(t, env)
		units := []string{"Main", "Sales", "Inside", "Other"}
		products := map[string]string{}
		for _, u := range units {
			products[u] = create(t, env, "products", cmProductBody("SKU-"+u, `[{"localization":null,"value":"Made in `+u+`"}]`,
				`},"relationships":{"owner":{"data":{"type":"businessunits","id":"`+w.units[u]+`"}}`))
		}
		for _, l := range []struct {
			level string
			sees  []string
		}{
			{"none", nil},
			{"user", []string{"Sales"}},
			{"businessUnit", []string{"Sales"}},
			{"division", []string{"Sales", "Inside"}},
			{"organization", units},
		} {
			t.Run(l.level, func(t *testing.T) {
				w.setLevel(t, l.level, "products")
				c := w.caller.For(t)
				var want []string
				for _, u := range units {
					if slices.Contains(l.sees, u) {
						want = append(want, products[u])
					}
				}
				if got := idsOf(t, c.Do(apitest.Request{Path: "/api/products"})); !slices.Equal(got, want) && len(want) > 0 {
					t.Fatalf("list: %v, want %v", got, want)
				}
				for _, u := range units {
					res := c.Do(apitest.Request{Path: "/api/products/" + products[u]})
					if slices.Contains(l.sees, u) {
						res.ExpectStatus(t, 200)
					} else {
						res.Expect(t, 403, forbidden("VIEW", ""))
					}
				}
				if l.level == "none" {
					return
				}
				// a new product is owned by the caller's unit; another unit only within the level
				mine := create(t, c, "products", cmProductBody("NEW-"+l.level, `[{"localization":null,"value":"New"}]`, ""))
				c.Do(apitest.Request{Path: "/api/products/" + mine + "/relationships/owner"}).
					Expect(t, 200, `{"data":`+ident("businessunits", w.units["Sales"])+`,"links":{"self":"`+apiHost+`/api/products/`+mine+`/relationships/owner","related":"`+apiHost+`/api/products/`+mine+`/owner"}}`)
				expectDeleted(t, c, "/api/products/"+mine)
				for _, u := range []string{"Inside", "Other"} {
					body := cmProductBody("NEW-"+l.level+"-"+u, `[{"localization":null,"value":"New"}]`,
						`},"relationships":{"owner":{"data":{"type":"businessunits","id":"`+w.units[u]+`"}}`)
					res := c.Do(apitest.Request{Method: http.MethodPost, Path: "/api/products", Body: body})
					if slices.Contains(l.sees, u) {
						res.ExpectStatus(t, 201)
						expectDeleted(t, c, "/api/products/"+dataOf(t, res)["id"].(string))
					} else {
						res.Expect(t, 403, forbidden("CREATE", linkAt("owner")))
					}
				}
			})
		}
	})
}

// linkedContact creates a contact of the administrator's named firstName, the only contact of
// the account acc, and returns its id.
func linkedContact(t *testing.T, env *apitest.Env, acc, firstName string) string {
	t.Helper()
	contact := create(t, env, "contacts", `{"data":{"type":"contacts","attributes":{"firstName":"`+firstName+`"}}}`)
	env.Do(apitest.Request{Method: http.MethodPatch, Path: "/api/accounts/" + acc,
		Body: `{"data":{"type":"accounts","id":"` + acc + `","relationships":{"contacts":{"data":[` + ident("contacts", contact) + `]}}}}`}).ExpectStatus(t, 200)
	return contact
}

// A to-one identifier is the visible record's own value and stays, but what it names is
// included only when the caller may view it; to-many linkage lists only what the caller may
// view (issue 9, item 4).
func TestAccessLinkageAndIncludes(t *testing.T) {
	t.Parallel()
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		w := newAccessWorld(t, env)
		acc := w.accounts["other"]
		contact := linkedContact(t, env, acc, "Hidden")
		// accounts at organization level; neither users nor contacts
		w.setRole(t, `"accounts":{"VIEW":"organization","CREATE":"none","EDIT":"none","DELETE":"none"}`)
		c := w.caller.For(t)
		c.Do(apitest.Request{Path: "/api/accounts/" + acc + "?fields[accounts]=owner,contacts&include=owner,contacts", Header: map[string]string{"X-Include": "noHateoas"}}).
			Expect(t, 200, `{"data":{"type":"accounts","id":"`+acc+`","relationships":{"owner":{"data":`+ident("users", w.users["other"])+`},"contacts":{"data":[]}}},"included":[]}`)
		// and a filter cannot probe what the linkage hides
		c.Do(apitest.Request{Path: "/api/accounts?filter[contacts]=" + contact}).Expect(t, 200, listDoc(selfLinks("/api/accounts?filter[contacts]="+contact)))
		env.Do(apitest.Request{Path: "/api/accounts?filter[contacts]=" + contact + "&fields[accounts]=name", Header: map[string]string{"X-Include": "noHateoas"}}).
			Expect(t, 200, `{"data":[{"type":"accounts","id":"`+acc+`","attributes":{"name":"Account of other"}}]}`)
	})
}

// What a caller's reads select is made once per principal (its linkage and what it may do);
// a role changed through the API takes effect on the caller's next read all the same, in the
// linkage of a plain read, and in what a write then may do.
func TestAccessChangesReachKeptColumns(t *testing.T) {
	t.Parallel()
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		w := newAccessWorld(t, env)
		acc := w.accounts["caller"]
		contact := linkedContact(t, env, acc, "Sometimes seen")
		role := func(accounts, contacts string) {
			t.Helper()
			w.setPermissions(t, `"accounts":{"VIEW":"organization","CREATE":"none","EDIT":"`+accounts+`","DELETE":"none"},`+
				`"contacts":{"VIEW":"`+contacts+`","CREATE":"none","EDIT":"none","DELETE":"none"}`)
		}
		linkageOf := func(res *apitest.Response) string {
			t.Helper()
			b, err := json.Marshal(dataOf(t, res)["relationships"].(map[string]any)["contacts"].(map[string]any)["data"])
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
		linkage := func() string {
			t.Helper()
			res := w.caller.Do(apitest.Request{Path: "/api/accounts/" + acc})
			res.ExpectStatus(t, 200)
			return linkageOf(res)
		}
		rename := func(status int) *apitest.Response {
			t.Helper()
			res := w.caller.Do(apitest.Request{Method: http.MethodPatch, Path: "/api/accounts/" + acc,
				Body: `{"data":{"type":"accounts","id":"` + acc + `","attributes":{"description":"renamed"}}}`})
			res.ExpectStatus(t, status)
			return res
		}
		seen := `[{"id":"` + contact + `","type":"contacts"}]` // as json.Marshal orders a map
		role("none", "organization")
		if got := linkage(); got != seen {
			t.Fatalf("linkage %s while the caller sees contacts", got)
		}
		rename(http.StatusForbidden)
		role("organization", "none")
		if got := linkage(); got != `[]` {
			t.Fatalf("linkage %s after the role stopped showing contacts", got)
		}
		// the record a write answers with is read in the write itself, with the caller's linkage too
		if got := linkageOf(rename(http.StatusOK)); got != `[]` {
			t.Fatalf("linkage %s in the answer to a PATCH after the role stopped showing contacts", got)
		}
		role("none", "organization")
		if got := linkage(); got != seen {
			t.Fatalf("linkage %s after the role showed contacts again", got)
		}
		rename(http.StatusForbidden)
	})
}

// An upsert matches only records the caller may view: the colleague's account of the same name
// is invisible at the user level, so the caller's upsert creates its own (api.md section 17).
func TestAccessUpsertMatchesOnlyVisible(t *testing.T) {
	t.Parallel()
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) {
		w := newAccessWorld(t, env)
		w.setLevel(t, "user")
		c := w.caller.For(t)
		upsert := `{"data":{"type":"accounts","meta":{"upsert":["name"]},"attributes":{"name":"Account of colleague","description":"mine"}}}`
		res := c.Do(apitest.Request{Method: http.MethodPost, Path: "/api/accounts?fields[accounts]=name,description", Body: upsert, Header: map[string]string{"X-Include": "noHateoas"}})
		res.ExpectStatus(t, 201)
		mine := dataOf(t, res)["id"].(string)
		// again: now it matches the caller's own
		c.Do(apitest.Request{Method: http.MethodPost, Path: "/api/accounts?fields[accounts]=name,description", Body: upsert, Header: map[string]string{"X-Include": "noHateoas"}}).
			Expect(t, 200, `{"data":{"type":"accounts","id":"`+mine+`","attributes":{"name":"Account of colleague","description":"mine"}}}`)
		env.Do(apitest.Request{Path: "/api/accounts?filter[name]=Account%20of%20colleague&fields[accounts]=description", Header: map[string]string{"X-Include": "noHateoas"}}).
			Expect(t, 200, `{"data":[{"type":"accounts","id":"`+w.accounts["colleague"]+`","attributes":{"description":null}},{"type":"accounts","id":"`+mine+`","attributes":{"description":"mine"}}]}`)
	})
}
