package jsonapi

import (
	"context"
	"net/url"
	"strconv"
	"strings"
)

// includeChunk is the most ids one include query asks for.
const includeChunk = 5000

// includer loads the resources that `include` asks for: one store query per node of the include
// tree (so per include path segment), never one per record, and renders each resource once. It
// renders at most Limits.MaxIncluded resources: beyond, the request fails (api.md section 20).
type includer struct {
	api  *API
	view *view
	root *node
	seen map[string]bool // "type\x00id" of every resource in the document (primary included)
	// seenPrimary: primary records go into seen only when the include tree reaches their type
	// again (elsewhere their ids cannot come up): a streamed list does not keep every id.
	seenPrimary bool
	primary     int // primary records collected
	out         []byte
	n           int
	limit       int
}

// node is one relationship step of the include tree, with the ids collected for it so far;
// ids[done:] are not loaded yet.
type node struct {
	rel      int
	res      *Resource // the resource type that has the relationship
	children []*node
	ids      []string
	idSet    map[string]bool
	done     int
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
	inc := &includer{api: a, view: v, root: root, seen: map[string]bool{}, limit: a.Limits.MaxIncluded}
	var walk func(n *node)
	walk = func(n *node) {
		for _, ch := range n.children {
			inc.seenPrimary = inc.seenPrimary || ch.target() == r
			walk(ch)
		}
	}
	walk(root)
	return inc
}

// tooManyIncluded is the error of a response whose included resources exceed the limit.
func (inc *includer) tooManyIncluded() *Error {
	return BadParameter("include", TitleFilter, "The number of included resources exceeds "+strconv.Itoa(inc.limit)+".")
}

// overflow reports whether the ids collected so far are more than the limit can ever admit,
// whatever turns out to be in the document already: collecting further is pointless.
func (inc *includer) overflow() bool {
	var walk func(n *node) bool
	walk = func(n *node) bool {
		for _, ch := range n.children {
			if len(ch.ids)-ch.done > inc.limit+inc.primary || walk(ch) {
				return true
			}
		}
		return false
	}
	return inc.limit > 0 && walk(inc.root)
}

// target is the type a node's records have: the root's own type, else its relationship's target.
func (n *node) target() *Resource {
	if n.idSet == nil {
		return n.res
	}
	return n.res.targets[n.rel]
}

func (inc *includer) collect(rec *Record) {
	inc.primary++
	if inc.seenPrimary {
		inc.seen[inc.root.res.Type+"\x00"+rec.ID] = true
	}
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

// appendIncluded loads what is left of the include tree and appends the "included" member: the
// resources rendered so far, then the loaded ones, rendered straight into the document.
func (inc *includer) appendIncluded(ctx context.Context, b []byte) ([]byte, error) {
	n := len(b)
	// the loaded ones go into the document's buffer, not into inc.out first (which grew from
	// nothing and was copied: two thirds of what a page with included contacts allocated)
	inc.out = append(append(b, `,"included":[`...), inc.out...)
	if err := inc.load(ctx); err != nil {
		return inc.out[:n], err
	}
	return append(inc.out, ']'), nil
}

// load loads the ids collected and not loaded yet, breadth first (the records loaded for a node
// give its children their ids), and renders them.
func (inc *includer) load(ctx context.Context) error {
	level := inc.root.children
	for len(level) > 0 {
		var next []*node
		for _, n := range level {
			t := n.target()
			// One query per node; only very large results (everything with page[size]=-1) are
			// read in chunks, because databases bound the number of statement parameters.
			for n.done < len(n.ids) {
				chunk := n.ids[n.done:min(len(n.ids), n.done+includeChunk)]
				n.done += len(chunk)
				if inc.limit > 0 {
					fresh := 0
					for _, id := range chunk {
						if !inc.seen[t.Type+"\x00"+id] {
							fresh++
						}
					}
					if inc.n+fresh > inc.limit {
						return inc.tooManyIncluded()
					}
				}
				err := inc.api.Store.Find(ctx, &Query{Resource: t, IDs: chunk, Limit: -1, Transient: true}, func(rec *Record) bool {
					inc.add(t, rec, nil)
					collectInto(n, rec)
					return true
				})
				if err != nil {
					return err
				}
			}
			next = append(next, n.children...)
		}
		level = next
	}
	return nil
}

func cutAmp(s string) (string, string, bool) { return strings.Cut(s, "&") }

func unescape(s string) string {
	if d, err := url.QueryUnescape(s); err == nil {
		return d
	}
	return s
}
