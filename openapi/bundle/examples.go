package main

import (
	"fmt"
	"strconv"
)

// Examples of every request and response body, built from the examples of the attributes (an
// attribute without one shows null when it is nullable, else a value of its type) and the id
// examples of the types. kin-openapi validates each against its schema when the bundle is
// checked, so an example cannot drift from what it illustrates.

// exampleBase is the scheme and host of the links in examples.
const exampleBase = "https://crm.example.com"

// example declares components.examples.<name> once and returns its name.
func (b *bundle) example(name, summary string, value func() any) string {
	return b.examples.ensure(name, func() any { return obj{"summary", summary, "value", value()} })
}

// attrExample is the example value of an attribute.
func (b *bundle) attrExample(t *typeFile, a *attribute) any {
	switch {
	case a.Example != nil:
		return a.Example
	case a.Nullable:
		return null
	case a.Default != nil:
		return a.Default
	}
	switch {
	case len(a.Enum) > 0:
		return a.Enum[0]
	case a.Type == "integer", a.Type == "number":
		return 0
	case a.Type == "boolean":
		return true
	case a.Type == "array":
		return []any{}
	case a.Type == "object":
		return obj{}
	case a.Format == "date-time":
		return "2024-03-01T10:00:00Z"
	case a.Format == "date":
		return "1990-05-17"
	case a.Format == "decimal":
		return "12.5000"
	}
	b.errorf("%s: attribute %s needs an example", t.Type, a.Name)
	return ""
}

func (t *typeFile) link(parts ...string) string {
	s := exampleBase + "/api/" + t.Type
	for _, p := range parts {
		s += "/" + p
	}
	return s
}

func identifier(t *typeFile) obj { return obj{"type", t.Type, "id", t.idExample()} }

// plainIDExample is an id as plain JSON: a number for integer ids.
func plainIDExample(t *typeFile) any {
	if t.intIDs() {
		n, _ := strconv.Atoi(t.idExample())
		return n
	}
	return t.idExample()
}

// resourceExample is the example resource object of a type, as the server writes it.
func (b *bundle) resourceExample(t *typeFile) obj {
	id := t.idExample()
	attrs := obj{}
	for _, a := range t.Attrs {
		if !a.WriteOnly {
			attrs = append(attrs, a.Name, b.attrExample(t, a))
		}
	}
	res := obj{"type", t.Type, "id", id, "links", obj{"self", t.link(id)}, "attributes", attrs}
	if t.Decl.SubresourceOnly {
		res = obj{"type", t.Type, "id", id, "attributes", attrs} // no URL of its own
	}
	if len(t.Rels) > 0 {
		rels := obj{}
		for _, r := range t.Rels {
			rels = append(rels, r.Name, obj{"data", linkageExample(b.types[r.Target()], r.Many()),
				"links", obj{"self", t.link(id, "relationships", r.Name), "related", t.link(id, r.Name)}})
		}
		res = append(res, "relationships", rels)
	}
	return res
}

func linkageExample(target *typeFile, many bool) any {
	if many {
		return []any{identifier(target)}
	}
	return identifier(target)
}

func plainLinkageExample(target *typeFile, many bool) any {
	if many {
		return []any{plainIDExample(target)}
	}
	return plainIDExample(target)
}

// plainResourceExample is the example resource in the plain format.
func (b *bundle) plainResourceExample(t *typeFile) obj {
	res := obj{"id", plainIDExample(t)}
	for _, a := range t.Attrs {
		if !a.WriteOnly {
			res = append(res, a.Name, b.attrExample(t, a))
		}
	}
	for _, r := range t.Rels {
		res = append(res, r.Name, plainLinkageExample(b.types[r.Target()], r.Many()))
	}
	return res
}

func (b *bundle) documentExample(t *typeFile) string {
	return b.example(t.Type+"Document", capitalize(t.Decl.One), func() any {
		return obj{"data", b.resourceExample(t), "links", obj{"self", t.link(t.idExample())}}
	})
}

func (b *bundle) plainExample(t *typeFile) string {
	return b.example(t.Type+"Plain", capitalize(t.Decl.One)+" as flat JSON", func() any { return b.plainResourceExample(t) })
}

func (b *bundle) collectionExample(t *typeFile) string {
	return b.example(t.Type+"Collection", "A page of "+t.Decl.Many, func() any {
		return obj{"data", []any{b.resourceExample(t)}, "links", obj{"self", t.link()}}
	})
}

func (b *bundle) plainCollectionExample(t *typeFile) string {
	return b.example(t.Type+"PlainCollection", "A page of "+t.Decl.Many+" as flat JSON", func() any {
		return []any{b.plainResourceExample(t)}
	})
}

// writeAttributes are the attributes an example create sends: the required ones and those
// with an example of their own.
func (b *bundle) writeAttributes(t *typeFile) obj {
	attrs := obj{}
	for _, a := range t.Attrs {
		if !a.ReadOnly && (a.Example != nil || contains(t.Decl.Required, a.Name)) {
			attrs = append(attrs, a.Name, b.attrExample(t, a))
		}
	}
	return attrs
}

// firstWritable is the attribute an example update changes.
func (b *bundle) firstWritable(t *typeFile) *attribute {
	for _, a := range t.Attrs {
		if !a.ReadOnly && a.Example != nil {
			return a
		}
	}
	for _, a := range t.Attrs {
		if !a.ReadOnly {
			return a
		}
	}
	return nil
}

func (b *bundle) createExample(t *typeFile) string {
	return b.example(t.Type+"Create", "Create "+t.Decl.One, func() any {
		data := obj{"type", t.Type}
		if t.Decl.ID.Kind == "client" {
			data = append(data, "id", t.idExample())
		}
		data = append(data, "attributes", b.writeAttributes(t))
		rels := obj{}
		for _, r := range t.Rels {
			if contains(t.Decl.Required, r.Name) {
				rels = append(rels, r.Name, obj{"data", linkageExample(b.types[r.Target()], r.Many())})
			}
		}
		if len(rels) > 0 {
			data = append(data, "relationships", rels)
		}
		return obj{"data", data}
	})
}

func (b *bundle) plainCreateExample(t *typeFile) string {
	return b.example(t.Type+"PlainCreate", "Create "+t.Decl.One+" with flat JSON", func() any {
		body := obj{}
		if t.Decl.ID.Kind == "client" {
			body = append(body, "id", t.idExample())
		}
		body = append(body, b.writeAttributes(t)...)
		for _, r := range t.Rels {
			if contains(t.Decl.Required, r.Name) {
				body = append(body, r.Name, plainLinkageExample(b.types[r.Target()], r.Many()))
			}
		}
		return body
	})
}

func (b *bundle) updateExample(t *typeFile) string {
	return b.example(t.Type+"Update", "Change one attribute of "+t.Decl.One, func() any {
		data := obj{"type", t.Type, "id", t.idExample()}
		if a := b.firstWritable(t); a != nil {
			data = append(data, "attributes", obj{a.Name, b.attrExample(t, a)})
		}
		return obj{"data", data}
	})
}

func (b *bundle) plainUpdateExample(t *typeFile) string {
	return b.example(t.Type+"PlainUpdate", "Change one attribute of "+t.Decl.One+" with flat JSON", func() any {
		body := obj{}
		if a := b.firstWritable(t); a != nil {
			body = append(body, a.Name, b.attrExample(t, a))
		}
		return body
	})
}

func (b *bundle) toOneDocumentExample(t *typeFile, r *relationship) string {
	return b.example(t.Type+capitalize(r.Name)+"Relationship", fmt.Sprintf("The %s of %s", r.label(), t.Decl.One), func() any {
		id := t.idExample()
		return obj{"data", identifier(b.types[r.Target()]),
			"links", obj{"self", t.link(id, "relationships", r.Name), "related", t.link(id, r.Name)}}
	})
}

func (b *bundle) toManyDocumentExample(t *typeFile, r *relationship) string {
	return b.example(t.Type+capitalize(r.Name)+"Relationship", fmt.Sprintf("The %s of %s", r.label(), t.Decl.One), func() any {
		id := t.idExample()
		return obj{"data", []any{identifier(b.types[r.Target()])},
			"links", obj{"self", t.link(id, "relationships", r.Name), "related", t.link(id, r.Name)}}
	})
}

func (b *bundle) toOneRequestExample(target *typeFile) string {
	return b.example(target.Type+"ToOneRequest", "Point the relationship at "+target.Decl.One, func() any {
		return obj{"data", identifier(target)}
	})
}

func (b *bundle) toManyRequestExample(target *typeFile) string {
	return b.example(target.Type+"ToManyRequest", "The identifiers of "+target.Decl.Many, func() any {
		return obj{"data", []any{identifier(target)}}
	})
}

func (b *bundle) plainIDExample(target *typeFile) string {
	return b.example(target.Type+"PlainID", "The id of "+target.Decl.One, func() any { return plainIDExample(target) })
}

func (b *bundle) plainIDsExample(target *typeFile) string {
	return b.example(target.Type+"PlainIDs", "The ids of "+target.Decl.Many, func() any { return []any{plainIDExample(target)} })
}

// requiredRels is the linkage of the relationships a create requires, or nil (left out).
func (b *bundle) requiredRels(t *typeFile) any {
	rels := obj{}
	for _, r := range t.Rels {
		if contains(t.Decl.Required, r.Name) {
			rels = append(rels, r.Name, obj{"data", linkageExample(b.types[r.Target()], r.Many())})
		}
	}
	if len(rels) == 0 {
		return nil
	}
	return rels
}

// batchLocalID is the request-local id of the record the batch example creates.
func batchLocalID(t *typeFile) string {
	if t.Decl.ID.Kind == "client" {
		return t.idExample()
	}
	return "new-1"
}

// batchExample is a batch with a record to create, one to update (meta.update) and, where the
// type allows it, one to upsert.
func (b *bundle) batchExample(t *typeFile) string {
	return b.example(t.Type+"Batch", "Create, update and upsert "+t.Decl.Many+" in one batch", func() any {
		create := obj{"type", t.Type, "id", batchLocalID(t), "attributes", b.writeAttributes(t), "relationships", b.requiredRels(t)}
		data := []any{create}
		if a := b.firstWritable(t); a != nil {
			data = append(data, obj{"type", t.Type, "id", t.idExample(), "meta", obj{"update", true},
				"attributes", obj{a.Name, b.attrExample(t, a)}})
		}
		for _, set := range t.Decl.Upsert {
			if contains(set, "id") {
				data = append(data, obj{"type", t.Type, "id", t.idExample(), "meta", obj{"upsert", true}, "attributes", b.writeAttributes(t)})
			} else {
				data = append(data, obj{"type", t.Type, "meta", obj{"upsert", set}, "attributes", b.writeAttributes(t), "relationships", b.requiredRels(t)})
			}
			break
		}
		return obj{"data", data}
	})
}

// batchResultExample is the answer of a synchronous batch: the created record with the
// request-local id it had as meta.dataId.
func (b *bundle) batchResultExample(t *typeFile) string {
	return b.example(t.Type+"BatchResult", "The "+t.Decl.Many+" of a synchronous batch", func() any {
		res := append(b.resourceExample(t), "meta", obj{"dataId", batchLocalID(t)})
		return obj{"data", []any{res}, "links", obj{"self", t.link()}}
	})
}

// subresourceExample is a page of a subresource that is not a relationship.
func (b *bundle) subresourceExample(t *typeFile, s *subresource) string {
	target := b.types[s.Type]
	return b.example(t.Type+capitalize(s.Name), fmt.Sprintf("The %s of %s", s.label(), t.Decl.One), func() any {
		return obj{"data", []any{b.resourceExample(target)}, "links", obj{"self", t.link(t.idExample(), s.Name)}}
	})
}
