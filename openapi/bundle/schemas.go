package main

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// The schemas of a type, derived from its attributes and relationships. Each is made the
// first time something refers to it (b.schema), so the document has no unused components.
//
// Nullable values are written the one way that strict OpenAPI 3.0 readers and JSON Schema
// validators read alike: `nullable: true` beside a `type`, never beside `allOf` or `$ref`. A
// nullable named object therefore has a schema of its own (accountsOrNull,
// accountsIdentifierOrNull) rather than an allOf around the schema that is not nullable.

// resourceSchema is the resource object of responses: <type>.
func (b *bundle) resourceSchema(t *typeFile) string {
	return b.schema(t.Type, func() any { return b.resourceObject(t, false) })
}

// nullableResourceSchema is the primary data of a to-one subresource: <type>OrNull.
func (b *bundle) nullableResourceSchema(t *typeFile) string {
	return b.schema(t.Type+"OrNull", func() any { return b.resourceObject(t, true) })
}

func (b *bundle) resourceObject(t *typeFile, nullable bool) obj {
	desc := t.Decl.Description
	if nullable {
		desc = capitalize(t.Decl.One) + ", or null."
	}
	return obj{
		"type", "object",
		"nullable", onlyTrue(nullable),
		"description", desc,
		"required", []string{"type", "id"},
		"additionalProperties", false,
		"properties", obj{
			"type", obj{"type", "string", "enum", []string{t.Type}},
			"id", b.idProperty(t, false),
			"attributes", ref("schemas", b.attributesSchema(t)),
			"relationships", b.optRef(b.relationshipsSchema(t, false)),
			"links", ref("schemas", "ResourceLinks"),
			"meta", ref("schemas", "ResourceMeta"),
		},
	}
}

// idProperty is the id of a resource object (always a string in JSON:API documents).
func (b *bundle) idProperty(t *typeFile, create bool) obj {
	desc := t.Decl.ID.Description
	switch {
	case create && t.Decl.ID.Kind == "client":
		desc += " The client assigns the ids: required."
	case create:
		desc = "A request-local id (not stored) that relationships of included resources may point at."
	}
	return obj{"type", "string", "description", opt(desc), "example", t.idExample()}
}

// attributesSchema is <type>Attributes as the type file writes it, with nullable enums
// completed (null is one of their values).
func (b *bundle) attributesSchema(t *typeFile) string {
	return b.schema(t.Type+"Attributes", func() any { return b.attributesObject(t, nil) })
}

// createAttributesSchema is the attributes of a create: the same properties, and the required
// ones required. It is a schema of its own rather than an allOf of <type>Attributes with a
// required list: code generators drop a required list inside an allOf branch.
func (b *bundle) createAttributesSchema(t *typeFile) string {
	var required []string
	for _, a := range t.Attrs {
		if contains(t.Decl.Required, a.Name) {
			required = append(required, a.Name)
		}
	}
	return b.schema(t.Type+"CreateAttributes", func() any { return b.attributesObject(t, required) })
}

func (b *bundle) attributesObject(t *typeFile, required []string) *yaml.Node {
	n := deepCopy(lookup(t.Schemas, t.Type+"Attributes"))
	if len(required) > 0 {
		set(n, "required", seq(required))
	}
	completeEnums(n)
	return n
}

// otherSchemas adds the named schemas a type file declares besides <type>Attributes (the
// schemas of structured attributes), as written.
func (b *bundle) otherSchemas(t *typeFile) error {
	for _, name := range keys(t.Schemas) {
		if name == t.Type+"Attributes" {
			continue
		}
		if !strings.HasPrefix(name, t.Type) {
			return fmt.Errorf("%s: schema %s: the schemas of a type file start with its name", t.Type, name)
		}
		n := deepCopy(lookup(t.Schemas, name))
		completeEnums(n)
		b.schema(name, func() any { return n })
	}
	return nil
}

// completeEnums adds null to the values of every nullable enum in a schema: to a JSON Schema
// validator `enum` is the whole list of allowed values, whatever `nullable` says.
func completeEnums(schema *yaml.Node) {
	for _, c := range schema.Content {
		completeEnums(c)
	}
	enum := lookup(schema, "enum")
	if enum == nil || enum.Kind != yaml.SequenceNode {
		return
	}
	if nb := lookup(schema, "nullable"); nb == nil || nb.Value != "true" {
		return
	}
	for _, v := range enum.Content {
		if v.Tag == "!!null" {
			return
		}
	}
	enum.Style = yaml.FlowStyle
	enum.Content = append(enum.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"})
}

// relationshipsSchema is the relationships object (<type>Relationships), or for a create with
// required relationships <type>CreateRelationships; "" when the type has none and cannot be
// written (the server leaves the member out).
func (b *bundle) relationshipsSchema(t *typeFile, create bool) string {
	if len(t.Rels) == 0 && !t.has("create") && !t.has("update") {
		return ""
	}
	var required []string
	for _, r := range t.Rels {
		if create && contains(t.Decl.Required, r.Name) {
			required = append(required, r.Name)
		}
	}
	name := t.Type + "Relationships"
	if len(required) > 0 {
		name = t.Type + "CreateRelationships"
	}
	return b.schema(name, func() any {
		props := obj{}
		for _, r := range t.Rels {
			props = append(props, r.Name, ref("schemas", b.linkageSchema(b.types[r.Target()], r.Many(), r.ReadOnly)))
		}
		return obj{
			"type", "object",
			"required", optList(required),
			"additionalProperties", false,
			"properties", props,
		}
	})
}

// linkageSchema is a relationship object inside a resource object: <type>ToOne, <type>ToMany,
// or their ReadOnly forms (a relationship that only the server changes).
func (b *bundle) linkageSchema(target *typeFile, many, readOnly bool) string {
	name := target.Type + "ToOne"
	if many {
		name = target.Type + "ToMany"
	}
	if readOnly {
		name += "ReadOnly"
	}
	return b.schema(name, func() any {
		var data any
		var desc string
		if many {
			data = obj{"type", "array", "items", ref("schemas", b.identifierSchema(target))}
			desc = fmt.Sprintf("A to-many relationship to %s: their identifiers.", target.Decl.Many)
		} else {
			data = ref("schemas", b.nullableIdentifierSchema(target))
			desc = fmt.Sprintf("A to-one relationship to %s: its identifier, or null.", target.Decl.One)
		}
		if readOnly {
			desc += " Read-only: the server derives it."
		}
		return obj{
			"type", "object",
			"description", desc,
			"readOnly", onlyTrue(readOnly),
			"additionalProperties", false,
			"properties", obj{
				"data", data,
				"links", ref("schemas", "RelationshipLinks"),
			},
		}
	})
}

// identifierSchema is a resource identifier: <type>Identifier.
func (b *bundle) identifierSchema(t *typeFile) string {
	return b.schema(t.Type+"Identifier", func() any { return identifierObject(t, false) })
}

// nullableIdentifierSchema is the linkage of a to-one relationship: an identifier or null.
func (b *bundle) nullableIdentifierSchema(t *typeFile) string {
	return b.schema(t.Type+"IdentifierOrNull", func() any { return identifierObject(t, true) })
}

func identifierObject(t *typeFile, nullable bool) obj {
	desc := fmt.Sprintf("The identifier of %s.", t.Decl.One)
	if nullable {
		desc = fmt.Sprintf("The identifier of %s, or null.", t.Decl.One)
	}
	return obj{
		"type", "object",
		"nullable", onlyTrue(nullable),
		"description", desc,
		"required", []string{"type", "id"},
		"additionalProperties", false,
		"properties", obj{
			"type", obj{"type", "string", "enum", []string{t.Type}},
			"id", obj{"type", "string", "example", t.idExample()},
		},
	}
}

// createSchema is the primary data of a create: <type>Create.
func (b *bundle) createSchema(t *typeFile) string {
	return b.schema(t.Type+"Create", func() any {
		required := []string{"type", "attributes"}
		if t.Decl.ID.Kind == "client" {
			required = []string{"type", "id"}
		}
		rels := b.relationshipsSchema(t, true)
		if rels == t.Type+"CreateRelationships" {
			required = append(required, "relationships")
		}
		return obj{
			"type", "object",
			"description", fmt.Sprintf("%s to create.", capitalize(t.Decl.One)),
			"required", required,
			"additionalProperties", false,
			"properties", obj{
				"type", obj{"type", "string", "enum", []string{t.Type}},
				"id", b.idProperty(t, true),
				"attributes", ref("schemas", b.createAttributesSchema(t)),
				"relationships", b.optRef(rels),
				"meta", ref("schemas", "RequestMeta"),
			},
		}
	})
}

// updateSchema is the primary data of an update: <type>Update. Only the members present change.
func (b *bundle) updateSchema(t *typeFile) string {
	return b.schema(t.Type+"Update", func() any {
		return obj{
			"type", "object",
			"description", fmt.Sprintf("The changes to %s: only the attributes and relationships present change; null clears one.", t.Decl.One),
			"required", []string{"type", "id"},
			"additionalProperties", false,
			"properties", obj{
				"type", obj{"type", "string", "enum", []string{t.Type}},
				"id", obj{"type", "string", "description", "The id of the resource: the id of the URL.", "example", t.idExample()},
				"attributes", ref("schemas", b.attributesSchema(t)),
				"relationships", b.optRef(b.relationshipsSchema(t, false)),
				"meta", ref("schemas", "RequestMeta"),
			},
		}
	})
}

// requestDocument is a POST or PATCH body: data, the included resources to write with it, and
// the top-level jsonapi and meta members that JSON:API allows (the server ignores them).
func (b *bundle) requestDocument(name, desc string, data any, included bool) string {
	return b.schema(name, func() any {
		var inc any
		if included {
			inc = ref("schemas", "RequestIncluded")
		}
		return obj{
			"type", "object",
			"description", desc,
			"required", []string{"data"},
			"additionalProperties", false,
			"properties", obj{
				"data", data,
				"included", inc,
				"jsonapi", ref("schemas", "JsonApi"),
				"meta", ref("schemas", "DocumentMeta"),
			},
		}
	})
}

func (b *bundle) createDocument(t *typeFile) string {
	return b.requestDocument(t.Type+"CreateDocument", fmt.Sprintf("The body of a POST that creates %s.", t.Decl.One),
		ref("schemas", b.createSchema(t)), true)
}

func (b *bundle) updateDocument(t *typeFile) string {
	return b.requestDocument(t.Type+"UpdateDocument", fmt.Sprintf("The body of a PATCH that updates %s.", t.Decl.One),
		ref("schemas", b.updateSchema(t)), true)
}

// toOneRequest and toManyRequest are the bodies of the relationship endpoints.
func (b *bundle) toOneRequest(t *typeFile) string {
	return b.requestDocument(t.Type+"ToOneRequest", fmt.Sprintf("The new value of a to-one relationship: the identifier of %s, or null to clear it.", t.Decl.One),
		ref("schemas", b.nullableIdentifierSchema(t)), false)
}

func (b *bundle) toManyRequest(t *typeFile) string {
	return b.requestDocument(t.Type+"ToManyRequest", fmt.Sprintf("Identifiers of %s for a to-many relationship.", t.Decl.Many),
		obj{"type", "array", "items", ref("schemas", b.identifierSchema(t))}, false)
}

// responseDocument is a document the server answers with.
func (b *bundle) responseDocument(name, desc string, data any, included bool, links string) string {
	return b.schema(name, func() any {
		var inc any
		if included {
			inc = ref("schemas", "Included")
		}
		return obj{
			"type", "object",
			"description", desc,
			"required", []string{"data"},
			"additionalProperties", false,
			"properties", obj{
				"data", data,
				"included", inc,
				"links", ref("schemas", links),
			},
		}
	})
}

func (b *bundle) document(t *typeFile) string {
	return b.responseDocument(t.Type+"Document", fmt.Sprintf("A document whose primary data is %s.", t.Decl.One),
		ref("schemas", b.resourceSchema(t)), true, "DocumentLinks")
}

func (b *bundle) nullableDocument(t *typeFile) string {
	return b.responseDocument(t.Type+"NullableDocument", fmt.Sprintf("A document whose primary data is %s or null (a to-one subresource).", t.Decl.One),
		ref("schemas", b.nullableResourceSchema(t)), true, "DocumentLinks")
}

func (b *bundle) collection(t *typeFile) string {
	return b.responseDocument(t.Type+"Collection", fmt.Sprintf("A page of %s.", t.Decl.Many),
		obj{"type", "array", "items", ref("schemas", b.resourceSchema(t))}, true, "CollectionLinks")
}

func (b *bundle) toOneDocument(t *typeFile) string {
	return b.responseDocument(t.Type+"ToOneDocument", fmt.Sprintf("A to-one relationship document: the identifier of %s, or null.", t.Decl.One),
		ref("schemas", b.nullableIdentifierSchema(t)), false, "RelationshipLinks")
}

func (b *bundle) toManyDocument(t *typeFile) string {
	return b.responseDocument(t.Type+"ToManyDocument", fmt.Sprintf("A to-many relationship document: the identifiers of %s, paged.", t.Decl.Many),
		obj{"type", "array", "items", ref("schemas", b.identifierSchema(t))}, false, "RelationshipCollectionLinks")
}

// optRef is a reference to a schema, or nothing for "".
func (b *bundle) optRef(name string) any {
	if name == "" {
		return nil
	}
	return ref("schemas", name)
}

// onlyTrue writes true, and leaves false out.
func onlyTrue(v bool) any {
	if !v {
		return nil
	}
	return true
}

// optList leaves an empty list out of an obj.
func optList(list []string) any {
	if len(list) == 0 {
		return nil
	}
	return list
}

// seq is a flow sequence of strings.
func seq(list []string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Style: yaml.FlowStyle}
	for _, s := range list {
		n.Content = append(n.Content, str(s))
	}
	return n
}

// batchItemSchema is one primary record of a batch (api.md section 12): <type>BatchItem. Without
// a meta option it is created, with `meta.update` it updates the record with its id, with
// `meta.upsert` it updates the match or is created. The attributes are not required here: an
// update gives only what changes (the server checks a creation's required fields).
func (b *bundle) batchItemSchema(t *typeFile) string {
	return b.schema(t.Type+"BatchItem", func() any {
		idDesc := "A request-local id of a record to create (not stored; relationships of included resources may point at it, and the synchronous answer returns it as `meta.dataId`), the id of the record to update with `meta.update` true, or the id an upsert by id matches."
		if t.Decl.ID.Kind == "client" {
			idDesc = t.Decl.ID.Description + " The client assigns the ids: the id of the record to create, to update (`meta.update` true) or to upsert."
		}
		return obj{
			"type", "object",
			"description", fmt.Sprintf("%s to create, or with `meta.update` or `meta.upsert` to update: one primary record of a batch.", capitalize(t.Decl.One)),
			"required", []string{"type"},
			"additionalProperties", false,
			"properties", obj{
				"type", obj{"type", "string", "enum", []string{t.Type}},
				"id", obj{"type", "string", "description", idDesc, "example", t.idExample()},
				"attributes", ref("schemas", b.attributesSchema(t)),
				"relationships", b.optRef(b.relationshipsSchema(t, false)),
				"meta", ref("schemas", "RequestMeta"),
			},
		}
	})
}

// batchDocument is the body of a batch: <type>BatchDocument, its data an array.
func (b *bundle) batchDocument(t *typeFile) string {
	return b.requestDocument(t.Type+"BatchDocument", fmt.Sprintf("The body of a PATCH of the collection (the Batch API) that creates or updates %s; the included resources are shared by all primary records.", t.Decl.Many),
		obj{"type", "array", "minItems", 1, "items", ref("schemas", b.batchItemSchema(t))}, true)
}

// batchResult is the answer of a synchronous batch: <type>BatchResult.
func (b *bundle) batchResult(t *typeFile) string {
	return b.responseDocument(t.Type+"BatchResult", fmt.Sprintf("The answer of a synchronous batch: the %s in request order, each with `meta.dataId` when the request gave it an id, and the included resources with `meta.includeId`.", t.Decl.Many),
		obj{"type", "array", "items", ref("schemas", b.resourceSchema(t))}, true, "CollectionLinks")
}
