package main

import (
	"fmt"
	"strings"
)

// The English of the document: parameter and operation descriptions, the same sentences for
// every type with its names put in.

// meanings say what each operator matches, for fields and to-one relationships.
var meanings = map[string]string{
	"eq":              "equal to the value",
	"neq":             "not equal to the value (a null does not match)",
	"lt":              "less than the value",
	"lte":             "less than or equal to the value",
	"gt":              "greater than the value",
	"gte":             "greater than or equal to the value",
	"exists":          "`true` (or `yes`, `1`): has a value; `false` (`no`, `0`): is null",
	"neq_or_null":     "not equal to the value, or null",
	"empty":           "`true` (or `yes`, `1`): is null (or an empty string); `false` (`no`, `0`): neither",
	"contains":        "contains the text",
	"not_contains":    "does not contain the text",
	"starts_with":     "starts with the text",
	"not_starts_with": "does not start with the text",
	"ends_with":       "ends with the text",
	"not_ends_with":   "does not end with the text",
}

// memberMeanings say what the operators match on a to-many relationship.
var memberMeanings = map[string]string{
	"eq":           "has any of the given ids",
	"neq":          "has members, and none of the given ids",
	"exists":       "`true`: has members; `false`: has none",
	"neq_or_null":  "has none of the given ids (or no members)",
	"empty":        "`true`: has no members; `false`: has some",
	"contains":     "has all of the given ids",
	"not_contains": "lacks at least one of the given ids",
}

// description explains the parameter of one operator of the filter.
func (f *filter) description(op string) string {
	meaning := meanings[op]
	switch {
	case f.Rel != nil && f.Rel.Many():
		meaning = memberMeanings[op]
	case op == "empty" && (f.Kind != kString || f.Enum != nil || f.Rel != nil || f.ID):
		meaning = "`true` (or `yes`, `1`): is null; `false` (`no`, `0`): has a value"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Filter by %s: %s.", f.Label, meaning)
	if op != "exists" && op != "empty" {
		b.WriteString(f.valueNote(op))
	}
	if contains(textOps, op) && f.Rel == nil {
		b.WriteString(" Case-insensitive; `%` and `_` are plain characters.")
	}
	if op == "eq" {
		fmt.Fprintf(&b, " Operators: %s. Each operator is a parameter of its own, `%s[<operator>]` (`%s[eq]` is this one);",
			strings.Join(f.Ops, ", "), f.paramName("eq"), f.paramName("eq"))
		var short []string
		for _, o := range f.Ops {
			if s, ok := shortForms[o]; ok && o != "eq" {
				short = append(short, "`"+f.paramName("eq")+s+"…`")
			}
		}
		if len(short) > 0 {
			fmt.Fprintf(&b, " most also have a short form in which the operator replaces the `=`: %s (also URL-encoded).", strings.Join(short, ", "))
		}
		b.WriteString(" Several filters, and several operators of one filter, must all match.")
	} else if s, ok := shortForms[op]; ok {
		fmt.Fprintf(&b, " Short form: `%s%s…`.", f.paramName("eq"), s)
	}
	return b.String()
}

// valueNote describes the value an operator takes.
func (f *filter) valueNote(op string) string {
	var note string
	switch {
	case f.Kind == kBool:
		note = " The value is `true` or `false` (also `1`/`0`, `yes`/`no`)."
	case f.Enum != nil:
		note = " The value is one of " + strings.Join(f.Enum, ", ") + "."
	case f.Kind == kDate:
		note = " The value is a date, such as `2024-03-01`."
	case f.Kind == kDateTime:
		note = " The value is a date-time (`2024-03-01T10:00:00Z`, any offset) or a part of one standing for the whole period (`2024`, `2024-03`, `2024-03-01`, `2024-03-01T10`)."
	case f.Kind == kDecimal:
		note = " The value is a decimal with at most 15 digits before the point and 4 after."
	case f.Rel != nil || f.ID:
		note = " The value is an id."
	}
	a, b := f.sampleValues()
	switch {
	case f.ranges(op):
		note += fmt.Sprintf(" Several values separated by commas (`%s,%s`) match any of them; `%s..%s` is an inclusive range.", a, b, a, b)
	case f.lists(op) && f.Rel != nil && f.Rel.Many():
		note += fmt.Sprintf(" Several ids are separated by commas (`%s,%s`).", a, b)
	case f.lists(op):
		note += fmt.Sprintf(" Several values separated by commas (`%s,%s`) match any of them.", a, b)
	case f.Kind == kString && f.Enum == nil:
		note += " A comma is part of the text."
	}
	return note
}

// sampleValues are two values of the filter's kind, for the examples of lists and ranges.
func (f *filter) sampleValues() (string, string) {
	switch {
	case len(f.Enum) > 1:
		return f.Enum[0], f.Enum[1]
	case f.Kind == kDate:
		return "2024-03-01", "2024-03-31"
	case f.Kind == kDateTime:
		return "2024-03", "2024-05"
	case f.Kind == kDecimal, f.Kind == kNumber:
		return "9.5", "12.5"
	case f.Kind == kString:
		return "a", "b"
	}
	return "5", "7"
}

// listDescription is the description of a list (GET of a collection, or of a to-many
// subresource: of names the relationship and its resource).
func listDescription(t *typeFile, of string) string {
	var b strings.Builder
	if of == "" {
		fmt.Fprintf(&b, "A page of %s.", t.Decl.Many)
	} else {
		fmt.Fprintf(&b, "The %s as a collection: filters, sorting, paging, fields, include and meta work as on the list of %s.", of, t.Decl.Many)
	}
	b.WriteString(" Paging: `page[number]` and `page[size]` (10 by default; -1 returns every match, streamed); a page past the end is empty." +
		" Filters (`filter[…]`, each operator a parameter of its own; the short forms are in their descriptions) must all match." +
		" `sort` orders the resources, `fields[" + t.Type + "]` limits their fields")
	if len(t.Rels) > 0 {
		b.WriteString(", `include` adds related resources to `included` (`fields[<type>]` limits theirs)")
	}
	b.WriteString(", `meta=title` adds each resource's title. `X-Include: totalCount` adds the number of matches in `X-Include-Total-Count`.")
	return b.String()
}

// writeDescription explains the body of a POST or PATCH and the meta options of the type.
func writeDescription(t *typeFile, create bool) string {
	var b strings.Builder
	if create {
		fmt.Fprintf(&b, "Creates %s; the response is the new resource (201, with `Location`).", t.Decl.One)
		if t.Decl.ID.Kind == "client" {
			b.WriteString(" The client assigns the id: `data.id` is required, and an id that exists is a conflict (409).")
		} else {
			b.WriteString(" A `data.id` is a request-local id that included resources may point at; it is not stored.")
		}
	} else {
		fmt.Fprintf(&b, "Changes the attributes and relationships the body gives (null clears one) and answers with the updated resource. `data.type` and `data.id` must match the URL (409). `If-Match` makes the change conditional (412).")
	}
	b.WriteString("\n\nThe top-level `included` array may carry related resources to create (with a request-local id) or to update (`meta.update` true) in the same transaction; the response lists them in `included`, each with `meta.includeId`.\n\n")
	upsert := upsertText(t, create)
	b.WriteString(upsert)
	if t.Decl.Validate {
		b.WriteString("\n\nMeta option `validate`: supported - the request runs completely and is then rolled back; the response is what the real request would return.")
	} else {
		fmt.Fprintf(&b, "\n\nMeta option `validate`: not supported for %s (400).", t.Decl.Many)
	}
	b.WriteString("\n\nAt most one of the meta options `update`, `upsert` and `validate` per resource object.")
	return b.String()
}

// upsertSets reads a type's upsert declaration: by id, and the field lists (as code spans).
func upsertSets(t *typeFile) (byID bool, sets []string) {
	for _, set := range t.Decl.Upsert {
		if contains(set, "id") {
			byID = true
			continue
		}
		sets = append(sets, "`[\""+strings.Join(set, `", "`)+"\"]`")
	}
	return byID, sets
}

func upsertText(t *typeFile, create bool) string {
	byID, sets := upsertSets(t)
	switch {
	case byID:
		return fmt.Sprintf("Meta option `upsert` (match an existing %s): by id (`true` or `[\"id\"]`) - no match creates the resource (201), a match updates it (200). Any other upsert value is rejected (400).", t.singular())
	case create && len(sets) > 0:
		return fmt.Sprintf("Meta option `upsert` (match an existing %s): by the field list %s - no match creates the resource (201), one match updates it (200), several matches are a conflict (409) and change nothing. Any other upsert value is rejected (400).", t.singular(), strings.Join(sets, " or "))
	case create:
		return fmt.Sprintf("Meta option `upsert`: not supported for %s (400).", t.Decl.Many)
	}
	return fmt.Sprintf("Meta option `upsert`: not supported for %s on update (400).", t.Decl.Many)
}

// batchDescription explains the Batch API (api.md sections 12 and 13) for PATCH of a collection.
func batchDescription(t *typeFile) string {
	var b strings.Builder
	fmt.Fprintf(&b, "The Batch API: creates and updates many %s in one request. `data` is an array of resource objects of this type:", t.Decl.Many)
	if t.Decl.ID.Kind == "client" {
		fmt.Fprintf(&b, " one without a meta option creates %s with its `id` (the client assigns the ids),", t.Decl.One)
	} else {
		fmt.Fprintf(&b, " one without a meta option creates %s (its `id`, if any, is a request-local id that relationships may point at; it is not stored),", t.Decl.One)
	}
	fmt.Fprintf(&b, " one with `meta.update` true updates the %s with that id (only the members present change), and one with `meta.upsert` updates the match or creates it. The top-level `included` array holds related resources to create (request-local ids) or update (`meta.update` true), shared by all primary records; each must be reachable through relationships from the primary data.", t.singular())
	b.WriteString("\n\n**Asynchronous (the default, or `X-Mode: async`).** The request is stored durably and answered 202 Accepted with the new `asyncoperations` resource; `Content-Location` is its absolute URL. The records are processed in the background, in any order, in chunks (100 primary and 50 included records by default), each chunk in its own transaction. A record that fails does not stop the valid ones from being saved: its errors are listed at `/api/asyncoperations/{id}/errors`, with pointers into this request (`/data/3/attributes/name`), and the operation still ends `success` with `errorCount` above 0. `GET /api/asyncoperations/{id}` reports the status, the progress and, when finished, the counts.")
	fmt.Fprintf(&b, "\n\n**Synchronous (`X-Mode: sync`).** The records are processed at once, in request order, all or nothing: at most 100 primary and 50 included records (configurable; above that, 400). Success is 200 with every %s in request order, each with `meta.dataId` (the id it had in the request, when it gave one, also for updates), and the created or updated included resources with `meta.includeId`. Any error stores nothing and is answered 400 with every error, pointers into the request. A synchronous batch that runs past the server's time limit (25 s by default) is handed over to the asynchronous mode and answered 202 as above, no record being done twice. Any other `X-Mode` value is a 400 with `source.header` `X-Mode`.", t.singular())
	b.WriteString("\n\n")
	b.WriteString(batchUpsertText(t))
	b.WriteString("\n\nAt most one of the meta options `update` and `upsert` per resource object.")
	return b.String()
}

// batchUpsertText is what meta.upsert does in a batch, where a record has no status of its own.
func batchUpsertText(t *typeFile) string {
	byID, sets := upsertSets(t)
	switch {
	case byID:
		return fmt.Sprintf("Meta option `upsert` matches an existing %s by id (`true` or `[\"id\"]`): no match creates the record, a match updates it.", t.singular())
	case len(sets) > 0:
		return fmt.Sprintf("Meta option `upsert` matches an existing %s by the field list %s: no match creates the record, one match updates it, several matches are an error (409 in the synchronous mode). Any other upsert value is an error.", t.singular(), strings.Join(sets, " or "))
	}
	return fmt.Sprintf("Meta option `upsert`: not supported for %s (an error).", t.Decl.Many)
}
