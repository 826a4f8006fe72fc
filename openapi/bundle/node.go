package main

import (
	"fmt"

	"gopkg.in/yaml.v3"
)

// obj is an ordered YAML mapping under construction, written as alternating keys and values:
// obj{"type", "object", "properties", obj{…}}. The bundler writes the document in the order a
// reader expects (type before properties, 200 before 400), which Go maps would lose. A nil value
// leaves its key out, so optional members can be written inline; null writes a YAML null.
type obj []any

// null is an explicit null value (examples of nullable fields).
var null = &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}

// MarshalYAML builds the mapping node.
func (o obj) MarshalYAML() (any, error) {
	if len(o)%2 != 0 {
		return nil, fmt.Errorf("obj: odd number of entries after %v", o[0])
	}
	n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	for i := 0; i < len(o); i += 2 {
		if o[i+1] == nil {
			continue
		}
		key, ok := o[i].(string)
		if !ok {
			return nil, fmt.Errorf("obj: key %v is not a string", o[i])
		}
		v, err := toNode(o[i+1])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", key, err)
		}
		n.Content = append(n.Content, str(key), v)
	}
	return n, nil
}

// toNode turns a value into a YAML node (nodes are copied as they are).
func toNode(v any) (*yaml.Node, error) {
	if n, ok := v.(*yaml.Node); ok {
		return n, nil
	}
	var n yaml.Node
	if err := n.Encode(v); err != nil {
		return nil, err
	}
	return &n, nil
}

// str is a string scalar node; keys such as '200' stay strings.
func str(s string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
	return n
}

// ref is a reference object to a component: ref("schemas", "accounts").
func ref(kind, name string) obj {
	return obj{"$ref", "#/components/" + kind + "/" + name}
}

// opt leaves an empty string out of an obj.
func opt(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// lookup returns the value under key in a mapping node, or nil.
func lookup(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// child returns the mapping under key, creating it when missing.
func child(m *yaml.Node, key string) *yaml.Node {
	if n := lookup(m, key); n != nil {
		if n.Kind != yaml.MappingNode || n.Style == yaml.FlowStyle {
			n.Kind, n.Style, n.Tag = yaml.MappingNode, 0, "!!map"
		}
		return n
	}
	n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	m.Content = append(m.Content, str(key), n)
	return n
}

// keys lists the keys of a mapping node in order.
func keys(m *yaml.Node) []string {
	if m == nil {
		return nil
	}
	out := make([]string, 0, len(m.Content)/2)
	for i := 0; i+1 < len(m.Content); i += 2 {
		out = append(out, m.Content[i].Value)
	}
	return out
}

// set adds or replaces key in a mapping node.
func set(m *yaml.Node, key string, v *yaml.Node) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content[i+1] = v
			return
		}
	}
	m.Content = append(m.Content, str(key), v)
}

// deepCopy copies a node tree, so that a schema written once can be placed in several
// components and changed in one of them.
func deepCopy(n *yaml.Node) *yaml.Node {
	if n == nil {
		return nil
	}
	c := *n
	c.Content = make([]*yaml.Node, len(n.Content))
	for i, k := range n.Content {
		c.Content[i] = deepCopy(k)
	}
	return &c
}
