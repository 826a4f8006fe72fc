package apitest

// The strict reading: every response body that openapi3filter accepted is validated a second
// time, by a JSON Schema validator (santhosh-tekuri/jsonschema, draft 2020-12, formats
// asserted), against the response's schema converted from OpenAPI 3.0 the way a strict validator
// such as ajv reads it (issue 8, item 4):
//
//   - `nullable: true` beside a `type` makes it `type: [T, "null"]`; it adds nothing to an `enum`
//     (a nullable enum that does not list null refuses null) and nothing to `allOf`, `oneOf` or
//     `$ref` without a `type` beside it (OpenAPI 3.0.3: "only if type is explicitly defined
//     within the same Schema Object");
//   - every `format` is asserted: `uri` (an absolute URI of RFC 3986), `date` and `date-time`
//     (RFC 3339), `email`, the project's `decimal`, and OpenAPI's `int32` and `int64` (ranges)
//     and `byte` (base64); a format the converter does not know fails the load, so that none is
//     silently unchecked;
//   - `readOnly` and `writeOnly` are annotations; `example` and `x-` extensions are dropped.
//
// Two readers of one document must agree: where they do not, either the document says something
// other than what it means, or the server answers something other than what the document says.
// WEBAPI_STRICT_SURVEY=<file> appends one JSON line per exchange that the strict reading refuses
// and fails no test for it: a survey of the whole suite.

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"mime"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/routers"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"webapi/gen"
)

var strictPrinter = message.NewPrinter(language.English)

const strictBase = "urn:webapi:openapi" // the id of the converted document (never fetched)

var (
	strictOnce    sync.Once
	strictLoadErr error
	strictDoc     map[string]any // the bundled document, its Schema Objects converted
	strictMu      sync.Mutex     // guards strictComp and strictSchemas
	strictComp    *jsonschema.Compiler
	strictSchemas = map[string]*jsonschema.Schema{}
	strictRepMu   sync.Mutex
)

// strictLoad converts the bundled document once.
func strictLoad() error {
	strictOnce.Do(func() {
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(gen.SpecJSON))
		if err != nil {
			strictLoadErr = fmt.Errorf("strict reading: %w", err)
			return
		}
		doc, ok := v.(map[string]any)
		if !ok {
			strictLoadErr = errors.New("strict reading: the document is not an object")
			return
		}
		if err := convertDocument(doc); err != nil {
			strictLoadErr = fmt.Errorf("strict reading: %w", err)
			return
		}
		c := jsonschema.NewCompiler()
		c.DefaultDraft(jsonschema.Draft2020)
		c.AssertFormat()
		registerStrictFormats(c)
		if err := c.AddResource(strictBase, doc); err != nil {
			strictLoadErr = fmt.Errorf("strict reading: %w", err)
			return
		}
		strictDoc, strictComp = doc, c
	})
	return strictLoadErr
}

// strictSchema compiles (once) the converted schema at the JSON pointer ptr of the document.
func strictSchema(ptr string) (*jsonschema.Schema, error) {
	if err := strictLoad(); err != nil {
		return nil, err
	}
	strictMu.Lock()
	defer strictMu.Unlock()
	if s, ok := strictSchemas[ptr]; ok {
		return s, nil
	}
	s, err := strictComp.Compile(strictBase + "#" + ptr)
	if err != nil {
		return nil, fmt.Errorf("strict reading: compile %s: %w", ptr, err)
	}
	strictSchemas[ptr] = s
	return s, nil
}

// strictCheckResponse validates the body of the response to the operation of route with the
// strict reading. A HEAD response, an empty body, or a status or media type that the operation
// does not declare (openapi3filter reports those) is not checked here.
func strictCheckResponse(route *routers.Route, method string, res *Response) error {
	if method == http.MethodHead || len(res.Body) == 0 || route == nil {
		return nil
	}
	if err := strictLoad(); err != nil {
		return err
	}
	ptr, ok := strictResponsePointer(route.Path, route.Method, res.Status, res.Header.Get("Content-Type"))
	if !ok {
		return nil
	}
	return strictCheck(fmt.Sprintf("%s %s → %d", method, route.Path, res.Status), ptr, res.Body)
}

// strictCheckErrorDocument validates an error body with the strict reading of the error schema
// (ErrorDocument or PlainErrors) that ValidateErrorDocument chose.
func strictCheckErrorDocument(schemaName string, body []byte) error {
	return strictCheck("error document", "/components/schemas/"+jsonPointerEscape(schemaName), body)
}

func strictCheck(exchange, ptr string, body []byte) error {
	s, err := strictSchema(ptr)
	if err != nil {
		return err
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return nil // not JSON: openapi3filter reports it
	}
	err = s.Validate(v)
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return fmt.Errorf("strict reading: %w", err)
	}
	failures := strictLeaves(ve, nil)
	if strictRecord(exchange, ptr, failures) {
		return nil
	}
	msgs := make([]string, len(failures))
	for i, f := range failures {
		msgs[i] = f.String()
	}
	return fmt.Errorf("the response violates the strict JSON Schema reading of the document (schema %s):\n  %s",
		ptr, strings.Join(msgs, "\n  "))
}

// strictFailure is one leaf of a validation error: where in the body, which keyword of which
// schema location, and the steps (schema location, instance location) that led to it.
type strictFailure struct {
	Instance string       `json:"instance"`
	Schema   string       `json:"schema"`
	Keyword  string       `json:"keyword"`
	Message  string       `json:"message"`
	Via      []strictStep `json:"via,omitempty"`
}

type strictStep struct {
	Schema   string `json:"schema"`
	Instance string `json:"instance"`
}

func (f strictFailure) String() string {
	return fmt.Sprintf("at %q: %s (%s/%s)", f.Instance, f.Message, f.Schema, f.Keyword)
}

func strictLeaves(e *jsonschema.ValidationError, via []strictStep) []strictFailure {
	step := strictStep{Schema: schemaFragment(e.SchemaURL), Instance: instancePointer(e.InstanceLocation)}
	via = append(via[:len(via):len(via)], step)
	if len(e.Causes) > 0 {
		var out []strictFailure
		for _, c := range e.Causes {
			out = append(out, strictLeaves(c, via)...)
		}
		return out
	}
	kw := ""
	if _, ok := e.ErrorKind.(*kind.Reference); !ok {
		kw = strings.Join(e.ErrorKind.KeywordPath(), "/")
	}
	return []strictFailure{{Instance: step.Instance, Schema: step.Schema, Keyword: kw,
		Message: e.ErrorKind.LocalizedString(strictPrinter), Via: via}}
}

// strictRecord appends the exchange to the file of WEBAPI_STRICT_SURVEY and says whether it is
// set (a survey fails no test).
func strictRecord(exchange, ptr string, failures []strictFailure) bool {
	file := os.Getenv("WEBAPI_STRICT_SURVEY")
	if file == "" {
		return false
	}
	line, _ := json.Marshal(map[string]any{"exchange": exchange, "schema": ptr, "failures": failures})
	strictRepMu.Lock()
	defer strictRepMu.Unlock()
	f, err := os.OpenFile(file, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return true
	}
	defer f.Close()
	_, _ = f.Write(append(line, '\n'))
	return true
}

// strictResponsePointer finds the JSON pointer of the schema of the response to the operation
// (pathTemplate, method) with the status and Content-Type given, following a $ref to
// components/responses.
func strictResponsePointer(pathTemplate, method string, status int, contentType string) (string, bool) {
	ptr := "/paths/" + jsonPointerEscape(pathTemplate) + "/" + strings.ToLower(method) + "/responses"
	responses, ok := lookupObject(strictDoc, ptr)
	if !ok {
		return "", false
	}
	code := strconv.Itoa(status)
	key := ""
	for _, k := range []string{code, code[:1] + "XX", "default"} {
		if _, ok := responses[k]; ok {
			key = k
			break
		}
	}
	if key == "" {
		return "", false
	}
	ptr += "/" + key
	resp, _ := responses[key].(map[string]any)
	if ref, ok := resp["$ref"].(string); ok {
		if !strings.HasPrefix(ref, "#/") {
			return "", false
		}
		ptr = ref[1:]
		if resp, ok = lookupObject(strictDoc, ptr); !ok {
			return "", false
		}
	}
	content, _ := resp["content"].(map[string]any)
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return "", false
	}
	media, ok := content[mt].(map[string]any)
	if !ok {
		return "", false
	}
	if _, ok := media["schema"]; !ok {
		return "", false
	}
	return ptr + "/content/" + jsonPointerEscape(mt) + "/schema", true
}

// --- conversion of OpenAPI 3.0 Schema Objects to JSON Schema 2020-12

// strictFormats are the formats the strict reading knows; any other fails the conversion. The
// JSON Schema ones are the validator's own (uri is replaced by strictURI); decimal, int32,
// int64 and byte are registered in strictLoad; float, double, binary and password only annotate.
var strictFormats = map[string]bool{
	"date": true, "date-time": true, "time": true, "duration": true, "email": true, "hostname": true,
	"ipv4": true, "ipv6": true, "uri": true, "uri-reference": true, "uuid": true, "regex": true,
	"decimal": true, "int32": true, "int64": true, "float": true, "double": true, "byte": true,
	"binary": true, "password": true,
}

// convertDocument converts, in place, every Schema Object of an OpenAPI 3.0 document: the
// component schemas and the `schema` of parameters, headers and media types, wherever they are.
func convertDocument(doc map[string]any) error {
	var walk func(v any, ptr string) error
	walk = func(v any, ptr string) error {
		switch v := v.(type) {
		case map[string]any:
			for _, k := range sortedKeys(v) {
				p := ptr + "/" + jsonPointerEscape(k)
				switch {
				case k == "schema" && !strings.HasPrefix(ptr, "/components/schemas"):
					if err := convertSchema(v[k], p); err != nil {
						return err
					}
				case k == "schemas" && ptr == "/components":
					schemas, _ := v[k].(map[string]any)
					for _, name := range sortedKeys(schemas) {
						if err := convertSchema(schemas[name], p+"/"+jsonPointerEscape(name)); err != nil {
							return err
						}
					}
				case k == "example" || k == "examples":
				default:
					if err := walk(v[k], p); err != nil {
						return err
					}
				}
			}
		case []any:
			for i, x := range v {
				if err := walk(x, ptr+"/"+strconv.Itoa(i)); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return walk(doc, "")
}

// convertSchema converts one Schema Object and its subschemas in place.
func convertSchema(v any, ptr string) error {
	s, ok := v.(map[string]any)
	if !ok {
		return nil // a boolean schema
	}
	if _, ok := s["$ref"]; ok {
		for k := range s {
			if k != "$ref" {
				delete(s, k) // OpenAPI 3.0 ignores the siblings of $ref
			}
		}
		return nil
	}
	if nullable, _ := s["nullable"].(bool); nullable {
		if t, ok := s["type"].(string); ok {
			s["type"] = []any{t, "null"}
		}
	}
	delete(s, "nullable")
	for k := range s {
		if k == "example" || k == "discriminator" || k == "xml" || k == "externalDocs" || strings.HasPrefix(k, "x-") {
			delete(s, k)
		}
	}
	if min, ok := s["exclusiveMinimum"].(bool); ok {
		delete(s, "exclusiveMinimum")
		if min {
			s["exclusiveMinimum"] = s["minimum"]
			delete(s, "minimum")
		}
	}
	if max, ok := s["exclusiveMaximum"].(bool); ok {
		delete(s, "exclusiveMaximum")
		if max {
			s["exclusiveMaximum"] = s["maximum"]
			delete(s, "maximum")
		}
	}
	if f, ok := s["format"].(string); ok && !strictFormats[f] {
		return fmt.Errorf("%s: format %q is not one the strict reading asserts (add it to strictFormats)", ptr, f)
	}
	if props, ok := s["properties"].(map[string]any); ok {
		for _, name := range sortedKeys(props) {
			if err := convertSchema(props[name], ptr+"/properties/"+jsonPointerEscape(name)); err != nil {
				return err
			}
		}
	}
	for _, k := range []string{"items", "additionalProperties", "not"} {
		if err := convertSchema(s[k], ptr+"/"+k); err != nil {
			return err
		}
	}
	for _, k := range []string{"allOf", "anyOf", "oneOf"} {
		list, _ := s[k].([]any)
		for i, x := range list {
			if err := convertSchema(x, ptr+"/"+k+"/"+strconv.Itoa(i)); err != nil {
				return err
			}
		}
	}
	return nil
}

// --- formats

// registerStrictFormats adds the formats that the validator does not know, or reads otherwise
// than the strict reading does, to c.
func registerStrictFormats(c *jsonschema.Compiler) {
	c.RegisterFormat(&jsonschema.Format{Name: "uri", Validate: strictURI})
	c.RegisterFormat(&jsonschema.Format{Name: "decimal", Validate: strictDecimal})
	c.RegisterFormat(&jsonschema.Format{Name: "int32", Validate: strictIntRange(math.MinInt32, math.MaxInt32)})
	c.RegisterFormat(&jsonschema.Format{Name: "int64", Validate: strictIntRange(math.MinInt64, math.MaxInt64)})
	c.RegisterFormat(&jsonschema.Format{Name: "byte", Validate: strictBase64})
	for _, name := range []string{"float", "double", "binary", "password"} {
		c.RegisterFormat(&jsonschema.Format{Name: name, Validate: func(any) error { return nil }})
	}
}

// strictIntRange asserts that a number is an integer within [min, max].
func strictIntRange(min, max int64) func(v any) error {
	return func(v any) error {
		var s string
		switch n := v.(type) {
		case json.Number:
			s = n.String()
		case float64:
			s = strconv.FormatFloat(n, 'f', -1, 64)
		case int:
			s = strconv.Itoa(n)
		default:
			return nil
		}
		r, ok := new(big.Rat).SetString(s)
		if !ok || !r.IsInt() || r.Num().Cmp(big.NewInt(min)) < 0 || r.Num().Cmp(big.NewInt(max)) > 0 {
			return fmt.Errorf("not an integer in [%d, %d]", min, max)
		}
		return nil
	}
}

// strictBase64 asserts format: byte, base64 (RFC 4648, with padding).
func strictBase64(v any) error {
	s, ok := v.(string)
	if !ok {
		return nil
	}
	if _, err := base64.StdEncoding.DecodeString(s); err != nil {
		return errors.New("not base64")
	}
	return nil
}

// strictDecimalPattern is the syntax of format: decimal, a JSON string such as "-12.5000".
var strictDecimalPattern = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)

func strictDecimal(v any) error {
	s, ok := v.(string)
	if !ok || strictDecimalPattern.MatchString(s) {
		return nil
	}
	return errors.New("not a decimal")
}

// The parts of an absolute URI (RFC 3986, sections 3 and 4.3): the split of appendix B, then
// each part checked against its own grammar.
var (
	uriSplit     = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9+.-]*):(//([^/?#]*))?([^?#]*)(\?([^#]*))?(#(.*))?$`)
	uriAuthority = regexp.MustCompile(`^(?:((?:[A-Za-z0-9._~!$&'()*+,;=:-]|%[0-9A-Fa-f]{2})*)@)?(\[[^\]]*\]|(?:[A-Za-z0-9._~!$&'()*+,;=-]|%[0-9A-Fa-f]{2})*)(?::[0-9]*)?$`)
	uriPath      = regexp.MustCompile(`^(?:[A-Za-z0-9._~!$&'()*+,;=:@/-]|%[0-9A-Fa-f]{2})*$`)
	uriQuery     = regexp.MustCompile(`^(?:[A-Za-z0-9._~!$&'()*+,;=:@/?-]|%[0-9A-Fa-f]{2})*$`)
	uriIPFuture  = regexp.MustCompile(`^[vV][0-9A-Fa-f]+\.[A-Za-z0-9._~!$&'()*+,;=:-]+$`)
)

// strictURI asserts format: uri, an absolute URI of RFC 3986 (a fragment allowed): characters
// outside each part's set, such as "[", "]", spaces or non-ASCII in a path or query, must be
// percent-encoded.
func strictURI(v any) error {
	s, ok := v.(string)
	if !ok {
		return nil
	}
	m := uriSplit.FindStringSubmatch(s)
	if m == nil {
		return errors.New("not an absolute URI (RFC 3986): no scheme")
	}
	hasAuthority, authority, p, query, fragment := m[2] != "", m[3], m[4], m[6], m[8]
	if hasAuthority {
		a := uriAuthority.FindStringSubmatch(authority)
		if a == nil {
			return errors.New("not a URI (RFC 3986): invalid authority")
		}
		if host := a[2]; strings.HasPrefix(host, "[") {
			lit := host[1 : len(host)-1]
			if addr, err := netip.ParseAddr(lit); (err != nil || !addr.Is6() || addr.Zone() != "") && !uriIPFuture.MatchString(lit) {
				return errors.New("not a URI (RFC 3986): invalid IP literal")
			}
		}
		if p != "" && !strings.HasPrefix(p, "/") {
			return errors.New("not a URI (RFC 3986): a path after an authority must start with /")
		}
	} else if strings.HasPrefix(p, "//") {
		return errors.New("not a URI (RFC 3986): a path without an authority cannot start with //")
	}
	switch {
	case !uriPath.MatchString(p):
		return errors.New("not a URI (RFC 3986): invalid character in the path")
	case !uriQuery.MatchString(query):
		return errors.New("not a URI (RFC 3986): invalid character in the query")
	case !uriQuery.MatchString(fragment):
		return errors.New("not a URI (RFC 3986): invalid character in the fragment")
	}
	return nil
}

// --- JSON pointers

func jsonPointerEscape(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// instancePointer is the JSON pointer of an instance location ("" for the whole body).
func instancePointer(tokens []string) string {
	var b strings.Builder
	for _, t := range tokens {
		b.WriteString("/" + jsonPointerEscape(t))
	}
	return b.String()
}

func jsonPointerLookup(v any, ptr string) (any, bool) {
	if ptr == "" {
		return v, true
	}
	if !strings.HasPrefix(ptr, "/") {
		return nil, false
	}
	for _, tok := range strings.Split(ptr[1:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch x := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = x[tok]; !ok {
				return nil, false
			}
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(x) {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, true
}

func lookupObject(v any, ptr string) (map[string]any, bool) {
	x, ok := jsonPointerLookup(v, ptr)
	if !ok {
		return nil, false
	}
	m, ok := x.(map[string]any)
	return m, ok
}

// schemaFragment is the JSON pointer of a schema URL of the converted document ("#/..." form).
func schemaFragment(u string) string {
	i := strings.IndexByte(u, '#')
	if i < 0 {
		return u
	}
	frag, err := url.PathUnescape(u[i+1:])
	if err != nil {
		frag = u[i+1:]
	}
	return "#" + frag
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
