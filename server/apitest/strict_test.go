package apitest

import (
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
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
