package main

import (
	"fmt"
	"regexp"
	"strings"
)

// Filters (api.md section 8). Every operator of a filter is a query parameter of its own in
// the bracket form — filter[name] for eq, filter[name][contains], filter[id][gt] — with the
// type of its value, so that generated clients type them. The equality parameter carries the
// filter's operators in x-operators (the engine reads them there) and explains the short forms
// (filter[id]>5), which OpenAPI cannot declare.

// valueKind is what a filter compares: the kind of its attribute, or of the ids it names.
type valueKind int

const (
	kString valueKind = iota
	kInt
	kNumber
	kDecimal
	kBool
	kDate
	kDateTime
)

// filter is one filter of a type.
type filter struct {
	t     *typeFile
	Name  string
	Kind  valueKind
	Enum  []string      // the values of an enum attribute
	Rel   *relationship // the relationship whose related ids it filters
	ID    bool
	Ops   []string
	Label string // what it filters, in English
}

var (
	orderOps  = []string{"lt", "lte", "gt", "gte"}
	nullOps   = []string{"exists", "neq_or_null", "empty"}
	textOps   = []string{"contains", "not_contains", "starts_with", "not_starts_with", "ends_with", "not_ends_with"}
	memberOps = []string{"contains", "not_contains"}
)

// shortForms are the operators' short forms, where the operator replaces or precedes "=".
var shortForms = map[string]string{
	"eq": "=", "neq": "!=", "lt": "<", "lte": "<=", "gt": ">", "gte": ">=", "exists": "*", "neq_or_null": "!*",
	"contains": "~", "not_contains": "!~", "starts_with": "^", "not_starts_with": "!^", "ends_with": "$", "not_ends_with": "!$",
}

// filters lists the filters of a type: id first, then the declared ones.
func (b *bundle) filters(t *typeFile) ([]*filter, error) {
	idKind := kString
	if t.intIDs() {
		idKind = kInt
	}
	out := []*filter{{t: t, Name: "id", Kind: idKind, ID: true, Label: "the id"}}
	for _, name := range t.Decl.Filters {
		f := &filter{t: t, Name: name}
		if r := t.rel(name); r != nil {
			target := b.types[r.Target()]
			f.Rel, f.Kind = r, kString
			if target.intIDs() {
				f.Kind = kInt
			}
			f.Label = fmt.Sprintf("the id of the %s", r.label())
			if r.Many() {
				f.Label = fmt.Sprintf("the ids of the %s", r.label())
			}
		} else {
			a := t.attr(name)
			f.Kind = attrKind(a)
			for _, e := range a.Enum {
				if e != nil {
					f.Enum = append(f.Enum, fmt.Sprint(e))
				}
			}
			f.Label = "`" + name + "`"
		}
		out = append(out, f)
	}
	for _, f := range out {
		valid := f.validOps()
		f.Ops = f.defaultOps()
		if ops, ok := t.Decl.Operators[f.Name]; ok {
			f.Ops = ops
		}
		if !contains(f.Ops, "eq") {
			return nil, fmt.Errorf("%s: filter %s: eq is every filter's first operator (filter[%s] is its parameter)", t.Type, f.Name, f.Name)
		}
		for _, op := range f.Ops {
			if !contains(valid, op) {
				return nil, fmt.Errorf("%s: filter %s: operator %q is unknown or not valid for its kind", t.Type, f.Name, op)
			}
		}
	}
	return out, nil
}

func attrKind(a *attribute) valueKind {
	switch {
	case a.Type == "integer":
		return kInt
	case a.Type == "number":
		return kNumber
	case a.Type == "boolean":
		return kBool
	case a.Format == "decimal":
		return kDecimal
	case a.Format == "date":
		return kDate
	case a.Format == "date-time":
		return kDateTime
	}
	return kString
}

// ordered reports kinds whose values compare in an order that every database agrees on.
func (k valueKind) ordered() bool {
	return k == kInt || k == kNumber || k == kDecimal || k == kDate || k == kDateTime
}

// defaultOps are the operators a filter has unless declared otherwise (api.md section 8).
func (f *filter) defaultOps() []string {
	ops := []string{"eq", "neq"}
	switch {
	case f.ID:
		return append(ops, orderOps...)
	case f.Rel != nil && f.Rel.Many():
		return append(append(ops, nullOps...), memberOps...)
	case f.Rel == nil && f.Kind.ordered():
		ops = append(ops, orderOps...)
	}
	ops = append(ops, nullOps...)
	if f.Rel == nil && contains(f.t.Decl.TextFilters, f.Name) {
		ops = append(ops, textOps...)
	}
	return ops
}

// validOps are the operators the engine can apply to the filter's kind (a declaration may
// name a subset); the engine checks the same at start-up.
func (f *filter) validOps() []string {
	ops := []string{"eq", "neq"}
	switch {
	case f.ID:
		return append(append(ops, orderOps...), nullOps...)
	case f.Rel != nil && f.Rel.Many():
		return append(append(ops, nullOps...), memberOps...)
	case f.Rel != nil:
		return append(ops, nullOps...)
	case f.Kind.ordered():
		return append(append(ops, orderOps...), nullOps...)
	case f.Kind == kString:
		return append(append(ops, nullOps...), textOps...)
	}
	return append(ops, nullOps...)
}

// lists reports whether the operator takes several values separated by commas; ranges
// whether it takes a range from..to (api.md section 8; the engine's parseFilter).
func (f *filter) lists(op string) bool {
	multi := op == "eq" || op == "neq" || op == "neq_or_null" || f.Rel != nil && (op == "contains" || op == "not_contains")
	return multi && (f.Kind != kString && f.Kind != kBool || f.Enum != nil || f.Rel != nil || f.ID)
}

func (f *filter) ranges(op string) bool {
	return f.lists(op) && f.Rel == nil && f.Enum == nil && f.Kind != kString
}

// paramName is the query parameter of an operator.
func (f *filter) paramName(op string) string {
	if op == "eq" {
		return "filter[" + f.Name + "]"
	}
	return "filter[" + f.Name + "][" + op + "]"
}

// component is the name of the parameter component of an operator: accountsFilterName,
// accountsFilterNameContains.
func (f *filter) component(op string) string {
	name := f.t.Type + "Filter" + capitalize(f.Name)
	if op != "eq" {
		name += camel(strings.ReplaceAll(op, "_", " "))
	}
	return name
}

// params declares the filter's parameters and returns references to them.
func (b *bundle) filterParams(f *filter) []any {
	var refs []any
	for _, op := range f.Ops {
		name := f.component(op)
		b.parameter(name, func() any {
			p := obj{
				"name", f.paramName(op),
				"in", "query",
				"description", f.description(op),
				"schema", f.valueSchema(op),
			}
			if op == "eq" {
				p = append(p, "x-operators", f.Ops)
			}
			return p
		})
		refs = append(refs, ref("parameters", name))
	}
	return refs
}

// Patterns of one filter value, as the engine parses it.
const (
	intPattern      = `[-+]?[0-9]+`
	numberPattern   = `[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?`
	decimalPattern  = `-?0*[0-9]{1,15}(\.[0-9]{1,4}0*)?` // at most 15 digits before the point and 4 after; trailing zeros are no digits
	datePattern     = `[0-9]{4}-[0-9]{2}-[0-9]{2}`
	dateTimePattern = `[0-9]{4}(-[0-9]{2}(-[0-9]{2}(T[0-9]{2}(:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?)?)?| [0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?)?)?)?`
)

// valueSchema is the schema of the operator's value.
func (f *filter) valueSchema(op string) obj {
	if op == "exists" || op == "empty" || f.Kind == kBool {
		return ref("schemas", "FilterBoolean") // true, false, yes, no, 1, 0
	}
	if op != "eq" && contains(textOps, op) && f.Rel == nil {
		return obj{"type", "string"}
	}
	one := f.onePattern()
	if !f.lists(op) {
		return f.single()
	}
	if one == "" { // string ids: any text, a comma separates values
		return obj{"type", "string"}
	}
	pattern := "^" + one + "(," + one + ")*$"
	if f.ranges(op) {
		pattern = "^(" + one + `\.\.` + one + "|" + one + "(," + one + ")*)$"
	}
	return obj{"type", "string", "pattern", pattern}
}

// single is the schema of one value.
func (f *filter) single() obj {
	switch f.Kind {
	case kInt:
		return obj{"type", "integer", "format", "int64"}
	case kNumber:
		return obj{"type", "number"}
	case kDecimal:
		return obj{"type", "string", "format", "decimal", "pattern", "^" + decimalPattern + "$"}
	case kDate:
		return obj{"type", "string", "format", "date"}
	case kDateTime:
		return obj{"type", "string", "pattern", "^" + dateTimePattern + "$"}
	}
	if f.Enum != nil {
		return obj{"type", "string", "enum", f.Enum}
	}
	return obj{"type", "string"}
}

// onePattern is the pattern of one value in a list, "" for text.
func (f *filter) onePattern() string {
	switch {
	case f.Enum != nil:
		quoted := make([]string, len(f.Enum))
		for i, e := range f.Enum {
			quoted[i] = regexp.QuoteMeta(e)
		}
		return "(" + strings.Join(quoted, "|") + ")"
	case f.Kind == kInt:
		return intPattern
	case f.Kind == kNumber:
		return numberPattern
	case f.Kind == kDecimal:
		return decimalPattern
	case f.Kind == kDate:
		return datePattern
	case f.Kind == kDateTime:
		return dateTimePattern
	}
	return ""
}
