package jsonapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// inDocument is a request document as sent.
type inDocument struct {
	Data     json.RawMessage   `json:"data"`
	Included []json.RawMessage `json:"included"`
	Meta     json.RawMessage   `json:"meta"`
}

// inResource is a resource object of a request as sent. Attributes and relationships stay raw
// until the declaration says how to read them.
type inResource struct {
	Type          *string                    `json:"type"`
	ID            *string                    `json:"id"`
	Attributes    map[string]json.RawMessage `json:"attributes"`
	Relationships map[string]json.RawMessage `json:"relationships"`
	Meta          map[string]json.RawMessage `json:"meta"`
}

// readBody reads and parses the request document. Plain bodies (flat JSON objects) are turned
// into the same shape, so everything after this point handles one format.
func readBody(r *http.Request, res *Resource, plain bool) (*inResource, []json.RawMessage, error) {
	if err := checkContentType(r); err != nil {
		return nil, nil, err
	}
	body, err := readJSON(r)
	if err != nil {
		return nil, nil, err
	}
	if plain {
		in, err := plainResource(res, body)
		return in, nil, err
	}
	var doc inDocument
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, nil, Invalid("", TitleRequestData, "The request document should be an object.")
	}
	if len(doc.Data) == 0 || string(doc.Data) == "null" {
		return nil, nil, Invalid("/data", TitleRequestData, "The primary data object should exist.")
	}
	in, err := parseResourceObject(doc.Data, "/data")
	if err != nil {
		return nil, nil, err
	}
	return in, doc.Included, nil
}

// readJSON reads a request body that must be JSON text holding only storable text (bodies of
// resources and of relationships, JSON:API and plain alike).
func readJSON(r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, bodyError(err)
	}
	if !json.Valid(body) {
		return nil, &Error{Status: http.StatusBadRequest, Title: TitleBadRequest, Detail: "Invalid json message received. " + jsonProblem(body)}
	}
	if e := bodyTextError(body); e != nil {
		return nil, e
	}
	return body, nil
}

// parseResourceObject decodes one resource object, reporting structural problems with pointers.
func parseResourceObject(raw json.RawMessage, at string) (*inResource, error) {
	if !isObject(raw) {
		return nil, Invalid(at, TitleRequestData, "The primary data object should be an object.")
	}
	var shape map[string]json.RawMessage
	_ = json.Unmarshal(raw, &shape)
	var errs Errors
	for _, m := range []string{"attributes", "relationships", "meta"} {
		if v, ok := shape[m]; ok && !isObject(v) {
			errs = append(errs, Invalid(at+"/"+m, TitleRequestData, fmt.Sprintf("The %q property should be an object.", m)))
		}
	}
	for _, m := range []string{"type", "id"} {
		if v, ok := shape[m]; ok && (len(v) == 0 || v[0] != '"') {
			errs = append(errs, Invalid(at+"/"+m, TitleRequestData, fmt.Sprintf("The %q property should be a string.", m)))
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	var in inResource
	if err := json.Unmarshal(raw, &in); err != nil {
		return nil, Invalid(at, TitleRequestData, "The resource object is malformed.")
	}
	if in.Type == nil || *in.Type == "" {
		return nil, Invalid(at+"/type", TitleRequestData, "The 'type' property is required.")
	}
	return &in, nil
}

// plainResource reads a flat JSON object: "id", attribute names and relationship names (ids as
// numbers or strings) as top-level keys.
func plainResource(res *Resource, body []byte) (*inResource, error) {
	if !isObject(body) {
		return nil, Invalid("", TitleRequestData, "The request document should be an object.")
	}
	var obj map[string]json.RawMessage
	_ = json.Unmarshal(body, &obj)
	typ := res.Type
	in := &inResource{Type: &typ, Attributes: map[string]json.RawMessage{}, Relationships: map[string]json.RawMessage{}}
	for k, v := range obj {
		if k == "id" {
			id := strings.Trim(string(v), `"`)
			in.ID = &id
			continue
		}
		i := res.RelIndex(k)
		if i < 0 {
			in.Attributes[k] = v
			continue
		}
		in.Relationships[k] = plainLinkage(res.targets[i], v)
	}
	return in, nil
}

// plainLinkage turns the related ids of a plain body — an array, one id (a number or a string),
// or null — into JSON:API linkage {"data": …}.
func plainLinkage(target *Resource, v json.RawMessage) json.RawMessage {
	ident := func(raw json.RawMessage) map[string]string {
		return map[string]string{"type": target.Type, "id": strings.Trim(string(bytes.TrimSpace(raw)), `"`)}
	}
	var data any
	var list []json.RawMessage
	switch {
	case string(bytes.TrimSpace(v)) == "null":
	case json.Unmarshal(v, &list) == nil:
		ids := make([]map[string]string, len(list))
		for j, raw := range list {
			ids[j] = ident(raw)
		}
		data = ids
	default:
		data = ident(v)
	}
	out, _ := json.Marshal(map[string]any{"data": data})
	return out
}

func isObject(raw []byte) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) > 0 && raw[0] == '{'
}

// jsonProblem describes where a body stops being JSON.
func jsonProblem(body []byte) string {
	var v any
	err := json.Unmarshal(body, &v)
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("Parsing error at offset %d: %s.", se.Offset, se.Error())
	}
	if err != nil {
		return err.Error() + "."
	}
	return ""
}

// idRules say how the ids of a request body are read: how long one may be (api.md section 20),
// and which are request-local ids (resources the same request creates; such ids need not exist
// and need not look like the type's ids).
type idRules struct {
	maxLen int
	local  func(typ, id string) bool // nil when the request creates nothing
}

// decodeWrite turns a parsed resource object into a Write, validating every attribute and
// relationship against the declaration. All problems are reported together.
func decodeWrite(res *Resource, in *inResource, create bool, rules idRules) (*Write, Errors) {
	w := &Write{}
	var errs Errors
	names := make([]string, 0, len(in.Attributes))
	for k := range in.Attributes {
		names = append(names, k)
	}
	sort.Slice(names, func(i, j int) bool { return attrOrder(res, names[i]) < attrOrder(res, names[j]) })
	for _, name := range names {
		raw := in.Attributes[name]
		ptr := AttrPointer(name)
		i := res.AttrIndex(name)
		if i < 0 || (res.Attrs[i].ReadOnly && name != "createdAt" && name != "updatedAt") {
			errs = append(errs, extraField(ptr, name))
			continue
		}
		a := &res.Attrs[i]
		if a.ReadOnly {
			continue // createdAt and updatedAt are set by the server; values sent are ignored
		}
		v, e := decodeAttr(a, raw, ptr)
		if e != nil {
			errs = append(errs, e)
			continue
		}
		w.Attrs = append(w.Attrs, AttrValue{Index: i, Value: v})
	}
	if create {
		for i := range res.Attrs {
			a := &res.Attrs[i]
			if !a.Required {
				continue
			}
			if _, ok := in.Attributes[a.Name]; !ok {
				errs = append(errs, Invalid(AttrPointer(a.Name), TitleNotBlank, "This value should not be blank."))
			}
		}
	}
	rels := make([]string, 0, len(in.Relationships))
	for k := range in.Relationships {
		rels = append(rels, k)
	}
	sort.Slice(rels, func(i, j int) bool { return res.RelIndex(rels[i]) < res.RelIndex(rels[j]) })
	for _, name := range rels {
		i := res.RelIndex(name)
		if i < 0 || res.Rels[i].ReadOnly {
			errs = append(errs, extraField("/data/relationships/"+name, name))
			continue
		}
		ids, e := decodeLinkage(&res.Rels[i], res.targets[i], in.Relationships[name], "/data/relationships/"+name, rules)
		if e != nil {
			errs = append(errs, e...)
			continue
		}
		w.Links = append(w.Links, LinkValue{Index: i, IDs: ids})
	}
	if create {
		for i := range res.Rels {
			if _, ok := in.Relationships[res.Rels[i].Name]; res.Rels[i].Required && !ok {
				errs = append(errs, Invalid(RelPointer(res.Rels[i].Name), TitleNotBlank, "This value should not be blank."))
			}
		}
	}
	return w, errs
}

func attrOrder(res *Resource, name string) int {
	if i := res.AttrIndex(name); i >= 0 {
		return i
	}
	return len(res.Attrs)
}

func extraField(ptr, name string) *Error {
	return Invalid(ptr, TitleExtraFields, fmt.Sprintf("This form should not contain extra fields: %q.", name))
}

// decodeLinkage reads {"data": ...} of a relationship into related ids. Ids that cannot exist
// (not an integer for an integer-id type) are reported as missing entities.
func decodeLinkage(rel *Rel, target *Resource, raw json.RawMessage, at string, rules idRules) ([]string, Errors) {
	// A map, not a struct with a *json.RawMessage: a pointer field cannot tell "data": null
	// (clear a to-one relationship) from a missing "data".
	var obj map[string]json.RawMessage
	if !isObject(raw) || json.Unmarshal(raw, &obj) != nil || obj["data"] == nil {
		return nil, Errors{Invalid(at, TitleRequestData, "The relationship should be an object with a 'data' property.")}
	}
	data := bytes.TrimSpace(obj["data"])
	if !rel.ToMany {
		if string(data) == "null" {
			if rel.Required {
				return nil, Errors{Invalid(at+"/data", TitleNotBlank, "This value should not be blank.")}
			}
			return []string{}, nil
		}
		id, e := decodeIdentifier(target, data, at+"/data", rules)
		if e != nil {
			return nil, Errors{e}
		}
		return []string{id}, nil
	}
	var list []json.RawMessage
	if len(data) == 0 || data[0] != '[' || json.Unmarshal(data, &list) != nil {
		return nil, Errors{Invalid(at+"/data", TitleRequestData, "The data of a to-many relationship should be an array.")}
	}
	ids := make([]string, 0, len(list))
	var errs Errors
	seen := map[string]bool{}
	for j, item := range list {
		id, e := decodeIdentifier(target, item, fmt.Sprintf("%s/data/%d", at, j), rules)
		if e != nil {
			errs = append(errs, e)
			continue
		}
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	return ids, errs
}

func decodeIdentifier(target *Resource, raw json.RawMessage, at string, rules idRules) (string, *Error) {
	var ident struct {
		Type *string `json:"type"`
		ID   *string `json:"id"`
	}
	if !isObject(raw) || json.Unmarshal(raw, &ident) != nil || ident.Type == nil || ident.ID == nil {
		return "", Invalid(at, TitleRequestData, "A resource identifier should be an object with string 'type' and 'id' properties.")
	}
	if *ident.Type != target.Type {
		return "", Invalid(at+"/type", TitleRequestData, fmt.Sprintf("The 'type' property should be %q.", target.Type))
	}
	if utf8.RuneCountInString(*ident.ID) > rules.maxLen {
		return "", tooLong(at+"/id", rules.maxLen)
	}
	if target.IntID && (rules.local == nil || !rules.local(target.Type, *ident.ID)) {
		if _, err := strconv.ParseInt(*ident.ID, 10, 64); err != nil {
			return "", EntityNotExist(at)
		}
	}
	return *ident.ID, nil
}

// emailPattern is the HTML5 e-mail address syntax (the reference's "html5" mode).
var emailPattern = regexp.MustCompile(`^[a-zA-Z0-9.!#$%&'*+/=?^_` + "`" + `{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)+$`)

// decodeAttr reads and validates one attribute value.
func decodeAttr(a *Attr, raw json.RawMessage, ptr string) (any, *Error) {
	raw = bytes.TrimSpace(raw)
	if string(raw) == "null" {
		switch {
		case a.Required:
			return nil, Invalid(ptr, TitleNotBlank, "This value should not be blank.")
		case !a.Nullable:
			return nil, Invalid(ptr, TitleNotNull, "This value should not be null.")
		}
		return nil, nil
	}
	typeErr := func(t string) *Error {
		return Invalid(ptr, TitleType, fmt.Sprintf("This value should be of type %s.", t))
	}
	switch a.Kind {
	case String:
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return nil, typeErr("string")
		}
		return s, validateString(a, s, ptr)
	case Int:
		var n json.Number
		// json.Number also accepts a JSON string holding a number: "1" is not an integer.
		if raw[0] == '"' || json.Unmarshal(raw, &n) != nil {
			return nil, typeErr("integer")
		}
		i, err := strconv.ParseInt(n.String(), 10, 64)
		if err != nil {
			return nil, typeErr("integer")
		}
		if a.Min != nil && float64(i) < *a.Min {
			return nil, rangeErr(ptr, *a.Min)
		}
		return i, nil
	case Float:
		var f float64
		if json.Unmarshal(raw, &f) != nil || math.IsInf(f, 0) {
			return nil, typeErr("number")
		}
		if a.Min != nil && f < *a.Min {
			return nil, rangeErr(ptr, *a.Min)
		}
		return f, nil
	case Decimal:
		s := string(raw)
		var str string
		if json.Unmarshal(raw, &str) == nil {
			s = str
		}
		if !isDecimal(s) {
			return nil, typeErr("decimal")
		}
		if !decimalFits(s) {
			return nil, decimalRangeError(ptr)
		}
		if a.Min != nil {
			if f, _ := strconv.ParseFloat(s, 64); f < *a.Min || (f == *a.Min && a.MinExclusive) {
				return nil, rangeErrExclusive(ptr, *a.Min, a.MinExclusive)
			}
		}
		return s, nil
	case Bool:
		var b bool
		if json.Unmarshal(raw, &b) != nil {
			return nil, typeErr("boolean")
		}
		return b, nil
	case Date:
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return nil, typeErr("date")
		}
		t, err := time.Parse("2006-01-02", s)
		if err != nil {
			return nil, Invalid(ptr, TitleType, "This value is not a valid date.")
		}
		if !storableTime(t) {
			return nil, timeRangeError(ptr, Date)
		}
		return t, nil
	case DateTime:
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return nil, typeErr("datetime")
		}
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return nil, Invalid(ptr, TitleType, "This value is not a valid datetime.")
		}
		if !storableTime(t) {
			return nil, timeRangeError(ptr, DateTime)
		}
		return t.UTC().Truncate(time.Second), nil
	case JSON:
		var v any
		_ = json.Unmarshal(raw, &v)
		if a.Check != nil {
			if e := a.Check(v); e != nil {
				return nil, Invalid(ptr+e.Pointer, e.Title, e.Detail)
			}
		}
		var buf bytes.Buffer
		_ = json.Compact(&buf, raw)
		return json.RawMessage(buf.Bytes()), nil
	}
	return nil, typeErr(a.Kind.String())
}

func rangeErr(ptr string, min float64) *Error { return rangeErrExclusive(ptr, min, false) }

func rangeErrExclusive(ptr string, min float64, exclusive bool) *Error {
	m := strconv.FormatFloat(min, 'f', -1, 64)
	if exclusive {
		return Invalid(ptr, TitleRange, "This value should be greater than "+m+".")
	}
	return Invalid(ptr, TitleRange, "This value should be "+m+" or more.")
}

func validateString(a *Attr, s, ptr string) *Error {
	if a.Required && strings.TrimSpace(s) == "" {
		return Invalid(ptr, TitleNotBlank, "This value should not be blank.")
	}
	n := utf8.RuneCountInString(s)
	if a.MaxLen > 0 && n > a.MaxLen {
		return tooLong(ptr, a.MaxLen)
	}
	if a.MinLen > 1 && n < a.MinLen {
		return Invalid(ptr, TitleLength, fmt.Sprintf("This value is too short. It should have %d character%s or more.", a.MinLen, plural(a.MinLen)))
	}
	if a.Enum != nil {
		for _, e := range a.Enum {
			if e == s {
				return nil
			}
		}
		return Invalid(ptr, TitleChoice, "The value you selected is not a valid choice.")
	}
	if a.Email && !emailPattern.MatchString(s) {
		return Invalid(ptr, TitleEmail, "This value is not a valid email address.")
	}
	if a.Pattern != nil && !a.Pattern.MatchString(s) {
		return Invalid(ptr, TitleRegex, "This value is not valid.")
	}
	return nil
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
