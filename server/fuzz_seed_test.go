package server_test

// The seed corpus of FuzzHTTP, drawn from the OpenAPI document: for every operation, its method
// and path with existing and missing ids, the query parameters and headers it declares with
// typical values, the negotiation variants, and a body built from its request schema. The
// data set those requests find (fuzzData) is created through the API before fuzzing.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// fuzzInput is one input of FuzzHTTP: the request as its parts (see FuzzHTTP for their
// meaning).
type fuzzInput struct {
	Method, Path, Query, Header, Body string
}

// fuzzData is the data set every fuzzed request meets, created through the API in this order
// over a freshly migrated database (which already has organization, business unit, user and
// localization 1, the roles 1–3, the currencies, countries, regions, contact sources and the
// weight units kg and lbs). Each POST must answer 201; the ids are 1, 2, 3… per type.
var fuzzData = []struct{ path, body string }{
	{"/api/accounts", `{"data":{"type":"accounts","attributes":{"name":"Acme","description":"Anvils and rockets"}}}`},
	{"/api/accounts", `{"data":{"type":"accounts","attributes":{"name":"Globex"}}}`},
	{"/api/accounts", `{"data":{"type":"accounts","attributes":{"name":"Initech, Inc."}}}`},
	{"/api/contacts", `{"data":{"type":"contacts","attributes":{"firstName":"Ann","lastName":"Smith","primaryEmail":"ann@example.com","gender":"female","birthday":"1980-05-06"},
		"relationships":{"accounts":{"data":[{"type":"accounts","id":"1"}]},"source":{"data":{"type":"contactsources","id":"tv"}}}}}`},
	{"/api/contacts", `{"data":{"type":"contacts","attributes":{"firstName":"Bob","lastName":"Jones"},
		"relationships":{"accounts":{"data":[{"type":"accounts","id":"1"},{"type":"accounts","id":"2"}]}}}}`},
	{"/api/contacts", `{"data":{"type":"contacts","attributes":{"firstName":"Cid"}}}`},
	{"/api/calls", `{"data":{"type":"calls","attributes":{"subject":"Intro","callDateTime":"2024-03-01T10:00:00Z","direction":"incoming","duration":60},
		"relationships":{"contact":{"data":{"type":"contacts","id":"1"}},"account":{"data":{"type":"accounts","id":"1"}}}}}`},
	{"/api/calls", `{"data":{"type":"calls","attributes":{"subject":"Follow-up","callDateTime":"2024-03-02T11:30:00Z","direction":"outgoing","phoneNumber":"+1 555 0100"},
		"relationships":{"contact":{"data":{"type":"contacts","id":"2"}}}}}`},
	{"/api/products", `{"data":{"type":"products","attributes":{"sku":"P-1","names":[{"localization":null,"value":"Anvil"},{"localization":"2","value":"Amboss"}]}}}`},
	{"/api/products", `{"data":{"type":"products","attributes":{"sku":"P-2","names":[{"localization":null,"value":"Rocket"}],"status":"disabled"}}}`},
	{"/api/productprices", `{"data":{"type":"productprices","attributes":{"value":"12.5000","quantity":"1"},
		"relationships":{"product":{"data":{"type":"products","id":"1"}},"currency":{"data":{"type":"currencies","id":"USD"}}}}}`},
	{"/api/productprices", `{"data":{"type":"productprices","attributes":{"value":"11.0000"},
		"relationships":{"product":{"data":{"type":"products","id":"1"}},"currency":{"data":{"type":"currencies","id":"EUR"}}}}}`},
	{"/api/productprices", `{"data":{"type":"productprices","attributes":{"value":"99.9900","quantity":"10"},
		"relationships":{"product":{"data":{"type":"products","id":"2"}},"currency":{"data":{"type":"currencies","id":"USD"}}}}}`},
	{"/api/weightunits", `{"data":{"type":"weightunits","id":"oz","attributes":{"conversionRates":{"kg":0.0283495}}}}`},
	{"/api/taxjurisdictions", `{"data":{"type":"taxjurisdictions","attributes":{"code":"NY-CITY","regionText":"New York City","zipCodes":[{"from":"10001","to":"10099"},{"from":"10200"}]},
		"relationships":{"country":{"data":{"type":"countries","id":"US"}},"region":{"data":{"type":"regions","id":"US-NY"}}}}}`},
	{"/api/businessunits", `{"data":{"type":"businessunits","attributes":{"name":"Sales"},"relationships":{"parentBusinessUnit":{"data":{"type":"businessunits","id":"1"}}}}}`},
	{"/api/users", `{"data":{"type":"users","attributes":{"username":"jane","email":"jane@example.com"}}}`},
}

// fuzzExistingID is an id of each type that exists in the data set, and fuzzMissingID one that
// does not (of the right syntax, so that only the lookup fails).
var (
	fuzzExistingID = map[string]string{"contactsources": "tv", "currencies": "USD", "countries": "US", "regions": "US-NY", "weightunits": "oz"}
	fuzzMissingID  = map[string]string{"contactsources": "radio", "currencies": "XXX", "countries": "ZZ", "regions": "US-ZZ", "weightunits": "ton"}
)

// deletableID is an id of typ that DELETE seeds name: one that no other record refers to.
// Deleting a record that others refer to answers 409, which the document does not declare for
// DELETE (a FuzzHTTP finding): organization 1, business unit 1 and user 1 own everything, and
// there is no other organization, so the seeds delete a missing one.
func deletableID(typ string) string {
	switch typ {
	case "users", "businessunits":
		return "2"
	case "organizations":
		return missingID(typ)
	}
	return existingID(typ)
}

func existingID(typ string) string {
	if id, ok := fuzzExistingID[typ]; ok {
		return id
	}
	return "1"
}

func missingID(typ string) string {
	if id, ok := fuzzMissingID[typ]; ok {
		return id
	}
	return "999999"
}

// fuzzOperation is one operation of the document.
type fuzzOperation struct {
	method, path string // path as in the document, with {id}
	typ          string // the resource type the path starts with
	op           *openapi3.Operation
	params       openapi3.Parameters // the path's and the operation's
}

// fuzzOperations lists the document's operations in a fixed order.
func fuzzOperations(doc *openapi3.T) []fuzzOperation {
	var ops []fuzzOperation
	for _, path := range doc.Paths.InMatchingOrder() {
		if !strings.HasPrefix(path, "/api/") {
			continue // the OAuth 2.0 endpoints: not the API's operations
		}
		item := doc.Paths.Value(path)
		methods := make([]string, 0, 8)
		for m := range item.Operations() {
			methods = append(methods, m)
		}
		sort.Strings(methods)
		typ, _, _ := strings.Cut(strings.TrimPrefix(path, "/api/"), "/")
		for _, m := range methods {
			op := item.GetOperation(m)
			params := append(slices.Clone(item.Parameters), op.Parameters...)
			ops = append(ops, fuzzOperation{method: m, path: path, typ: typ, op: op, params: params})
		}
	}
	sort.SliceStable(ops, func(i, j int) bool { return ops[i].path < ops[j].path })
	return ops
}

// fuzzSeeds is the seed corpus: a handful of requests per operation.
func fuzzSeeds(doc *openapi3.T) []fuzzInput {
	gen := &bodyGen{doc: doc}
	var seeds []fuzzInput
	add := func(in fuzzInput) { seeds = append(seeds, in) }
	const jsonapiAccept = "Accept: application/vnd.api+json"
	for _, o := range fuzzOperations(doc) {
		id := existingID(o.typ)
		rest := strings.TrimPrefix(o.path, "/api/"+o.typ)
		deletes := o.method == http.MethodDelete && (rest == "" || rest == "/{id}") // records, not links
		if deletes {
			id = deletableID(o.typ)
		}
		item := strings.ReplaceAll(o.path, "{id}", id)
		body, plainBody := gen.bodies(o, id)
		header := jsonapiAccept
		if body != "" {
			header += "\nContent-Type: application/vnd.api+json"
		}
		base := fuzzInput{Method: o.method, Path: item, Header: header, Body: body}
		add(base)
		// the plain format: flat bodies and answers
		plain := fuzzInput{Method: o.method, Path: item, Header: "Accept: application/json", Body: plainBody}
		if plainBody != "" {
			plain.Header += "\nContent-Type: application/json"
		}
		add(plain)
		if strings.Contains(o.path, "{id}") {
			missing := missingID(o.typ)
			for _, other := range []string{missing, "abc"} {
				body, _ := gen.bodies(o, other)
				add(fuzzInput{Method: o.method, Path: strings.ReplaceAll(o.path, "{id}", other), Header: header, Body: body})
			}
		}
		// each declared query parameter with a typical value, one at a time (filters with
		// every operator they allow in the short form, and once in the bracket form)
		for _, q := range queryVariants(doc, o, id) {
			if deletes && !strings.Contains(o.path, "{id}") && !strings.HasPrefix(q, "filter[id]") {
				// what the filters find is deleted: only records nothing refers to
				q = "filter[id]=" + deletableID(o.typ) + "&" + q
			}
			s := base
			s.Query = encodeQuery(q)
			add(s)
		}
		// the declared headers with typical values, all together
		if h := headerVariants(o); h != "" {
			s := base
			s.Header += "\n" + h
			add(s)
		}
		// meta options of writes the operation declares
		for _, b := range gen.metaVariants(o, body) {
			s := base
			s.Body = b
			add(s)
		}
	}
	// the same methods on paths of the document, beyond its operations: OPTIONS, HEAD and
	// methods no route names (405 with Allow)
	for _, p := range []string{"/api/accounts", "/api/accounts/1", "/api/accounts/1/contacts", "/api/accounts/1/relationships/contacts", "/api/currencies/USD"} {
		for _, m := range []string{http.MethodOptions, http.MethodHead, http.MethodPut, "TRACE", "PROPFIND"} {
			add(fuzzInput{Method: m, Path: p, Header: jsonapiAccept})
		}
	}
	// negotiation (section 2) on one collection and one write
	for _, h := range []string{"", "Accept: */*", "Accept: application/*", "Accept: text/html", "Accept: application/json, application/vnd.api+json;q=0.5",
		`Accept: application/vnd.api+json; ext="https://jsonapi.org/ext/atomic"`, "Accept: application/vnd.api+json; charset=utf-8",
		"Accept: application/vnd.api+json; charset=utf-8, application/json", "Accept: application/json;q=0", "Accept: application/vnd.api+json\nAccept: application/json"} {
		add(fuzzInput{Method: http.MethodGet, Path: "/api/accounts", Header: h})
	}
	for _, ct := range []string{"Content-Type: application/vnd.api+json; charset=utf-8", `Content-Type: application/vnd.api+json; profile="https://example.com/p"`,
		"Content-Type: text/plain", "Content-Type: application/json", "", "Content-Type: application/vnd.api+json\nAccept: application/json"} {
		add(fuzzInput{Method: http.MethodPost, Path: "/api/accounts", Header: ct, Body: `{"data":{"type":"accounts","attributes":{"name":"Negotiated"}}}`})
	}
	// the data set's own bodies: valid creates of every kind the generator cannot make (a
	// product needs a name without localization), and unique values that exist already
	for _, d := range fuzzData {
		add(fuzzInput{Method: http.MethodPost, Path: d.path, Header: "Content-Type: application/vnd.api+json", Body: d.body})
	}
	// hostile shapes the mutator finds only slowly: deep JSON, huge numbers, repeated and
	// encoded parameters, truncated and chunked bodies, odd hosts
	deep := strings.Repeat(`{"a":`, 200) + "1" + strings.Repeat("}", 200)
	for _, s := range []fuzzInput{
		{Method: "POST", Path: "/api/accounts", Header: "Content-Type: application/vnd.api+json", Body: `{"data":{"type":"accounts","attributes":{"name":"Deep","description":` + deep + `}}}`},
		{Method: "POST", Path: "/api/accounts", Header: "Content-Type: application/vnd.api+json", Body: strings.Repeat("[", 5000)},
		{Method: "POST", Path: "/api/calls", Header: "Content-Type: application/vnd.api+json", Body: `{"data":{"type":"calls","attributes":{"subject":"Big","callDateTime":"2024-03-01T10:00:00Z","direction":"incoming","duration":1e400}}}`},
		{Method: "POST", Path: "/api/calls", Header: "Content-Type: application/vnd.api+json", Body: `{"data":{"type":"calls","attributes":{"subject":"Big","callDateTime":"2024-03-01T10:00:00Z","direction":"incoming","duration":99999999999999999999999}}}`},
		{Method: "POST", Path: "/api/productprices", Header: "Content-Type: application/vnd.api+json", Body: `{"data":{"type":"productprices","attributes":{"value":"123456789012345.1234"},"relationships":{"product":{"data":{"type":"products","id":"2"}},"currency":{"data":{"type":"currencies","id":"EUR"}}}}}`},
		{Method: "POST", Path: "/api/accounts", Header: "Content-Type: application/vnd.api+json\nTransfer-Encoding: chunked", Body: "5\r\n{\"dat\r\n0\r\n\r\n"},
		{Method: "GET", Path: "/api/accounts", Query: encodeQuery("filter[id]=1&filter[id]=2&filter[id][gt]=0&sort=name&sort=-id")},
		{Method: "GET", Path: "/api/accounts", Query: "filter%5Bid%5D%3E1&filter%5Bname%5D%21~x&page%5Bsize%5D=1"},
		{Method: "GET", Path: "/api/accounts", Query: encodeQuery("page[number]=999999&page[size]=1000")},
		{Method: "GET", Path: "/api/accounts", Query: encodeQuery("page[size]=-1&sort=-name")},
		{Method: "GET", Path: "/api/accounts/1", Header: "Host: example.com:8080"},
		{Method: "GET", Path: "/api/accounts", Query: encodeQuery("filter[createdAt]=9999&filter[updatedAt]>=0001-01-01T00:00:00Z")},
		{Method: "GET", Path: "/api/contacts", Query: encodeQuery("filter[birthday]=1980-05..1980-06&include=accounts.contacts.accounts.contacts.accounts")},
		{Method: "GET", Path: "/api/accounts/1/relationships/contacts", Query: encodeQuery("page[size]=1&sort=-id")},
		{Method: "DELETE", Path: "/api/accounts", Query: "filter[id]=3", Header: "X-Include: deletedCount;totalCount"},
		{Method: "DELETE", Path: "/api/accounts"},
		{Method: "PATCH", Path: "/api/accounts/1", Header: "Content-Type: application/vnd.api+json\nIf-Match: \"stale\"", Body: `{"data":{"type":"accounts","id":"1","attributes":{"name":"Stale"}}}`},
		{Method: "GET", Path: "/api/products/1", Header: "X-Localization-ID: 2\nX-Currency: EUR"},
		{Method: "GET", Path: "/api/products/1", Header: "X-Localization-ID: 99\nX-Currency: ABC"},
	} {
		add(s)
	}
	// the bounds of section 20 exactly: a small mutation crosses them
	sorts := "id,name,lastContactedDate,timesContacted,createdAt,updatedAt"
	filters := strings.Repeat("filter%5Bid%5D%3E0&", 49) + "filter%5Bid%5D%3E0"
	for _, s := range []fuzzInput{
		{Method: "GET", Path: "/api/accounts", Query: "page%5Bnumber%5D=1000000&page%5Bsize%5D=1000"},
		{Method: "GET", Path: "/api/accounts", Query: "sort=" + sorts},
		{Method: "GET", Path: "/api/accounts", Query: "include=" + strings.TrimSuffix(strings.Repeat("contacts,", 20), ",")},
		{Method: "GET", Path: "/api/accounts", Query: "include=contacts.accounts.contacts.accounts.contacts"},
		{Method: "GET", Path: "/api/accounts", Query: filters},
		{Method: "GET", Path: "/api/accounts", Query: "filter%5BcreatedAt%5D%3E0001-01-01T00:00:00Z&filter%5BupdatedAt%5D%3C9999-12-31T23:59:59Z"},
		{Method: "GET", Path: "/api/productprices", Query: "filter%5Bvalue%5D%3C999999999999999.9999"},
		{Method: "POST", Path: "/api/calls", Header: "Content-Type: application/vnd.api+json", Body: `{"data":{"type":"calls","attributes":{"subject":"Late","callDateTime":"9999-12-31T23:59:59+00:00","direction":"incoming"}}}`},
		{Method: "POST", Path: "/api/contacts", Header: "Content-Type: application/vnd.api+json", Body: `{"data":{"type":"contacts","attributes":{"firstName":"Early","birthday":"0001-01-01"}}}`},
		{Method: "POST", Path: "/api/productprices", Header: "Content-Type: application/vnd.api+json", Body: `{"data":{"type":"productprices","attributes":{"value":"999999999999999.9999"},"relationships":{"product":{"data":{"type":"products","id":"2"}},"currency":{"data":{"type":"currencies","id":"EUR"}}}}}`},
		{Method: "POST", Path: "/api/weightunits", Header: "Content-Type: application/vnd.api+json", Body: `{"data":{"type":"weightunits","id":"` + strings.Repeat("g", 255) + `"}}`},
		{Method: "POST", Path: "/api/accounts", Header: "Content-Type: application/vnd.api+json", Body: `{"data":{"type":"accounts","attributes":{"name":"Escapes \u00e9\ud83d\ude00\u0001"}}}`},
	} {
		add(s)
	}
	return seeds
}

// queryVariants are query strings for the operation: each declared query parameter alone with a
// typical value, filters in their bracket and short operator forms.
func queryVariants(doc *openapi3.T, o fuzzOperation, id string) []string {
	var out []string
	primary := o.method == http.MethodGet && o.path == "/api/"+o.typ
	for _, pr := range o.params {
		p := pr.Value
		if p == nil || p.In != openapi3.ParameterInQuery {
			continue
		}
		switch {
		case p.Name == "page[number]":
			out = append(out, "page[number]=2&page[size]=1")
		case p.Name == "page[size]":
			out = append(out, "page[size]=-1", "page[size]=1000")
		case p.Name == "sort":
			fields := stringList(pr.Value.Extensions["x-sort-fields"])
			if last := fields[len(fields)-1]; last != "id" {
				out = append(out, "sort=-"+last+",id")
			} else {
				out = append(out, "sort=-id")
			}
		case p.Name == "include":
			paths := stringList(pr.Value.Extensions["x-include"])
			if len(paths) > 0 {
				out = append(out, "include="+strings.Join(paths, ","))
			}
		case p.Name == "meta":
			out = append(out, "meta=title")
		case strings.HasPrefix(p.Name, "fields["):
			typ := strings.TrimSuffix(strings.TrimPrefix(p.Name, "fields["), "]")
			out = append(out, p.Name+"="+strings.Join(firstFields(doc, typ, 2), ","))
		case strings.HasPrefix(p.Name, "filter["):
			value := filterValue(doc, pr.Ref, p.Name)
			if p.Name == "filter[id]" {
				value = id
			}
			ops := stringList(p.Extensions["x-operators"])
			if !primary {
				// related lists and deletes share the primary list's filters: one form each
				ops = ops[:min(1, len(ops))]
			}
			for i, op := range ops {
				v := value
				if op == "exists" || op == "empty" {
					v = "yes"
				}
				short, ok := shortOperators[op]
				if ok {
					out = append(out, p.Name+short+v)
				}
				// the bracket form once per filter (the engine reads every operator
				// the same way), and for operators without a short form
				if !ok || primary && i == len(ops)-1 && op != "eq" {
					out = append(out, p.Name+"["+op+"]="+v)
				}
			}
			if p.Name == "filter[id]" && primary {
				out = append(out, "filter[id]=1..3", "filter[id]=1,2", "filter[id][gt]=1&filter[id][lt]=10")
			}
		}
	}
	return out
}

// encodeQuery percent-encodes what RFC 3986 does not allow in a query as it is ("[", "]", "<",
// ">", "^"…), the way careful clients send it. The server copies the query string into links as
// sent, so literal brackets would make invalid links (a finding of FuzzHTTP, see the report):
// the seeds send the encoded forms, which the engine must read the same (section 8).
func encodeQuery(q string) string {
	var b strings.Builder
	for i := 0; i < len(q); i++ {
		c := q[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-._~!$&'()*+,;=:@/?%", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// shortOperators are the short forms of section 8 (the operator replaces or precedes "=").
var shortOperators = map[string]string{
	"eq": "=", "neq": "!=", "lt": "<", "lte": "<=", "gt": ">", "gte": ">=", "exists": "*", "neq_or_null": "!*",
	"contains": "~", "not_contains": "!~", "starts_with": "^", "not_starts_with": "!^", "ends_with": "$", "not_ends_with": "!$",
}

// filterValue is a typical value for a filter: the type of the attribute it filters (found
// through the parameter's component name, <type>Filter<Field>) decides.
func filterValue(doc *openapi3.T, ref, name string) string {
	field := strings.TrimSuffix(strings.TrimPrefix(name, "filter["), "]")
	if field == "id" {
		return "1"
	}
	attr := filterAttribute(doc, ref, field)
	if attr == nil {
		return "1" // a relationship: the related id
	}
	switch {
	case attr.Type.Is("integer"), attr.Type.Is("number"):
		return "1"
	case attr.Type.Is("boolean"):
		return "true"
	case attr.Format == "date":
		return "2024-01-01"
	case attr.Format == "date-time":
		return "2024-03-01T10:00:00Z"
	case attr.Format == "decimal":
		return "12.5"
	case len(attr.Enum) > 0:
		return fmt.Sprint(attr.Enum[0])
	}
	return "a"
}

// filterAttribute is the schema of the attribute that the filter parameter (a reference to
// #/components/parameters/<type>Filter<Field>) filters, or nil for ids and relationships.
func filterAttribute(doc *openapi3.T, ref, field string) *openapi3.Schema {
	name := ref[strings.LastIndex(ref, "/")+1:]
	typ, _, ok := strings.Cut(name, "Filter")
	if !ok {
		return nil
	}
	attrs := doc.Components.Schemas[typ+"Attributes"]
	if attrs == nil || attrs.Value == nil {
		return nil
	}
	if p := attrs.Value.Properties[field]; p != nil && p.Value != nil {
		return p.Value
	}
	return nil
}

// firstFields names up to n attributes of typ (for fields[typ]).
func firstFields(doc *openapi3.T, typ string, n int) []string {
	attrs := doc.Components.Schemas[typ+"Attributes"]
	if attrs == nil || attrs.Value == nil {
		return []string{"id"}
	}
	names := make([]string, 0, len(attrs.Value.Properties))
	for k := range attrs.Value.Properties {
		names = append(names, k)
	}
	sort.Strings(names)
	return names[:min(n, len(names))]
}

// headerVariants gives every header parameter the operation declares a typical value.
func headerVariants(o fuzzOperation) string {
	var lines []string
	for _, pr := range o.params {
		p := pr.Value
		if p == nil || p.In != openapi3.ParameterInHeader {
			continue
		}
		switch p.Name {
		case "X-Include":
			lines = append(lines, "X-Include: totalCount;noHateoas;deletedCount")
		case "X-Localization-ID":
			lines = append(lines, "X-Localization-ID: 2")
		case "X-Currency":
			lines = append(lines, "X-Currency: EUR")
		case "If-Match", "If-None-Match":
			lines = append(lines, p.Name+`: "x", *`)
		case "X-Mode":
			lines = append(lines, "X-Mode: sync")
		default:
			lines = append(lines, p.Name+": 1")
		}
	}
	return strings.Join(lines, "\n")
}

func stringList(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, x := range list {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// bodyGen builds request bodies from the document's schemas: every property a client may write
// (readOnly ones left out), enums at their first value, formats at a typical value, identifiers
// at ids that exist.
type bodyGen struct {
	doc *openapi3.T
}

// bodies are the JSON:API and the plain body of the operation ("" when it takes none), for
// the resource with the given id (the body of an update names it).
func (g *bodyGen) bodies(o fuzzOperation, id string) (jsonapiBody, plainBody string) {
	if o.op.RequestBody == nil || o.op.RequestBody.Value == nil {
		return "", ""
	}
	content := o.op.RequestBody.Value.Content
	encode := func(media string) string {
		mt := content.Get(media)
		if mt == nil || mt.Schema == nil {
			return ""
		}
		v := g.value(mt.Schema, 0)
		// the id of the primary resource: the URL's on an update, a new one on a create
		// (where the client assigns ids)
		if m, ok := v.(map[string]any); ok && !strings.Contains(o.path, "/relationships/") {
			if data, ok := m["data"].(map[string]any); ok {
				switch _, has := data["id"]; {
				case o.method == http.MethodPatch:
					data["id"] = id
				case o.method == http.MethodPost && has:
					data["id"] = "new"
				}
			}
		}
		b, err := json.Marshal(v)
		if err != nil {
			panic(err)
		}
		return string(b)
	}
	jsonapiBody = encode("application/vnd.api+json")
	if strings.Contains(o.path, "/relationships/") && jsonapiBody != "" {
		// a plain relationship body is the ids alone; the schema cannot say of which type
		return jsonapiBody, plainIDs(jsonapiBody)
	}
	return jsonapiBody, encode("application/json")
}

// plainIDs turns a relationship document into its plain form: the id, or the list of ids
// (numbers where they are integers).
func plainIDs(body string) string {
	var doc struct{ Data any }
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		panic(err)
	}
	id := func(v any) any {
		m, _ := v.(map[string]any)
		s, _ := m["id"].(string)
		if n, err := strconv.Atoi(s); err == nil {
			return n
		}
		return s
	}
	var plain any
	switch d := doc.Data.(type) {
	case []any:
		ids := make([]any, len(d))
		for i, x := range d {
			ids[i] = id(x)
		}
		plain = ids
	case map[string]any:
		plain = id(d)
	}
	b, _ := json.Marshal(plain)
	return string(b)
}

// metaVariants are the body with each meta option of writes (section 11) that the operation
// declares: validate, and upsert by each declared field list.
func (g *bodyGen) metaVariants(o fuzzOperation, body string) []string {
	if body == "" || strings.Contains(o.path, "/relationships/") {
		return nil
	}
	var metas []any
	if v, _ := o.op.Extensions["x-validate"].(bool); v {
		metas = append(metas, map[string]any{"validate": true})
	}
	if ups, ok := o.op.Extensions["x-upsert"].([]any); ok {
		for _, u := range ups {
			metas = append(metas, map[string]any{"upsert": u})
		}
	}
	var out []string
	for _, meta := range metas {
		var doc map[string]any
		if err := json.Unmarshal([]byte(body), &doc); err != nil {
			panic(err)
		}
		data, ok := doc["data"].(map[string]any)
		if !ok {
			continue
		}
		data["meta"] = meta
		b, _ := json.Marshal(doc)
		out = append(out, string(b))
	}
	return out
}

// value is a value of schema s; depth bounds the recursion (the schemas are not recursive
// today, but a document may become so).
func (g *bodyGen) value(s *openapi3.SchemaRef, depth int) any {
	if s == nil || s.Value == nil || depth > 12 {
		return nil
	}
	v := s.Value
	switch {
	case len(v.OneOf) > 0:
		return g.value(v.OneOf[0], depth+1)
	case len(v.AnyOf) > 0:
		return g.value(v.AnyOf[0], depth+1)
	case len(v.AllOf) > 0, v.Type.Is("object"), len(v.Properties) > 0:
		return g.object(v, depth)
	case v.Type.Is("array"):
		return []any{g.value(v.Items, depth+1)}
	case v.Type.Is("integer"):
		if n, ok := v.Example.(float64); ok {
			return int(n)
		}
		if v.Min != nil {
			return int(*v.Min)
		}
		return 1
	case v.Type.Is("number"):
		return 1.5
	case v.Type.Is("boolean"):
		return true
	}
	return g.text(v)
}

// text is a value of a string schema.
func (g *bodyGen) text(v *openapi3.Schema) string {
	if len(v.Enum) > 0 {
		return fmt.Sprint(v.Enum[0])
	}
	if s, ok := v.Example.(string); ok {
		return s
	}
	switch v.Format {
	case "date":
		return "2024-01-02"
	case "date-time":
		return "2024-01-02T03:04:05Z"
	case "decimal":
		return "12.5000"
	case "email":
		return "fuzz@example.com"
	case "uri":
		return "https://example.com/"
	}
	if v.Pattern != "" {
		if re, err := regexp.Compile(v.Pattern); err == nil {
			for _, c := range []string{"fuzz", "FUZZ", "ROLE_FUZZ", "fuzz_1", "F1"} {
				if re.MatchString(c) {
					return c
				}
			}
		}
	}
	return "fuzz" + strings.Repeat("z", max(0, int(v.MinLength)-4))
}

// object builds an object of the merged allOf branches of v: its required properties and the
// writable optional ones. A resource identifier (a "type" with one enum value and an "id")
// names an existing resource of that type.
func (g *bodyGen) object(v *openapi3.Schema, depth int) any {
	props := map[string]*openapi3.SchemaRef{}
	required := map[string]bool{}
	var merge func(s *openapi3.Schema, d int)
	merge = func(s *openapi3.Schema, d int) {
		if d > 8 {
			return
		}
		for k, p := range s.Properties {
			if _, ok := props[k]; !ok {
				props[k] = p
			}
		}
		for _, r := range s.Required {
			required[r] = true
		}
		for _, b := range s.AllOf {
			if b.Value != nil {
				merge(b.Value, d+1)
			}
		}
	}
	merge(v, 0)
	out := map[string]any{}
	typ := ""
	if t := props["type"]; t != nil && t.Value != nil && len(t.Value.Enum) == 1 {
		typ = fmt.Sprint(t.Value.Enum[0])
	}
	for k, p := range props {
		if p.Value == nil || p.Value.ReadOnly {
			continue
		}
		// meta options, links and request-local ids change what a request means: the seeds
		// add them on purpose (metaVariants) rather than everywhere
		if !required[k] && (k == "meta" || k == "links" || k == "id" || k == "included") {
			continue
		}
		switch {
		case k == "type" && typ != "":
			out[k] = typ
		case k == "id" && typ != "":
			out[k] = existingID(typ)
		default:
			out[k] = g.value(p, depth+1)
		}
	}
	return out
}
