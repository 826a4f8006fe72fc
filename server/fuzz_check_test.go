package server_test

// The checks of FuzzHTTP: what api.md promises about any answer (sections 2–5), and what
// section 20 (and the paging bounds of section 7) says must be refused. Each problem starts
// with its kind, then a colon and the particulars (the survey groups problems by kind).

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"

	"webapi/server/apitest"
)

const (
	jsonapiType = "application/vnd.api+json"
	plainType   = "application/json"
)

// check returns what is wrong with the answer itself.
func (x *fuzzExchange) check() []string {
	var p []string
	res, method := x.res, x.req.Method
	status := res.Status
	switch {
	case status == http.StatusServiceUnavailable:
		if n, err := strconv.Atoi(res.Header.Get("Retry-After")); err != nil || n < 0 {
			p = append(p, fmt.Sprintf("503 without a Retry-After of seconds: %q", res.Header.Get("Retry-After")))
		}
	case status >= 500:
		p = append(p, fmt.Sprintf("server error %d", status))
		return p // the log says more than the checks below could
	case status == http.StatusMethodNotAllowed:
		allow := res.Header.Get("Allow")
		if allow == "" {
			p = append(p, "405 without Allow")
		}
		for _, m := range strings.Split(allow, ",") {
			if strings.TrimSpace(m) == method {
				p = append(p, fmt.Sprintf("405 whose Allow names the method refused: %s", allow))
			}
		}
		if len(res.Body) != 0 {
			p = append(p, "405 with a body")
		}
		return p
	}
	api := strings.HasPrefix(x.req.URL.Path, "/api/") && x.req.URL.Path != "/api/doc" && !strings.HasPrefix(x.req.URL.Path, "/api/doc/")
	if !api && status < 400 {
		return p // health checks, the schema documents and the sandbox have their own formats
	}
	if len(res.Body) > 0 {
		p = append(p, x.checkContentType()...)
	}
	if status >= 400 && method != http.MethodHead {
		p = append(p, checkErrorDocument(res)...)
	}
	if api {
		if err := apitest.ValidateResponse(x.req, res); err != nil {
			msg := strings.TrimPrefix(err.Error(), "the response violates the document: ")
			clause, _, _ := strings.Cut(msg, "\n")
			clause, _, _ = strings.Cut(clause, ":")
			p = append(p, fmt.Sprintf("an answer the document does not describe (%s): %s", clause, firstLines(msg, 6)))
		}
	}
	if status < 400 {
		p = append(p, checkLinks(res)...)
		for _, why := range x.mustRefuse() {
			p = append(p, "accepted "+why)
		}
	}
	return p
}

// checkContentType: a body under /api/ (and every error body) is JSON:API, or plain JSON when
// the request negotiated it (section 2), with no media type parameters.
func (x *fuzzExchange) checkContentType() []string {
	ct := x.res.Header.Get("Content-Type")
	if ct != jsonapiType && ct != plainType {
		return []string{fmt.Sprintf("a body with Content-Type %q", ct)}
	}
	want := expectedFormat(x.req.Header)
	// the search endpoints have one format each, whatever was asked (api.md section 15)
	switch x.req.URL.Path {
	case "/api/rest/latest/search", "/api/rest/latest/search/advanced":
		want = plainType
	case "/api/search":
		want = jsonapiType
	}
	if want != "" && want != ct {
		return []string{fmt.Sprintf("Content-Type differs from the negotiated format: %s, want %s", ct, want)}
	}
	return nil
}

// expectedFormat is the media type that section 2 gives the response to a request with these
// headers, or "" when the request is not acceptable (406) and either format may report it.
func expectedFormat(h http.Header) string {
	accept := h.Values("Accept")
	if len(accept) == 0 {
		return jsonapiType
	}
	var jsonapiOK, jsonapiSeen, plainOK, wildcard bool
	for _, line := range accept {
		for part := range strings.SplitSeq(line, ",") {
			mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
			if err != nil {
				continue
			}
			if q, ok := params["q"]; ok {
				if f, err := strconv.ParseFloat(q, 64); err == nil && f == 0 {
					continue // q=0: "not acceptable"
				}
			}
			switch mt {
			case jsonapiType:
				jsonapiSeen = true
				ok := true
				for k := range params {
					ok = ok && (k == "q" || k == "ext" || k == "profile")
				}
				jsonapiOK = jsonapiOK || ok
			case plainType:
				plainOK = true
			case "*/*", "application/*":
				wildcard = true
			}
		}
	}
	bodyJSONAPI := false
	if mt, _, err := mime.ParseMediaType(h.Get("Content-Type")); err == nil && mt == jsonapiType {
		bodyJSONAPI = true
	}
	switch {
	case jsonapiOK:
		return jsonapiType
	case plainOK && !jsonapiSeen && !bodyJSONAPI:
		return plainType
	case wildcard && !plainOK && !jsonapiSeen:
		return jsonapiType
	}
	return "" // not acceptable, or a mix the text leaves open
}

// checkErrorDocument: the body is an error document of the error schemas, its errors report the
// response's status (400 when they differ), and there are at most 100 of them plus one that
// says how many were left out (section 20).
func checkErrorDocument(res *apitest.Response) []string {
	if err := apitest.ValidateErrorDocument(res); err != nil {
		return []string{"an error body the error schemas reject: " + firstLines(err.Error(), 4)}
	}
	var statuses []int
	if res.Header.Get("Content-Type") == plainType {
		var errs []struct{ Code int }
		if err := json.Unmarshal(res.Body, &errs); err != nil {
			return []string{"a plain error body: " + err.Error()}
		}
		for _, e := range errs {
			statuses = append(statuses, e.Code)
		}
	} else {
		var doc struct{ Errors []struct{ Status string } }
		if err := json.Unmarshal(res.Body, &doc); err != nil {
			return []string{"an error document: " + err.Error()}
		}
		for _, e := range doc.Errors {
			n, _ := strconv.Atoi(e.Status)
			statuses = append(statuses, n)
		}
	}
	var p []string
	if len(statuses) > 101 {
		p = append(p, fmt.Sprintf("more errors than section 20 allows: %d", len(statuses)))
	}
	same := true
	for _, s := range statuses {
		same = same && s == statuses[0]
		if s < 400 || s >= 600 {
			p = append(p, fmt.Sprintf("an error object with status %d", s))
		}
	}
	switch {
	case len(statuses) > 0 && same && statuses[0] != res.Status:
		p = append(p, fmt.Sprintf("error objects of status %d in a %d response", statuses[0], res.Status))
	case !same && res.Status != http.StatusBadRequest:
		p = append(p, fmt.Sprintf("error objects of several statuses in a %d response, want 400", res.Status))
	}
	return p
}

// checkLinks: links and the Location headers are valid absolute URIs (section 20: query strings
// percent-encoded as RFC 3986 requires). All bad links of a response are one problem.
func checkLinks(res *apitest.Response) []string {
	var bad []string
	for _, h := range []string{"Location", "Content-Location"} {
		if v := res.Header.Get(h); v != "" {
			if err := validURI(v); err != nil {
				bad = append(bad, fmt.Sprintf("header %s: %v", h, err))
			}
		}
	}
	var doc any
	if res.Header.Get("Content-Type") == jsonapiType && json.Unmarshal(res.Body, &doc) == nil {
		var walk func(v any, inLinks bool, depth int)
		walk = func(v any, inLinks bool, depth int) {
			if depth > 32 {
				return
			}
			switch v := v.(type) {
			case map[string]any:
				for k, c := range v {
					if s, ok := c.(string); ok && inLinks {
						if err := validURI(s); err != nil {
							bad = append(bad, fmt.Sprintf("link %s: %v", k, err))
						}
						continue
					}
					walk(c, k == "links", depth+1)
				}
			case []any:
				for _, c := range v {
					walk(c, false, depth+1)
				}
			}
		}
		walk(doc, false, 0)
	}
	if len(bad) == 0 {
		return nil
	}
	return []string{fmt.Sprintf("links that are not URIs: %s", strings.Join(bad[:min(3, len(bad))], "; "))}
}

// validURI accepts an absolute http(s) URI whose characters are those RFC 3986 allows, with
// square brackets only around an IPv6 host.
func validURI(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return err
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return fmt.Errorf("not absolute: %q", s)
	}
	rest := strings.TrimPrefix(s, u.Scheme+"://")
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		rest = rest[i:]
	} else {
		rest = ""
	}
	for i := 0; i < len(rest); i++ {
		c := rest[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', strings.IndexByte("-._~!$&'()*+,;=:@/?", c) >= 0:
		case c == '%' && i+2 < len(rest) && isHex(rest[i+1]) && isHex(rest[i+2]):
		default:
			return fmt.Errorf("%q at %d of %q", c, i, rest)
		}
	}
	return nil
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	if len(lines) > n {
		lines = append(lines[:n], "…")
	}
	return strings.Join(lines, "\n")
}

// mustNotWrite says why the request may not change the data ("" when it may): a refused
// request changes nothing (writes are transactional, section 3), nor does a read, nor a
// validate-only write (section 11).
func (x *fuzzExchange) mustNotWrite() string {
	switch {
	case x.res.Status >= 400:
		return fmt.Sprintf("a refused request (%d)", x.res.Status)
	case x.req.Method == http.MethodGet || x.req.Method == http.MethodHead || x.req.Method == http.MethodOptions:
		return "a " + x.req.Method
	}
	var doc struct {
		Data struct {
			Meta struct {
				Validate bool `json:"validate"`
			} `json:"meta"`
		} `json:"data"`
	}
	if json.Unmarshal(x.body, &doc) == nil && doc.Data.Meta.Validate {
		return "a validate-only write"
	}
	return ""
}

// mustRefuse lists what section 20 (and section 7's paging bounds) says the server refuses in
// this request, each as "kind: particulars"; the request was accepted, so each is a failure.
func (x *fuzzExchange) mustRefuse() []string {
	var out []string
	route, _, err := apitest.Route(x.req)
	if err != nil {
		return nil // not an operation: nothing was accepted
	}
	doc, _ := apitest.Document()
	for seg := range strings.SplitSeq(x.req.URL.Path, "/") {
		if bad := unstorable(seg); bad != "" {
			out = append(out, fmt.Sprintf("a path segment that %s: %q", bad, seg))
		}
	}
	for _, h := range []string{"X-Localization-ID", "X-Currency"} {
		for _, v := range x.req.Header.Values(h) {
			if bad := unstorable(v); bad != "" {
				out = append(out, fmt.Sprintf("a header that %s: %s %q", bad, h, v))
			}
		}
	}
	out = append(out, queryBounds(doc, route, x.req.URL.RawQuery)...)
	if route.Operation.RequestBody != nil {
		out = append(out, x.bodyBounds(doc, route)...)
	}
	return out
}

// unstorable says why text can never be stored ("" when it can): NUL or invalid UTF-8.
func unstorable(s string) string {
	switch {
	case strings.IndexByte(s, 0) >= 0:
		return "contains NUL"
	case !utf8.ValidString(s):
		return "is not UTF-8"
	}
	return ""
}

// The section 20 bounds (the defaults) and section 7's page size.
const (
	maxIncludePaths   = 20
	maxIncludeDepth   = 5
	maxSortTerms      = 10
	maxFilterParams   = 50
	maxFilterValues   = 1000
	maxPageNumber     = 1_000_000
	maxPageSize       = 1000
	maxWriteResources = 1000
	maxClientID       = 255
)

// queryBounds checks the raw query string as the engine reads it (section 8: parameters are
// separated by "&"; a filter's operator may replace or precede "=").
func queryBounds(doc *openapi3.T, route *routers.Route, raw string) []string {
	var out []string
	declared := map[string]bool{}
	for _, pr := range route.Operation.Parameters {
		if pr.Value != nil && pr.Value.In == openapi3.ParameterInQuery {
			declared[pr.Value.Name] = true
		}
	}
	filters, idValues := 0, 0
	for piece := range strings.SplitSeq(raw, "&") {
		if piece == "" {
			continue
		}
		p := percentDecode(piece)
		key, value, _ := strings.Cut(p, "=")
		// the name as the operation declares it: a filter's up to its field, any other up to
		// an operator (JSON:API: a server MUST answer 400 to a parameter it cannot process)
		name := p
		if i := strings.IndexAny(p, "=<>!~^$*"); i >= 0 {
			name = p[:i]
		}
		if i := strings.IndexByte(p, ']'); strings.HasPrefix(p, "filter[") && i >= 0 {
			name = p[:i+1]
		}
		if !declared[name] {
			out = append(out, fmt.Sprintf("a query parameter the operation does not declare: %q", truncated(p, 80)))
		}
		switch {
		case strings.HasPrefix(p, "filter["):
			filters++
			field, rest, _ := strings.Cut(strings.TrimPrefix(p, "filter["), "]")
			if strings.HasPrefix(rest, "[") { // filter[field][op]=value
				_, rest, _ = strings.Cut(rest, "]")
			}
			value := shortOperator.ReplaceAllString(rest, "")
			if bad := unstorable(p); bad != "" {
				out = append(out, fmt.Sprintf("a filter that %s: %q", bad, p))
			}
			if field == "id" {
				idValues += len(strings.Split(value, ","))
			}
			if attr := filterAttributeOf(doc, route, field); attr != nil {
				for v := range strings.SplitSeq(value, ",") {
					for _, end := range strings.SplitN(v, "..", 2) {
						if why := outOfRange(attr, end, true); why != "" {
							out = append(out, fmt.Sprintf("%s in a filter: filter[%s] %q", why, field, end))
						}
					}
				}
			}
		case key == "sort":
			terms, seen := 0, map[string]bool{}
			for term := range strings.SplitSeq(value, ",") {
				name := strings.TrimPrefix(strings.TrimSpace(term), "-")
				if name == "" {
					continue
				}
				terms++
				if seen[name] {
					out = append(out, fmt.Sprintf("a sort field named twice: %q", name))
				}
				seen[name] = true
			}
			if terms > maxSortTerms {
				out = append(out, fmt.Sprintf("more sort terms than %d: %d", maxSortTerms, terms))
			}
		case key == "include":
			paths := strings.Split(value, ",")
			if len(paths) > maxIncludePaths {
				out = append(out, fmt.Sprintf("more include paths than %d: %d", maxIncludePaths, len(paths)))
			}
			for _, path := range paths {
				if n := len(strings.Split(path, ".")); n > maxIncludeDepth {
					out = append(out, fmt.Sprintf("an include path deeper than %d: %q", maxIncludeDepth, truncated(path, 80)))
				}
			}
		case key == "page[number]":
			if n, ok := new(big.Int).SetString(strings.TrimSpace(value), 10); ok && n.Cmp(big.NewInt(maxPageNumber)) > 0 {
				out = append(out, fmt.Sprintf("a page[number] above %d: %s", maxPageNumber, truncated(value, 40)))
			}
		case key == "page[size]":
			if n, ok := new(big.Int).SetString(strings.TrimSpace(value), 10); ok && (n.Cmp(big.NewInt(maxPageSize)) > 0 || n.Sign() == 0 || n.Cmp(big.NewInt(-1)) < 0) {
				out = append(out, fmt.Sprintf("a page[size] outside -1 and 1–%d: %s", maxPageSize, truncated(value, 40)))
			}
		}
	}
	if filters > maxFilterParams {
		out = append(out, fmt.Sprintf("more filter parameters than %d: %d", maxFilterParams, filters))
	}
	if idValues > maxFilterValues {
		out = append(out, fmt.Sprintf("more values of filter[id] than %d: %d", maxFilterValues, idValues))
	}
	return out
}

// shortOperator is the operator at the start of what follows a filter's key: "=", "!=", "<=",
// "~", "!~", "*"… (section 8).
var shortOperator = regexp.MustCompile(`^!?[<>~^$*]?=?`)

// percentDecode decodes %XX sequences, leaving malformed ones as they are, and "+" as a space.
func percentDecode(s string) string {
	if !strings.ContainsAny(s, "%+") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			n, _ := strconv.ParseUint(s[i+1:i+3], 16, 8)
			b.WriteByte(byte(n))
			i += 2
		case s[i] == '+':
			b.WriteByte(' ')
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// filterAttributeOf is the attribute schema that filter[field] of the operation filters (nil
// for ids, relationships and filters the operation does not declare).
func filterAttributeOf(doc *openapi3.T, route *routers.Route, field string) *openapi3.Schema {
	for _, pr := range route.Operation.Parameters {
		if pr.Value != nil && pr.Value.Name == "filter["+field+"]" {
			return filterAttribute(doc, pr.Ref, field)
		}
	}
	return nil
}

// datePrefix is the year of an ISO 8601 date (or of a partial one: "2024", "2024-03").
var datePrefix = regexp.MustCompile(`^([+-]?)([0-9]+)(-|$|T)`)

// decimalText is a decimal written out ("-12.5000").
var decimalText = regexp.MustCompile(`^[+-]?([0-9]*)(?:\.([0-9]*))?$`)

// outOfRange says why a value of attribute attr is outside what section 20 lets be stored ("":
// it is not): a year outside 0001–9999, a decimal with more than 15 digits before the point or
// 4 after. Values of other shapes are not judged (they are refused for their syntax).
func outOfRange(attr *openapi3.Schema, s string, partial bool) string {
	switch attr.Format {
	case "date", "date-time":
		m := datePrefix.FindStringSubmatch(s)
		if m == nil || (!partial && m[3] != "-") {
			return ""
		}
		year, ok := new(big.Int).SetString(m[2], 10)
		if ok && (m[1] == "-" || year.Sign() == 0 || year.Cmp(big.NewInt(9999)) > 0) {
			return "a year outside 0001–9999"
		}
	case "decimal":
		m := decimalText.FindStringSubmatch(s)
		if m == nil || m[1]+m[2] == "" {
			return ""
		}
		if len(strings.TrimLeft(m[1], "0")) > 15 || len(strings.TrimRight(m[2], "0")) > 4 {
			return "a decimal of more than 15 digits before the point or 4 after"
		}
	}
	return ""
}

// bodyBounds checks the body of a write as the server could read it: complete, JSON, UTF-8 and
// without NUL in any string; dates, decimals and client-assigned ids in bounds; at most 1,000
// resources.
func (x *fuzzExchange) bodyBounds(doc *openapi3.T, route *routers.Route) []string {
	var out []string
	switch {
	case x.bodyErr != nil:
		return []string{"an unreadable body: " + x.bodyErr.Error()}
	case len(x.body) == 0 && route.Operation.RequestBody.Value != nil && route.Operation.RequestBody.Value.Required:
		return []string{"no body: the document requires one"}
	case !utf8.Valid(x.body):
		out = append(out, "a body that is not UTF-8: it is JSON otherwise")
	}
	dec := json.NewDecoder(bytes.NewReader(x.body))
	dec.UseNumber()
	var body any
	if err := dec.Decode(&body); err != nil {
		return append(out, "a body that is not JSON: "+err.Error())
	}
	if _, err := dec.Token(); err == nil {
		return append(out, "a body with more after its JSON value: "+truncated(string(x.body[dec.InputOffset():]), 40))
	}
	if why := nulInStrings(body, 0); why != "" {
		out = append(out, why)
	}
	top, _ := body.(map[string]any)
	resources := 0
	checkResource := func(where string, r any) {
		resources++
		obj, _ := r.(map[string]any)
		typ, _ := obj["type"].(string)
		attrs, _ := obj["attributes"].(map[string]any)
		out = append(out, attributeBounds(doc, typ+"Attributes", where+"/attributes", attrs)...)
	}
	switch data := top["data"].(type) {
	case map[string]any:
		checkResource("/data", data)
		if id, ok := data["id"].(string); ok && x.req.Method == http.MethodPost && clientAssignedIDs(doc, route) && utf8.RuneCountInString(id) > maxClientID {
			out = append(out, fmt.Sprintf("a client-assigned id longer than %d characters: %d", maxClientID, utf8.RuneCountInString(id)))
		}
	case []any:
		if !strings.Contains(route.Path, "/relationships/") {
			for i, r := range data {
				checkResource(fmt.Sprintf("/data/%d", i), r)
			}
		}
	}
	if included, ok := top["included"].([]any); ok {
		for i, r := range included {
			checkResource(fmt.Sprintf("/included/%d", i), r)
		}
	}
	if resources > maxWriteResources {
		out = append(out, fmt.Sprintf("more resources in one write document than %d: %d", maxWriteResources, resources))
	}
	// a plain body is the attributes themselves
	if typ, rest, _ := strings.Cut(strings.TrimPrefix(route.Path, "/api/"), "/"); top != nil && top["data"] == nil && (rest == "" || rest == "{id}") {
		out = append(out, attributeBounds(doc, typ+"Plain", "", top)...)
	}
	return out
}

// clientAssignedIDs reports whether the operation creates resources whose id the client gives
// (the create schema requires data.id).
func clientAssignedIDs(doc *openapi3.T, route *routers.Route) bool {
	typ, rest, _ := strings.Cut(strings.TrimPrefix(route.Path, "/api/"), "/")
	create := doc.Components.Schemas[typ+"Create"]
	return rest == "" && create != nil && create.Value != nil && contains(create.Value.Required, "id")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// attributeBounds checks the date and decimal values of attrs against the properties of the
// named component schema (a type's Attributes or Plain schema), one level of nesting deep
// (a product's price object).
func attributeBounds(doc *openapi3.T, schema, where string, attrs map[string]any) []string {
	s := doc.Components.Schemas[schema]
	if s == nil || s.Value == nil || attrs == nil {
		return nil
	}
	var out []string
	var check func(props openapi3.Schemas, values map[string]any, where string, depth int)
	check = func(props openapi3.Schemas, values map[string]any, where string, depth int) {
		for name, v := range values {
			p := props[name]
			if p == nil || p.Value == nil {
				continue
			}
			prop := p.Value
			for _, b := range prop.AllOf { // a property that refines a component
				if b.Value != nil && len(b.Value.Properties) > 0 {
					prop = b.Value
				}
			}
			switch v := v.(type) {
			case string:
				if why := outOfRange(prop, v, false); why != "" {
					out = append(out, fmt.Sprintf("%s: %s/%s %q", why, where, name, truncated(v, 60)))
				}
			case json.Number:
				if why := outOfRange(prop, v.String(), false); why != "" {
					out = append(out, fmt.Sprintf("%s: %s/%s %s", why, where, name, truncated(v.String(), 60)))
				}
			case map[string]any:
				if depth < 2 {
					check(prop.Properties, v, where+"/"+name, depth+1)
				}
			}
		}
	}
	check(s.Value.Properties, attrs, where, 0)
	return out
}

// nulInStrings finds a NUL in any string or member name of a decoded JSON value.
func nulInStrings(v any, depth int) string {
	if depth > 64 {
		return ""
	}
	switch v := v.(type) {
	case string:
		if strings.IndexByte(v, 0) >= 0 {
			return "NUL in a string of the body: " + strconv.Quote(truncated(v, 60))
		}
	case map[string]any:
		for k, c := range v {
			if strings.IndexByte(k, 0) >= 0 {
				return "NUL in a member name of the body: " + strconv.Quote(truncated(k, 60))
			}
			if why := nulInStrings(c, depth+1); why != "" {
				return why
			}
		}
	case []any:
		for _, c := range v {
			if why := nulInStrings(c, depth+1); why != "" {
				return why
			}
		}
	}
	return ""
}
