package main

import (
	"context"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"gopkg.in/yaml.v3"
)

// copySource copies openapi/openapi.yaml and openapi/types to a temporary folder, with edit
// applied to the named type file ("openapi": to openapi.yaml), and returns the folder.
func copySource(t *testing.T, typ string, edit func(string) string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "types"), 0o755); err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join("..", "types", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range append(files, filepath.Join("..", "openapi.yaml")) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		rel := filepath.Base(f)
		if filepath.Base(filepath.Dir(f)) == "types" {
			rel = filepath.Join("types", rel)
		}
		text := string(data)
		if rel == filepath.Join("types", typ+".yaml") || rel == typ+".yaml" {
			text = edit(text)
		}
		if err := os.WriteFile(filepath.Join(dir, rel), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// A mistake in a type file stops the bundle with a message that names it.
func TestSourceMistakes(t *testing.T) {
	for _, c := range []struct {
		name, old, new, want string
	}{
		{"a misspelt key", "  textFilters: [name]", "  textFilter: [name]", "field textFilter not found"},
		{"a filter on nothing", "filters: [name, ", "filters: [nme, ", `"nme" is no scalar attribute or relationship`},
		{"an operator the kind cannot take", "  validate: true", "  validate: true\n  operators: {name: [eq, gt]}", `operator "gt" is unknown or not valid`},
		{"an unknown operator", "  validate: true", "  validate: true\n  operators: {timesContacted: [eq, contians]}", `operator "contians" is unknown`},
		{"a relationship to no type", "{toOne: users}", "{toOne: people}", `no type "people"`},
		{"a required field that does not exist", "required: [name]", "required: [title]", `"title" is no attribute or relationship`},
		{"an attribute without an example", "name: {type: string, minLength: 1, maxLength: 255, example: Acme Corporation}",
			"name: {type: string, minLength: 1, maxLength: 255}", "attribute name needs an example"},
		{"an example its schema refuses", "example: Acme Corporation}", "example: 42}", "invalid document"},
		{"a schema nothing uses", "components:\n  schemas:\n", "components:\n  schemas:\n    accountsUnused: {type: string}\n", "used nowhere: schemas.accountsUnused"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := copySource(t, "accounts", func(s string) string {
				if !strings.Contains(s, c.old) {
					t.Fatalf("accounts.yaml has no %q", c.old)
				}
				return strings.Replace(s, c.old, c.new, 1)
			})
			err := run(dir, t.TempDir())
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want %q", err, c.want)
			}
		})
	}
}

// The bundle of the repository's source is what gen/ holds (make verify checks the same).
func TestBundleIsGenerated(t *testing.T) {
	out := t.TempDir()
	if err := run("..", out); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"openapi.yaml", "openapi.json", "engine.yaml", "openapi.gen.go"} {
		got, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(filepath.Join("..", "..", "gen", name))
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("gen/%s is stale: run make generate", name)
		}
	}
}

// The patterns of filter values accept what the engine parses (server/jsonapi/filter.go).
func TestFilterValuePatterns(t *testing.T) {
	for _, c := range []struct {
		pattern string
		ok, bad []string
	}{
		{intPattern, []string{"0", "-5", "+5", "123456789012"}, []string{"", "1.5", "a", "1e3", "--1"}},
		{decimalPattern, []string{"0", "12.5", "-12.5000", "123456789012345.1234", "1.50000", "000123456789012345"},
			[]string{"1234567890123456", "0.00005", "1.", ".5", "+1", "1e3"}},
		{datePattern, []string{"2024-03-01"}, []string{"2024-3-1", "2024", "2024-03-01T10"}},
		{dateTimePattern, []string{"2024", "2024-03", "2024-03-01", "2024-03-01T10", "2024-03-01T10:05", "2024-03-01T10:05:06",
			"2024-03-01T10:05:06.5", "2024-03-01T10:05:06Z", "2024-03-01T10:05:06.123+02:00", "2024-03-01 10:05:06"},
			[]string{"yesterday", "2024-03-01T10Z", "2024-03-01T10:05Z", "2024-03-01 10:05", "24-03-01"}},
		{numberPattern, []string{"1", "-1.5", ".5", "1e3", "2.5E-2"}, []string{"", "a", "1e", "--1"}},
	} {
		re := regexp.MustCompile("^" + c.pattern + "$")
		for _, v := range c.ok {
			if !re.MatchString(v) {
				t.Errorf("%s refuses %q", c.pattern, v)
			}
		}
		for _, v := range c.bad {
			if re.MatchString(v) {
				t.Errorf("%s accepts %q", c.pattern, v)
			}
		}
	}
}

// The JSON form keeps the order of the YAML form and the types of its values.
func TestJSONKeepsOrder(t *testing.T) {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte("b: 1\na: [x, true, null, 2.5, '7']\nc: {z: 2024-03-01T10:00:00Z}\n"), &doc); err != nil {
		t.Fatal(err)
	}
	got, err := orderedJSON(&doc)
	if err != nil {
		t.Fatal(err)
	}
	want := "{\n  \"b\": 1,\n  \"a\": [\n    \"x\",\n    true,\n    null,\n    2.5,\n    \"7\"\n  ],\n  \"c\": {\n    \"z\": \"2024-03-01T10:00:00Z\"\n  }\n}\n"
	if string(got) != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}

// openapi.yaml's own paths and tags (the OAuth 2.0 endpoints) stay beside the derived ones; a
// derived one may not repeat them.
func TestRootPathsAndTags(t *testing.T) {
	for _, c := range []struct{ name, old, new, want string }{
		{"a path of openapi.yaml that is derived too", "\npaths:\n", "\npaths:\n  /api/accounts:\n    description: Accounts.\n",
			"paths./api/accounts: openapi.yaml defines it, and it is derived too"},
		{"a tag of openapi.yaml that is derived too", "\ntags:\n", "\ntags:\n  - name: accounts\n    description: Accounts.\n",
			"tags.accounts: openapi.yaml defines it, and it is derived too"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := copySource(t, "openapi", func(s string) string {
				if !strings.Contains(s, c.old) {
					t.Fatalf("openapi.yaml has no %q", c.old)
				}
				return strings.Replace(s, c.old, c.new, 1)
			})
			err := run(dir, t.TempDir())
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want %q", err, c.want)
			}
		})
	}
	doc := bundled(t)
	for _, p := range []string{"/oauth2-token", "/oauth2-token/authorize", "/api/accounts"} {
		if doc.Paths.Value(p) == nil {
			t.Errorf("no path %s", p)
		}
	}
	if doc.Tags.Get("oauth2") == nil || doc.Tags.Get("accounts") == nil || doc.Tags[0].Name != "oauth2" {
		t.Errorf("the tags are not openapi.yaml's (oauth2) followed by the derived ones (accounts …)")
	}
}

// bundled is the bundle of the repository's source, loaded and validated.
func bundled(t *testing.T) *openapi3.T {
	t.Helper()
	out := t.TempDir()
	if err := run("..", out); err != nil {
		t.Fatal(err)
	}
	doc, err := openapi3.NewLoader().LoadFromFile(filepath.Join(out, "openapi.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return doc
}

// Security (issue 9, item 7): every operation under /api/ but OPTIONS needs OAuth 2.0 or WSSE
// credentials and declares 401 (and 403 unless it lists); OPTIONS and the OAuth 2.0 endpoints
// need none and say so with `security: []`; the flows' URLs are the document's own token and
// authorize operations.
func TestSecurity(t *testing.T) {
	doc := bundled(t)
	both := openapi3.SecurityRequirements{{"oauth2": []string{}}, {"wsse": []string{}}}
	if !reflect.DeepEqual(doc.Security, both) {
		t.Fatalf("root security %v, want %v", doc.Security, both)
	}
	schemes := doc.Components.SecuritySchemes
	if len(schemes) != 2 || schemes["oauth2"] == nil || schemes["wsse"] == nil {
		t.Fatalf("security schemes %v, want exactly oauth2 and wsse", slices.Sorted(maps.Keys(schemes)))
	}
	wsse := schemes["wsse"].Value
	if wsse.Type != "apiKey" || wsse.In != "header" || wsse.Name != "X-WSSE" ||
		!strings.Contains(wsse.Description, `Authorization: WSSE profile="UsernameToken"`) ||
		!strings.Contains(wsse.Description, "base64(sha1(base64decode(Nonce) + Created + apiKey))") {
		t.Errorf("wsse: %+v", wsse)
	}
	oauth := schemes["oauth2"].Value
	if oauth.Type != "oauth2" || oauth.Flows == nil {
		t.Fatalf("oauth2: %+v", oauth)
	}
	flows := oauth.Flows
	for name, f := range map[string]*openapi3.OAuthFlow{"clientCredentials": flows.ClientCredentials, "password": flows.Password,
		"authorizationCode": flows.AuthorizationCode} {
		if f == nil {
			t.Errorf("oauth2: no %s flow", name)
			continue
		}
		if f.Scopes == nil || len(f.Scopes) != 0 {
			t.Errorf("oauth2 %s: scopes %v, want none", name, f.Scopes)
		}
		// the token URL is the document's token operation; the refresh URL too
		if item := doc.Paths.Value(f.TokenURL); item == nil || item.Post == nil || item.Post.OperationID != "oauth2Token" {
			t.Errorf("oauth2 %s: tokenUrl %q is not POST /oauth2-token of the document", name, f.TokenURL)
		}
		if name != "clientCredentials" && f.RefreshURL != f.TokenURL {
			t.Errorf("oauth2 %s: refreshUrl %q, want the token URL", name, f.RefreshURL)
		}
	}
	if f := flows.AuthorizationCode; f != nil {
		if item := doc.Paths.Value(f.AuthorizationURL); item == nil || item.Get == nil || item.Get.OperationID != "oauth2Authorize" {
			t.Errorf("oauth2 authorizationCode: authorizationUrl %q is not GET /oauth2-token/authorize of the document", f.AuthorizationURL)
		}
	}
	if flows.Implicit != nil {
		t.Error("oauth2: an implicit flow, which the server does not have")
	}

	n := 0
	for path, item := range doc.Paths.Map() {
		api := strings.HasPrefix(path, "/api/")
		if !api && !strings.HasPrefix(path, "/oauth2-token") {
			t.Errorf("%s: neither under /api/ nor an OAuth 2.0 endpoint", path)
		}
		for method, o := range item.Operations() {
			n++
			public := !api || method == http.MethodOptions
			switch {
			case public && (o.Security == nil || len(*o.Security) != 0):
				t.Errorf("%s %s: needs no credentials, but does not declare security: []", method, path)
			case !public && o.Security != nil && !reflect.DeepEqual(*o.Security, both):
				t.Errorf("%s %s: security %v, want the root's %v", method, path, *o.Security, both)
			}
			if !api {
				if !slices.Contains(o.Tags, "oauth2") {
					t.Errorf("%s %s: not tagged oauth2", method, path)
				}
				continue
			}
			if o.Responses.Value("401") == nil {
				t.Errorf("%s %s: no 401", method, path)
			}
			list := !strings.Contains(path, "{id}") && (method == http.MethodGet || method == http.MethodHead)
			if want := !public && !list; want != (o.Responses.Value("403") != nil) {
				t.Errorf("%s %s: 403 declared %v, want %v", method, path, !want, want)
			}
		}
	}
	if n < 100 {
		t.Fatalf("only %d operations", n)
	}
	token := doc.Paths.Value("/oauth2-token").Post
	if token == nil || token.RequestBody == nil {
		t.Fatal("POST /oauth2-token: no request body")
	}
	for _, mt := range []string{"application/x-www-form-urlencoded", "application/json"} {
		m := token.RequestBody.Value.Content.Get(mt)
		if m == nil || m.Schema.Value.Properties["grant_type"] == nil {
			t.Errorf("POST /oauth2-token: no %s body with grant_type", mt)
			continue
		}
		var grants []string
		for _, g := range m.Schema.Value.Properties["grant_type"].Value.Enum {
			grants = append(grants, g.(string))
		}
		slices.Sort(grants)
		if want := []string{"authorization_code", "client_credentials", "password", "refresh_token"}; !slices.Equal(grants, want) {
			t.Errorf("POST /oauth2-token %s: grant types %v, want %v", mt, grants, want)
		}
	}
	for _, status := range []string{"200", "400", "401"} {
		if r := token.Responses.Value(status); r == nil || r.Value.Headers["Cache-Control"] == nil {
			t.Errorf("POST /oauth2-token: no %s with Cache-Control", status)
		}
	}
}

// The Batch API (api.md sections 12 and 13): PATCH of every collection whose type can be
// written, with X-Mode, a JSON:API body of <type>BatchDocument, 202 with the async operation
// and Content-Location, 200 with <type>BatchResult; and the errors of an async operation, a
// subresource that is not a relationship, of the subresourceOnly type asyncoperationerrors.
func TestBatchAndErrorsSubresource(t *testing.T) {
	doc := bundled(t)
	schemas := doc.Components.Schemas
	for path, item := range doc.Paths.Map() {
		parts := strings.Split(strings.TrimPrefix(path, "/api/"), "/")
		if !strings.HasPrefix(path, "/api/") || len(parts) != 1 {
			continue
		}
		typ := parts[0]
		// the search results (/api/search) are a list without items
		one := doc.Paths.Value(path + "/{id}")
		writable := item.Post != nil || (one != nil && one.Patch != nil)
		if (item.Patch != nil) != writable {
			t.Errorf("PATCH %s declared %v, want %v", path, item.Patch != nil, writable)
		}
		if item.Patch == nil {
			continue
		}
		o := item.Patch
		if !slices.Contains(o.Tags, typ) || !strings.HasPrefix(o.OperationID, "batch") {
			t.Errorf("PATCH %s: tags %v, operationId %s", path, o.Tags, o.OperationID)
		}
		if !strings.Contains(doc.Paths.Value(path).Description, "PATCH") {
			t.Errorf("%s: the methods of the path do not list PATCH", path)
		}
		var hasMode bool
		for _, p := range o.Parameters {
			hasMode = hasMode || (p.Value.Name == "X-Mode" && p.Value.In == "header")
		}
		if !hasMode {
			t.Errorf("PATCH %s: no X-Mode header", path)
		}
		body := o.RequestBody.Value.Content
		if len(body) != 1 || body.Get("application/vnd.api+json") == nil ||
			body.Get("application/vnd.api+json").Schema.Ref != "#/components/schemas/"+typ+"BatchDocument" {
			t.Errorf("PATCH %s: body %v, want only JSON:API %sBatchDocument", path, slices.Sorted(maps.Keys(body)), typ)
		}
		data := schemas[typ+"BatchDocument"].Value.Properties["data"].Value
		if !data.Type.Is("array") || data.MinItems != 1 || data.Items.Ref != "#/components/schemas/"+typ+"BatchItem" {
			t.Errorf("%sBatchDocument: data is not a non-empty array of %sBatchItem", typ, typ)
		}
		if item := schemas[typ+"BatchItem"]; item == nil || !slices.Equal(item.Value.Required, []string{"type"}) ||
			item.Value.Properties["meta"].Ref != "#/components/schemas/RequestMeta" {
			t.Errorf("%sBatchItem: missing, or not required [type] with RequestMeta", typ)
		}
		accepted := o.Responses.Value("202")
		if accepted == nil || accepted.Value.Headers["Content-Location"] == nil ||
			accepted.Value.Content.Get("application/vnd.api+json").Schema.Ref != "#/components/schemas/asyncoperationsDocument" {
			t.Errorf("PATCH %s: no 202 with Content-Location and asyncoperationsDocument", path)
		}
		ok := o.Responses.Value("200")
		if ok == nil || ok.Value.Content.Get("application/vnd.api+json").Schema.Ref != "#/components/schemas/"+typ+"BatchResult" {
			t.Errorf("PATCH %s: no 200 with %sBatchResult", path, typ)
		}
		if item.Post == nil {
			continue
		}
		var want []string
		for status := range item.Post.Responses.Map() {
			if status != "201" && status != "200" {
				want = append(want, status)
			}
		}
		var got []string
		for status := range o.Responses.Map() {
			if status != "202" && status != "200" {
				got = append(got, status)
			}
		}
		if slices.Sort(want); !slices.Equal(slices.Sorted(slices.Values(got)), want) {
			t.Errorf("PATCH %s: error responses %v, want those of POST %v", path, slices.Sorted(slices.Values(got)), want)
		}
	}
	if meta := schemas["ResourceMeta"].Value.Properties; meta["dataId"] == nil || meta["includeId"] == nil {
		t.Error("ResourceMeta has no dataId or includeId")
	}

	errs := doc.Paths.Value("/api/asyncoperations/{id}/errors")
	if errs == nil || errs.Get == nil || errs.Head == nil || errs.Options == nil || errs.Post != nil || errs.Patch != nil {
		t.Fatal("/api/asyncoperations/{id}/errors: not GET, HEAD and OPTIONS")
	}
	coll := errs.Get.Responses.Value("200").Value.Content
	if coll.Get("application/vnd.api+json").Schema.Ref != "#/components/schemas/asyncoperationerrorsCollection" || coll.Get("application/json") == nil {
		t.Error("GET /api/asyncoperations/{id}/errors: not asyncoperationerrorsCollection (and its plain form)")
	}
	for _, p := range []string{"/api/asyncoperationerrors", "/api/asyncoperationerrors/{id}", "/api/asyncoperations/{id}/relationships/errors"} {
		if doc.Paths.Value(p) != nil {
			t.Errorf("%s: a path of the subresourceOnly type, or a relationship endpoint of errors", p)
		}
	}
	if doc.Tags.Get("asyncoperationerrors") != nil {
		t.Error("a tag asyncoperationerrors, which has no operations")
	}
	if schemas["asyncoperationsRelationships"].Value.Properties["errors"] != nil {
		t.Error("asyncoperationsRelationships names errors, which is no relationship")
	}
	for _, p := range doc.Paths.Value("/api/asyncoperations").Get.Parameters {
		if p.Value.Name == "include" && slices.Contains(strs(p.Value.Extensions["x-include"]), "errors") || p.Value.Name == "filter[errors]" {
			t.Errorf("GET /api/asyncoperations: %s names errors", p.Value.Name)
		}
	}
	attrs := schemas["asyncoperationerrorsAttributes"].Value.Properties
	for _, name := range []string{"status", "title", "detail", "source"} {
		if attrs[name] == nil {
			t.Errorf("asyncoperationerrorsAttributes: no %s", name)
		}
	}

	// the generated Go code routes both to the engine with their kinds
	out := t.TempDir()
	if err := run("..", out); err != nil {
		t.Fatal(err)
	}
	ops, err := os.ReadFile(filepath.Join(out, "operations.gen.go"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`OpBatch              OperationKind = "batch"`,
		`OpSubresource        OperationKind = "subresource"`,
		`router.PATCH("/api/accounts", func(c echo.Context) error {
		return engine.Serve(c, Operation{Kind: OpBatch, Type: "accounts"})`,
		`router.GET("/api/asyncoperations/:id/errors", func(c echo.Context) error {
		return engine.Serve(c, Operation{Kind: OpSubresource, Type: "asyncoperations", ID: pathParam(c, "id"), Association: "errors"})`,
		`router.GET("/api/accounts/:id/contacts", func(c echo.Context) error {
		return engine.Serve(c, Operation{Kind: OpRelated, Type: "accounts", ID: pathParam(c, "id"), Association: "contacts"})`,
	} {
		if !strings.Contains(string(ops), want) {
			t.Errorf("operations.gen.go has no\n%s", want)
		}
	}
	if strings.Contains(string(ops), `router.PATCH("/api/asyncoperations"`) || strings.Contains(string(ops), `router.PATCH("/api/countries"`) {
		t.Error("operations.gen.go: PATCH of a read-only collection")
	}
}

func strs(v any) []string {
	list, _ := v.([]any)
	var out []string
	for _, x := range list {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// A subresourceOnly type has methods [] and is the subresource of some type.
func TestSubresourceOnlyMistakes(t *testing.T) {
	for _, c := range []struct{ name, typ, old, new, want string }{
		{"methods of a subresourceOnly type", "asyncoperationerrors", "methods: []", "methods: [list, get]", "a subresourceOnly type has methods []"},
		{"a misspelt subresources key", "asyncoperations", "  subresources:\n", "  subresource:\n", "field subresource not found"},
		{"a subresource of a type with paths", "asyncoperations", "{type: asyncoperationerrors,", "{type: users,", `"users" is no subresourceOnly type`},
		{"a subresource named as a relationship", "asyncoperations", "    errors: {type: asyncoperationerrors,", "    owner: {type: asyncoperationerrors,", "subresource owner: an attribute or relationship has this name"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := copySource(t, c.typ, func(s string) string {
				if !strings.Contains(s, c.old) {
					t.Fatalf("%s.yaml has no %q", c.typ, c.old)
				}
				return strings.Replace(s, c.old, c.new, 1)
			})
			err := run(dir, t.TempDir())
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want %q", err, c.want)
			}
		})
	}
	// without the subresource, asyncoperationerrors is listed by nothing
	dir := copySource(t, "asyncoperations", func(s string) string {
		i := strings.Index(s, "  subresources:\n")
		j := strings.Index(s, "components:")
		return s[:i] + s[j:]
	})
	if err := run(dir, t.TempDir()); err == nil || !strings.Contains(err.Error(), "a subresourceOnly type that no type declares as a subresource") {
		t.Fatalf("error %v", err)
	}
}
