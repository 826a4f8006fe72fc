package jsonapi

import (
	"context"
	"net/url"
	"strings"
)

// includeChunk is the most ids one include query asks for.
const includeChunk = 5000

// includer loads the resources that `include` asks for: one store query per node of the include
// tree (so per include path segment), never one per record, and renders each resource once.
type includer struct {
	api  *API
	view *view
	root *node
	seen map[string]bool // "type\x00id" of every resource in the document (primary included)
	out  []byte
	n    int
}

// node is one relationship step of the include tree, with the ids collected for it so far.
type node struct {
	rel      int
	res      *Resource // the resource type that has the relationship
	children []*node
	ids      []string
	idSet    map[string]bool
}

func newIncluder(a *API, v *view, r *Resource, paths []includePath) *includer {
	root := &node{res: r}
	for _, p := range paths {
		cur := root
		for _, rel := range p.rels {
			var next *node
			for _, ch := range cur.children {
				if ch.rel == rel {
					next = ch
				}
			}
			if next == nil {
				next = &node{rel: rel, res: cur.target(), idSet: map[string]bool{}}
				cur.children = append(cur.children, next)
			}
			cur = next
		}
	}
	return &includer{api: a, view: v, root: root, seen: map[string]bool{}}
}

// target is the type a node's records have: the root's own type, else its relationship's target.
func (n *node) target() *Resource {
	if n.idSet == nil {
		return n.res
	}
	return n.res.targets[n.rel]
}

func (inc *includer) collect(rec *Record) {
	inc.seen[inc.root.res.Type+"\x00"+rec.ID] = true
	collectInto(inc.root, rec)
}

// add renders a resource into included unless the document has it already (the resources a
// write request created or updated, with their meta).
func (inc *includer) add(r *Resource, rec *Record, meta []byte) {
	key := r.Type + "\x00" + rec.ID
	if inc.seen[key] {
		return
	}
	inc.seen[key] = true
	if inc.n > 0 {
		inc.out = append(inc.out, ',')
	}
	inc.out = inc.view.appendResource(inc.out, r, rec, meta)
	inc.n++
}

func collectInto(parent *node, rec *Record) {
	for _, ch := range parent.children {
		for _, id := range rec.Links[ch.rel] {
			if !ch.idSet[id] {
				ch.idSet[id] = true
				ch.ids = append(ch.ids, id)
			}
		}
	}
}

// appendIncluded loads the include tree breadth first and appends the "included" member: the
// resources rendered so far, then the loaded ones, rendered straight into the document.
func (inc *includer) appendIncluded(ctx context.Context, b []byte) ([]byte, error) {
	b = append(b, `,"included":[`...)
	inc.out = append(b, inc.out...)
	level := inc.root.children
	for len(level) > 0 {
		var next []*node
		for _, n := range level {
			if len(n.ids) == 0 {
				continue
			}
			t := n.target()
			// One query per node; only very large results (everything with page[size]=-1) are
			// read in chunks, because databases bound the number of statement parameters.
			for ids := n.ids; len(ids) > 0; {
				chunk := ids[:min(len(ids), includeChunk)]
				ids = ids[len(chunk):]
				err := inc.api.Store.Find(ctx, &Query{Resource: t, IDs: chunk, Limit: -1}, func(rec *Record) bool {
					inc.add(t, rec, nil)
					collectInto(n, rec)
					return true
				})
				if err != nil {
					return b, err
				}
			}
			next = append(next, n.children...)
		}
		level = next
	}
	return append(inc.out, ']'), nil
}

func cutAmp(s string) (string, string, bool) { return strings.Cut(s, "&") }

func unescape(s string) string {
	if d, err := url.QueryUnescape(s); err == nil {
		return d
	}
	return s
}
