package resources

import (
	"fmt"
	"reflect"
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
			i := r.RelIndex(parts[2])
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
		if params["fields["+target.Type+"]"] == nil {
			t.Errorf("GET %s: no fields[%s] parameter", path, target.Type)
		}
		var rels []string
		for _, rel := range target.Rels {
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
		}
	}
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
