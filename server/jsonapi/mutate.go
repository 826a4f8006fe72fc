package jsonapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"strconv"
	"unicode/utf8"
)

// POST and PATCH of a resource, with the related resources of `included` created or updated in
// the same transaction (api.md section 10), upsert and validate (section 11).

// item is one resource object of a write request: the primary data or an included resource.
type item struct {
	at     string // pointer of the object: "/data" or "/included/N"
	metaAt string // pointer prefix of its meta options: "" for the primary data (ours: /meta/upsert)
	res    *Resource
	in     *inResource
	reqID  string   // the id as sent
	update bool     // meta.update: an existing record
	upsert []string // meta.upsert: the fields that find the record; ["id"] by id
	create bool     // create (else update) — decided before execution
	realID string
	write  *Write
	// written: the record as its write left it, when the store read it in the write (Write.Written)
	written *Record
	linked  bool // reachable from the primary data
	// primary: a resource of the primary data (one of many in a batch); included otherwise
	primary bool
	pos     int // the position in data (of a batch) or in included

	parsed itemState // the state parseRequest left, restored when the transaction runs again
}

// itemState is what executing a request changes in an item.
type itemState struct {
	create bool
	realID string
	write  *Write
}

func (it *item) key() string { return it.res.Type + "\x00" + it.reqID }

// request is a parsed write request.
type request struct {
	items        []*item // the primary data first
	locals       map[string]*item
	parsedLocals map[string]*item
	validate     bool
	maxID        int // the longest id (Limits.MaxIDLength)
	// single: a POST or PATCH of one resource (items[0] is its primary data, a PATCH's is the
	// record of the URL); false for the records of a batch, each of which may be a create, an
	// update (meta.update) or an upsert
	single bool
}

// errRollback ends the transaction of a validate-only request after its response is built.
var errRollback = errors.New("validate only: roll back")

// Create answers POST /api/{type}.
func (a *API) Create(w http.ResponseWriter, r *http.Request, typ string) { a.write(w, r, typ, "") }

// Update answers PATCH /api/{type}/{id}.
func (a *API) Update(w http.ResponseWriter, r *http.Request, typ, id string) { a.write(w, r, typ, id) }

func (a *API) write(w http.ResponseWriter, r *http.Request, typ, urlID string) {
	c, lp := a.beginParams(w, r, typ, ResourceParams)
	if c == nil {
		return
	}
	r = c.r // with the context Prepare gave it
	in, included, err := readBody(r, c.res, c.plain())
	if err != nil {
		c.fail(err)
		return
	}
	patch := urlID != ""
	if patch && c.plain() && in.ID == nil {
		in.ID = &urlID
	}
	switch {
	case *in.Type != c.res.Type:
		c.fail(Conflict("/data/type", "The 'type' property of the primary data object does not match the requested resource type."))
		return
	case patch && in.ID == nil:
		c.fail(Invalid("/data/id", TitleRequestData, "The 'id' property is required."))
		return
	case patch && *in.ID != urlID:
		c.fail(Conflict("/data/id", "The 'id' property of the primary data object does not match the 'id' parameter of the URI."))
		return
	}
	req, errs := a.parseRequest(c.res, in, included, patch)
	if errs != nil {
		if req != nil {
			// report every problem together: also the relationships to missing records
			err := a.Store.Tx(r.Context(), func(ctx context.Context) error { return a.checkAllLinks(ctx, req, errs) })
			c.fail(err)
			return
		}
		c.fail(errs)
		return
	}
	var status int
	buf := getBuffer()
	var body []byte
	var primary *Record
	err = a.Store.Tx(r.Context(), func(ctx context.Context) error {
		var err error
		if status, err = a.execute(ctx, r, req, patch); err != nil {
			return err
		}
		p := req.items[0]
		// the record as written, whether or not the caller may view it afterwards: as the
		// store read it in the write itself, unless other records of the request were written
		// after it (an included record may change its linkage)
		if primary = p.written; primary == nil || len(req.items) > 1 {
			if primary, err = a.lookup(ctx, p.res, p.realID, NoLock); err != nil {
				return err
			}
		}
		if primary == nil {
			return fmt.Errorf("jsonapi: the %s %q just written is not found", p.res.Type, p.realID)
		}
		if body, err = c.itemBody(ctx, (*buf)[:0], primary, lp, true, req.items[1:]); err != nil {
			return err
		}
		if req.validate {
			return errRollback
		}
		return nil
	})
	if err != nil && !errors.Is(err, errRollback) {
		c.fail(err)
		return
	}
	if status == http.StatusCreated {
		w.Header().Set("Location", baseURL(r)+"/api/"+c.res.Type+"/"+pathEscape(primary.ID))
	}
	w.Header().Set("ETag", etag(c.res, primary))
	c.send(status, body)
	putBuffer(buf, body)
}

// parseRequest reads the primary data and the included resources: their meta options, their
// request-local ids, and (for everything that is not an upsert, which is decided later) their
// changes. Every problem of the request is reported together.
func (a *API) parseRequest(res *Resource, in *inResource, included []json.RawMessage, patch bool) (*request, Errors) {
	if max := a.Limits.MaxWriteResources; 1+len(included) > max {
		// before anything is decoded: the work of a request stays bounded (batch has its own limits)
		return nil, Errors{Invalid("/included", TitleRequestData,
			fmt.Sprintf("A request document may hold at most %d resources (data and included).", max))}
	}
	req := &request{locals: map[string]*item{}, maxID: a.Limits.MaxIDLength, single: true}
	primary := &item{at: "/data", metaAt: "", res: res, in: in, create: !patch, primary: true}
	if in.ID != nil {
		primary.reqID = *in.ID
	}
	req.items = append(req.items, primary)
	var errs Errors
	for n, raw := range included {
		it, e := a.includedItem(raw, n)
		if e != nil {
			errs = append(errs, e...)
			continue
		}
		req.items = append(req.items, it)
	}
	if errs = append(errs, a.prepare(req, patch)...); errs != nil {
		return nil, errs
	}
	if errs = req.decode(); errs != nil {
		return req, errs // the caller adds the relationships that point nowhere
	}
	errs = append(errs, req.checkReachable()...)
	if errs != nil {
		return nil, errs
	}
	req.save()
	return req, nil
}

// includedItem parses the resource object at position n of `included`.
func (a *API) includedItem(raw json.RawMessage, n int) (*item, Errors) {
	at := "/included/" + strconv.Itoa(n)
	obj, err := parseResourceObject(raw, at)
	if err != nil {
		return nil, asErrors(err, "")
	}
	t := a.Schema.Resource(*obj.Type)
	switch {
	case t == nil:
		return nil, Errors{Invalid(at+"/type", TitleEntityType, fmt.Sprintf("Unknown entity type: %s.", *obj.Type))}
	case obj.ID == nil || *obj.ID == "":
		return nil, Errors{Invalid(at+"/id", TitleRequestData, "The 'id' property is required.")}
	case !t.Methods.Create && !t.Methods.Update:
		return nil, Errors{Invalid(at+"/type", TitleActionNotAllowed, fmt.Sprintf("The resources of the type %q cannot be changed.", t.Type))}
	}
	return &item{at: at, metaAt: at, res: t, in: obj, reqID: *obj.ID, create: true}, nil
}

// prepare reads the meta options of every item and registers the request-local ids of the
// records to create.
func (a *API) prepare(req *request, patch bool) Errors {
	var errs Errors
	for _, it := range req.items {
		if utf8.RuneCountInString(it.reqID) > req.maxID {
			errs = append(errs, tooLong(it.at+"/id", req.maxID))
		}
		errs = append(errs, a.parseMeta(req, it, patch)...)
	}
	// Creates and upserts (which may create) are named by their request-local ids: the
	// included ones first; the primary data only when it is a plain create (a single request's
	// defers to an included resource of the same type and id).
	for _, primaries := range []bool{false, true} {
		for _, it := range req.items {
			if it.primary != primaries || !it.create || it.reqID == "" || (it.primary && it.upsert != nil) {
				continue
			}
			if other := req.locals[it.key()]; other != nil {
				if !req.single || !it.primary {
					errs = append(errs, Invalid(it.at, TitleRequestData, "Another resource of the request has the same type and id."))
				}
				continue
			}
			req.locals[it.key()] = it
		}
	}
	return errs
}

// decode validates the changes of every item that is not an upsert (an upsert's are decoded
// once it has found, or not, its record).
func (req *request) decode() Errors {
	var errs Errors
	for _, it := range req.items {
		if it.upsert != nil {
			continue
		}
		if e := it.decode(req.idRules()); e != nil {
			errs = append(errs, e...)
		}
	}
	return errs
}

func (req *request) isLocal(typ, id string) bool { return req.locals[typ+"\x00"+id] != nil }

// save records the parsed state of every item; restore brings it back, so that a transaction
// the database aborted (a deadlock) runs again from the same start.
func (req *request) save() {
	req.parsedLocals = maps.Clone(req.locals)
	for _, it := range req.items {
		it.parsed = itemState{create: it.create, realID: it.realID, write: it.write}
	}
}

func (req *request) restore() {
	req.locals = maps.Clone(req.parsedLocals)
	for _, it := range req.items {
		it.create, it.realID, it.write = it.parsed.create, it.parsed.realID, it.parsed.write
		it.written = nil
	}
}

func (req *request) idRules() idRules { return idRules{maxLen: req.maxID, local: req.isLocal} }

// decode validates the item's attributes and relationships against its type.
func (it *item) decode(rules idRules) Errors {
	wr, errs := decodeWrite(it.res, it.in, it.create, rules)
	if it.create && it.res.ClientID {
		wr.ID = it.reqID
		if it.reqID == "" {
			errs = append(errs, Invalid("/data/id", TitleNotBlank, "This value should not be blank."))
		}
	}
	it.write = wr
	if errs != nil {
		return rebase(errs, it.at)
	}
	return nil
}

// parseMeta reads the meta options update, upsert and validate of one resource object.
func (a *API) parseMeta(req *request, it *item, patch bool) Errors {
	var set []string
	for _, k := range []string{"update", "upsert", "validate"} {
		if _, ok := it.in.Meta[k]; ok {
			set = append(set, k)
		}
	}
	if len(set) > 1 {
		return Errors{Invalid(it.metaAt+"/meta", TitleRequestData, "Only one meta option can be used.")}
	}
	if len(set) == 0 {
		return nil
	}
	raw := it.in.Meta[set[0]]
	at := it.metaAt + "/meta/" + set[0]
	switch set[0] {
	case "update":
		var on bool
		if json.Unmarshal(raw, &on) != nil {
			return Errors{Invalid(at, TitleType, "This value should be of type boolean.")}
		}
		if it.primary && req.single {
			return Errors{Invalid(at, TitleValue, "The option is not supported.")}
		}
		if on {
			it.update, it.create = true, false
			if !it.res.Methods.Update {
				return Errors{Invalid(at, TitleValue, "The option is not supported.")}
			}
		}
	case "validate":
		if !req.single {
			// a batch stores what it writes (api.md section 11 is about POST and PATCH of one resource)
			return Errors{Invalid(at, TitleValue, "The option is not supported.")}
		}
		var on bool
		if json.Unmarshal(raw, &on) != nil {
			return Errors{Invalid(at, TitleType, "This value should be of type boolean.")}
		}
		if !it.res.Validate {
			return Errors{Invalid(at, TitleValue, "The option is not supported.")}
		}
		req.validate = req.validate || on
	case "upsert":
		fields, e := parseUpsert(it.res, raw, at, patch && it.primary && req.single)
		if e != nil {
			return Errors{e}
		}
		it.upsert = fields
	}
	return nil
}

// parseUpsert checks meta.upsert against what the type declares (api.md section 11).
func parseUpsert(r *Resource, raw json.RawMessage, at string, patch bool) ([]string, *Error) {
	var on bool
	var fields []string
	switch {
	case json.Unmarshal(raw, &on) == nil:
		if !on {
			return nil, nil
		}
		fields = []string{"id"}
	case json.Unmarshal(raw, &fields) == nil && len(fields) > 0:
	default:
		return nil, Invalid(at, TitleType, "This value should be a boolean or a list of field names.")
	}
	if !r.Upsert.ByID && len(r.Upsert.Fields) == 0 {
		return nil, Invalid(at, TitleValue, "The upsert operation is not allowed.")
	}
	if len(fields) == 1 && fields[0] == "id" {
		if !r.Upsert.ByID {
			return nil, Invalid(at, TitleValue, "The upsert operation cannot use the entity identifier to find an entity.")
		}
		return fields, nil
	}
	if patch {
		return nil, Invalid(at, TitleValue, "The upsert operation cannot use this field to find an entity.")
	}
next:
	for _, set := range r.Upsert.Fields {
		if len(set) != len(fields) {
			continue
		}
		for _, f := range fields {
			found := false
			for _, g := range set {
				found = found || f == g
			}
			if !found {
				continue next
			}
		}
		return fields, nil
	}
	return nil, Invalid(at, TitleValue, "The upsert operation cannot use this field to find an entity.")
}

// checkReachable: every included resource is reachable through relationships from the primary
// data, directly or through other included resources, in either direction.
func (req *request) checkReachable() Errors {
	byKey := map[string]*item{}
	for _, it := range req.items {
		if it.reqID != "" {
			byKey[it.key()] = it
		}
	}
	adj := map[*item][]*item{}
	for _, it := range req.items {
		if it.write == nil {
			// an upsert: follow its relationships as sent
			continue
		}
		for _, l := range it.write.Links {
			t := it.res.targets[l.Index]
			for _, id := range l.IDs {
				if other := byKey[t.Type+"\x00"+id]; other != nil {
					adj[it] = append(adj[it], other)
					adj[other] = append(adj[other], it)
				}
			}
		}
	}
	for _, it := range req.items {
		if it.write == nil && it.in.Relationships != nil {
			for name, raw := range it.in.Relationships {
				i := it.res.RelIndex(name)
				if i < 0 {
					continue
				}
				ids, _ := decodeLinkage(&it.res.Rels[i], it.res.targets[i], raw, "", req.idRules())
				for _, id := range ids {
					if other := byKey[it.res.targets[i].Type+"\x00"+id]; other != nil {
						adj[it] = append(adj[it], other)
						adj[other] = append(adj[other], it)
					}
				}
			}
		}
	}
	queue := []*item{req.items[0]}
	req.items[0].linked = true
	for len(queue) > 0 {
		it := queue[0]
		queue = queue[1:]
		for _, o := range adj[it] {
			if !o.linked {
				o.linked = true
				queue = append(queue, o)
			}
		}
	}
	var errs Errors
	for _, it := range req.items[1:] {
		if !it.linked {
			errs = append(errs, Invalid(it.at, TitleRequestData,
				"The entity should have a relationship with the primary entity and this should be explicitly specified in the request."))
		}
	}
	return errs
}

// execute writes every item in one transaction and returns the status of the response: 201 when
// the primary resource was created, else 200.
func (a *API) execute(ctx context.Context, r *http.Request, req *request, patch bool) (int, error) {
	req.restore()
	var errs Errors
	// Decide what each item does: find the records of upserts and updates.
	for _, it := range req.items {
		e, err := a.resolve(ctx, r, req, it, patch)
		if err != nil {
			return 0, err
		}
		errs = append(errs, e...)
	}
	if errs != nil {
		return 0, errs
	}
	// Create first, in an order where a to-one relationship points at an existing record;
	// links to records created later (and cycles) are set afterwards.
	var deferred []*item
	pending := []*item{}
	for _, it := range req.items {
		if it.create {
			pending = append(pending, it)
		}
	}
	for len(pending) > 0 {
		progress := false
		var rest []*item
		for _, it := range pending {
			if req.waitsFor(it) {
				rest = append(rest, it)
				continue
			}
			later, err := a.createItem(ctx, req, it)
			if err != nil {
				return 0, err
			}
			if later {
				deferred = append(deferred, it)
			}
			progress = true
		}
		if !progress {
			// a cycle of to-one links between new records: create one, its links follow
			later, err := a.createItem(ctx, req, rest[0])
			if err != nil {
				return 0, err
			}
			if later {
				deferred = append(deferred, rest[0])
			}
			rest = rest[1:]
		}
		pending = rest
	}
	for _, it := range deferred {
		wr := &Write{Links: req.resolveLinks(it, it.write.Links)}
		if err := a.Store.Update(ctx, it.res, it.realID, wr); err != nil {
			return 0, rebaseErr(err, it.at)
		}
		it.written = wr.Written
	}
	for _, it := range req.items {
		if it.create {
			continue
		}
		wr := &Write{Attrs: it.write.Attrs, Links: req.resolveLinks(it, it.write.Links)}
		if err := a.checkLinks(ctx, it.res, wr); err != nil {
			return 0, rebaseErr(err, it.at)
		}
		if err := a.Store.Update(ctx, it.res, it.realID, wr); err != nil {
			return 0, rebaseErr(err, it.at)
		}
		it.written = wr.Written
	}
	if req.items[0].create {
		return http.StatusCreated, nil
	}
	return http.StatusOK, nil
}

// resolve finds the record an item updates (or decides that an upsert creates), checking that
// updated records exist and the primary record matches If-Match.
func (a *API) resolve(ctx context.Context, r *http.Request, req *request, it *item, patch bool) (Errors, error) {
	primary := it.primary && req.single
	switch {
	case it.upsert != nil:
		id, e, err := a.findUpsert(ctx, req, it, patch && primary)
		if err != nil || e != nil {
			return e, err
		}
		it.create = id == ""
		if it.create && !a.Store.Can(ctx, it.res, ActionCreate) {
			return Errors{Forbidden(ActionCreate, it.at)}, nil
		}
		it.realID = id
		if it.create && it.res.ClientID {
			it.realID = it.reqID
		}
		if it.create && !primary && !it.res.ClientID {
			req.locals[it.key()] = it
		}
		if e := it.decode(req.idRules()); e != nil {
			return e, nil
		}
		if !it.create && primary && patch {
			return a.checkCurrent(ctx, r, it)
		}
		return nil, nil
	case it.create:
		if !a.Store.Can(ctx, it.res, ActionCreate) {
			return Errors{Forbidden(ActionCreate, it.at)}, nil
		}
		if it.res.ClientID {
			it.realID = it.reqID
			// a concurrent create of the same id waits here and then sees this one
			if err := a.Store.LockKey(ctx, it.res.Type+"\x00id\x00"+it.reqID); err != nil {
				return nil, err
			}
			cur, err := a.lookup(ctx, it.res, it.reqID, NoLock)
			if err != nil {
				return nil, err
			}
			if cur != nil {
				return Errors{Conflict(it.at+"/id", "The entity already exists.")}, nil
			}
		}
		return nil, nil
	case primary:
		it.realID = it.reqID
		return a.checkCurrent(ctx, r, it)
	}
	it.realID = it.reqID
	cur, err := a.lookup(ctx, it.res, it.reqID, LockUpdate)
	if err != nil {
		return nil, err
	}
	if cur == nil {
		return Errors{EntityNotExist(it.at + "/id")}, nil
	}
	if e := permit(cur, it.at, ActionEdit, ActionView); e != nil {
		return Errors{e}, nil
	}
	return nil, nil
}

// checkCurrent loads and locks the record of a PATCH: 404 when missing (for the caller), 403
// when the caller may not view or edit it, 412 when If-Match differs.
func (a *API) checkCurrent(ctx context.Context, r *http.Request, it *item) (Errors, error) {
	q := &Query{Resource: it.res, Scope: ScopeTenant, Report: true, Lock: LockUpdate}
	if r.Header.Get("If-Match") == "" {
		// without an ETag to compare, only whether it exists and what the caller may do
		q.Attrs, q.Links = make([]bool, len(it.res.Attrs)), make([]bool, len(it.res.Rels))
	}
	cur, err := a.find(ctx, q, it.realID)
	switch {
	case err != nil:
		return nil, err
	case cur == nil:
		return nil, NotFound()
	}
	if e := permit(cur, "", ActionEdit, ActionView); e != nil {
		return nil, e
	}
	if !ifMatch(r, it.res, cur) {
		return nil, preconditionFailed()
	}
	return nil, nil
}

// findUpsert returns the id of the record an upsert updates, or "" when it creates one.
func (a *API) findUpsert(ctx context.Context, req *request, it *item, patchByURL bool) (string, Errors, error) {
	if it.upsert[0] == "id" {
		if it.reqID == "" {
			return "", Errors{Invalid(it.at+"/id", TitleNotBlank, "This value should not be blank.")}, nil
		}
		// concurrent upserts of one id run one after the other: the first creates, the
		// others find and update its record
		if err := a.Store.LockKey(ctx, it.res.Type+"\x00id\x00"+it.reqID); err != nil {
			return "", nil, err
		}
		cur, err := a.lookup(ctx, it.res, it.reqID, LockUpdate)
		if err != nil || cur == nil {
			return "", nil, err
		}
		if e := permit(cur, it.at, ActionEdit, ActionView); e != nil {
			return "", Errors{e}, nil
		}
		return cur.ID, nil, nil
	}
	// matched among the records the caller may view; the one found must be the caller's to edit
	q := &Query{Resource: it.res, Limit: 2, Lock: LockUpdate, Report: true}
	key := it.res.Type
	var errs Errors
	for _, f := range it.upsert {
		i := it.res.AttrIndex(f)
		raw, ok := it.in.Attributes[f]
		if i < 0 || !ok {
			errs = append(errs, Invalid(it.at+"/attributes/"+f, TitleNotBlank, "The upsert operation requires a value for this field."))
			continue
		}
		v, e := decodeAttr(&it.res.Attrs[i], raw, it.at+"/attributes/"+f)
		if e != nil {
			errs = append(errs, e)
			continue
		}
		cond := Condition{Filter: &Filter{Name: f, Attr: i, Rel: -1}, Op: OpEq, Values: []any{v}}
		if v == nil {
			cond.Op, cond.Values = OpExists, []any{false}
		}
		q.Conditions = append(q.Conditions, cond)
		key += "\x00" + f + "\x00" + string(appendValue(nil, it.res.Attrs[i].Kind, v))
	}
	if errs != nil {
		return "", errs, nil
	}
	// Concurrent upserts with the same key run one after the other: the first creates the
	// record, the others find it and update it (api.md section 20). No unique index covers
	// an upsert's fields, so the key is locked rather than a row.
	if err := a.Store.LockKey(ctx, key); err != nil {
		return "", nil, err
	}
	var found []*Record
	if err := a.Store.Find(ctx, q, func(rec *Record) bool { found = append(found, rec); return true }); err != nil {
		return "", nil, err
	}
	switch len(found) {
	case 0:
		return "", nil, nil
	case 1:
		if e := permit(found[0], it.at, ActionEdit); e != nil {
			return "", Errors{e}, nil
		}
		return found[0].ID, nil, nil
	}
	return "", Errors{Conflict(it.metaAt+"/meta/upsert", "The upsert operation founds more than one entity.")}, nil
}

// waitsFor reports whether an item to create has a to-one relationship to a local record that is
// not created yet.
func (req *request) waitsFor(it *item) bool {
	for _, l := range it.write.Links {
		if it.res.Rels[l.Index].ToMany {
			continue
		}
		for _, id := range l.IDs {
			if o := req.locals[it.res.targets[l.Index].Type+"\x00"+id]; o != nil && o != it && o.realID == "" {
				return true
			}
		}
	}
	return false
}

// createItem creates one record with the links that can be resolved now; it reports whether
// links were left for later (to records not created yet).
func (a *API) createItem(ctx context.Context, req *request, it *item) (bool, error) {
	wr := &Write{ID: it.write.ID, Attrs: it.write.Attrs}
	later := false
	for _, l := range it.write.Links {
		ready := true
		for _, id := range l.IDs {
			if o := req.locals[it.res.targets[l.Index].Type+"\x00"+id]; o != nil && o.realID == "" {
				ready = false
			}
		}
		if ready {
			wr.Links = append(wr.Links, req.resolveLinks(it, []LinkValue{l})...)
		} else {
			later = true
		}
	}
	if err := a.checkLinks(ctx, it.res, wr); err != nil {
		return false, rebaseErr(err, it.at)
	}
	id, err := a.Store.Create(ctx, it.res, wr)
	if err != nil {
		return false, rebaseErr(err, it.at)
	}
	it.realID, it.written = id, wr.Written
	return later, nil
}

// resolveLinks replaces request-local ids with the ids of the records created for them.
func (req *request) resolveLinks(it *item, links []LinkValue) []LinkValue {
	out := make([]LinkValue, len(links))
	for i, l := range links {
		ids := make([]string, len(l.IDs))
		for j, id := range l.IDs {
			if o := req.locals[it.res.targets[l.Index].Type+"\x00"+id]; o != nil && o.realID != "" {
				id = o.realID
			}
			ids[j] = id
		}
		out[i] = LinkValue{Index: l.Index, IDs: ids}
	}
	return out
}

// checkAllLinks adds to errs the relationships of every decoded item that point at records that
// do not exist (request-local ids aside).
func (a *API) checkAllLinks(ctx context.Context, req *request, errs Errors) error {
	for _, it := range req.items {
		if it.create && it.upsert == nil && !a.Store.Can(ctx, it.res, ActionCreate) {
			return Forbidden(ActionCreate, it.at) // the whole answer: nothing else is looked at
		}
		if it.write == nil {
			continue
		}
		wr := &Write{}
		for _, l := range it.write.Links {
			var ids []string
			for _, id := range l.IDs {
				if !req.isLocal(it.res.targets[l.Index].Type, id) {
					ids = append(ids, id)
				}
			}
			wr.Links = append(wr.Links, LinkValue{Index: l.Index, IDs: ids})
		}
		err := a.checkLinks(ctx, it.res, wr)
		if err == nil {
			// the checks made at write time (uniqueness, type rules), on what did decode
			wr.Attrs = it.write.Attrs
			id := ""
			if !it.create {
				id = it.reqID
			}
			if cur, lerr := a.lookup(ctx, it.res, id, NoLock); id == "" || (lerr == nil && cur != nil) {
				err = a.Store.Check(ctx, it.res, id, wr)
			} else {
				err = lerr
			}
		}
		if err == nil {
			continue
		}
		joined := joinErrors(errs, rebaseErr(err, it.at))
		if !errors.As(joined, &errs) {
			return joined
		}
	}
	return errs
}

// rebaseErr moves the pointers of validation errors to the item that caused them.
func rebaseErr(err error, at string) error {
	if errs, ok := validation(err); ok {
		return rebase(errs, at)
	}
	return err
}
