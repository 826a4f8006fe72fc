package apitest

import (
	"encoding/json"
	"path"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"webapi/gen"
)

// compileStrict converts an OpenAPI 3.0 schema as the strict reading does and compiles it.
func compileStrict(t *testing.T, schema map[string]any) *jsonschema.Schema {
	t.Helper()
	doc := map[string]any{"components": map[string]any{"schemas": map[string]any{"s": schema}}}
	if err := convertDocument(doc); err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	registerStrictFormats(c)
	if err := c.AddResource("urn:test", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("urn:test#/components/schemas/s")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestStrictReading(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		schema map[string]any
		value  any
		ok     bool
	}{
		{"nullable type accepts null", map[string]any{"type": "string", "nullable": true}, nil, true},
		{"not nullable refuses null", map[string]any{"type": "string"}, nil, false},
		{"nullable enum without null refuses null", map[string]any{"type": "string", "nullable": true, "enum": []any{"male", "female"}}, nil, false},
		{"nullable enum listing null accepts null", map[string]any{"type": "string", "nullable": true, "enum": []any{"male", nil}}, nil, true},
		{"nullable without type adds nothing", map[string]any{"nullable": true, "allOf": []any{map[string]any{"type": "object"}}}, nil, false},
		{"$ref siblings are ignored", map[string]any{"type": "object", "properties": map[string]any{
			"a": map[string]any{"$ref": "#/components/schemas/s/properties/b", "nullable": true},
			"b": map[string]any{"type": "string"}}}, map[string]any{"a": nil}, false},
		{"readOnly is an annotation", map[string]any{"type": "integer", "readOnly": true}, 5, true},
		{"boolean exclusiveMinimum", map[string]any{"type": "integer", "minimum": 0, "exclusiveMinimum": true}, 0, false},
		{"date", map[string]any{"type": "string", "format": "date"}, "2026-02-30", false},
		{"date-time", map[string]any{"type": "string", "format": "date-time"}, "2026-11-30 10:00:00", false},
		{"date-time with offset", map[string]any{"type": "string", "format": "date-time"}, "2026-11-30T10:00:00+01:00", true},
		{"email", map[string]any{"type": "string", "format": "email"}, "no at sign", false},
		{"decimal", map[string]any{"type": "string", "format": "decimal"}, "-12.5000", true},
		{"decimal exponent", map[string]any{"type": "string", "format": "decimal"}, "1e5", false},
		{"uri", map[string]any{"type": "string", "format": "uri"}, "http://api.test/api/accounts?filter%5Bid%5D%3E5&page%5Bsize%5D=5", true},
		{"uri with brackets in the query", map[string]any{"type": "string", "format": "uri"}, "http://api.test/api/accounts?page[size]=5", false},
		{"uri with a space", map[string]any{"type": "string", "format": "uri"}, "http://api.test/api/a b", false},
		{"uri with non-ASCII", map[string]any{"type": "string", "format": "uri"}, "http://api.test/api/é", false},
		{"uri relative", map[string]any{"type": "string", "format": "uri"}, "/api/accounts", false},
		{"uri IPv6", map[string]any{"type": "string", "format": "uri"}, "http://[::1]:8080/api", true},
		{"uri bad IPv6", map[string]any{"type": "string", "format": "uri"}, "http://[::g]/api", false},
		{"urn", map[string]any{"type": "string", "format": "uri"}, "urn:isbn:0451450523", true},
		{"int32", map[string]any{"type": "integer", "format": "int32"}, 2147483647, true},
		{"int32 overflow", map[string]any{"type": "integer", "format": "int32"}, 2147483648, false},
		{"byte", map[string]any{"type": "string", "format": "byte"}, "not base64!", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := compileStrict(t, c.schema).Validate(c.value)
			if (err == nil) != c.ok {
				t.Fatalf("valid = %v, want %v: %v", err == nil, c.ok, err)
			}
		})
	}
}

func TestStrictUnknownFormat(t *testing.T) {
	t.Parallel()
	doc := map[string]any{"components": map[string]any{"schemas": map[string]any{"s": map[string]any{"type": "string", "format": "phone"}}}}
	if err := convertDocument(doc); err == nil || !strings.Contains(err.Error(), `"phone"`) {
		t.Fatalf("an unknown format must fail the conversion, got %v", err)
	}
}

// TestStrictAllowList: the temporary allow-list tolerates only null, only where an
// allow-listed location applies to that null, and only at locations that the document marks
// nullable (it may hide how the document says "or null", never a null the document refuses).
func TestStrictAllowList(t *testing.T) {
	t.Parallel()
	body := map[string]any{"data": map[string]any{"attributes": map[string]any{"gender": nil, "name": "x"}}}
	gender := "#/components/schemas/contactsAttributes/properties/gender"
	doc := "#/components/schemas/contactsDocument"
	if !strictAllowed(strictFailure{Instance: "/data/attributes/gender",
		Via: []strictStep{{doc, ""}, {gender, "/data/attributes/gender"}}}, body) {
		t.Fatal("null at an allow-listed location must be tolerated")
	}
	if strictAllowed(strictFailure{Instance: "/data/attributes/name",
		Via: []strictStep{{gender, "/data/attributes/name"}}}, body) {
		t.Fatal("a value other than null must not be tolerated")
	}
	if strictAllowed(strictFailure{Instance: "/data/attributes/gender",
		Via: []strictStep{{"#/components/schemas/contactsAttributes/properties/name", "/data/attributes/gender"}}}, body) {
		t.Fatal("null elsewhere must not be tolerated")
	}
	if strictAllowed(strictFailure{Instance: "/data/attributes/gender",
		Via: []strictStep{{gender, "/data/attributes"}}}, body) {
		t.Fatal("an allow-listed location applied to another value must not tolerate a null inside it")
	}

	var raw any
	if err := json.Unmarshal(gen.SpecJSON, &raw); err != nil {
		t.Fatal(err)
	}
	for loc, schema := range schemaLocations(raw) {
		for _, pattern := range strictNullAllowList {
			if ok, _ := path.Match(pattern, loc); !ok {
				continue
			}
			if nullable, _ := schema["nullable"].(bool); !nullable {
				t.Errorf("allow-list pattern %s matches %s, which the document does not mark nullable", pattern, loc)
			}
		}
	}
}

// schemaLocations lists the Schema Objects of an OpenAPI 3.0 document by their JSON pointer.
func schemaLocations(doc any) map[string]map[string]any {
	out := map[string]map[string]any{}
	var schema func(v any, ptr string)
	schema = func(v any, ptr string) {
		s, ok := v.(map[string]any)
		if !ok {
			return
		}
		out["#"+ptr] = s
		props, _ := s["properties"].(map[string]any)
		for name, p := range props {
			schema(p, ptr+"/properties/"+jsonPointerEscape(name))
		}
		for _, k := range []string{"items", "additionalProperties", "not"} {
			schema(s[k], ptr+"/"+k)
		}
		for _, k := range []string{"allOf", "anyOf", "oneOf"} {
			list, _ := s[k].([]any)
			for i, x := range list {
				schema(x, ptr+"/"+k+"/"+strconv.Itoa(i))
			}
		}
	}
	var walk func(v any, ptr string)
	walk = func(v any, ptr string) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				p := ptr + "/" + jsonPointerEscape(k)
				switch {
				case k == "schema":
					schema(x, p)
				case k == "schemas" && ptr == "/components":
					m, _ := x.(map[string]any)
					for name, s := range m {
						schema(s, p+"/"+jsonPointerEscape(name))
					}
				case k != "example" && k != "examples":
					walk(x, p)
				}
			}
		case []any:
			for i, x := range v {
				walk(x, ptr+"/"+strconv.Itoa(i))
			}
		}
	}
	walk(doc, "")
	return out
}

// TestStrictDocument: the bundled document converts and its response schemas compile.
func TestStrictDocument(t *testing.T) {
	t.Parallel()
	if err := strictLoad(); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"ErrorDocument", "PlainErrors"} {
		if _, err := strictSchema("/components/schemas/" + name); err != nil {
			t.Fatal(err)
		}
	}
	ptr, ok := strictResponsePointer("/api/accounts/{id}", "GET", 404, "application/vnd.api+json; charset=utf-8")
	if !ok {
		t.Fatal("no schema for GET /api/accounts/{id} → 404")
	}
	if _, err := strictSchema(ptr); err != nil {
		t.Fatal(err)
	}
}
