package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"
)

// typeFile is one resource type as openapi/types/<type>.yaml declares it: the x-resource
// declaration and the type's component schemas (<type>Attributes and the named schemas its
// attributes refer to).
type typeFile struct {
	Type    string // the file name: the JSON:API type
	Decl    declaration
	Schemas *yaml.Node // components.schemas of the file
	Attrs   []*attribute
	Rels    []*relationship
	Subs    []*subresource
}

// declaration is the x-resource extension of a type file: every fact about the type that is not
// an attribute's schema, stated once.
type declaration struct {
	One         string   `yaml:"one"`         // one resource, with its article: "an account"
	Many        string   `yaml:"many"`        // several: "accounts"
	Description string   `yaml:"description"` // what a resource of the type is
	ID          idDecl   `yaml:"id"`
	Methods     []string `yaml:"methods"` // of list, get, create, update, delete, deleteList
	// SubresourceOnly declares a type that has no paths of its own: its resources are reachable
	// only as the subresource of another type (x-resource.subresources of that type), such as
	// asyncoperationerrors under /api/asyncoperations/{id}/errors. Its methods are [] and it
	// has no tag; only the schemas its subresource refers to are derived (<type>,
	// <type>Collection and their plain forms), not its filters, sorting or write bodies.
	SubresourceOnly bool `yaml:"subresourceOnly"`
	// Subresources maps the name of each subresource that is not a relationship to its
	// declaration, in document order: GET /api/<type>/{id}/<name> lists resources of a
	// subresourceOnly type that belong to the record (paged; HEAD and OPTIONS as everywhere).
	// It has no relationship endpoint, no filter and no include path, and the relationships
	// schema does not name it (api.md section 12: the errors of an async operation).
	Subresources yaml.Node `yaml:"subresources"`
	// Relationships maps each relationship name to its declaration, in document order.
	Relationships yaml.Node `yaml:"relationships"`
	// Required names the attributes and relationships a create must give.
	Required []string `yaml:"required"`
	// Filters lists the filterable fields besides id, which every type has; each takes the
	// default operators of its kind (api.md section 8). TextFilters also take the text
	// operators; Operators replaces the operators of a filter altogether.
	Filters     []string            `yaml:"filters"`
	TextFilters []string            `yaml:"textFilters"`
	Operators   map[string][]string `yaml:"operators"`
	Sort        []string            `yaml:"sort"` // sort fields besides id
	// Upsert lists the field sets that may find the record of an upsert; [id] for types whose
	// ids the client assigns (then PATCH upserts too).
	Upsert   [][]string `yaml:"upsert"`
	Validate bool       `yaml:"validate"` // meta.validate is allowed
	// Headers names header parameters (components.parameters of openapi.yaml) that change the
	// resources of this type, declared on every operation that returns them.
	Headers []string `yaml:"headers"`
}

// idDecl says who assigns a type's ids and what they look like.
type idDecl struct {
	Kind        string `yaml:"kind"` // serial (the default: integers the server assigns), code (fixed codes), client (codes the client assigns)
	Description string `yaml:"description"`
	Example     string `yaml:"example"`
}

// relDecl is the declaration of one relationship.
type relDecl struct {
	ToOne       string `yaml:"toOne"`  // the related type of a to-one relationship
	ToMany      string `yaml:"toMany"` // the related type of a to-many relationship
	ReadOnly    bool   `yaml:"readOnly"`
	Description string `yaml:"description"`
}

// subDecl is the declaration of one subresource that is not a relationship.
type subDecl struct {
	Type        string `yaml:"type"`        // the subresourceOnly type it lists
	Description string `yaml:"description"` // what it lists, a sentence
}

// subresource is a declared subresource with its name.
type subresource struct {
	Name string
	subDecl
}

// label is the English name of a subresource: "errors".
func (s *subresource) label() string { return words(s.Name) }

// relationship is a declared relationship with its name.
type relationship struct {
	Name string
	relDecl
}

// Target is the related type.
func (r *relationship) Target() string { return r.ToOne + r.ToMany }

// Many reports a to-many relationship.
func (r *relationship) Many() bool { return r.ToMany != "" }

// attribute is one property of <type>Attributes, with what the bundler needs to know of its
// schema (it is copied into the document as written).
type attribute struct {
	Name   string
	Schema *yaml.Node
	// of the schema, or of the named schema it refers to
	Type, Format, Pattern         string
	Enum                          []any
	Nullable, ReadOnly, WriteOnly bool
	Example                       *yaml.Node
	Default                       *yaml.Node
}

// scalar reports the kinds that filters and sorting know (not objects or arrays).
func (a *attribute) scalar() bool {
	return a.Type == "string" || a.Type == "integer" || a.Type == "number" || a.Type == "boolean"
}

func readTypeFile(path string) (*typeFile, error) {
	root, err := readYAML(path)
	if err != nil {
		return nil, err
	}
	t := &typeFile{Type: strings.TrimSuffix(filepath.Base(path), ".yaml")}
	for _, key := range keys(root) {
		if key != "x-resource" && key != "components" {
			return nil, fmt.Errorf("%s: unexpected top-level key %q (a type file has x-resource and components)", path, key)
		}
	}
	declNode := lookup(root, "x-resource")
	if declNode == nil {
		return nil, fmt.Errorf("%s: no x-resource", path)
	}
	if err := decodeStrict(declNode, &t.Decl); err != nil {
		return nil, fmt.Errorf("%s: x-resource: %w", path, err)
	}
	comps := lookup(root, "components")
	for _, key := range keys(comps) {
		if key != "schemas" {
			return nil, fmt.Errorf("%s: components.%s: a type file declares schemas only (the rest is derived)", path, key)
		}
	}
	t.Schemas = lookup(comps, "schemas")
	if err := t.read(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

// decodeStrict decodes a node, refusing keys the target does not have (a misspelt fact must not
// vanish silently).
func decodeStrict(n *yaml.Node, v any) error {
	data, err := yaml.Marshal(n)
	if err != nil {
		return err
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	return dec.Decode(v)
}

// read checks the declaration and collects the attributes and relationships.
func (t *typeFile) read() error {
	d := &t.Decl
	if d.One == "" || d.Many == "" || d.Description == "" {
		return fmt.Errorf("x-resource needs one, many and description")
	}
	if _, _, ok := strings.Cut(d.One, " "); !ok {
		return fmt.Errorf("x-resource.one %q needs its article (a/an)", d.One)
	}
	switch d.ID.Kind {
	case "":
		d.ID.Kind = "serial"
	case "serial", "code", "client":
	default:
		return fmt.Errorf("x-resource.id.kind %q: serial, code or client", d.ID.Kind)
	}
	if d.ID.Kind != "serial" && d.ID.Example == "" {
		return fmt.Errorf("x-resource.id: codes need an example")
	}
	for _, m := range d.Methods {
		if !contains([]string{"list", "get", "create", "update", "delete", "deleteList"}, m) {
			return fmt.Errorf("x-resource.methods: unknown method %q", m)
		}
	}
	switch {
	case d.SubresourceOnly && (len(d.Methods) > 0 || len(d.Filters) > 0 || len(d.Sort) > 0 || len(d.Upsert) > 0 || d.Validate ||
		len(d.Required) > 0 || len(d.Relationships.Content) > 0 || len(d.Subresources.Content) > 0):
		return fmt.Errorf("x-resource: a subresourceOnly type has methods [] and no relationships, subresources, required fields, filters, sort, upsert or validate")
	case !d.SubresourceOnly && (!t.has("list") || !t.has("get")):
		return fmt.Errorf("x-resource.methods: every type has list and get")
	}
	attrs := lookup(t.Schemas, t.Type+"Attributes")
	if attrs == nil {
		return fmt.Errorf("no components.schemas.%sAttributes", t.Type)
	}
	props := lookup(attrs, "properties")
	for i := 0; props != nil && i+1 < len(props.Content); i += 2 {
		a, err := t.attribute(props.Content[i].Value, props.Content[i+1])
		if err != nil {
			return err
		}
		t.Attrs = append(t.Attrs, a)
	}
	rels := &d.Relationships
	for i := 0; i+1 < len(rels.Content); i += 2 {
		r := &relationship{Name: rels.Content[i].Value}
		if err := decodeStrict(rels.Content[i+1], &r.relDecl); err != nil {
			return fmt.Errorf("relationship %s: %w", r.Name, err)
		}
		if (r.ToOne == "") == (r.ToMany == "") {
			return fmt.Errorf("relationship %s: give either toOne or toMany", r.Name)
		}
		if t.attr(r.Name) != nil {
			return fmt.Errorf("relationship %s: an attribute has this name", r.Name)
		}
		t.Rels = append(t.Rels, r)
	}
	subs := &d.Subresources
	for i := 0; i+1 < len(subs.Content); i += 2 {
		sr := &subresource{Name: subs.Content[i].Value}
		if err := decodeStrict(subs.Content[i+1], &sr.subDecl); err != nil {
			return fmt.Errorf("subresource %s: %w", sr.Name, err)
		}
		if sr.Type == "" || sr.Description == "" {
			return fmt.Errorf("subresource %s: give type and description", sr.Name)
		}
		if t.attr(sr.Name) != nil || t.rel(sr.Name) != nil || sr.Name == "relationships" {
			return fmt.Errorf("subresource %s: an attribute or relationship has this name", sr.Name)
		}
		t.Subs = append(t.Subs, sr)
	}
	for _, name := range d.Required {
		if t.attr(name) == nil && t.rel(name) == nil {
			return fmt.Errorf("x-resource.required: %q is no attribute or relationship", name)
		}
	}
	for _, name := range append(append([]string{}, d.Filters...), d.TextFilters...) {
		a := t.attr(name)
		if t.rel(name) == nil && (a == nil || !a.scalar()) {
			return fmt.Errorf("x-resource.filters: %q is no scalar attribute or relationship", name)
		}
	}
	for _, name := range d.TextFilters {
		if !contains(d.Filters, name) {
			return fmt.Errorf("x-resource.textFilters: %q is not among the filters", name)
		}
	}
	for name := range d.Operators {
		if name != "id" && !contains(d.Filters, name) {
			return fmt.Errorf("x-resource.operators: %q is not among the filters", name)
		}
	}
	for _, name := range d.Sort {
		if a := t.attr(name); a == nil || !a.scalar() {
			return fmt.Errorf("x-resource.sort: %q is no scalar attribute", name)
		}
	}
	for _, set := range d.Upsert {
		for _, name := range set {
			if name != "id" && t.attr(name) == nil {
				return fmt.Errorf("x-resource.upsert: %q is no attribute", name)
			}
		}
		if contains(set, "id") && (len(set) != 1 || d.ID.Kind != "client") {
			return fmt.Errorf("x-resource.upsert: [id] alone, and only for ids the client assigns")
		}
	}
	return nil
}

// attribute reads one property schema; a $ref to a schema of the same file is followed for
// the facts (a product's price is a named, nullable object).
func (t *typeFile) attribute(name string, n *yaml.Node) (*attribute, error) {
	a := &attribute{Name: name, Schema: n}
	facts := n
	if r := lookup(n, "$ref"); r != nil {
		target := strings.TrimPrefix(r.Value, "#/components/schemas/")
		facts = lookup(t.Schemas, target)
		if facts == nil {
			return nil, fmt.Errorf("attribute %s: %s is not a schema of this file", name, r.Value)
		}
	}
	var s struct {
		Type      string    `yaml:"type"`
		Format    string    `yaml:"format"`
		Pattern   string    `yaml:"pattern"`
		Enum      []any     `yaml:"enum"`
		Nullable  bool      `yaml:"nullable"`
		ReadOnly  bool      `yaml:"readOnly"`
		WriteOnly bool      `yaml:"writeOnly"`
		Example   yaml.Node `yaml:"example"`
		Default   yaml.Node `yaml:"default"`
	}
	if err := facts.Decode(&s); err != nil {
		return nil, fmt.Errorf("attribute %s: %w", name, err)
	}
	if s.Type == "" {
		return nil, fmt.Errorf("attribute %s: no type", name)
	}
	a.Type, a.Format, a.Pattern, a.Enum = s.Type, s.Format, s.Pattern, s.Enum
	a.Nullable, a.ReadOnly, a.WriteOnly = s.Nullable, s.ReadOnly, s.WriteOnly
	if s.Example.Kind != 0 {
		a.Example = &s.Example
	}
	if s.Default.Kind != 0 {
		a.Default = &s.Default
	}
	return a, nil
}

func (t *typeFile) attr(name string) *attribute {
	for _, a := range t.Attrs {
		if a.Name == name {
			return a
		}
	}
	return nil
}

func (t *typeFile) rel(name string) *relationship {
	for _, r := range t.Rels {
		if r.Name == name {
			return r
		}
	}
	return nil
}

// has reports whether the type has the method.
func (t *typeFile) has(method string) bool { return contains(t.Decl.Methods, method) }

// writableRel reports whether a relationship can be changed through its own endpoint.
func (t *typeFile) writableRel(r *relationship) bool { return t.has("update") && !r.ReadOnly }

// intIDs reports ids that are integers (in plain documents and filter values).
func (t *typeFile) intIDs() bool { return t.Decl.ID.Kind == "serial" }

// idExample is a valid id of the type.
func (t *typeFile) idExample() string {
	if t.Decl.ID.Example != "" {
		return t.Decl.ID.Example
	}
	return "1"
}

func readYAML(path string) (*yaml.Node, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s: not a mapping", path)
	}
	return doc.Content[0], nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
