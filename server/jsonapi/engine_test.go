package jsonapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// Unit tests of the engine's request handling over memStore: whole requests through the API's
// handlers, each answer asserted as the exact document, without a database. What only a
// database shows (SQL, locks, constraints) is tested in server/ on every backend.

// blog is the schema of these tests: articles with an author (a person) and tags.
func blog(t testing.TB) *Schema {
	t.Helper()
	all := []Operator{OpEq, OpNeq, OpLt, OpLte, OpGt, OpGte, OpExists}
	people := &Resource{Type: "people", IntID: true,
		Attrs:   []Attr{{Name: "name", Kind: String, Required: true, MaxLen: 20}, {Name: "email", Kind: String, Nullable: true, Email: true, Unique: true}},
		Methods: Methods{List: true, Get: true, Create: true, Update: true, Delete: true},
		Title:   func(r *Resource, rec *Record) string { return rec.Values[0].(string) },
	}
	tags := &Resource{Type: "tags", ClientID: true,
		Attrs:   []Attr{{Name: "label", Kind: String, Required: true}},
		Methods: Methods{List: true, Get: true, Create: true, Update: true},
		Upsert:  Upsert{ByID: true},
	}
	articles := &Resource{Type: "articles", IntID: true,
		Attrs: []Attr{{Name: "title", Kind: String, Required: true, MaxLen: 30}, {Name: "body", Kind: String, Nullable: true},
			{Name: "views", Kind: Int, Nullable: true}},
		Rels:     []Rel{{Name: "author", Target: "people"}, {Name: "tags", Target: "tags", ToMany: true}},
		Methods:  Methods{List: true, Get: true, Create: true, Update: true, Delete: true, DeleteList: true},
		Validate: true,
		Upsert:   Upsert{Fields: [][]string{{"title"}}},
		Title:    func(r *Resource, rec *Record) string { return rec.Values[0].(string) },
	}
	s, err := NewSchema(articles, people, tags)
	if err != nil {
		t.Fatal(err)
	}
	articles.Filters = map[string]*Filter{
		"id":     {Name: "id", Attr: -1, Rel: -1, ID: true, Operators: all},
		"title":  {Name: "title", Attr: 0, Rel: -1, Operators: []Operator{OpEq, OpNeq, OpContains, OpStartsWith, OpExists}},
		"views":  {Name: "views", Attr: 2, Rel: -1, Operators: all},
		"author": {Name: "author", Attr: -1, Rel: 0, Operators: []Operator{OpEq, OpNeq, OpExists}},
		"tags":   {Name: "tags", Attr: -1, Rel: 1, Operators: []Operator{OpEq, OpNeq, OpContains, OpExists}},
	}
	articles.Sorts = map[string]int{"id": -1, "title": 0, "views": 2}
	people.Filters = map[string]*Filter{"id": {Name: "id", Attr: -1, Rel: -1, ID: true, Operators: []Operator{OpEq}}}
	people.Sorts = map[string]int{"id": -1, "name": 0}
	tags.Filters = map[string]*Filter{"id": {Name: "id", Attr: -1, Rel: -1, ID: true, Operators: []Operator{OpEq}}}
	tags.Sorts = map[string]int{"id": -1}
	return s
}

// newBlog is an API over a memStore that holds:
//
//	people    1 Ann (ann@example.com), 2 Bob (no e-mail)
//	tags      db Databases, go Go, web Web
//	articles  1 "Hello"       body "First"  10 views  author 1  tags go, web
//	          2 "Engines"     no body        3 views  author 2  tags go
//	          3 "Stores"      body "SQL"     no views no author no tags
//	          4 "hello again" no body       10 views  author 1  tags db
func newBlog(t testing.TB) (*API, *memStore) {
	t.Helper()
	s := blog(t)
	m := newMemStore()
	people, tags, articles := s.Resource("people"), s.Resource("tags"), s.Resource("articles")
	m.put(people, &Record{ID: "1", Values: []any{"Ann", "ann@example.com"}, Links: [][]string{}})
	m.put(people, &Record{ID: "2", Values: []any{"Bob", nil}, Links: [][]string{}})
	for _, tag := range [][2]string{{"db", "Databases"}, {"go", "Go"}, {"web", "Web"}} {
		m.put(tags, &Record{ID: tag[0], Values: []any{tag[1]}, Links: [][]string{}})
	}
	m.put(articles, &Record{ID: "1", Values: []any{"Hello", "First", int64(10)}, Links: [][]string{{"1"}, {"go", "web"}}})
	m.put(articles, &Record{ID: "2", Values: []any{"Engines", nil, int64(3)}, Links: [][]string{{"2"}, {"go"}}})
	m.put(articles, &Record{ID: "3", Values: []any{"Stores", "SQL", nil}, Links: [][]string{nil, {}}})
	m.put(articles, &Record{ID: "4", Values: []any{"hello again", nil, int64(10)}, Links: [][]string{{"1"}, {"db"}}})
	m.calls = nil
	return &API{Schema: s, Store: m, Limits: DefaultLimits}, m
}

// serve sends one request to the API's handler for its URL, as the server's routes do; header
// holds name, value pairs. A body is sent as JSON:API unless the header says otherwise.
func serve(api *API, method, target, body string, header ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, "http://api.test"+target, strings.NewReader(body))
	if body != "" {
		r.Header.Set("Content-Type", MediaType)
	}
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	u, _ := url.Parse(target)
	seg := strings.Split(strings.TrimPrefix(u.Path, "/api/"), "/")
	switch {
	case len(seg) == 1 && method == http.MethodGet:
		api.List(w, r, seg[0])
	case len(seg) == 1 && method == http.MethodPost:
		api.Create(w, r, seg[0])
	case len(seg) == 1 && method == http.MethodDelete:
		api.DeleteList(w, r, seg[0])
	case len(seg) == 2 && method == http.MethodGet:
		api.Get(w, r, seg[0], seg[1])
	case len(seg) == 2 && method == http.MethodPatch:
		api.Update(w, r, seg[0], seg[1])
	case len(seg) == 2 && method == http.MethodDelete:
		api.Delete(w, r, seg[0], seg[1])
	case len(seg) == 3 && method == http.MethodGet:
		api.Related(w, r, seg[0], seg[1], seg[2])
	case len(seg) == 4 && seg[2] == "relationships" && method == http.MethodGet:
		api.Relationship(w, r, seg[0], seg[1], seg[3])
	case len(seg) == 4 && seg[2] == "relationships" && method == http.MethodPatch:
		api.UpdateRelationship(w, r, seg[0], seg[1], seg[3])
	case len(seg) == 4 && seg[2] == "relationships" && method == http.MethodPost:
		api.AddRelationship(w, r, seg[0], seg[1], seg[3])
	case len(seg) == 4 && seg[2] == "relationships" && method == http.MethodDelete:
		api.DeleteRelationship(w, r, seg[0], seg[1], seg[3])
	default:
		panic("serve: no operation for " + method + " " + target)
	}
	return w
}

// expect asserts the status and the body: exactly want, once want is compacted ("" = no body).
func expect(t *testing.T, w *httptest.ResponseRecorder, status int, want string) {
	t.Helper()
	if want != "" {
		var b bytes.Buffer
		if err := json.Compact(&b, []byte(want)); err != nil {
			t.Fatalf("the expected document is not JSON: %v\n%s", err, want)
		}
		want = b.String()
	}
	if w.Code != status || w.Body.String() != want {
		t.Fatalf("%d %s\nwant %d %s", w.Code, w.Body, status, want)
	}
}

// The expected documents. Links are absolute, on the request's host.

const base = "http://api.test/api/"

func ident(typ, id string) string { return `{"type":"` + typ + `","id":"` + id + `"}` }

func idents(typ string, ids ...string) string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = ident(typ, id)
	}
	return "[" + strings.Join(out, ",") + "]"
}

// rel is a relationship of typ/id with its linkage and links.
func rel(typ, id, name, data string) string {
	self := base + typ + "/" + id
	return `"` + name + `":{"data":` + data + `,"links":{"self":"` + self + "/relationships/" + name + `","related":"` + self + "/" + name + `"}}`
}

// object is a resource object with its self link; attrs are members, rels made by rel.
func object(typ, id, attrs string, rels ...string) string {
	s := `{"type":"` + typ + `","id":"` + id + `","links":{"self":"` + base + typ + "/" + id + `"}`
	if attrs != "" {
		s += `,"attributes":{` + attrs + `}`
	}
	if len(rels) > 0 {
		s += `,"relationships":{` + strings.Join(rels, ",") + `}`
	}
	return s + "}"
}

func article(id, attrs, author, tags string) string {
	return object("articles", id, attrs, rel("articles", id, "author", author), rel("articles", id, "tags", tags))
}

var (
	article1 = article("1", `"title":"Hello","body":"First","views":10`, ident("people", "1"), idents("tags", "go", "web"))
	article2 = article("2", `"title":"Engines","body":null,"views":3`, ident("people", "2"), idents("tags", "go"))
	article3 = article("3", `"title":"Stores","body":"SQL","views":null`, "null", "[]")
	article4 = article("4", `"title":"hello again","body":null,"views":10`, ident("people", "1"), idents("tags", "db"))
	ann      = object("people", "1", `"name":"Ann","email":"ann@example.com"`)
	bob      = object("people", "2", `"name":"Bob","email":null`)
)

// document is a document with primary data and the given links (members of the links object).
func document(data, links string, included ...string) string {
	s := `{"data":` + data
	if len(included) > 0 {
		s += `,"included":[` + strings.Join(included, ",") + `]`
	}
	return s + `,"links":{` + links + `}}`
}

func list(objects ...string) string { return "[" + strings.Join(objects, ",") + "]" }

func errorDoc(errs ...string) string { return `{"errors":[` + strings.Join(errs, ",") + `]}` }

func errorAt(status, title, detail, source string) string {
	s := `{"status":"` + status + `","title":"` + title + `","detail":` + mustJSON(detail)
	if source != "" {
		s += `,"source":` + source
	}
	return s + "}"
}

// mustJSON is v as JSON text, with <, > and & as they are (as the engine writes them).
func mustJSON(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(err)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func TestEngineList(t *testing.T) {
	t.Parallel()
	api, _ := newBlog(t)
	tests := []struct {
		name, target string
		header       []string
		want         string
	}{
		{name: "a page, in id order", target: "/api/articles?page[size]=2",
			want: document(list(article1, article2), `"self":"`+base+`articles?page%5Bsize%5D=2","next":"`+base+`articles?page%5Bsize%5D=2&page%5Bnumber%5D=2"`)},
		{name: "the last page", target: "/api/articles?page[size]=3&page[number]=2",
			want: document(list(article4), `"self":"`+base+`articles?page%5Bsize%5D=3&page%5Bnumber%5D=2","first":"`+base+`articles?page%5Bsize%5D=3","prev":"`+base+`articles?page%5Bsize%5D=3"`)},
		{name: "sorted, NULL last descending, ties by the next key", target: "/api/articles?sort=-views,title&fields[articles]=views",
			want: document(list(object("articles", "1", `"views":10`), object("articles", "4", `"views":10`), object("articles", "2", `"views":3`),
				object("articles", "3", `"views":null`)), `"self":"`+base+`articles?sort=-views,title&fields%5Barticles%5D=views"`)},
		{name: "filters of every kind of field", target: "/api/articles?filter[title]~hello&filter[views]>3&filter[author]=1&filter[tags]=go,db&fields[articles]=",
			want: document(list(object("articles", "1", ""), object("articles", "4", "")),
				`"self":"`+base+`articles?filter%5Btitle%5D~hello&filter%5Bviews%5D%3E3&filter%5Bauthor%5D=1&filter%5Btags%5D=go,db&fields%5Barticles%5D="`)},
		{name: "a to-many that has all the ids; a field that is null; a range of ids", target: "/api/articles?filter[tags][contains]=go,web&fields[articles]=title",
			header: []string{"X-Include", "noHateoas"}, want: `{"data":[{"type":"articles","id":"1","attributes":{"title":"Hello"}}]}`},
		{name: "a field that is null", target: "/api/articles?filter[views]*no&filter[id]=2..3&fields[articles]=title",
			header: []string{"X-Include", "noHateoas"}, want: `{"data":[{"type":"articles","id":"3","attributes":{"title":"Stores"}}]}`},
		{name: "included resources, each once, with their own sparse fieldsets",
			target: "/api/articles?filter[id]=1,2&fields[articles]=author&fields[tags]=label&include=author,tags",
			want: document(list(object("articles", "1", "", rel("articles", "1", "author", ident("people", "1"))),
				object("articles", "2", "", rel("articles", "2", "author", ident("people", "2")))),
				`"self":"`+base+`articles?filter%5Bid%5D=1,2&fields%5Barticles%5D=author&fields%5Btags%5D=label&include=author,tags"`,
				ann, bob, object("tags", "go", `"label":"Go"`), object("tags", "web", `"label":"Web"`))},
		{name: "meta title", target: "/api/people?meta=title&fields[people]=name", header: []string{"X-Include", "noHateoas"},
			want: `{"data":[{"type":"people","id":"1","meta":{"title":"Ann"},"attributes":{"name":"Ann"}},{"type":"people","id":"2","meta":{"title":"Bob"},"attributes":{"name":"Bob"}}]}`},
		{name: "the plain format", target: "/api/articles?page[size]=2", header: []string{"Accept", "application/json"},
			want: `[{"id":1,"title":"Hello","body":"First","views":10,"author":1,"tags":["go","web"]},{"id":2,"title":"Engines","body":null,"views":3,"author":2,"tags":["go"]}]`},
		{name: "everything (page[size]=-1)", target: "/api/articles?page[size]=-1&fields[articles]=", header: []string{"X-Include", "noHateoas"},
			want: `{"data":[` + strings.Join([]string{ident("articles", "1"), ident("articles", "2"), ident("articles", "3"), ident("articles", "4")}, ",") + `]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			expect(t, serve(api, "GET", tt.target, "", tt.header...), 200, tt.want)
		})
	}
	t.Run("total count", func(t *testing.T) {
		t.Parallel()
		w := serve(api, "GET", "/api/articles?filter[views]=10&fields[articles]=", "", "X-Include", "totalCount;noHateoas")
		expect(t, w, 200, `{"data":[`+ident("articles", "1")+`,`+ident("articles", "4")+`]}`)
		if got := w.Header().Get("X-Include-Total-Count"); got != "2" {
			t.Fatalf("X-Include-Total-Count %q", got)
		}
	})
	t.Run("refused before the store", func(t *testing.T) {
		t.Parallel()
		api, m := newBlog(t)
		expect(t, serve(api, "GET", "/api/articles?filter[body]=x&sort=views,views", ""), 400, errorDoc(
			errorAt("400", TitleFilter, `Filter "filter[body]" is not supported.`, `{"parameter":"filter[body]"}`),
			errorAt("400", TitleSort, `Sorting by "views" field is requested more than once.`, `{"parameter":"sort"}`)))
		expect(t, serve(api, "GET", "/api/nothing", ""), 404, errorDoc(errorAt("404", TitleEntityType, "Unknown entity type: nothing.", "")))
		if m.calls != nil {
			t.Fatalf("the store was asked %q", m.calls)
		}
	})
}

func TestEngineGet(t *testing.T) {
	t.Parallel()
	api, m := newBlog(t)
	w := serve(api, "GET", "/api/articles/1?include=tags,author", "")
	expect(t, w, 200, document(article1, `"self":"`+base+`articles/1?include=tags,author"`,
		object("tags", "go", `"label":"Go"`), object("tags", "web", `"label":"Web"`), ann))
	tag := w.Header().Get("ETag")
	if tag != etag(api.Schema.Resource("articles"), m.get("articles", "1")) {
		t.Fatalf("ETag %q is not the record's", tag)
	}
	w = serve(api, "GET", "/api/articles/1", "", "If-None-Match", `"other", `+tag)
	expect(t, w, 304, "")
	if w.Header().Get("ETag") != tag {
		t.Fatalf("a 304 without the ETag")
	}
	expect(t, serve(api, "GET", "/api/articles/1", "", "If-None-Match", `"other"`), 200, document(article1, `"self":"`+base+`articles/1"`))
	notFound := errorDoc(errorAt("404", TitleNotFound, detailNotFound, ""))
	expect(t, serve(api, "GET", "/api/articles/9", "", "Accept", "application/json"), 404,
		`[{"code":404,"title":"not found http exception","detail":"An entity with the requested identifier does not exist."}]`)
	m.calls = nil
	expect(t, serve(api, "GET", "/api/articles/abc", ""), 404, notFound)
	expect(t, serve(api, "GET", "/api/articles/0", ""), 404, notFound)
	if m.calls != nil {
		t.Fatalf("an id that cannot exist was looked up: %q", m.calls)
	}
}

func TestEngineCreate(t *testing.T) {
	t.Parallel()
	created := func(t *testing.T, w *httptest.ResponseRecorder, api *API, typ, id, want string) {
		t.Helper()
		expect(t, w, 201, want)
		if got := w.Header().Get("Location"); got != base+typ+"/"+id {
			t.Fatalf("Location %q", got)
		}
		if got := w.Header().Get("ETag"); got != etag(api.Schema.Resource(typ), api.Store.(*memStore).get(typ, id)) {
			t.Fatalf("ETag %q is not the stored record's", got)
		}
	}
	t.Run("with relationships", func(t *testing.T) {
		t.Parallel()
		api, m := newBlog(t)
		w := serve(api, "POST", "/api/articles?fields[articles]=title,tags", `{"data":{"type":"articles","attributes":{"title":"New"},
			"relationships":{"author":{"data":{"type":"people","id":"2"}},"tags":{"data":[{"type":"tags","id":"web"},{"type":"tags","id":"db"},{"type":"tags","id":"web"}]}}}}`)
		created(t, w, api, "articles", "5", document(object("articles", "5", `"title":"New"`, rel("articles", "5", "tags", idents("tags", "web", "db"))),
			`"self":"`+base+`articles/5"`))
		if got := m.get("articles", "5"); got.Values[1] != nil || !slices.Equal(got.Links[0], []string{"2"}) {
			t.Fatalf("stored %+v", got)
		}
	})
	t.Run("every problem reported together, nothing stored", func(t *testing.T) {
		t.Parallel()
		api, m := newBlog(t)
		w := serve(api, "POST", "/api/articles", `{"data":{"type":"articles","attributes":{"title":"`+strings.Repeat("x", 31)+`","views":"many","nope":1},
			"relationships":{"author":{"data":{"type":"people","id":"9"}},"tags":{"data":[{"type":"tags","id":"go"},{"type":"tags","id":"rust"}]}}}}`)
		expect(t, w, 400, errorDoc(
			errorAt("400", TitleLength, "This value is too long. It should have 30 characters or less.", `{"pointer":"/data/attributes/title"}`),
			errorAt("400", TitleType, "This value should be of type integer.", `{"pointer":"/data/attributes/views"}`),
			errorAt("400", TitleExtraFields, `This form should not contain extra fields: "nope".`, `{"pointer":"/data/attributes/nope"}`),
			errorAt("400", TitleForm, detailEntityNotExist, `{"pointer":"/data/relationships/author/data"}`),
			errorAt("400", TitleForm, detailEntityNotExist, `{"pointer":"/data/relationships/tags/data/1"}`)))
		if m.get("articles", "5") != nil || slices.ContainsFunc(m.calls, func(c string) bool { return strings.HasPrefix(c, "Create") }) {
			t.Fatalf("stored something: %q", m.calls)
		}
	})
	t.Run("required members", func(t *testing.T) {
		t.Parallel()
		api, _ := newBlog(t)
		expect(t, serve(api, "POST", "/api/tags", `{"data":{"type":"tags","attributes":{}}}`), 400, errorDoc(
			errorAt("400", TitleNotBlank, "This value should not be blank.", `{"pointer":"/data/attributes/label"}`),
			errorAt("400", TitleNotBlank, "This value should not be blank.", `{"pointer":"/data/id"}`)))
	})
	t.Run("a client-assigned id", func(t *testing.T) {
		t.Parallel()
		api, _ := newBlog(t)
		created(t, serve(api, "POST", "/api/tags", `{"data":{"type":"tags","id":"ops","attributes":{"label":"Ops"}}}`), api, "tags", "ops",
			document(object("tags", "ops", `"label":"Ops"`), `"self":"`+base+`tags/ops"`))
		expect(t, serve(api, "POST", "/api/tags", `{"data":{"type":"tags","id":"ops","attributes":{"label":"Ops"}}}`), 409,
			errorDoc(errorAt("409", TitleConflict, "The entity already exists.", `{"pointer":"/data/id"}`)))
	})
	t.Run("a check of the store", func(t *testing.T) {
		t.Parallel()
		api, m := newBlog(t)
		expect(t, serve(api, "POST", "/api/people", `{"data":{"type":"people","attributes":{"name":"Cid","email":"ann@example.com"}}}`), 400,
			errorDoc(errorAt("400", TitleUnique, "This value is already used.", `{"pointer":"/data/attributes/email"}`)))
		if m.get("people", "3") != nil {
			t.Fatal("stored")
		}
	})
	t.Run("with included resources, created first", func(t *testing.T) {
		t.Parallel()
		api, _ := newBlog(t)
		w := serve(api, "POST", "/api/articles?fields[articles]=author,tags", `{"data":{"type":"articles","attributes":{"title":"Team"},
			"relationships":{"author":{"data":{"type":"people","id":"cid"}},"tags":{"data":[{"type":"tags","id":"go"},{"type":"tags","id":"team"}]}}},
			"included":[{"type":"people","id":"cid","attributes":{"name":"Cid"}},{"type":"tags","id":"team","attributes":{"label":"Team"}},
				{"type":"tags","id":"go","meta":{"update":true},"attributes":{"label":"Golang"}}]}`)
		created(t, w, api, "articles", "5", document(
			object("articles", "5", "", rel("articles", "5", "author", ident("people", "3")), rel("articles", "5", "tags", idents("tags", "go", "team"))),
			`"self":"`+base+`articles/5"`,
			`{"type":"people","id":"3","links":{"self":"`+base+`people/3"},"meta":{"includeId":"cid"},"attributes":{"name":"Cid","email":null}}`,
			`{"type":"tags","id":"team","links":{"self":"`+base+`tags/team"},"meta":{"includeId":"team"},"attributes":{"label":"Team"}}`,
			`{"type":"tags","id":"go","links":{"self":"`+base+`tags/go"},"meta":{"includeId":"go"},"attributes":{"label":"Golang"}}`))
	})
	t.Run("an included resource the primary data does not reach", func(t *testing.T) {
		t.Parallel()
		api, m := newBlog(t)
		expect(t, serve(api, "POST", "/api/articles", `{"data":{"type":"articles","attributes":{"title":"Alone"}},
			"included":[{"type":"people","id":"cid","attributes":{"name":"Cid"}}]}`), 400,
			errorDoc(errorAt("400", TitleRequestData, "The entity should have a relationship with the primary entity and this should be explicitly specified in the request.",
				`{"pointer":"/included/0"}`)))
		if m.get("people", "3") != nil {
			t.Fatal("stored")
		}
	})
	t.Run("validate answers as the write would and stores nothing", func(t *testing.T) {
		t.Parallel()
		api, m := newBlog(t)
		body := `{"data":{"type":"articles","meta":{"validate":true},"attributes":{"title":"Draft"}}}`
		w := serve(api, "POST", "/api/articles?fields[articles]=title", body)
		expect(t, w, 201, document(object("articles", "5", `"title":"Draft"`), `"self":"`+base+`articles/5"`))
		if got := w.Header().Get("Location"); got != base+"articles/5" {
			t.Fatalf("Location %q", got)
		}
		if m.get("articles", "5") != nil {
			t.Fatal("a validated write was stored")
		}
		// and the real write gets the same id
		created(t, serve(api, "POST", "/api/articles?fields[articles]=title", strings.Replace(body, `"meta":{"validate":true},`, "", 1)), api, "articles", "5",
			document(object("articles", "5", `"title":"Draft"`), `"self":"`+base+`articles/5"`))
	})
	t.Run("upsert by a field set: the record found is updated", func(t *testing.T) {
		t.Parallel()
		api, m := newBlog(t)
		w := serve(api, "POST", "/api/articles?fields[articles]=title,views", `{"data":{"type":"articles","meta":{"upsert":["title"]},"attributes":{"title":"Hello","views":11}}}`)
		expect(t, w, 200, document(object("articles", "1", `"title":"Hello","views":11`), `"self":"`+base+`articles/1"`))
		if w.Header().Get("Location") != "" {
			t.Fatal("Location on an update")
		}
		if !slices.Contains(m.calls, `LockKey "articles\x00title\x00\"Hello\""`) {
			t.Fatalf("the upsert's key was not locked: %q", m.calls)
		}
		w = serve(api, "POST", "/api/articles?fields[articles]=title", `{"data":{"type":"articles","meta":{"upsert":["title"]},"attributes":{"title":"Fresh"}}}`)
		created(t, w, api, "articles", "5", document(object("articles", "5", `"title":"Fresh"`), `"self":"`+base+`articles/5"`))
	})
}

func TestEngineUpdate(t *testing.T) {
	t.Parallel()
	api, m := newBlog(t)
	patch := func(id, members string) string {
		return `{"data":{"type":"articles","id":"` + id + `"` + members + `}}`
	}
	w := serve(api, "PATCH", "/api/articles/2", patch("2", `,"attributes":{"body":"Now with a body"},"relationships":{"author":{"data":null}}`))
	want := article("2", `"title":"Engines","body":"Now with a body","views":3`, "null", idents("tags", "go"))
	expect(t, w, 200, document(want, `"self":"`+base+`articles/2"`))
	tag := w.Header().Get("ETag")
	if tag != etag(api.Schema.Resource("articles"), m.get("articles", "2")) || w.Header().Get("Location") != "" {
		t.Fatalf("ETag %q (not the stored record's), Location %q", tag, w.Header().Get("Location"))
	}
	precondition := errorDoc(errorAt("412", TitlePreconditionFail, detailPreconditionFail, `{"header":"If-Match"}`))
	expect(t, serve(api, "PATCH", "/api/articles/2", patch("2", `,"attributes":{"views":4}`), "If-Match", `"stale"`), 412, precondition)
	expect(t, serve(api, "GET", "/api/articles/2", ""), 200, document(want, `"self":"`+base+`articles/2"`))
	expect(t, serve(api, "PATCH", "/api/articles/2?fields[articles]=views", patch("2", `,"attributes":{"views":4}`), "If-Match", tag), 200,
		document(object("articles", "2", `"views":4`), `"self":"`+base+`articles/2"`))
	expect(t, serve(api, "PATCH", "/api/articles/2", `{"data":{"type":"people","id":"2"}}`), 409, errorDoc(errorAt("409", TitleConflict,
		"The 'type' property of the primary data object does not match the requested resource type.", `{"pointer":"/data/type"}`)))
	expect(t, serve(api, "PATCH", "/api/articles/2", patch("3", "")), 409, errorDoc(errorAt("409", TitleConflict,
		"The 'id' property of the primary data object does not match the 'id' parameter of the URI.", `{"pointer":"/data/id"}`)))
	expect(t, serve(api, "PATCH", "/api/articles/9", patch("9", `,"attributes":{"views":4}`)), 404, errorDoc(errorAt("404", TitleNotFound, detailNotFound, "")))
	expect(t, serve(api, "PATCH", "/api/articles/2", patch("2", `,"attributes":{"title":null}`)), 400,
		errorDoc(errorAt("400", TitleNotBlank, "This value should not be blank.", `{"pointer":"/data/attributes/title"}`)))
}

func TestEngineDelete(t *testing.T) {
	t.Parallel()
	t.Run("one", func(t *testing.T) {
		t.Parallel()
		api, _ := newBlog(t)
		expect(t, serve(api, "DELETE", "/api/articles/3", "", "If-Match", `"stale"`), 412,
			errorDoc(errorAt("412", TitlePreconditionFail, detailPreconditionFail, `{"header":"If-Match"}`)))
		expect(t, serve(api, "DELETE", "/api/articles/3", ""), 204, "")
		notFound := errorDoc(errorAt("404", TitleNotFound, detailNotFound, ""))
		expect(t, serve(api, "GET", "/api/articles/3", ""), 404, notFound)
		expect(t, serve(api, "DELETE", "/api/articles/3", ""), 404, notFound)
	})
	t.Run("by filters", func(t *testing.T) {
		t.Parallel()
		api, m := newBlog(t)
		expect(t, serve(api, "DELETE", "/api/articles?page[size]=1", ""), 400, errorDoc(
			errorAt("400", TitleFilter, `The query parameter "page[size]" is not supported here.`, `{"parameter":"page[size]"}`),
			errorAt("400", TitleFilter, "At least one filter must be provided.", "")))
		w := serve(api, "DELETE", "/api/articles?filter[views]=10", "", "X-Include", "deletedCount")
		expect(t, w, 204, "")
		if got := w.Header().Get("X-Include-Deleted-Count"); got != "2" || m.get("articles", "1") != nil || m.get("articles", "4") != nil || m.get("articles", "2") == nil {
			t.Fatalf("deleted count %q, calls %q", got, m.calls)
		}
	})
	t.Run("more than the limit: nothing", func(t *testing.T) {
		t.Parallel()
		api, m := newBlog(t)
		api.Limits.DeleteLimit = 2
		expect(t, serve(api, "DELETE", "/api/articles?filter[id]>0", ""), 400, errorDoc(errorAt("400", TitleFilter,
			"The number of records to delete exceeds the limit of 2. Narrow the filters.", "")))
		for _, id := range []string{"1", "2", "3", "4"} {
			if m.get("articles", id) == nil {
				t.Fatalf("article %s was deleted", id)
			}
		}
	})
}

func TestEngineRelated(t *testing.T) {
	t.Parallel()
	api, _ := newBlog(t)
	expect(t, serve(api, "GET", "/api/articles/1/author", ""), 200, document(ann, `"self":"`+base+`articles/1/author"`))
	expect(t, serve(api, "GET", "/api/articles/3/author", ""), 200, `{"data":null,"links":{"self":"`+base+`articles/3/author"}}`)
	expect(t, serve(api, "GET", "/api/articles/3/author", "", "Accept", "application/json"), 200, `null`)
	expect(t, serve(api, "GET", "/api/articles/1/tags?sort=-id&fields[tags]=label", ""), 200, document(
		list(object("tags", "web", `"label":"Web"`), object("tags", "go", `"label":"Go"`)), `"self":"`+base+`articles/1/tags?sort=-id&fields%5Btags%5D=label"`))
	expect(t, serve(api, "GET", "/api/articles/1/nope", ""), 404, errorDoc(errorAt("404", TitleNotFound, `The relationship "nope" does not exist.`, "")))
	expect(t, serve(api, "GET", "/api/articles/9/author", ""), 404, errorDoc(errorAt("404", TitleNotFound, detailNotFound, "")))
	// the parameters are those of the related type
	expect(t, serve(api, "GET", "/api/articles/1/author?sort=name", ""), 400, errorDoc(errorAt("400", TitleFilter,
		`The query parameter "sort" is not supported here.`, `{"parameter":"sort"}`)))
}

func TestEngineRelationships(t *testing.T) {
	t.Parallel()
	linkage := func(id, name, data, more string) string {
		self := base + "articles/" + id
		return `{"data":` + data + `,"links":{"self":"` + self + "/relationships/" + name + `","related":"` + self + "/" + name + `"` + more + `}}`
	}
	t.Run("read", func(t *testing.T) {
		t.Parallel()
		api, _ := newBlog(t)
		expect(t, serve(api, "GET", "/api/articles/1/relationships/tags", ""), 200, linkage("1", "tags", idents("tags", "go", "web"), ""))
		expect(t, serve(api, "GET", "/api/articles/1/relationships/tags?page[size]=1&sort=-id", ""), 200, linkage("1", "tags", idents("tags", "web"),
			`,"next":"`+base+`articles/1/relationships/tags?page%5Bsize%5D=1&sort=-id&page%5Bnumber%5D=2"`))
		expect(t, serve(api, "GET", "/api/articles/1/relationships/author", ""), 200, linkage("1", "author", ident("people", "1"), ""))
		expect(t, serve(api, "GET", "/api/articles/3/relationships/author", ""), 200, linkage("3", "author", "null", ""))
		expect(t, serve(api, "GET", "/api/articles/1/relationships/tags", "", "Accept", "application/json"), 200, `["go","web"]`)
	})
	t.Run("write", func(t *testing.T) {
		t.Parallel()
		api, m := newBlog(t)
		links := func(id string, rel int) []string { return m.get("articles", id).Links[rel] }
		for _, step := range []struct {
			method, path, body string
			want               []string
		}{
			{"POST", "/api/articles/1/relationships/tags", `{"data":[{"type":"tags","id":"db"},{"type":"tags","id":"go"}]}`, []string{"go", "web", "db"}},
			{"DELETE", "/api/articles/1/relationships/tags", `{"data":[{"type":"tags","id":"go"}]}`, []string{"db", "web"}}, // read back in id order
			{"PATCH", "/api/articles/1/relationships/tags", `{"data":[]}`, []string{}},
		} {
			expect(t, serve(api, step.method, step.path, step.body), 204, "")
			if got := links("1", 1); !slices.Equal(got, step.want) {
				t.Fatalf("%s: tags %q, want %q", step.method, got, step.want)
			}
		}
		expect(t, serve(api, "PATCH", "/api/articles/1/relationships/author", `{"data":{"type":"people","id":"2"}}`), 204, "")
		expect(t, serve(api, "PATCH", "/api/articles/1/relationships/author", `2`, "Content-Type", "application/json", "Accept", "application/json"), 204, "")
		if got := links("1", 0); !slices.Equal(got, []string{"2"}) {
			t.Fatalf("author %q", got)
		}
		expect(t, serve(api, "POST", "/api/articles/2/relationships/tags", `{"data":[{"type":"tags","id":"web"},{"type":"tags","id":"rust"}]}`), 400,
			errorDoc(errorAt("400", TitleForm, detailEntityNotExist, `{"pointer":"/data/1"}`)))
		expect(t, serve(api, "POST", "/api/articles/2/relationships/tags", `{"data":[{"type":"people","id":"1"}]}`), 400,
			errorDoc(errorAt("400", TitleRequestData, `The 'type' property should be "tags".`, `{"pointer":"/data/0/type"}`)))
		if got := links("2", 1); !slices.Equal(got, []string{"go"}) {
			t.Fatalf("a refused write changed the tags: %q", got)
		}
	})
}

// A database that cannot serve: its errors reach the client as the store reports them.
func TestEngineStoreUnavailable(t *testing.T) {
	t.Parallel()
	api, m := newBlog(t)
	m.fail = Unavailable("The database is unavailable.")
	want := errorDoc(errorAt("503", TitleUnavailable, "The database is unavailable.", ""))
	for _, r := range [][3]string{
		{"GET", "/api/articles", ""},
		{"GET", "/api/articles/1", ""},
		{"POST", "/api/articles", `{"data":{"type":"articles","attributes":{"title":"New"}}}`},
		{"DELETE", "/api/articles/1", ""},
		{"PATCH", "/api/articles/1/relationships/tags", `{"data":[]}`},
	} {
		w := serve(api, r[0], r[1], r[2])
		expect(t, w, 503, want)
		if w.Header().Get("Retry-After") != "1" {
			t.Fatalf("%s %s: no Retry-After", r[0], r[1])
		}
	}
}
