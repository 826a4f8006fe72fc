package server_test

// The expectations every test of the package is written with: the addresses of resources,
// resource identifiers and linkage, relationship and resource objects with their links, whole
// documents, the error objects of api.md section 5 with their sources, and what a test reads back
// from a response. The tests compare whole documents (apitest.Response.Expect): these only build
// them, so that each file states what is particular to its types and nothing else.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"webapi/server"
	"webapi/server/apitest"
	"webapi/server/settings"
	"webapi/store"
)

// ---- addresses ----

// apiHost is the scheme and host of every request of the harness, and so of every link.
const apiHost = "http://api.test"

// resURL is the URL of the resource typ/id.
func resURL(typ, id string) string { return apiHost + "/api/" + typ + "/" + id }

// absolute is u as a URL: a path of the API gets the harness's scheme and host.
func absolute(u string) string {
	if strings.HasPrefix(u, "/") {
		return apiHost + u
	}
	return u
}

// jsonText is v as JSON: jsonText("x") = `"x"`, jsonText(nil) = `null`.
func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// uriOf is a link as the server writes it for a URL or path as a test sends it: its query
// percent-encoded as RFC 3986 requires (api.md section 20), each parameter decoded first, so
// uriOf of a link is that link. Written independently of the server's encoder.
func uriOf(u string) string {
	const literal = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$'()*,;=:@/?"
	path, query, ok := strings.Cut(u, "?")
	if !ok {
		return u
	}
	var parts []string
	for _, part := range strings.Split(query, "&") {
		if part == "" {
			continue
		}
		if dec, err := url.QueryUnescape(part); err == nil {
			part = dec
		}
		var b strings.Builder
		for _, c := range []byte(part) {
			if strings.IndexByte(literal, c) >= 0 {
				b.WriteByte(c)
			} else {
				fmt.Fprintf(&b, "%%%02X", c)
			}
		}
		parts = append(parts, b.String())
	}
	return path + "?" + strings.Join(parts, "&")
}

// ---- identifiers, relationships and resource objects ----

// ident is the resource identifier typ/id: the linkage of a to-one relationship.
func ident(typ, id string) string { return `{"type":` + jsonText(typ) + `,"id":` + jsonText(id) + `}` }

// idents is the linkage of a to-many relationship (or the data of identifiers of a collection).
func idents(typ string, ids ...string) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = ident(typ, id)
	}
	return "[" + strings.Join(parts, ",") + "]"
}

// relData is one relationship of an expected resource object: its name and its linkage.
type relData struct{ name, data string }

// relationship is the relationship name of typ/id with its linkage and its links: the member of
// a resource object, and the document of the relationship endpoint.
func relationship(typ, id, name, data string) string {
	self := resURL(typ, id)
	return `{"data":` + data + `,"links":{"self":` + jsonText(self+"/relationships/"+name) + `,"related":` + jsonText(self+"/"+name) + `}}`
}

// resObject is the expected resource object typ/id with its self link: attrs are the members of
// its attributes, without braces ("" = no attributes member), rels its relationships, each with
// its links.
func resObject(typ, id, attrs string, rels ...relData) string {
	return object(typ, id, true, attrs, rels)
}

// bareObject is resObject without links (X-Include: noHateoas).
func bareObject(typ, id, attrs string, rels ...relData) string {
	return object(typ, id, false, attrs, rels)
}

func object(typ, id string, links bool, attrs string, rels []relData) string {
	var b strings.Builder
	b.WriteString(`{"type":` + jsonText(typ) + `,"id":` + jsonText(id))
	if links {
		b.WriteString(`,"links":{"self":` + jsonText(resURL(typ, id)) + `}`)
	}
	if attrs != "" {
		b.WriteString(`,"attributes":{` + attrs + `}`)
	}
	for i, r := range rels {
		if i == 0 {
			b.WriteString(`,"relationships":{`)
		} else {
			b.WriteByte(',')
		}
		b.WriteString(jsonText(r.name) + ":")
		if links {
			b.WriteString(relationship(typ, id, r.name, r.data))
		} else {
			b.WriteString(`{"data":` + r.data + `}`)
		}
	}
	if len(rels) > 0 {
		b.WriteByte('}')
	}
	return b.String() + "}"
}

// withMeta adds a meta member to a resource object: meta are its members, without braces (""
// = none).
func withMeta(object, meta string) string {
	if meta == "" {
		return object
	}
	return strings.TrimSuffix(object, "}") + `,"meta":{` + meta + `}}`
}

// jsonMembers are the members of m as a JSON object, without braces.
func jsonMembers(m map[string]any) string {
	return strings.TrimSuffix(strings.TrimPrefix(jsonText(m), "{"), "}")
}

// ---- documents ----

// itemDoc is a document of one resource (or null) whose self link is self (a path of the API
// or a URL, as requested), with the included resources (none: no included member).
func itemDoc(self, data string, included ...string) string {
	s := `{"data":` + data
	if len(included) > 0 {
		s += `,"included":[` + strings.Join(included, ",") + `]`
	}
	return s + `,"links":` + selfLinks(self) + `}`
}

// listDoc is a collection document with the given top-level links (a JSON object text).
func listDoc(links string, data ...string) string {
	return `{"data":[` + strings.Join(data, ",") + `],"links":` + links + `}`
}

// selfLinks is the links object of a document with a self link only (self as in itemDoc).
func selfLinks(self string) string { return `{"self":` + jsonText(uriOf(absolute(self))) + `}` }

// pageLinks are the links of page (1-based) of the collection of typ with the default page
// size, when last is the number of the last page: self is the URL requested (page 1 without
// parameters, later pages with ?page[number]=N), the others are built by the server.
func pageLinks(typ string, page, last int) string {
	coll := apiHost + "/api/" + typ
	pageURL := func(n int) string {
		if n == 1 {
			return coll
		}
		return fmt.Sprintf("%s?page%%5Bnumber%%5D=%d", coll, n)
	}
	links := `{"self":` + jsonText(coll)
	if page > 1 {
		links = fmt.Sprintf(`{"self":%s,"first":%s,"prev":%s`, jsonText(fmt.Sprintf("%s?page%%5Bnumber%%5D=%d", coll, page)), jsonText(coll), jsonText(pageURL(page-1)))
	}
	if page < last {
		links += `,"next":` + jsonText(pageURL(page+1))
	}
	return links + "}"
}

// writeDoc is the document of a POST or PATCH of typ: the id ("" = none), attributes and
// relationships (JSON object texts, "" = absent).
func writeDoc(typ, id, attrs, rels string) string {
	b := `{"data":{"type":` + jsonText(typ)
	if id != "" {
		b += `,"id":` + jsonText(id)
	}
	if attrs != "" {
		b += `,"attributes":` + attrs
	}
	if rels != "" {
		b += `,"relationships":` + rels
	}
	return b + "}}"
}

// ---- errors ----

// apiError is one expected error object.
type apiError struct {
	status        int // 0: 400
	title, detail string
	source        string // "" or the source object: atPointer, atParam or atHeader
}

// The sources of an error object.
func atPointer(p string) string { return `{"pointer":` + jsonText(p) + `}` }
func atParam(p string) string   { return `{"parameter":` + jsonText(p) + `}` }
func atHeader(h string) string  { return `{"header":` + jsonText(h) + `}` }

// errorsDoc is the error document of the given errors.
func errorsDoc(errs ...apiError) string {
	parts := make([]string, len(errs))
	for i, e := range errs {
		if e.status == 0 {
			e.status = http.StatusBadRequest
		}
		s := fmt.Sprintf(`{"status":"%d","title":%s,"detail":%s`, e.status, jsonText(e.title), jsonText(e.detail))
		if e.source != "" {
			s += `,"source":` + e.source
		}
		parts[i] = s + "}"
	}
	return `{"errors":[` + strings.Join(parts, ",") + `]}`
}

// errorDoc is the error document of one error; source is "" or a source object.
func errorDoc(status int, title, detail, source string) string {
	return errorsDoc(apiError{status, title, detail, source})
}

// notFoundDoc is the 404 of a missing resource (api.md section 5).
const notFoundDoc = `{"errors":[{"status":"404","title":"not found http exception","detail":"An entity with the requested identifier does not exist."}]}`

// invalid is a 400 about the request document, at the pointer ptr ("" = no source).
func invalid(ptr, title, detail string) apiError {
	e := apiError{title: title, detail: detail}
	if ptr != "" {
		e.source = atPointer(ptr)
	}
	return e
}

// badParam is a 400 about the query parameter param.
func badParam(param, title, detail string) apiError {
	return apiError{title: title, detail: detail, source: atParam(param)}
}

// Pointers into a request document.
func attrAt(name string) string { return "/data/attributes/" + name }
func relAt(name string) string  { return "/data/relationships/" + name }
func linkAt(name string) string { return "/data/relationships/" + name + "/data" }

// The validation errors of api.md section 5 (details as the engine words them).
func notBlank(ptr string) apiError {
	return invalid(ptr, "not blank constraint", "This value should not be blank.")
}
func notNull(ptr string) apiError {
	return invalid(ptr, "not null constraint", "This value should not be null.")
}
func tooLong(ptr string, n int) apiError {
	return invalid(ptr, "length constraint", fmt.Sprintf("This value is too long. It should have %d characters or less.", n))
}
func badEmail(ptr string) apiError {
	return invalid(ptr, "email constraint", "This value is not a valid email address.")
}
func badChoice(ptr string) apiError {
	return invalid(ptr, "choice constraint", "The value you selected is not a valid choice.")
}
func badPattern(ptr string) apiError {
	return invalid(ptr, "regex constraint", "This value is not valid.")
}
func taken(ptr string) apiError {
	return invalid(ptr, "unique entity constraint", "This value is already used.")
}
func wrongType(ptr, typ string) apiError {
	return invalid(ptr, "type constraint", "This value should be of type "+typ+".")
}
func noEntity(ptr string) apiError {
	return invalid(ptr, "form constraint", "The entity does not exist.")
}

// extraField is the error of an unknown or read-only field; the pointer ends with its name.
func extraField(ptr string) apiError {
	name := ptr[strings.LastIndex(ptr, "/")+1:]
	return invalid(ptr, "extra fields constraint", fmt.Sprintf("This form should not contain extra fields: %q.", name))
}

// The errors of query parameters (api.md sections 7 and 8).
func badValue(param, kind, given string) apiError {
	return badParam(param, "unexpected value exception", fmt.Sprintf("Expected %s value. Given %s.", kind, jsonText(given)))
}
func badOperator(param, op string) apiError {
	return badParam(param, "filter constraint", fmt.Sprintf("The operator %s is not supported.", jsonText(op)))
}
func badFilter(param, name string) apiError {
	return badParam(param, "filter constraint", fmt.Sprintf("Filter %s is not supported.", jsonText("filter["+name+"]")))
}

// ---- requests and what a test reads back ----

// create POSTs body to /api/typ, asserts 201 with the Location of the new resource and an
// ETag, and returns the new id.
func create(t *testing.T, env *apitest.Env, typ, body string) string {
	t.Helper()
	res := env.Do(apitest.Request{Method: http.MethodPost, Path: "/api/" + typ, Body: body})
	res.ExpectStatus(t, http.StatusCreated)
	id, _ := dataOf(t, res)["id"].(string)
	if id == "" {
		t.Fatalf("POST /api/%s: no id in %s", typ, res.Body)
	}
	if loc := res.Header.Get("Location"); loc != resURL(typ, id) {
		t.Fatalf("POST /api/%s: Location %q, want %q", typ, loc, resURL(typ, id))
	}
	if res.Header.Get("ETag") == "" {
		t.Fatalf("POST /api/%s: no ETag", typ)
	}
	return id
}

// createAs is create of a resource that must get the id want.
func createAs(t *testing.T, env *apitest.Env, typ, want, body string) {
	t.Helper()
	if id := create(t, env, typ, body); id != want {
		t.Fatalf("POST /api/%s: id %s, want %s", typ, id, want)
	}
}

// expectCreated asserts the answer of a created resource typ/id: 201, the exact document, its
// Location and an ETag.
func expectCreated(t *testing.T, res *apitest.Response, typ, id, want string) {
	t.Helper()
	res.Expect(t, http.StatusCreated, want)
	if got := res.Header.Get("Location"); got != resURL(typ, id) {
		t.Fatalf("Location %q, want %q", got, resURL(typ, id))
	}
	if res.Header.Get("ETag") == "" {
		t.Fatal("no ETag on a created resource")
	}
}

// expectUpdated asserts the answer of an update: 200 without a Location, the exact document.
func expectUpdated(t *testing.T, res *apitest.Response, want string) {
	t.Helper()
	res.Expect(t, http.StatusOK, want)
	if loc := res.Header.Get("Location"); loc != "" {
		t.Fatalf("Location %q on an update", loc)
	}
}

// expectDeleted deletes the resource at path: 204 without a body, then GET and a second DELETE
// answer 404.
func expectDeleted(t *testing.T, env *apitest.Env, path string) {
	t.Helper()
	env.Do(apitest.Request{Method: http.MethodDelete, Path: path}).Expect(t, http.StatusNoContent, "")
	env.Do(apitest.Request{Path: path}).Expect(t, http.StatusNotFound, notFoundDoc)
	env.Do(apitest.Request{Method: http.MethodDelete, Path: path}).Expect(t, http.StatusNotFound, notFoundDoc)
}

// dataOf decodes the primary data of a response: a resource object.
func dataOf(t testing.TB, res *apitest.Response) map[string]any {
	t.Helper()
	var doc struct {
		Data map[string]any `json:"data"`
	}
	if err := json.Unmarshal(res.Body, &doc); err != nil {
		t.Fatalf("%v: %.300s", err, res.Body)
	}
	return doc.Data
}

// attrOf is an attribute of the primary data of a response.
func attrOf(t testing.TB, res *apitest.Response, name string) any {
	t.Helper()
	attrs, _ := dataOf(t, res)["attributes"].(map[string]any)
	return attrs[name]
}

// idsOf is the ids of the primary data of a response (a collection), in order.
func idsOf(t testing.TB, res *apitest.Response) []string {
	t.Helper()
	var doc struct {
		Data []struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	if err := json.Unmarshal(res.Body, &doc); err != nil {
		t.Fatalf("%v: %.300s", err, res.Body)
	}
	ids := make([]string, len(doc.Data))
	for i, d := range doc.Data {
		ids[i] = d.ID
	}
	return ids
}

// newOrganization creates an organization as `webapi organization create` does, outside the API
// (a caller sees and creates only its own organization: api.md section 17), and returns its id.
func newOrganization(t *testing.T, env *apitest.Env, name string, enabled bool) string {
	t.Helper()
	return insertRow(t, env, "organizations", "name, enabled", name, enabled)
}

// newBusinessUnit inserts a business unit named name into organization org (an id) behind the
// API's back, as newOrganization does, and returns its id.
func newBusinessUnit(t *testing.T, env *apitest.Env, name, org string) string {
	t.Helper()
	return insertRow(t, env, "business_units", "name, organization_id", name, org)
}

// insertRow inserts a row of table with the values of columns and the timestamps, behind the
// API's back, and returns its id.
func insertRow(t *testing.T, env *apitest.Env, table, columns string, values ...any) string {
	t.Helper()
	now := env.DB.TimeValue(time.Now())
	var id int64
	marks := strings.Repeat("?, ", len(values))
	err := env.DB.Gorm.Raw("INSERT INTO "+table+" ("+columns+", created_at, updated_at) VALUES ("+marks+"?, ?) RETURNING id",
		append(values, now, now)...).Row().Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	return strconv.FormatInt(id, 10)
}

// administrator is the Env of another organization's administrator (its first user, with
// ROLE_ADMINISTRATOR), with the ids of what `webapi organization create` made for it.
type administrator struct {
	*apitest.Env
	org, unit, user string
}

// newAdministrator creates an organization named name as `webapi organization create` does and
// returns its administrator.
func newAdministrator(t testing.TB, env *apitest.Env, name string) administrator {
	t.Helper()
	slug := strings.ToLower(strings.ReplaceAll(name, " ", "-"))
	o, err := env.DB.CreateOrganization(context.Background(), store.NewOrganization{Name: name,
		AdminUsername: slug + "-admin", AdminEmail: slug + "-admin@example.com", AdminPassword: "$2a$10$0123456789012345678901uJ0hR0aT6m2k3VdYQ0gW8c2X6e1d9bC"})
	if err != nil {
		t.Fatal(err)
	}
	id := func(n int64) string { return strconv.FormatInt(n, 10) }
	return administrator{Env: env.As(o.UserID).For(t), org: id(o.OrganizationID), unit: id(o.BusinessUnitID), user: id(o.UserID)}
}

// newServer is a server over db as `webapi serve` builds one (the API switched on, OAuth and
// WSSE), for the tests that do without apitest, with the Authorization header of the
// administrator's bearer token.
func newServer(tb testing.TB, db *store.DB, cfg server.Config) (*echo.Echo, string) {
	tb.Helper()
	switchOn(tb, db)
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if err := apitest.Secure(db, &cfg); err != nil {
		tb.Fatal(err)
	}
	e, err := server.New(db, cfg)
	if err != nil {
		tb.Fatal(err)
	}
	token, err := apitest.Token(e, db, 1)
	if err != nil {
		tb.Fatal(err)
	}
	return e, token
}

// switchOn switches the API on globally in db (a fresh installation has it off: api.md section
// 18), for the tests that build a server without apitest.
func switchOn(tb testing.TB, db *store.DB) {
	tb.Helper()
	if err := settings.SetAPIEnabled(context.Background(), db, 0, true); err != nil {
		tb.Fatal(err)
	}
}
