package server_test

// Scenario tests of the platform types of domain.md: organizations, businessunits, userroles and
// users. Every scenario runs on every backend over a fresh database whose fixed rows
// (store/fixed_rows.go) it relies on: organization 1, business unit 1, roles 1-3 and user 1
// (admin, John Doe). The scenario helpers (scene) are shared with crm_test.go; the expectations
// are those of expect_test.go.

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"webapi/server/apitest"
)

// ---- scenarios ----

// scene is one scenario: a server over a fresh database of one backend, and the test that
// currently runs on it.
type scene struct {
	t   *testing.T
	env *apitest.Env
}

// eachBackendScene runs fn once per backend, in parallel, each over its own database.
func eachBackendScene(t *testing.T, fn func(s *scene)) {
	apitest.EachBackend(t, func(t *testing.T, env *apitest.Env) { fn(&scene{t: t, env: env}) })
}

// step runs fn as a subtest over the same database: steps run in order, and each sees what
// the previous ones wrote.
func (s *scene) step(name string, fn func(s *scene)) {
	s.t.Helper()
	s.t.Run(name, func(t *testing.T) {
		env := *s.env
		env.T = t
		fn(&scene{t: t, env: &env})
	})
}

// send sends a request the document describes (with a JSON:API body when body is not empty).
func (s *scene) send(method, path, body string) *apitest.Response {
	s.t.Helper()
	return s.env.Do(apitest.Request{Method: method, Path: path, Body: body})
}

// expect sends a request the document describes and asserts the status and the exact document
// ("" = no body).
func (s *scene) expect(method, path, body string, status int, want string) *apitest.Response {
	s.t.Helper()
	res := s.send(method, path, body)
	res.Expect(s.t, status, want)
	return res
}

// create POSTs body to /api/typ and asserts the answer of a created resource: 201, the
// Location of the new resource (whose id is id), an ETag, server-set timestamps in ISO 8601
// UTC, and the exact document with want as the resource object.
func (s *scene) create(typ, id, body, want string) *apitest.Response {
	s.t.Helper()
	res := s.expect("POST", "/api/"+typ, body, 201, itemDoc(resURL(typ, id), want))
	if got := res.Header.Get("Location"); got != resURL(typ, id) {
		s.t.Fatalf("Location %q, want %q", got, resURL(typ, id))
	}
	s.checkETag(res)
	if strings.Contains(want, `"createdAt"`) {
		s.checkStamps(res)
	}
	return res
}

// read GETs the resource and asserts the exact document (want is the resource object).
func (s *scene) read(typ, id, want string) *apitest.Response {
	s.t.Helper()
	res := s.expect("GET", "/api/"+typ+"/"+id, "", 200, itemDoc(resURL(typ, id), want))
	s.checkETag(res)
	return res
}

// update PATCHes attributes and relationships (JSON object texts, "" = absent) of typ/id and
// asserts 200 with the exact document.
func (s *scene) update(typ, id, attrs, rels, want string) *apitest.Response {
	s.t.Helper()
	res := s.expect("PATCH", "/api/"+typ+"/"+id, writeDoc(typ, id, attrs, rels), 200, itemDoc(resURL(typ, id), want))
	s.checkETag(res)
	return res
}

// remove deletes typ/id: 204 without a body, then the resource is gone (GET, a second DELETE
// and PATCH answer 404).
func (s *scene) remove(typ, id string) {
	s.t.Helper()
	expectDeleted(s.t, s.env, "/api/"+typ+"/"+id)
	s.expect("PATCH", "/api/"+typ+"/"+id, writeDoc(typ, id, "", ""), 404, notFoundDoc)
}

// title GETs typ/id with meta=title and asserts the title.
func (s *scene) title(typ, id, want string) {
	s.t.Helper()
	res := s.send("GET", "/api/"+typ+"/"+id+"?meta=title", "")
	res.ExpectStatus(s.t, 200)
	meta, _ := dataOf(s.t, res)["meta"].(map[string]any)
	if got := meta["title"]; got != want {
		s.t.Fatalf("%s/%s: title %q, want %q", typ, id, got, want)
	}
}

func (s *scene) checkETag(res *apitest.Response) {
	s.t.Helper()
	if tag := res.Header.Get("ETag"); !strings.HasPrefix(tag, `"`) || len(tag) < 3 {
		s.t.Fatalf("ETag %q, want a strong entity tag", tag)
	}
}

var isoDateTime = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$`)

// checkStamps asserts that a new resource's createdAt and updatedAt are equal ISO 8601 UTC
// date-times.
func (s *scene) checkStamps(res *apitest.Response) {
	s.t.Helper()
	created, _ := attrOf(s.t, res, "createdAt").(string)
	updated, _ := attrOf(s.t, res, "updatedAt").(string)
	if !isoDateTime.MatchString(created) || created != updated {
		s.t.Fatalf("createdAt %q, updatedAt %q: want equal ISO 8601 UTC date-times", created, updated)
	}
}

// failCase is a request that must fail validation with exactly the listed errors (status 400).
type failCase struct {
	name    string
	method  string // default POST
	path    string // default the collection of the scenario's type
	body    string
	invalid bool // the document rejects the request as well (it violates the schema)
	want    []apiError
}

// fails runs the failures (against /api/typ unless a row names a path) and asserts that each
// is refused with exactly its errors, all reported together. They run as steps, in order: a
// failure that wrongly succeeded must not change what the next ones see unnoticed.
func (s *scene) fails(typ string, rows []failCase) {
	s.t.Helper()
	for _, f := range rows {
		s.step(f.name, func(s *scene) {
			method, path := f.method, f.path
			if method == "" {
				method = "POST"
			}
			if path == "" {
				path = "/api/" + typ
			}
			res := s.env.Do(apitest.Request{Method: method, Path: path, Body: f.body, Invalid: f.invalid})
			res.Expect(s.t, 400, errorsDoc(f.want...))
		})
	}
}

// ---- expected documents ----

// stamps are the server-set timestamps of a resource (checked by checkStamps on create).
const stamps = `"createdAt":"<any>","updatedAt":"<any>"`

// expectPages reads the collection of typ page by page (the default page size is 10, the
// default order is by id) and asserts that the pages hold exactly items, in order.
func (s *scene) expectPages(typ string, items []string) {
	s.t.Helper()
	last := (len(items) + 9) / 10
	for page := 1; page <= last; page++ {
		path := "/api/" + typ
		if page > 1 {
			path += fmt.Sprintf("?page[number]=%d", page)
		}
		s.expect("GET", path, "", 200, listDoc(pageLinks(typ, page, last), items[(page-1)*10:min(page*10, len(items))]...))
	}
}

// repeatX is a string of n characters.
func repeatX(n int) string { return strings.Repeat("x", n) }

// ---- organizations ----

func orgResource(id, name string, description any, enabled bool) string {
	return resObject("organizations", id, fmt.Sprintf(`"name":%s,"description":%s,"enabled":%t,%s`, jsonText(name), jsonText(description), enabled, stamps))
}

// A caller sees only its own organization (api.md section 17): it reads and edits it; other
// organizations, made with `webapi organization create`, do not exist for it, and none is
// created through the API.
func TestOrganizations(t *testing.T) {
	t.Parallel()
	eachBackendScene(t, func(s *scene) {
		other := newOrganization(s.t, s.env, "Acme Holding", true)
		s.step("read", func(s *scene) {
			s.read("organizations", "1", orgResource("1", "Default Organization", nil, true))
			s.expect("GET", "/api/organizations/"+other, "", 404, notFoundDoc)
			s.expect("GET", "/api/organizations/99", "", 404, notFoundDoc)
			s.expect("GET", "/api/organizations", "", 200, listDoc(selfLinks("/api/organizations"), orgResource("1", "Default Organization", nil, true)))
		})
		s.step("update changes only the members sent", func(s *scene) {
			before := s.read("organizations", "1", orgResource("1", "Default Organization", nil, true))
			after := s.update("organizations", "1", `{"description":"The parent company"}`, "",
				orgResource("1", "Default Organization", "The parent company", true))
			if before.Header.Get("ETag") == after.Header.Get("ETag") {
				s.t.Errorf("the ETag did not change on update")
			}
			s.update("organizations", "1", `{"name":"Acme Group","description":null}`, "", orgResource("1", "Acme Group", nil, true))
			s.read("organizations", "1", orgResource("1", "Acme Group", nil, true))
			s.expect("PATCH", "/api/organizations/"+other, writeDoc("organizations", other, `{"name":"Mine"}`, ""), 404, notFoundDoc)
		})
		s.step("errors", func(s *scene) {
			s.fails("organizations", []failCase{
				{name: "name blank", method: "PATCH", path: "/api/organizations/1", body: writeDoc("organizations", "1", `{"name":"   "}`, ""),
					want: []apiError{notBlank(attrAt("name"))}},
				{name: "name null", method: "PATCH", path: "/api/organizations/1", body: writeDoc("organizations", "1", `{"name":null}`, ""), invalid: true,
					want: []apiError{notBlank(attrAt("name"))}},
				{name: "name too long", method: "PATCH", path: "/api/organizations/1", body: writeDoc("organizations", "1", `{"name":"`+repeatX(256)+`"}`, ""), invalid: true,
					want: []apiError{tooLong(attrAt("name"), 255)}},
				// names are unique across organizations (the reference's rule)
				{name: "name taken", method: "PATCH", path: "/api/organizations/1", body: writeDoc("organizations", "1", `{"name":"Acme Holding"}`, ""),
					want: []apiError{taken(attrAt("name"))}},
				{name: "unknown attribute", method: "PATCH", path: "/api/organizations/1", body: writeDoc("organizations", "1", `{"color":"red"}`, ""), invalid: true,
					want: []apiError{extraField(attrAt("color"))}},
				{name: "wrong type", method: "PATCH", path: "/api/organizations/1", body: writeDoc("organizations", "1", `{"enabled":"yes"}`, ""), invalid: true,
					want: []apiError{wrongType(attrAt("enabled"), "boolean")}},
				{name: "several problems", method: "PATCH", path: "/api/organizations/1",
					body: writeDoc("organizations", "1", `{"name":7,"description":false,"enabled":1,"color":"red"}`, ""), invalid: true,
					want: []apiError{wrongType(attrAt("name"), "string"), wrongType(attrAt("description"), "string"),
						wrongType(attrAt("enabled"), "boolean"), extraField(attrAt("color"))}},
			})
			s.read("organizations", "1", orgResource("1", "Acme Group", nil, true))
		})
		s.step("no organization is created through the API", func(s *scene) {
			s.expect("POST", "/api/organizations", `{"data":{"type":"organizations","attributes":{"name":"New"}}}`, 403,
				errorDoc(403, "access denied exception", `No access by "CREATE" permission to the entity.`, atPointer("/data")))
		})
		s.step("title", func(s *scene) {
			s.title("organizations", "1", "Acme Group")
		})
		s.step("the caller's organization cannot go while it has records", func(s *scene) {
			s.expect("DELETE", "/api/organizations/1", "", 409, errorDoc(409, "conflict constraint",
				"The operation conflicts with records that refer to this one (or that it refers to).", ""))
			s.expect("DELETE", "/api/organizations/"+other, "", 404, notFoundDoc)
		})
	})
}

// ---- business units ----

func buResource(id, attrs, org, parent, users string) string {
	return resObject("businessunits", id, attrs+","+stamps,
		relData{"organization", org}, relData{"parentBusinessUnit", parent}, relData{"users", users})
}

// buPlain is a business unit with only a name, in organization 1, without parent or users.
func buPlain(id, name string) string {
	return buResource(id, `"name":`+jsonText(name)+`,"phone":null,"email":null,"website":null`, ident("organizations", "1"), "null", "[]")
}

func TestBusinessUnits(t *testing.T) {
	t.Parallel()
	eachBackendScene(t, func(s *scene) {
		sales := func(phone any, website, parent string) string {
			return buResource("2", `"name":"Sales","phone":`+jsonText(phone)+`,"email":"sales@example.com","website":`+jsonText(website),
				ident("organizations", "1"), parent, "[]")
		}
		s.step("create", func(s *scene) {
			s.create("businessunits", "2", `{"data":{"type":"businessunits","attributes":{"name":"Sales","phone":"+1 555 0100","email":"sales@example.com","website":"https://sales.example.com"},
				"relationships":{"parentBusinessUnit":{"data":{"type":"businessunits","id":"1"}}}}}`,
				sales("+1 555 0100", "https://sales.example.com", ident("businessunits", "1")))
		})
		s.step("create in another organization", func(s *scene) {
			// Another organization and its unit exist for the database, not for the caller:
			// naming them is exactly naming nothing (api.md section 17).
			other := newOrganization(s.t, s.env, "Other", true)
			berlin := newBusinessUnit(s.t, s.env, "Berlin", other)
			s.fails("businessunits", []failCase{
				{name: "in the other organization", body: `{"data":{"type":"businessunits","attributes":{"name":"Berlin"},"relationships":{"organization":{"data":{"type":"organizations","id":"` + other + `"}}}}}`,
					want: []apiError{noEntity(linkAt("organization"))}},
				{name: "under its unit", body: `{"data":{"type":"businessunits","attributes":{"name":"Berlin"},"relationships":{"parentBusinessUnit":{"data":{"type":"businessunits","id":"` + berlin + `"}}}}}`,
					want: []apiError{noEntity(linkAt("parentBusinessUnit"))}},
			})
			s.expect("GET", "/api/businessunits/"+berlin, "", 404, notFoundDoc)
		})
		s.step("read", func(s *scene) {
			s.read("businessunits", "1", buResource("1", `"name":"Main","phone":null,"email":null,"website":null`,
				ident("organizations", "1"), "null", idents("users", "1")))
			s.read("businessunits", "2", sales("+1 555 0100", "https://sales.example.com", ident("businessunits", "1")))
		})
		s.step("update changes only the members sent", func(s *scene) {
			s.update("businessunits", "2", `{"phone":null,"website":"https://sales.example.org"}`, `{"parentBusinessUnit":{"data":null}}`,
				sales(nil, "https://sales.example.org", "null"))
			s.read("businessunits", "2", sales(nil, "https://sales.example.org", "null"))
		})
		s.step("users is the inverse of users.businessUnits", func(s *scene) {
			s.update("businessunits", "2", "", `{"users":{"data":[{"type":"users","id":"1"}]}}`,
				buResource("2", `"name":"Sales","phone":null,"email":"sales@example.com","website":"https://sales.example.org"`,
					ident("organizations", "1"), "null", idents("users", "1")))
			s.expect("GET", "/api/users/1?fields[users]=businessUnits", "", 200,
				itemDoc(apiHost+"/api/users/1?fields[users]=businessUnits", `{"type":"users","id":"1","links":{"self":"`+apiHost+`/api/users/1"},
				"relationships":{"businessUnits":{"data":`+idents("businessunits", "1", "2")+`,"links":{"self":"`+apiHost+`/api/users/1/relationships/businessUnits","related":"`+apiHost+`/api/users/1/businessUnits"}}}}`))
		})
		s.step("no cycles of parents", func(s *scene) {
			// 1 ← 2 ← 4: neither 1 nor 2 may become a child of 2 or 4.
			s.update("businessunits", "2", "", `{"parentBusinessUnit":{"data":{"type":"businessunits","id":"1"}}}`,
				buResource("2", `"name":"Sales","phone":null,"email":"sales@example.com","website":"https://sales.example.org"`,
					ident("organizations", "1"), ident("businessunits", "1"), idents("users", "1")))
			s.create("businessunits", "4", `{"data":{"type":"businessunits","attributes":{"name":"Inside sales"},"relationships":{"parentBusinessUnit":{"data":{"type":"businessunits","id":"2"}}}}}`,
				buResource("4", `"name":"Inside sales","phone":null,"email":null,"website":null`, ident("organizations", "1"), ident("businessunits", "2"), "[]"))
			cycle := invalid(linkAt("parentBusinessUnit"), "form constraint", "The parent cannot be the record itself or one of its descendants.")
			parent := func(id, parent string) string {
				return writeDoc("businessunits", id, "", `{"parentBusinessUnit":{"data":{"type":"businessunits","id":"`+parent+`"}}}`)
			}
			s.fails("businessunits", []failCase{
				{name: "itself", method: "PATCH", path: "/api/businessunits/2", body: parent("2", "2"), want: []apiError{cycle}},
				{name: "its child", method: "PATCH", path: "/api/businessunits/1", body: parent("1", "2"), want: []apiError{cycle}},
				{name: "its grandchild", method: "PATCH", path: "/api/businessunits/1", body: parent("1", "4"), want: []apiError{cycle}},
			})
			s.read("businessunits", "1", buResource("1", `"name":"Main","phone":null,"email":null,"website":null`,
				ident("organizations", "1"), "null", idents("users", "1")))
		})
		s.step("errors", func(s *scene) {
			s.fails("businessunits", []failCase{
				{name: "name missing", body: `{"data":{"type":"businessunits","attributes":{"phone":"1"}}}`, invalid: true,
					want: []apiError{notBlank(attrAt("name"))}},
				{name: "name blank", body: `{"data":{"type":"businessunits","attributes":{"name":""}}}`, invalid: true,
					want: []apiError{notBlank(attrAt("name"))}},
				{name: "name blank on update", method: "PATCH", path: "/api/businessunits/2", body: writeDoc("businessunits", "2", `{"name":" "}`, ""),
					want: []apiError{notBlank(attrAt("name"))}},
				{name: "name too long", body: `{"data":{"type":"businessunits","attributes":{"name":"` + repeatX(256) + `"}}}`, invalid: true,
					want: []apiError{tooLong(attrAt("name"), 255)}},
				{name: "phone too long", body: `{"data":{"type":"businessunits","attributes":{"name":"X","phone":"` + repeatX(101) + `"}}}`, invalid: true,
					want: []apiError{tooLong(attrAt("phone"), 100)}},
				{name: "email", body: `{"data":{"type":"businessunits","attributes":{"name":"X","email":"sales.example.com"}}}`, invalid: true,
					want: []apiError{badEmail(attrAt("email"))}},
				{name: "unknown attribute", body: `{"data":{"type":"businessunits","attributes":{"name":"X","fax":"1"}}}`, invalid: true,
					want: []apiError{extraField(attrAt("fax"))}},
				{name: "wrong type", body: `{"data":{"type":"businessunits","attributes":{"name":"X","phone":5551234}}}`, invalid: true,
					want: []apiError{wrongType(attrAt("phone"), "string")}},
				{name: "parent does not exist", body: `{"data":{"type":"businessunits","attributes":{"name":"X"},"relationships":{"parentBusinessUnit":{"data":{"type":"businessunits","id":"99"}}}}}`,
					want: []apiError{noEntity(linkAt("parentBusinessUnit"))}},
				{name: "organization does not exist", body: `{"data":{"type":"businessunits","attributes":{"name":"X"},"relationships":{"organization":{"data":{"type":"organizations","id":"99"}}}}}`,
					want: []apiError{noEntity(linkAt("organization"))}},
				{name: "organization null", body: `{"data":{"type":"businessunits","attributes":{"name":"X"},"relationships":{"organization":{"data":null}}}}`,
					want: []apiError{notBlank(linkAt("organization"))}},
				{name: "user does not exist", method: "PATCH", path: "/api/businessunits/2",
					body: writeDoc("businessunits", "2", "", `{"users":{"data":[{"type":"users","id":"1"},{"type":"users","id":"99"}]}}`),
					want: []apiError{noEntity(linkAt("users") + "/1")}},
				{name: "several problems", body: `{"data":{"type":"businessunits","attributes":{"name":"","email":"nope","fax":"1"},
					"relationships":{"organization":{"data":{"type":"organizations","id":"98"}},"parentBusinessUnit":{"data":{"type":"businessunits","id":"99"}}}}}`, invalid: true,
					want: []apiError{notBlank(attrAt("name")), badEmail(attrAt("email")), extraField(attrAt("fax")),
						noEntity(linkAt("organization")), noEntity(linkAt("parentBusinessUnit"))}},
			})
		})
		s.step("collection", func(s *scene) {
			items := []string{
				buResource("1", `"name":"Main","phone":null,"email":null,"website":null`, ident("organizations", "1"), "null", idents("users", "1")),
				buResource("2", `"name":"Sales","phone":null,"email":"sales@example.com","website":"https://sales.example.org"`,
					ident("organizations", "1"), ident("businessunits", "1"), idents("users", "1")),
				buResource("4", `"name":"Inside sales","phone":null,"email":null,"website":null`, ident("organizations", "1"), ident("businessunits", "2"), "[]"),
			}
			for i := 5; i <= 11; i++ {
				id, name := fmt.Sprint(i), fmt.Sprintf("Unit %d", 20-i)
				s.create("businessunits", id, `{"data":{"type":"businessunits","attributes":{"name":`+jsonText(name)+`}}}`, buPlain(id, name))
				items = append(items, buPlain(id, name))
			}
			s.expectPages("businessunits", items)
		})
		s.step("title", func(s *scene) {
			s.title("businessunits", "1", "Main")
			s.title("businessunits", "4", "Inside sales")
		})
		s.step("delete", func(s *scene) {
			s.remove("businessunits", "11")
		})
	})
}

// ---- user roles ----

// permissionTypes are the resource types of the fixed roles' permissions (domain.md: every type).
var permissionTypes = []string{"organizations", "businessunits", "userroles", "users", "accounts", "contacts", "contactsources",
	"calls", "localizations", "currencies", "countries", "regions", "products", "productprices", "weightunits",
	"taxjurisdictions", "asyncoperations"}

// permissionMatrix is the permissions object of a fixed role: VIEW at view on every type;
// CREATE, EDIT and DELETE at write on the writable types (every type when none is listed) and
// none elsewhere.
func permissionMatrix(view, write string, writable ...string) string {
	parts := make([]string, len(permissionTypes))
	for i, typ := range permissionTypes {
		w := "none"
		if len(writable) == 0 || strings.Contains(" "+strings.Join(writable, " ")+" ", " "+typ+" ") {
			w = write
		}
		parts[i] = fmt.Sprintf(`%s:{"VIEW":%s,"CREATE":%s,"EDIT":%s,"DELETE":%s}`, jsonText(typ), jsonText(view), jsonText(w), jsonText(w), jsonText(w))
	}
	return "{" + strings.Join(parts, ",") + "}"
}

func roleResource(id, role, label string, description any, permissions, org, users string) string {
	return resObject("userroles", id, fmt.Sprintf(`"role":%s,"label":%s,"description":%s,"permissions":%s`, jsonText(role), jsonText(label), jsonText(description), permissions),
		relData{"organization", org}, relData{"users", users})
}

func TestUserRoles(t *testing.T) {
	t.Parallel()
	eachBackendScene(t, func(s *scene) {
		admin := roleResource("1", "ROLE_ADMINISTRATOR", "Administrator", nil, permissionMatrix("system", "system"), "null", idents("users", "1"))
		user := roleResource("2", "ROLE_USER", "User", nil, permissionMatrix("organization", "user", "accounts", "contacts", "calls"), "null", "[]")
		manager := roleResource("3", "ROLE_MANAGER", "Manager", nil,
			permissionMatrix("organization", "division", "accounts", "contacts", "calls", "products", "productprices"), "null", "[]")
		const salesPerms = `{"accounts":{"VIEW":"organization","CREATE":"user","EDIT":"user","DELETE":"none"},"calls":{"VIEW":"businessUnit"}}`
		s.step("create", func(s *scene) {
			s.create("userroles", "4", `{"data":{"type":"userroles","attributes":{"role":"ROLE_SALES","label":"Sales","description":"Sells things","permissions":`+salesPerms+`}}}`,
				roleResource("4", "ROLE_SALES", "Sales", "Sells things", salesPerms, ident("organizations", "1"), "[]"))
		})
		s.step("create for every organization, without permissions", func(s *scene) {
			s.create("userroles", "5", `{"data":{"type":"userroles","attributes":{"role":"ROLE_AUDITOR","label":"Auditor"},"relationships":{"organization":{"data":null}}}}`,
				roleResource("5", "ROLE_AUDITOR", "Auditor", nil, "{}", "null", "[]"))
		})
		s.step("read", func(s *scene) {
			s.read("userroles", "1", admin)
			s.read("userroles", "2", user)
			s.read("userroles", "3", manager)
			s.read("userroles", "4", roleResource("4", "ROLE_SALES", "Sales", "Sells things", salesPerms, ident("organizations", "1"), "[]"))
		})
		s.step("update changes only the members sent", func(s *scene) {
			const perms = `{"contacts":{"VIEW":"division","CREATE":"businessUnit","EDIT":"user","DELETE":"none"}}`
			s.update("userroles", "4", `{"label":"Sales team","description":null,"permissions":`+perms+`}`, "",
				roleResource("4", "ROLE_SALES", "Sales team", nil, perms, ident("organizations", "1"), "[]"))
			s.update("userroles", "4", "", `{"users":{"data":[{"type":"users","id":"1"}]}}`,
				roleResource("4", "ROLE_SALES", "Sales team", nil, perms, ident("organizations", "1"), idents("users", "1")))
			s.update("userroles", "4", `{"role":"ROLE_SALES_TEAM"}`, `{"organization":{"data":null}}`,
				roleResource("4", "ROLE_SALES_TEAM", "Sales team", nil, perms, "null", idents("users", "1")))
		})
		s.step("errors", func(s *scene) {
			role := func(attrs string) string { return `{"data":{"type":"userroles","attributes":` + attrs + `}}` }
			s.fails("userroles", []failCase{
				{name: "role and label missing", body: role(`{"description":"x"}`), invalid: true,
					want: []apiError{notBlank(attrAt("role")), notBlank(attrAt("label"))}},
				{name: "role lower case", body: role(`{"role":"role_sales","label":"X"}`), invalid: true,
					want: []apiError{badPattern(attrAt("role"))}},
				{name: "role without a name", body: role(`{"role":"ROLE_","label":"X"}`), invalid: true,
					want: []apiError{badPattern(attrAt("role"))}},
				{name: "role taken", body: role(`{"role":"ROLE_USER","label":"X"}`),
					want: []apiError{taken(attrAt("role"))}},
				{name: "role taken on update", method: "PATCH", path: "/api/userroles/4", body: writeDoc("userroles", "4", `{"role":"ROLE_MANAGER"}`, ""),
					want: []apiError{taken(attrAt("role"))}},
				{name: "label too long", body: role(`{"role":"ROLE_X","label":"` + repeatX(256) + `"}`), invalid: true,
					want: []apiError{tooLong(attrAt("label"), 255)}},
				{name: "permission on an unknown type", body: role(`{"role":"ROLE_X","label":"X","permissions":{"spaceships":{"VIEW":"system"}}}`),
					want: []apiError{invalid(attrAt("permissions")+"/spaceships", "choice constraint", `"spaceships" is not a resource type.`)}},
				{name: "unknown level", body: role(`{"role":"ROLE_X","label":"X","permissions":{"accounts":{"VIEW":"everything"}}}`), invalid: true,
					want: []apiError{invalid(attrAt("permissions")+"/accounts/VIEW", "choice constraint", "The value you selected is not a valid choice.")}},
				{name: "unknown permission", body: role(`{"role":"ROLE_X","label":"X","permissions":{"accounts":{"READ":"user"}}}`), invalid: true,
					want: []apiError{invalid(attrAt("permissions")+"/accounts/READ", "extra fields constraint", `This form should not contain extra fields: "READ".`)}},
				{name: "permissions not an object", body: role(`{"role":"ROLE_X","label":"X","permissions":"all"}`), invalid: true,
					want: []apiError{invalid(attrAt("permissions"), "type constraint", "This value should be of type object.")}},
				{name: "permissions null", method: "PATCH", path: "/api/userroles/4", body: writeDoc("userroles", "4", `{"permissions":null}`, ""), invalid: true,
					want: []apiError{notNull(attrAt("permissions"))}},
				{name: "unknown attribute", body: role(`{"role":"ROLE_X","label":"X","level":3}`), invalid: true,
					want: []apiError{extraField(attrAt("level"))}},
				{name: "organization does not exist", body: `{"data":{"type":"userroles","attributes":{"role":"ROLE_X","label":"X"},"relationships":{"organization":{"data":{"type":"organizations","id":"99"}}}}}`,
					want: []apiError{noEntity(linkAt("organization"))}},
				{name: "user does not exist", body: `{"data":{"type":"userroles","attributes":{"role":"ROLE_X","label":"X"},"relationships":{"users":{"data":[{"type":"users","id":"99"}]}}}}`,
					want: []apiError{noEntity(linkAt("users") + "/0")}},
				{name: "several problems", body: `{"data":{"type":"userroles","attributes":{"role":"ROLE x","label":null,"description":1},"relationships":{"users":{"data":[{"type":"users","id":"98"},{"type":"users","id":"99"}]}}}}`, invalid: true,
					want: []apiError{badPattern(attrAt("role")), notBlank(attrAt("label")), wrongType(attrAt("description"), "string"),
						noEntity(linkAt("users") + "/0"), noEntity(linkAt("users") + "/1")}},
			})
		})
		s.step("collection", func(s *scene) {
			perms := `{"contacts":{"VIEW":"division","CREATE":"businessUnit","EDIT":"user","DELETE":"none"}}`
			items := []string{admin, user, manager,
				roleResource("4", "ROLE_SALES_TEAM", "Sales team", nil, perms, "null", idents("users", "1")),
				roleResource("5", "ROLE_AUDITOR", "Auditor", nil, "{}", "null", "[]")}
			for i := 6; i <= 11; i++ {
				id, r := fmt.Sprint(i), fmt.Sprintf("ROLE_R%d", i)
				want := roleResource(id, r, "Role "+id, nil, `{"users":{"VIEW":"user"}}`, ident("organizations", "1"), "[]")
				s.create("userroles", id, `{"data":{"type":"userroles","attributes":{"role":"`+r+`","label":"Role `+id+`","permissions":{"users":{"VIEW":"user"}}}}}`, want)
				items = append(items, want)
			}
			s.expectPages("userroles", items)
		})
		s.step("title", func(s *scene) {
			s.title("userroles", "1", "Administrator")
			s.title("userroles", "4", "Sales team")
		})
		s.step("delete", func(s *scene) {
			s.remove("userroles", "4")
			s.expect("GET", "/api/users/1?fields[users]=roles", "", 200,
				itemDoc(apiHost+"/api/users/1?fields[users]=roles", `{"type":"users","id":"1","links":{"self":"`+apiHost+`/api/users/1"},
				"relationships":{"roles":{"data":`+idents("userroles", "1")+`,"links":{"self":"`+apiHost+`/api/users/1/relationships/roles","related":"`+apiHost+`/api/users/1/roles"}}}}`))
		})
	})
}

// ---- users ----

// members renders the attribute members named in order (JSON members, without braces): the
// values given (JSON members) where given, else the defaults. A given name that is not in order
// is a mistake of the test.
func members(order []string, defaults map[string]string, given string) string {
	values := map[string]string{}
	for k, v := range defaults {
		values[k] = v
	}
	if given != "" {
		var m map[string]json.RawMessage
		if err := json.Unmarshal([]byte("{"+given+"}"), &m); err != nil {
			panic(err)
		}
		for k, v := range m {
			if _, ok := values[k]; !ok {
				panic("members: unknown attribute " + k)
			}
			values[k] = string(v)
		}
	}
	parts := make([]string, len(order))
	for i, k := range order {
		parts[i] = jsonText(k) + ":" + values[k]
	}
	return strings.Join(parts, ",")
}

// userAttrs are the attributes of a user: username and email, then the other members as
// given (JSON members, without braces), with the defaults of every absent one.
func userAttrs(username, email, more string) string {
	order := []string{"username", "email", "namePrefix", "firstName", "middleName", "lastName", "nameSuffix", "title", "birthday",
		"enabled", "lastLogin", "loginCount"}
	defaults := map[string]string{"username": jsonText(username), "email": jsonText(email), "namePrefix": "null", "firstName": "null",
		"middleName": "null", "lastName": "null", "nameSuffix": "null", "title": "null", "birthday": "null", "enabled": "true",
		"lastLogin": "null", "loginCount": "0"}
	return members(order, defaults, more) + "," + stamps
}

func userResource(id, attrs, roles, businessUnits, owner string) string {
	return resObject("users", id, attrs, relData{"roles", roles}, relData{"businessUnits", businessUnits},
		relData{"owner", owner}, relData{"organization", ident("organizations", "1")})
}

// passwordHash reads the stored password of a user.
func (s *scene) passwordHash(id string) string {
	s.t.Helper()
	var hash *string
	if err := s.env.DB.Gorm.Raw("SELECT password FROM users WHERE id = ?", id).Row().Scan(&hash); err != nil {
		s.t.Fatal(err)
	}
	if hash == nil {
		return ""
	}
	return *hash
}

// checkPassword asserts that the stored password of user id is a bcrypt hash of password.
func (s *scene) checkPassword(id, password string) string {
	s.t.Helper()
	hash := s.passwordHash(id)
	if !strings.HasPrefix(hash, "$2") || strings.Contains(hash, password) {
		s.t.Fatalf("users.password of %s is %q, want a bcrypt hash", id, hash)
	}
	if err := bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)); err != nil {
		s.t.Fatalf("users.password of %s does not match %q: %v", id, password, err)
	}
	return hash
}

func TestUsers(t *testing.T) {
	t.Parallel()
	eachBackendScene(t, func(s *scene) {
		admin := userResource("1", userAttrs("admin", "admin@example.com", `"firstName":"John","lastName":"Doe"`),
			idents("userroles", "1"), idents("businessunits", "1"), ident("businessunits", "1"))
		jane := func(more, roles string) string {
			return userResource("2", userAttrs("jane.doe", "jane@example.com", more), roles, idents("businessunits", "1"), ident("businessunits", "1"))
		}
		const janeAttrs = `"firstName":"Jane","lastName":"Doe","title":"Sales rep","birthday":"1990-05-17"`
		s.step("create", func(s *scene) {
			s.create("users", "2", `{"data":{"type":"users","attributes":{"username":"jane.doe","email":"jane@example.com","firstName":"Jane","lastName":"Doe",
				"title":"Sales rep","birthday":"1990-05-17","password":"s3cret-pass"},
				"relationships":{"roles":{"data":[{"type":"userroles","id":"2"}]},"businessUnits":{"data":[{"type":"businessunits","id":"1"}]}}}}`,
				jane(janeAttrs, idents("userroles", "2")))
		})
		s.step("the password is stored as a bcrypt hash", func(s *scene) {
			s.checkPassword("2", "s3cret-pass")
		})
		s.step("read", func(s *scene) {
			s.read("users", "1", admin)
			s.read("users", "2", jane(janeAttrs, idents("userroles", "2")))
		})
		s.step("roles and businessUnits have inverses", func(s *scene) {
			s.expect("GET", "/api/userroles/2?fields[userroles]=users", "", 200,
				itemDoc(apiHost+"/api/userroles/2?fields[userroles]=users", `{"type":"userroles","id":"2","links":{"self":"`+apiHost+`/api/userroles/2"},
				"relationships":{"users":{"data":`+idents("users", "2")+`,"links":{"self":"`+apiHost+`/api/userroles/2/relationships/users","related":"`+apiHost+`/api/userroles/2/users"}}}}`))
			s.expect("GET", "/api/businessunits/1?fields[businessunits]=users", "", 200,
				itemDoc(apiHost+"/api/businessunits/1?fields[businessunits]=users", `{"type":"businessunits","id":"1","links":{"self":"`+apiHost+`/api/businessunits/1"},
				"relationships":{"users":{"data":`+idents("users", "1", "2")+`,"links":{"self":"`+apiHost+`/api/businessunits/1/relationships/users","related":"`+apiHost+`/api/businessunits/1/users"}}}}`))
		})
		s.step("update changes only the members sent", func(s *scene) {
			old := s.passwordHash("2")
			s.update("users", "2", `{"firstName":"Janet","birthday":null,"enabled":false,"password":"n3w-passw0rd"}`, `{"roles":{"data":[]}}`,
				jane(`"firstName":"Janet","lastName":"Doe","title":"Sales rep","enabled":false`, "[]"))
			if s.checkPassword("2", "n3w-passw0rd") == old {
				s.t.Fatal("the stored password did not change")
			}
			// a user's own username and email are not taken
			s.update("users", "2", `{"title":null,"username":"jane.doe","email":"jane@example.com"}`, "",
				jane(`"firstName":"Janet","lastName":"Doe","enabled":false`, "[]"))
			s.checkPassword("2", "n3w-passw0rd")
		})
		s.step("owner", func(s *scene) {
			s.create("businessunits", "2", `{"data":{"type":"businessunits","attributes":{"name":"Sales"}}}`, buPlain("2", "Sales"))
			s.create("users", "3", `{"data":{"type":"users","attributes":{"username":"bob","email":"bob@example.com"},"relationships":{"owner":{"data":{"type":"businessunits","id":"2"}}}}}`,
				userResource("3", userAttrs("bob", "bob@example.com", ""), "[]", "[]", ident("businessunits", "2")))
			if hash := s.passwordHash("3"); hash != "" {
				s.t.Fatalf("a user created without a password has the password %q", hash)
			}
			s.update("users", "3", "", `{"owner":{"data":{"type":"businessunits","id":"1"}}}`,
				userResource("3", userAttrs("bob", "bob@example.com", ""), "[]", "[]", ident("businessunits", "1")))
		})
		s.step("errors", func(s *scene) {
			user := func(attrs string) string { return `{"data":{"type":"users","attributes":` + attrs + `}}` }
			s.fails("users", []failCase{
				{name: "username and email missing", body: user(`{"firstName":"X"}`), invalid: true,
					want: []apiError{notBlank(attrAt("username")), notBlank(attrAt("email"))}},
				{name: "username too short", body: user(`{"username":"ab","email":"ab@example.com"}`), invalid: true,
					want: []apiError{badPattern(attrAt("username"))}},
				{name: "username with a space", body: user(`{"username":"john doe","email":"jd@example.com"}`), invalid: true,
					want: []apiError{badPattern(attrAt("username"))}},
				{name: "username too long", body: user(`{"username":"` + repeatX(256) + `","email":"x@example.com"}`), invalid: true,
					want: []apiError{tooLong(attrAt("username"), 255)}},
				{name: "username taken", body: user(`{"username":"admin","email":"other@example.com"}`),
					want: []apiError{taken(attrAt("username"))}},
				{name: "email taken", body: user(`{"username":"other","email":"admin@example.com"}`),
					want: []apiError{taken(attrAt("email"))}},
				{name: "username and email taken on update", method: "PATCH", path: "/api/users/2",
					body: writeDoc("users", "2", `{"username":"admin","email":"admin@example.com"}`, ""),
					want: []apiError{taken(attrAt("username")), taken(attrAt("email"))}},
				{name: "email", body: user(`{"username":"other","email":"other@"}`), invalid: true,
					want: []apiError{badEmail(attrAt("email"))}},
				{name: "password too short", body: user(`{"username":"other","email":"other@example.com","password":"1234567"}`), invalid: true,
					want: []apiError{invalid(attrAt("password"), "length constraint", "This value is too short. It should have 8 characters or more.")}},
				{name: "password too long for bcrypt", body: user(`{"username":"other","email":"other@example.com","password":"` + repeatX(73) + `"}`),
					want: []apiError{invalid(attrAt("password"), "length constraint", "This value is too long. It should have 72 bytes or less.")}},
				{name: "password null", method: "PATCH", path: "/api/users/2", body: writeDoc("users", "2", `{"password":null}`, ""), invalid: true,
					want: []apiError{notNull(attrAt("password"))}},
				{name: "first name too long", body: user(`{"username":"other","email":"other@example.com","firstName":"` + repeatX(256) + `"}`), invalid: true,
					want: []apiError{tooLong(attrAt("firstName"), 255)}},
				{name: "read-only attributes", body: user(`{"username":"other","email":"other@example.com","lastLogin":"2024-01-01T00:00:00Z","loginCount":3}`), invalid: true,
					want: []apiError{extraField(attrAt("lastLogin")), extraField(attrAt("loginCount"))}},
				{name: "unknown attribute", body: user(`{"username":"other","email":"other@example.com","nickname":"o"}`), invalid: true,
					want: []apiError{extraField(attrAt("nickname"))}},
				{name: "wrong types", body: user(`{"username":"other","email":"other@example.com","enabled":"yes","birthday":19900517}`), invalid: true,
					want: []apiError{wrongType(attrAt("birthday"), "date"), wrongType(attrAt("enabled"), "boolean")}},
				{name: "not a date", body: user(`{"username":"other","email":"other@example.com","birthday":"1990-13-01"}`), invalid: true,
					want: []apiError{invalid(attrAt("birthday"), "type constraint", "This value is not a valid date.")}},
				{name: "role does not exist", body: `{"data":{"type":"users","attributes":{"username":"other","email":"other@example.com"},"relationships":{"roles":{"data":[{"type":"userroles","id":"1"},{"type":"userroles","id":"99"}]}}}}`,
					want: []apiError{noEntity(linkAt("roles") + "/1")}},
				{name: "owner does not exist", body: `{"data":{"type":"users","attributes":{"username":"other","email":"other@example.com"},"relationships":{"owner":{"data":{"type":"businessunits","id":"99"}}}}}`,
					want: []apiError{noEntity(linkAt("owner"))}},
				{name: "owner null", method: "PATCH", path: "/api/users/2", body: writeDoc("users", "2", "", `{"owner":{"data":null}}`),
					want: []apiError{notBlank(linkAt("owner"))}},
				{name: "several problems", body: `{"data":{"type":"users","attributes":{"username":"a b","email":"nope","password":"short","loginCount":1},
					"relationships":{"businessUnits":{"data":[{"type":"businessunits","id":"99"}]},"owner":{"data":{"type":"businessunits","id":"98"}}}}}`, invalid: true,
					want: []apiError{badPattern(attrAt("username")), badEmail(attrAt("email")),
						invalid(attrAt("password"), "length constraint", "This value is too short. It should have 8 characters or more."),
						extraField(attrAt("loginCount")), noEntity(linkAt("businessUnits") + "/0"), noEntity(linkAt("owner"))}},
			})
			s.checkPassword("2", "n3w-passw0rd")
		})
		s.step("title", func(s *scene) {
			s.title("users", "1", "John Doe")
			s.title("users", "3", "bob") // no name: the username
			s.update("users", "3", `{"firstName":"  Robert   James ","lastName":""}`, "",
				userResource("3", userAttrs("bob", "bob@example.com", `"firstName":"  Robert   James ","lastName":""`), "[]", "[]", ident("businessunits", "1")))
			s.title("users", "3", "Robert James")
			s.update("users", "3", `{"firstName":null,"lastName":"Builder"}`, "",
				userResource("3", userAttrs("bob", "bob@example.com", `"lastName":"Builder"`), "[]", "[]", ident("businessunits", "1")))
			s.title("users", "3", "Builder")
		})
		s.step("collection", func(s *scene) {
			items := []string{admin,
				userResource("2", userAttrs("jane.doe", "jane@example.com", `"firstName":"Janet","lastName":"Doe","enabled":false`), "[]", idents("businessunits", "1"), ident("businessunits", "1")),
				userResource("3", userAttrs("bob", "bob@example.com", `"lastName":"Builder"`), "[]", "[]", ident("businessunits", "1")),
			}
			for i := 4; i <= 11; i++ {
				id, name := fmt.Sprint(i), fmt.Sprintf("user%d", i)
				want := userResource(id, userAttrs(name, name+"@example.com", `"enabled":false`), "[]", "[]", ident("businessunits", "1"))
				s.create("users", id, `{"data":{"type":"users","attributes":{"username":"`+name+`","email":"`+name+`@example.com","enabled":false}}}`, want)
				items = append(items, want)
			}
			s.expectPages("users", items)
		})
		s.step("delete", func(s *scene) {
			s.remove("users", "2")
			s.expect("GET", "/api/businessunits/1?fields[businessunits]=users", "", 200,
				itemDoc(apiHost+"/api/businessunits/1?fields[businessunits]=users", `{"type":"businessunits","id":"1","links":{"self":"`+apiHost+`/api/businessunits/1"},
				"relationships":{"users":{"data":`+idents("users", "1")+`,"links":{"self":"`+apiHost+`/api/businessunits/1/relationships/users","related":"`+apiHost+`/api/businessunits/1/users"}}}}`))
		})
	})
}
