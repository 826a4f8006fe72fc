package main

import (
	"fmt"
	"sort"
	"strings"
)

// The paths of a type (api.md sections 1, 3 and 9): the collection, the item, and for each
// relationship its subresource and its relationship endpoint. Which methods each path has
// follows from the type's methods and whether the relationship can be written.

// path is one path item while it is built.
type path struct {
	Path        string
	ID          bool // has the {id} parameter
	Ops         []*operation
	description string // the methods it answers, and 405 for the others
}

// typePaths builds every path of a type (none for a subresourceOnly type: its parent's
// subresource path lists its resources).
func (b *bundle) typePaths(t *typeFile) []*path {
	if t.Decl.SubresourceOnly {
		return nil
	}
	coll := &path{Path: "/api/" + t.Type}
	coll.Ops = append(coll.Ops, b.list(t))
	if t.has("create") {
		coll.Ops = append(coll.Ops, b.create(t))
	}
	if t.has("create") || t.has("update") {
		coll.Ops = append(coll.Ops, b.batch(t))
	}
	if t.has("deleteList") {
		coll.Ops = append(coll.Ops, b.deleteList(t))
	}
	item := &path{Path: "/api/" + t.Type + "/{id}", ID: true}
	item.Ops = append(item.Ops, b.get(t))
	if t.has("update") {
		item.Ops = append(item.Ops, b.update(t))
	}
	if t.has("delete") {
		item.Ops = append(item.Ops, b.deleteItem(t))
	}
	paths := []*path{coll, item}
	for _, r := range t.Rels {
		paths = append(paths, b.relatedPath(t, r), b.relationshipPath(t, r))
	}
	for _, s := range t.Subs {
		paths = append(paths, b.subresourcePath(t, s))
	}
	return paths
}

func (b *bundle) op(t *typeFile, method, id, summary, desc string) *operation {
	return &operation{Method: method, ID: id, Tag: t.Type, Summary: summary, Description: desc}
}

// readParams are the parameters that shape the resource documents of type t: include, meta and
// the sparse fieldsets of t and of its related types.
func (b *bundle) readParams(t *typeFile) []any {
	var out []any
	if inc := b.includeParam(t); inc != "" {
		out = append(out, ref("parameters", inc))
	}
	out = append(out, ref("parameters", "meta"))
	for _, f := range b.fieldsParams(t) {
		out = append(out, ref("parameters", f))
	}
	return out
}

// headerParams are the headers that change the resources of t (a product's localized name and
// price).
func headerParams(t *typeFile) []any {
	var out []any
	for _, h := range t.Decl.Headers {
		out = append(out, ref("parameters", h))
	}
	return out
}

// list is GET of the collection (relatedPath adapts it to a to-many subresource).
func (b *bundle) list(t *typeFile) *operation {
	o := b.op(t, "get", "list"+t.opNames(), "Get a page of "+t.Decl.Many, listDescription(t, ""))
	o.Params = []any{ref("parameters", "pageNumber"), ref("parameters", "pageSize"), ref("parameters", b.sortParam(t))}
	o.Params = append(o.Params, b.readParams(t)...)
	for _, f := range b.filterSets[t.Type] {
		o.Params = append(o.Params, b.filterParams(f)...)
	}
	o.Params = append(o.Params, ref("parameters", "XInclude"))
	o.Params = append(o.Params, headerParams(t)...)
	o.addResponse("200", &response{
		Description: fmt.Sprintf("A page of %s.", t.Decl.Many),
		Headers:     headerRefs("X-Include-Total-Count", "XIncludeTotalCount"),
		Content: []media{
			{Type: jsonAPI, Schema: ref("schemas", b.collection(t)), Example: b.collectionExample(t)},
			{Type: plain, Schema: ref("schemas", b.plainCollection(t)), Example: b.plainCollectionExample(t)},
		},
	})
	return o
}

func (b *bundle) create(t *typeFile) *operation {
	o := b.op(t, "post", "create"+t.opName(), "Create "+t.Decl.One, writeDescription(t, true))
	b.metaOptions(o, t, true)
	o.Params = append([]any{ref("parameters", "XInclude")}, headerParams(t)...)
	o.Params = append(o.Params, b.readParams(t)...)
	o.Body = &body{Content: []media{
		{Type: jsonAPI, Schema: ref("schemas", b.createDocument(t)), Example: b.createExample(t)},
		{Type: plain, Schema: ref("schemas", b.plainCreateSchema(t)), Example: b.plainCreateExample(t)},
	}}
	if len(t.Decl.Upsert) > 0 {
		o.addResponse("200", b.resourceResponse(t, fmt.Sprintf("The existing %s that the upsert found, updated.", t.singular()), false))
	}
	o.addResponse("201", b.resourceResponse(t, fmt.Sprintf("The created %s.", t.singular()), true))
	o.shared("409", "Conflict")
	o.shared("413", "PayloadTooLarge")
	o.shared("415", "UnsupportedMediaType")
	return o
}

// batch is PATCH of the collection, the Batch API (api.md sections 12 and 13): many records
// created or updated in the background (202 with the async operation), or at once with
// `X-Mode: sync` (200 with the resources). Its query parameters and headers are those of the
// create, whose resources the synchronous answer renders alike.
func (b *bundle) batch(t *typeFile) *operation {
	o := b.op(t, "patch", "batch"+t.opNames(), "Create or update "+t.Decl.Many+" in a batch", batchDescription(t))
	o.Params = append([]any{ref("parameters", "XMode"), ref("parameters", "XInclude")}, headerParams(t)...)
	o.Params = append(o.Params, b.readParams(t)...)
	o.Body = &body{Content: []media{
		{Type: jsonAPI, Schema: ref("schemas", b.batchDocument(t)), Example: b.batchExample(t)},
	}}
	async := b.types["asyncoperations"]
	if async == nil {
		b.errorf("%s: the Batch API answers with an asyncoperations resource, and there is no such type", t.Type)
		return o
	}
	o.addResponse("200", &response{
		Description: fmt.Sprintf("`X-Mode: sync`: every record is stored; the %s in request order, each with `meta.dataId`, and the included resources with `meta.includeId`.", t.Decl.Many),
		Content: []media{
			{Type: jsonAPI, Schema: ref("schemas", b.batchResult(t)), Example: b.batchResultExample(t)},
		},
	})
	o.addResponse("202", &response{
		Description: "Accepted: the batch is stored and will be processed in the background. The body is the new async operation; `Content-Location` is its URL.",
		Headers:     headerRefs("Content-Location", "ContentLocation"),
		Content: []media{
			{Type: jsonAPI, Schema: ref("schemas", b.document(async)), Example: b.documentExample(async)},
		},
	})
	o.shared("409", "Conflict")
	o.shared("413", "PayloadTooLarge")
	o.shared("415", "UnsupportedMediaType")
	return o
}

// metaOptions declares what the engine reads of the meta options: x-validate, and x-upsert
// (the field sets that may identify the record; [id] also on PATCH).
func (b *bundle) metaOptions(o *operation, t *typeFile, create bool) {
	if t.Decl.Validate {
		o.Extensions = append(o.Extensions, "x-validate", true)
	}
	var sets [][]string
	for _, set := range t.Decl.Upsert {
		if create || contains(set, "id") {
			sets = append(sets, set)
		}
	}
	if len(sets) > 0 {
		o.Extensions = append(o.Extensions, "x-upsert", sets)
	}
}

// resourceResponse is a response with one resource, its ETag and, for a creation, Location.
func (b *bundle) resourceResponse(t *typeFile, desc string, created bool) *response {
	headers := headerRefs("ETag", "ETag")
	if created {
		headers = headerRefs("Location", "Location", "ETag", "ETag")
	}
	return &response{Description: desc, Headers: headers, Content: []media{
		{Type: jsonAPI, Schema: ref("schemas", b.document(t)), Example: b.documentExample(t)},
		{Type: plain, Schema: ref("schemas", b.plainSchema(t)), Example: b.plainExample(t)},
	}}
}

func (b *bundle) deleteList(t *typeFile) *operation {
	o := b.op(t, "delete", "delete"+t.opNames(), "Delete every "+t.singular()+" that matches the filters",
		"Deletes every "+t.singular()+" that matches the filters (the same as on the list). At least one filter is required; more matches than the delete limit (100 by default) is an error and deletes nothing. `X-Include: totalCount` and `X-Include: deletedCount` add the number of matches and of deleted resources as headers.")
	for _, f := range b.filterSets[t.Type] {
		o.Params = append(o.Params, b.filterParams(f)...)
	}
	o.Params = append(o.Params, ref("parameters", "XInclude"))
	o.addResponse("204", &response{
		Description: fmt.Sprintf("The matching %s are deleted.", t.Decl.Many),
		Headers:     headerRefs("X-Include-Total-Count", "XIncludeTotalCount", "X-Include-Deleted-Count", "XIncludeDeletedCount"),
	})
	return o
}

func (b *bundle) get(t *typeFile) *operation {
	o := b.op(t, "get", "get"+t.opName(), "Get "+t.Decl.One,
		fmt.Sprintf("The %s with this id; 404 when there is none (or the id is not valid for the type). `fields`, `include` and `meta` shape the document as on the list. The `ETag` changes with every update; `If-None-Match` with the current one answers 304.", t.singular()))
	o.Params = append(b.readParams(t), ref("parameters", "XInclude"))
	o.Params = append(o.Params, headerParams(t)...)
	o.Params = append(o.Params, ref("parameters", "IfNoneMatch"))
	o.addResponse("200", b.resourceResponse(t, fmt.Sprintf("The %s.", t.singular()), false))
	o.shared("304", "NotModified")
	o.shared("404", "NotFound")
	return o
}

func (b *bundle) update(t *typeFile) *operation {
	o := b.op(t, "patch", "update"+t.opName(), "Update "+t.Decl.One, writeDescription(t, false))
	b.metaOptions(o, t, false)
	o.Params = append([]any{ref("parameters", "XInclude")}, headerParams(t)...)
	o.Params = append(o.Params, ref("parameters", "IfMatch"))
	o.Params = append(o.Params, b.readParams(t)...)
	o.Body = &body{Content: []media{
		{Type: jsonAPI, Schema: ref("schemas", b.updateDocument(t)), Example: b.updateExample(t)},
		{Type: plain, Schema: ref("schemas", b.plainSchema(t)), Example: b.plainUpdateExample(t)},
	}}
	o.addResponse("200", b.resourceResponse(t, fmt.Sprintf("The updated %s.", t.singular()), false))
	for _, set := range t.Decl.Upsert {
		if contains(set, "id") {
			o.addResponse("201", b.resourceResponse(t, fmt.Sprintf("The %s that the upsert created (no resource had this id).", t.singular()), true))
		}
	}
	o.shared("404", "NotFound")
	o.shared("409", "Conflict")
	o.shared("412", "PreconditionFailed")
	o.shared("413", "PayloadTooLarge")
	o.shared("415", "UnsupportedMediaType")
	return o
}

func (b *bundle) deleteItem(t *typeFile) *operation {
	o := b.op(t, "delete", "delete"+t.opName(), "Delete "+t.Decl.One,
		fmt.Sprintf("Deletes the %s. `If-Match` makes the deletion conditional (412); %s that others still refer to cannot go (409).", t.singular(), t.Decl.One))
	o.Params = []any{ref("parameters", "IfMatch")}
	o.shared("204", "NoContent")
	o.shared("404", "NotFound")
	o.shared("412", "PreconditionFailed")
	return o
}

// relatedPath is the subresource of a relationship: the related resources themselves.
func (b *bundle) relatedPath(t *typeFile, r *relationship) *path {
	target := b.types[r.Target()]
	p := &path{Path: fmt.Sprintf("/api/%s/{id}/%s", t.Type, r.Name), ID: true}
	id := "get" + t.opName() + capitalize(r.Name)
	if b.primaryIDs[id] {
		id += "Related" // getContactSource is GET of a contact source
	}
	summary := fmt.Sprintf("Get the %s of %s", r.label(), t.Decl.One)
	var o *operation
	if r.Many() {
		o = b.list(target)
		o.ID, o.Tag, o.Summary = id, t.Type, summary
		o.Description = r.note() + listDescription(target, r.label()+" of "+t.Decl.One)
		o.Responses["200"].Description = fmt.Sprintf("The %s of the %s.", r.label(), t.singular())
	} else {
		o = b.op(t, "get", id, summary, r.note()+fmt.Sprintf("The related %s, or `data` null when there is none. `fields`, `include` and `meta` work as on GET of %s.", target.singular(), target.Decl.One))
		o.Params = append(b.readParams(target), ref("parameters", "XInclude"))
		o.Params = append(o.Params, headerParams(target)...)
		o.addResponse("200", &response{
			Description: fmt.Sprintf("The %s of the %s, or null.", r.label(), t.singular()),
			Content: []media{
				{Type: jsonAPI, Schema: ref("schemas", b.nullableDocument(target)), Example: b.documentExample(target)},
				{Type: plain, Schema: ref("schemas", b.nullablePlainSchema(target)), Example: b.plainExample(target)},
			},
		})
	}
	o.shared("404", "NotFound")
	p.Ops = []*operation{o}
	return p
}

// subresourcePath is a subresource that is not a relationship (x-resource.subresources): a
// paged collection of resources of a subresourceOnly type that belong to the record, such as
// the errors of an async operation. No filters, sorting or sparse fieldsets: the resources have
// no relationships and a fixed order.
func (b *bundle) subresourcePath(t *typeFile, s *subresource) *path {
	target := b.types[s.Type]
	p := &path{Path: fmt.Sprintf("/api/%s/{id}/%s", t.Type, s.Name), ID: true}
	id := "get" + t.opName() + capitalize(s.Name)
	if b.primaryIDs[id] {
		id += "Related"
	}
	o := b.op(t, "get", id, fmt.Sprintf("Get the %s of %s", s.label(), t.Decl.One),
		s.Description+" Paging: `page[number]` and `page[size]` (10 by default; -1 returns every one, streamed); a page past the end is empty. `X-Include: totalCount` adds their number in `X-Include-Total-Count`. 404 when there is no "+t.singular()+" with this id (or the caller may not see it).")
	o.Params = []any{ref("parameters", "pageNumber"), ref("parameters", "pageSize"), ref("parameters", "XInclude")}
	o.addResponse("200", &response{
		Description: fmt.Sprintf("The %s of the %s.", s.label(), t.singular()),
		Headers:     headerRefs("X-Include-Total-Count", "XIncludeTotalCount"),
		Content: []media{
			{Type: jsonAPI, Schema: ref("schemas", b.collection(target)), Example: b.subresourceExample(t, s)},
			{Type: plain, Schema: ref("schemas", b.plainCollection(target)), Example: b.plainCollectionExample(target)},
		},
	})
	o.shared("404", "NotFound")
	p.Ops = []*operation{o}
	return p
}

// relationshipPath is the relationship endpoint: identifiers only; PATCH replaces them, and on
// a to-many relationship POST adds and DELETE removes members.
func (b *bundle) relationshipPath(t *typeFile, r *relationship) *path {
	target := b.types[r.Target()]
	base := t.opName() + capitalize(r.Name) + "Relationship"
	p := &path{Path: fmt.Sprintf("/api/%s/{id}/relationships/%s", t.Type, r.Name), ID: true}
	of := fmt.Sprintf("the %s of %s", r.label(), t.Decl.One)
	var get *operation
	if r.Many() {
		get = b.op(t, "get", "get"+base, "Get the identifiers of "+of,
			r.note()+"Resource identifiers only, paged and sortable like a collection (`X-Include: totalCount` counts them).")
		get.Params = []any{ref("parameters", "pageNumber"), ref("parameters", "pageSize"), ref("parameters", b.sortParam(target)), ref("parameters", "XInclude")}
		get.addResponse("200", &response{
			Description: "The identifiers of " + fmt.Sprintf("the %s of the %s.", r.label(), t.singular()),
			Headers:     headerRefs("X-Include-Total-Count", "XIncludeTotalCount"),
			Content: []media{
				{Type: jsonAPI, Schema: ref("schemas", b.toManyDocument(target)), Example: b.toManyDocumentExample(t, r)},
				{Type: plain, Schema: plainIDs(target), Example: b.plainIDsExample(target)},
			},
		})
	} else {
		get = b.op(t, "get", "get"+base, "Get the identifier of "+of, r.note()+"A resource identifier, or `data` null when there is none.")
		get.Params = []any{ref("parameters", "XInclude")}
		get.addResponse("200", &response{
			Description: "The identifier of " + fmt.Sprintf("the %s of the %s, or null.", r.label(), t.singular()),
			Content: []media{
				{Type: jsonAPI, Schema: ref("schemas", b.toOneDocument(target)), Example: b.toOneDocumentExample(t, r)},
				{Type: plain, Schema: plainIDValue(target, true), Example: b.plainIDExample(target)},
			},
		})
	}
	get.shared("404", "NotFound")
	p.Ops = []*operation{get}
	if !t.writableRel(r) {
		return p
	}
	if r.Many() {
		p.Ops = append(p.Ops,
			b.relationshipWrite(t, r, "patch", "update"+base, "Replace "+of,
				fmt.Sprintf("The body is the complete new list of %s; an empty list clears the relationship.", r.label())),
			b.relationshipWrite(t, r, "post", "add"+base, fmt.Sprintf("Add %s to %s", r.label(), t.Decl.One),
				fmt.Sprintf("Adds the given %s; those already present are kept.", r.label())),
			b.relationshipWrite(t, r, "delete", "delete"+base, fmt.Sprintf("Remove %s from %s", r.label(), t.Decl.One),
				fmt.Sprintf("Removes the given %s from the relationship (the resources themselves are not deleted).", r.label())))
	} else {
		p.Ops = append(p.Ops, b.relationshipWrite(t, r, "patch", "update"+base, "Replace "+of,
			fmt.Sprintf("The body is the identifier of the new %s, or `data` null to clear it.", r.label())))
	}
	return p
}

func (b *bundle) relationshipWrite(t *typeFile, r *relationship, method, id, summary, desc string) *operation {
	target := b.types[r.Target()]
	o := b.op(t, method, id, summary, desc+" `If-Match` makes the change conditional (412); an id that does not exist is a 400 with a pointer at it.")
	o.Params = []any{ref("parameters", "IfMatch")}
	if r.Many() {
		o.Body = &body{Description: "Identifiers of " + target.Decl.Many + ".", Content: []media{
			{Type: jsonAPI, Schema: ref("schemas", b.toManyRequest(target)), Example: b.toManyRequestExample(target)},
			{Type: plain, Schema: obj{"type", "array", "items", plainRequestID(target, false)}, Example: b.plainIDsExample(target)},
		}}
	} else {
		o.Body = &body{Description: fmt.Sprintf("The identifier of %s, or null.", target.Decl.One), Content: []media{
			{Type: jsonAPI, Schema: ref("schemas", b.toOneRequest(target)), Example: b.toOneRequestExample(target)},
			{Type: plain, Schema: plainRequestID(target, true), Example: b.plainIDExample(target)},
		}}
	}
	o.shared("204", "NoContent")
	o.shared("404", "NotFound")
	o.shared("409", "Conflict")
	o.shared("412", "PreconditionFailed")
	o.shared("413", "PayloadTooLarge")
	o.shared("415", "UnsupportedMediaType")
	return o
}

// plainIDs is the plain body of a to-many relationship: the related ids.
func plainIDs(target *typeFile) obj {
	return obj{"type", "array", "items", plainIDValue(target, false)}
}

// finish completes the operations of a path: the responses every operation shares, HEAD for
// GET, OPTIONS, and the path's description of the methods it refuses (405 with Allow).
func (b *bundle) finish(p *path, tag string) {
	var get *operation
	list := !p.ID // GET of a collection lists; everything else names a record or writes
	for _, o := range p.Ops {
		o.addCommonResponses(list && o.Method == "get")
		if o.Method == "get" {
			get = o
		}
	}
	allowed := []string{"OPTIONS"}
	for _, o := range p.Ops {
		allowed = append(allowed, strings.ToUpper(o.Method))
	}
	if get != nil {
		p.Ops = append(p.Ops, get.head(b.sharedResponses))
		allowed = append(allowed, "HEAD")
	}
	sort.Strings(allowed)
	allow := strings.Join(allowed, ", ")
	options := &operation{Method: "options", ID: "options" + capitalize(get.ID), Tag: tag, Public: true,
		Summary:     "The methods of " + p.Path,
		Description: "Answers 200 with the methods of this path in `Allow` (" + allow + ") and no body; it needs no credentials (credentials it carries must be valid: 401) and may be cached for 10 minutes; where the API is switched off, 404. Any other method is answered 405 Method Not Allowed with the same `Allow` header and no body.",
	}
	options.addResponse("200", &response{Description: "The methods of this path.", Headers: headerRefs("Allow", "Allow", "Cache-Control", "CacheControl")})
	options.shared("401", "Unauthorized")
	options.shared("404", "NotFound")
	options.shared("413", "PayloadTooLarge")
	p.Ops = append(p.Ops, options)
	p.description = "Methods: " + allow + ". Any other method is answered 405 Method Not Allowed with an `Allow` header that lists these, and no body."
}
