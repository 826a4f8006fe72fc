package main

import "fmt"

// The plain format (api.md section 2, `application/json`): a resource is a flat object — the
// id, each attribute and each relationship (the related ids) as top-level keys.

// plainSchema is a resource in the plain format: <type>Plain.
func (b *bundle) plainSchema(t *typeFile) string {
	return b.schema(t.Type+"Plain", func() any { return b.plainObject(t, false, nil) })
}

// nullablePlainSchema is a to-one subresource in the plain format: the resource or null.
func (b *bundle) nullablePlainSchema(t *typeFile) string {
	return b.schema(t.Type+"PlainOrNull", func() any { return b.plainObject(t, true, nil) })
}

// plainCreateSchema is the body of a plain POST: the required fields required (a schema of its
// own, not an allOf, so that generated clients keep the required list).
func (b *bundle) plainCreateSchema(t *typeFile) string {
	var required []string
	if t.Decl.ID.Kind == "client" {
		required = append(required, "id")
	}
	for _, a := range t.Attrs {
		if contains(t.Decl.Required, a.Name) {
			required = append(required, a.Name)
		}
	}
	for _, r := range t.Rels {
		if contains(t.Decl.Required, r.Name) {
			required = append(required, r.Name)
		}
	}
	return b.schema(t.Type+"PlainCreate", func() any { return b.plainObject(t, false, required) })
}

func (b *bundle) plainCollection(t *typeFile) string {
	return b.schema(t.Type+"PlainCollection", func() any {
		return obj{"type", "array", "description", fmt.Sprintf("A page of %s as flat JSON.", t.Decl.Many),
			"items", ref("schemas", b.plainSchema(t))}
	})
}

func (b *bundle) plainObject(t *typeFile, nullable bool, required []string) obj {
	desc := fmt.Sprintf("%s as flat JSON (plain mode, `application/json`): the id, each attribute and each relationship (the related ids) as top-level keys.", capitalize(t.Decl.One))
	switch {
	case nullable:
		desc = fmt.Sprintf("%s as flat JSON, or null.", capitalize(t.Decl.One))
	case required != nil:
		desc = fmt.Sprintf("The body of a plain POST that creates %s.", t.Decl.One)
	}
	props := obj{"id", plainID(t)}
	for _, a := range t.Attrs {
		s := deepCopy(a.Schema)
		completeEnums(s)
		props = append(props, a.Name, s)
	}
	for _, r := range t.Rels {
		props = append(props, r.Name, plainLinkage(b.types[r.Target()], r))
	}
	props = append(props, "meta", ref("schemas", "PlainMeta"))
	return obj{
		"type", "object",
		"nullable", onlyTrue(nullable),
		"description", desc,
		"required", optList(required),
		"additionalProperties", false,
		"properties", props,
	}
}

// plainID is the id of a plain resource: a number for integer ids.
func plainID(t *typeFile) obj {
	if t.intIDs() {
		return obj{"type", "integer", "example", 1}
	}
	return obj{"type", "string", "description", opt(t.Decl.ID.Description), "example", t.idExample()}
}

// plainIDValue is the schema of one related id in the plain format.
func plainIDValue(target *typeFile, nullable bool) obj {
	typ := "string"
	if target.intIDs() {
		typ = "integer"
	}
	return obj{"type", typ, "nullable", onlyTrue(nullable)}
}

// plainLinkage is a relationship of a plain resource: the related id or null, or the related ids.
func plainLinkage(target *typeFile, r *relationship) obj {
	if r.Many() {
		return obj{"type", "array", "readOnly", onlyTrue(r.ReadOnly),
			"description", r.note() + fmt.Sprintf("The ids of the related %s.", target.Decl.Many),
			"items", plainIDValue(target, false)}
	}
	return append(plainIDValue(target, true), "readOnly", onlyTrue(r.ReadOnly),
		"description", r.note()+fmt.Sprintf("The id of the related %s, or null.", target.singular()))
}

// plainRequestID is a related id in the plain body of a relationship endpoint: the server reads
// an integer id written as a number or as a string.
func plainRequestID(target *typeFile, nullable bool) obj {
	if !target.intIDs() {
		return plainIDValue(target, nullable)
	}
	return obj{"oneOf", []any{plainIDValue(target, nullable), obj{"type", "string"}}}
}
