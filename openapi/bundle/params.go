package main

import (
	"fmt"
	"strings"
)

// The query parameters of a type besides its filters: sort, include and the sparse fieldsets.

// sortParam declares <type>Sort: the sort fields are id and the declared ones (x-sort-fields,
// which the engine reads).
func (b *bundle) sortParam(t *typeFile) string {
	name := t.Type + "Sort"
	fields := append([]string{"id"}, t.Decl.Sort...)
	return b.parameter(name, func() any {
		return obj{
			"name", "sort",
			"in", "query",
			"description", fmt.Sprintf("A comma list of fields to sort by, `-` before a field for descending order. Fields: %s. Default: id.", strings.Join(fields, ", ")),
			"schema", obj{"type", "string", "example", "-" + fields[len(fields)-1]},
			"x-sort-fields", fields,
		}
	})
}

// includeParam declares <type>Include, "" for a type without relationships: the paths start with
// the type's relationships (x-include).
func (b *bundle) includeParam(t *typeFile) string {
	if len(t.Rels) == 0 {
		return ""
	}
	var rels []string
	for _, r := range t.Rels {
		rels = append(rels, r.Name)
	}
	deeper := rels[0] + "." + firstRel(b.types[t.Rels[0].Target()], rels[0])
	name := t.Type + "Include"
	return b.parameter(name, func() any {
		return obj{
			"name", "include",
			"in", "query",
			"description", fmt.Sprintf("Relationships whose resources are added to `included`, comma-separated: %s. Dot paths follow the relationships of the related types (e.g. `%s`).", strings.Join(rels, ", "), deeper),
			"schema", obj{"type", "string", "example", rels[0]},
			"x-include", rels,
		}
	})
}

// firstRel names a relationship of t for an example include path, preferring one that does not
// lead back.
func firstRel(t *typeFile, back string) string {
	for _, r := range t.Rels {
		if r.Name != back {
			return r.Name
		}
	}
	if len(t.Rels) > 0 {
		return t.Rels[0].Name
	}
	return back
}

// fieldsParams declares fields[<type>] for the type and for each type it relates to.
func (b *bundle) fieldsParams(t *typeFile) []string {
	out := []string{b.fieldsParam(t)}
	for _, r := range t.Rels {
		name := b.fieldsParam(b.types[r.Target()])
		if !contains(out, name) {
			out = append(out, name)
		}
	}
	return out
}

func (b *bundle) fieldsParam(t *typeFile) string {
	var fields []string
	for _, a := range t.Attrs {
		if !a.WriteOnly {
			fields = append(fields, a.Name)
		}
	}
	for _, r := range t.Rels {
		fields = append(fields, r.Name)
	}
	return b.parameter(t.Type+"Fields", func() any {
		return obj{
			"name", "fields[" + t.Type + "]",
			"in", "query",
			"description", fmt.Sprintf("A comma list of the fields of %s to return (`type` and `id` always come): %s.", t.Decl.Many, strings.Join(fields, ", ")),
			"schema", obj{"type", "string", "example", strings.Join(fields[:min(2, len(fields))], ",")},
		}
	})
}
