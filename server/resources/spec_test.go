package resources

import (
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"webapi/gen"
	"webapi/server/jsonapi"
)

// The engine reads attributes, relationships, filters and sort fields from each type's list
// operation. This test checks that every other operation that returns resources of a type — the
// item GET and the subresources of other types — documents the same include paths, sort fields,
// filters and sparse fieldsets, so the document cannot disagree with what the engine accepts.
func TestOperationsAgreeWithTheEngine(t *testing.T) {
	spec, err := LoadSpec(gen.SpecYAML)
	if err != nil {
		t.Fatal(err)
	}
	var res []*jsonapi.Resource
	for _, d := range Declarations() {
		r, err := spec.resource(d)
		if err != nil {
			t.Fatal(err)
		}
		res = append(res, r)
	}
	schema, err := jsonapi.NewSchema(res...)
	if err != nil {
		t.Fatal(err)
	}
	for path, item := range spec.Doc.Paths.Map() {
		parts := strings.Split(strings.TrimPrefix(path, "/api/"), "/")
		r := schema.Resource(parts[0])
		if r == nil || item.Get == nil || len(parts) == 4 {
			continue
		}
		target, collection := r, len(parts) == 1
		if len(parts) == 3 {
			i := slices.IndexFunc(r.Rels, func(rel jsonapi.Rel) bool { return rel.Name == parts[2] })
			if i < 0 {
				t.Errorf("%s: %q is not a relationship of %s", path, parts[2], r.Type)
				continue
			}
			target, collection = r.Target(i), r.Rels[i].ToMany
		}
		params := map[string]*openapi3.Parameter{}
		for _, p := range item.Get.Parameters {
			params[p.Value.Name] = p.Value
		}
		if len(parts) == 3 && r.Rels[slices.IndexFunc(r.Rels, func(rel jsonapi.Rel) bool { return rel.Name == parts[2] })].Hidden {
			// a subresource: paged, nothing else (the engine reads ParamPage only)
			var names []string
			for name := range params {
				names = append(names, name)
			}
			if !sameSet(names, []string{"page[number]", "page[size]", "X-Include"}) {
				t.Errorf("GET %s: parameters %v, want page[number], page[size], X-Include", path, names)
			}
			continue
		}
		if params["fields["+target.Type+"]"] == nil {
			t.Errorf("GET %s: no fields[%s] parameter", path, target.Type)
		}
		var rels []string
		for _, rel := range target.Rels {
			if rel.Hidden {
				continue // a subresource: neither included nor a field
			}
			rels = append(rels, rel.Name)
			if params["fields["+rel.Target+"]"] == nil {
				t.Errorf("GET %s: no fields[%s] parameter for the related resources", path, rel.Target)
			}
		}
		if inc := params["include"]; len(rels) > 0 {
			if inc == nil {
				t.Errorf("GET %s: no include parameter", path)
			} else if got := strs(inc.Extensions["x-include"]); !reflect.DeepEqual(got, rels) {
				t.Errorf("GET %s: x-include %v, want the relationships of %s %v", path, got, target.Type, rels)
			}
		}
		if !collection {
			continue
		}
		var sorts []string
		for name := range target.Sorts {
			sorts = append(sorts, name)
		}
		if got := strs(params["sort"].Extensions["x-sort-fields"]); !sameSet(got, sorts) {
			t.Errorf("GET %s: sort fields %v, want %v", path, got, sorts)
		}
		for name, f := range target.Filters {
			p := params["filter["+name+"]"]
			if p == nil {
				t.Errorf("GET %s: no filter[%s]", path, name)
				continue
			}
			var ops []string
			for _, o := range f.Operators {
				ops = append(ops, string(o))
			}
			if got := strs(p.Extensions["x-operators"]); !sameSet(got, ops) {
				t.Errorf("GET %s: filter[%s] operators %v, want %v", path, name, got, ops)
			}
			if !strings.Contains(p.Description, strings.Join(ops, ", ")) {
				t.Errorf("GET %s: the description of filter[%s] does not list its operators %v", path, name, ops)
			}
			// every operator but eq (filter[name] itself) is a typed parameter of its own
			for _, op := range ops[1:] {
				if params["filter["+name+"]["+op+"]"] == nil {
					t.Errorf("GET %s: no parameter filter[%s][%s]", path, name, op)
				}
			}
		}
		for pname := range params {
			field, op, ok := strings.Cut(strings.TrimPrefix(pname, "filter["), "][")
			if f := target.Filters[field]; strings.HasPrefix(pname, "filter[") && ok &&
				(f == nil || !slices.Contains(f.Operators, jsonapi.Operator(strings.TrimSuffix(op, "]")))) {
				t.Errorf("GET %s: parameter %s names no operator of the filter", path, pname)
			}
		}
	}
}

// The document describes HEAD and OPTIONS wherever the server answers them: on every path under
// /api/, HEAD as its GET without a body, OPTIONS with Allow (the OAuth 2.0 endpoints answer
// neither).
func TestHeadAndOptionsDescribed(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(gen.SpecYAML)
	if err != nil {
		t.Fatal(err)
	}
	for path, item := range doc.Paths.Map() {
		if !strings.HasPrefix(path, "/api/") {
			continue
		}
		if item.Get == nil || item.Head == nil || item.Options == nil {
			t.Errorf("%s: GET, HEAD and OPTIONS are not all described", path)
			continue
		}
		if len(item.Head.Parameters) != len(item.Get.Parameters) || item.Head.RequestBody != nil {
			t.Errorf("HEAD %s: not the parameters of GET", path)
		}
		for status, r := range item.Head.Responses.Map() {
			if item.Get.Responses.Value(status) == nil || len(r.Value.Content) > 0 {
				t.Errorf("HEAD %s: response %s is not GET's without a body", path, status)
			}
		}
		if ok := item.Options.Responses.Value("200"); ok == nil || ok.Value.Headers["Allow"] == nil {
			t.Errorf("OPTIONS %s: no 200 with Allow", path)
		}
	}
}

// x-operators are checked when the engine reads the document: an operator it does not know,
// or one the field cannot take, stops the start-up (it would otherwise fail only when a
// request uses it).
func TestOperatorsCheckedAtStartUp(t *testing.T) {
	var accounts *Decl
	for _, d := range Declarations() {
		if d.Type == "accounts" {
			accounts = d
		}
	}
	for _, c := range []struct {
		filter, op, want string
	}{
		{"name", "contians", `filter "name": operator "contians" is unknown or not valid`},
		{"name", "gt", `filter "name": operator "gt" is unknown or not valid`},
		{"timesContacted", "contains", `filter "timesContacted": operator "contains" is unknown or not valid`},
		{"owner", "contains", `filter "owner": operator "contains" is unknown or not valid`},
		{"contacts", "starts_with", `filter "contacts": operator "starts_with" is unknown or not valid`},
	} {
		t.Run(c.filter+" "+c.op, func(t *testing.T) {
			spec, err := LoadSpec(gen.SpecYAML)
			if err != nil {
				t.Fatal(err)
			}
			p := spec.Doc.Paths.Find("/api/accounts").Get.Parameters.GetByInAndName("query", "filter["+c.filter+"]")
			p.Extensions["x-operators"] = append(slices.Clone(p.Extensions["x-operators"].([]any)), c.op)
			if _, err := spec.resource(accounts); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want %q", err, c.want)
			}
		})
	}
	t.Run("an operator parameter the filter does not list", func(t *testing.T) {
		spec, err := LoadSpec(gen.SpecYAML)
		if err != nil {
			t.Fatal(err)
		}
		p := spec.Doc.Paths.Find("/api/accounts").Get.Parameters.GetByInAndName("query", "filter[name]")
		p.Extensions["x-operators"] = []any{"eq"}
		if _, err := spec.resource(accounts); err == nil || !strings.Contains(err.Error(), "parameter filter[name][neq]") {
			t.Fatalf("error %v", err)
		}
	})
}

func strs(v any) []string {
	list, _ := v.([]any)
	out := make([]string, len(list))
	for i, x := range list {
		out[i] = fmt.Sprint(x)
	}
	return out
}

func sameSet(a, b []string) bool {
	a, b = append([]string(nil), a...), append([]string(nil), b...)
	sort.Strings(a)
	sort.Strings(b)
	return reflect.DeepEqual(a, b)
}

// LoadSpec does not validate the document (the bundler did when it wrote it): the embedded ones
// are checked here.
func TestEmbeddedSpecsAreValid(t *testing.T) {
	for name, data := range map[string][]byte{"openapi.yaml": gen.SpecYAML, "engine.yaml": gen.EngineYAML} {
		spec, err := LoadSpec(data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := spec.Doc.Validate(t.Context()); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// bothSpecs reads the whole document and the engine's reduced one.
func bothSpecs(t *testing.T) (whole, engine *Spec) {
	t.Helper()
	var err error
	if whole, err = LoadSpec(gen.SpecYAML); err != nil {
		t.Fatal(err)
	}
	if engine, err = LoadSpec(gen.EngineYAML); err != nil {
		t.Fatal(err)
	}
	return whole, engine
}

// bothResources reads the resource type of d from the whole document and the engine's one.
func bothResources(t *testing.T, whole, engine *Spec, d *Decl) (w, e *jsonapi.Resource) {
	t.Helper()
	var err error
	if w, err = whole.resource(d); err != nil {
		t.Fatal(err)
	}
	if e, err = engine.resource(d); err != nil {
		t.Fatalf("%s from the engine's document: %v", d.Type, err)
	}
	return w, e
}

// The server reads gen.EngineYAML, the document reduced by the bundler: it must read from it
// exactly what the whole document says, type by type (attributes with their constraints and
// order, relationships, methods, filters, sort fields, meta options), and the same paths and
// methods (the method rules).
func TestEngineDocumentReadsAsTheWhole(t *testing.T) {
	whole, engine := bothSpecs(t)
	if len(gen.EngineYAML) > len(gen.SpecYAML)/2 {
		t.Errorf("the engine's document is %d bytes, the whole %d: the reduction does not reduce", len(gen.EngineYAML), len(gen.SpecYAML))
	}
	// what can be compared as values: the functions by their presence, the patterns by their text
	comparable := func(r *jsonapi.Resource) (jsonapi.Resource, []string) {
		c := *r
		c.Title = nil
		c.Attrs = slices.Clone(r.Attrs)
		var notes []string
		for i, a := range c.Attrs {
			notes = append(notes, fmt.Sprintf("%s: check %t, pattern %v", a.Name, a.Check != nil, a.Pattern))
			c.Attrs[i].Check, c.Attrs[i].Pattern = nil, nil
		}
		return c, notes
	}
	for _, d := range Declarations() {
		w, e := bothResources(t, whole, engine, d)
		wc, wn := comparable(w)
		ec, en := comparable(e)
		if !reflect.DeepEqual(wc, ec) || !slices.Equal(wn, en) {
			t.Errorf("%s: the engine's document gives\n%+v %v\nthe whole document\n%+v %v", d.Type, ec, en, wc, wn)
		}
	}
	methods := func(s *Spec) map[string][]string {
		out := map[string][]string{}
		for path, item := range s.Doc.Paths.Map() {
			for m := range item.Operations() {
				out[path] = append(out[path], m)
			}
			slices.Sort(out[path])
		}
		return out
	}
	if w, e := methods(whole), methods(engine); !reflect.DeepEqual(w, e) {
		t.Errorf("the paths and methods differ:\nengine %v\nwhole  %v", e, w)
	}
}

// A structured (JSON) attribute is checked against its schema in the engine's document as in
// the whole one: the reduction drops only what readers use.
func TestEngineDocumentChecksJSONAttributesAsTheWhole(t *testing.T) {
	whole, engine := bothSpecs(t)
	values := []any{nil, "x", 1.0, true, []any{}, map[string]any{}, []any{map[string]any{}}, []any{"x", 2.0},
		map[string]any{"a": "b"}, []any{map[string]any{"from": "x", "to": 3.0}}}
	checked := 0
	for _, d := range Declarations() {
		w, e := bothResources(t, whole, engine, d)
		for i, a := range w.Attrs {
			if a.Check == nil {
				continue
			}
			checked++
			for _, v := range values {
				if got, want := e.Attrs[i].Check(v), a.Check(v); !reflect.DeepEqual(got, want) {
					t.Errorf("%s.%s, %v: the engine's document gives %+v, the whole %+v", d.Type, a.Name, v, got, want)
				}
			}
		}
	}
	if checked == 0 {
		t.Error("no structured attribute: this test checks nothing")
	}
}
