// Package jsonapi is the generic JSON:API engine: it serves the operations of api.md (lists,
// items, writes with included resources, upsert and validate, related resources and
// relationship endpoints) for every resource type of a Schema, over any Store. It knows
// documents, errors, content negotiation, query parameters, links and bounds; it knows nothing of
// SQL, GORM, echo or the generated code, and is tested without a database (an in-memory Store in
// its tests).
//
// # What a type is
//
// A Resource declares one type: its attributes (with their Kind and validation rules),
// relationships, filters with their operators, sort fields, methods, meta options and upsert
// keys. NewSchema indexes the types and resolves relationship targets. Public names stay here:
// a Store sees attribute and relationship indexes, typed values and Conditions, never a
// parameter of the request.
//
// # The flow of a request
//
// Each operation (API.List, API.Get, API.Create, API.Update, API.Delete, API.DeleteList,
// API.Related, API.Relationship and the three relationship writes) is an http.HandlerFunc with
// the type, id and association already taken from the URL. Every one goes the same way:
//
//  1. begin: content negotiation (api.md section 2; negotiate.go), the resource type (404 when
//     unknown), the text of the path and of every query parameter (text.go), all before
//     anything else reads them;
//  2. Prepare (API.Prepare, set by the server): the headers, the Host, and what the store needs
//     in the request's context (the caller, the localization); its error is the response;
//  3. params: the query parameters the operation reads (Params; anything else is a 400), parsed
//     and checked against the declaration and against Limits before any database work
//     (query.go, filter.go, include.go; api.md sections 7 and 8);
//  4. the body, for writes: decoded and validated against the declaration, every problem
//     reported together with its pointer (decode.go, mutate.go; sections 5, 10 and 11);
//  5. the store: reads through Store.Find and Store.Count, writes inside Store.Tx (mutate.go,
//     relations.go; section 9);
//  6. render: the document written by hand from the declaration (encode.go, write.go, with
//     links.go and includer.go; sections 1, 6 and 7), or the error document of whatever failed
//     (errors.go, render.go; section 5). Validation errors (*Error, Errors) reach the client as
//     they are; any other error is logged through API.Logger and answered 500 with the request
//     id.
//
// # Bounds and text
//
// The bounds of api.md section 20 are checked while parsing, the same way for every type:
// Limits (query.go) holds the configurable ones (page size, include depth and paths, sort
// terms, filters and their values, resources of a write document, errors of a response, id
// length) and is applied by parseParams and parseRequest; bounds.go holds the bounds of values
// (dates in the years 0001-9999, decimals of 15+4 digits, lengths) and of responses (capped error
// lists, body read errors). text.go refuses text that can never be stored (NUL, invalid UTF-8)
// wherever a request carries it: path, query, the headers the API reads (CheckHeaders), body.
//
// # What a Store must do
//
// A Store (data.go) turns a Query or a Write into work on the database:
//
//   - Find yields records in the requested order (the id last, so the order is total), honouring
//     ids, conditions, the parent of a subresource, offset and limit, each record passed on
//     before the next is read so that large results stream; Count counts what Find would find
//     without paging.
//   - Tx runs a unit of work in one transaction, whose context the store's calls inside it
//     receive. The function may run again when the database aborts the transaction (a
//     deadlock): the engine keeps no state from one run to the next except through what it
//     returns (a write request restores its parsed state at the start of each run).
//   - Locks: a Query's Lock (LockUpdate, LockShare, LockDelete) locks the records found until the
//     transaction ends, so that what the engine checked (If-Match, related ids that must exist,
//     a record about to be deleted) stays true until it commits; LockKey serializes the
//     transactions that check and then write the same key (an upsert's match) where no unique
//     index does (api.md section 20).
//   - Create, Update, Delete and Check validate what only the database can (uniqueness, rules
//     of a type) and report it as *Error or Errors with pointers under /data; the engine moves
//     the pointers to the resource of the request that caused them.
//
// The contract is api.md (../shared/spec/api.md): section 1 (documents and links), 2 (content
// negotiation), 3 (methods), 5 (errors), 6 (headers), 7 and 8 (query parameters and filters), 9
// (relationships), 10 and 11 (included resources, upsert and validate), 14 (localization: through
// Prepare and the store) and 20 (limits, concurrency and hostile input).
package jsonapi
