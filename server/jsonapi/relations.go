package jsonapi

import (
	"context"
	"net/http"
	"strings"
)

// Subresources and relationship endpoints (api.md section 9).

// relation loads the parent of a /{type}/{id}/{association} URL (association i of c.res): a
// missing one answers 404, one the caller may not view 403.
func (a *API) relation(c *call, id string, i int) (*Record, bool) {
	// of the parent's linkage only a to-one association's is needed (the id of its record); a
	// to-many is read as a page of its own, and its subquery is spared
	links := make([]bool, len(c.res.Rels))
	links[i] = !c.res.Rels[i].ToMany
	parent, err := a.find(c.r.Context(), &Query{Resource: c.res, Scope: ScopeTenant, Report: true, Links: links}, id)
	switch {
	case err != nil:
		c.fail(err)
		return nil, false
	case parent == nil:
		c.fail(NotFound())
		return nil, false
	}
	if e := permit(parent, "", ActionView); e != nil {
		c.fail(e)
		return nil, false
	}
	return parent, true
}

// related is what beginRelated resolved: the association, the parent's id, and the parent
// record when it was read first (nil when the page's own query checks it, parentChecked).
type related struct {
	c      *call
	rel    int
	id     string
	parent *Record
	lp     *listParams
}

// beginRelated starts a GET of a subresource or relationship: it resolves the association,
// reads the query parameters for the related type, those of the families toMany or toOne
// allow, and loads the parent. On a problem it answers the request and returns nil.
//
// A page of a to-many association does not read its parent first: its query finds only the
// records of a parent the caller may view (Parent.Checked), so that a page with records is one
// statement, and only an empty page (a missing or hidden parent, or none related) reads the
// parent to tell 404 and 403 from an empty page (parentChecked). A problem with the parent
// still comes before one with the query parameters.
func (a *API) beginRelated(w http.ResponseWriter, r *http.Request, typ, id, assoc string, toMany, toOne Params) *related {
	c, ok := a.begin(w, r, typ)
	if !ok {
		return nil
	}
	i := c.res.subresourceIndex(assoc) // only a subresource's route reaches here with a hidden one
	if i < 0 {
		c.fail(&Error{Status: http.StatusNotFound, Title: TitleNotFound, Detail: "The relationship \"" + assoc + "\" does not exist."})
		return nil
	}
	allowed := toOne
	switch {
	case c.res.Rels[i].Hidden:
		allowed = ParamPage // a subresource (the errors of an operation) is only paged
	case c.res.Rels[i].ToMany:
		allowed = toMany
	}
	lp, errs := parseParams(a.Schema, c.res.targets[i], c.query, allowed, a.Limits)
	// the count is sent before the page is read, so it needs the parent known first; an id
	// in another form than the parent's own (05 for 5) would show in the links
	if errs == nil && c.res.Rels[i].ToMany && !c.x.totalCount && a.canonicalID(c.res, id) {
		return &related{c: c, rel: i, id: id, lp: lp}
	}
	parent, ok := a.relation(c, id, i)
	if !ok {
		return nil
	}
	if errs != nil {
		c.fail(errs)
		return nil
	}
	return &related{c: c, rel: i, id: parent.ID, parent: parent, lp: lp}
}

// parentQuery is the Parent of the related page.
func (rd *related) parentQuery(res *Resource) *Parent {
	return &Parent{Resource: res, Rel: rd.rel, ID: rd.id, Checked: rd.parent == nil}
}

// parentChecked is called when the related page found no record: where the page's query
// checked the parent, the parent is read now, and a missing or hidden one answers 404 or 403.
// It reports whether the empty page is the answer.
func (rd *related) parentChecked(res *Resource) bool {
	if rd.parent != nil {
		return true
	}
	c := *rd.c
	c.res = res
	_, ok := c.api.relation(&c, rd.id, rd.rel)
	return ok
}

// Related answers GET /api/{type}/{id}/{association}: the related resource (or null) of a
// to-one, a full collection of the related type for a to-many.
func (a *API) Related(w http.ResponseWriter, r *http.Request, typ, id, assoc string) {
	rd := a.beginRelated(w, r, typ, id, assoc, CollectionParams, ResourceParams)
	if rd == nil {
		return
	}
	c, i, lp := rd.c, rd.rel, rd.lp
	r = c.r // with the context Prepare gave it
	rel, target := &c.res.Rels[i], c.res.targets[i]
	ctx := r.Context()
	if rel.ToMany {
		parentRes := c.res
		if q := c.pageQuery(target, lp, rd.parentQuery(parentRes)); q != nil {
			c.res = target
			c.writeCollection(ctx, q, lp, func() bool { return rd.parentChecked(parentRes) })
		}
		return
	}
	var rec *Record
	if ids := rd.parent.Links[i]; len(ids) > 0 {
		var err error
		if rec, err = a.lookup(ctx, target, ids[0], NoLock); err != nil {
			c.fail(err)
			return
		}
		// the identifier is the parent's own value; the record behind it is the caller's to
		// see only with VIEW
		if rec != nil {
			if e := permit(rec, "", ActionView); e != nil {
				c.fail(e)
				return
			}
		}
	}
	if rec == nil {
		v := c.view(lp)
		if v.plain {
			c.send(http.StatusOK, []byte("null"))
			return
		}
		b := []byte(`{"data":null`)
		if v.links {
			b = append(b, `,"links":{"self":`...)
			b = appendLink(b, v.base, r.URL, 0)
			b = append(b, '}')
		}
		c.send(http.StatusOK, append(b, '}'))
		return
	}
	c.res = target
	c.writeItem(ctx, http.StatusOK, rec, lp)
}

// Relationship answers GET /api/{type}/{id}/relationships/{association}: resource identifiers;
// a to-many is paged and sorted like a collection.
func (a *API) Relationship(w http.ResponseWriter, r *http.Request, typ, id, assoc string) {
	rd := a.beginRelated(w, r, typ, id, assoc, LinkageParams, NoParams)
	if rd == nil {
		return
	}
	c, i, lp := rd.c, rd.rel, rd.lp
	r = c.r // with the context Prepare gave it
	rel, target := &c.res.Rels[i], c.res.targets[i]
	v := c.view(lp)
	self := v.base + "/api/" + c.res.Type + "/" + pathEscape(rd.id)
	if !rel.ToMany {
		var b []byte
		if v.plain {
			b = appendPlainLinkage(b, target, rd.parent.Links[i], false)
		} else {
			b = append(b, `{"data":`...)
			b = appendLinkage(b, rel, target, rd.parent.Links[i])
			b = appendRelationshipLinks(b, v, self, rel.Name, "", "", "")
			b = append(b, '}')
		}
		c.send(http.StatusOK, b)
		return
	}
	ctx := r.Context()
	q := c.pageQuery(target, lp, rd.parentQuery(c.res))
	if q == nil {
		return
	}
	q.Links, q.Attrs = make([]bool, len(target.Rels)), make([]bool, len(target.Attrs)) // only the ids are printed
	var ids []string
	hasNext := false
	err := a.Store.Find(ctx, q, func(rec *Record) bool {
		if lp.size > 0 && len(ids) == lp.size {
			hasNext = true
			return false
		}
		ids = append(ids, rec.ID)
		return true
	})
	if err != nil {
		c.fail(err)
		return
	}
	if len(ids) == 0 && !rd.parentChecked(c.res) {
		return
	}
	buf := getBuffer()
	b := *buf
	if v.plain {
		b = appendPlainLinkage(b, target, ids, true)
	} else {
		b = append(b, `{"data":`...)
		b = appendLinkage(b, rel, target, ids)
		first, prev, next := "", "", ""
		if lp.size > 0 {
			if lp.page > 1 {
				first, prev = c.pageURL(v, 1), c.pageURL(v, lp.page-1)
			}
			if hasNext {
				next = c.pageURL(v, lp.page+1)
			}
		}
		b = appendRelationshipLinks(b, v, self, rel.Name, first, prev, next)
		b = append(b, '}')
	}
	c.send(http.StatusOK, b)
	putBuffer(buf, b)
}

func appendRelationshipLinks(b []byte, v *view, self, name, first, prev, next string) []byte {
	if !v.links {
		return b
	}
	b = append(b, `,"links":{"self":`...)
	b = appendString(b, self+"/relationships/"+name)
	b = append(b, `,"related":`...)
	b = appendString(b, self+"/"+name)
	for _, l := range [][2]string{{"first", first}, {"prev", prev}, {"next", next}} {
		if l[1] != "" {
			b = append(b, `,"`...)
			b = append(b, l[0]...)
			b = append(b, `":`...)
			b = appendString(b, l[1])
		}
	}
	return append(b, '}')
}

func appendPlainLinkage(b []byte, target *Resource, ids []string, toMany bool) []byte {
	if !toMany {
		if len(ids) == 0 {
			return append(b, "null"...)
		}
		return appendID(b, target, ids[0])
	}
	b = append(b, '[')
	for j, id := range ids {
		if j > 0 {
			b = append(b, ',')
		}
		b = appendID(b, target, id)
	}
	return append(b, ']')
}

// relationshipChange is how a relationship endpoint changes the linkage.
type relationshipChange uint8

const (
	replaceLinks relationshipChange = iota
	addLinks
	removeLinks
)

// UpdateRelationship answers PATCH …/relationships/{association}: replace the linkage.
func (a *API) UpdateRelationship(w http.ResponseWriter, r *http.Request, typ, id, assoc string) {
	a.changeRelationship(w, r, typ, id, assoc, replaceLinks)
}

// AddRelationship answers POST …/relationships/{association}: add members to a to-many.
func (a *API) AddRelationship(w http.ResponseWriter, r *http.Request, typ, id, assoc string) {
	a.changeRelationship(w, r, typ, id, assoc, addLinks)
}

// DeleteRelationship answers DELETE …/relationships/{association}: remove members of a to-many.
func (a *API) DeleteRelationship(w http.ResponseWriter, r *http.Request, typ, id, assoc string) {
	a.changeRelationship(w, r, typ, id, assoc, removeLinks)
}

func (a *API) changeRelationship(w http.ResponseWriter, r *http.Request, typ, id, assoc string, change relationshipChange) {
	c, _ := a.beginParams(w, r, typ, NoParams)
	if c == nil {
		return
	}
	r = c.r // with the context Prepare gave it
	i := c.res.RelIndex(assoc)
	if i < 0 {
		c.fail(&Error{Status: http.StatusNotFound, Title: TitleNotFound, Detail: "The relationship \"" + assoc + "\" does not exist."})
		return
	}
	// Writes of read-only relationships, and POST/DELETE of a to-one, have no route: the server
	// answers them 405 with the Allow header of the document.
	rel, target := &c.res.Rels[i], c.res.targets[i]
	if err := checkContentType(r); err != nil {
		c.fail(err)
		return
	}
	body, err := readJSON(r)
	if err != nil {
		c.fail(err)
		return
	}
	if c.plain() {
		body = plainLinkage(target, body) // a plain body is the ids themselves
	}
	ids, errs := decodeLinkage(rel, target, body, "", idRules{maxLen: a.Limits.MaxIDLength})
	if errs != nil {
		c.fail(errs)
		return
	}
	err = a.Store.Tx(r.Context(), func(ctx context.Context) error {
		parent, err := a.urlRecord(ctx, c.res, id, LockUpdate, ActionEdit, ActionView)
		if err != nil {
			return err
		}
		if !ifMatch(r, c.res, parent) {
			return preconditionFailed()
		}
		wr := &Write{Links: []LinkValue{{Index: i, IDs: ids}}}
		if err := a.checkLinks(ctx, c.res, wr); err != nil {
			return relocate(err, RelPointer(rel.Name), "/data")
		}
		if change != replaceLinks {
			cur, err := a.allLinks(ctx, c.res, i, parent.ID)
			if err != nil {
				return err
			}
			wr.Links[0].IDs = merge(cur, ids, change == addLinks)
		}
		// the store's and the hooks' checks point at the relationship of a resource document
		return relocate(a.Store.Update(ctx, c.res, parent.ID, wr), RelPointer(rel.Name), "/data")
	})
	if err != nil {
		c.fail(err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// allLinks reads the complete linkage of a to-many relationship (records hold at most the
// linkage limit).
func (a *API) allLinks(ctx context.Context, r *Resource, rel int, id string) ([]string, error) {
	var ids []string
	err := a.Store.Find(ctx, &Query{Resource: r.targets[rel], Parent: &Parent{Resource: r, Rel: rel, ID: id}, Limit: -1}, func(rec *Record) bool {
		ids = append(ids, rec.ID)
		return true
	})
	return ids, err
}

// merge adds ids to cur, or removes them from it, keeping the order.
func merge(cur, ids []string, add bool) []string {
	in := map[string]bool{}
	for _, id := range ids {
		in[id] = true
	}
	out := make([]string, 0, len(cur)+len(ids))
	for _, id := range cur {
		if add {
			delete(in, id)
			out = append(out, id)
		} else if !in[id] {
			out = append(out, id)
		}
	}
	if add {
		for _, id := range ids {
			if in[id] {
				out = append(out, id)
				delete(in, id)
			}
		}
	}
	return out
}

// relocate rewrites error pointers that start with from to start with to.
func relocate(err error, from, to string) error {
	errs, ok := validation(err)
	if !ok {
		return err
	}
	for _, e := range errs {
		if strings.HasPrefix(e.Pointer, from) {
			e.Pointer = to + strings.TrimPrefix(e.Pointer, from)
		}
	}
	return errs
}
