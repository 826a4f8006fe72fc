package resources

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"gopkg.in/yaml.v3"

	"webapi/server/jsonapi"
)

// Spec is the OpenAPI document with the property order of its schemas, which kin-openapi's maps
// do not keep (documents list attributes in the order the document declares them).
type Spec struct {
	Doc   *openapi3.T
	order map[string][]string // schema name → property names in document order
}

// LoadSpec parses the bundled document (YAML or JSON): the server's is gen.EngineYAML, the
// document reduced to what is read here. It does not validate it: the bundler did when it
// wrote it (TestEmbeddedSpecsAreValid checks the embedded ones), and validating it again
// took up to a tenth of a server's start.
func LoadSpec(data []byte) (*Spec, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(data)
	if err != nil {
		return nil, err
	}
	var raw struct {
		Components struct {
			Schemas map[string]yaml.Node `yaml:"schemas"`
		} `yaml:"components"`
	}
	if err := yaml.Unmarshal(data, &raw); err != nil {
		return nil, err
	}
	s := &Spec{Doc: doc, order: map[string][]string{}}
	for name, node := range raw.Components.Schemas {
		s.order[name] = propertyOrder(&node)
	}
	for _, item := range doc.Paths.Map() {
		// The document describes HEAD and OPTIONS for clients, but the server answers them
		// for every path by its method rules (HEAD as GET without a body, OPTIONS with Allow),
		// not as operations of the engine: Doc lists the operations the engine serves.
		item.Head, item.Options = nil, nil
	}
	return s, nil
}

func propertyOrder(n *yaml.Node) []string {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == "properties" {
			props := n.Content[i+1]
			names := make([]string, 0, len(props.Content)/2)
			for j := 0; j < len(props.Content); j += 2 {
				names = append(names, props.Content[j].Value)
			}
			return names
		}
	}
	return nil
}

func (s *Spec) schema(name string) *openapi3.Schema {
	if ref := s.Doc.Components.Schemas[name]; ref != nil {
		return ref.Value
	}
	return nil
}

// resource reads what the document says about type d.Type: attributes, relationships, methods,
// filters, sort fields and meta options. The declaration adds the rest.
func (s *Spec) resource(d *Decl) (*jsonapi.Resource, error) {
	r := &jsonapi.Resource{Type: d.Type, IntID: d.IDs == Serial, ClientID: d.IDs == ClientCode, Title: d.Title}
	attrs := s.schema(d.Type + "Attributes")
	if attrs == nil {
		return nil, fmt.Errorf("%s: no schema %sAttributes", d.Type, d.Type)
	}
	required := requiredOf(s.schema(d.Type + "CreateAttributes"))
	for _, name := range s.order[d.Type+"Attributes"] {
		a, err := attribute(name, attrs.Properties[name].Value)
		if err != nil {
			return nil, fmt.Errorf("%s.%s: %w", d.Type, name, err)
		}
		a.Required = required[name]
		r.Attrs = append(r.Attrs, a)
	}
	if rels := s.schema(d.Type + "Relationships"); rels != nil {
		var requiredRels map[string]bool
		if c := s.schema(d.Type + "Create"); c != nil && c.Properties["relationships"] != nil {
			requiredRels = requiredOf(c.Properties["relationships"].Value)
		}
		for _, name := range s.order[d.Type+"Relationships"] {
			rel, err := relationship(name, rels.Properties[name].Value)
			if err != nil {
				return nil, fmt.Errorf("%s.%s: %w", d.Type, name, err)
			}
			rel.Required = requiredRels[name]
			r.Rels = append(r.Rels, rel)
		}
	}
	names := make([]string, 0, len(d.Subresources))
	for name := range d.Subresources {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if s.Doc.Paths.Find("/api/"+d.Type+"/{id}/"+name) == nil {
			return nil, fmt.Errorf("%s: no path of the subresource %s", d.Type, name)
		}
		r.Rels = append(r.Rels, jsonapi.Rel{Name: name, Target: d.Subresources[name], ToMany: true, ReadOnly: true, Hidden: true})
	}
	if d.Through != "" {
		return r, nil // no paths of its own
	}
	if err := s.operations(d.Type, r); err != nil {
		return nil, err
	}
	return r, nil
}

// requiredOf collects the required property names of a schema (and of its allOf members,
// should a create schema ever be composed).
func requiredOf(sc *openapi3.Schema) map[string]bool {
	out := map[string]bool{}
	if sc == nil {
		return out
	}
	for _, n := range sc.Required {
		out[n] = true
	}
	for _, m := range sc.AllOf {
		for n := range requiredOf(m.Value) {
			out[n] = true
		}
	}
	return out
}

// attribute maps a property schema to an attribute declaration.
func attribute(name string, sc *openapi3.Schema) (jsonapi.Attr, error) {
	a := jsonapi.Attr{Name: name, Nullable: sc.Nullable, ReadOnly: sc.ReadOnly, WriteOnly: sc.WriteOnly}
	a.Unique, _ = sc.Extensions["x-unique"].(bool)
	if min, ok := sc.Extensions["x-minimum"].(float64); ok {
		a.Min = &min
		a.MinExclusive, _ = sc.Extensions["x-exclusive-minimum"].(bool)
	}
	switch {
	case sc.Type.Is("string"):
		a.Kind = jsonapi.String
		switch sc.Format {
		case "date-time":
			a.Kind = jsonapi.DateTime
		case "date":
			a.Kind = jsonapi.Date
		case "decimal":
			a.Kind = jsonapi.Decimal
		case "email":
			a.Email = true
		}
		if sc.MaxLength != nil {
			a.MaxLen = int(*sc.MaxLength)
		}
		a.MinLen = int(sc.MinLength)
		for _, e := range sc.Enum {
			if e != nil { // a nullable enum lists null among its values
				a.Enum = append(a.Enum, fmt.Sprint(e))
			}
		}
		if sc.Pattern != "" {
			re, err := regexp.Compile(sc.Pattern)
			if err != nil {
				return a, err
			}
			a.Pattern = re
		}
	case sc.Type.Is("integer"):
		a.Kind = jsonapi.Int
		if sc.Min != nil {
			a.Min = sc.Min
		}
	case sc.Type.Is("number"):
		a.Kind = jsonapi.Float
		if sc.Min != nil {
			a.Min = sc.Min
		}
	case sc.Type.Is("boolean"):
		a.Kind = jsonapi.Bool
	case sc.Type.Is("object"), sc.Type.Is("array"):
		a.Kind, a.Check = jsonapi.JSON, check(sc)
	default:
		return a, fmt.Errorf("unsupported schema type %v", sc.Type)
	}
	return a, nil
}

// check validates a JSON attribute value against its schema in the document (only on writes of
// structured attributes), and reports the first problem where it is, as the constraint it breaks.
func check(sc *openapi3.Schema) func(v any) *jsonapi.Error {
	return func(v any) *jsonapi.Error {
		err := sc.VisitJSON(v)
		if err == nil {
			return nil
		}
		var se *openapi3.SchemaError
		if !errors.As(err, &se) {
			return &jsonapi.Error{Title: jsonapi.TitleType, Detail: "This value is not valid."}
		}
		at := ""
		for _, p := range se.JSONPointer() {
			at += "/" + p
		}
		switch se.SchemaField {
		case "enum":
			return &jsonapi.Error{Pointer: at, Title: jsonapi.TitleChoice, Detail: "The value you selected is not a valid choice."}
		case "required": // the pointer names the missing property already
			return &jsonapi.Error{Pointer: at, Title: jsonapi.TitleNotBlank, Detail: "This value should not be blank."}
		case "additionalProperties", "properties":
			if name, ok := quoted(se.Reason); ok && strings.HasSuffix(se.Reason, "is unsupported") {
				return &jsonapi.Error{Pointer: at + "/" + name, Title: jsonapi.TitleExtraFields,
					Detail: fmt.Sprintf("This form should not contain extra fields: %q.", name)}
			}
		case "type":
			return &jsonapi.Error{Pointer: at, Title: jsonapi.TitleType, Detail: fmt.Sprintf("This value should be of type %s.", se.Schema.Type.Slice()[0])}
		}
		return &jsonapi.Error{Pointer: at, Title: jsonapi.TitleType, Detail: "This value is not valid: " + firstLine(se.Reason)}
	}
}

// quoted returns the first double-quoted word of s (kin-openapi names properties that way).
func quoted(s string) (string, bool) {
	_, rest, ok := strings.Cut(s, `"`)
	if !ok {
		return "", false
	}
	name, _, ok := strings.Cut(rest, `"`)
	return name, ok
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return strings.TrimSuffix(s, ".") + "."
}

// relationship maps a relationship property (a $ref to <type>ToOne, <type>ToMany or their
// ReadOnly forms) to a declaration. The target type is the enum of the identifier's type.
func relationship(name string, sc *openapi3.Schema) (jsonapi.Rel, error) {
	rel := jsonapi.Rel{Name: name, ReadOnly: sc.ReadOnly}
	data := sc.Properties["data"]
	if data == nil {
		return rel, fmt.Errorf("no data property")
	}
	ident := data.Value
	if ident.Type.Is("array") {
		rel.ToMany = true
		ident = ident.Items.Value
	}
	t := ident.Properties["type"]
	if t == nil || len(t.Value.Enum) != 1 {
		return rel, fmt.Errorf("the identifier has no single type")
	}
	rel.Target = fmt.Sprint(t.Value.Enum[0])
	return rel, nil
}

// operations reads the methods, filters, sort fields and meta options from the paths.
func (s *Spec) operations(typ string, r *jsonapi.Resource) error {
	coll := s.Doc.Paths.Find("/api/" + typ)
	item := s.Doc.Paths.Find("/api/" + typ + "/{id}")
	if coll == nil || item == nil {
		return fmt.Errorf("%s: paths missing", typ)
	}
	r.Methods = jsonapi.Methods{List: coll.Get != nil, Create: coll.Post != nil, DeleteList: coll.Delete != nil,
		Get: item.Get != nil, Update: item.Patch != nil, Delete: item.Delete != nil}
	r.Filters = map[string]*jsonapi.Filter{}
	r.Sorts = map[string]int{}
	if coll.Get == nil {
		return nil
	}
	var opParams []string // filter[name][op]
	for _, p := range coll.Get.Parameters {
		pv := p.Value
		switch {
		case strings.HasPrefix(pv.Name, "filter[") && strings.Count(pv.Name, "[") == 2:
			opParams = append(opParams, pv.Name)
		case strings.HasPrefix(pv.Name, "filter["):
			f, err := filterOf(r, pv)
			if err != nil {
				return fmt.Errorf("%s: %w", typ, err)
			}
			r.Filters[f.Name] = f
		case pv.Name == "sort":
			fields, _ := pv.Extensions["x-sort-fields"].([]any)
			for _, f := range fields {
				name := fmt.Sprint(f)
				i := r.AttrIndex(name)
				if i < 0 && name != "id" {
					return fmt.Errorf("%s: sort field %q names no attribute", typ, name)
				}
				r.Sorts[name] = i
			}
		}
	}
	for _, name := range opParams {
		field, op, _ := strings.Cut(strings.TrimSuffix(strings.TrimPrefix(name, "filter["), "]"), "][")
		if f := r.Filters[field]; f == nil || !slices.Contains(f.Operators, jsonapi.Operator(op)) {
			return fmt.Errorf("%s: parameter %s: not an operator that x-operators of filter[%s] lists", typ, name, field)
		}
	}
	if coll.Post != nil {
		r.Validate, _ = coll.Post.Extensions["x-validate"].(bool)
		if sets, ok := coll.Post.Extensions["x-upsert"].([]any); ok {
			for _, set := range sets {
				var fields []string
				for _, f := range set.([]any) {
					fields = append(fields, fmt.Sprint(f))
				}
				if len(fields) == 1 && fields[0] == "id" {
					r.Upsert.ByID = true
				} else {
					r.Upsert.Fields = append(r.Upsert.Fields, fields)
				}
			}
		}
	}
	return nil
}

// filterOf reads the filter that the equality parameter filter[name] declares. Its operators
// (x-operators) are checked here, at start-up: an operator the engine does not know, or cannot
// apply to the field's kind, would otherwise fail only when a request uses it.
func filterOf(r *jsonapi.Resource, p *openapi3.Parameter) (*jsonapi.Filter, error) {
	name := strings.TrimSuffix(strings.TrimPrefix(p.Name, "filter["), "]")
	f := &jsonapi.Filter{Name: name, Attr: r.AttrIndex(name), Rel: r.RelIndex(name), ID: name == "id"}
	if f.Attr < 0 && f.Rel < 0 && !f.ID {
		return nil, fmt.Errorf("filter %q names no field", name)
	}
	valid := validOperators(r, f)
	if len(valid) == 0 {
		return nil, fmt.Errorf("filter %q: its field cannot be filtered", name)
	}
	ops, ok := p.Extensions["x-operators"].([]any)
	if !ok || len(ops) == 0 {
		return nil, fmt.Errorf("filter %q: no x-operators", name)
	}
	for _, o := range ops {
		op := jsonapi.Operator(fmt.Sprint(o))
		if !slices.Contains(valid, op) {
			return nil, fmt.Errorf("filter %q: operator %q is unknown or not valid for its field (valid: %v)", name, op, valid)
		}
		f.Operators = append(f.Operators, op)
	}
	return f, nil
}

// validOperators are the operators the engine (and the store's query building) can apply to
// a filter, by what it filters (api.md section 8): ordering for ids and ordered kinds (not for
// text, whose order differs between databases), the text operators for text, membership for
// to-many relationships.
func validOperators(r *jsonapi.Resource, f *jsonapi.Filter) []jsonapi.Operator {
	base := []jsonapi.Operator{jsonapi.OpEq, jsonapi.OpNeq}
	null := []jsonapi.Operator{jsonapi.OpExists, jsonapi.OpNeqOrNull, jsonapi.OpEmpty}
	order := []jsonapi.Operator{jsonapi.OpLt, jsonapi.OpLte, jsonapi.OpGt, jsonapi.OpGte}
	text := []jsonapi.Operator{jsonapi.OpContains, jsonapi.OpNotContains, jsonapi.OpStartsWith, jsonapi.OpNotStartsWith, jsonapi.OpEndsWith, jsonapi.OpNotEndsWith}
	switch {
	case f.ID:
		return slices.Concat(base, order, null)
	case f.Rel >= 0 && r.Rels[f.Rel].ToMany:
		return slices.Concat(base, null, []jsonapi.Operator{jsonapi.OpContains, jsonapi.OpNotContains})
	case f.Rel >= 0:
		return slices.Concat(base, null)
	}
	switch r.Attrs[f.Attr].Kind {
	case jsonapi.Int, jsonapi.Float, jsonapi.Decimal, jsonapi.Date, jsonapi.DateTime:
		return slices.Concat(base, order, null)
	case jsonapi.String:
		return slices.Concat(base, null, text)
	case jsonapi.Bool:
		return slices.Concat(base, null)
	}
	return nil // JSON values are not filtered
}
