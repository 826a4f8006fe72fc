package jsonapi

import (
	"context"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// API serves the JSON:API operations of every resource type of a Schema over a Store. Its
// methods are plain net/http handlers with the type (and id) already taken from the URL.
type API struct {
	Schema *Schema
	Store  Store
	Limits Limits
	// Batching bounds the batch API; Async stores its asynchronous operations (nil: only the
	// synchronous mode, and no hand-over to the asynchronous one).
	Batching BatchConfig
	Async    Async
	// Prepare, when set, completes a request once the engine knows that it is one of its
	// operations (after content negotiation, the resource type and the text of the URL are
	// checked): it checks what else the request carries (headers) and returns it with what the
	// store needs in its context (the caller, the localization), or an error to answer.
	Prepare func(r *http.Request) (*http.Request, error)
	// Logger receives every log line of the engine (the cause of a 500, a stream cut short);
	// nil means slog.Default().
	Logger *slog.Logger
}

func (a *API) logger() *slog.Logger {
	if a.Logger != nil {
		return a.Logger
	}
	return slog.Default()
}

// call is the state of one request.
type call struct {
	api    *API
	w      http.ResponseWriter
	r      *http.Request
	res    *Resource
	format Format
	x      xInclude
	query  []Param // the query string, parsed once
}

func (a *API) begin(w http.ResponseWriter, r *http.Request, typ string) (*call, bool) {
	format, nerr := Negotiate(r)
	c := &call{api: a, w: w, r: r, format: format, x: parseXInclude(r)}
	if nerr != nil {
		c.fail(nerr)
		return nil, false
	}
	c.res = a.Schema.Resource(typ)
	if c.res == nil {
		c.fail(UnknownType(typ))
		return nil, false
	}
	// text that can never be stored, in the ids of the path or in any query parameter (api.md
	// section 20): refused before anything reads them
	if e := pathTextError(r.URL.Path); e != nil {
		c.fail(e)
		return nil, false
	}
	c.query = ParseQuery(r.URL.RawQuery)
	if errs := queryTextErrors(c.query); errs != nil {
		c.fail(errs)
		return nil, false
	}
	if a.Prepare != nil {
		pr, err := a.Prepare(r)
		if err != nil {
			c.fail(err)
			return nil, false
		}
		c.r = pr
	}
	return c, true
}

// beginParams starts a request on the resources of typ and reads its query parameters, those of
// the families allowed. On a problem it answers the request and returns nil.
func (a *API) beginParams(w http.ResponseWriter, r *http.Request, typ string, allowed Params) (*call, *listParams) {
	c, ok := a.begin(w, r, typ)
	if !ok {
		return nil, nil
	}
	lp := c.params(c.res, allowed)
	if lp == nil {
		return nil, nil
	}
	return c, lp
}

func (c *call) fail(err error) {
	writeErrors(c.api.logger(), c.w, c.r, c.format, capErrors(err, c.api.Limits.MaxErrors))
}

func (c *call) plain() bool { return c.format == FormatPlain }

// links reports whether the response prints HATEOAS links.
func (c *call) links() bool { return !c.x.noHateoas && !c.plain() }

// view builds the rendering options of this request.
func (c *call) view(lp *listParams) *view {
	return &view{base: baseURL(c.r), links: c.links(), plain: c.plain(), title: lp.title, fields: lp.fields}
}

func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	} else if p := r.Header.Get("X-Forwarded-Proto"); p == "https" || p == "http" {
		scheme = p
	}
	return scheme + "://" + r.Host
}

// validID reports whether id can be an id of r at all; an impossible id (such as a code longer
// than the limit) is a 404, like a missing one (api.md section 3).
func (a *API) validID(r *Resource, id string) bool {
	if r.IntID {
		n, err := strconv.ParseInt(id, 10, 64)
		return err == nil && n > 0
	}
	return id != "" && utf8.RuneCountInString(id) <= a.Limits.MaxIDLength
}

// canonicalID reports whether id is an id of r in the form the store gives it back (5, not 05).
func (a *API) canonicalID(r *Resource, id string) bool {
	if !a.validID(r, id) {
		return false
	}
	return !r.IntID || id[0] != '0' && id[0] != '+'
}

// load reads one record by id among those the caller may view; nil when there is none.
func (a *API) load(ctx context.Context, r *Resource, id string) (*Record, error) {
	return a.find(ctx, &Query{Resource: r}, id)
}

// lookup reads one record by id among those of the caller's organization, with what the caller
// may do to it (Record.May); nil when it does not exist for the caller. A lock other than
// NoLock (inside a transaction) keeps what was read true until the transaction ends: of
// concurrent writes that send the same ETag exactly one succeeds (api.md section 20).
func (a *API) lookup(ctx context.Context, r *Resource, id string, lock Lock) (*Record, error) {
	return a.find(ctx, &Query{Resource: r, Scope: ScopeTenant, Report: true, Lock: lock}, id)
}

func (a *API) find(ctx context.Context, q *Query, id string) (*Record, error) {
	if !a.validID(q.Resource, id) {
		return nil, nil
	}
	q.IDs, q.Limit = []string{id}, 1
	var out *Record
	err := a.Store.Find(ctx, q, func(rec *Record) bool {
		out = rec
		return false
	})
	return out, err
}

// urlRecord reads the record of the request's URL (lookup) for acts: NotFound when it does not
// exist for the caller, the Forbidden of permit when the caller may not do one of acts to it.
func (a *API) urlRecord(ctx context.Context, r *Resource, id string, lock Lock, acts ...Action) (*Record, error) {
	rec, err := a.lookup(ctx, r, id, lock)
	switch {
	case err != nil:
		return nil, err
	case rec == nil:
		return nil, NotFound()
	}
	if e := permit(rec, "", acts...); e != nil {
		return nil, e
	}
	return rec, nil
}

// permit answers whether the caller may do each of acts to rec, in order: the action asked for
// first (a PATCH of a record the caller may neither view nor edit is refused for EDIT, as the
// reference does), then VIEW, which every answer that shows the record needs; pointer names the
// part of the request that refers to the record ("" for the record of the URL).
func permit(rec *Record, pointer string, acts ...Action) *Error {
	for _, act := range acts {
		if !rec.May.Can(act) {
			return Forbidden(act, pointer)
		}
	}
	return nil
}

// List answers GET /api/{type}.
func (a *API) List(w http.ResponseWriter, r *http.Request, typ string) {
	c, lp := a.beginParams(w, r, typ, CollectionParams)
	if c == nil {
		return
	}
	r = c.r // with the context Prepare gave it
	if q := c.pageQuery(c.res, lp, nil); q != nil {
		c.writeCollection(r.Context(), q, lp, nil)
	}
}

// params parses the query parameters for resources of r; on a problem it answers the request
// and returns nil.
func (c *call) params(r *Resource, allowed Params) *listParams {
	lp, errs := parseParams(c.api.Schema, r, c.query, allowed, c.api.Limits)
	if errs != nil {
		c.fail(errs)
		return nil
	}
	return lp
}

// pageQuery is the query of one page of records of r (one record more than the page size, to
// know whether there is a next page); with X-Include: totalCount it sets the count header. On a
// problem it answers the request and returns nil.
func (c *call) pageQuery(r *Resource, lp *listParams, parent *Parent) *Query {
	q := &Query{Resource: r, Parent: parent, Conditions: lp.conditions, Sort: lp.sort, Limit: -1, Links: linksNeeded(r, lp)}
	if fs := lp.fields[r]; fs != nil && !lp.title { // the title may be made of any attribute
		q.Attrs = fs.attrs
	}
	if lp.size > 0 {
		q.Offset, q.Limit = (lp.page-1)*lp.size, lp.size
		if c.links() {
			q.Limit++ // one record more tells whether there is a next page, for its link
		}
	}
	if c.x.totalCount {
		n, err := c.api.Store.Count(c.r.Context(), q)
		if err != nil {
			c.fail(err)
			return nil
		}
		c.w.Header().Set("X-Include-Total-Count", strconv.Itoa(n))
	}
	return q
}

// linksNeeded is the linkage a page of records of r needs: what its fieldset prints and what
// its include paths start from; nil (all) without a fieldset of r.
func linksNeeded(r *Resource, lp *listParams) []bool {
	fs := lp.fields[r]
	if fs == nil {
		return nil
	}
	need := slices.Clone(fs.rels)
	for _, p := range lp.include {
		if len(p.rels) > 0 {
			need[p.rels[0]] = true
		}
	}
	return need
}

// Get answers GET /api/{type}/{id}. The record and its included records are read on one
// connection, taken once; the document is sent once it is given back.
func (a *API) Get(w http.ResponseWriter, r *http.Request, typ, id string) {
	c, lp := a.beginParams(w, r, typ, ResourceParams)
	if c == nil {
		return
	}
	r = c.r // with the context Prepare gave it
	if !a.validID(c.res, id) {
		c.fail(NotFound()) // no record can have it: nothing to read
		return
	}
	var (
		tag  string
		body []byte // nil when If-None-Match matches: 304
	)
	buf := getBuffer()
	err := a.Store.Read(r.Context(), func(ctx context.Context) error {
		body = nil // a read run again starts over
		rec, err := a.urlRecord(ctx, c.res, id, NoLock, ActionView)
		if err != nil {
			return err
		}
		tag = etag(c.res, rec)
		if matchETag(r.Header.Get("If-None-Match"), tag) {
			return nil
		}
		body, err = c.itemBody(ctx, (*buf)[:0], rec, lp, false, nil)
		return err
	})
	if err != nil {
		c.fail(err)
		return
	}
	w.Header().Set("ETag", tag)
	if body == nil {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	c.send(http.StatusOK, body)
	putBuffer(buf, body)
}

// Delete answers DELETE /api/{type}/{id}.
func (a *API) Delete(w http.ResponseWriter, r *http.Request, typ, id string) {
	c, _ := a.beginParams(w, r, typ, NoParams)
	if c == nil {
		return
	}
	r = c.r // with the context Prepare gave it
	err := a.Store.Tx(r.Context(), func(ctx context.Context) error {
		cur, err := a.urlRecord(ctx, c.res, id, LockDelete, ActionDelete, ActionView)
		if err != nil {
			return err
		}
		if !ifMatch(r, c.res, cur) {
			return preconditionFailed()
		}
		return a.Store.Delete(ctx, c.res, []string{id})
	})
	if err != nil {
		c.fail(err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// DeleteList answers DELETE /api/{type}: it deletes every record the filters match, and nothing
// when more match than the delete limit.
func (a *API) DeleteList(w http.ResponseWriter, r *http.Request, typ string) {
	c, ok := a.begin(w, r, typ)
	if !ok {
		return
	}
	r = c.r // with the context Prepare gave it
	lp, errs := parseParams(a.Schema, c.res, c.query, DeleteParams, a.Limits)
	if !slices.ContainsFunc(c.query, func(p Param) bool { return family(p.Key) == ParamFilter }) {
		// reported with the other problems: paging or sorting alone is no filter either
		errs = append(errs, &Error{Status: http.StatusBadRequest, Title: TitleFilter, Detail: "At least one filter must be provided."})
	}
	if errs != nil {
		c.fail(errs)
		return
	}
	var deleted int
	err := a.Store.Tx(r.Context(), func(ctx context.Context) error {
		// the records the caller may see; all of them must be the caller's to delete
		q := &Query{Resource: c.res, Conditions: lp.conditions, Limit: a.Limits.DeleteLimit + 1, Lock: LockDelete, Report: true}
		var ids []string
		deletable := true
		if err := a.Store.Find(ctx, q, func(rec *Record) bool {
			ids = append(ids, rec.ID)
			deletable = deletable && rec.May.Can(ActionDelete)
			return true
		}); err != nil {
			return err
		}
		if !deletable {
			return Forbidden(ActionDelete, "")
		}
		if len(ids) > a.Limits.DeleteLimit {
			return &Error{Status: http.StatusBadRequest, Title: TitleFilter,
				Detail: "The number of records to delete exceeds the limit of " + strconv.Itoa(a.Limits.DeleteLimit) + ". Narrow the filters."}
		}
		deleted = len(ids)
		if deleted == 0 {
			return nil
		}
		return a.Store.Delete(ctx, c.res, ids)
	})
	if err != nil {
		c.fail(err)
		return
	}
	if c.x.totalCount {
		w.Header().Set("X-Include-Total-Count", strconv.Itoa(deleted))
	}
	if c.x.deletedCount {
		w.Header().Set("X-Include-Deleted-Count", strconv.Itoa(deleted))
	}
	w.WriteHeader(http.StatusNoContent)
}

// checkLinks verifies that every related id a write sets exists and is one the caller may
// view (a record of another organization does not exist for the caller: api.md section 17), and
// keeps those records from being deleted until the write's transaction ends (a delete racing
// the write waits, rather than leaving the write a reference to nothing).
func (a *API) checkLinks(ctx context.Context, r *Resource, wr *Write) error {
	var errs Errors
	for _, l := range wr.Links {
		if len(l.IDs) == 0 {
			continue
		}
		found := map[string]Allowed{}
		for ids := l.IDs; len(ids) > 0; {
			// in chunks: databases bound the number of statement parameters
			chunk := ids[:min(len(ids), 500)]
			ids = ids[len(chunk):]
			q := &Query{Resource: r.targets[l.Index], IDs: chunk, Limit: -1, Lock: LockShare, Scope: ScopeTenant, Report: true}
			err := a.Store.Find(ctx, q, func(rec *Record) bool {
				found[rec.ID] = rec.May
				return true
			})
			if err != nil {
				return err
			}
		}
		rel := &r.Rels[l.Index]
		for j, id := range l.IDs {
			at := RelPointer(rel.Name)
			if rel.ToMany {
				at += "/" + strconv.Itoa(j)
			}
			switch may, ok := found[id]; {
			case !ok:
				errs = append(errs, EntityNotExist(at))
			case !may.Can(ActionView):
				errs = append(errs, Forbidden(ActionView, at))
			}
		}
	}
	if errs != nil {
		return errs
	}
	return nil
}

// joinErrors reports validation errors found at different stages together; an error that is not
// a validation error wins.
func joinErrors(errs Errors, err error) error {
	if err != nil {
		more, ok := validation(err)
		if !ok || !badRequests(more) {
			// a refusal (403: no permission) is the whole answer: a caller without the right
			// learns nothing about what else was wrong
			return err
		}
		errs = append(errs, more...)
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// badRequests reports whether every error is a 400 (a problem of the request's content).
func badRequests(errs Errors) bool {
	for _, e := range errs {
		if e.Status != http.StatusBadRequest {
			return false
		}
	}
	return true
}

func preconditionFailed() *Error {
	return &Error{Status: http.StatusPreconditionFailed, Title: TitlePreconditionFail, Detail: detailPreconditionFail, Header: "If-Match"}
}

// ifMatch reports whether the request's If-Match (if any) names the record's current ETag.
func ifMatch(r *http.Request, res *Resource, cur *Record) bool {
	h := r.Header.Get("If-Match")
	return h == "" || matchETag(h, etag(res, cur))
}

// matchETag reports whether the header (a list of entity tags, or *) names tag. Weak tags never
// match: the comparison is strong.
func matchETag(header, tag string) bool {
	if header == "" {
		return false
	}
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || t == tag {
			return true
		}
	}
	return false
}
