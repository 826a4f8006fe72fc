package main

import (
	"sort"
	"strings"
)

// operation is one operation while the bundler builds it; render writes it out. Keeping the
// parts apart (rather than writing YAML at once) lets the responses every operation shares be
// added in one place and HEAD be derived from GET.
type operation struct {
	Method      string // lower case, as in a path item
	ID          string
	Tag         string
	Summary     string
	Description string
	Extensions  obj
	Params      []any // references to parameter components
	Body        *body
	Responses   map[string]*response // by status
	// Public declares `security: []`: the operation needs no credentials (OPTIONS). Every
	// other operation has the root document's security requirements.
	Public bool
}

// body is a request body.
type body struct {
	Description string
	Content     []media
}

// media is the content of one media type.
type media struct {
	Type    string // application/vnd.api+json or application/json
	Schema  any
	Example string // the name of a components.examples entry, or ""
}

// response is a response an operation declares: a shared response component (Ref) or its own.
type response struct {
	Ref         string // components.responses name
	Description string
	Headers     obj // header name → reference to components.headers
	Content     []media
}

// The media types. JSON:API comes first: clients generated from the document send it.
const (
	jsonAPI = "application/vnd.api+json"
	plain   = "application/json"
)

// addResponse declares a response unless the status has one.
func (o *operation) addResponse(status string, r *response) {
	if o.Responses == nil {
		o.Responses = map[string]*response{}
	}
	if o.Responses[status] == nil {
		o.Responses[status] = r
	}
}

func (o *operation) shared(status, component string) {
	o.addResponse(status, &response{Ref: component})
}

// addCommonResponses adds the responses that any operation can give: 400 (a query parameter
// it does not read, text that can never be stored in the path or a header), 401 (no valid
// credentials: api.md section 16), 403 (no permission for the record named or the action; not
// for a list, which only leaves out what the caller may not see: section 17), 404 (the API is
// switched off for the caller: section 18), 406 (an Accept
// header that names nothing the server produces), 503 (the database cannot serve now) and,
// for operations with a body, 408 (the body came too slowly; api.md section 20); and 409 to
// every DELETE (a record that others still refer to cannot go).
func (o *operation) addCommonResponses(list bool) {
	o.shared("400", "BadRequest")
	o.shared("401", "Unauthorized")
	if !list {
		o.shared("403", "Forbidden")
	}
	o.shared("404", "NotFound")
	o.shared("406", "NotAcceptable")
	if o.Body != nil {
		o.shared("408", "RequestTimeout")
	}
	if o.Method == "delete" {
		o.shared("409", "Conflict")
	}
	o.shared("503", "ServiceUnavailable")
}

// head is HEAD of a GET operation: the same parameters and statuses with their headers, no
// body (api.md section 3). Shared responses are written out without their content.
func (o *operation) head(sharedResponses map[string]*response) *operation {
	h := *o
	h.Method = "head"
	h.ID = "head" + capitalize(o.ID)
	h.Summary = o.Summary + " (headers only)"
	h.Description = "As GET, without a body: the same status and headers (`ETag`, `X-Include-Total-Count` …)."
	h.Extensions = nil
	h.Responses = map[string]*response{}
	for status, r := range o.Responses {
		if r.Ref != "" {
			r = sharedResponses[r.Ref]
		}
		h.Responses[status] = &response{Description: r.Description, Headers: r.Headers}
	}
	return &h
}

// render writes the operation.
func (o *operation) render() obj {
	out := obj{
		"operationId", o.ID,
		"tags", []string{o.Tag},
		"summary", o.Summary,
		"description", o.Description,
	}
	out = append(out, o.Extensions...)
	if o.Public {
		out = append(out, "security", []any{})
	}
	if len(o.Params) > 0 {
		out = append(out, "parameters", o.Params)
	}
	if o.Body != nil {
		out = append(out, "requestBody", obj{
			"required", true,
			"description", opt(o.Body.Description),
			"content", renderContent(o.Body.Content),
		})
	}
	statuses := make([]string, 0, len(o.Responses))
	for s := range o.Responses {
		statuses = append(statuses, s)
	}
	sort.Strings(statuses)
	responses := obj{}
	for _, s := range statuses {
		r := o.Responses[s]
		if r.Ref != "" {
			responses = append(responses, s, ref("responses", r.Ref))
			continue
		}
		var headers any
		if len(r.Headers) > 0 {
			headers = r.Headers
		}
		var content any
		if len(r.Content) > 0 {
			content = renderContent(r.Content)
		}
		responses = append(responses, s, obj{"description", r.Description, "headers", headers, "content", content})
	}
	return append(out, "responses", responses)
}

func renderContent(ms []media) obj {
	out := obj{}
	for _, m := range ms {
		var examples any
		if m.Example != "" {
			examples = obj{exampleKey(m.Example), ref("examples", m.Example)}
		}
		out = append(out, m.Type, obj{"schema", m.Schema, "examples", examples})
	}
	return out
}

// exampleKey names an example inside a media type (its component name without the type).
func exampleKey(component string) string {
	if i := strings.IndexFunc(component, func(r rune) bool { return r >= 'A' && r <= 'Z' }); i > 0 {
		return strings.ToLower(component[i:i+1]) + component[i+1:]
	}
	return "example"
}

// headerRefs lists response headers by name, each a reference to components.headers.
func headerRefs(pairs ...string) obj {
	out := obj{}
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, pairs[i], ref("headers", pairs[i+1]))
	}
	return out
}
